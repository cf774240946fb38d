"""Views of rights cases (职工维权诉求): the list, the look-up by the complainant's phone or ID
number, registering, the case page with its timeline, the workflow steps, assignment, escalation
(上报) and hand-down (交办), notes and attachments.

Parse, call a service or selector, render; every read starts from restrict(), and a case out of
scope is a 404 like a missing one. Personal data (the complainant, the narrative, notes, the
closing summary) is masked or hidden until a user who may reveal it asks by POST; each reveal is
audited. Phone and ID numbers are looked up by POST, so they never appear in a URL or a log.
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gonghui.core.audit import audit_page_denied, audit_record
from gonghui.core.choices import Action, AuditAction
from gonghui.core.listing import render_list
from gonghui.core.scoping import get_scoped_or_404, may, path_in_scope
from gonghui.lib.forms import apply_validation_error
from gonghui.rights.choices import CaseStatus
from gonghui.rights.forms.cases import (
    AssignForm,
    AttachmentForm,
    CaseForm,
    CaseLookupForm,
    EscalateForm,
    HandDownForm,
    NoteForm,
    StepForm,
)
from gonghui.rights.models import RightsCase
from gonghui.rights.selectors.cases import cases_list_queryset, cases_lookup
from gonghui.rights.services import cases as service
from gonghui.rights.services.attachments import attachment_response, attachment_store
from gonghui.rights.tables.cases import cases

LOOKUP_LIMIT = 50
PERSONAL_FIELDS = [
    "complainant_name",
    "complainant_phone",
    "complainant_id_number",
    "narrative",
    "closing_summary",
    "notes",
]
# The buttons of the steps, in workflow order; decline and close open a form of their own.
STEP_LABELS = {
    CaseStatus.ACCEPTED: _("Accept"),
    CaseStatus.DECLINED: _("Do not accept"),
    CaseStatus.INVESTIGATING: _("Start investigation"),
    CaseStatus.MEDIATING: _("Start mediation"),
    CaseStatus.CLOSED: _("Close the case"),
}


def _case(request, pk: int, action: str = Action.VIEW) -> RightsCase:
    return get_scoped_or_404(
        RightsCase.objects.select_related("org_unit", "origin_unit", "enterprise", "assignee", "member", "closed_by"),
        request.user,
        action,
        request=request,
        pk=pk,
    )


# What a reference number (or a part of one) can look like once normalised: the letters and digits
# of REFERENCE_ALPHABET with at least one letter. A phone or ID number (always holding a 0 or 1)
# or a name does not.
REFERENCE_LIKE = re.compile(r"(?=.*[A-Z])[2-9A-HJ-KMNP-Z]+")


def _personal_query(raw: str) -> bool:
    raw = raw.strip()
    return bool(raw) and not REFERENCE_LIKE.fullmatch(service.normalize_reference(raw))


def _require_may(request, action: str) -> None:
    if not may(request.user, action):
        audit_page_denied(request, action)
        raise Http404


def _audit_reveal(request, case: RightsCase, fields: list[str]) -> None:
    audit_record(action=AuditAction.REVEAL, actor=request.user, obj=case, detail={"fields": fields}, request=request)


@login_required
def case_list(request):
    if request.method == "GET" and _personal_query(request.GET.get("q", "")):
        # A phone, ID number or name typed into the (GET) search box would stay in the address
        # bar, the history, the server's log and every sort and page link: send the user back
        # without it, to the look-up by POST.
        params = request.GET.copy()
        for key in ("q", "page", "partial"):
            params.pop(key, None)
        url = reverse("rights:case_list") + (f"?{params.urlencode()}" if params else "")
        messages.warning(
            request,
            _(
                "The search box finds reference numbers only. Look up a complainant's mobile or ID "
                "number with the form above: it keeps the number out of the address bar."
            ),
        )
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
    return render_list(
        request,
        cases,
        template="rights/cases/list.html",
        lookup_form=CaseLookupForm(),
        can_add=may(request.user, Action.ADD),
        today=timezone.localdate(),
    )


@login_required
def case_lookup(request):
    """Cases of a complainant by mobile number or ID number, within scope (POST only: the value
    never appears in a URL)."""
    form = CaseLookupForm(request.POST or None)
    results = None
    if request.method == "POST" and form.is_valid():
        kind, value = form.cleaned_data["value"]
        found = cases_lookup(cases_list_queryset(request.user), kind, value)
        results = list(found.order_by("unit_path", "pk")[:LOOKUP_LIMIT])
    return render(
        request,
        "rights/cases/lookup.html",
        {"form": form, "results": results, "limit": LOOKUP_LIMIT, "today": timezone.localdate()},
    )


def _detail_context(request, case: RightsCase, revealed: bool = False) -> dict:
    user = request.user
    can_change = path_in_scope(user, Action.CHANGE, case.unit_path)
    steps = [(to, STEP_LABELS[to]) for to in service.allowed_transitions(case)] if can_change else []
    events = list(case.events.select_related("actor", "from_unit", "to_unit", "assignee", "attachment"))
    return {
        "case": case,
        "today": timezone.localdate(),
        "overdue": case.is_overdue(timezone.localdate()),
        "events": events,
        "attachments": list(case.attachments.select_related("uploaded_by")),
        "can_change": can_change,
        "can_reveal": path_in_scope(user, Action.REVEAL, case.unit_path),
        "revealed": revealed,
        "steps": steps,
        "note_form": NoteForm(),
        "attachment_form": AttachmentForm(),
        "assign_form": AssignForm(
            cadres=service.cadres_for(case.unit_path), initial={"assignee": case.assignee_id, "version": case.version}
        )
        if can_change and case.is_open
        else None,
        "can_escalate": can_change and case.is_open and len(case.unit_path) > 4,
        "can_hand_down": can_change and case.is_open and case.org_unit.numchild > 0,
    }


@login_required
def case_detail(request, pk: int):
    case = _case(request, pk)
    return render(request, "rights/cases/detail.html", _detail_context(request, case))


@never_cache
@login_required
@require_POST
def case_reveal(request, pk: int):
    """The case page with the complainant's details, the narrative, notes and the closing summary
    in clear, for a user who may reveal them; audited."""
    case = _case(request, pk, Action.REVEAL)
    _audit_reveal(request, case, PERSONAL_FIELDS)
    return render(request, "rights/cases/detail.html", _detail_context(request, case, revealed=True))


def _store_uploads(request, case: RightsCase, uploads) -> list[str]:
    """Keep each upload; the messages of the refused ones (the case itself is saved anyway)."""
    problems = []
    for upload in uploads:
        try:
            attachment_store(actor=request.user, upload=upload, case=case)
        except ValidationError as error:
            text = " ".join(m for messages_ in error.message_dict.values() for m in messages_)
            problems.append(_("%(file)s was not attached: %(reason)s") % {"file": upload.name[:80], "reason": text})
    return problems


@login_required
def case_create(request):
    _require_may(request, Action.ADD)
    unit = request.unit_context.unit
    initial = {"org_unit": unit.code if unit else "", "registered_on": timezone.localdate(), "workers_involved": 1}
    form = CaseForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            case = service.case_register(actor=request.user, **form.service_fields())
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied:
            form.add_error("org_unit", _("You may not register cases for this union."))
        else:
            for problem in _store_uploads(request, case, form.cleaned_data.get("attachments") or []):
                messages.warning(request, problem)
            messages.success(
                request,
                _("Case %(reference)s was registered. Give the worker this reference number to follow it.")
                % {"reference": case.reference},
            )
            return redirect(case)
    return render(
        request,
        "rights/cases/form.html",
        {"form": form, "title": _("Register a case"), "cancel_url": reverse("rights:case_list")},
    )


@never_cache
@login_required
def case_edit(request, pk: int):
    """Correct a case. The form carries the version it was based on: if someone changed the case
    in the meantime, the save is refused, the input kept, and the user asked to reload."""
    case = _case(request, pk, Action.CHANGE)
    initial = {
        name: getattr(case, name)
        for name in ("channel", "category", "employer_name", "workers_involved", "amount_claimed", "registered_on")
    }
    # The name and the narrative are in the form in clear: opening it is a view of personal data.
    initial.update(
        complainant_name=case.complainant_name,
        narrative=case.narrative,
        enterprise=case.enterprise.credit_code if case.enterprise_id else "",
        version=case.version,
    )
    form = CaseForm(request.POST or None, user=request.user, initial=initial, case=case)
    conflict = False
    if request.method == "GET":
        _audit_reveal(request, case, ["complainant_name", "narrative"])
    elif form.is_valid():
        try:
            case = service.case_update(
                actor=request.user, case=case, version=form.cleaned_data["version"], **form.service_fields()
            )
        except service.CaseConflict as error:
            conflict = True
            form.add_error(None, error)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Changes to case %(reference)s were saved.") % {"reference": case.reference})
            return redirect(case)
    return render(
        request,
        "rights/cases/form.html",
        {
            "form": form,
            "case": case,
            "conflict": conflict,
            "title": _("Edit case %(reference)s") % {"reference": case.reference},
            "cancel_url": case.get_absolute_url(),
        },
    )


@login_required
def case_step(request, pk: int, to: str):
    """One step of the workflow. Accept, investigate and mediate are buttons on the case page
    (a POST with the version); declining and closing open this form first."""
    case = _case(request, pk, Action.CHANGE)
    if to not in STEP_LABELS:
        raise Http404
    if request.method == "GET" and to not in service.allowed_transitions(case):
        # A bookmarked or stale link to a step the case is past: say so instead of a form that
        # can only be refused.
        messages.error(
            request,
            _("A case that is “%(from)s” cannot be moved to “%(to)s”.")
            % {"from": case.get_status_display(), "to": CaseStatus(to).label},
        )
        return redirect(case)
    form = StepForm(request.POST or None, to_status=to, initial={"version": case.version})
    conflict = False
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            case = service.case_transition(actor=request.user, case=case, to_status=to, **data)
        except service.CaseConflict as error:
            conflict = True
            form.add_error(None, error)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("Case %(reference)s: %(status)s.")
                % {"reference": case.reference, "status": case.get_status_display()},
            )
            return redirect(case)
        if not (form.fields.keys() - {"version", "note"}):
            # A one-click step from the case page: show why on the case page itself.
            for error in form.non_field_errors() or [e for errs in form.errors.values() for e in errs]:
                messages.error(request, error)
            return redirect(case)
    return render(
        request,
        "rights/cases/step.html",
        {"form": form, "case": case, "to": to, "label": STEP_LABELS[to], "conflict": conflict},
    )


@login_required
@require_POST
def case_assign(request, pk: int):
    case = _case(request, pk, Action.CHANGE)
    form = AssignForm(request.POST, cadres=service.cadres_for(case.unit_path))
    if form.is_valid():
        try:
            case = service.case_assign(
                actor=request.user,
                case=case,
                assignee=form.cleaned_data["assignee"],
                version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            if case.assignee_id:
                messages.success(request, _("The case is now handled by %(name)s.") % {"name": case.assignee.name})
            else:
                messages.success(request, _("Nobody handles the case now."))
    else:
        messages.error(request, _("Choose a cadre of this union from the list."))
    return redirect(case)


@login_required
def case_escalate(request, pk: int):
    case = _case(request, pk, Action.CHANGE)
    form = EscalateForm(request.POST or None, initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        try:
            case = service.case_escalate(
                actor=request.user, case=case, note=form.cleaned_data["note"], version=form.cleaned_data["version"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("Case %(reference)s was escalated to %(unit)s.")
                % {"reference": case.reference, "unit": case.org_unit},
            )
            if path_in_scope(request.user, Action.VIEW, case.unit_path):
                return redirect(case)
            return redirect("rights:case_list")
    return render(request, "rights/cases/move.html", {"form": form, "case": case, "escalate": True})


@login_required
def case_hand_down(request, pk: int):
    case = _case(request, pk, Action.CHANGE)
    form = HandDownForm(request.POST or None, user=request.user, initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        try:
            case = service.case_hand_down(
                actor=request.user,
                case=case,
                to_unit=form.cleaned_data["to_unit"],
                note=form.cleaned_data["note"],
                version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("Case %(reference)s was handed down to %(unit)s.")
                % {"reference": case.reference, "unit": case.org_unit},
            )
            return redirect(case)
    return render(request, "rights/cases/move.html", {"form": form, "case": case, "escalate": False})


@login_required
@require_POST
def case_note(request, pk: int):
    case = _case(request, pk, Action.CHANGE)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            service.case_add_note(actor=request.user, case=case, note=form.cleaned_data["note"])
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The note was added to the timeline."))
    else:
        messages.error(request, _("Write the note first (at most 5000 characters)."))
    return redirect(case)


@login_required
@require_POST
def case_upload(request, pk: int):
    case = _case(request, pk, Action.CHANGE)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to upload."))
        return redirect(case)
    try:
        with transaction.atomic():
            attachment = attachment_store(
                actor=request.user,
                upload=form.cleaned_data["upload"],
                case=case,
                description=form.cleaned_data["description"],
            )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(file)s was attached.") % {"file": attachment.original_name})
    return redirect(case)


@login_required
def case_download(request, pk: int, attachment_pk: int):
    """An attachment as a download, through the case's scope; audited."""
    case = _case(request, pk)
    attachment = case.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    attachment.case = case
    return attachment_response(attachment, actor=request.user, request=request)


urlpatterns = [
    path("cases/", case_list, name="case_list"),
    path("cases/new/", case_create, name="case_create"),
    path("cases/lookup/", case_lookup, name="case_lookup"),
    path("cases/<int:pk>/", case_detail, name="case_detail"),
    path("cases/<int:pk>/reveal/", case_reveal, name="case_reveal"),
    path("cases/<int:pk>/edit/", case_edit, name="case_edit"),
    path("cases/<int:pk>/step/<slug:to>/", case_step, name="case_step"),
    path("cases/<int:pk>/assign/", case_assign, name="case_assign"),
    path("cases/<int:pk>/escalate/", case_escalate, name="case_escalate"),
    path("cases/<int:pk>/hand-down/", case_hand_down, name="case_hand_down"),
    path("cases/<int:pk>/notes/", case_note, name="case_note"),
    path("cases/<int:pk>/attachments/", case_upload, name="case_upload"),
    path("cases/<int:pk>/attachments/<int:attachment_pk>/", case_download, name="case_download"),
]
