"""Views of membership transfers and the cadre's to-do list (applications and transfers).

Overdue transfers are accepted when these pages load (`transfer_auto_accept_due`, cheap when
nothing is due), so the lists never show a transfer past its deadline even where nobody runs
`gonghui transfers auto-accept` from cron."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core import ratelimit
from gonghui.core.audit import audit_page_denied, audit_record
from gonghui.core.choices import GRASSROOTS_KINDS, Action, AuditAction
from gonghui.core.listing import render_list
from gonghui.core.scoping import get_scoped_or_404, may, path_in_scope
from gonghui.core.todo import todo_sections
from gonghui.lib.forms import apply_validation_error
from gonghui.membership.choices import TransferSide
from gonghui.membership.forms.transfers import MemberFindForm, ReasonForm, TransferReceiveForm, TransferStartForm
from gonghui.membership.models import Member, Transfer
from gonghui.membership.selectors.join import applications_to_handle
from gonghui.membership.selectors.transfers import member_view, transfers_to_answer, transfers_waiting_for_others
from gonghui.membership.services import transfers as services
from gonghui.membership.services.members import active_member_with_id, today
from gonghui.membership.tables.transfers import transfers as transfer_table

# Look-ups of members by ID number from the receiving side: enough for a day's work, too few to
# comb the register.
LOOKUP_LIMIT, LOOKUP_WINDOW = 30, 3600


@login_required
def transfer_list(request):
    services.transfer_auto_accept_due()
    return render_list(
        request, transfer_table, template="membership/transfers/transfer_list.html", days=services.auto_accept_days()
    )


def _transfer(request, pk: int) -> Transfer:
    queryset = Transfer.objects.select_related(
        "member", "from_unit", "to_unit", "new_enterprise", "started_by", "answered_by"
    )
    return get_scoped_or_404(queryset, request.user, request=request, pk=pk)


def _detail(request, transfer: Transfer, reject_form=None):
    user = request.user
    context = {
        "transfer": transfer,
        "member": member_view(user, transfer),
        "can_answer": services.may_answer(user, transfer),
        "can_cancel": services.may_cancel(user, transfer),
        "reject_form": reject_form or ReasonForm(),
        "open_reject": reject_form is not None,
    }
    return render(request, "membership/transfers/transfer_detail.html", context)


@login_required
def transfer_detail(request, pk: int):
    services.transfer_auto_accept_due()
    return _detail(request, _transfer(request, pk))


@login_required
def transfer_create(request, pk: int):
    """The sending union starts a transfer of one of its members."""
    member = get_scoped_or_404(
        Member.objects.select_related("org_unit"), request.user, Action.CHANGE, request=request, pk=pk
    )
    form = TransferStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            transfer = services.transfer_start(
                actor=request.user,
                member=member,
                to_unit=data["to_unit"],
                started_by_side=TransferSide.SENDING,
                reason=data["reason"],
                new_employer_name=data["new_employer_name"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, _("The transfer was sent to %(unit)s for an answer.") % {"unit": transfer.to_unit}
            )
            return redirect(transfer)
    return render(
        request,
        "membership/transfers/transfer_start.html",
        {"form": form, "member": member, "days": services.auto_accept_days()},
    )


def _look_up(request, id_number: str) -> Member | None:
    """The receiving side's look-up by ID number: rate-limited per user and audited, found or not."""
    member = active_member_with_id(id_number)
    audit_record(
        action=AuditAction.REVEAL,
        actor=request.user,
        obj=member,
        org_unit=None if member else getattr(request.user, "org_unit", None),
        object_type="" if member else "membership.member",
        detail={"lookup": "id_number", "purpose": "transfer", "found": member is not None},
        request=request,
    )
    return member


def _default_receiving_unit(request) -> str:
    """The union the user works for now, else the first grassroots union among their roles."""
    context = request.unit_context
    for unit in (context.unit, *(a.org_unit for a in context.assignments)):
        if unit is not None and unit.kind in GRASSROOTS_KINDS and path_in_scope(request.user, Action.ADD, unit.path):
            return unit.code
    return ""


