"""Views of the membership line: enterprises."""

urlpatterns: list = []
