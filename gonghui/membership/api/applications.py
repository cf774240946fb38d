"""/api/v1/applications: the scan-to-join queues of the caller's unions."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Query, Router, Schema

from gonghui.api.pagination import keyset_page
from gonghui.core.choices import Action
from gonghui.core.scoping import get_scoped_or_404
from gonghui.membership.api.common import (
    CURSOR,
    PAGE,
    REVEAL,
    EnterpriseRef,
    ReasonIn,
    UnitRef,
    attrs,
    enterprise_ref,
    grassroots,
    label,
    reveal_or_404,
    under,
    unit_ref,
)
from gonghui.membership.choices import ApplicationStatus
from gonghui.membership.models import JoinApplication
from gonghui.membership.services import joins

applications = Router(tags=["applications"])


class ApplicationOut(Schema):
    id: int
    reference: str
    org_unit: UnitRef
    name: str
    id_number: str = Field(description=REVEAL)
    phone: str = Field(description=REVEAL)
    employer_name: str
    enterprise: EnterpriseRef | None
    is_migrant: bool
    is_new_form: bool
    already_member: bool = Field(description="The person is already an active member somewhere.")
    status: ApplicationStatus
    status_label: str
    reject_reason: str
    submitted_at: datetime
    decided_at: datetime | None
    member_id: int | None
    forwarded_to: str | None = Field(description="Reference of the application it was forwarded as.")


class ApplicationPage(Schema):
    items: list[ApplicationOut]
    next_cursor: str | None


class ApplicationFilters(Schema):
    under: str | None = None
    status: ApplicationStatus | None = Field(None, description="Default: every status.")
    cursor: str | None = CURSOR
    limit: int = PAGE


class ApproveIn(Schema):
    join_date: date | None = Field(None, description="Default: today.")


class ForwardIn(Schema):
    to_unit: str = Field(description="Code of the grassroots union the worker belongs to.")


def _application_out(application: JoinApplication, reveal: bool = False) -> dict:
    forwarded = application.forwarded_to
    return {
        **attrs(application, "id reference name employer_name is_migrant is_new_form"),
        **attrs(application, "already_member status reject_reason submitted_at decided_at member_id"),
        "org_unit": unit_ref(application.org_unit),
        "id_number": (application.id_number or "") if reveal else application.id_number_masked,
        "phone": (application.phone or "") if reveal else application.phone_masked,
        "enterprise": enterprise_ref(application.enterprise),
        "status_label": label(ApplicationStatus, application.status),
        "forwarded_to": forwarded.reference if forwarded else None,
    }


def _applications(request):
    return JoinApplication.objects.restrict(request.user, Action.VIEW).select_related(
        "org_unit", "enterprise", "forwarded_to"
    )


def _application(request, pk: int) -> JoinApplication:
    return get_scoped_or_404(_applications(request), request.user, request=request, pk=pk)


@applications.get("", response=ApplicationPage, summary="Scan-to-join applications in your scope")
def list_applications(request, filters: Query[ApplicationFilters]):
    rows = under(request, _applications(request), filters.under)
    if filters.status:
        rows = rows.filter(status=filters.status)
    page, next_cursor = keyset_page(rows, key="id", cursor=filters.cursor, limit=filters.limit)
    return {"items": [_application_out(a) for a in page], "next_cursor": next_cursor}


@applications.get("/{int:pk}", response=ApplicationOut, summary="One application")
def get_application(request, pk: int, reveal: bool = False):
    application = _application(request, pk)
    if reveal:
        reveal_or_404(request, application.unit_path, application, ["id_number", "phone"])
    return _application_out(application, reveal)


@applications.post("/{int:pk}/approve", response=ApplicationOut, summary="Admit the applicant as a member")
def approve_application(request, pk: int, payload: ApproveIn):
    application = joins.application_approve(actor=request.user, application=_application(request, pk), **payload.dict())
    return _application_out(_applications(request).get(pk=application.pk))


@applications.post("/{int:pk}/reject", response=ApplicationOut, summary="Turn an application down")
def reject_application(request, pk: int, payload: ReasonIn):
    application = joins.application_reject(actor=request.user, application=_application(request, pk), **payload.dict())
    return _application_out(_applications(request).get(pk=application.pk))


@applications.post("/{int:pk}/forward", response=ApplicationOut, summary="Hand an application to another union")
def forward_application(request, pk: int, payload: ForwardIn):
    """Answers the new application, pending in the other union (the worker's reference follows it)."""
    application = _application(request, pk)
    to_unit = grassroots("to_unit", payload.to_unit)
    copy = joins.application_forward(actor=request.user, application=application, to_unit=to_unit)
    return _application_out(JoinApplication.objects.select_related("org_unit", "enterprise").get(pk=copy.pk))
