"""Views of the rights line: hardship (being written)."""

urlpatterns = []
