"""Views of one case: registering, the case page, reveal, steps, edits, assignment, moves, files."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gonghui.core.choices import AuditAction
from gonghui.core.models import AuditEntry
from gonghui.membership.testing import make_member
from gonghui.rights.choices import CaseEventKind, CaseOutcome, CaseStatus
from gonghui.rights.models import Attachment, CaseEvent, RightsCase
from gonghui.rights.services.attachments import attachment_store
from gonghui.rights.services.cases import case_transition, case_update
from gonghui.rights.testing import make_case

PDF = b"%PDF-1.4\n%%EOF\n"
PHONE = "13812345678"


def _url(name, *args):
    return reverse(f"rights:{name}", args=args)


def _register_data(tree, **extra):
    return {
        "org_unit": tree.west_a.code,
        "channel": "hotline",
        "category": "wages",
        "complainant_name": "李春花",
        "complainant_phone": PHONE,
        "complainant_id_number": "",
        "employer_name": "杭州顺达物流有限公司",
        "workers_involved": "12",
        "amount_claimed": "36000",
        "registered_on": "2026-11-20",
        "narrative": "公司拖欠十二名装卸工两个月工资共36000元。",
        **extra,
    }


def test_it_registers_a_case_and_attaches_files(people, tree, login):
    client = login(people.cadre)
    data = _register_data(
        tree, attachments=[SimpleUploadedFile("工资条.pdf", PDF), SimpleUploadedFile("病毒.pdf", b"MZ..")]
    )
    response = client.post(_url("case_create"), data)
    case = RightsCase.objects.get()
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert case.is_collective and case.complainant_phone == PHONE
    assert [a.original_name for a in Attachment.objects.all()] == ["工资条.pdf"]
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("病毒.pdf" in m for m in messages)
    assert PHONE not in response["Location"]


def test_it_registers_a_case_of_a_member_picked_by_card_number(people, tree, login):
    member = make_member(people.cadre, tree.west_a, name="陈国强")
    data = _register_data(tree, member=member.card_no, complainant_name="", complainant_phone="")
    response = login(people.cadre).post(_url("case_create"), data)
    assert response.status_code == 302
    case = RightsCase.objects.get()
    assert case.member_id == member.pk and case.complainant_name == "陈国强"
    assert case.complainant_phone == member.phone


def test_the_register_form_keeps_input_and_explains_errors(people, tree, login):
    data = _register_data(tree, complainant_phone="12345", amount_claimed="-5", narrative="")
    response = login(people.cadre).post(_url("case_create"), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "李春花" in body and "杭州顺达物流有限公司" in body
    assert body.count("invalid-feedback d-block") >= 3
    assert not RightsCase.objects.exists()


def test_a_read_only_role_cannot_register_or_work_on_a_case(people, tree, login):
    case = make_case(people.cadre, tree.west_a)
    client = login(people.viewer)
    assert client.get(_url("case_detail", case.pk)).status_code == 200
    assert client.get(_url("case_create")).status_code == 404
    assert client.post(_url("case_create"), _register_data(tree)).status_code == 404
    for name, extra in (("case_edit", ()), ("case_step", ("accepted",)), ("case_escalate", ()), ("case_note", ())):
        assert client.post(_url(name, case.pk, *extra), {"version": case.version, "note": "x"}).status_code == 404
    assert client.post(_url("case_reveal", case.pk)).status_code == 404
    assert RightsCase.objects.get(pk=case.pk).status == CaseStatus.REGISTERED
    body = client.get(_url("case_detail", case.pk)).content.decode()
    assert 'data-testid="step-accepted"' not in body and 'data-testid="reveal"' not in body


@pytest.mark.parametrize("who", ["sibling_cadre", "outsider"])
def test_cases_out_of_scope_are_404(people, tree, login, who):
    case = make_case(people.cadre, tree.west_a)
    attachment = attachment_store(actor=people.cadre, upload=SimpleUploadedFile("a.pdf", PDF), case=case)
    client = login(getattr(people, who))
    assert client.get(_url("case_detail", case.pk)).status_code == 404
    assert client.get(_url("case_download", case.pk, attachment.pk)).status_code == 404
    assert client.get(_url("case_edit", case.pk)).status_code == 404
    assert client.post(_url("case_edit", case.pk), {"version": case.version}).status_code == 404
    assert client.post(_url("case_step", case.pk, "accepted"), {"version": case.version}).status_code == 404
    assert client.post(_url("case_reveal", case.pk)).status_code == 404
    assert client.post(_url("case_upload", case.pk), {"upload": SimpleUploadedFile("b.pdf", PDF)}).status_code == 404
    assert RightsCase.objects.get(pk=case.pk).status == CaseStatus.REGISTERED
    assert Attachment.objects.count() == 1
    assert AuditEntry.objects.filter(action=AuditAction.DENIED, object_id=str(case.pk)).exists()


def test_an_attachment_of_another_case_is_404_through_this_case(people, tree, login):
    mine = make_case(people.cadre, tree.west_a)
    theirs = make_case(people.sibling_cadre, tree.west_b)
    attachment = attachment_store(actor=people.sibling_cadre, upload=SimpleUploadedFile("a.pdf", PDF), case=theirs)
    assert login(people.cadre).get(_url("case_download", mine.pk, attachment.pk)).status_code == 404


def test_the_download_is_audited_and_served_as_attachment(people, tree, login):
    case = make_case(people.cadre, tree.west_a)
    response = login(people.cadre).post(
        _url("case_upload", case.pk),
        {"upload": SimpleUploadedFile("劳动合同.pdf", PDF), "description": "劳动合同扫描件"},
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    response = login(people.district_admin).get(_url("case_download", case.pk, attachment.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PDF
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT, object_type="rights.attachment").exists()
    assert case.events.filter(kind=CaseEventKind.ATTACHMENT).exists()


def test_the_detail_masks_until_an_audited_reveal(people, tree, login):
    case = make_case(people.cadre, tree.west_a, complainant_phone=PHONE)
    client = login(people.cadre)
    body = client.get(_url("case_detail", case.pk)).content.decode()
    assert PHONE not in body and "李春花" not in body and "拖欠" not in body
    assert "138****5678" in body
    response = client.post(_url("case_reveal", case.pk))
    body = response.content.decode()
    assert PHONE in body and "李春花" in body and "拖欠" in body
    entry = AuditEntry.objects.filter(action=AuditAction.REVEAL, object_id=str(case.pk)).get()
    assert "narrative" in entry.detail["fields"]


def test_the_detail_shows_only_allowed_steps(people, tree, login):
    case = make_case(people.cadre, tree.west_a)
    client = login(people.cadre)
    body = client.get(_url("case_detail", case.pk)).content.decode()
    assert re.findall(r'data-testid="step-(\w+)"', body) == ["accepted", "declined"]
    case = case_transition(actor=people.cadre, case=case, to_status="accepted", version=case.version)
    body = client.get(_url("case_detail", case.pk)).content.decode()
    assert re.findall(r'data-testid="step-(\w+)"', body) == ["investigating", "closed"]


def test_the_workflow_through_the_pages(people, tree, login):
    case = make_case(people.cadre, tree.west_a)
    client = login(people.cadre)
    for step in ("accepted", "investigating", "mediating"):
        case.refresh_from_db()
        response = client.post(_url("case_step", case.pk, step), {"version": case.version})
        assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.MEDIATING
    response = client.post(_url("case_step", case.pk, "closed"), {"version": case.version, "amount_recovered": "100"})
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    response = client.post(
        _url("case_step", case.pk, "closed"),
        {
            "version": case.version,
            "outcome": CaseOutcome.MEDIATED,
            "amount_recovered": "8600",
            "legal_basis": "《劳动合同法》第三十条",
            "closing_summary": "企业当场支付。",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.legal_basis == "《劳动合同法》第三十条"


def test_a_refused_step_says_why_and_changes_nothing(people, tree, login):
    case = make_case(people.cadre, tree.west_a)
    client = login(people.cadre)
    response = client.post(_url("case_step", case.pk, "mediating"), {"version": case.version}, follow=True)
    assert "cannot be moved" in response.content.decode() or "不能" in response.content.decode()
    assert RightsCase.objects.get(pk=case.pk).status == CaseStatus.REGISTERED
    response = client.post(_url("case_step", case.pk, "declined"), {"version": case.version, "reason": ""})
    assert response.status_code == 200
    assert RightsCase.objects.get(pk=case.pk).status == CaseStatus.REGISTERED


def test_an_edit_based_on_an_old_version_keeps_the_input_and_asks_to_reload(people, tree, login):
    case = make_case(people.cadre, tree.west_a)
    client = login(people.cadre)
    page = client.get(_url("case_edit", case.pk)).content.decode()
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    case_update(actor=people.district_admin, case=case, version=case.version, narrative="区总工会补充的情况说明。")
    data = _register_data(tree, narrative="我这边写的新内容", version=version)
    data.pop("org_unit")
    response = client.post(_url("case_edit", case.pk), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "我这边写的新内容" in body
    assert 'data-testid="reload-case"' in body
    assert RightsCase.objects.get(pk=case.pk).narrative == "区总工会补充的情况说明。"


def test_opening_the_edit_form_is_an_audited_view(people, tree, login):
    case = make_case(people.cadre, tree.west_a, complainant_phone=PHONE)
    body = login(people.cadre).get(_url("case_edit", case.pk)).content.decode()
    assert PHONE not in body  # the phone stays out of the page; a placeholder shows it masked
    assert AuditEntry.objects.filter(action=AuditAction.REVEAL, object_id=str(case.pk)).exists()


def test_assign_escalate_hand_down_and_note_through_the_pages(people, tree, login):
    case = make_case(people.cadre, tree.west_a)
    client = login(people.district_admin)
    assert client.post(_url("case_assign", case.pk), {"assignee": people.cadre.pk}).status_code == 302
    assert RightsCase.objects.get(pk=case.pk).assignee == people.cadre
    client.post(_url("case_assign", case.pk), {"assignee": people.sibling_cadre.pk})
    assert RightsCase.objects.get(pk=case.pk).assignee == people.cadre
    assert client.post(_url("case_note", case.pk), {"note": "已电话联系企业负责人"}).status_code == 302
    assert client.post(_url("case_escalate", case.pk), {"note": "需区里协调"}).status_code == 302
    assert RightsCase.objects.get(pk=case.pk).org_unit_id == tree.west.pk
    response = client.post(_url("case_hand_down", case.pk), {"to_unit": tree.west_b.code, "note": "请属地办理"})
    assert response.status_code == 302
    assert RightsCase.objects.get(pk=case.pk).org_unit_id == tree.west_b.pk
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == ["registered", "assigned", "note", "escalated", "handed_down"]


def test_urls_carry_no_personal_data(people, tree, login):
    case = make_case(people.cadre, tree.west_a, complainant_phone=PHONE)
    client = login(people.cadre)
    body = client.get(_url("case_detail", case.pk)).content.decode()
    body += client.post(_url("case_reveal", case.pk)).content.decode()
    for href in re.findall(r'(?:href|action|hx-get|hx-post)="([^"]*)"', body):
        assert PHONE not in href and "李春花" not in href
    assert 'method="post" action="/rights/cases/lookup/"' in client.get(_url("case_list")).content.decode()


def test_the_register_and_step_pages_render_for_a_cadre(people, tree, login):
    client = login(people.cadre)
    body = client.get(_url("case_create")).content.decode()
    assert f'value="{tree.west_a.code}"' in body and 'name="attachments"' in body
    case = make_case(people.cadre, tree.west_a)
    body = client.get(_url("case_step", case.pk, "declined")).content.decode()
    assert 'name="reason"' in body and f'name="version" value="{case.version}"' in body
    assert client.get(_url("case_step", case.pk, "nonsense")).status_code == 404
    body = client.get(_url("case_hand_down", case.pk)).content.decode()
    assert 'name="to_unit"' in body
