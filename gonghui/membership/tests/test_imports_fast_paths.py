"""The import's fast paths give exactly what the reference functions give: card numbers, search
tokens, ciphertexts, dates, names, ID numbers and blank rows. Each shortcut exists for speed
only (see bench/import_bench.py); a difference from the reference would be a bug."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.utils.translation import gettext as _
from hypothesis import given, settings
from hypothesis import strategies as st

from gonghui.lib.crypto import get_keyring
from gonghui.lib.idnumber import IdNumberError, make_id_number, parse_id_number
from gonghui.lib.search import name_tokens
from gonghui.membership.models import MEMBER_SEARCH, Member, MemberEvent, card_number
from gonghui.membership.services import bulk
from gonghui.membership.services.imports import APPLIED, MEMBER_HEADERS, Bad, IdNumbers, _date_from_text
from gonghui.membership.testing import new_id_number
from gonghui.membership.tests.test_imports import member_row, run, write_csv


@settings(max_examples=300, deadline=None)
@given(pk=st.one_of(st.integers(1, 10**6), st.integers(1, 10**13), st.sampled_from([9_999, 10_000, 10**8, 10**11])))
def test_card_numbers_in_bulk_are_the_card_numbers(pk):
    assert bulk.card_numbers([pk, pk + 1]) == [card_number(pk), card_number(pk + 1)]


names = st.one_of(
    st.text(alphabet="王李张欧阳娜伟小明丽", min_size=1, max_size=6),
    st.text(min_size=0, max_size=8),
    st.sampled_from(["Ｗang 小明", "王小明A", "乾隆", "豈", "王\u3000明"]),
)


@settings(max_examples=300, deadline=None)
@given(name=names)
def test_search_tokens_of_names_are_the_library_tokens(name):
    assert bulk.name_tokens_cached(name) == name_tokens(name)


def test_batch_encryption_decrypts_with_fresh_nonces_and_refuses_more_values_than_asked():
    ring = get_keyring()
    encrypt = ring.batch_encryptor(3)
    blobs = [encrypt(value, b"membership_member.phone") for value in (b"13912345678", b"13912345678", b"x")]
    assert [ring.decrypt(blob, b"membership_member.phone") for blob in blobs] == [b"13912345678"] * 2 + [b"x"]
    assert len({blob[2:14] for blob in blobs}) == 3  # every value its own nonce
    assert blobs[0][:2] == ring.encrypt(b"", b"a")[:2]  # same version byte and key id as one by one
    with pytest.raises(ValueError, match="more values"):
        encrypt(b"one too many", b"membership_member.phone")


@settings(max_examples=300, deadline=None)
@given(
    day=st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat)
    | st.from_regex(r"\d{4}-\d{2}-\d{2}", fullmatch=True)
    | st.from_regex(r"[0-9０-９]{4}-[0-9]{1,2}-[0-9 ]{1,3}", fullmatch=True)
)
def test_dates_written_the_iso_way_parse_as_the_pattern_says(day):
    _date_from_text.cache_clear()
    try:
        fast = _date_from_text(day)
    except Bad as error:
        fast = str(error)
    match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", day)
    if match is None:
        assert isinstance(fast, str)
        return
    try:
        expected = date(*map(int, match.groups()))
    except ValueError:
        assert isinstance(fast, str)
    else:
        assert fast == expected


@settings(max_examples=300, deadline=None)
@given(
    region=st.sampled_from(["330106", "110105"]),
    birth=st.dates(min_value=date(1950, 1, 1), max_value=date(2000, 12, 31)),
    sequence=st.integers(0, 999),
    at=st.integers(0, 16),
    char=st.sampled_from("ａ１٣Xx a"),
)
def test_id_numbers_with_odd_characters_are_judged_like_the_library(region, birth, sequence, at, char):
    today = date(2026, 1, 1)
    good = make_id_number(region, birth, sequence)
    fast = IdNumbers(today)
    fast(good)  # the birth date is now known: the fast path answers for the same date
    raw = good[:at] + char + good[at + 1 :]
    try:
        expected = parse_id_number(raw, today=today)
    except IdNumberError as error:
        with pytest.raises(IdNumberError) as caught:
            fast(raw)
        assert caught.value.code == error.code
    else:
        assert fast(raw) == (expected.value, expected.birth_date, expected.gender)


def test_names_are_cleaned_the_same_however_they_are_spaced(people, tree, tmp_path):
    spellings = {
        "王小明": "王小明",
        " 欧阳 娜娜 ": "欧阳 娜娜",
        "李  雷": "李 雷",
        "韩\u3000梅梅": "韩 梅梅",
        "张\t伟": "张 伟",
        "'=赵六": "=赵六",  # the apostrophe our exports put before = + - @ comes off again
    }
    rows = [member_row(tree.west_a, 姓名=written) for written in spellings]
    result = run(people.cadre, write_csv(tmp_path / "m.csv", MEMBER_HEADERS, rows))
    assert result.outcome == APPLIED
    assert sorted(Member.objects.values_list("name", flat=True)) == sorted(spellings.values())


def test_imported_members_are_stored_like_bulk_inserted_ones(people, tree, tmp_path):
    """The importer builds its rows without `bulk.MemberRow`; they must read back the same."""
    imported_number, inserted_number = new_id_number(birth=date(1990, 5, 17)), new_id_number(birth=date(1990, 5, 17))
    row = member_row(tree.west_a, 姓名="欧阳娜娜", 身份证号=imported_number, 手机号="13912345678", 是否农民工="是")
    run(people.cadre, write_csv(tmp_path / "m.csv", MEMBER_HEADERS, [row]))
    imported = Member.objects.get(name="欧阳娜娜")
    gender = "M" if int(imported_number[16]) % 2 else "F"
    (pk,) = bulk.insert_members(
        [
            bulk.MemberRow(
                name="欧阳娜娜", id_number=inserted_number, gender=gender, birth_date=date(1990, 5, 17),
                phone="13912345678", ethnicity="01", education="bachelor", enterprise_id=None, employer_name="",
                org_unit_id=tree.west_a.pk, unit_path=tree.west_a.path, join_date=date(2024, 3, 1), is_migrant=True,
                is_new_form=False,
            )
        ],
        dims={},
    )  # fmt: skip
    inserted = Member.objects.get(pk=pk)
    volatile = {"id", "card_no", "id_number", "id_index", "created_at", "updated_at", "gender"}
    fields = [f.attname for f in Member._meta.concrete_fields if f.attname not in volatile]
    assert [getattr(imported, f) for f in fields] == [getattr(inserted, f) for f in fields]
    assert imported.id_number == imported_number and imported.gender == gender
    assert imported.id_index == Member._meta.get_field("id_index").compute(imported_number)
    assert set(MEMBER_SEARCH.filter(Member.objects.all(), "娜娜")) == {imported, inserted}
    assert MemberEvent.objects.filter(member=imported).count() == 1


def test_rows_whose_first_cell_is_blank_are_still_read(people, tree, tmp_path):
    rows = [["", new_id_number(), *member_row(tree.west_a)[2:]], [""] * len(MEMBER_HEADERS), member_row(tree.west_a)]
    result = run(people.cadre, write_csv(tmp_path / "m.csv", MEMBER_HEADERS, rows))
    assert result.rows == 2  # the blank line is skipped, the row without a name is not
    assert [(row, reason) for row, _column, reason in result.errors] == [(2, _("This column is required"))]
