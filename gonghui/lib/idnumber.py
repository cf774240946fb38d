"""Resident identity numbers (公民身份号码, GB 11643-1999).

An 18-character number is: 6-digit region of issue (GB/T 2260), 8-digit birth date (YYYYMMDD),
3-digit sequence (odd for men, even for women) and a check character (ISO 7064 MOD 11-2, 0-9 or X).
Old 15-digit numbers have a 2-digit year (always 19xx) and no check character.
Residence permits for Hong Kong, Macau and Taiwan residents (810000, 820000, 830000) use the same
layout and checksum, so they are accepted as they are.
"""

import re
from dataclasses import dataclass
from datetime import date
from operator import mul

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.lib.errors import CodedError, interpolate
from gonghui.lib.regions import PROVINCE_CODES, is_known

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
# check_digit sums the ASCII codes instead of the digit values (no int() per character); each
# code is the digit + 48, so the sum is off by 48 * sum(WEIGHTS). The offset is folded into this
# lookup string once, here, instead of being subtracted on every call.
_ASCII_OFFSET = ord("0") * sum(WEIGHTS)
_CHECK_BY_ASCII_SUM = "".join(CHECK_CHARS[(i - _ASCII_OFFSET) % 11] for i in range(11))

# Region codes that are valid in ID numbers without being regions of the table (see regions.py).
_PERMIT_REGIONS = frozenset({"830000"})

# Characters that sneak in from copy and paste: zero-width spaces and joiners, byte-order mark.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_FULL_WIDTH = {0xFF10 + d: str(d) for d in range(10)} | {ord("Ｘ"): "X", ord("ｘ"): "X", ord("x"): "X"}
_NORMALIZE = _INVISIBLE | _FULL_WIDTH

# What a spreadsheet makes of a long number stored as a number: 1.10105199001E+17, or the
# digits with a trailing ".0" after a round trip through float.
_NUMERIC_CELL = re.compile(r"\d+(?:\.\d*)?E[+-]?\d+|\d+\.0*", re.ASCII | re.IGNORECASE)
_DIGITS = re.compile(r"\d+", re.ASCII)
_DIGITS_THEN_CHECK = re.compile(r"\d{17}[\dX]", re.ASCII)

MESSAGES = {
    "empty": _("ID number is empty"),
    "numeric_cell": _(
        "The ID number looks like it was stored as a number in the spreadsheet and has lost digits "
        "(e.g. 1.10105E+17); format the column as text and enter it again"
    ),
    "length": _("An ID number has 18 characters (or 15 digits for old cards); this one has %(n)d"),
    "chars": _("An ID number has 17 digits followed by a digit or X"),
    "chars15": _("An old 15-digit ID number has digits only"),
    "province": _("The first two digits %(code)s are not a province code"),
    "birth_date": _("The birth date %(date)s in the ID number is not a real date"),
    "birth_date_future": _("The birth date %(date)s in the ID number is in the future"),
    "birth_date_1900": _("The birth date %(date)s in the ID number is before 1900"),
    "checksum": _("Wrong check digit: expected %(expected)s, found %(found)s"),
    "unknown_region": _("Region code %(code)s is not in the current GB/T 2260 table (it may have been abolished)"),
}


class IdNumberError(CodedError):
    """Why an ID number was rejected: a stable .code and a translatable .message."""

    MESSAGES = MESSAGES


@dataclass(frozen=True)
class IdNumber:
    value: str  # 18 characters, upgraded if it was 15
    region_code: str
    birth_date: date
    gender: str  # "M" or "F"
    warnings: tuple[str, ...] = ()

    def age_on(self, day: date) -> int:
        """Age in completed years on the given day."""
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def normalize_id_number(raw: str) -> str:
    """Remove all whitespace, make full-width digits and X half-width, upper-case x. No validation."""
    if raw is None:
        return ""
    return "".join(str(raw).split()).translate(_NORMALIZE)


def check_digit(first17: str) -> str:
    """The GB 11643 check character (0-9 or X) for the first 17 digits."""
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        raise ValueError("check_digit needs exactly 17 ASCII digits")
    return _CHECK_BY_ASCII_SUM[sum(map(mul, WEIGHTS, first17.encode())) % 11]


def upgrade_15_to_18(value15: str) -> str:
    """Old 15-digit number → 18: the year gains "19" (all 15-digit cards were for 19xx) and a check digit."""
    if len(value15) != 15 or not (value15.isascii() and value15.isdigit()):
        raise ValueError("upgrade_15_to_18 needs exactly 15 ASCII digits")
    first17 = value15[:6] + "19" + value15[6:]
    return first17 + check_digit(first17)


def _today() -> date:
    return timezone.localdate() if settings.USE_TZ else date.today()


def _birth_date(digits8: str, today: date) -> date:
    shown = f"{digits8[:4]}-{digits8[4:6]}-{digits8[6:]}"
    try:
        born = date(int(digits8[:4]), int(digits8[4:6]), int(digits8[6:]))
    except ValueError:
        raise IdNumberError("birth_date", date=shown) from None
    if born.year < 1900:
        raise IdNumberError("birth_date", "birth_date_1900", date=shown)
    if born > today:
        raise IdNumberError("birth_date", "birth_date_future", date=shown)
    return born


def _check_shape(value: str) -> None:
    if _NUMERIC_CELL.fullmatch(value):
        raise IdNumberError("numeric_cell")
    if len(value) not in (15, 18):
        raise IdNumberError("length", n=len(value))
    if len(value) == 15 and not _DIGITS.fullmatch(value):
        raise IdNumberError("chars", "chars15")
    if len(value) == 18 and not _DIGITS_THEN_CHECK.fullmatch(value):
        raise IdNumberError("chars")


def parse_id_number(raw: str, *, today: date | None = None) -> IdNumber:
    """Validate an ID number (18 characters, or 15 digits which are upgraded) and take it apart.

    Raises IdNumberError. A region code missing from the table is only a warning: numbers keep the
    region where they were issued, which may since have been abolished or renumbered.
    """
    if isinstance(raw, float):  # a spreadsheet cell read as a number has already lost digits
        raise IdNumberError("numeric_cell")
    value = normalize_id_number(raw)
    if not value:
        raise IdNumberError("empty")
    _check_shape(value)
    if value[:2] not in PROVINCE_CODES:
        raise IdNumberError("province", code=value[:2])
    today = today or _today()
    if len(value) == 15:
        born = _birth_date("19" + value[6:12], today)
        value = upgrade_15_to_18(value)
    else:
        born = _birth_date(value[6:14], today)
        expected = check_digit(value[:17])
        if value[17] != expected:
            raise IdNumberError("checksum", expected=expected, found=value[17])
    region = value[:6]
    warnings: tuple[str, ...] = ()
    if region not in _PERMIT_REGIONS and not is_known(region):
        warnings = (interpolate(MESSAGES["unknown_region"], {"code": region}),)
    return IdNumber(
        value=value,
        region_code=region,
        birth_date=born,
        gender="M" if int(value[16]) % 2 else "F",
        warnings=warnings,
    )


def validate_id_number(value: str) -> None:
    """Django validator: raises ValidationError with the IdNumberError's code and message."""
    try:
        parse_id_number(value)
    except IdNumberError as error:
        raise ValidationError(error.template, code=error.code, params=error.params or None) from None


def make_id_number(region: str, birth: date, sequence: int) -> str:
    """A valid 18-character number from its parts (demo data, synth, tests); the 3-digit
    `sequence` decides the gender (odd: male)."""
    first17 = f"{region}{birth:%Y%m%d}{sequence % 1000:03d}"
    return first17 + check_digit(first17)
