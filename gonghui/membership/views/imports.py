"""Views of the membership line: imports."""

urlpatterns: list = []
