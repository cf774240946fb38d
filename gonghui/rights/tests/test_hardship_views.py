"""Hardship pages: list (filters, search, masking, pinned queries), submission with the household
formset (input kept on errors), review, correction conflict, verify/exit/relapse, reveal (audited),
to-do section, and 404 for every view out of scope."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gonghui.core.choices import AuditAction
from gonghui.core.models import AuditEntry
from gonghui.membership.testing import new_id_number
from gonghui.rights.choices import HardshipStatus
from gonghui.rights.models import HardshipFile
from gonghui.rights.selectors.hardship import hardship_todo
from gonghui.rights.services.hardship import hardship_exit, one_year_after
from gonghui.rights.testing import make_hardship_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def file(people, tree):
    return make_hardship_file(people.cadre, tree.west_a, approve_by=people.district_admin, name="陈秀兰")


def post_data(**overrides):
    data = {
        "name": "周桂芳",
        "id_number": new_id_number(),
        "phone": "13957100001",
        "employer_name": "杭州西湖纺织有限公司",
        "org_unit": "330106-001",
        "tier": "deep",
        "causes": ["illness", "education"],
        "household_size": "3",
        "annual_household_income": "30000",
        "local_threshold": "1200",
        "details": "丈夫患尿毒症长期透析，女儿在读高中。",
        "household-TOTAL_FORMS": "3",
        "household-INITIAL_FORMS": "0",
        "household-MIN_NUM_FORMS": "0",
        "household-MAX_NUM_FORMS": "20",
        "household-0-name": "李建军",
        "household-0-relation": "spouse",
        "household-1-name": "李思雨",
        "household-1-relation": "child",
    }
    data.update(overrides)
    return data


def test_it_submits_a_file_with_its_household(login, people):
    response = login(people.cadre).post(reverse("rights:hardship_create"), post_data())
    file = HardshipFile.objects.get()
    assert response.status_code == 302 and response.url == file.get_absolute_url()
    assert file.status == HardshipStatus.PENDING
    assert file.household.count() == 2


def test_it_keeps_the_input_when_the_submission_is_refused(login, people, file):
    data = post_data(id_number=file.id_number, name="陈秀兰的重复申报")
    response = login(people.cadre).post(reverse("rights:hardship_create"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert file.file_no in page  # the existing file is named
    assert "陈秀兰的重复申报" in page and "李思雨" in page  # nothing typed is lost
    assert HardshipFile.objects.count() == 1


def test_it_names_the_household_row_with_an_error(login, people):
    data = post_data(**{"household-1-birth_date": str(timezone.localdate() + timedelta(days=5))})
    response = login(people.cadre).post(reverse("rights:hardship_create"), data)
    assert response.status_code == 200
    assert HardshipFile.objects.count() == 0


def test_the_list_masks_id_numbers_and_finds_by_name_and_file_number(login, people, file):
    client = login(people.cadre)
    page = client.get(reverse("rights:hardship_list")).content.decode()
    assert file.id_number_masked in page
    assert file.id_number not in page
    assert file.details not in page
    assert file.file_no in client.get(reverse("rights:hardship_list"), {"q": "秀兰"}).content.decode()
    assert file.file_no in client.get(reverse("rights:hardship_list"), {"q": file.file_no}).content.decode()
    assert file.file_no not in client.get(reverse("rights:hardship_list"), {"q": "王"}).content.decode()


@pytest.mark.parametrize(
    ("params", "shown"),
    [
        ({"status": "active"}, True),
        ({"status": "pending"}, False),
        ({"tier": "deep"}, True),
        ({"tier": "relative"}, False),
        ({"cause": "illness"}, True),
        ({"cause": "disaster"}, False),
        ({"verification": "due"}, False),
        ({"under": "330106-002"}, False),
        ({"under": "330106-001"}, True),
    ],
)
def test_the_list_filters(login, people, file, params, shown):
    page = login(people.district_admin).get(reverse("rights:hardship_list"), params).content.decode()
    assert (file.file_no in page) is shown


def test_the_overdue_filter_and_highlight(login, people, file):
    HardshipFile.objects.filter(pk=file.pk).update(next_verification_due=timezone.localdate() - timedelta(days=3))
    page = login(people.cadre).get(reverse("rights:hardship_list"), {"verification": "overdue"}).content.decode()
    assert file.file_no in page
    assert 'data-testid="overdue"' in page


def test_the_list_query_count_does_not_grow_with_rows(login, people, tree, file):
    client = login(people.district_admin)
    client.get(reverse("rights:hardship_list"))  # warm caches (session, user)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("rights:hardship_list"))
    for _ in range(5):
        make_hardship_file(people.cadre, tree.west_a)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("rights:hardship_list"))
    assert len(many) == len(few)
    assert len(many) <= 12


def test_the_detail_masks_until_revealed_and_the_reveal_is_audited(login, people, file):
    client = login(people.cadre)
    page = client.get(file.get_absolute_url()).content.decode()
    assert file.id_number not in page and file.details not in page
    assert file.id_number_masked in page
    response = client.post(reverse("rights:hardship_reveal", args=[file.pk]))
    assert file.id_number in response.content.decode() and file.details in response.content.decode()
    assert AuditEntry.objects.filter(action=AuditAction.REVEAL, object_id=str(file.pk)).exists()


def test_a_viewer_cannot_reveal(login, people, file):
    assert login(people.viewer).post(reverse("rights:hardship_reveal", args=[file.pk])).status_code == 404


def test_the_higher_union_approves_from_the_review_page(login, people, tree):
    pending = make_hardship_file(people.cadre, tree.west_a)
    assert login(people.cadre).get(reverse("rights:hardship_review", args=[pending.pk])).status_code == 404
    client = login(people.district_admin)
    assert 'data-testid="review"' in client.get(pending.get_absolute_url()).content.decode()
    response = client.post(
        reverse("rights:hardship_review", args=[pending.pk]), {"decision": "approve", "version": pending.version}
    )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == HardshipStatus.ACTIVE


def test_returning_without_a_reason_is_refused_on_the_page(login, people, tree):
    pending = make_hardship_file(people.cadre, tree.west_a)
    response = login(people.district_admin).post(
        reverse("rights:hardship_review", args=[pending.pk]),
        {"decision": "return", "reason": "", "version": pending.version},
    )
    assert response.status_code == 200
    pending.refresh_from_db()
    assert pending.status == HardshipStatus.PENDING


def test_a_returned_file_is_corrected_and_resubmitted_from_the_edit_page(login, people, tree):
    pending = make_hardship_file(people.cadre, tree.west_a)
    login(people.district_admin).post(
        reverse("rights:hardship_review", args=[pending.pk]),
        {"decision": "return", "reason": "请补充收入证明", "version": pending.version},
    )
    pending.refresh_from_db()
    client = login(people.cadre)
    assert "请补充收入证明" in client.get(pending.get_absolute_url()).content.decode()
    data = edit_data(pending, annual_household_income="18000", resubmit="1")
    response = client.post(reverse("rights:hardship_edit", args=[pending.pk]), data)
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == HardshipStatus.PENDING
    assert pending.per_capita_income == Decimal("500.00")


def edit_data(file, **overrides):
    data = {
        "name": file.name,
        "id_number": "",
        "phone": "",
        "employer_name": file.employer_name,
        "tier": file.tier,
        "causes": file.causes,
        "household_size": str(file.household_size),
        "annual_household_income": str(file.annual_household_income),
        "local_threshold": str(file.local_threshold),
        "details": file.details,
        "version": str(file.version),
    }
    data.update(overrides)
    return data


def test_a_stale_edit_is_refused_with_a_conflict_and_keeps_the_input(login, people, file):
    opened = edit_data(file, employer_name="杭州湖畔物业公司")
    client = login(people.cadre)
    assert (
        client.post(
            reverse("rights:hardship_edit", args=[file.pk]), edit_data(file, employer_name="甲公司")
        ).status_code
        == 302
    )
    response = client.post(reverse("rights:hardship_edit", args=[file.pk]), opened)
    assert response.status_code == 200
    page = response.content.decode()
    assert "杭州湖畔物业公司" in page  # the user's input is still on the page
    file.refresh_from_db()
    assert file.employer_name == "甲公司"  # the first save is kept


def test_verify_exit_and_relapse_from_the_pages(login, people, file):
    client = login(people.cadre)
    today = timezone.localdate()
    response = client.post(
        reverse("rights:hardship_verify", args=[file.pk]),
        {"done_on": str(today), "result": "confirmed", "note": "入户核实", "version": file.version},
    )
    assert response.status_code == 302
    file.refresh_from_db()
    assert file.next_verification_due == one_year_after(today)
    response = client.post(
        reverse("rights:hardship_exit", args=[file.pk]), {"on": str(today), "reason": "", "version": file.version}
    )
    assert response.status_code == 200  # a reason is required
    client.post(
        reverse("rights:hardship_exit", args=[file.pk]), {"on": str(today), "reason": "再就业", "version": file.version}
    )
    file.refresh_from_db()
    assert file.status == HardshipStatus.EXITED
    client.post(
        reverse("rights:hardship_relapse", args=[file.pk]),
        {"on": str(today), "reason": "再次失业", "version": file.version},
    )
    file.refresh_from_db()
    assert (file.status, file.relapse_count) == (HardshipStatus.PENDING, 1)
    assert 'data-testid="relapses">1<' in client.get(file.get_absolute_url()).content.decode()


def test_a_future_verification_date_is_refused_on_the_page(login, people, file):
    response = login(people.cadre).post(
        reverse("rights:hardship_verify", args=[file.pk]),
        {"done_on": str(timezone.localdate() + timedelta(days=2)), "result": "confirmed", "version": file.version},
    )
    assert response.status_code == 200
    assert file.verifications.count() == 0


def test_household_members_are_added_and_removed_after_asking(login, people, file):
    client = login(people.cadre)
    response = client.post(
        reverse("rights:hardship_household_add", args=[file.pk]),
        {"name": "李建军", "relation": "spouse", "monthly_income": "0", "version": file.version},
    )
    assert response.status_code == 302
    member = file.household.get()
    url = reverse("rights:hardship_household_remove", args=[file.pk, member.pk])
    assert "李建军" in client.get(url).content.decode()  # the question first
    assert file.household.count() == 1
    file.refresh_from_db()
    client.post(url, {"version": file.version})
    assert file.household.count() == 0


def test_the_todo_lists_files_to_review_and_verifications_due(people, tree, file):
    pending = make_hardship_file(people.cadre, tree.west_a)
    HardshipFile.objects.filter(pk=file.pk).update(next_verification_due=timezone.localdate() + timedelta(days=10))
    section = hardship_todo(people.district_admin, timezone.localdate())
    assert [f.pk for f in section.context["hardship_review"]] == [pending.pk]
    assert [f.pk for f in section.context["hardship_due"]] == [file.pk]
    own = hardship_todo(people.cadre, timezone.localdate())
    assert own.context["hardship_review"] == []  # a cadre does not review their own union's files
    assert hardship_todo(people.worker, timezone.localdate()) is None


def test_the_todo_page_shows_the_hardship_section(login, people, tree, file):
    from gonghui.core.todo import TODO_SECTIONS

    registered = hardship_todo in TODO_SECTIONS
    if not registered:
        TODO_SECTIONS.append(hardship_todo)
    try:
        make_hardship_file(people.cadre, tree.west_a)
        page = login(people.district_admin).get(reverse("membership:todo")).content.decode()
        assert 'data-testid="todo-hardship-review"' in page
    finally:
        if not registered:
            TODO_SECTIONS.remove(hardship_todo)


VIEWS = [
    ("rights:hardship_detail", "get"),
    ("rights:hardship_edit", "get"),
    ("rights:hardship_reveal", "post"),
    ("rights:hardship_resubmit", "post"),
    ("rights:hardship_review", "get"),
    ("rights:hardship_verify", "get"),
    ("rights:hardship_exit", "get"),
    ("rights:hardship_relapse", "get"),
    ("rights:hardship_household_add", "get"),
    ("rights:hardship_document_upload", "post"),
    ("rights:assistance_create", "get"),
]


@pytest.mark.parametrize(("name", "method"), VIEWS)
def test_every_file_view_is_404_out_of_scope(login, people, file, name, method):
    for user in (people.sibling_cadre, people.outsider):
        response = getattr(login(user), method)(reverse(name, args=[file.pk]))
        assert response.status_code == 404, (name, user)
    file.refresh_from_db()
    assert file.version == 2  # nothing changed (submitted, then approved)


def test_household_and_document_views_are_404_out_of_scope(login, people, file):
    from gonghui.rights.services.hardship import household_member_add

    member = household_member_add(actor=people.cadre, file=file, name="李建军", relation="spouse")
    for name in ("rights:hardship_household_edit", "rights:hardship_household_remove"):
        assert login(people.sibling_cadre).get(reverse(name, args=[file.pk, member.pk])).status_code == 404
        assert login(people.sibling_cadre).post(reverse(name, args=[file.pk, member.pk])).status_code == 404
    assert file.household.count() == 1
    assert login(people.sibling_cadre).get(reverse("rights:hardship_document", args=[file.pk, 1])).status_code == 404


def test_exit_is_shown_for_an_active_file_and_relapse_for_an_exited_one(login, people, file):
    client = login(people.cadre)
    assert 'data-testid="exit"' in client.get(file.get_absolute_url()).content.decode()
    hardship_exit(actor=people.cadre, file=file, reason="再就业")
    page = client.get(file.get_absolute_url()).content.decode()
    assert 'data-testid="relapse"' in page and 'data-testid="assist"' not in page
