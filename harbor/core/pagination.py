"""Keyset (cursor) pagination: stable under inserts, cheap at any depth.

A cursor is an opaque base64 string holding the sort values of the last item of the previous page.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from harbor.core.errors import ValidationFailed

M = TypeVar("M", bound=Model)

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


@dataclass
class Page(Generic[M]):
    items: list[M]
    next_cursor: str | None


def _encode(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode().rstrip("=")


def _decode(cursor: str, width: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        values = None
    if not isinstance(values, list) or len(values) != width:
        raise ValidationFailed.for_field(
            "cursor", _("The cursor is not valid; start again without one.")
        )
    return values


def paginate(
    queryset: QuerySet[M], *, cursor: str | None, limit: int | None, order: tuple[str, ...]
) -> Page[M]:
    """One page of ``queryset`` sorted ascending by ``order`` (whose last field must be unique)."""
    size = limit or DEFAULT_LIMIT
    if size < 1 or size > MAX_LIMIT:
        raise ValidationFailed.for_field(
            "limit", _("The limit must be between 1 and %(max)d.") % {"max": MAX_LIMIT}
        )
    queryset = queryset.order_by(*order)
    if cursor:
        values = _decode(cursor, len(order))
        condition = Q()
        for index, field in enumerate(order):
            step = Q(**{f"{field}__gt": values[index]})
            for previous, value in zip(order[:index], values[:index], strict=False):
                step &= Q(**{previous: value})
            condition |= step
        queryset = queryset.filter(condition)
    rows = list(queryset[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = _encode([_value(last, field) for field in order])
    return Page(rows, next_cursor)


def _value(obj: Model, field: str) -> Any:
    value: Any = obj
    for part in field.split("__"):
        value = getattr(value, part)
    return value
