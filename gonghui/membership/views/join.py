"""Views of the membership line: join."""

urlpatterns: list = []
