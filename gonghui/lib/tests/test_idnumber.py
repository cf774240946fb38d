from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from gonghui.lib.idnumber import (
    IdNumberError,
    check_digit,
    normalize_id_number,
    parse_id_number,
    upgrade_15_to_18,
    validate_id_number,
)
from gonghui.lib.regions import PROVINCE_CODES

TODAY = date(2024, 6, 1)


def make(first17: str) -> str:
    return first17 + check_digit(first17)


def error_of(raw, **kwargs) -> IdNumberError:
    with pytest.raises(IdNumberError) as info:
        parse_id_number(raw, today=TODAY, **kwargs)
    return info.value


# --- check digits -----------------------------------------------------------------------------


def test_check_digit_matches_published_examples():
    # The example of GB 11643-1999 (weighted sum 167, 167 mod 11 = 2 → X) and one worked by hand:
    # 44052419800101001 has weighted sum 196, 196 mod 11 = 9 → 3.
    assert check_digit("11010519491231002") == "X"
    assert check_digit("44052419800101001") == "3"


def test_check_digit_rejects_anything_but_17_ascii_digits():
    for bad in ["1101051949123100", "110105194912310021", "1101051949123100X", "１1010519491231002"]:
        with pytest.raises(ValueError):
            check_digit(bad)


# --- valid numbers ----------------------------------------------------------------------------


def test_it_accepts_a_valid_18_digit_number_and_takes_it_apart():
    value = make("33010619850612002")
    parsed = parse_id_number(value, today=TODAY)
    assert parsed.value == value
    assert parsed.region_code == "330106"
    assert parsed.birth_date == date(1985, 6, 12)
    assert parsed.gender == "F"  # 17th digit 2 is even
    assert parsed.warnings == ()


def test_an_odd_17th_digit_means_male():
    assert parse_id_number(make("33010619850612001"), today=TODAY).gender == "M"


def test_it_accepts_the_x_check_character_in_lower_case():
    parsed = parse_id_number("11010519491231002x", today=TODAY)
    assert parsed.value == "11010519491231002X"


def test_it_normalises_full_width_digits_and_spaces():
    raw = "１１０１０５\u3000１９４９１２３１\u00a0００２ｘ "
    assert normalize_id_number(raw) == "11010519491231002X"
    assert parse_id_number(raw, today=TODAY).value == "11010519491231002X"


def test_normalise_strips_zero_width_characters_from_copy_and_paste():
    assert normalize_id_number("\ufeff110105\u200b19491231002X") == "11010519491231002X"


def test_age_on_counts_completed_years():
    parsed = parse_id_number(make("33010619850612001"), today=TODAY)
    assert parsed.age_on(date(2024, 6, 11)) == 38
    assert parsed.age_on(date(2024, 6, 12)) == 39


def test_it_accepts_hong_kong_macau_and_taiwan_residence_permits_without_warnings():
    for prefix in ("810000", "820000", "830000"):
        parsed = parse_id_number(make(prefix + "19900101123"), today=TODAY)
        assert parsed.region_code == prefix
        assert parsed.warnings == ()


def test_an_unknown_region_is_a_warning_not_an_error():
    # 110103 was 崇文区, merged into 东城区 in 2010; people still carry numbers issued there.
    parsed = parse_id_number(make("11010319800101001"), today=TODAY)
    assert parsed.region_code == "110103"
    assert len(parsed.warnings) == 1
    assert "110103" in parsed.warnings[0]


# --- 15-digit numbers -------------------------------------------------------------------------


def test_a_15_digit_number_is_upgraded_to_18():
    assert upgrade_15_to_18("110105900101123") == "110105199001011232"
    parsed = parse_id_number("110105900101123", today=TODAY)
    assert parsed.value == "110105199001011232"
    assert parsed.birth_date == date(1990, 1, 1)
    assert parsed.gender == "M"


def test_a_15_digit_number_with_an_impossible_date_is_rejected():
    assert error_of("110105900230123").code == "birth_date"


def test_a_15_digit_number_with_a_letter_is_rejected():
    assert error_of("11010590010112X").code == "chars"


# --- errors -----------------------------------------------------------------------------------


def test_it_rejects_an_empty_number():
    for raw in ["", "   ", "\u3000", None]:
        assert error_of(raw).code == "empty"


