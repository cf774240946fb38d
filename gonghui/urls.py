from django.urls import include, path

from gonghui.api.api import api
from gonghui.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", core_views.login_view, name="login"),
    path("logout/", core_views.logout_view, name="logout"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("capability/", include("gonghui.capability.urls")),
    path("", include("gonghui.core.urls")),
    path("membership/", include("gonghui.membership.urls")),
    path("rights/", include("gonghui.rights.urls")),
]
