"""Hardship files under attack: messy input, self-approval, forged posts, stale and doubled
submissions, script in text fields. Each test is a finding (or a guard that must stay)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from gonghui.core.models import AuditEntry
from gonghui.lib.idnumber import make_id_number
from gonghui.rights.choices import HardshipCause, HardshipStatus, HardshipTier
from gonghui.rights.models import HardshipFile, HouseholdMember
from gonghui.rights.selectors.hardship import files_awaiting_review
from gonghui.rights.services.hardship import hardship_approve, hardship_return, hardship_submit, hardship_update
from gonghui.rights.testing import make_hardship_file

pytestmark = pytest.mark.django_db

WORKER_ID = make_id_number("330106", date(1976, 11, 3), 517)  # ends in a digit or X
X_ID = next(
    make_id_number("330106", date(1980, 1, 1), n)
    for n in range(1000)
    if make_id_number("330106", date(1980, 1, 1), n).endswith("X")
)
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def fields(**overrides):
    return {
        "name": "黄美玲",
        "id_number": WORKER_ID,
        "tier": HardshipTier.RELATIVE,
        "causes": [HardshipCause.DISABILITY],
        "household_size": 2,
        "annual_household_income": Decimal("18000"),
        "local_threshold": Decimal("1100"),
        "details": "本人二级肢体残疾，丈夫打零工。",
        **overrides,
    }


# --- self-approval ----------------------------------------------------------------------------------


def test_it_refuses_approving_ones_own_submission_as_a_federation_admin(people, tree):
    """A city federation admin may file a household for a grassroots union in their subtree; the
    review (上级审核) must still be someone else's, or 基层申报 → 上级审核 is one person."""
    file = make_hardship_file(people.federation_admin, tree.west_a)
    with pytest.raises(ValidationError) as error:
        hardship_approve(actor=people.federation_admin, file=file)
    assert "submitted" in str(error.value) or "申报" in str(error.value) or "own" in str(error.value)
    file.refresh_from_db()
    assert file.status == HardshipStatus.PENDING and file.approved_by is None


def test_it_refuses_returning_ones_own_submission(people, tree):
    file = make_hardship_file(people.district_admin, tree.west_a)
    with pytest.raises(ValidationError):
        hardship_return(actor=people.district_admin, file=file, reason="补充诊断证明")
    assert HardshipFile.objects.get(pk=file.pk).status == HardshipStatus.PENDING


def test_it_refuses_the_review_page_to_the_submitter(login, people, tree):
    file = make_hardship_file(people.district_admin, tree.west_a)
    client = login(people.district_admin)
    response = client.post(
        reverse("rights:hardship_review", args=[file.pk]), {"decision": "approve", "version": file.version}
    )
    assert response.status_code == 404
    assert HardshipFile.objects.get(pk=file.pk).status == HardshipStatus.PENDING
    assert 'data-testid="review"' not in client.get(file.get_absolute_url()).content.decode()
    other = login(people.federation_admin).get(file.get_absolute_url()).content.decode()
    assert 'data-testid="review"' in other  # the button exists, for someone else


def test_it_does_not_list_ones_own_submission_as_awaiting_ones_review(people, tree):
    own = make_hardship_file(people.district_admin, tree.west_a)
    other = make_hardship_file(people.cadre, tree.west_a, id_number=WORKER_ID)
    assert list(files_awaiting_review(people.district_admin)) == [other]
    assert own in files_awaiting_review(people.federation_admin)


def test_another_admin_of_the_higher_union_still_approves(people, tree):
    file = make_hardship_file(people.district_admin, tree.west_a)
    file = hardship_approve(actor=people.federation_admin, file=file)
    assert file.status == HardshipStatus.ACTIVE


# --- ID numbers ---------------------------------------------------------------------------------------


def test_it_accepts_full_width_digits_lowercase_x_and_spaces_in_the_id_number(people, tree):
    raw = " " + X_ID[:6] + " " + X_ID[6:14].translate(FULL_WIDTH) + " " + X_ID[14:].lower() + "\t"
    file = hardship_submit(actor=people.cadre, org_unit=tree.west_a, **fields(id_number=raw))
    assert HardshipFile.objects.get(pk=file.pk).id_number == X_ID


def test_it_refuses_a_duplicate_in_another_unit_typed_differently(people, tree):
    hardship_submit(actor=people.sibling_cadre, org_unit=tree.west_b, **fields(id_number=X_ID))
    with pytest.raises(ValidationError) as error:
        hardship_submit(
            actor=people.cadre, org_unit=tree.west_a, **fields(id_number=X_ID.lower().translate(FULL_WIDTH))
        )
    assert "id_number" in error.value.message_dict
    # outside the cadre's scope: they learn it exists, not where
    assert tree.west_b.name not in str(error.value)
    assert HardshipFile.objects.count() == 1


