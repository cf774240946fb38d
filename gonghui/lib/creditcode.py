"""Unified social credit codes (统一社会信用代码, GB 32100-2015).

18 characters: registration authority (1), organisation type (1), region of the registering
authority (6 digits, GB/T 2260), organisation code (9) and a check character (ISO 7064 MOD 31-3
style: weights 3**i mod 31). Letters I, O, S, V and Z are never used, so they cannot be confused
with 1, 0, 5, U and 2. Trade unions are registered by the union federation: a grassroots union's
code starts with 81.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gonghui.lib.errors import CodedError

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28
_VALUES = {char: index for index, char in enumerate(ALPHABET)}
_TABLES = tuple({char: value * weight for char, value in _VALUES.items()} for weight in WEIGHTS)

# Full-width ASCII (what a Chinese input method types) → half-width; zero-width characters dropped.
_NORMALIZE = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | dict.fromkeys(
    map(ord, "\u200b\u200c\u200d\u2060\ufeff")
)
_REGION = re.compile(r"\d{6}", re.ASCII)

MESSAGES = {
    "empty": _("Unified social credit code is empty"),
    "length": _("A unified social credit code has 18 characters; this one has %(n)d"),
    "chars": _(
        "Character %(char)s at position %(pos)d is not allowed in a unified social credit code "
        "(I, O, S, V and Z are never used)"
    ),
    "checksum": _("Wrong check digit: expected %(expected)s, found %(found)s"),
    "region": _("Characters 3–8 must be a 6-digit region code"),
}


class CreditCodeError(CodedError):
    """Why a credit code was rejected: a stable .code and a translatable .message."""

    MESSAGES = MESSAGES


@dataclass(frozen=True)
class CreditCode:
    value: str
    authority: str  # registration authority, e.g. 1 机构编制, 5 民政, 8 工会, 9 市场监管 (工商), Y 其他
    org_type: str  # depends on the authority, e.g. 81 基层工会, 91 企业, 92 个体工商户
    region_code: str  # where the registering authority sits; not checked against the region table
    org_code: str  # the 9-character organisation code (GB 11714), its own check digit included


def normalize_credit_code(raw: str) -> str:
    """Remove whitespace, make full-width characters half-width, upper-case.

    O and I are left as they are (not turned into 0 and 1): a guess could turn a typo into another
    organisation's valid code, so parse_credit_code reports them instead.
    """
    if raw is None:
        return ""
    return "".join(str(raw).split()).translate(_NORMALIZE).upper()


def credit_code_check_digit(first17: str) -> str:
    if len(first17) != 17:
        raise ValueError("credit_code_check_digit needs exactly 17 characters")
    try:
        total = sum(map(dict.__getitem__, _TABLES, first17))
    except KeyError as error:
        raise ValueError(f"not a credit code character: {error.args[0]!r}") from None
    return ALPHABET[-total % 31]


def parse_credit_code(raw: str) -> CreditCode:
    """Validate a unified social credit code and take it apart; raises CreditCodeError."""
    value = normalize_credit_code(raw)
    if not value:
        raise CreditCodeError("empty")
    if len(value) != 18:
        raise CreditCodeError("length", n=len(value))
    for pos, char in enumerate(value, start=1):
        if char not in _VALUES:
            raise CreditCodeError("chars", char=char, pos=pos)
    if not _REGION.fullmatch(value[2:8]):
        raise CreditCodeError("region")
    expected = credit_code_check_digit(value[:17])
    if value[17] != expected:
        raise CreditCodeError("checksum", expected=expected, found=value[17])
    return CreditCode(
        value=value,
        authority=value[0],
        org_type=value[1],
        region_code=value[2:8],
        org_code=value[8:17],
    )


def validate_credit_code(value: str) -> None:
    """Django validator: raises ValidationError with the CreditCodeError's code and message."""
    try:
        parse_credit_code(value)
    except CreditCodeError as error:
        raise ValidationError(error.template, code=error.code, params=error.params or None) from None


def make_credit_code(region: str, serial: int, *, authority: str = "9", org_type: str = "1") -> str:
    """A valid code from its parts (demo data, synth, tests): 91 = an enterprise registered by
    market regulation; the organisation code is built from `serial` in the code alphabet."""
    digits, org = serial, []
    for _position in range(9):
        digits, rest = divmod(digits, 31)
        org.append(ALPHABET[rest])
    first17 = f"{authority}{org_type}{region}{''.join(reversed(org))}"
    return first17 + credit_code_check_digit(first17)
