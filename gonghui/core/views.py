"""Views of the core app: parse, call a selector or service, render. Scope via restrict()."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gonghui.core import selectors, services, tables
from gonghui.core.audit import audit_page_denied, audit_record
from gonghui.core.auth import login_attempt
from gonghui.core.choices import Action, AuditAction, JobStatus
from gonghui.core.forms import (
    LoginForm,
    PasswordChangeForm,
    PasswordSetForm,
    RoleGrantForm,
    TokenCreateForm,
    UnitForm,
    UnitMoveForm,
    UserCreateForm,
    UserEditForm,
)
from gonghui.core.jobs import JobError, job_retry
from gonghui.core.lines import LINES, LINES_BY_CODE, line_modules
from gonghui.core.listing import render_list
from gonghui.core.models import ApiToken, Job, OrgUnit, RoleAssignment, User
from gonghui.core.scoping import get_scoped_or_404, may, path_in_scope
from gonghui.lib.forms import apply_validation_error
from gonghui.lib.regions import search as region_search


def _require_may(request, action: str) -> None:
    """Pages for one kind of work (accounts, audit): 404 for those without it, and audited."""
    if not may(request.user, action):
        audit_page_denied(request, action)
        raise Http404


# --- session ------------------------------------------------------------------------------------


def login_view(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = LoginForm(request.POST or None)
    locked_minutes = 0
    if request.method == "POST" and form.is_valid():
        outcome = login_attempt(request, form.cleaned_data["username"], form.cleaned_data["password"])
        if outcome.user is not None:
            login(request, outcome.user)
            target = request.POST.get("next") or request.GET.get("next") or ""
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
                target = reverse("home")
            return redirect(target)
        locked_minutes = outcome.locked_minutes
        if locked_minutes:
            form.add_error(
                None,
                _(
                    "Too many failed attempts. Try again in %(minutes)s minutes, "
                    "or ask an administrator to unlock the account."
                )
                % {"minutes": locked_minutes},
            )
        else:
            form.add_error(None, _("Wrong username/mobile number or password."))
    return render(request, "core/login.html", {"form": form, "next": request.GET.get("next", "")})


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        audit_record(action=AuditAction.LOGOUT, actor=request.user, org_unit=request.user.org_unit, request=request)
    logout(request)  # flushes the session on the server
    return redirect("login")


@login_required
def password_change(request):
    form = PasswordChangeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_password(
                actor=request.user,
                user=request.user,
                password=form.cleaned_data["password1"],
                request=request,
            )
        except ValidationError as error:
            form.add_error("password1", error)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password was changed."))
            return redirect("home")
    return render(
        request,
        "core/form_page.html",
        {"form": form, "title": _("Change password"), "submit": _("Change password")},
    )


@login_required
@require_POST
def switch_unit(request):
    try:
        assignment_id = int(request.POST.get("assignment", ""))
    except ValueError:
        raise Http404 from None
    if not request.user.role_assignments.filter(pk=assignment_id).exists():
        raise Http404
    request.session["assignment_id"] = assignment_id
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("home")
    return redirect(target)


# --- home and lines of work -------------------------------------------------------------------


@login_required
def home(request):
    unit = request.unit_context.unit
    context = {
        "lines": LINES,
        "unit": unit,
        "subtree_counts": selectors.unit_subtree_counts(unit) if unit else [],
        "recent_jobs": selectors.jobs_visible(request.user).filter(created_by=request.user)[:5],
    }
    return render(request, "core/home.html", context)


@login_required
def line(request, code: str):
    line = LINES_BY_CODE.get(code)
    if line is None:
        raise Http404
    return render(request, "core/line.html", {"line": line, "lines": LINES, "modules": line_modules(line)})


# --- units --------------------------------------------------------------------------------------


@login_required
def unit_tree(request):
    # The tree is the landing view; any search, filter or export switches to the flat list.
    if request.method == "POST" or any(request.GET.get(k) for k in ("q", "kind", "under", "region", "partial", "list")):
        return render_list(request, tables.units, template="core/unit_list.html")
    roots = selectors.unit_roots(request.user)
    return render(request, "core/unit_tree.html", {"roots": roots})


@login_required
@require_GET
def unit_children(request, pk: int):
    unit = get_scoped_or_404(OrgUnit.objects, request.user, request=request, pk=pk)
    try:
        offset = max(0, int(request.GET.get("offset", 0)))
    except ValueError:
        offset = 0
    children, more = selectors.unit_children(unit, offset=offset)
    return render(
        request,
        "core/unit_children.html",
        {"unit": unit, "children": children, "more": more, "next_offset": offset + len(children)},
    )


@login_required
def unit_detail(request, pk: int):
    unit = get_scoped_or_404(OrgUnit.objects, request.user, request=request, pk=pk)
    children, more = selectors.unit_children(unit, limit=50)
    user = request.user
    context = {
        "unit": unit,
        "breadcrumbs": selectors.unit_breadcrumbs(user, unit),
        "children": children,
        "more_children": more,
        "subtree_counts": selectors.unit_subtree_counts(unit),
        "can_change": path_in_scope(user, Action.CHANGE, unit.path),
        "can_add": path_in_scope(user, Action.ADD, unit.path),
        "can_delete": path_in_scope(user, Action.DELETE, unit.path) and not unit.is_root(),
        "can_reveal": path_in_scope(user, Action.REVEAL, unit.path),
        "can_move": path_in_scope(user, Action.CHANGE, unit.path) and not unit.is_root(),
        "role_holders": selectors.unit_role_holders(unit)
        if path_in_scope(user, Action.MANAGE_USERS, unit.path)
        else None,
    }
    return render(request, "core/unit_detail.html", context)


@login_required
@require_POST
def unit_reveal(request, pk: int):
    """Show the contact phone in clear to a user who may reveal it; the reveal is audited."""
    unit = get_scoped_or_404(OrgUnit.objects, request.user, Action.REVEAL, request=request, pk=pk)
    audit_record(
        action=AuditAction.REVEAL,
        actor=request.user,
        obj=unit,
        detail={"fields": ["contact_phone"]},
        request=request,
    )
    return HttpResponse(unit.contact_phone or "—")


def _unit_form_initial(unit: OrgUnit) -> dict:
    return {name: getattr(unit, name) for name in services.UNIT_FIELDS}


@login_required
def unit_create(request, pk: int):
    parent = get_scoped_or_404(OrgUnit.objects, request.user, Action.ADD, request=request, pk=pk)
    form = UnitForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(actor=request.user, parent=parent, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Unit %(unit)s was created.") % {"unit": unit})
            return redirect(unit)
    return render(
        request,
        "core/unit_form.html",
        {"form": form, "parent": parent, "title": _("New unit under %(unit)s") % {"unit": parent}},
    )


@login_required
def unit_edit(request, pk: int):
    unit = get_scoped_or_404(OrgUnit.objects, request.user, Action.CHANGE, request=request, pk=pk)
    parent = OrgUnit.objects.get_parent(unit)
    form = UnitForm(request.POST or None, initial=_unit_form_initial(unit), parent=parent)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_update(actor=request.user, unit=unit, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Changes to %(unit)s were saved.") % {"unit": unit})
            return redirect(unit)
    return render(
        request,
        "core/unit_form.html",
        {"form": form, "unit": unit, "parent": parent, "title": _("Edit %(unit)s") % {"unit": unit}},
    )


@login_required
def unit_move(request, pk: int):
    unit = get_scoped_or_404(OrgUnit.objects, request.user, Action.CHANGE, request=request, pk=pk)
    form = UnitMoveForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_move(actor=request.user, unit=unit, new_parent=form.cleaned_data["parent"])
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied:
            audit_page_denied(request, Action.ADD)
            form.add_error("parent", _("You may not move this unit there."))
        else:
            messages.success(request, _("%(unit)s was moved.") % {"unit": unit})
            return redirect(unit)
    return render(
        request,
        "core/unit_move.html",
        {"form": form, "unit": unit, "breadcrumbs": selectors.unit_breadcrumbs(request.user, unit)},
    )


@login_required
def unit_delete(request, pk: int):
    unit = get_scoped_or_404(OrgUnit.objects, request.user, Action.DELETE, request=request, pk=pk)
    error = None
    if request.method == "POST":
        parent = OrgUnit.objects.get_parent(unit)
        try:
            services.unit_delete(actor=request.user, unit=unit)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("%(unit)s was deleted.") % {"unit": unit})
            return redirect(parent if parent else "core:unit_tree")
    return render(
        request,
        "core/confirm.html",
        {
            "title": _("Delete %(unit)s?") % {"unit": unit},
            "text": _(
                "The unit is removed for good. Only an empty unit, with no sub-units, accounts or records, "
                "can be deleted."
            ),
            "error": error,
            "submit": _("Delete"),
            "cancel_url": unit.get_absolute_url(),
        },
    )


@login_required
@require_GET
def unit_options(request):
    """<option>s of units in scope whose name or code matches, for the unit code inputs."""
    # The input sends its own name=value; `action` says what the unit is chosen for.
    query = (request.GET.get("q") or next((v for k, v in request.GET.items() if k != "action"), "")).strip()[:50]
    action = request.GET.get("action", Action.VIEW)
    if action not in Action.values:
        action = Action.VIEW
    units = []
    if query:
        units = tables.search_units(OrgUnit.objects.restrict(request.user, action), query).order_by("path")[:20]
    return render(request, "core/unit_options.html", {"units": units})


@login_required
@require_GET
def region_options(request):
    query = (request.GET.get("q") or next(iter(request.GET.values()), "")).strip()[:20]
    return render(request, "core/region_options.html", {"regions": region_search(query) if query else []})


# --- users and roles ----------------------------------------------------------------------------


def _managed_user(request, pk: int) -> User:
    return get_scoped_or_404(
        User.objects.select_related("org_unit"), request.user, Action.MANAGE_USERS, request=request, pk=pk
    )


@login_required
def user_list(request):
    _require_may(request, Action.MANAGE_USERS)
    return render_list(request, tables.users, template="core/user_list.html")


@login_required
def user_create(request):
    _require_may(request, Action.MANAGE_USERS)
    initial = {"org_unit": request.unit_context.unit.code} if request.unit_context.unit else {}
    form = UserCreateForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                actor=request.user,
                username=data["username"],
                name=data["name"],
                phone=data["phone"],
                org_unit=data["org_unit"],
                password=data["password1"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                apply_validation_error(form, error)
            else:
                form.add_error("password1", error)
        else:
            messages.success(request, _("Account %(user)s was created. Give it a role below.") % {"user": user})
            return redirect(user)
    return render(
        request,
        "core/form_page.html",
        {"form": form, "title": _("New account"), "submit": _("Create"), "unit_datalist": True},
    )


@login_required
def user_detail(request, pk: int):
    account = _managed_user(request, pk)
    assignments = account.role_assignments.select_related("org_unit").order_by("org_unit__path")
    grant_form = RoleGrantForm(user=request.user)
    return render(
        request,
        "core/user_detail.html",
        {
            "account": account,
            "assignments": [
                (a, path_in_scope(request.user, Action.MANAGE_USERS, a.org_unit.path)) for a in assignments
            ],
            "grant_form": grant_form,
            "tokens": account.api_tokens.all()[:20],
            "password_form": PasswordSetForm(),
            "unit_datalist": True,
        },
    )


@login_required
def user_edit(request, pk: int):
    account = _managed_user(request, pk)
    initial = {
        "name": account.name,
        "phone": account.phone or "",
        "org_unit": account.org_unit.code if account.org_unit else "",
        "is_active": account.is_active,
    }
    form = UserEditForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(actor=request.user, user=account, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Changes to %(user)s were saved.") % {"user": account})
            return redirect(account)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": _("Edit %(user)s") % {"user": account},
            "submit": _("Save"),
            "cancel_url": account.get_absolute_url(),
            "unit_datalist": True,
        },
    )


@login_required
@require_POST
def user_password(request, pk: int):
    account = _managed_user(request, pk)
    form = PasswordSetForm(request.POST)
    if form.is_valid():
        try:
            services.user_set_password(
                actor=request.user, user=account, password=form.cleaned_data["password1"], request=request
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The password of %(user)s was reset.") % {"user": account})
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(account)


@login_required
@require_POST
def user_unlock(request, pk: int):
    account = _managed_user(request, pk)
    services.user_unlock(actor=request.user, user=account)
    messages.success(request, _("Failed login attempts of %(user)s were cleared.") % {"user": account})
    return redirect(account)


@login_required
@require_POST
def role_grant(request, pk: int):
    account = _managed_user(request, pk)
    form = RoleGrantForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.role_grant(
                actor=request.user,
                user=account,
                org_unit=form.cleaned_data["org_unit"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except PermissionDenied:
            audit_page_denied(request, Action.MANAGE_USERS)
            messages.error(request, _("You may not grant roles on that unit."))
        else:
            messages.success(request, _("The role was granted."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(account)


@login_required
def role_revoke(request, pk: int):
    assignment = get_scoped_or_404(
        RoleAssignment.objects.select_related("user", "org_unit"),
        request.user,
        Action.MANAGE_USERS,
        request=request,
        pk=pk,
    )
    error = None
    if request.method == "POST":
        try:
            services.role_revoke(actor=request.user, assignment=assignment)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("The role was revoked."))
            return redirect(assignment.user)
    return render(
        request,
        "core/confirm.html",
        {
            "title": _("Revoke this role?"),
            "text": _("%(user)s will no longer be %(role)s of %(unit)s and everything under it.")
            % {"user": assignment.user, "role": assignment.get_role_display(), "unit": assignment.org_unit},
            "error": error,
            "submit": _("Revoke"),
            "cancel_url": assignment.user.get_absolute_url(),
        },
    )


# --- audit trail --------------------------------------------------------------------------------


@login_required
def audit_list(request):
    _require_may(request, Action.AUDIT)
    return render_list(request, tables.audit, template="core/audit_list.html")


@login_required
@require_GET
def audit_detail(request, pk: int):
    entry = selectors.audit_entries(request.user).filter(pk=pk).first()
    if entry is None:
        raise Http404
    return render(request, "core/audit_detail.html", {"entry": entry})


# --- jobs ---------------------------------------------------------------------------------------


def _visible_job(request, pk: int) -> Job:
    job = selectors.jobs_visible(request.user).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


@login_required
def job_list(request):
    return render_list(request, tables.jobs, template="core/job_list.html")


@login_required
def job_detail(request, pk: int):
    job = _visible_job(request, pk)
    template = "core/job_progress.html" if request.htmx else "core/job_detail.html"
    response = render(request, template, {"job": job, "can_download": job.created_by_id == request.user.pk})
    if request.htmx and job.is_finished:
        response["HX-Refresh"] = "true"  # the full page shows the result and the log
    return response


@login_required
def job_download(request, pk: int):
    job = _visible_job(request, pk)
    # A result was made with its creator's permissions (it may hold revealed data): only they fetch it.
    if job.created_by_id != request.user.pk or job.status != JobStatus.SUCCEEDED or not job.result_file:
        raise Http404
    base = Path(settings.FILES_DIR).resolve()
    path = (base / job.result_file).resolve()
    if base not in path.parents or not path.exists():
        raise Http404
    return FileResponse(open(path, "rb"), as_attachment=True, filename=job.result_name)


@login_required
@require_POST
def job_retry_view(request, pk: int):
    job = _visible_job(request, pk)
    if job.created_by_id != request.user.pk:
        raise Http404
    try:
        job_retry(actor=request.user, job=job)
    except JobError as error:
        messages.error(request, str(error))
    return redirect(job)


# --- API tokens ---------------------------------------------------------------------------------


@login_required
def token_list(request):
    form = TokenCreateForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = services.token_create(
                actor=request.user,
                user=request.user,
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            created = (token, raw)  # shown once, in this response only
            form = TokenCreateForm()
    tokens = request.user.api_tokens.all()
    return render(request, "core/token_list.html", {"form": form, "tokens": tokens, "created": created})


@login_required
def token_revoke(request, pk: int):
    token = ApiToken.objects.filter(pk=pk, user=request.user).first()
    if token is None:
        raise Http404
    if request.method == "POST":
        services.token_revoke(actor=request.user, token=token)
        messages.success(request, _("Token %(token)s was revoked.") % {"token": token})
        return redirect("core:token_list")
    return render(
        request,
        "core/confirm.html",
        {
            "title": _("Revoke token %(token)s?") % {"token": token},
            "text": _("Systems using this token lose access at once."),
            "submit": _("Revoke"),
            "cancel_url": reverse("core:token_list"),
        },
    )


# --- health -------------------------------------------------------------------------------------


def healthz(request):
    OrgUnit.objects.exists()
    return JsonResponse({"status": "ok"})
