"""API schemas of the directory."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema


class OrganisationRead(Schema):
    slug: str
    name: str
    display_name: str
    name_translations: dict[str, str]
    language: str
    description: dict[str, str]
    country: str = Field(..., alias="country_id")
    kind: str
    verification: str
    verified_at: datetime | None
    website: str
    is_demo: bool
    created_at: datetime


class OrganisationPage(Schema):
    items: list[OrganisationRead]
    next_cursor: str | None


class OrganisationCreate(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    country: str = Field(
        ..., description="ISO 3166-1 alpha-2 code of a member state", examples=["VN"]
    )
    kind: str = Field(..., examples=["enterprise"])
    language: str = Field("en", description="BCP 47 tag of the language the name is written in")
    description: dict[str, str] = Field(default_factory=dict, description="language map")
    name_translations: dict[str, str] = Field(default_factory=dict, description="language map")
    website: str = ""


class OrganisationUpdate(Schema):
    name: str | None = None
    country: str | None = None
    kind: str | None = None
    language: str | None = None
    description: dict[str, str] | None = None
    name_translations: dict[str, str] | None = None
    website: str | None = None


class VerificationSet(Schema):
    status: str = Field(..., examples=["verified"])


class MemberRead(Schema):
    id: int
    username: str
    email: str
    role: str
    created_at: datetime

    @staticmethod
    def resolve_username(obj: object) -> str:
        return obj.user.username  # type: ignore[attr-defined]

    @staticmethod
    def resolve_email(obj: object) -> str:
        return obj.user.email  # type: ignore[attr-defined]


class MemberPage(Schema):
    items: list[MemberRead]
    next_cursor: str | None


class MemberUpdate(Schema):
    role: str


class InvitationCreate(Schema):
    email: str
    role: str = "viewer"


class InvitationRead(Schema):
    id: int
    email: str
    role: str
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None


class InvitationCreated(InvitationRead):
    token: str = Field(..., description="secret to accept the invitation; shown only once")
    accept_url: str


class InvitationAccept(Schema):
    token: str


class TokenRead(Schema):
    id: int
    name: str
    prefix: str
    organisation: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @staticmethod
    def resolve_organisation(obj: object) -> str:
        if isinstance(obj, dict):  # TokenCreated is built from an already resolved TokenRead
            return str(obj["organisation"])
        return obj.organisation.slug  # type: ignore[attr-defined]


class TokenCreate(Schema):
    name: str
    organisation: str | None = Field(
        None, description="slug; default: the organisation you act for"
    )
    scopes: list[str] = Field(default_factory=lambda: ["read"])
    expires_at: datetime | None = None


class TokenCreated(TokenRead):
    token: str = Field(..., description="the bearer token; shown only once")


class MembershipBrief(Schema):
    organisation: str
    role: str


class MeRead(Schema):
    username: str
    email: str
    is_staff: bool
    acting_organisation: str | None
    role: str | None
    scopes: list[str]
    memberships: list[MembershipBrief]
