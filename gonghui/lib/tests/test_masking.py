import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonghui.lib.masking import mask_id_number, mask_name, mask_phone, mask_text


def test_an_id_number_keeps_region_and_last_four():
    assert mask_id_number("110105199001011234") == "110105********1234"


def test_an_id_number_of_another_length_keeps_less():
    assert mask_id_number("110105900101123") == "110**********23"


def test_a_short_id_number_is_all_stars():
    assert mask_id_number("12345") == "*****"


@pytest.mark.parametrize("value", [None, ""])
def test_an_empty_id_number_masks_to_nothing(value):
    assert mask_id_number(value) == ""


def test_a_mobile_number_keeps_first_three_and_last_four():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+86 138 1234 5678") == "+86 138****5678"


def test_a_landline_keeps_area_code_and_last_four():
    assert mask_phone("0571-88886666") == "0571-****6666"
    assert mask_phone("010-1234567") == "010-***4567"


def test_other_phone_numbers_keep_ends_only_when_long_enough():
    assert mask_phone("+44 20 7946 0958") == "+44*********0958"
    assert mask_phone("12345") == "*****"
    assert mask_phone(None) == ""


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("张三丰", "张*丰"),
        ("欧阳娜娜", "欧**娜"),
        ("王", "*"),
        ("John Smith", "J*"),
        ("", ""),
    ],
)
def test_names_keep_the_surname_character(name, masked):
    assert mask_name(name) == masked


def test_mask_text_does_not_leak_the_length():
    assert mask_text("a") == "******"
    assert mask_text("a much longer address") == "******"
    assert mask_text("浙江省杭州市西湖区文三路", keep=3) == "浙江省******"


def test_mask_text_never_keeps_more_than_half():
    assert mask_text("abcd", keep=10) == "ab******"


class Unprintable:
    def __str__(self):
        raise RuntimeError("no")


odd_values = st.one_of(
    st.none(),
    st.text(),
    st.integers(),
    st.floats(allow_nan=True),
    st.binary(),
    st.just(Unprintable()),
)


@given(odd_values, st.one_of(st.integers(), st.none(), st.text(max_size=3)))
def test_masking_never_raises_and_always_returns_text(value, keep):
    for mask in (mask_id_number, mask_phone, mask_name):
        assert isinstance(mask(value), str)
    assert isinstance(mask_text(value, keep=keep), str)


@given(st.text(alphabet="0123456789", min_size=18, max_size=18))
def test_a_masked_id_number_hides_the_birth_date(value):
    assert mask_id_number(value)[6:14] == "*" * 8