@login_required
def transfer_receive(request):
    """The receiving union asks for a member of another union: first the ID number (POST), then,
    with only the name, masked ID number and join date shown, the details of the transfer."""
    user = request.user
    if not may(user, Action.ADD):
        audit_page_denied(request, Action.ADD)
        raise Http404
    step = request.POST.get("step", "") if request.method == "POST" else ""
    # Both steps post the ID number: the look-up is repeated (and counted, and audited) each time.
    find_form = MemberFindForm(request.POST if step in ("find", "start") else None)
    form, found, own = None, None, False
    if find_form.is_bound and find_form.is_valid():
        if not ratelimit.hit(f"transfer:lookup:{user.pk}", limit=LOOKUP_LIMIT, window=LOOKUP_WINDOW):
            find_form.add_error(None, _("Too many look-ups in a short time. Try again in an hour."))
        else:
            found = _look_up(request, find_form.cleaned_data["id_number"])
            if found is None:
                find_form.add_error(
                    None, _("No member on the roll has this ID number. A worker who is not a member can simply join.")
                )
            elif path_in_scope(user, Action.VIEW, found.unit_path):
                own = True  # already in the user's scope: the transfer starts from the member's page
            elif step == "find":
                initial = {
                    "id_number": find_form.cleaned_data["id_number"],
                    "to_unit": _default_receiving_unit(request),
                }
                form = TransferReceiveForm(initial=initial, user=user)
            else:
                form = TransferReceiveForm(request.POST, user=user)
                if form.is_valid():
                    data = form.cleaned_data
                    try:
                        transfer = services.transfer_start(
                            actor=user,
                            member=found,
                            to_unit=data["to_unit"],
                            started_by_side=TransferSide.RECEIVING,
                            reason=data["reason"],
                            new_enterprise=data["new_enterprise"],
                            new_employer_name=data["new_employer_name"],
                        )
                    except ValidationError as error:
                        apply_validation_error(form, error)
                    else:
                        messages.success(
                            request, _("The request was sent to %(unit)s for an answer.") % {"unit": transfer.from_unit}
                        )
                        return redirect(transfer)
    context = {
        "find_form": find_form,
        "form": form,
        "found": found,
        "own": own,
        "days": services.auto_accept_days(),
    }
    return render(request, "membership/transfers/transfer_receive.html", context)


@login_required
@require_POST
def transfer_accept(request, pk: int):
    transfer = _transfer(request, pk)
    try:
        transfer = services.transfer_accept(actor=request.user, transfer=transfer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The transfer was accepted; the member now belongs to %(unit)s.") % {"unit": transfer.to_unit}
        )
    return redirect(transfer)


@login_required
@require_POST
def transfer_reject(request, pk: int):
    transfer = _transfer(request, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.transfer_reject(actor=request.user, transfer=transfer, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The transfer was rejected; the member stays where it was."))
            return redirect(transfer)
    return _detail(request, transfer, reject_form=form)


@login_required
def transfer_cancel(request, pk: int):
    transfer = _transfer(request, pk)
    error = None
    if request.method == "POST":
        try:
            services.transfer_cancel(actor=request.user, transfer=transfer)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("The transfer was withdrawn."))
            return redirect(transfer)
    return render(
        request,
        "core/confirm.html",
        {
            "title": _("Withdraw this transfer?"),
            "text": _("%(name)s stays a member of %(unit)s; the other union sees the transfer as withdrawn.")
            % {"name": transfer.member.name, "unit": transfer.from_unit},
            "error": error,
            "submit": _("Withdraw"),
            "cancel_url": transfer.get_absolute_url(),
        },
    )


@login_required
def todo(request):
    """What waits for the user: applications to decide, transfers to answer (with due dates,
    overdue highlighted), and transfers the user's side started."""
    on = today()
    services.transfer_auto_accept_due(today=on)
    applications, applications_total = applications_to_handle(request.user, on)
    context = {
        "applications": applications,
        "applications_total": applications_total,
        "to_answer": transfers_to_answer(request.user, on),
        "waiting": transfers_waiting_for_others(request.user, on),
        "today": on,
        "sections": todo_sections(request.user, on),  # other lines' items (rights cases …)
    }
    return render(request, "membership/transfers/todo.html", context)


urlpatterns = [
    path("todo/", todo, name="todo"),
    path("transfers/", transfer_list, name="transfer_list"),
    path("transfers/receive/", transfer_receive, name="transfer_receive"),
    path("transfers/<int:pk>/", transfer_detail, name="transfer_detail"),
    path("transfers/<int:pk>/accept/", transfer_accept, name="transfer_accept"),
    path("transfers/<int:pk>/reject/", transfer_reject, name="transfer_reject"),
    path("transfers/<int:pk>/cancel/", transfer_cancel, name="transfer_cancel"),
    path("members/<int:pk>/transfer/", transfer_create, name="transfer_create"),
]
