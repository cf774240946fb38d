"""The bulk paths under imports and `gonghui synth`: rows written with executemany/COPY read back
exactly as rows saved through the ORM would, and the fast checks agree with the library's."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from gonghui.lib.crypto import blind_index, get_keyring
from gonghui.lib.idnumber import IdNumberError, make_id_number, parse_id_number
from gonghui.membership.choices import MemberStatus
from gonghui.membership.models import ENTERPRISE_SEARCH, MEMBER_SEARCH, CoverageStat, Enterprise, Member, card_number
from gonghui.membership.services import bulk
from gonghui.membership.services.coverage import coverage_rebuild
from gonghui.membership.services.imports import IdNumbers
from gonghui.membership.testing import make_enterprise, new_id_number


@settings(max_examples=200, deadline=None)
@given(value=st.text(max_size=40), purpose=st.sampled_from(["id_number", "phone"]))
def test_the_fast_blind_indexer_gives_the_blind_index(value, purpose):
    assert get_keyring().blind_indexer(purpose)(value) == blind_index(purpose, value)


id_numbers = st.one_of(
    st.builds(
        make_id_number,
        st.sampled_from(["330106", "110105", "830000", "990000"]),
        st.dates(min_value=date(1890, 1, 1), max_value=date(2030, 12, 31)),
        st.integers(0, 999),
    ),
    st.text(alphabet="0123456789Xx", min_size=15, max_size=19),
)


@settings(max_examples=500, deadline=None)
@given(raw=id_numbers, flip=st.booleans())
def test_the_fast_id_number_check_agrees_with_the_library(raw, flip):
    if flip and len(raw) == 18:
        raw = raw[:17] + ("0" if raw[17] != "0" else "1")
    today = date(2026, 1, 1)
    fast = IdNumbers(today)
    for _warm in range(2):  # the second time the birth date is cached: the fast path answers
        try:
            expected = parse_id_number(raw, today=today)
        except IdNumberError as error:
            try:
                fast(raw)
            except IdNumberError as fast_error:
                assert fast_error.code == error.code
            else:
                raise AssertionError(f"{raw} passed the fast check")
        else:
            assert fast(raw) == (expected.value, expected.birth_date, expected.gender)


def test_inserted_members_read_back_like_saved_ones(people, tree):
    employer = make_enterprise(people.district_admin, tree.west_a, union_unit=tree.west_a)
    number = new_id_number()
    rows = [
        bulk.MemberRow(
            name="欧阳娜娜",
            id_number=number,
            gender="F",
            birth_date=date(1990, 5, 17),
            phone="13912345678",
            ethnicity="01",
            education="bachelor",
            enterprise_id=employer.pk,
            employer_name="",
            org_unit_id=tree.west_a.pk,
            unit_path=tree.west_a.path,
            join_date=date(2024, 3, 1),
            is_migrant=True,
            is_new_form=False,
        ),
        bulk.MemberRow(
            name="李雷",
            id_number=new_id_number(),
            gender="M",
            birth_date=date(1990, 5, 17),
            phone="",
            ethnicity="",
            education="",
            enterprise_id=None,
            employer_name="个体",
            org_unit_id=tree.west_a.pk,
            unit_path=tree.west_a.path,
            join_date=date(2020, 1, 1),
            is_migrant=False,
            is_new_form=True,
            status=MemberStatus.LEFT,
            status_date=date(2023, 6, 30),
        ),
    ]
    dims = {employer.pk: (employer.ownership, employer.industry, employer.region_code)}
    ids = bulk.insert_members(rows, dims=dims)

    first = Member.objects.get(pk=ids[0])
    assert (first.id_number, first.phone, first.card_no) == (number, "13912345678", card_number(ids[0]))
    assert first.id_index == Member._meta.get_field("id_index").compute(number)
    assert first.phone_index == blind_index("phone", "13912345678")
    assert (first.birth_date, first.join_date, first.is_migrant, first.enterprise) == (
        date(1990, 5, 17),
        date(2024, 3, 1),
        True,
        employer,
    )
    second = Member.objects.get(pk=ids[1])
    assert (second.phone, second.phone_index, second.status, second.status_date) == (
        None,
        "",
        MemberStatus.LEFT,
        date(2023, 6, 30),
    )
    assert set(MEMBER_SEARCH.filter(Member.objects.all(), "娜娜")) == {first}
    kept = sorted(
        r
        for r in CoverageStat.objects.values_list("org_unit", "ownership", "members", "new_form_members")
        if any(r[2:])
    )
    coverage_rebuild()
    assert kept == sorted(
        r
        for r in CoverageStat.objects.values_list("org_unit", "ownership", "members", "new_form_members")
        if any(r[2:])
    )


def test_ids_of_deleted_rows_are_never_given_again(people, tree):
    def one():
        row = bulk.MemberRow(
            name="王",
            id_number=new_id_number(),
            gender="M",
            birth_date=date(1990, 5, 17),
            phone="",
            ethnicity="",
            education="",
            enterprise_id=None,
            employer_name="",
            org_unit_id=tree.west_a.pk,
            unit_path=tree.west_a.path,
            join_date=date(2024, 1, 1),
            is_migrant=False,
            is_new_form=False,
        )
        return bulk.insert_members([row], dims={})[0]

    first = one()
    Member.objects.filter(pk=first).delete()
    assert one() > first  # a card number is never reused


def test_inserted_enterprises_read_back_like_saved_ones(people, tree):
    from gonghui.lib.creditcode import make_credit_code

    code = make_credit_code("330106", 31337)
    row = bulk.EnterpriseRow(
        name="之江蓝鲸物流有限公司",
        credit_code=code,
        ownership="private",
        industry="G",
        region_code="330106",
        address="文三路 1 号",
        employees=30,
        migrant_workers=20,
        new_form_workers=10,
        new_form_occupations="快递员",
        union_unit_id=tree.west_a.pk,
        org_unit_id=tree.west_a.pk,
        unit_path=tree.west_a.path,
    )
    (pk,) = bulk.insert_enterprises([row])
    enterprise = Enterprise.objects.get(pk=pk)
    assert (enterprise.credit_code, enterprise.union_unit, enterprise.migrant_workers) == (code, tree.west_a, 20)
    assert set(ENTERPRISE_SEARCH.filter(Enterprise.objects.all(), "蓝鲸")) == {enterprise}
    assert sum(CoverageStat.objects.filter(org_unit=tree.city).values_list("unionised", flat=True)) == 1
