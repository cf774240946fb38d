"""/api/v1/ratings: the workers' ratings (1–5 stars) of closed cases, tied to the cadre who
handled each case — the evidence of the `protect` capability."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from gonghui.api.pagination import keyset_page_by
from gonghui.core.choices import Action
from gonghui.rights.api.common import CURSOR, PAGE, CadreRef, UnitRef, attrs, cadre_ref, under, unit_ref
from gonghui.rights.models import ServiceRating

ratings = Router(tags=["ratings"])


class RatedCase(Schema):
    id: int
    reference: str


class RatingOut(Schema):
    id: int
    case: RatedCase
    org_unit: UnitRef
    cadre: CadreRef | None = Field(description="The cadre who closed the case.")
    stars: int
    comment: str
    rated_at: datetime


class RatingPage(Schema):
    items: list[RatingOut]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last page.")


EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)


class RatingFilters(Schema):
    unit: str | None = Field(None, description="Only ratings of cases of this unit (by code) and the units under it.")
    cadre: int | None = Field(None, description="Id of the cadre the ratings count for.")
    # Bounded: a day at the ends of the calendar (0001-01-01, 9999-12-31) overflows when it is
    # turned into the instant the day starts in Shanghai, which answered 500.
    rated_from: date | None = Field(None, ge=EARLIEST, le=LATEST, description="First day of the period.")
    rated_to: date | None = Field(None, ge=EARLIEST, le=LATEST, description="Last day of the period.")
    stars: int | None = Field(None, ge=1, le=5)
    cursor: str | None = CURSOR
    limit: int = PAGE


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@ratings.get("", response=RatingPage, summary="Workers' ratings of closed cases in your scope")
def list_ratings(request, filters: Query[RatingFilters]):
    rows = ServiceRating.objects.restrict(request.user, Action.VIEW).select_related("case", "org_unit", "cadre")
    rows = under(request, rows, filters.unit)
    if filters.cadre is not None:
        rows = rows.filter(cadre_id=filters.cadre)
    if filters.stars is not None:
        rows = rows.filter(stars=filters.stars)
    if filters.rated_from:
        rows = rows.filter(rated_at__gte=_day_start(filters.rated_from))
    if filters.rated_to:
        rows = rows.filter(rated_at__lt=_day_start(filters.rated_to + timedelta(days=1)))
    page, next_cursor = keyset_page_by(rows, keys=("unit_path", "id"), cursor=filters.cursor, limit=filters.limit)
    items = [
        {
            **attrs(rating, "id stars comment rated_at"),
            "case": {"id": rating.case_id, "reference": rating.case.reference},
            "org_unit": unit_ref(rating.org_unit),
            "cadre": cadre_ref(rating.cadre),
        }
        for rating in page
    ]
    return {"items": items, "next_cursor": next_cursor}
