"""Views of the membership line: members."""

urlpatterns: list = []
