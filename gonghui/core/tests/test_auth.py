"""Logging in and out: username or phone, throttling, audit, server-side logout, idle expiry."""

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError

from gonghui.core import services
from gonghui.core.models import AuditEntry, User

PASSWORD = "correct horse battery"


def post_login(client, username, password=PASSWORD):
    return client.post("/login/", {"username": username, "password": password})


@pytest.mark.django_db
class TestLogin:
    def test_it_logs_in_with_the_username(self, client, people):
        response = post_login(client, "west_admin")
        assert response.status_code == 302 and response["Location"] == "/"
        assert AuditEntry.objects.filter(action="login", actor=people.district_admin, result="ok").exists()

    def test_it_logs_in_with_the_mobile_number_in_any_common_format(self, client, people):
        people.cadre.phone = "13912345678"
        people.cadre.save()
        assert post_login(client, "+86 139-1234-5678").status_code == 302
        assert client.get("/").context["user"] == people.cadre

    def test_a_wrong_password_is_refused_audited_and_says_what_to_do(self, client, people):
        response = post_login(client, "west_admin", "wrong password")
        assert response.status_code == 200
        assert "form" in response.context and response.context["form"].non_field_errors()
        entry = AuditEntry.objects.filter(action="login_failed").latest("seq")
        assert entry.actor == people.district_admin and entry.result == "denied"
        assert "_auth_user_id" not in client.session

    def test_an_unknown_phone_number_is_audited_masked(self, client, people):
        post_login(client, "13700001234", "whatever")
        entry = AuditEntry.objects.filter(action="login_failed").latest("seq")
        assert entry.actor is None and entry.object_repr == "137****1234"

    def test_it_locks_the_account_after_repeated_failures(self, client, people, settings):
        settings.GONGHUI_LOGIN_MAX_FAILURES = 3
        for _ in range(3):
            post_login(client, "west_admin", "wrong")
        response = post_login(client, "west_admin")  # the right password, but locked
        assert response.status_code == 200
        assert "15" in str(response.context["form"].non_field_errors())
        assert AuditEntry.objects.filter(action="login_failed", detail__reason="locked").exists()

    def test_unknown_names_are_throttled_like_real_ones(self, client, people, settings):
        settings.GONGHUI_LOGIN_MAX_FAILURES = 2
        for _ in range(2):
            post_login(client, "nobody", "wrong")
        response = post_login(client, "nobody", "wrong")
        assert "15" in str(response.context["form"].non_field_errors())

    def test_an_admin_unlocks_an_account(self, client, people, settings):
        settings.GONGHUI_LOGIN_MAX_FAILURES = 2
        for _ in range(2):
            post_login(client, "cadre_a", "wrong")
        services.user_unlock(actor=people.district_admin, user=people.cadre)
        assert post_login(client, "cadre_a").status_code == 302

    def test_one_client_address_is_limited_across_names(self, client, people, settings):
        settings.GONGHUI_LOGIN_MAX_FAILURES_PER_IP = 3
        for name in ("a1", "a2", "a3"):
            post_login(client, name, "wrong")
        assert post_login(client, "west_admin").status_code == 200

    def test_a_deactivated_account_cannot_log_in(self, client, people):
        people.cadre.is_active = False
        people.cadre.save()
        assert post_login(client, "cadre_a").status_code == 200

    def test_it_only_redirects_to_this_site_after_login(self, client, people):
        response = client.post("/login/?next=https://evil.example/", {"username": "west_admin", "password": PASSWORD})
        assert response["Location"] == "/"


@pytest.mark.django_db
def test_logout_ends_the_session_on_the_server(client, people):
    post_login(client, "west_admin")
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    client.post("/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/").status_code == 302
    assert AuditEntry.objects.filter(action="logout", actor=people.district_admin).exists()


@pytest.mark.django_db
def test_logout_needs_a_post(client, people):
    post_login(client, "west_admin")
    assert client.get("/logout/").status_code == 405


@pytest.mark.django_db
def test_sessions_expire_when_idle(client, people, settings):
    assert settings.SESSION_SAVE_EVERY_REQUEST and settings.SESSION_COOKIE_AGE == 30 * 60
    post_login(client, "west_admin")
    session = Session.objects.get(session_key=client.session.session_key)
    Session.objects.filter(pk=session.pk).update(expire_date=session.expire_date.replace(year=2000))
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_passwords_follow_the_validators(people):
    with pytest.raises(ValidationError):
        services.user_set_password(actor=people.cadre, user=people.cadre, password="12345678")
    with pytest.raises(ValidationError):
        services.user_set_password(actor=people.cadre, user=people.cadre, password="short")
    services.user_set_password(actor=people.cadre, user=people.cadre, password="西湖边的工会之家2026")
    assert User.objects.get(pk=people.cadre.pk).check_password("西湖边的工会之家2026")


@pytest.mark.django_db
def test_a_user_changes_their_password_with_the_old_one(client, people):
    client.force_login(people.cadre)
    response = client.post(
        "/password/", {"old_password": "wrong", "password1": "new-pass-2026!", "password2": "new-pass-2026!"}
    )
    assert response.status_code == 200 and "old_password" in response.context["form"].errors
    response = client.post(
        "/password/", {"old_password": PASSWORD, "password1": "new-pass-2026!", "password2": "new-pass-2026!"}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # still logged in
    assert AuditEntry.objects.filter(action="password", actor=people.cadre).exists()
