import pytest
from django.core.exceptions import ValidationError

from gonghui.lib.regions import (
    PROVINCE_CODES,
    children,
    full_name,
    get_region,
    is_known,
    province_name,
    search,
    validate_region_code,
)


def test_it_knows_a_county_with_its_parent_and_level():
    region = get_region("330106")
    assert region.name == "西湖区"
    assert region.parent_code == "330100"
    assert region.level == 3
    assert get_region("330100").level == 2
    assert get_region("330000").level == 1
    assert get_region("330000").parent_code is None


def test_full_name_joins_province_city_and_county():
    assert full_name("330106") == "浙江省杭州市西湖区"


def test_full_name_skips_the_placeholder_cities_of_municipalities():
    assert full_name("110105") == "北京市朝阳区"
    assert full_name("500229") == "重庆市城口县"
    assert full_name("429004") == "湖北省仙桃市"


def test_full_name_of_an_unknown_code_is_empty():
    assert full_name("999999") == ""


def test_municipality_placeholders_are_real_codes_with_a_parent():
    region = get_region("110100")
    assert region.name == "市辖区"
    assert region.parent_code == "110000"


def test_cities_without_counties_appear_once():
    assert get_region("441900").name == "东莞市"
    assert get_region("441900").level == 2
    assert children("441900") == []


def test_statistical_zones_are_not_administrative_regions():
    # 330171-style codes are the statistics bureau's development zones, not GB/T 2260.
    assert not is_known("130171")


def test_hong_kong_macau_and_taiwan_are_provinces():
    assert province_name("71") == "台湾省"
    assert province_name("81") == "香港特别行政区"
    assert province_name("82") == "澳门特别行政区"


def test_83_is_an_id_number_prefix_but_not_a_region():
    assert "83" in PROVINCE_CODES
    assert province_name("83") is None
    assert not is_known("830000")


def test_province_codes_match_the_provinces_of_the_table():
    assert {region.code[:2] for region in children(None)} | {"83"} == PROVINCE_CODES


def test_province_name_of_odd_input_is_none():
    for code in ["", "1", "111", None, "99"]:
        assert province_name(code) is None


def test_children_of_a_city_include_its_counties_sorted_by_code():
    codes = [region.code for region in children("330100")]
    assert "330106" in codes
    assert codes == sorted(codes)
    assert all(region.parent_code == "330100" for region in children("330100"))


def test_children_of_none_are_the_34_provinces():
    provinces = children(None)
    assert len(provinces) == 34
    assert all(region.level == 1 for region in provinces)


def test_is_known_of_odd_input_is_false():
    for code in ["", None, 110105, "11010", "abcdef"]:
        assert not is_known(code)


def test_the_validator_accepts_known_codes_and_rejects_unknown_ones():
    validate_region_code("110105")
    with pytest.raises(ValidationError) as info:
        validate_region_code("110199")
    assert info.value.code == "unknown_region"


def test_search_finds_by_name_and_by_code_with_provinces_first():
    names = [region.name for region in search("西湖")]
    assert "西湖区" in names
    by_code = search("33", limit=5)
    assert by_code[0].code == "330000"
    assert len(by_code) == 5
    assert all(region.code.startswith("33") for region in by_code)


def test_search_leaves_out_placeholders_and_empty_queries():
    assert all(region.name != "市辖区" for region in search("市辖区"))
    assert search("") == []
    assert search("  ") == []
