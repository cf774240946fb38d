"""Pages of capability building: home, cadre list and forms, the capability file, framework editing."""

from datetime import date

import pytest
from django.utils.translation import gettext as _

from gonghui.capability.choices import Position
from gonghui.capability.models import Cadre, CadrePost, Framework
from gonghui.capability.services.frameworks import framework_copy
from gonghui.capability.testing import default_framework, make_cadre
from gonghui.core.choices import AuditAction
from gonghui.core.models import AuditEntry
from gonghui.lib.testing import make_user


@pytest.fixture
def cadre(tree, people):
    return make_cadre(tree.west_a, user=people.cadre, name="张伟")


def test_home_shows_the_framework_in_force_with_its_rubric(login, people):
    page = login(people.cadre).get("/capability/").content.decode()
    assert "团结凝聚组织职工的本领" in page
    assert "能按时办理入会申请和会员转会" in page  # a level descriptor
    assert str(_("No work data yet")) in page  # develop has no indicators


def test_the_cadre_list_shows_cadres_in_scope_only(login, people, tree, cadre):
    make_cadre(tree.east_a, name="韩梅")
    page = login(people.district_admin).get("/capability/cadres/").content.decode()
    assert "张伟" in page and "韩梅" not in page


def test_the_cadre_list_filters_by_position_and_searches_names(login, people, tree, cadre):
    make_cadre(tree.west_b, name="刘洋", position=Position.STAFF)
    client = login(people.district_admin)
    page = client.get("/capability/cadres/", {"position": Position.STAFF}).content.decode()
    assert "刘洋" in page and "张伟" not in page
    page = client.get("/capability/cadres/", {"q": "张"}).content.decode()
    assert "张伟" in page and "刘洋" not in page


def test_a_post_in_another_subtree_makes_the_cadre_visible_there(login, people, tree, cadre):
    east_admin = make_user("east_admin", unit=tree.east, role="admin", name="孙倩")
    assert login(east_admin).get(f"/capability/cadres/{cadre.pk}/").status_code == 404
    CadrePost.objects.create(
        cadre=cadre, org_unit=tree.east_a, position=Position.COMMITTEE_MEMBER, since=date(2024, 1, 1)
    )
    assert login(east_admin).get(f"/capability/cadres/{cadre.pk}/").status_code == 200


def test_it_answers_404_for_a_file_outside_the_scope_and_audits_the_attempt(login, people, cadre):
    response = login(people.sibling_cadre).get(f"/capability/cadres/{cadre.pk}/")
    assert response.status_code == 404
    assert AuditEntry.objects.filter(action=AuditAction.DENIED, object_id=str(cadre.pk)).exists()


