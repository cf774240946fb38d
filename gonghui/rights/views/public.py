"""Views of the rights line: public (being written)."""

urlpatterns = []
