"""Adversarial tests of the case pages and services: other units' ids, forged POSTs, two tabs,
messy input, deadlines at their edges, personal data where it must not be, markup in every field."""

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gonghui.core.choices import AuditAction
from gonghui.core.models import AuditEntry
from gonghui.rights.choices import CaseEventKind, CaseOutcome, CaseStatus
from gonghui.rights.models import Attachment, CalendarDay, CaseEvent, RightsCase
from gonghui.rights.selectors.cases import cases_todo
from gonghui.rights.services.attachments import attachment_store
from gonghui.rights.services.cases import (
    case_add_note,
    case_assign,
    case_escalate,
    case_register,
    case_transition,
    case_update,
    normalize_reference,
)
from gonghui.rights.testing import freeze_date, make_case

PDF = b"%PDF-1.4\n%%EOF\n"
PHONE = "13812345678"
XSS = '<script>alert("x")</script>'


def _url(name, *args):
    return reverse(f"rights:{name}", args=args)


def _snapshot(case_pk):
    case = RightsCase.objects.get(pk=case_pk)
    return (case.status, case.version, case.org_unit_id, case.assignee_id, case.events.count())


def _messages(response):
    return [str(m) for m in response.wsgi_request._messages]


# --- scoping ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["sibling_cadre", "outsider"])
def test_it_answers_404_to_every_case_view_of_another_subtree_and_changes_nothing(people, tree, login, who):
    case = make_case(people.cadre, tree.west_a)
    attachment = attachment_store(actor=people.cadre, upload=SimpleUploadedFile("a.pdf", PDF), case=case)
    before = _snapshot(case.pk)
    client = login(getattr(people, who))
    gets = [
        ("case_detail", ()),
        ("case_edit", ()),
        ("case_step", ("accepted",)),
        ("case_step", ("closed",)),
        ("case_escalate", ()),
        ("case_hand_down", ()),
        ("case_download", (attachment.pk,)),
    ]
    for name, extra in gets:
        assert client.get(_url(name, case.pk, *extra)).status_code == 404, name
    posts = [
        ("case_edit", (), {"version": case.version, "narrative": "改"}),
        ("case_step", ("accepted",), {"version": case.version}),
        ("case_step", ("declined",), {"version": case.version, "reason": "不属于受理范围"}),
        ("case_assign", (), {"assignee": people.cadre.pk}),
        ("case_escalate", (), {"note": "上报"}),
        ("case_hand_down", (), {"to_unit": tree.west_b.code}),
        ("case_note", (), {"note": "偷偷加的备注"}),
        ("case_upload", (), {"upload": SimpleUploadedFile("b.pdf", PDF)}),
        ("case_reveal", (), {}),
    ]
    for name, extra, data in posts:
        assert client.post(_url(name, case.pk, *extra), data).status_code == 404, name
    assert _snapshot(case.pk) == before
    assert Attachment.objects.count() == 1
    assert not AuditEntry.objects.filter(action=AuditAction.REVEAL).exists()


def test_it_refuses_every_write_of_a_read_only_user(people, tree, login):
    case = make_case(people.cadre, tree.west_a)
    before = _snapshot(case.pk)
    client = login(people.viewer)
    for name, extra, data in (
        ("case_assign", (), {"assignee": people.cadre.pk}),
        ("case_hand_down", (), {"to_unit": tree.west_b.code}),
        ("case_upload", (), {"upload": SimpleUploadedFile("b.pdf", PDF)}),
        ("case_step", ("declined",), {"version": case.version, "reason": "不属于受理范围"}),
        ("case_step", ("closed",), {"version": case.version, "outcome": "mediated"}),
    ):
        assert client.post(_url(name, case.pk, *extra), data).status_code == 404, name
    assert _snapshot(case.pk) == before and not Attachment.objects.exists()


def test_it_refuses_a_forged_assignee_from_another_subtree(people, tree, login):
    case = make_case(people.cadre, tree.west_a)
    client = login(people.district_admin)
    for forged in (people.sibling_cadre, people.outsider, people.worker, people.viewer):
        response = client.post(_url("case_assign", case.pk), {"assignee": forged.pk})
        assert response.status_code == 302
        assert _messages(response)
    assert RightsCase.objects.get(pk=case.pk).assignee_id is None
    assert not case.events.filter(kind=CaseEventKind.ASSIGNED).exists()


