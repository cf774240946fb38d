from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gonghui.core.choices import Role
from gonghui.core.models import AuditEntry
from gonghui.lib.testing import make_user
from gonghui.membership.testing import make_enterprise, make_member
from gonghui.rights.choices import CaseEventKind, CaseOutcome, CaseStatus
from gonghui.rights.models import CaseEvent, RightsCase
from gonghui.rights.services.cases import (
    ALLOWED,
    REFERENCE_ALPHABET,
    CaseConflict,
    case_add_note,
    case_assign,
    case_escalate,
    case_hand_down,
    case_link_enterprise,
    case_transition,
    case_update,
)
from gonghui.rights.testing import freeze_date, make_case

S = CaseStatus


def _snapshot(case):
    case = RightsCase.objects.get(pk=case.pk)
    return (
        case.status,
        case.version,
        case.org_unit_id,
        case.assignee_id,
        case.due_on,
        case.outcome,
        case.narrative,
        CaseEvent.objects.filter(case=case).count(),
    )


def _move(actor, case, to, **extra):
    return case_transition(actor=actor, case=case, to_status=to, version=case.version, **extra)


def test_it_registers_a_case_with_a_short_reference_and_a_timeline_line(people, tree):
    case = make_case(people.cadre, tree.west_a)
    case.refresh_from_db()
    assert case.status == S.REGISTERED
    assert case.reference.startswith("WQ") and len(case.reference) == 12
    assert set(case.reference[2:]) <= set(REFERENCE_ALPHABET)
    assert case.origin_unit_id == tree.west_a.pk and case.unit_path == tree.west_a.path
    assert case.complainant_name == "李春花"
    assert case.due_on == case.accept_due
    assert [e.kind for e in case.events.all()] == [CaseEventKind.REGISTERED]
    assert AuditEntry.objects.filter(object_type="rights.rightscase", object_id=str(case.pk)).exists()


def test_references_differ_between_cases(people, tree):
    references = {make_case(people.cadre, tree.west_a).reference for _i in range(20)}
    assert len(references) == 20


def test_the_full_workflow_records_outcome_amount_and_legal_basis(people, tree):
    case = make_case(people.cadre, tree.west_a, amount_claimed="12800.00")
    case = _move(people.cadre, case, S.ACCEPTED)
    assert case.due_on == case.close_due == case.accepted_on + timedelta(days=30)
    case = _move(people.cadre, case, S.INVESTIGATING, note="已向企业人事部门调取考勤记录")
    case = _move(people.cadre, case, S.MEDIATING)
    case = _move(
        people.cadre,
        case,
        S.CLOSED,
        outcome=CaseOutcome.MEDIATED,
        amount_recovered="12800.00",
        legal_basis="《劳动合同法》第三十条、第八十五条",
        closing_summary="经调解企业同意一次性支付拖欠工资。",
    )
    case.refresh_from_db()
    assert case.status == S.CLOSED
    assert case.outcome == CaseOutcome.MEDIATED
    assert case.amount_recovered == Decimal("12800.00")
    assert "第三十条" in case.legal_basis
    assert case.closing_summary.startswith("经调解")
    assert case.closed_by == people.cadre and case.closed_on is not None
    assert case.due_on is None
    steps = [(e.from_status, e.to_status) for e in case.events.filter(kind=CaseEventKind.STATUS)]
    assert steps == [
        (S.REGISTERED, S.ACCEPTED),
        (S.ACCEPTED, S.INVESTIGATING),
        (S.INVESTIGATING, S.MEDIATING),
        (S.MEDIATING, S.CLOSED),
    ]
    assert "已向企业人事部门调取考勤记录" in [e.note for e in case.events.all()]


def test_it_declines_with_a_reason_the_worker_sees(people, tree):
    case = make_case(people.cadre, tree.west_a)
    case = _move(people.cadre, case, S.DECLINED, reason="不属于工会维权受理范围，请向人民法院起诉")
    case.refresh_from_db()
    assert case.status == S.DECLINED
    assert case.decline_reason.startswith("不属于")
    assert case.due_on is None
    assert case.events.get(kind=CaseEventKind.STATUS).note == case.decline_reason


