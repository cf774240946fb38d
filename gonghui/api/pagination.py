"""Keyset (cursor) pagination: no COUNT(*), no OFFSET, steady cost on any page of a huge table."""

import base64
import json

from django.utils.translation import gettext as _
from ninja.errors import HttpError

MAX_LIMIT = 500


def decode_cursor(cursor: str | None):
    if not cursor:
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(cursor.encode() + b"==="))
    except (ValueError, TypeError):
        raise HttpError(400, _("The cursor is not valid; start again without it.")) from None


def encode_cursor(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value, ensure_ascii=False).encode()).decode().rstrip("=")


def keyset_page(queryset, *, key: str, cursor: str | None, limit: int):
    """One page of `queryset` ordered by the unique column `key`, after the cursor's value."""
    limit = max(1, min(limit, MAX_LIMIT))
    after = decode_cursor(cursor)
    if after is not None:
        queryset = queryset.filter(**{f"{key}__gt": after})
    rows = list(queryset.order_by(key)[: limit + 1])
    next_cursor = encode_cursor(getattr(rows[limit - 1], key)) if len(rows) > limit else None
    return rows[:limit], next_cursor
