"""Views of the membership line: coverage."""

urlpatterns: list = []
