"""Views of hardship files (困难职工档案): list, submission with the household, the file's page,
corrections, review by the higher union, re-verification, exit, relapse, household members and
documents. Every fetch goes through restrict() (out of scope is 404); ID numbers, phones and the
situation are masked until a user who may reveal them asks (by POST, audited). Titles and URLs
carry the file number, never the worker's personal data."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.audit import audit_record
from gonghui.core.choices import GRASSROOTS_KINDS, Action, AuditAction
from gonghui.core.listing import render_list
from gonghui.core.scoping import get_scoped_or_404, may, path_in_scope
from gonghui.lib.forms import apply_validation_error
from gonghui.rights.choices import HardshipStatus
from gonghui.rights.forms.hardship import (
    DocumentForm,
    HardshipFileForm,
    HouseholdFormSet,
    HouseholdMemberForm,
    ReasonForm,
    ReviewForm,
    VerifyForm,
    household_rows,
)
from gonghui.rights.models import Attachment, HardshipFile, HouseholdMember
from gonghui.rights.selectors.hardship import assistance_of_file
from gonghui.rights.services import hardship as services
from gonghui.rights.tables.hardship import hardship_files

EDIT_FIELDS = (
    "name",
    "employer_name",
    "tier",
    "causes",
    "household_size",
    "annual_household_income",
    "local_threshold",
    "details",
)


def _file(request, pk: int, action: str = Action.VIEW) -> HardshipFile:
    return get_scoped_or_404(
        HardshipFile.objects.select_related("org_unit", "enterprise", "member", "submitted_by", "approved_by"),
        request.user,
        action,
        request=request,
        pk=pk,
    )


def _posted_version(request) -> int:
    """The version a one-button form was rendered with. A missing or garbled one is a page from
    before this field existed or a forged post: treat it as stale (version 0 never exists)."""
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return 0


def _require_may(request, action: str) -> None:
    if not may(request.user, action):
        raise PermissionDenied


@login_required
def hardship_list(request):
    return render_list(
        request, hardship_files, template="rights/hardship/list.html", can_add=may(request.user, Action.ADD)
    )


# --- the file's page ----------------------------------------------------------------------------


def _detail_context(request, file: HardshipFile, **extra) -> dict:
    user = request.user
    assistance = list(assistance_of_file(user, file))
    can_change = path_in_scope(user, Action.CHANGE, file.unit_path)
    editable = file.status in services.EDITABLE_STATUSES
    return {
        "file": file,
        "household": list(file.household.all()),
        "documents": list(file.documents.select_related("uploaded_by")),
        "events": file.events.select_related("actor"),
        "verifications": file.verifications.select_related("verified_by"),
        "assistance": assistance,
        "assistance_total": sum((a.amount for a in assistance), 0),
        "can_change": can_change,
        "can_edit": can_change and editable,
        "can_review": file.status == HardshipStatus.PENDING and services.may_review(user, file),
        "can_reveal": path_in_scope(user, Action.REVEAL, file.unit_path),
        "can_assist": file.status == HardshipStatus.ACTIVE and path_in_scope(user, Action.ADD, file.unit_path),
        "window": services.verification_window(file, timezone.localdate()),
        "document_form": DocumentForm() if can_change else None,
        **extra,
    }


@login_required
def hardship_detail(request, pk: int):
    file = _file(request, pk)
    return render(request, "rights/hardship/detail.html", _detail_context(request, file))


@login_required
@require_POST
def hardship_reveal(request, pk: int):
    """ID numbers, phone and the situation in clear, for a user who may reveal them; audited."""
    file = _file(request, pk, Action.REVEAL)
    audit_record(
        action=AuditAction.REVEAL,
        actor=request.user,
        obj=file,
        detail={"fields": ["id_number", "phone", "details", "household.id_number"]},
        request=request,
    )
    context = _detail_context(request, file, revealed=True)
    if request.htmx:
        return render(request, "rights/hardship/reveal.html", context)
    return render(request, "rights/hardship/detail.html", context)


# --- submission and corrections -----------------------------------------------------------------


@login_required
def hardship_create(request):
    """基层申报: the worker, the household (a formset) and the situation. On any error every
    input stays on the page."""
    _require_may(request, Action.ADD)
    unit = request.unit_context.unit
    initial = {"org_unit": unit.code if unit and unit.kind in GRASSROOTS_KINDS else "", "household_size": 1}
    form = HardshipFileForm(request.POST or None, user=request.user, initial=initial)
    formset = HouseholdFormSet(request.POST or None, prefix="household")
    if request.method == "POST" and form.is_valid() & formset.is_valid():
        data = form.service_fields()
        try:
            file = services.hardship_submit(actor=request.user, household=household_rows(formset), **data)
        except ValidationError as error:
            apply_validation_error(form, error)  # household rows go on top, numbered
        except PermissionDenied:
            form.add_error("org_unit", _("You may not file households for this union."))
        else:
            messages.success(
                request,
                _("Hardship file %(file_no)s was submitted; it awaits the higher union's review.")
                % {"file_no": file.file_no},
            )
            return redirect(file)
    return render(
        request,
        "rights/hardship/form.html",
        {
            "form": form,
            "formset": formset,
            "title": _("New hardship file"),
            "cancel_url": reverse("rights:hardship_list"),
        },
    )


@login_required
def hardship_edit(request, pk: int):
    """Correct a file. The form carries the version it was opened with: if someone else saved in
    between, the save is refused, the input stays, and saving again replaces their changes."""
    file = _file(request, pk, Action.CHANGE)
    if file.status not in services.EDITABLE_STATUSES:
        messages.error(request, _("A file out of hardship is not edited; record a relapse first."))
        return redirect(file)
    initial = {name: getattr(file, name) for name in EDIT_FIELDS}
    initial.update(enterprise=file.enterprise.credit_code if file.enterprise_id else "", version=file.version)
    form = HardshipFileForm(request.POST or None, user=request.user, initial=initial, file=file)
    if request.method == "GET":
        # The situation is shown in the form to be corrected: that is a view of personal data.
        audit_record(
            action=AuditAction.REVEAL, actor=request.user, obj=file, detail={"fields": ["details"]}, request=request
        )
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["version"]
        resubmit = "resubmit" in request.POST and file.status == HardshipStatus.RETURNED
        try:
            file = services.hardship_update(actor=request.user, file=file, version=version, **form.service_fields())
            if resubmit:
                file = services.hardship_resubmit(actor=request.user, file=file, version=file.version)
        except services.HardshipConflict as error:
            form.add_error(None, error)
            form.add_error(None, _("Saving again will replace the other changes with yours."))
            data = form.data.copy()
            data["version"] = HardshipFile.objects.get(pk=file.pk).version
            form.data = data
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            if resubmit:
                messages.success(request, _("The corrected file was submitted again for review."))
            else:
                messages.success(request, _("Changes to file %(file_no)s were saved.") % {"file_no": file.file_no})
            return redirect(file)
    return render(
        request,
        "rights/hardship/form.html",
        {
            "form": form,
            "file": file,
            "title": _("Correct hardship file %(file_no)s") % {"file_no": file.file_no},
            "cancel_url": file.get_absolute_url(),
            "can_resubmit": file.status == HardshipStatus.RETURNED,
        },
    )


@login_required
@require_POST
def hardship_resubmit(request, pk: int):
    file = _file(request, pk, Action.CHANGE)
    try:
        services.hardship_resubmit(actor=request.user, file=file, version=_posted_version(request))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The corrected file was submitted again for review."))
    return redirect(file)


# --- review, re-verification, exit, relapse -----------------------------------------------------


@login_required
def hardship_review(request, pk: int):
    """上级审核: approve, or return with what to correct. Only the union above the file's union."""
    file = _file(request, pk)
    if not services.may_review(request.user, file):
        raise Http404
    form = ReviewForm(request.POST or None, initial={"version": file.version, "decision": "approve"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "approve":
                file = services.hardship_approve(
                    actor=request.user, file=file, version=data["version"], note=data["reason"]
                )
                messages.success(request, _("File %(file_no)s was approved.") % {"file_no": file.file_no})
            else:
                file = services.hardship_return(
                    actor=request.user, file=file, version=data["version"], reason=data["reason"]
                )
                messages.success(
                    request, _("File %(file_no)s was returned for correction.") % {"file_no": file.file_no}
                )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return redirect(file)
    return _step_page(request, file, form, _("Review"), _("Save the decision"))


def _step_page(request, file, form, title, submit, template="rights/hardship/step.html"):
    return render(request, template, {"file": file, "form": form, "title": title, "submit": submit})


@login_required
def hardship_verify(request, pk: int):
    file = _file(request, pk, Action.CHANGE)
    form = VerifyForm(request.POST or None, initial={"version": file.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.hardship_verify(
                actor=request.user,
                file=file,
                done_on=data["done_on"],
                result=data["result"],
                note=data["note"],
                tier=data["tier"] or None,
                version=data["version"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The re-verification was recorded."))
            return redirect(file)
    return _step_page(request, file, form, _("Annual re-verification"), _("Record"))


def _reason_step(request, pk: int, service, title, submit, done):
    file = _file(request, pk, Action.CHANGE)
    form = ReasonForm(request.POST or None, initial={"version": file.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            service(actor=request.user, file=file, reason=data["reason"], on=data["on"], version=data["version"])
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, done)
            return redirect(file)
    return _step_page(request, file, form, title, submit)


@login_required
def hardship_exit(request, pk: int):
    return _reason_step(
        request,
        pk,
        services.hardship_exit,
        _("Exit hardship"),
        _("Record the exit"),
        _("The household is recorded as out of hardship."),
    )


@login_required
def hardship_relapse(request, pk: int):
    return _reason_step(
        request,
        pk,
        services.hardship_relapse,
        _("Relapse into hardship"),
        _("Reopen the file"),
        _("The file was reopened and awaits the higher union's review."),
    )


# --- household members --------------------------------------------------------------------------


def _household_member(request, file_pk: int, pk: int) -> tuple[HardshipFile, HouseholdMember]:
    file = _file(request, file_pk, Action.CHANGE)
    member = file.household.filter(pk=pk).first()
    if member is None:
        raise Http404
    return file, member


@login_required
def household_add(request, pk: int):
    file = _file(request, pk, Action.CHANGE)
    form = HouseholdMemberForm(request.POST or None, file=file)
    if request.method == "POST" and form.is_valid():
        try:
            services.household_member_add(
                actor=request.user, file=file, version=form.cleaned_data["version"], **form.service_fields()
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The household member was added."))
            return redirect(file)
    return _step_page(request, file, form, _("Add a household member"), _("Add"))


@login_required
def household_edit(request, pk: int, member_pk: int):
    file, member = _household_member(request, pk, member_pk)
    initial = {
        name: getattr(member, name)
        for name in ("name", "relation", "birth_date", "occupation", "monthly_income", "health")
    }
    form = HouseholdMemberForm(request.POST or None, initial=initial, member=member, file=file)
    if request.method == "POST" and form.is_valid():
        try:
            services.household_member_update(
                actor=request.user, member=member, version=form.cleaned_data["version"], **form.service_fields()
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The household member was corrected."))
            return redirect(file)
    return _step_page(request, file, form, _("Correct a household member"), _("Save"))


@login_required
def household_remove(request, pk: int, member_pk: int):
    """Asks first (GET shows the question), removes on POST."""
    file, member = _household_member(request, pk, member_pk)
    if request.method == "POST":
        try:
            services.household_member_remove(actor=request.user, member=member, version=_posted_version(request))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The household member was removed from the list."))
        return redirect(file)
    return render(request, "rights/hardship/confirm_remove.html", {"file": file, "member": member})


# --- documents ----------------------------------------------------------------------------------


@login_required
@require_POST
def document_upload(request, pk: int):
    file = _file(request, pk, Action.CHANGE)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.hardship_document_add(
                actor=request.user,
                file=file,
                upload=form.cleaned_data["upload"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The document was added to the file."))
            return redirect(file)
    context = _detail_context(request, file, document_form=form)
    return render(request, "rights/hardship/detail.html", context, status=400)


@login_required
def document_download(request, pk: int, document_pk: int):
    """A document of a file in scope, as a download (audited by the attachment service)."""
    from gonghui.rights.services.attachments import attachment_response

    file = _file(request, pk)
    document = Attachment.objects.filter(pk=document_pk, hardship_file=file).first()
    if document is None:
        raise Http404
    return attachment_response(document, actor=request.user, request=request)


urlpatterns = [
    path("hardship/", hardship_list, name="hardship_list"),
    path("hardship/new/", hardship_create, name="hardship_create"),
    path("hardship/<int:pk>/", hardship_detail, name="hardship_detail"),
    path("hardship/<int:pk>/edit/", hardship_edit, name="hardship_edit"),
    path("hardship/<int:pk>/reveal/", hardship_reveal, name="hardship_reveal"),
    path("hardship/<int:pk>/resubmit/", hardship_resubmit, name="hardship_resubmit"),
    path("hardship/<int:pk>/review/", hardship_review, name="hardship_review"),
    path("hardship/<int:pk>/verify/", hardship_verify, name="hardship_verify"),
    path("hardship/<int:pk>/exit/", hardship_exit, name="hardship_exit"),
    path("hardship/<int:pk>/relapse/", hardship_relapse, name="hardship_relapse"),
    path("hardship/<int:pk>/household/new/", household_add, name="hardship_household_add"),
    path("hardship/<int:pk>/household/<int:member_pk>/edit/", household_edit, name="hardship_household_edit"),
    path("hardship/<int:pk>/household/<int:member_pk>/remove/", household_remove, name="hardship_household_remove"),
    path("hardship/<int:pk>/documents/", document_upload, name="hardship_document_upload"),
    path("hardship/<int:pk>/documents/<int:document_pk>/", document_download, name="hardship_document"),
]
