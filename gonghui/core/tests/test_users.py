"""Accounts and roles: a federation admin manages users and roles inside their subtree only."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gonghui.core import services
from gonghui.core.models import AuditEntry, RoleAssignment, User


def roles():
    return sorted(RoleAssignment.objects.values_list("user__username", "org_unit__code", "role"))


@pytest.mark.django_db
class TestUserServices:
    def test_an_admin_creates_an_account_in_the_subtree(self, people, tree):
        user = services.user_create(
            actor=people.district_admin,
            username="newcadre",
            name="孙丽",
            org_unit=tree.west_b,
            password="湖滨路上的工会2026",
            phone="13600001111",
        )
        assert user.check_password("湖滨路上的工会2026") and user.phone == "13600001111"
        assert AuditEntry.objects.filter(action="create", object_id=str(user.pk)).exists()

    def test_an_admin_cannot_create_an_account_in_another_district(self, people, tree):
        with pytest.raises(PermissionDenied):
            services.user_create(
                actor=people.district_admin,
                username="x",
                name="x",
                org_unit=tree.east,
                password="湖滨路上的工会2026",
            )
        assert not User.objects.filter(username="x").exists()

    def test_a_cadre_manages_no_accounts(self, people, tree):
        with pytest.raises(PermissionDenied):
            services.user_create(
                actor=people.cadre,
                username="x",
                name="x",
                org_unit=tree.west_a,
                password="湖滨路上的工会2026",
            )

    def test_usernames_and_phones_are_unique(self, people, tree):
        people.cadre.phone = "13600002222"
        people.cadre.save()
        with pytest.raises(ValidationError) as error:
            services.user_create(
                actor=people.district_admin,
                username="CADRE_A",
                name="x",
                org_unit=tree.west_a,
                password="湖滨路上的工会2026",
            )
        assert "username" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            services.user_create(
                actor=people.district_admin,
                username="other",
                name="x",
                org_unit=tree.west_a,
                password="湖滨路上的工会2026",
                phone="136 0000 2222",
            )
        assert "phone" in error.value.message_dict

    def test_phone_numbers_are_encrypted_and_found_by_blind_index(self, people):
        from django.db import connection

        people.cadre.phone = "13600003333"
        people.cadre.save()
        with connection.cursor() as cursor:
            cursor.execute("SELECT phone, phone_index FROM core_user WHERE id = %s", [people.cadre.pk])
            raw, index = cursor.fetchone()
        assert b"13600003333" not in bytes(raw) and "13600003333" not in index
        assert list(User.objects.by_phone("+86 136-0000-3333")) == [people.cadre]

    def test_an_admin_cannot_move_an_account_out_of_the_subtree(self, people, tree):
        with pytest.raises(PermissionDenied):
            services.user_update(actor=people.district_admin, user=people.cadre, org_unit=tree.east)
        assert User.objects.get(pk=people.cadre.pk).org_unit == tree.west_a

    def test_an_admin_cannot_deactivate_themselves(self, people):
        with pytest.raises(ValidationError):
            services.user_update(actor=people.district_admin, user=people.district_admin, is_active=False)


@pytest.mark.django_db
class TestRoles:
    def test_granting_a_role_in_scope_is_audited(self, people, tree):
        services.role_grant(actor=people.district_admin, user=people.cadre, org_unit=tree.west_b, role="viewer")
        assert ("cadre_a", "330106-002", "viewer") in roles()
        assert AuditEntry.objects.filter(action="grant", detail__unit="330106-002").exists()

    def test_granting_a_role_outside_scope_is_refused_and_changes_nothing(self, people, tree):
        before = roles()
        with pytest.raises(PermissionDenied):
            services.role_grant(actor=people.district_admin, user=people.cadre, org_unit=tree.east, role="admin")
        with pytest.raises(PermissionDenied):  # nor to an account managed elsewhere
            services.role_grant(actor=people.district_admin, user=people.outsider, org_unit=tree.west_a, role="viewer")
        assert roles() == before

    def test_a_duplicate_grant_says_so(self, people, tree):
        with pytest.raises(ValidationError):
            services.role_grant(actor=people.district_admin, user=people.cadre, org_unit=tree.west_a, role="cadre")

    def test_an_admin_cannot_revoke_their_own_admin_role(self, people):
        assignment = people.district_admin.role_assignments.get()
        with pytest.raises(ValidationError):
            services.role_revoke(actor=people.district_admin, assignment=assignment)
        assert RoleAssignment.objects.filter(pk=assignment.pk).exists()

    def test_revoking_takes_the_scope_away(self, people, tree):
        from gonghui.core.models import OrgUnit

        assignment = people.cadre.role_assignments.get()
        services.role_revoke(actor=people.district_admin, assignment=assignment)
        assert not OrgUnit.objects.restrict(User.objects.get(pk=people.cadre.pk), "view").exists()


@pytest.mark.django_db
class TestUserPages:
    def test_the_user_list_shows_only_accounts_of_the_subtree(self, login, people):
        page = login(people.district_admin).get("/users/").content.decode()
        assert "cadre_a" in page and "fed_admin" not in page and "outsider" not in page

    def test_people_without_the_right_get_404(self, login, people):
        assert login(people.cadre).get("/users/").status_code == 404
        assert login(people.district_admin).get(f"/users/{people.federation_admin.pk}/").status_code == 404

    def test_a_form_error_keeps_what_was_typed(self, login, people):
        response = login(people.district_admin).post(
            "/users/new/",
            {
                "username": "new_one",
                "name": "吴敏",
                "phone": "123",
                "org_unit": "330106-001",
                "password1": "湖滨路上的工会2026",
                "password2": "湖滨路上的工会2026",
            },
        )
        assert response.status_code == 200
        assert response.context["form"].errors["phone"]
        assert 'value="new_one"' in response.content.decode()

    def test_granting_and_revoking_through_the_pages(self, login, people, tree):
        client = login(people.district_admin)
        response = client.post(f"/users/{people.cadre.pk}/roles/", {"org_unit": "330106-002", "role": "viewer"})
        assert response.status_code == 302
        assignment = RoleAssignment.objects.get(user=people.cadre, role="viewer")
        assert client.get(f"/roles/{assignment.pk}/revoke/").status_code == 200  # asks first
        assert RoleAssignment.objects.filter(pk=assignment.pk).exists()
        client.post(f"/roles/{assignment.pk}/revoke/")
        assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()

    def test_a_role_on_a_unit_outside_scope_is_refused_with_a_message(self, login, people):
        client = login(people.district_admin)
        response = client.post(f"/users/{people.cadre.pk}/roles/", {"org_unit": "330102", "role": "admin"}, follow=True)
        assert "330102" in response.content.decode()
        assert not RoleAssignment.objects.filter(user=people.cadre, role="admin").exists()
