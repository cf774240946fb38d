"""URLs of the membership line. Each area's views module lists its own `urlpatterns`."""

from gonghui.membership.views import coverage, drives, enterprises, imports, join, members, transfers

app_name = "membership"

urlpatterns = [
    *enterprises.urlpatterns,
    *members.urlpatterns,
    *join.urlpatterns,
    *transfers.urlpatterns,
    *imports.urlpatterns,
    *coverage.urlpatterns,
    *drives.urlpatterns,
]