def test_the_form_accepts_a_full_width_id_number(login, people, tree):
    client = login(people.cadre)
    data = {
        "org_unit": tree.west_a.code,
        "name": "黄美玲",
        "id_number": X_ID.translate(FULL_WIDTH).lower(),
        "tier": "relative",
        "causes": ["disability"],
        "household_size": "1",
        "annual_household_income": "9000",
        "local_threshold": "1100",
        "household-TOTAL_FORMS": "0",
        "household-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("rights:hardship_create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert HardshipFile.objects.get().id_number == X_ID


# --- amounts, sizes, dates, long text -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"household_size": 0}, "household_size"),
        ({"annual_household_income": Decimal("-1")}, "annual_household_income"),
        ({"annual_household_income": Decimal("1e15")}, "annual_household_income"),
        ({"local_threshold": Decimal("-0.01")}, "local_threshold"),
        ({"local_threshold": Decimal("1e15")}, "local_threshold"),
        ({"name": "黄" * 60}, "name"),
        ({"name": "   "}, "name"),
        ({"employer_name": "公司" * 80}, "employer_name"),
        ({"household_size": 40000}, "household_size"),
    ],
)
def test_it_refuses_absurd_file_input_and_creates_nothing(people, tree, overrides, field):
    with pytest.raises(ValidationError) as error:
        hardship_submit(actor=people.cadre, org_unit=tree.west_a, **fields(**overrides))
    assert field in error.value.message_dict
    assert not HardshipFile.objects.exists()


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity"])
def test_it_refuses_not_a_number_incomes(people, tree, amount):
    with pytest.raises(ValidationError):
        hardship_submit(actor=people.cadre, org_unit=tree.west_a, **fields(annual_household_income=Decimal(amount)))
    assert not HardshipFile.objects.exists()


def test_it_refuses_a_submission_date_far_in_the_past(people, tree):
    with pytest.raises(ValidationError) as error:
        hardship_submit(actor=people.cadre, org_unit=tree.west_a, submitted_on=date(1900, 1, 1), **fields())
    assert "submitted_on" in error.value.message_dict
    assert not HardshipFile.objects.exists()


def test_it_refuses_a_household_member_born_in_the_future_or_before_1900(people, tree):
    for born in (timezone.localdate() + timedelta(days=1), date(1850, 1, 1)):
        with pytest.raises(ValidationError):
            hardship_submit(
                actor=people.cadre,
                org_unit=tree.west_a,
                household=[{"name": "王小军", "relation": "child", "birth_date": born}],
                **fields(),
            )
    assert not HardshipFile.objects.exists() and not HouseholdMember.objects.exists()


# --- script in text fields --------------------------------------------------------------------------

SCRIPT = "<script>alert('x')</script>"


def test_script_in_names_and_reasons_is_escaped_on_every_page(login, people, tree):
    file = make_hardship_file(
        people.cadre,
        tree.west_a,
        name=f"李{SCRIPT}",
        employer_name=SCRIPT,
        household=[{"name": SCRIPT, "relation": "spouse", "occupation": SCRIPT, "health": SCRIPT}],
    )
    hardship_return(actor=people.district_admin, file=file, reason=f"请补充{SCRIPT}")
    client = login(people.cadre)
    for url in (
        file.get_absolute_url(),
        reverse("rights:hardship_list"),
        reverse("rights:hardship_list") + "?q=" + "李",
        reverse("rights:hardship_edit", args=[file.pk]),
    ):
        page = client.get(url).content.decode()
        assert SCRIPT not in page, url
    page = client.post(reverse("rights:hardship_reveal", args=[file.pk])).content.decode()
    assert SCRIPT not in page and "&lt;script&gt;" in page


# --- stale, doubled and forged posts ----------------------------------------------------------------


def test_it_refuses_a_resubmission_with_a_garbled_version_without_an_error_page(login, people, tree):
    file = make_hardship_file(people.cadre, tree.west_a)
    file = hardship_return(actor=people.district_admin, file=file, reason="补充低保证明")
    response = login(people.cadre).post(reverse("rights:hardship_resubmit", args=[file.pk]), {"version": "abc"})
    assert response.status_code == 302
    assert HardshipFile.objects.get(pk=file.pk).status == HardshipStatus.RETURNED


