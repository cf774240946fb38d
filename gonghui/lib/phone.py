"""Chinese phone numbers: mobile (11 digits, 1[3-9]…) and landline (0area-number)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_FULL_WIDTH = str.maketrans("０１２３４５６７８９＋－（）", "0123456789+-()")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}(-\d{1,6})?")


def _clean(raw: str) -> str:
    value = str(raw).translate(_FULL_WIDTH)
    return re.sub(r"[\s\u3000()]", "", value)


def normalize_mobile(raw: str) -> str:
    """'+86 138-1234-5678' → '13812345678'; raises ValueError for anything but a mainland mobile."""
    value = _clean(raw).replace("-", "")
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("0086"):
        value = value[4:]
    if not _MOBILE.fullmatch(value):
        raise ValueError("not a mainland mobile number")
    return value


def normalize_phone(raw: str) -> str:
    """A mobile number, or a landline kept as '0571-88886666'."""
    try:
        return normalize_mobile(raw)
    except ValueError:
        value = _clean(raw)
        if _LANDLINE.fullmatch(value):
            if "-" not in value:  # 3-digit area codes start 01x/02x; the rest have 4 digits
                split = 3 if value[1] in "12" else 4
                value = value[:split] + "-" + value[split:]
            return value
        raise ValueError("not a phone number") from None


def validate_mobile(value: str) -> None:
    try:
        normalize_mobile(value)
    except ValueError:
        raise ValidationError(_("Enter an 11-digit mainland mobile number, e.g. 13812345678"), code="mobile") from None


def validate_phone(value: str) -> None:
    try:
        normalize_phone(value)
    except ValueError:
        raise ValidationError(
            _("Enter a mobile number (13812345678) or a landline with area code (0571-88886666)"),
            code="phone",
        ) from None
