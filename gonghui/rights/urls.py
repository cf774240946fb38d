"""URLs of the rights line. Each area's views module lists its own `urlpatterns`."""

from gonghui.rights.views import assistance, calendar, cases, hardship, legalaid, public, reports

app_name = "rights"

urlpatterns = [
    *cases.urlpatterns,
    *public.urlpatterns,
    *legalaid.urlpatterns,
    *hardship.urlpatterns,
    *assistance.urlpatterns,
    *reports.urlpatterns,
    *calendar.urlpatterns,
]
