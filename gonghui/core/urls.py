from django.urls import path
from django.views.generic import RedirectView

from gonghui.core import views

app_name = "core"

urlpatterns = [
    path("lines/<slug:code>/", views.line, name="line"),
    # The capability app serves /capability/ (mounted first); the old name keeps existing links
    # (a URL name string: core knows no domain app).
    path("capability/", RedirectView.as_view(pattern_name="capability:home"), name="capability"),
    path("switch-unit/", views.switch_unit, name="switch_unit"),
    path("password/", views.password_change, name="password_change"),
    path("units/", views.unit_tree, name="unit_tree"),
    path("units/options/", views.unit_options, name="unit_options"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/children/", views.unit_children, name="unit_children"),
    path("units/<int:pk>/reveal/", views.unit_reveal, name="unit_reveal"),
    path("units/<int:pk>/add/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/move/", views.unit_move, name="unit_move"),
    path("units/<int:pk>/delete/", views.unit_delete, name="unit_delete"),
    path("regions/options/", views.region_options, name="region_options"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/edit/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/password/", views.user_password, name="user_password"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("users/<int:pk>/roles/", views.role_grant, name="role_grant"),
    path("roles/<int:pk>/revoke/", views.role_revoke, name="role_revoke"),
    path("audit/", views.audit_list, name="audit_list"),
    path("audit/<int:pk>/", views.audit_detail, name="audit_detail"),
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/download/", views.job_download, name="job_download"),
    path("jobs/<int:pk>/retry/", views.job_retry_view, name="job_retry"),
    path("tokens/", views.token_list, name="token_list"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
