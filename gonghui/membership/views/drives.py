"""Views of the membership line: drives."""

urlpatterns: list = []
