"""Encryption of personal data: authenticated, bound to its column, rotatable; blind indexes."""

import json
import os
import stat

import pytest

from gonghui.lib.crypto import DecryptionError, KeyRing, KeyRingError, get_keyring, reset_keyring_cache


def test_it_round_trips_and_never_repeats_a_ciphertext():
    ring = KeyRing.generate()
    one = ring.encrypt(b"13812345678", b"core_user.phone")
    two = ring.encrypt(b"13812345678", b"core_user.phone")
    assert one != two
    assert ring.decrypt(one, b"core_user.phone") == b"13812345678"


def test_a_ciphertext_moved_to_another_column_does_not_decrypt():
    ring = KeyRing.generate()
    blob = ring.encrypt(b"110105199001011234", b"members.id_number")
    with pytest.raises(DecryptionError):
        ring.decrypt(blob, b"members.phone")


def test_a_tampered_ciphertext_does_not_decrypt():
    ring = KeyRing.generate()
    blob = bytearray(ring.encrypt(b"secret", b"t.c"))
    blob[-1] ^= 1
    with pytest.raises(DecryptionError):
        ring.decrypt(bytes(blob), b"t.c")


def test_old_ciphertexts_still_decrypt_after_rotation():
    ring = KeyRing.generate()
    old = ring.encrypt(b"old", b"t.c")
    rotated = KeyRing.from_json(ring.rotated().to_json())
    assert rotated.active == 2 and KeyRing.key_id_of(rotated.encrypt(b"new", b"t.c")) == 2
    assert rotated.decrypt(old, b"t.c") == b"old"
    with pytest.raises(KeyRingError):
        rotated.without(2)
    assert rotated.without(1).keys.keys() == {2}


def test_blind_indexes_are_keyed_and_separate_per_purpose():
    ring, other = KeyRing.generate(), KeyRing.generate()
    assert ring.blind_index("phone", "13812345678") == ring.blind_index("phone", "13812345678")
    assert ring.blind_index("phone", "13812345678") != other.blind_index("phone", "13812345678")
    assert ring.blind_index("phone", "x") != ring.blind_index("id_number", "x")
    assert len(ring.blind_index("phone", "x")) == 32


def test_a_broken_key_ring_is_refused_with_a_reason():
    with pytest.raises(KeyRingError):
        KeyRing.from_json("{}")
    data = json.loads(KeyRing.generate().to_json())
    data["active"] = 9
    with pytest.raises(KeyRingError):
        KeyRing.from_json(json.dumps(data))


def test_the_key_file_is_created_on_first_use_and_private(settings, tmp_path):
    settings.GONGHUI_KEYRING = ""
    settings.GONGHUI_KEYRING_FILE = tmp_path / "keyring.json"
    reset_keyring_cache()
    try:
        ring = get_keyring()
        assert settings.GONGHUI_KEYRING_FILE.exists()
        assert stat.S_IMODE(os.stat(settings.GONGHUI_KEYRING_FILE).st_mode) == 0o600
        reset_keyring_cache()
        assert get_keyring() == ring
    finally:
        reset_keyring_cache()


def test_the_key_ring_can_come_from_the_environment(settings):
    ring = KeyRing.generate()
    settings.GONGHUI_KEYRING = ring.to_json()
    reset_keyring_cache()
    try:
        assert get_keyring() == ring
    finally:
        settings.GONGHUI_KEYRING = ""
        reset_keyring_cache()