def test_it_refuses_a_stale_resubmission(login, people, tree):
    file = make_hardship_file(people.cadre, tree.west_a)
    file = hardship_return(actor=people.district_admin, file=file, reason="补充低保证明")
    stale = file.version
    hardship_update(actor=people.cadre, file=file, version=file.version, employer_name="杭州某某纺织厂")
    login(people.cadre).post(reverse("rights:hardship_resubmit", args=[file.pk]), {"version": stale})
    assert HardshipFile.objects.get(pk=file.pk).status == HardshipStatus.RETURNED


def test_it_refuses_a_stale_household_change_from_a_second_tab(login, people, tree):
    """Tab 1 opens "correct a household member"; tab 2 corrects the same member and saves; tab 1
    saves: refused, tab 2's correction stays and tab 1's input is still on the page."""
    from gonghui.rights.services.hardship import household_member_add, household_member_update

    file = make_hardship_file(people.cadre, tree.west_a, approve_by=people.district_admin)
    member = household_member_add(actor=people.cadre, file=file, name="王小军", relation="child")
    file.refresh_from_db()
    url = reverse("rights:hardship_household_edit", args=[file.pk, member.pk])
    client = login(people.cadre)
    assert f'name="version" value="{file.version}"' in client.get(url).content.decode()
    household_member_update(actor=people.district_admin, member=member, version=file.version, occupation="初中学生")
    response = client.post(url, {"name": "王小军", "relation": "child", "occupation": "待业", "version": file.version})
    assert response.status_code == 200 and "待业" in response.content.decode()
    assert HouseholdMember.objects.get(pk=member.pk).occupation == "初中学生"


def test_it_refuses_a_stale_household_removal(login, people, tree):
    from gonghui.rights.services.hardship import household_member_add

    file = make_hardship_file(people.cadre, tree.west_a, approve_by=people.district_admin)
    member = household_member_add(actor=people.cadre, file=file, name="王小军", relation="child")
    url = reverse("rights:hardship_household_remove", args=[file.pk, member.pk])
    login(people.cadre).post(url, {"version": file.version})  # the version before the member was added
    assert HouseholdMember.objects.filter(pk=member.pk).exists()


def test_a_double_submitted_new_file_makes_one_file(login, people, tree):
    client = login(people.cadre)
    data = {
        "org_unit": tree.west_a.code,
        "name": "黄美玲",
        "id_number": WORKER_ID,
        "tier": "relative",
        "causes": ["disability"],
        "household_size": "1",
        "annual_household_income": "9000",
        "local_threshold": "1100",
        "household-TOTAL_FORMS": "0",
        "household-INITIAL_FORMS": "0",
    }
    assert client.post(reverse("rights:hardship_create"), data).status_code == 302
    second = client.post(reverse("rights:hardship_create"), data)
    assert second.status_code == 200 and HardshipFile.objects.count() == 1
    assert HardshipFile.objects.get().file_no in second.content.decode()  # points to the existing file


def test_a_viewer_cannot_open_or_post_any_write_page(login, people, tree):
    file = make_hardship_file(people.cadre, tree.west_a)
    client = login(people.viewer)
    assert client.get(reverse("rights:hardship_create")).status_code == 403
    for name in ("hardship_edit", "hardship_verify", "hardship_exit", "hardship_household_add"):
        assert client.post(reverse(f"rights:{name}", args=[file.pk]), {"version": 1}).status_code == 404, name
    assert client.post(reverse("rights:hardship_review", args=[file.pk]), {"decision": "approve"}).status_code == 404
    assert HardshipFile.objects.get(pk=file.pk).version == file.version


# --- personal data ----------------------------------------------------------------------------------


def test_get_pages_never_show_the_id_number_phone_or_situation(login, people, tree):
    file = make_hardship_file(people.cadre, tree.west_a, phone="13957112345", approve_by=people.district_admin)
    client = login(people.district_admin)
    before = AuditEntry.objects.filter(action="reveal").count()
    for url in (
        file.get_absolute_url(),
        reverse("rights:hardship_list"),
        reverse("rights:assistance_create", args=[file.pk]),
        reverse("rights:hardship_verify", args=[file.pk]),
    ):
        page = client.get(url).content.decode()
        for secret in (file.id_number, "13957112345", file.details):
            assert secret not in page, url
    assert AuditEntry.objects.filter(action="reveal").count() == before


def test_the_page_title_and_urls_carry_no_personal_data(login, people, tree):
    file = make_hardship_file(people.cadre, tree.west_a)
    page = login(people.cadre).get(file.get_absolute_url()).content.decode()
    title = page.split("<title>")[1].split("</title>")[0]
    assert file.name not in title and file.id_number not in title
    assert file.id_number not in file.get_absolute_url()
