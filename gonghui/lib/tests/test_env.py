import pytest

from gonghui.lib.env import database_from_url
from gonghui.lib.phone import normalize_mobile, normalize_phone


def test_database_urls_for_both_databases():
    assert database_from_url("sqlite:////var/lib/gonghui/db.sqlite3")["NAME"] == "/var/lib/gonghui/db.sqlite3"
    pg = database_from_url("postgresql://gh:p%40ss@db.internal:5433/gonghui?sslmode=require")
    assert (pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"], pg["NAME"]) == (
        "gh",
        "p@ss",
        "db.internal",
        "5433",
        "gonghui",
    )
    assert pg["OPTIONS"] == {"sslmode": "require"}
    with pytest.raises(ValueError):
        database_from_url("mysql://x/y")


@pytest.mark.parametrize("raw", ["13812345678", "+86 138 1234 5678", "0086-138-1234-5678", "１３８１２３４５６７８"])
def test_mobile_numbers_in_common_forms(raw):
    assert normalize_mobile(raw) == "13812345678"


@pytest.mark.parametrize("raw", ["12812345678", "1381234567", "abc", "", "010-12345678"])
def test_not_mobile_numbers(raw):
    with pytest.raises(ValueError):
        normalize_mobile(raw)


def test_landlines_keep_their_area_code():
    assert normalize_phone("057188886666") == "0571-88886666"
    assert normalize_phone("010 12345678") == "010-12345678"
