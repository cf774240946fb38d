"""Views of the rights line: assistance (being written)."""

urlpatterns = []
