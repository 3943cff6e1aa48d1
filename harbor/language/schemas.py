"""API schemas of the language services."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema


class GlossaryTermWrite(Schema):
    """A concept as written: what is sent replaces what was stored."""

    key: str = Field(
        ..., examples=["bill-of-lading"], description="lower-case words joined by hyphens"
    )
    domain: str = Field(..., examples=["trade"], description="trade or ict")
    terms: dict[str, Any] = Field(
        ...,
        examples=[{"en": "bill of lading", "vi": "vận đơn", "zh-hans": "提单"}],
        description="language code → preferred term; English is required",
    )
    variants: dict[str, Any] = Field(
        default_factory=dict,
        examples=[{"en": ["B/L"]}],
        description="language code → other forms recognised in texts, never written",
    )
    notes: str = ""
    do_not_translate: bool = Field(
        False, description="an acronym kept in its English form where a language has no term"
    )
    source: str = Field("", description="where the terms come from")


class GlossaryTermRead(Schema):
    key: str
    domain: str
    terms: dict[str, str]
    variants: dict[str, list[str]]
    notes: str
    do_not_translate: bool
    source: str
    updated_at: datetime


class GlossaryPage(Schema):
    items: list[GlossaryTermRead]
    next_cursor: str | None


class TranslationUnitWrite(Schema):
    source: str = Field(..., examples=["en"], description="language of the source text")
    target: str = Field(..., examples=["vi"], description="language of the translation")
    source_text: str = Field(..., examples=["Submit the bill of lading by Friday."])
    target_text: str = Field(..., examples=["Nộp vận đơn trước thứ Sáu."])
    origin: str = Field(
        "human",
        description="human, or machine_approved for a machine translation a person approved",
    )


class TranslationUnitRead(Schema):
    id: int
    source: str
    target: str
    source_text: str
    target_text: str
    origin: str
    organisation: str | None = Field(None, description="slug of the organisation that approved it")
    organisation_verified: bool
    uses: int
    created_at: datetime
    updated_at: datetime


class MemoryMatchRead(Schema):
    kind: str = Field(..., description="exact or fuzzy")
    score: float = Field(..., description="similarity 0–100 (fuzz.ratio), rounded to two decimals")
    unit: TranslationUnitRead


class MemoryLookupRead(Schema):
    match: MemoryMatchRead | None
