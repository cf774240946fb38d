"""Key rotation: every stored value moves to the new key and stays readable."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from gonghui.core import services
from gonghui.core.models import OrgUnit, User
from gonghui.lib.crypto import KeyRing, get_keyring, reset_keyring_cache


@pytest.fixture
def key_file(settings, tmp_path):
    settings.GONGHUI_KEYRING = ""
    settings.GONGHUI_KEYRING_FILE = tmp_path / "keyring.json"
    reset_keyring_cache()
    yield settings.GONGHUI_KEYRING_FILE
    reset_keyring_cache()


def stored_key_ids():
    ids = set()
    with connection.cursor() as cursor:
        for sql in ("SELECT contact_phone FROM core_orgunit", "SELECT phone FROM core_user"):
            cursor.execute(sql)
            ids |= {KeyRing.key_id_of(bytes(row[0])) for row in cursor.fetchall() if row[0] is not None}
    return ids


@pytest.mark.django_db
def test_rotation_reencrypts_everything_and_old_keys_can_then_be_retired(key_file, people, tree):
    services.unit_update(actor=people.district_admin, unit=tree.west_a, contact_phone="13812345678")
    people.cadre.phone = "13900001234"
    people.cadre.save()
    assert stored_key_ids() == {1}
    with pytest.raises(CommandError):
        call_command("keys", "retire", "1", stdout=StringIO())  # still in use
    call_command("keys", "rotate", stdout=StringIO())
    assert get_keyring().active == 2 and stored_key_ids() == {2}
    assert OrgUnit.objects.get(pk=tree.west_a.pk).contact_phone == "13812345678"
    assert User.objects.get(pk=people.cadre.pk).phone == "13900001234"
    assert list(User.objects.by_phone("13900001234")) == [people.cadre]  # blind index unchanged
    out = StringIO()
    call_command("keys", "retire", "1", stdout=out)
    assert set(KeyRing.from_json(key_file.read_text()).keys) == {2}
    status = StringIO()
    call_command("keys", "status", stdout=status)
    assert "key 2 (active)" in status.getvalue()


@pytest.mark.django_db
def test_a_process_with_an_old_ring_reloads_it_when_it_meets_a_new_key(key_file, settings, people, tree):
    services.unit_update(actor=people.district_admin, unit=tree.west_a, contact_phone="13812345678")
    old_ring = get_keyring()
    call_command("keys", "rotate", stdout=StringIO())
    # Another process still holds the old ring in memory: load it from the environment once...
    settings.GONGHUI_KEYRING = old_ring.to_json()
    reset_keyring_cache()
    assert get_keyring().active == 1
    # ...while the real source (the key file) has the rotated ring.
    settings.GONGHUI_KEYRING = ""
    assert OrgUnit.objects.get(pk=tree.west_a.pk).contact_phone == "13812345678"
    assert get_keyring().active == 2