def test_it_refuses_to_decline_without_a_reason(people, tree):
    case = make_case(people.cadre, tree.west_a)
    before = _snapshot(case)
    with pytest.raises(ValidationError) as error:
        _move(people.cadre, case, S.DECLINED, reason="   ")
    assert "reason" in error.value.message_dict
    assert _snapshot(case) == before


def _case_at(people, tree, status):
    case = make_case(people.cadre, tree.west_a)
    path = {
        S.REGISTERED: [],
        S.ACCEPTED: [S.ACCEPTED],
        S.DECLINED: [S.DECLINED],
        S.INVESTIGATING: [S.ACCEPTED, S.INVESTIGATING],
        S.MEDIATING: [S.ACCEPTED, S.INVESTIGATING, S.MEDIATING],
        S.CLOSED: [S.ACCEPTED, S.CLOSED],
    }[status]
    for step in path:
        case = _move(people.cadre, case, step, reason="材料不全", outcome=CaseOutcome.WITHDRAWN)
    return case


def test_it_refuses_every_transition_outside_the_table_and_changes_nothing(people, tree):
    refused = 0
    for from_status in S.values:
        case = _case_at(people, tree, from_status)
        for to_status in S.values:
            if to_status in ALLOWED[from_status]:
                continue
            before = _snapshot(case)
            with pytest.raises(ValidationError) as error:
                _move(people.cadre, case, to_status, reason="理由", outcome=CaseOutcome.OTHER)
            assert "to_status" in error.value.message_dict
            assert _snapshot(case) == before
            refused += 1
    assert refused == 36 - sum(len(targets) for targets in ALLOWED.values())


def test_it_refuses_to_close_without_an_outcome(people, tree):
    case = _case_at(people, tree, S.MEDIATING)
    before = _snapshot(case)
    with pytest.raises(ValidationError) as error:
        _move(people.cadre, case, S.CLOSED, amount_recovered="100")
    assert "outcome" in error.value.message_dict
    assert _snapshot(case) == before


def test_it_refuses_negative_amounts(people, tree):
    with pytest.raises(ValidationError) as error:
        make_case(people.cadre, tree.west_a, amount_claimed="-1")
    assert "amount_claimed" in error.value.message_dict
    assert not RightsCase.objects.exists()
    case = _case_at(people, tree, S.INVESTIGATING)
    before = _snapshot(case)
    with pytest.raises(ValidationError) as error:
        _move(people.cadre, case, S.CLOSED, outcome=CaseOutcome.MEDIATED, amount_recovered="-500")
    assert "amount_recovered" in error.value.message_dict
    assert _snapshot(case) == before


def test_it_refuses_a_registration_date_in_the_future(people, tree):
    with pytest.raises(ValidationError) as error:
        make_case(people.cadre, tree.west_a, registered_on=date.today() + timedelta(days=2))
    assert "registered_on" in error.value.message_dict
    assert not RightsCase.objects.exists()


def test_it_refuses_a_bad_phone_and_a_bad_id_number(people, tree):
    with pytest.raises(ValidationError) as error:
        make_case(people.cadre, tree.west_a, complainant_phone="12345", complainant_id_number="330106199001011234")
    assert {"complainant_phone", "complainant_id_number"} <= set(error.value.message_dict)


def test_ten_workers_or_more_make_a_collective_case(people, tree):
    assert not make_case(people.cadre, tree.west_a, workers_involved=9).is_collective
    case = make_case(people.cadre, tree.west_a, workers_involved=10)
    assert RightsCase.objects.get(pk=case.pk).is_collective
    case = case_update(actor=people.cadre, case=case, version=case.version, workers_involved=3)
    assert not RightsCase.objects.get(pk=case.pk).is_collective


def test_the_accepting_deadline_skips_the_national_day_holiday(people, tree):
    # Registered on Wed 30 September 2026: 1–7 October are the holiday, so the two working days
    # to accept are Thu 8 and Fri 9 October.
    with freeze_date(date(2026, 9, 30)):
        case = make_case(people.cadre, tree.west_a)
    assert case.registered_on == date(2026, 9, 30)
    assert case.accept_due == date(2026, 10, 9)
    assert case.due_on == date(2026, 10, 9)
    with freeze_date(date(2026, 10, 12)):
        open_overdue = RightsCase.objects.get(pk=case.pk)
        assert open_overdue.is_overdue(date(2026, 10, 12))
        case = _move(people.cadre, open_overdue, S.ACCEPTED)
    assert case.accepted_on == date(2026, 10, 12)
    assert case.due_on == date(2026, 11, 11)


