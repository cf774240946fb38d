"""URLs of capability building (the centre of the product)."""

app_name = "capability"

urlpatterns = []
