"""Views of the rights line: legalaid (being written)."""

urlpatterns = []
