"""Template helpers of the sharing pages: a record's text in the reader's language."""

from __future__ import annotations

from django import template

from harbor.sharing.models import Record

register = template.Library()


@register.simple_tag
def record_text(record: Record, field: str, language: str = "") -> tuple[str, str]:
    """``(language, text)`` of a record's title, summary or body as the reader should see it."""
    return record.text(field, language or None)
