"""Chinese search tokens, and the search table on the configured database."""

import pytest
from django.db import connection

from gonghui.core.models import OrgUnit
from gonghui.lib.search import SearchIndex, name_tokens, query_terms


def test_names_index_every_character_and_pair():
    assert name_tokens("张伟") == ["伟", "张", "张伟"]
    assert set(name_tokens("欧阳娜娜")) >= {"欧阳", "阳娜", "娜娜", "欧"}


def test_latin_words_are_lower_cased_and_matched_by_prefix():
    assert "abc" in name_tokens("ABC科技")
    assert query_terms("Ab") == [("ab", True)]


def test_full_width_text_is_normalised():
    assert name_tokens("ＡＢＣ１２") == ["abc12"]


def test_a_query_needs_all_its_pairs():
    assert query_terms("西湖区") == [("西湖", False), ("湖区", False)]
    assert query_terms("张") == [("张", False)]
    assert query_terms("  ") == []


@pytest.mark.django_db
def test_the_index_finds_two_character_names_on_this_database():
    index = SearchIndex("core_orgunit_search")
    index.replace(
        [
            (1, name_tokens("李娜")),
            (2, name_tokens("李娜娜")),
            (3, name_tokens("王李")),
            (4, name_tokens("Zhang 伟")),
        ]
    )
    with connection.cursor() as cursor:

        def ids(query):
            sql = index.matching_ids(query)
            cursor.execute(sql.sql, sql.params)
            return sorted(row[0] for row in cursor.fetchall())

        assert ids("李娜") == [1, 2]
        assert ids("娜娜") == [2]
        assert ids("李") == [1, 2, 3]
        assert ids("zha") == [4]
    index.delete([2])
    with connection.cursor() as cursor:
        sql = index.matching_ids("娜娜")
        cursor.execute(sql.sql, sql.params)
        assert cursor.fetchall() == []


@pytest.mark.django_db
def test_quotes_in_a_query_cannot_break_out(tree):
    index = SearchIndex("core_orgunit_search")
    for query in ['"', "'", "a' OR '1'='1", 'x" OR "y', "\\", "*", "西湖'"]:
        assert index.filter(OrgUnit.objects.all(), query).count() >= 0
