"""API schemas of the sharing hub."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from ninja import Field, Schema

LanguageMap = dict[str, str]


class RecordWrite(Schema):
    kind: str | None = Field(None, examples=["regulation"])
    original_language: str | None = Field(
        None, description="BCP 47; detected from the title when omitted"
    )
    title: LanguageMap | None = None
    summary: LanguageMap | None = None
    body: LanguageMap | None = None
    topics: list[str] | None = None
    hs_codes: list[str] | None = None
    countries: list[str] | None = Field(
        None, description="ISO 3166 alpha-2 codes of countries concerned"
    )
    details: dict[str, Any] | None = None
    links: list[Any] | None = None
    effective_date: date | None = None
    expiry_date: date | None = None
    audience: str | None = Field(None, examples=["public"])
    audience_countries: list[str] | None = None
    audience_organisations: list[str] | None = Field(None, description="organisation slugs")
    residency: bool | None = None


class RecordCreate(RecordWrite):
    kind: str = Field(..., examples=["regulation"])
    title: LanguageMap
    status: Literal["draft", "published"] = "draft"
    external_id: str = ""


class RecordUpdate(RecordWrite):
    status: Literal["draft", "published", "withdrawn"] | None = None
    note: str = ""


class AttachmentRead(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    url: str


class RecordRead(Schema):
    id: int
    kind: str
    status: str
    version: int
    owner: str
    owner_name: str
    home_country: str
    original_language: str
    language: str = Field(..., description="language of the title, summary and body shown")
    title: LanguageMap
    summary: LanguageMap
    body: LanguageMap
    topics: list[str]
    hs_codes: list[str]
    countries: list[str]
    details: dict[str, Any]
    links: list[Any]
    effective_date: date | None
    expiry_date: date | None
    audience: str
    residency: bool
    is_demo: bool
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    attachments: list[AttachmentRead] = []
    translation: dict[str, Any] | None = Field(
        None, description="with ?lang=: the fields in that language and their provenance"
    )


class RecordPage(Schema):
    items: list[RecordRead]
    next_cursor: str | None


class VersionRead(Schema):
    number: int
    created_at: datetime
    note: str
    snapshot: dict[str, Any]


class DiffRead(Schema):
    from_version: int
    to_version: int
    changes: list[dict[str, Any]]


class SnippetRead(Schema):
    language: str
    parts: list[tuple[str, bool]]


class SearchHit(Schema):
    record: RecordRead
    score: float
    snippet: SnippetRead | None


class FacetValue(Schema):
    value: str
    count: int


class SearchRead(Schema):
    total: int
    total_exact: bool = Field(
        True, description="false when there are more matches than `total` (10,000)"
    )
    ranking_windowed: bool = Field(
        False,
        description="true when more records matched than the rank window: only the most recent "
        "ones were ranked by relevance, older matches follow newest first",
    )
    terms: list[str]
    items: list[SearchHit]
    facets: dict[str, list[FacetValue]]


class ChangeRead(Schema):
    id: int
    action: str
    record_id: int
    version: int
    created_at: datetime
    record: RecordRead | None = Field(
        None, description="absent when the record is no longer readable"
    )


class ChangePage(Schema):
    items: list[ChangeRead]
    next_cursor: str


class SubscriptionWrite(Schema):
    name: str
    kinds: list[str] = []
    countries: list[str] = []
    topics: list[str] = []
    hs_prefixes: list[str] = []
    query: str = ""
    by_inbox: bool = True
    by_email: bool = False
    webhook_url: str = ""


class SubscriptionRead(Schema):
    id: int
    name: str
    organisation: str
    kinds: list[str]
    countries: list[str]
    topics: list[str]
    hs_prefixes: list[str]
    query: str
    by_inbox: bool
    by_email: bool
    webhook_url: str
    feed_url: str
    created_at: datetime


class SubscriptionCreated(SubscriptionRead):
    webhook_secret: str = Field(
        ..., description="HMAC key of the webhook signature; shown only once"
    )


class InboxItemRead(Schema):
    id: int
    subscription: str
    record: RecordRead
    version: int
    created_at: datetime
    read_at: datetime | None


class InboxPage(Schema):
    items: list[InboxItemRead]
    next_cursor: str | None


class ImportStarted(Schema):
    job_id: int
    status: str
    url: str
