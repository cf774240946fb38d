"""URLs of capability building (the centre of the product): each views module declares its own."""

from gonghui.capability.views import assessment, cadres, files, frameworks, training

app_name = "capability"

urlpatterns = [*frameworks.urlpatterns, *cadres.urlpatterns, *files.urlpatterns, *training.urlpatterns]
urlpatterns += [*assessment.urlpatterns]