def test_it_refuses_a_forged_hand_down_to_another_subtree_a_sibling_or_itself(people, tree, login):
    case = make_case(people.district_admin, tree.west)
    client = login(people.district_admin)
    for code in (tree.east_a.code, tree.other.code, tree.west.code, tree.city.code):
        response = client.post(_url("case_hand_down", case.pk), {"to_unit": code, "note": "请办理"})
        assert response.status_code == 200, code
        assert "invalid-feedback" in response.content.decode() or "alert-danger" in response.content.decode()
    leaf = make_case(people.cadre, tree.west_a)
    response = login(people.district_admin).post(_url("case_hand_down", leaf.pk), {"to_unit": tree.west_b.code})
    assert response.status_code == 200
    assert RightsCase.objects.get(pk=case.pk).org_unit_id == tree.west.pk
    assert RightsCase.objects.get(pk=leaf.pk).org_unit_id == tree.west_a.pk


def test_it_clears_the_assignee_and_their_todo_when_the_case_is_escalated(people, tree, login):
    case = make_case(people.cadre, tree.west_a)
    case = case_assign(actor=people.cadre, case=case, assignee=people.cadre)
    today = date.today()
    assert case.pk in [c.pk for c in cases_todo(people.cadre, today).context["cases_mine"]]
    response = login(people.cadre).post(_url("case_escalate", case.pk), {"note": "涉及多家企业，需区总协调"})
    assert response.status_code == 302 and response["Location"] == _url("case_list")
    case.refresh_from_db()
    assert case.org_unit_id == tree.west.pk and case.assignee_id is None
    assert login(people.cadre).get(_url("case_detail", case.pk)).status_code == 404
    section = cases_todo(people.cadre, today)
    assert section is None or case.pk not in [c.pk for c in section.context["cases_mine"]]
    assert case.pk in [c.pk for c in cases_todo(people.district_admin, today).context["cases_to_accept"]]


def test_it_escalates_only_once_when_the_form_is_sent_twice(people, tree, login):
    # A double click (or the same page in a second tab) must not take the case two levels up.
    case = make_case(people.district_admin, tree.west_a)
    client = login(people.district_admin)
    page = client.get(_url("case_escalate", case.pk)).content.decode()
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    data = {"note": "需区里协调", "version": version}
    assert client.post(_url("case_escalate", case.pk), data).status_code == 302
    response = client.post(_url("case_escalate", case.pk), data)
    assert response.status_code == 200
    assert "someone else" in response.content.decode() or "他人" in response.content.decode()
    case.refresh_from_db()
    assert case.org_unit_id == tree.west.pk
    assert case.events.filter(kind=CaseEventKind.ESCALATED).count() == 1


def test_it_hands_down_only_once_when_the_form_is_sent_twice(people, tree, login):
    case = make_case(people.district_admin, tree.west)
    client = login(people.district_admin)
    page = client.get(_url("case_hand_down", case.pk)).content.decode()
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    assert (
        client.post(_url("case_hand_down", case.pk), {"to_unit": tree.west_a.code, "version": version}).status_code
        == 302
    )
    response = client.post(_url("case_hand_down", case.pk), {"to_unit": tree.west_b.code, "version": version})
    assert response.status_code == 200
    assert "someone else" in response.content.decode() or "他人" in response.content.decode()
    assert RightsCase.objects.get(pk=case.pk).org_unit_id == tree.west_a.pk


def test_it_refuses_an_assignment_from_a_stale_page(people, tree, login):
    # Two tabs: one gives the case to the cadre, the other (opened before) to the district admin.
    case = make_case(people.cadre, tree.west_a)
    client = login(people.district_admin)
    stale = case.version
    assert client.post(_url("case_assign", case.pk), {"assignee": people.cadre.pk, "version": stale}).status_code == 302
    response = client.post(_url("case_assign", case.pk), {"assignee": people.district_admin.pk, "version": stale})
    assert any("someone else" in m or "他人" in m for m in _messages(response))
    assert RightsCase.objects.get(pk=case.pk).assignee_id == people.cadre.pk


# --- workflow ---------------------------------------------------------------------------------


def test_it_refuses_the_second_of_two_clicks_on_the_same_step(people, tree, login):
    case = make_case(people.cadre, tree.west_a)
    client = login(people.cadre)
    assert client.post(_url("case_step", case.pk, "accepted"), {"version": case.version}).status_code == 302
    response = client.post(_url("case_step", case.pk, "accepted"), {"version": case.version})
    assert response.status_code == 302
    assert any("someone else" in m or "他人" in m for m in _messages(response))
    assert case.events.filter(kind=CaseEventKind.STATUS).count() == 1


