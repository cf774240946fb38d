"""Views of the rights line: cases (being written)."""

urlpatterns = []
