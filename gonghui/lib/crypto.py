"""Encryption of personal data at rest and keyed blind indexes.

Ciphertext layout: ``version (1 byte) | key id (1 byte) | nonce (12 bytes) | ciphertext+tag``.
The version byte names the cipher (1 = AES-256-GCM), so another cipher (SM4-GCM, which a
商用密码 assessment may require) can be added as version 2 and old rows still decrypt. The
associated data is ``table.column``: a ciphertext copied into another column does not decrypt.

Blind indexes are HMAC-SHA256 under a separate key, derived per purpose ("phone",
"id_number"): equal plaintexts of one purpose give equal indexes, so exact lookup and uniqueness
work without decrypting, and the same phone number matches across tables.

The key ring is JSON kept outside the database (see settings.GONGHUI_KEYRING*):
``{"format": 1, "active": 2, "keys": {"1": "<base64>", "2": "<base64>"}, "index_key": "<base64>"}``.
Rotation adds a key and makes it active; `gonghui keys rotate` re-encrypts old rows.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

AES_GCM = 1
NONCE_SIZE = 12
INDEX_SIZE = 16  # bytes of HMAC kept: 128 bits, stored as 32 hex characters


class KeyRingError(Exception):
    pass


class DecryptionError(Exception):
    pass


@dataclass
class KeyRing:
    keys: dict[int, bytes]
    active: int
    index_key: bytes
    created: str = ""
    _aead: dict[int, AESGCM] = field(default_factory=dict, repr=False, compare=False)
    _index_keys: dict[str, bytes] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.active not in self.keys:
            raise KeyRingError(f"active key {self.active} is not in the key ring")
        for key_id, key in self.keys.items():
            if not 1 <= key_id <= 255 or len(key) != 32:
                raise KeyRingError("key ids are 1–255 and keys are 32 bytes")
        if len(self.index_key) != 32:
            raise KeyRingError("the index key is 32 bytes")

    # --- serialisation ---
    @classmethod
    def generate(cls) -> KeyRing:
        return cls(keys={1: AESGCM.generate_key(256)}, active=1, index_key=os.urandom(32), created=_now())

    @classmethod
    def from_json(cls, text: str) -> KeyRing:
        try:
            data = json.loads(text)
            return cls(
                keys={int(k): base64.b64decode(v) for k, v in data["keys"].items()},
                active=int(data["active"]),
                index_key=base64.b64decode(data["index_key"]),
                created=data.get("created", ""),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise KeyRingError(f"the key ring is not valid JSON of the expected shape: {exc}") from exc

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": 1,
                "created": self.created,
                "active": self.active,
                "keys": {str(k): base64.b64encode(v).decode() for k, v in sorted(self.keys.items())},
                "index_key": base64.b64encode(self.index_key).decode(),
            },
            indent=2,
        )

    def rotated(self) -> KeyRing:
        """A copy with a new active encryption key; old keys stay so old rows still decrypt."""
        new_id = max(self.keys) + 1
        if new_id > 255:
            raise KeyRingError("key ids are exhausted; retire old keys first")
        return KeyRing(
            keys={**self.keys, new_id: AESGCM.generate_key(256)},
            active=new_id,
            index_key=self.index_key,
            created=self.created,
        )

    def without(self, key_id: int) -> KeyRing:
        if key_id == self.active:
            raise KeyRingError("the active key cannot be retired")
        return KeyRing(
            keys={k: v for k, v in self.keys.items() if k != key_id},
            active=self.active,
            index_key=self.index_key,
            created=self.created,
        )

    # --- encryption ---
    def _cipher(self, key_id: int) -> AESGCM:
        cipher = self._aead.get(key_id)
        if cipher is None:
            try:
                cipher = self._aead[key_id] = AESGCM(self.keys[key_id])
            except KeyError:
                raise DecryptionError(f"key {key_id} is not in the key ring") from None
        return cipher

    def encrypt(self, plaintext: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(NONCE_SIZE)
        header = bytes((AES_GCM, self.active))
        return header + nonce + self._cipher(self.active).encrypt(nonce, plaintext, aad)

    def batch_encryptor(self, count: int):
        """`encrypt` for up to `count` values, for bulk imports: the same layout and cipher, but
        the random nonces are read from the OS in one call for all of them (a system call per
        value costs more than the AES-GCM encryption). The nonces live only in the returned
        function, which the caller uses within one batch and drops (never across a fork)."""
        nonces = os.urandom(NONCE_SIZE * max(count, 0))
        encrypt = self._cipher(self.active).encrypt
        header = bytes((AES_GCM, self.active))
        offsets = iter(range(0, len(nonces), NONCE_SIZE))

        def encrypt_one(plaintext: bytes, aad: bytes) -> bytes:
            start = next(offsets, None)
            if start is None:  # past `count`: a nonce is never used twice
                raise ValueError("more values than the batch encryptor was made for")
            nonce = nonces[start : start + NONCE_SIZE]
            return header + nonce + encrypt(nonce, plaintext, aad)

        return encrypt_one

    def decrypt(self, blob: bytes, aad: bytes) -> bytes:
        if len(blob) < 2 + NONCE_SIZE + 16 or blob[0] != AES_GCM:
            raise DecryptionError("not a ciphertext of a known version")
        nonce = blob[2 : 2 + NONCE_SIZE]
        try:
            return self._cipher(blob[1]).decrypt(nonce, blob[2 + NONCE_SIZE :], aad)
        except InvalidTag:
            raise DecryptionError("ciphertext does not authenticate (wrong key, column or tampered)") from None

    @staticmethod
    def key_id_of(blob: bytes) -> int:
        return blob[1]

    # --- blind index ---
    def blind_index(self, purpose: str, value: str) -> str:
        key = self._index_keys.get(purpose)
        if key is None:
            key = self._index_keys[purpose] = hmac.new(self.index_key, purpose.encode(), hashlib.sha256).digest()
        return hmac.new(key, value.encode(), hashlib.sha256).digest()[:INDEX_SIZE].hex()

    def blind_indexer(self, purpose: str):
        """`lambda value: self.blind_index(purpose, value)`, twice as fast for bulk imports: the
        HMAC's keyed inner and outer hash states are computed once and copied per value (RFC 2104)."""
        self.blind_index(purpose, "")  # derives and caches the purpose key
        key = self._index_keys[purpose].ljust(hashlib.sha256().block_size, b"\0")
        inner_copy = hashlib.sha256(bytes(b ^ 0x36 for b in key)).copy
        outer_copy = hashlib.sha256(bytes(b ^ 0x5C for b in key)).copy

        def index(value: str) -> str:
            inner = inner_copy()
            inner.update(value.encode())
            outer = outer_copy()
            outer.update(inner.digest())
            return outer.digest()[:INDEX_SIZE].hex()

        return index


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def write_keyring(ring: KeyRing, path: Path) -> None:
    """Write the key ring atomically with owner-only permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(ring.to_json())
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


@cache
def get_keyring() -> KeyRing:
    """The process's key ring: from GONGHUI_KEYRING, else the key file (created on first run)."""
    from django.conf import settings

    if settings.GONGHUI_KEYRING:
        return KeyRing.from_json(settings.GONGHUI_KEYRING)
    path = Path(settings.GONGHUI_KEYRING_FILE)
    if not path.exists():
        write_keyring(KeyRing.generate(), path)
    return KeyRing.from_json(path.read_text())


def reset_keyring_cache() -> None:
    get_keyring.cache_clear()


def encrypt_text(value: str, aad: str) -> bytes:
    return get_keyring().encrypt(value.encode(), aad.encode())


def decrypt_text(blob: bytes, aad: str) -> str:
    blob = bytes(blob)
    ring = get_keyring()
    if len(blob) > 1 and blob[1] not in ring.keys:
        # Another process rotated the keys since this one loaded the ring: load it again.
        reset_keyring_cache()
        ring = get_keyring()
    return ring.decrypt(blob, aad.encode()).decode()


def blind_index(purpose: str, value: str) -> str:
    return get_keyring().blind_index(purpose, value)