def test_it_keeps_the_first_closure_when_two_tabs_close_the_case(people, tree, login):
    case = make_case(people.cadre, tree.west_a)
    case = case_transition(actor=people.cadre, case=case, to_status="accepted", version=case.version)
    client = login(people.cadre)
    first = {"version": case.version, "outcome": CaseOutcome.MEDIATED, "amount_recovered": "8600.00"}
    second = {"version": case.version, "outcome": CaseOutcome.WITHDRAWN, "closing_summary": "职工撤回"}
    assert client.post(_url("case_step", case.pk, "closed"), first).status_code == 302
    response = client.post(_url("case_step", case.pk, "closed"), second)
    body = response.content.decode()
    assert response.status_code == 200 and "职工撤回" in body
    case.refresh_from_db()
    assert case.outcome == CaseOutcome.MEDIATED and case.amount_recovered == Decimal("8600.00")


@pytest.mark.parametrize(
    ("amount", "ok"),
    [("-1", False), ("abc", False), ("12.345", False), ("1e20", False), ("999999999999.99", True), ("0", True)],
)
def test_it_checks_the_amount_recovered_on_the_close_form(people, tree, login, amount, ok):
    case = make_case(people.cadre, tree.west_a)
    case = case_transition(actor=people.cadre, case=case, to_status="accepted", version=case.version)
    data = {"version": case.version, "outcome": CaseOutcome.MEDIATED, "amount_recovered": amount}
    response = login(people.cadre).post(_url("case_step", case.pk, "closed"), data)
    case.refresh_from_db()
    assert (case.status == CaseStatus.CLOSED) is ok
    if not ok:
        assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
        assert amount in response.content.decode()


@pytest.mark.parametrize("amount", ["1e20", "10000000000000", "-0.01", "1.001", "NaN", "Infinity"])
def test_it_refuses_absurd_amounts_in_the_services(people, tree, amount):
    with pytest.raises(ValidationError) as error:
        make_case(people.cadre, tree.west_a, amount_claimed=amount)
    assert "amount_claimed" in error.value.message_dict
    case = make_case(people.cadre, tree.west_a)
    case = case_transition(actor=people.cadre, case=case, to_status="accepted", version=case.version)
    with pytest.raises(ValidationError) as error:
        case_transition(
            actor=people.cadre,
            case=case,
            to_status="closed",
            version=case.version,
            outcome=CaseOutcome.MEDIATED,
            amount_recovered=amount,
        )
    assert "amount_recovered" in error.value.message_dict
    assert RightsCase.objects.get(pk=case.pk).status == CaseStatus.ACCEPTED


@pytest.mark.parametrize("workers", [0, -3, 10**10, "十"])
def test_it_refuses_absurd_numbers_of_workers(people, tree, workers):
    with pytest.raises(ValidationError) as error:
        make_case(people.cadre, tree.west_a, workers_involved=workers)
    assert "workers_involved" in error.value.message_dict
    assert not RightsCase.objects.exists()


def test_the_form_refuses_absurd_numbers_of_workers_and_keeps_the_input(people, tree, login):
    data = {
        "org_unit": tree.west_a.code,
        "channel": "hotline",
        "category": "wages",
        "complainant_name": "李春花",
        "complainant_phone": PHONE,
        "employer_name": "杭州顺达物流有限公司",
        "workers_involved": "99999999999",
        "registered_on": "2026-11-20",
        "narrative": "公司拖欠工资。",
    }
    response = login(people.cadre).post(_url("case_create"), data)
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    assert not RightsCase.objects.exists()


def test_it_refuses_an_employer_name_longer_than_the_column(people, tree):
    with pytest.raises(ValidationError) as error:
        make_case(people.cadre, tree.west_a, employer_name="杭" * 101)
    assert "employer_name" in error.value.message_dict


