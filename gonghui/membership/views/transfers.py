"""Views of the membership line: transfers."""

urlpatterns: list = []
