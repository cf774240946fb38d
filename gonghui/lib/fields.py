"""Model fields for personal data: encrypted text and its keyed blind index.

    phone = EncryptedTextField(blank=True)
    phone_index = BlindIndexField(source="phone", purpose="phone", normalizer=normalize_mobile)

The database only ever holds ciphertext for `phone`; `phone_index` supports exact lookup
(`Model.objects.filter(phone_index=BlindIndexField.lookup("phone", value))`) and uniqueness.
Bulk paths that bypass `save()` compute indexes with `gonghui.lib.crypto.blind_index` directly.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import models

from gonghui.lib.crypto import blind_index, decrypt_text, encrypt_text

NO_MATCH = "-"  # not a hex digest: a value that cannot be normalised matches no row


class EncryptedTextField(models.BinaryField):
    """A text value stored as authenticated ciphertext bound to its table and column."""

    description = "Encrypted text"
    empty_values = [None, ""]  # BinaryField's are bytes; this field's Python value is text

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("editable", True)
        kwargs.setdefault("null", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "gonghui.lib.fields.EncryptedTextField", args, kwargs

    @property
    def aad(self) -> str:
        return f"{self.model._meta.db_table}.{self.column}"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return decrypt_text(bytes(value), self.aad)

    def to_python(self, value):
        return value

    def get_prep_value(self, value):
        if value is None or value == "":
            return None if self.null else encrypt_text("", self.aad)
        if isinstance(value, (bytes, memoryview)):
            return bytes(value)  # already ciphertext (key rotation copies it as is)
        return encrypt_text(str(value), self.aad)

    def value_to_string(self, obj):
        # Serialisation (dumpdata) never sees plaintext.
        return "<encrypted>"

    def get_lookup(self, lookup_name):
        # Equal plaintexts give different ciphertexts: only NULL checks make sense. Exact lookup
        # goes through the blind index.
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)

    def formfield(self, **kwargs):
        from django import forms

        return forms.CharField(required=not self.blank, **kwargs)


class BlindIndexField(models.CharField):
    """HMAC of the normalised value of another field, for exact lookup and uniqueness."""

    def __init__(self, *args, source: str = "", purpose: str = "", normalizer: Callable | None = None, **kwargs):
        self.source = source
        self.purpose = purpose or source
        self.normalizer = normalizer
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        kwargs.update(source=self.source, purpose=self.purpose, normalizer=self.normalizer)
        for key in ("max_length", "editable", "blank", "default"):
            kwargs.pop(key, None)
        return name, "gonghui.lib.fields.BlindIndexField", args, kwargs

    def compute(self, value: str | None) -> str:
        if not value:
            return ""
        if self.normalizer is not None:
            value = self.normalizer(value)
        return blind_index(self.purpose, value)

    def pre_save(self, model_instance, add):
        value = self.compute(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value

    @staticmethod
    def lookup(model: type[models.Model], field_name: str, value: str) -> str:
        """The index value to filter `field_name` by, for a plaintext `value` (normalised first)."""
        field = model._meta.get_field(field_name)
        try:
            return field.compute(value)
        except ValueError:
            return NO_MATCH
