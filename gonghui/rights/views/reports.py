"""Views of the rights line: reports (being written)."""

urlpatterns = []