def test_it_rejects_a_wrong_check_digit_naming_expected_and_found():
    error = error_of("110105194912310021")
    assert error.code == "checksum"
    assert error.params == {"expected": "X", "found": "1"}
    with translation.override("en"):
        assert str(error.message) == "Wrong check digit: expected X, found 1"


def test_it_rejects_the_wrong_length():
    error = error_of("1101051949123100")
    assert error.code == "length"
    assert error.params == {"n": 16}


def test_it_rejects_letters_among_the_first_17_characters():
    assert error_of("1101051949123100AX").code == "chars"
    assert error_of("X10105194912310021").code == "chars"


@pytest.mark.parametrize("prefix", ["00", "99", "10", "72", "84"])
def test_it_rejects_a_number_that_does_not_start_with_a_province(prefix):
    error = error_of(make(prefix + "010519900101123"))
    assert error.code == "province"
    assert error.params == {"code": prefix}


@pytest.mark.parametrize("birth", ["19900230", "19901301", "19900000", "20230229"])
def test_it_rejects_a_birth_date_that_does_not_exist(birth):
    assert error_of(make("110105" + birth + "123")).code == "birth_date"


def test_it_rejects_a_birth_date_in_the_future():
    tomorrow = TODAY + timedelta(days=1)
    error = error_of(make("110105" + tomorrow.strftime("%Y%m%d") + "123"))
    assert error.code == "birth_date"
    assert error.template is not error_of(make("11010519900230123")).template


def test_a_birth_date_of_today_is_accepted():
    assert parse_id_number(make("110105" + TODAY.strftime("%Y%m%d") + "123"), today=TODAY)


def test_it_rejects_a_birth_date_before_1900():
    assert error_of(make("11010518991231123")).code == "birth_date"


@pytest.mark.parametrize(
    "raw",
    ["1.10105E+17", "1.10105199001E+17", "1.10105e17", "110105199001011000.0", "110105199001011000.00"],
)
def test_it_recognises_numbers_mangled_by_a_spreadsheet(raw):
    assert error_of(raw).code == "numeric_cell"


def test_a_float_from_a_spreadsheet_reader_is_a_numeric_cell():
    assert error_of(110105199001011232.0).code == "numeric_cell"


def test_error_messages_are_translatable_and_interpolated():
    error = error_of("123")
    with translation.override("en"):
        assert "this one has 3" in str(error.message)
        assert str(error) == str(error.message)


def test_the_django_validator_raises_validation_error_with_the_code():
    validate_id_number("11010519491231002X")
    with pytest.raises(ValidationError) as info:
        validate_id_number("110105194912310021")
    assert info.value.code == "checksum"
    with translation.override("en"):
        assert info.value.messages == ["Wrong check digit: expected X, found 1"]


# --- properties -------------------------------------------------------------------------------

PROVINCES = sorted(PROVINCE_CODES)
birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)


@st.composite
def valid_numbers(draw) -> str:
    province = draw(st.sampled_from(PROVINCES))
    region_rest = draw(st.text("0123456789", min_size=4, max_size=4))
    born = draw(birth_dates).strftime("%Y%m%d")
    sequence = draw(st.text("0123456789", min_size=3, max_size=3))
    return make(province + region_rest + born + sequence)


@given(valid_numbers())
def test_any_number_with_a_province_a_real_date_and_its_check_digit_parses(value):
    parsed = parse_id_number(value, today=TODAY)
    assert parsed.value == value
    assert parsed.birth_date.strftime("%Y%m%d") == value[6:14]


@given(valid_numbers(), st.integers(0, 17), st.sampled_from("0123456789X"))
def test_changing_any_single_character_makes_a_valid_number_invalid(value, position, char):
    # Every weight of MOD 11-2 is non-zero modulo the prime 11, so a single substitution always
    # changes the sum modulo 11; substitutions that break the format are caught even earlier.
    if value[position] == char:
        char = "1" if char == "0" else "0"
    changed = value[:position] + char + value[position + 1 :]
    with pytest.raises(IdNumberError):
        parse_id_number(changed, today=TODAY)


@given(st.text(max_size=40))
def test_parse_raises_only_id_number_errors_on_arbitrary_text(raw):
    try:
        parse_id_number(raw, today=TODAY)
    except IdNumberError:
        pass
