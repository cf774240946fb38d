"""Views of the rights line: calendar (being written)."""

urlpatterns = []
