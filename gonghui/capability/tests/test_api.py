"""/api/v1/capability: frameworks, indicators, one cadre's values (scoped like the file)."""

from gonghui.capability.testing import default_framework, make_cadre
from gonghui.core.choices import AuditAction
from gonghui.core.models import AuditEntry


def test_it_lists_the_frameworks_and_one_with_its_contents(login, people):
    client = login(people.cadre)
    versions = client.get("/api/v1/capability/frameworks").json()
    assert [v["id"] for v in versions] == [default_framework().pk]
    detail = client.get(f"/api/v1/capability/frameworks/{default_framework().pk}").json()
    assert len(detail["capabilities"]) == 5
    assert all(len(c["levels"]) == 5 for c in detail["capabilities"])


def test_it_lists_the_discovered_indicators(login, people):
    found = login(people.cadre).get("/api/v1/capability/indicators").json()
    assert {"organize.members_recruited", "organize.unit_members_growth_rate"} <= {i["code"] for i in found}
    assert all(i["code"].startswith(i["capability"] + ".") for i in found)


def test_it_gives_a_cadres_values_for_a_period_in_scope(login, people, tree):
    cadre = make_cadre(tree.west_a, user=people.cadre)
    response = login(people.district_admin).get(
        f"/api/v1/capability/cadres/{cadre.pk}/indicators", {"start": "2025-01-01", "end": "2025-12-31"}
    )
    body = response.json()
    assert response.status_code == 200
    organize = next(c for c in body["capabilities"] if c["code"] == "organize")
    assert {i["indicator"] for i in organize["indicators"]} >= {"organize.members_recruited"}
    develop = next(c for c in body["capabilities"] if c["code"] == "develop")
    assert develop["score"] is None and develop["indicators"] == []
    assert AuditEntry.objects.filter(action=AuditAction.REVEAL, object_id=str(cadre.pk)).exists()


def test_it_answers_404_for_a_cadre_outside_the_scope(login, people, tree):
    cadre = make_cadre(tree.west_a, user=people.cadre)
    assert login(people.sibling_cadre).get(f"/api/v1/capability/cadres/{cadre.pk}/indicators").status_code == 404


def test_it_refuses_a_period_that_ends_before_it_starts(login, people, tree):
    cadre = make_cadre(tree.west_a, user=people.cadre)
    response = login(people.cadre).get(
        f"/api/v1/capability/cadres/{cadre.pk}/indicators", {"start": "2025-05-01", "end": "2025-01-01"}
    )
    assert response.status_code in (400, 422)