def test_a_friday_registration_is_due_on_tuesday(people, tree):
    case = make_case(people.cadre, tree.west_a, registered_on=date(2026, 11, 20))
    assert case.accept_due == date(2026, 11, 24)


def test_correcting_the_registration_date_moves_the_deadline(people, tree):
    case = make_case(people.cadre, tree.west_a, registered_on=date(2026, 11, 20))
    case = case_update(actor=people.cadre, case=case, version=case.version, registered_on=date(2026, 9, 30))
    assert RightsCase.objects.get(pk=case.pk).accept_due == date(2026, 10, 9)


def test_the_second_of_two_saves_from_the_same_version_is_refused_and_nothing_is_lost(people, tree):
    case = make_case(people.cadre, tree.west_a)
    first_view = RightsCase.objects.get(pk=case.pk)
    second_view = RightsCase.objects.get(pk=case.pk)
    case_update(actor=people.cadre, case=first_view, version=first_view.version, narrative="补充：另有加班费未付。")
    before = _snapshot(case)
    with pytest.raises(CaseConflict):
        case_update(actor=people.district_admin, case=second_view, version=second_view.version, narrative="覆盖的内容")
    with pytest.raises(CaseConflict):
        _move(people.district_admin, second_view, S.ACCEPTED)
    assert _snapshot(case) == before
    assert RightsCase.objects.get(pk=case.pk).narrative == "补充：另有加班费未付。"


def test_edits_are_on_the_timeline_without_their_values(people, tree):
    case = make_case(people.cadre, tree.west_a)
    case_update(actor=people.cadre, case=case, version=case.version, complainant_phone="13900001111")
    event = case.events.get(kind=CaseEventKind.EDITED)
    assert event.note == "complainant_phone"
    entry = AuditEntry.objects.filter(object_id=str(case.pk)).order_by("-seq").first()
    assert "13900001111" not in str(entry.detail) and "13900001111" not in entry.object_repr


def test_it_refuses_outcome_changes_before_closure(people, tree):
    case = make_case(people.cadre, tree.west_a)
    with pytest.raises(ValidationError):
        case_update(actor=people.cadre, case=case, version=case.version, outcome=CaseOutcome.MEDIATED)
    assert RightsCase.objects.get(pk=case.pk).outcome == ""


def test_it_escalates_to_the_parent_and_hands_down_to_a_child(people, tree):
    case = make_case(people.cadre, tree.west_a)
    case_assign(actor=people.cadre, case=case, assignee=people.cadre)
    case = case_escalate(actor=people.cadre, case=case, note="涉及多家企业，请区总工会协调")
    case.refresh_from_db()
    assert case.org_unit_id == tree.west.pk and case.unit_path == tree.west.path
    assert case.origin_unit_id == tree.west_a.pk
    assert case.assignee is None  # the grassroots cadre does not cover the district
    # the grassroots cadre no longer sees it; the district does
    assert not RightsCase.objects.restrict(people.cadre).filter(pk=case.pk).exists()
    assert RightsCase.objects.restrict(people.district_admin).filter(pk=case.pk).exists()
    case = case_hand_down(actor=people.district_admin, case=case, to_unit=tree.west_b, note="请属地工会办理")
    case.refresh_from_db()
    assert case.org_unit_id == tree.west_b.pk and case.unit_path == tree.west_b.path
    assert case.origin_unit_id == tree.west_a.pk
    kinds = [e.kind for e in case.events.all()]
    assert kinds == [
        CaseEventKind.REGISTERED,
        CaseEventKind.ASSIGNED,
        CaseEventKind.ESCALATED,
        CaseEventKind.HANDED_DOWN,
    ]
    handed = case.events.get(kind=CaseEventKind.HANDED_DOWN)
    assert (handed.from_unit_id, handed.to_unit_id) == (tree.west.pk, tree.west_b.pk)


def test_it_refuses_to_hand_down_sideways_or_up(people, tree):
    case = make_case(people.district_admin, tree.west)
    for target in (tree.east_a, tree.city, tree.west):
        before = _snapshot(case)
        with pytest.raises((ValidationError, PermissionDenied)):
            case_hand_down(actor=people.district_admin, case=case, to_unit=target)
        assert _snapshot(case) == before


