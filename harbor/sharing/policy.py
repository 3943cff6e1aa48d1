"""The sharing policy, in one place: which access keys open a record, and which keys a reader holds.

A record is readable by a reader when the two sets meet. Every read path (pages, API, search and its facet
counts, feeds, exports, the catalogue, the change feed and notifications) uses these two functions.

- ``public``: everyone, signed in or not;
- ``members``: any verified organisation;
- ``countries``: verified organisations in the listed countries;
- ``organisations``: the listed organisations (verified or not: the owner chose them by name);
- ``owner``: the owning organisation only.
The owner always reads its own records; drafts and withdrawn records are readable by the owner only.
"""

from __future__ import annotations

from typing import Protocol

from harbor.core.actors import Actor
from harbor.sharing.choices import Audience, RecordStatus

PUBLIC = "public"
MEMBERS = "members"


def country_key(code: str) -> str:
    return f"c_{code.lower()}"


def organisation_key(organisation_id: int) -> str:
    return f"o_{organisation_id}"


class PolicyHolder(Protocol):
    owner_id: int
    status: str
    audience: str
    audience_countries: list[str]
    audience_organisations: list[int]


def record_keys(record: PolicyHolder) -> list[str]:
    """The access keys that open ``record`` under its current status and policy."""
    keys = [organisation_key(record.owner_id)]
    if record.status != RecordStatus.PUBLISHED:
        return keys
    if record.audience == Audience.PUBLIC:
        keys.append(PUBLIC)
    elif record.audience == Audience.MEMBERS:
        keys.append(MEMBERS)
    elif record.audience == Audience.COUNTRIES:
        keys.extend(country_key(code) for code in record.audience_countries)
    elif record.audience == Audience.ORGANISATIONS:
        keys.extend(organisation_key(pk) for pk in record.audience_organisations)
    return sorted(set(keys))


def reader_keys(actor: Actor) -> list[str]:
    """The access keys ``actor`` holds while acting for their current organisation."""
    keys = [PUBLIC]
    if actor.organisation_id is not None:
        keys.append(organisation_key(actor.organisation_id))
        if actor.organisation_verified:
            keys.append(MEMBERS)
            if actor.organisation_country:
                keys.append(country_key(actor.organisation_country))
    return keys


def can_read(actor: Actor, keys: list[str]) -> bool:
    return bool(set(reader_keys(actor)) & set(keys))
