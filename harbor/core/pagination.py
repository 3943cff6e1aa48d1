"""Keyset (cursor) pagination: stable under inserts, cheap at any depth.

A cursor is an opaque base64 string holding the sort values of the last item of the previous page.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
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
        raise _invalid_cursor()
    if any(isinstance(value, str) and "\x00" in value for value in values):
        raise _invalid_cursor()
    return values


def _invalid_cursor() -> ValidationFailed:
    return ValidationFailed.for_field(
        "cursor", _("The cursor is not valid; start again without one.")
    )


def paginate(
    queryset: QuerySet[M], *, cursor: str | None, limit: int | None, order: tuple[str, ...]
) -> Page[M]:
    """One page of ``queryset`` sorted by ``order`` (``-field`` descending; the last must be unique)."""
    size = DEFAULT_LIMIT if limit is None else limit
    if size < 1 or size > MAX_LIMIT:
        raise ValidationFailed.for_field(
            "limit", _("The limit must be between 1 and %(max)d.") % {"max": MAX_LIMIT}
        )
    queryset = queryset.order_by(*order)
    if cursor:
        values = _decode(cursor, len(order))
        fields = [field.removeprefix("-") for field in order]
        condition = Q()
        for index, field in enumerate(fields):
            lookup = "lt" if order[index].startswith("-") else "gt"
            step = Q(**{f"{field}__{lookup}": values[index]})
            for previous, value in zip(fields[:index], values[:index], strict=False):
                step &= Q(**{previous: value})
            condition |= step
        try:
            queryset = queryset.filter(condition)
        except (TypeError, ValueError, DjangoValidationError):
            raise _invalid_cursor() from None
    rows = list(queryset[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = _encode([_value(last, field.removeprefix("-")) for field in order])
    return Page(rows, next_cursor)


def _value(obj: Model, field: str) -> Any:
    value: Any = obj
    for part in field.split("__"):
        value = getattr(value, part)
    return value