def test_it_refuses_to_escalate_from_the_top_or_a_closed_case(people, tree):
    top = make_case(people.federation_admin, tree.city)
    with pytest.raises(ValidationError):
        case_escalate(actor=people.federation_admin, case=top)
    closed = _case_at(people, tree, S.CLOSED)
    with pytest.raises(ValidationError):
        case_escalate(actor=people.cadre, case=closed)
    assert RightsCase.objects.get(pk=closed.pk).org_unit_id == tree.west_a.pk


def test_it_refuses_actors_outside_the_scope(people, tree):
    with pytest.raises(PermissionDenied):
        make_case(people.sibling_cadre, tree.west_a)
    with pytest.raises(PermissionDenied):
        make_case(people.viewer, tree.west_a)
    case = make_case(people.cadre, tree.west_a)
    before = _snapshot(case)
    for actor in (people.sibling_cadre, people.viewer, people.outsider, people.auditor):
        with pytest.raises(PermissionDenied):
            _move(actor, case, S.ACCEPTED)
        with pytest.raises(PermissionDenied):
            case_update(actor=actor, case=case, version=case.version, narrative="改")
        with pytest.raises(PermissionDenied):
            case_escalate(actor=actor, case=case)
        with pytest.raises(PermissionDenied):
            case_add_note(actor=actor, case=case, note="备注")
        with pytest.raises(PermissionDenied):
            case_assign(actor=actor, case=case, assignee=people.cadre)
    assert _snapshot(case) == before


def test_it_assigns_only_cadres_covering_the_unit(people, tree):
    case = make_case(people.cadre, tree.west_a)
    with pytest.raises(ValidationError):
        case_assign(actor=people.district_admin, case=case, assignee=people.sibling_cadre)
    with pytest.raises(ValidationError):
        case_assign(actor=people.district_admin, case=case, assignee=people.viewer)
    case = case_assign(actor=people.district_admin, case=case, assignee=people.cadre)
    assert RightsCase.objects.get(pk=case.pk).assignee == people.cadre
    second = make_user("cadre_a2", unit=tree.west_a, role=Role.CADRE, name="孙丽")
    case = case_assign(actor=people.cadre, case=case, assignee=second)
    events = case.events.filter(kind=CaseEventKind.ASSIGNED)
    assert [e.assignee_id for e in events] == [people.cadre.pk, second.pk]


def test_notes_are_kept_encrypted_on_the_timeline(people, tree):
    case = make_case(people.cadre, tree.west_a)
    event = case_add_note(actor=people.cadre, case=case, note="职工李春花电话回访，情绪稳定。")
    assert CaseEvent.objects.get(pk=event.pk).note.startswith("职工李春花")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM rights_caseevent WHERE id = %s", [event.pk])
        raw = cursor.fetchone()[0]
    assert "李春花" not in str(raw)
    with pytest.raises(ValidationError):
        case_add_note(actor=people.cadre, case=case, note="  ")


def test_a_member_and_an_enterprise_on_file_can_be_the_parties(people, tree):
    enterprise = make_enterprise(people.district_admin, tree.west_a, union_unit=tree.west_a)
    member = make_member(people.cadre, tree.west_a, name="陈国强")
    case = make_case(people.cadre, tree.west_a, member=member, enterprise=enterprise, employer_name="")
    assert case.employer_display == enterprise.name
    other = make_case(people.cadre, tree.west_a, employer_name="杭州某某餐饮店")
    other = case_link_enterprise(actor=people.cadre, case=other, enterprise=enterprise)
    assert RightsCase.objects.get(pk=other.pk).enterprise_id == enterprise.pk
    assert other.events.filter(kind=CaseEventKind.ENTERPRISE_LINKED).exists()


def test_it_refuses_an_employer_outside_the_scope(people, tree):
    enterprise = make_enterprise(people.federation_admin, tree.east_a, union_unit=tree.east_a)
    with pytest.raises(ValidationError) as error:
        make_case(people.cadre, tree.west_a, enterprise=enterprise)
    assert "enterprise" in error.value.message_dict


def test_it_refuses_a_case_without_any_employer(people, tree):
    with pytest.raises(ValidationError) as error:
        make_case(people.cadre, tree.west_a, employer_name="")
    assert "employer_name" in error.value.message_dict
