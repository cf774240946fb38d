"""Masking personal data for display (lists, exports, logs of who saw what).

Every function here takes anything (None, numbers, short or odd strings) and returns a string; it
never raises, because a display helper that fails would break the page it is used in.
"""

import re

STAR = "*"
FIXED_STARS = STAR * 6

_MOBILE = re.compile(r"(\+?86)?(1\d{10})", re.ASCII)
_LANDLINE = re.compile(r"(0\d{2,3}-)(\d{7,8})(-\d{1,6})?", re.ASCII)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    try:
        return str(value).strip()
    except Exception:  # a broken __str__ must not break the page either
        return ""


def _keep_ends(text: str, head: int, tail: int) -> str:
    """Keep head and tail characters and star the middle; all stars if the middle would be empty."""
    hidden = len(text) - head - tail
    if hidden <= 0:
        return STAR * len(text)
    return text[:head] + STAR * hidden + text[len(text) - tail :]


def mask_id_number(value) -> str:
    """110105199001011234 → 110105********1234: region and sequence stay, the birth date goes."""
    text = _text(value)
    if len(text) == 18:
        return _keep_ends(text, 6, 4)
    # Other lengths (15-digit cards, typos, passports): keep less, and only if most is hidden.
    if len(text) >= 10:
        return _keep_ends(text, 3, 2)
    return STAR * len(text)


def mask_phone(value) -> str:
    """13812345678 → 138****5678; 0571-88886666 → 0571-****6666."""
    text = _text(value)
    compact = re.sub(r"[\s()]", "", text)
    mobile = _MOBILE.fullmatch(compact.replace("-", ""))
    if mobile:
        prefix = (mobile.group(1) + " ") if mobile.group(1) else ""
        return prefix + _keep_ends(mobile.group(2), 3, 4)
    landline = _LANDLINE.fullmatch(compact)
    if landline:
        area, number, extension = landline.groups()
        return area + _keep_ends(number, 0, 4) + (extension or "")
    if len(text) >= 11:  # keep 3 + 4 only if at least 4 characters are hidden
        return _keep_ends(text, 3, 4)
    return STAR * len(text)


def mask_name(value) -> str:
    """张三 → 张*, 张三丰 → 张*丰, 欧阳娜娜 → 欧**娜; John Smith → J*."""
    text = _text(value)
    if not text:
        return ""
    if text.isascii():
        # Latin names: the initial only; a fixed star so the length of the name does not show.
        return text[0] + STAR
    if len(text) == 1:
        return STAR
    if len(text) == 2:
        return text[0] + STAR
    return text[0] + STAR * (len(text) - 2) + text[-1]


def mask_text(value, keep: int = 0) -> str:
    """The first `keep` characters and six stars, whatever the length (the length is not leaked).

    At most half of the text is kept, so a large `keep` cannot reveal a short text.
    """
    text = _text(value)
    if not text:
        return ""
    try:
        keep = max(0, min(int(keep), len(text) // 2))
    except (TypeError, ValueError, OverflowError):
        keep = 0
    return text[:keep] + FIXED_STARS
