import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from gonghui.lib.creditcode import (
    ALPHABET,
    CreditCodeError,
    credit_code_check_digit,
    normalize_credit_code,
    parse_credit_code,
    validate_credit_code,
)

# A published code, and codes built here for a grassroots trade union (81), a social organisation
# (51) and an individual business (92); their check characters were computed, not copied.
KNOWN_VALID = "91350100M000100Y43"


def make(first17: str) -> str:
    return first17 + credit_code_check_digit(first17)


def error_of(raw) -> CreditCodeError:
    with pytest.raises(CreditCodeError) as info:
        parse_credit_code(raw)
    return info.value


def test_it_accepts_a_known_valid_code_and_takes_it_apart():
    parsed = parse_credit_code(KNOWN_VALID)
    assert parsed.value == KNOWN_VALID
    assert parsed.authority == "9"
    assert parsed.org_type == "1"
    assert parsed.region_code == "350100"
    assert parsed.org_code == "M000100Y4"


def test_check_digit_of_the_known_code_is_3():
    assert credit_code_check_digit(KNOWN_VALID[:17]) == "3"


@pytest.mark.parametrize("first17", ["81330106MC1234567", "51110000500000012", "92440300MA5F0000X"])
def test_it_accepts_codes_with_a_computed_check_character(first17):
    assert parse_credit_code(make(first17)).value == make(first17)


def test_a_check_sum_of_zero_gives_check_character_0():
    assert credit_code_check_digit("0" * 17) == "0"


def test_it_normalises_spaces_full_width_characters_and_case():
    assert normalize_credit_code(" ９１３５０１００ｍ０００１００ｙ４３\u3000") == KNOWN_VALID
    assert normalize_credit_code("91350100m000100y43") == KNOWN_VALID
    assert parse_credit_code("9135 0100 M000 100Y 43").value == KNOWN_VALID


def test_letter_o_is_not_silently_turned_into_zero():
    assert normalize_credit_code("9135O100M000100Y43") == "9135O100M000100Y43"
    error = error_of("9135O100M000100Y43")
    assert error.code == "chars"
    assert error.params == {"char": "O", "pos": 5}


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_forbidden_letters_are_named_in_the_message(letter):
    raw = KNOWN_VALID[:9] + letter + KNOWN_VALID[10:]
    error = error_of(raw)
    assert error.code == "chars"
    with translation.override("en"):
        assert f"Character {letter} at position 10" in str(error.message)


def test_it_rejects_an_empty_code():
    for raw in ["", "  ", None]:
        assert error_of(raw).code == "empty"


def test_it_rejects_the_wrong_length():
    error = error_of(KNOWN_VALID[:-1])
    assert error.code == "length"
    assert error.params == {"n": 17}


def test_it_rejects_a_wrong_check_digit_naming_expected_and_found():
    error = error_of(KNOWN_VALID[:-1] + "4")
    assert error.code == "checksum"
    assert error.params == {"expected": "3", "found": "4"}


def test_it_rejects_letters_in_the_region_code():
    assert error_of(make("9135A100M000100Y4")).code == "region"


def test_check_digit_rejects_characters_outside_the_alphabet():
    with pytest.raises(ValueError):
        credit_code_check_digit("9135O100M000100Y4")
    with pytest.raises(ValueError):
        credit_code_check_digit("91350100")


def test_the_django_validator_raises_validation_error_with_the_code():
    validate_credit_code(KNOWN_VALID)
    with pytest.raises(ValidationError) as info:
        validate_credit_code(KNOWN_VALID[:-1] + "4")
    assert info.value.code == "checksum"


# --- properties -------------------------------------------------------------------------------

valid_codes = st.builds(
    lambda head, region, org: make(head + region + org),
    st.text(ALPHABET, min_size=2, max_size=2),
    st.text("0123456789", min_size=6, max_size=6),
    st.text(ALPHABET, min_size=9, max_size=9),
)


@given(valid_codes)
def test_any_code_with_its_check_character_parses(value):
    assert parse_credit_code(value).value == value


@given(valid_codes, st.integers(0, 17), st.sampled_from(ALPHABET + "IOSVZ"))
def test_every_single_character_substitution_is_detected(value, position, char):
    # The weights 3**i mod 31 are all non-zero modulo the prime 31, so any substitution changes
    # the weighted sum modulo 31.
    if value[position] == char:
        char = "1" if char == "0" else "0"
    with pytest.raises(CreditCodeError):
        parse_credit_code(value[:position] + char + value[position + 1 :])


@given(st.text(max_size=40))
def test_parse_raises_only_credit_code_errors_on_arbitrary_text(raw):
    try:
        parse_credit_code(raw)
    except CreditCodeError:
        pass