def test_a_cadre_sees_their_own_file_and_the_view_is_audited(login, tree):
    worker = make_user("part_timer", unit=tree.west_a, name="钱芳")  # no role at all
    own = make_cadre(tree.west_a, user=worker, name="钱芳")
    response = login(worker).get(f"/capability/cadres/{own.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "团结凝聚组织职工的本领" in page
    assert 'id="training"' in page  # the cadre's training hours of the year
    assert AuditEntry.objects.filter(action=AuditAction.REVEAL, object_id=str(own.pk), actor=worker).exists()
    assert login(worker).get("/capability/me/").url == own.get_absolute_url()


def test_the_file_shows_no_work_data_and_no_number_for_a_cadre_without_account(login, people, tree):
    nobody = make_cadre(tree.west_a, name="周明辉")
    page = login(people.district_admin).get(f"/capability/cadres/{nobody.pk}/").content.decode()
    assert page.count(str(_("No work data yet"))) >= 5


def test_the_file_refuses_a_period_that_ends_before_it_starts(login, people, cadre):
    page = login(people.cadre).get(f"/capability/cadres/{cadre.pk}/", {"start": "2025-05-01", "end": "2025-01-01"})
    assert str(_("The end date is before the start date.")) in page.content.decode()


def test_it_creates_a_cadre_with_a_first_post(login, people, tree):
    response = login(people.district_admin).post(
        "/capability/cadres/new/",
        {
            "org_unit": tree.west_b.code,
            "name": "马丽",
            "username": "cadre_b",
            "employment": "part_time",
            "position": "chair",
        },
    )
    cadre = Cadre.objects.get(name="马丽")
    assert response.url == cadre.get_absolute_url()
    assert cadre.user == people.sibling_cadre
    assert cadre.posts.get().position == Position.CHAIR


def test_it_refuses_a_cadre_in_a_unit_outside_the_scope_and_keeps_the_input(login, people, tree):
    response = login(people.district_admin).post(
        "/capability/cadres/new/", {"org_unit": tree.east_a.code, "name": "马丽", "employment": "part_time"}
    )
    assert response.status_code == 200
    assert "马丽" in response.content.decode()
    assert not Cadre.objects.exists()


def test_it_refuses_linking_an_account_that_is_another_cadres(login, people, tree, cadre):
    response = login(people.district_admin).post(
        "/capability/cadres/new/",
        {"org_unit": tree.west_b.code, "name": "马丽", "username": "cadre_a", "employment": "part_time"},
    )
    assert response.status_code == 200
    assert Cadre.objects.count() == 1


def test_it_ends_a_post(login, people, cadre):
    post = cadre.posts.get()
    login(people.district_admin).post(f"/capability/posts/{post.pk}/end/", {"until": "2025-06-30"})
    post.refresh_from_db()
    assert post.until == date(2025, 6, 30)


def test_a_federation_admin_makes_edits_and_publishes_a_version(login, people, tree):
    client = login(people.federation_admin)
    response = client.post(f"/capability/frameworks/{default_framework().pk}/copy/")
    draft = Framework.objects.get(owner=tree.city)
    assert response.url == draft.get_absolute_url()
    organize = draft.capabilities.get(code="organize")
    form = client.get(f"/capability/capabilities/{organize.pk}/edit/").context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["weight_0"] = int(data["weight_0"]) - 1  # the nine weights now add up to 99
    response = client.post(f"/capability/capabilities/{organize.pk}/edit/", data)
    assert response.status_code == 200
    assert "99" in " ".join(str(e) for e in response.context["form"].non_field_errors())
    data["weight_0"] = int(data["weight_0"]) + 1
    data["title_1"] = "入门"
    response = client.post(f"/capability/capabilities/{organize.pk}/edit/", data)
    assert response.status_code == 302
    assert organize.levels.get(level=1).title == "入门"
    client.post(f"/capability/frameworks/{draft.pk}/publish/")
    draft.refresh_from_db()
    assert draft.status == "published"
    assert "入门" in login(people.cadre).get("/capability/").content.decode()


def test_editing_a_published_version_is_refused(login, people, tree):
    organize = default_framework().capabilities.get(code="organize")
    assert login(people.federation_admin).get(f"/capability/capabilities/{organize.pk}/edit/").status_code == 404
    draft = framework_copy(actor=people.federation_admin, source=default_framework(), owner=tree.city)
    draft.status = "published"
    draft.save()
    capability = draft.capabilities.get(code="organize")
    response = login(people.federation_admin).get(f"/capability/capabilities/{capability.pk}/edit/")
    assert response.status_code == 302


def test_cadres_may_not_edit_frameworks(login, people):
    response = login(people.cadre).post(f"/capability/frameworks/{default_framework().pk}/copy/")
    assert response.status_code == 404
    assert not Framework.objects.filter(owner__isnull=False).exists()


def test_a_framework_of_another_tree_is_not_found(login, people, tree):
    other = framework_copy(actor=people.outsider, source=default_framework(), owner=tree.other)
    assert login(people.federation_admin).get(other.get_absolute_url()).status_code == 404
