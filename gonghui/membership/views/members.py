"""Views of the membership line: the member registry (会员). Parse, call a service or selector,
render; every read starts from restrict(). Personal data is shown masked; a user who may reveal
it asks for it by POST, and each reveal is audited. ID numbers and phones are looked up by POST,
so they never appear in a URL or an access log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.audit import audit_record
from gonghui.core.choices import GRASSROOTS_KINDS, Action, AuditAction
from gonghui.core.listing import render_list
from gonghui.core.scoping import get_scoped_or_404, may, path_in_scope
from gonghui.lib.forms import apply_validation_error
from gonghui.membership.choices import MemberStatus
from gonghui.membership.forms.members import MemberForm, MemberLookupForm, MemberStatusForm
from gonghui.membership.models import Member, Transfer
from gonghui.membership.selectors.members import age_on, enterprise_by_code, members_list_queryset, members_lookup
from gonghui.membership.services.members import member_create, member_set_status, member_update
from gonghui.membership.tables.members import members
from gonghui.membership.views.enterprises import require_may

LOOKUP_LIMIT = 50


def _member(request, pk: int, action: str = Action.VIEW) -> Member:
    return get_scoped_or_404(
        Member.objects.select_related("org_unit", "enterprise", "recruited_by"),
        request.user,
        action,
        request=request,
        pk=pk,
    )


def _url_or_none(name: str, *args) -> str | None:
    """A link into an area that may not be installed yet (transfers are built separately)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


@login_required
def member_list(request):
    return render_list(
        request,
        members,
        template="membership/members/list.html",
        lookup_form=MemberLookupForm(),
        can_add=may(request.user, Action.ADD),
    )


@login_required
def member_lookup(request):
    """Find members by ID number, mobile number or card number (any status), within scope.

    The value comes in a POST body and the answer is this page, so it is never in a URL."""
    form = MemberLookupForm(request.POST or None)
    results = None
    if request.method == "POST" and form.is_valid():
        kind, value = form.cleaned_data["value"]
        found = members_lookup(members_list_queryset(request.user), kind, value)
        results = list(found.order_by("unit_path", "pk")[:LOOKUP_LIMIT])
    return render(
        request,
        "membership/members/lookup.html",
        {"form": form, "results": results, "limit": LOOKUP_LIMIT},
    )


def _detail_context(request, member: Member) -> dict:
    user = request.user
    transfers = (
        Transfer.objects.restrict(user, Action.VIEW)
        .filter(member=member)
        .select_related("from_unit", "to_unit")
        .order_by("-started_at")
    )
    can_change = path_in_scope(user, Action.CHANGE, member.unit_path)
    return {
        "member": member,
        "age": age_on(member.birth_date),
        "events": member.events.select_related("from_unit", "to_unit", "actor"),
        "transfers": [(t, _url_or_none("membership:transfer_detail", t.pk)) for t in transfers],
        "transfer_url": _url_or_none("membership:transfer_create", member.pk)
        if can_change and member.status == MemberStatus.ACTIVE
        else None,
        "can_change": can_change,
        "can_reveal": path_in_scope(user, Action.REVEAL, member.unit_path),
    }


@login_required
def member_detail(request, pk: int):
    member = _member(request, pk)
    return render(request, "membership/members/detail.html", _detail_context(request, member))


@login_required
@require_POST
def member_reveal(request, pk: int):
    """The ID number, phone and birth date in clear, for a user who may reveal them; audited.
    htmx swaps the fragment into the page; without JavaScript the whole page comes back."""
    member = _member(request, pk, Action.REVEAL)
    audit_record(
        action=AuditAction.REVEAL,
        actor=request.user,
        obj=member,
        detail={"fields": ["id_number", "phone", "birth_date"]},
        request=request,
    )
    if request.htmx:
        return render(request, "membership/members/reveal.html", {"member": member})
    context = _detail_context(request, member) | {"revealed": True}
    return render(request, "membership/members/detail.html", context)


def _form_page(request, form, title: str, cancel_url: str):
    return render(request, "membership/members/form.html", {"form": form, "title": title, "cancel_url": cancel_url})


@login_required
def member_create_view(request):
    require_may(request, Action.ADD)
    unit = request.unit_context.unit
    initial = {"org_unit": unit.code if unit and unit.kind in GRASSROOTS_KINDS else ""}
    employer = enterprise_by_code(request.user, request.GET.get("employer", ""))
    if employer is not None:
        initial["enterprise"] = employer.credit_code
    form = MemberForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.service_fields()
        try:
            member = member_create(actor=request.user, **data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, _("%(name)s is now a member (card %(card)s).") % {"name": member, "card": member.card_no}
            )
            return redirect(member)
    return _form_page(request, form, _("New member"), reverse("membership:member_list"))


@login_required
def member_edit(request, pk: int):
    member = _member(request, pk, Action.CHANGE)
    initial = {
        name: getattr(member, name)
        for name in ("name", "ethnicity", "education", "employer_name", "join_date", "is_migrant", "is_new_form")
    }
    initial.update(
        org_unit=member.org_unit.code, enterprise=member.enterprise.credit_code if member.enterprise_id else ""
    )
    form = MemberForm(request.POST or None, user=request.user, initial=initial, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            member = member_update(actor=request.user, member=member, **form.service_fields())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Changes to %(name)s were saved.") % {"name": member})
            return redirect(member)
    return _form_page(request, form, _("Edit member %(name)s") % {"name": member}, member.get_absolute_url())


@login_required
def member_status(request, pk: int):
    """Record leaving, death, or rejoining, with the date and a note."""
    member = _member(request, pk, Action.CHANGE)
    form = MemberStatusForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            member = member_set_status(actor=request.user, member=member, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, _("%(name)s: %(status)s.") % {"name": member, "status": member.get_status_display()}
            )
            return redirect(member)
    return render(request, "membership/members/status_form.html", {"form": form, "member": member})


urlpatterns = [
    path("members/", member_list, name="member_list"),
    path("members/new/", member_create_view, name="member_create"),
    path("members/lookup/", member_lookup, name="member_lookup"),
    path("members/<int:pk>/", member_detail, name="member_detail"),
    path("members/<int:pk>/edit/", member_edit, name="member_edit"),
    path("members/<int:pk>/status/", member_status, name="member_status"),
    path("members/<int:pk>/reveal/", member_reveal, name="member_reveal"),
]