def test_it_refuses_a_legal_basis_or_summary_of_a_novel(people, tree, login):
    case = make_case(people.cadre, tree.west_a)
    case = case_transition(actor=people.cadre, case=case, to_status="accepted", version=case.version)
    for field in ("legal_basis", "closing_summary", "note"):
        with pytest.raises(ValidationError) as error:
            case_transition(
                actor=people.cadre,
                case=case,
                to_status="closed",
                version=case.version,
                outcome=CaseOutcome.MEDIATED,
                **{field: "《劳动合同法》第三十条" * 2000},
            )
        assert field in error.value.message_dict
    data = {"version": case.version, "outcome": CaseOutcome.MEDIATED, "legal_basis": "条" * 5000}
    response = login(people.cadre).post(_url("case_step", case.pk, "closed"), data)
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    assert RightsCase.objects.get(pk=case.pk).status == CaseStatus.ACCEPTED


def test_it_refuses_a_registration_date_in_the_future_through_the_form(people, tree, login):
    data = {
        "org_unit": tree.west_a.code,
        "channel": "visit",
        "category": "wages",
        "complainant_name": "李春花",
        "complainant_phone": PHONE,
        "employer_name": "杭州顺达物流有限公司",
        "workers_involved": "1",
        "registered_on": "2099-01-01",
        "narrative": "公司拖欠工资。",
    }
    response = login(people.cadre).post(_url("case_create"), data)
    assert response.status_code == 200 and "2099-01-01" in response.content.decode()
    assert not RightsCase.objects.exists()


def test_closing_without_an_outcome_is_refused_on_every_path(people, tree, login):
    case = make_case(people.cadre, tree.west_a)
    case = case_transition(actor=people.cadre, case=case, to_status="accepted", version=case.version)
    client = login(people.cadre)
    for outcome in ("", "won_the_lottery"):
        response = client.post(_url("case_step", case.pk, "closed"), {"version": case.version, "outcome": outcome})
        assert response.status_code == 200
    with pytest.raises(ValidationError):
        case_transition(actor=people.cadre, case=case, to_status="closed", version=case.version, outcome="")
    assert RightsCase.objects.get(pk=case.pk).status == CaseStatus.ACCEPTED


# --- deadlines --------------------------------------------------------------------------------


def test_a_case_registered_before_spring_festival_2026_is_due_after_it(people, tree):
    # Fri 13 Feb 2026: Sat 14 Feb is a make-up working day (调休), 15–23 Feb the holiday.
    case = make_case(people.cadre, tree.west_a, registered_on=date(2026, 2, 13))
    assert case.accept_due == date(2026, 2, 24)
    case = make_case(people.cadre, tree.west_a, registered_on=date(2026, 2, 14))
    assert case.accept_due == date(2026, 2, 25)


def test_a_calendar_override_moves_the_accepting_deadline(people, tree):
    CalendarDay.objects.create(date=date(2026, 11, 23), is_workday=False, name="地方假日")
    case = make_case(people.cadre, tree.west_a, registered_on=date(2026, 11, 20))
    assert case.accept_due == date(2026, 11, 25)
    CalendarDay.objects.create(date=date(2026, 11, 21), is_workday=True, name="调休")
    case = make_case(people.cadre, tree.west_a, registered_on=date(2026, 11, 20))
    assert case.accept_due == date(2026, 11, 24)


def test_with_zero_workdays_a_case_is_due_the_day_it_is_registered_and_not_overdue_that_day(
    people, tree, login, settings
):
    settings.GONGHUI_CASE_ACCEPT_WORKDAYS = 0
    login(people.cadre).get(_url("case_list"))  # load the URLs (and the API's schemas) before freezing time
    with freeze_date(date(2026, 11, 20)):
        case = make_case(people.cadre, tree.west_a)
        assert case.due_on == date(2026, 11, 20)
        client = login(people.cadre)
        body = client.get(_url("case_list")).content.decode()
        assert case.reference in body and 'case-overdue" data-testid="overdue"' not in body
        body = client.get(reverse("membership:todo")).content.decode()
        assert case.reference in body and "list-group-item-danger" not in body
        body = client.get(_url("case_detail", case.pk)).content.decode()
        assert 'data-testid="overdue"' not in body
        assert case.reference not in client.get(_url("case_list"), {"overdue": "1"}).content.decode()
    with freeze_date(date(2026, 11, 21)):
        client = login(people.cadre)
        body = client.get(_url("case_list")).content.decode()
        assert 'case-overdue" data-testid="overdue"' in body
        body = client.get(reverse("membership:todo")).content.decode()
        assert "list-group-item-danger" in body
        assert case.reference in client.get(_url("case_list"), {"overdue": "1"}).content.decode()


# --- personal data ----------------------------------------------------------------------------


