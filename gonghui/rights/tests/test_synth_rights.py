"""`gonghui synth_rights`: valid, realistic and reproducible rights data over a synth database."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gonghui.core.choices import Role
from gonghui.core.models import RoleAssignment
from gonghui.lib.crypto import blind_index
from gonghui.rights.choices import OPEN_STATUSES, CaseStatus
from gonghui.rights.models import (
    Assistance,
    AssistanceBudget,
    CaseEvent,
    HardshipFile,
    LegalAidReferral,
    RightsCase,
    ServiceRating,
)
from gonghui.rights.selectors.reports import rights_report
from gonghui.rights.services.cases import REFERENCE_ALPHABET, normalize_reference

pytestmark = pytest.mark.django_db
AS_OF = "2026-06-30"


def synth_rights(**options) -> str:
    out = StringIO()
    values = {"cases": 1500, "cadres": 60, "seed": 3, "as_of": AS_OF, **options}
    call_command("synth_rights", *[f"--{k.replace('_', '-')}={v}" for k, v in values.items()], stdout=out)
    return out.getvalue()


@pytest.fixture
def synth_db():
    call_command("synth", "--units=300", "--members=2000", "--seed=7", f"--as-of={AS_OF}", stdout=StringIO())


def snapshot() -> list:
    return sorted(
        (c.reference, c.complainant_name, c.complainant_phone, c.category, c.status, c.registered_on, c.unit_path)
        for c in RightsCase.objects.all()
    )


def test_it_fills_cases_and_the_rest_of_the_line(synth_db):
    synth_rights()

    assert RightsCase.objects.count() == 1500
    assert RoleAssignment.objects.filter(role=Role.CADRE).count() == 60
    statuses = set(RightsCase.objects.values_list("status", flat=True))
    assert {CaseStatus.CLOSED, CaseStatus.DECLINED} <= statuses and statuses & OPEN_STATUSES
    assert RightsCase.objects.filter(is_collective=True, workers_involved__gte=10).exists()
    assert not RightsCase.objects.filter(is_collective=True, workers_involved__lt=10).exists()
    assert not RightsCase.objects.filter(status=CaseStatus.CLOSED, outcome="").exists()
    assert not RightsCase.objects.filter(status=CaseStatus.CLOSED, closed_by__isnull=True).exists()
    assert CaseEvent.objects.count() >= 1500
    assert ServiceRating.objects.exists() and LegalAidReferral.objects.exists()
    assert HardshipFile.objects.count() == 75 and Assistance.objects.exists() and AssistanceBudget.objects.exists()


def test_the_rows_are_valid_and_decrypt(synth_db):
    synth_rights(cases=200)
    case = RightsCase.objects.filter(status=CaseStatus.CLOSED).first()
    assert case.reference.startswith("WQ") and len(case.reference) == 12
    assert set(case.reference[2:]) <= set(REFERENCE_ALPHABET)
    assert normalize_reference(case.reference) == case.reference
    assert case.phone_index == blind_index("phone", case.complainant_phone)
    assert len(case.complainant_name) >= 2 and "。" in case.narrative
    assert case.closing_summary and case.legal_basis.startswith("《")
    assert case.unit_path == case.org_unit.path
    file = HardshipFile.objects.first()
    assert file.id_index == blind_index("id_number", file.id_number)
    overdue = RightsCase.objects.filter(due_on__lt="2026-06-30")
    assert all(c.status in OPEN_STATUSES for c in overdue)


def test_the_same_seed_gives_the_same_cases(synth_db):
    synth_rights(cases=300)
    first = snapshot()
    RightsCase.objects.all().delete()
    Assistance.objects.all().delete()
    AssistanceBudget.objects.all().delete()
    HardshipFile.objects.all().delete()
    synth_rights(cases=300)
    assert snapshot() == first


def test_it_refuses_to_run_twice(synth_db):
    synth_rights(cases=10)
    with pytest.raises(CommandError):
        synth_rights(cases=10)


def test_the_report_reads_the_synth_data(synth_db):
    from datetime import date

    from gonghui.core.models import OrgUnit

    synth_rights(cases=500)
    root = OrgUnit.objects.get(depth=1)
    report = rights_report(root, date(2024, 1, 1), date(2026, 6, 30), date(2026, 6, 30))
    assert report.total.cases == RightsCase.objects.filter(registered_on__gte="2024-01-01").count()
    assert report.total.recovered > 0 and report.employers
