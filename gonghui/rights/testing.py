"""Builders for tests of the rights line, through the services (APPEND-ONLY: each area adds its
own builders at the end and never edits another's)."""

from __future__ import annotations

import itertools
from datetime import date

_rights_serial = itertools.count(1)


# --- cases ---------------------------------------------------------------------------------------


def make_case(actor, unit, **fields):
    """A registered case at `unit` with realistic details; `fields` override any of them."""
    from gonghui.rights.choices import CaseCategory, Channel
    from gonghui.rights.services.cases import case_register

    values = {
        "channel": Channel.HOTLINE,
        "category": CaseCategory.WAGES,
        "complainant_name": "李春花",
        "complainant_phone": f"138{next(_rights_serial):08d}",
        "employer_name": "杭州顺达物流有限公司",
        "workers_involved": 1,
        "amount_claimed": "8600.00",
        "narrative": "2026年3月起公司拖欠两个月工资共8600元，多次催要未果。",
        **fields,
    }
    return case_register(actor=actor, org_unit=unit, **values)


def freeze_date(day: date):
    """`freezegun.freeze_time` at noon of `day`, Shanghai time (the services' `today`)."""
    from freezegun import freeze_time

    return freeze_time(f"{day.isoformat()} 04:00:00")


# --- hardship files and assistance --------------------------------------------------------------


def make_hardship_file(actor, unit, *, approve_by=None, household=(), **fields):
    """A hardship file submitted by `actor` in `unit`; approved by `approve_by` if given (a user
    of the union above)."""
    from datetime import date
    from decimal import Decimal

    from gonghui.membership.testing import new_id_number
    from gonghui.rights.choices import HardshipCause, HardshipTier
    from gonghui.rights.services.hardship import hardship_approve, hardship_submit

    values = {
        "name": "陈秀兰",
        "id_number": new_id_number(birth=date(1978, 4, 12)),
        "phone": "13957112345",
        "employer_name": "杭州西湖纺织有限公司",
        "tier": HardshipTier.DEEP,
        "causes": [HardshipCause.ILLNESS],
        "household_size": 3,
        "annual_household_income": Decimal("24000"),
        "local_threshold": Decimal("1200"),
        "details": "丈夫患尿毒症长期透析，女儿在读高中，家庭主要靠本人工资维持。",
        **fields,
    }
    file = hardship_submit(actor=actor, org_unit=unit, household=household, **values)
    if approve_by is not None:
        file = hardship_approve(actor=approve_by, file=file)
    return file


def make_assistance(actor, file, **fields):
    """An assistance payment to `file` recorded by `actor` (also the approver unless given)."""
    from decimal import Decimal

    from django.utils import timezone

    from gonghui.rights.choices import AssistanceKind, FundSource
    from gonghui.rights.services.assistance import assistance_record

    values = {
        "kind": AssistanceKind.LIVING,
        "amount": Decimal("2000"),
        "given_on": timezone.localdate(),
        "fund_source": FundSource.UNION_FUNDS,
        "approved_by": actor,
        **fields,
    }
    return assistance_record(actor=actor, file=file, **values)


# --- the worker's view, ratings and legal aid ---------------------------------------------------


def make_closed_case(actor, unit, *, outcome="mediated", amount_recovered="8600.00", via=None, **fields):
    """A case taken through the workflow by `actor` and closed with `outcome`: registered,
    accepted, then the statuses in `via` (default: investigating, mediating), then closed."""
    from gonghui.rights.choices import CaseStatus
    from gonghui.rights.services.cases import case_transition

    case = make_case(actor, unit, **fields)
    steps = [CaseStatus.ACCEPTED, *(via if via is not None else [CaseStatus.INVESTIGATING, CaseStatus.MEDIATING])]
    for status in steps:
        case = case_transition(actor=actor, case=case, to_status=status, version=case.version)
    return case_transition(
        actor=actor,
        case=case,
        to_status=CaseStatus.CLOSED,
        version=case.version,
        outcome=outcome,
        amount_recovered=amount_recovered,
        legal_basis="《劳动合同法》第三十条",
        closing_summary="经调解，公司同意一次性支付拖欠工资。",
    )


def make_provider(actor, unit, **fields):
    """A legal aid provider registered at `unit` by `actor`."""
    from gonghui.rights.choices import CaseCategory, ProviderKind
    from gonghui.rights.services.legalaid import provider_create

    values = {
        "name": "浙江之江律师事务所",
        "kind": ProviderKind.LAW_FIRM,
        "organisation": "",
        "contact_person": "周律师",
        "phone": "0571-87012345",
        "address": "杭州市西湖区文三路90号",
        "specialties": [CaseCategory.WAGES, CaseCategory.INJURY],
        **fields,
    }
    return provider_create(actor=actor, org_unit=unit, **values)