def test_a_get_never_reveals(people, tree, login):
    case = make_case(people.cadre, tree.west_a, complainant_phone=PHONE)
    client = login(people.cadre)
    response = client.get(_url("case_reveal", case.pk))
    assert response.status_code == 405
    assert PHONE not in response.content.decode()
    assert not AuditEntry.objects.filter(action=AuditAction.REVEAL).exists()


def test_every_reveal_is_audited(people, tree, login):
    case = make_case(people.cadre, tree.west_a)
    client = login(people.cadre)
    for _i in range(3):
        client.post(_url("case_reveal", case.pk))
    assert AuditEntry.objects.filter(action=AuditAction.REVEAL, object_id=str(case.pk)).count() == 3


def test_personal_data_stays_out_of_titles_urls_and_the_masked_pages(people, tree, login):
    case = make_case(
        people.cadre,
        tree.west_a,
        complainant_name="欧阳春花",
        complainant_phone=PHONE,
        complainant_id_number="11010519491231002X",
        narrative="老板说再闹就开除我",
    )
    case_add_note(actor=people.cadre, case=case, note="职工住在西溪路18号")
    client = login(people.cadre)
    secrets = ("欧阳春花", PHONE, "11010519491231002X", "老板说再闹就开除我", "西溪路18号")
    pages = [
        client.get(_url("case_list")),
        client.get(_url("case_detail", case.pk)),
        client.get(reverse("membership:todo")),
        client.post(_url("case_lookup"), {"value": PHONE}),
    ]
    for response in pages:
        # (the look-up form keeps the number typed into it, as every form keeps its input)
        body = response.content.decode().replace(f'value="{PHONE}"', "")
        for secret in secrets:
            assert secret not in body, (response.wsgi_request.path, secret)
    revealed = client.post(_url("case_reveal", case.pk)).content.decode()
    title = re.search(r"<title>(.*?)</title>", revealed, re.S).group(1)
    for secret in secrets:
        assert secret not in title
    for href in re.findall(r'(?:href|action|hx-get|hx-post|src)="([^"]*)"', revealed):
        for secret in secrets:
            assert secret not in href
    assert "西溪路18号" in revealed and "老板说再闹就开除我" in revealed


def test_the_export_is_masked_and_formula_safe(people, tree, login, settings):
    from gonghui.core.jobs import run_job
    from gonghui.core.models import Job

    make_case(people.cadre, tree.west_a, complainant_phone=PHONE, employer_name='=HYPERLINK("http://x.cn","点我")')
    make_case(people.cadre, tree.west_a, employer_name="@SUM(1+1)*cmd|' /C calc'!A0")
    client = login(people.viewer)
    for fmt in ("csv", "xlsx"):
        assert client.post(_url("case_list"), {"export": fmt}).status_code == 302
    for job in Job.objects.order_by("pk"):
        run_job(job.pk)
        job.refresh_from_db()
        path = Path(settings.FILES_DIR) / job.result_file
        if path.suffix == ".csv":
            text = path.read_bytes().decode("utf-8-sig")
        else:
            from python_calamine import CalamineWorkbook

            rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
            text = "\n".join(",".join(str(cell) for cell in row) for row in rows)
        assert PHONE not in text and "李春花" not in text and "拖欠" not in text
        assert "'=HYPERLINK" in text and "'@SUM" in text
        assert not re.search(r"(^|,)[=@]", text, re.M)


# --- lists ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"status": "xxx"},
        {"page": "-1"},
        {"page": "abc"},
        {"page": "99999999999999999999999"},
        {"sort": "password"},
        {"sort": "-complainant_phone"},
        {"category": "<script>boom()</script>"},
        {"q": "<script>boom()</script>"},
        {"under": "999999"},
        {"under": "330200"},
        {"employer": "' OR 1=1 --"},
        {"registered_from": "2026-13-45"},
        {"registered_from": "2026-11-30", "registered_to": "2026-11-01"},
        {"collective": "maybe"},
        {"mine": "everyone"},
        {"q": "' OR 1=1 --"},
        {"q": '"*" NEAR/2 OR %_'},
        {"q": "WQ%"},
        {"q": "\x00"},
    ],
)
def test_the_list_survives_bogus_parameters(people, tree, login, params):
    mine = make_case(people.cadre, tree.west_a)
    theirs = make_case(people.sibling_cadre, tree.west_b)
    response = login(people.cadre).get(_url("case_list"), params, follow=True)
    body = response.content.decode()
    assert response.status_code == 200
    assert theirs.reference not in body
    assert "<script>boom()</script>" not in body
    if response.redirect_chain:  # a query that is no reference number is taken out of the URL
        assert "q" in params and "q=" not in response.redirect_chain[-1][0]
    elif "q" in params:
        assert mine.reference not in body


def test_a_reference_is_found_however_it_is_typed(people, tree, login):
    case = make_case(people.cadre, tree.west_a)
    ref = case.reference
    fullwidth = "".join(chr(ord(ch) + 0xFEE0) for ch in ref.lower())
    for typed in (ref.lower(), f" {ref[:4]} {ref[4:8]} {ref[8:]} ", f"{ref[:6]}-{ref[6:]}", fullwidth):
        body = login(people.cadre).get(_url("case_list"), {"q": typed}).content.decode()
        assert f">{ref}<" in body, typed
    assert normalize_reference(fullwidth) == ref


# --- escaping ---------------------------------------------------------------------------------


def test_markup_in_every_text_field_is_escaped(people, tree, login):
    case = make_case(
        people.cadre,
        tree.west_a,
        complainant_name=XSS,
        employer_name=XSS,
        narrative=XSS,
        workers_involved=12,
    )
    case_add_note(actor=people.cadre, case=case, note=XSS)
    attachment_store(actor=people.cadre, upload=SimpleUploadedFile(f"{XSS}.pdf", PDF), case=case, description=XSS)
    case = RightsCase.objects.get(pk=case.pk)
    case = case_transition(actor=people.cadre, case=case, to_status="accepted", version=case.version, note=XSS)
    case = case_transition(
        actor=people.cadre,
        case=case,
        to_status="closed",
        version=case.version,
        outcome=CaseOutcome.OTHER,
        legal_basis=XSS,
        closing_summary=XSS,
    )
    declined = make_case(people.cadre, tree.west_a, employer_name=XSS, workers_involved=12)
    case_transition(actor=people.cadre, case=declined, to_status="declined", version=declined.version, reason=XSS)
    client = login(people.cadre)
    pages = {
        "list": client.get(_url("case_list")),
        "detail": client.get(_url("case_detail", case.pk)),
        "revealed": client.post(_url("case_reveal", case.pk)),
        "declined": client.post(_url("case_reveal", declined.pk)),
        "edit": client.get(_url("case_edit", case.pk)),
        "todo": login(people.federation_admin).get(reverse("membership:todo")),
        "lookup": login(people.cadre).post(_url("case_lookup"), {"value": case.complainant_phone}),
    }
    for name, response in pages.items():
        body = response.content.decode()
        assert response.status_code == 200, name
        assert XSS not in body, name
    assert "&lt;script&gt;" in pages["revealed"].content.decode()


def test_a_registration_with_markup_in_the_message_is_escaped(people, tree, login):
    case = make_case(people.cadre, tree.west_a)
    response = login(people.cadre).post(
        _url("case_upload", case.pk),
        {"upload": SimpleUploadedFile(f"{XSS}.pdf", PDF)},
        follow=True,
    )
    assert XSS not in response.content.decode()
    assert Attachment.objects.filter(case=case).exists()


# --- services keep the contract with messy input ---------------------------------------------


def test_it_refuses_a_version_that_is_not_a_number(people, tree):
    case = make_case(people.cadre, tree.west_a)
    for version in ("abc", None, "", -1, 10**20):
        with pytest.raises(ValidationError):
            case_transition(actor=people.cadre, case=case, to_status="accepted", version=version)
    assert RightsCase.objects.get(pk=case.pk).status == CaseStatus.REGISTERED


def test_it_refuses_an_update_of_a_case_outside_scope(people, tree):
    from django.core.exceptions import PermissionDenied

    case = make_case(people.cadre, tree.west_a)
    with pytest.raises(PermissionDenied):
        case_update(actor=people.sibling_cadre, case=case, version=case.version, narrative="改")
    with pytest.raises(PermissionDenied):
        case_escalate(actor=people.sibling_cadre, case=case)
    with pytest.raises(PermissionDenied):
        case_register(
            actor=people.cadre,
            org_unit=tree.west_b,
            channel="hotline",
            category="wages",
            complainant_name="李春花",
            complainant_phone=PHONE,
            employer_name="杭州顺达物流有限公司",
            narrative="拖欠工资",
        )
    assert RightsCase.objects.count() == 1
    assert CaseEvent.objects.filter(case=case).count() == 1


@pytest.mark.parametrize("typed", [PHONE, "11010519491231002X", "李春花", "138 1234 5678"])
def test_it_keeps_a_phone_id_or_name_typed_in_the_search_box_out_of_the_address_bar(people, tree, login, typed):
    make_case(people.cadre, tree.west_a, complainant_phone=PHONE)
    client = login(people.cadre)
    response = client.get(_url("case_list"), {"q": typed, "status": "open"})
    assert response.status_code == 302
    assert "q=" not in response["Location"] and "status=open" in response["Location"]
    assert any("look" in m.lower() or "查找" in m or "查询" in m for m in _messages(response))
    response = client.get(_url("case_list"), {"q": typed, "partial": "1"}, HTTP_HX_REQUEST="true")
    assert "q=" not in response["HX-Redirect"]
    assert typed not in response.content.decode()


def test_a_reference_typed_in_the_search_box_stays_in_the_address_bar(people, tree, login):
    case = make_case(people.cadre, tree.west_a)
    response = login(people.cadre).get(_url("case_list"), {"q": case.reference[2:].lower()})
    assert response.status_code == 200


def test_pages_with_personal_data_in_clear_are_not_cached(people, tree, login):
    case = make_case(people.cadre, tree.west_a)
    client = login(people.cadre)
    for response in (client.post(_url("case_reveal", case.pk)), client.get(_url("case_edit", case.pk))):
        assert "no-store" in response["Cache-Control"]


def test_a_step_that_is_not_allowed_now_says_so_instead_of_showing_its_form(people, tree, login):
    case = make_case(people.cadre, tree.west_a)
    response = login(people.cadre).get(_url("case_step", case.pk, "closed"))
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert _messages(response)


def test_it_refuses_to_assign_a_case_that_has_ended(people, tree, login):
    from gonghui.rights.testing import make_closed_case

    closed = make_closed_case(people.cadre, tree.west_a)
    before = _snapshot(closed.pk)
    with pytest.raises(ValidationError):
        case_assign(actor=people.cadre, case=closed, assignee=people.cadre)
    response = login(people.cadre).post(_url("case_assign", closed.pk), {"assignee": people.cadre.pk})
    assert response.status_code == 302 and _messages(response)
    assert _snapshot(closed.pk) == before


def test_the_case_page_query_count_does_not_grow_with_its_timeline(people, tree, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = make_case(people.cadre, tree.west_a)
    client = login(people.cadre)
    client.get(_url("case_detail", case.pk))  # warm the session and role caches
    with CaptureQueriesContext(connection) as few:
        assert client.post(_url("case_reveal", case.pk)).status_code == 200
    for n in range(8):
        case_add_note(actor=people.cadre, case=case, note=f"第{n}次电话回访")
        attachment_store(actor=people.cadre, upload=SimpleUploadedFile(f"证据{n}.pdf", PDF), case=case)
    case = RightsCase.objects.get(pk=case.pk)
    case = case_assign(actor=people.cadre, case=case, assignee=people.cadre)
    case_escalate(actor=people.district_admin, case=case, note="上报区总")
    client = login(people.district_admin)
    client.get(_url("case_detail", case.pk))
    with CaptureQueriesContext(connection) as many:
        assert client.post(_url("case_reveal", case.pk)).status_code == 200
    assert len(many) <= len(few) + 2, [q["sql"][:120] for q in many.captured_queries]


def test_overdue_turns_at_midnight_in_shanghai_not_utc(people, tree, login):
    from freezegun import freeze_time

    login(people.cadre).get(_url("case_list"))  # load the URLs (and the API's schemas) before freezing time
    with freeze_date(date(2026, 11, 18)):
        case = make_case(people.cadre, tree.west_a)  # due Fri 20 November
    assert case.due_on == date(2026, 11, 20)
    with freeze_time("2026-11-20 15:30:00"):  # 23:30 in Shanghai: due today, not late
        body = login(people.cadre).get(_url("case_list")).content.decode()
        assert 'case-overdue" data-testid="overdue"' not in body
    with freeze_time("2026-11-20 16:30:00"):  # 00:30 on the 21st in Shanghai
        body = login(people.cadre).get(_url("case_list")).content.decode()
        assert 'case-overdue" data-testid="overdue"' in body
        assert make_case(people.cadre, tree.west_a).registered_on == date(2026, 11, 21)
