"""Reads of the sharing hub. ``visible_records`` is the one gate every read path goes through."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from harbor.core.actors import Actor
from harbor.core.errors import NotFound, ValidationFailed
from harbor.search.services import Found, search_documents
from harbor.sharing.indexing import FACETS, SOURCE
from harbor.sharing.models import ChangeEvent, Record, RecordAccess, RecordVersion
from harbor.sharing.policy import reader_keys


def visible_records(actor: Actor) -> QuerySet[Record]:
    """Records whose access keys meet the reader's: the sharing policy applied in the database."""
    keys = reader_keys(actor)
    return Record.objects.filter(
        pk__in=RecordAccess.objects.filter(key__in=keys).values("record_id")
    )


def list_records_for(
    actor: Actor,
    *,
    kind: str = "",
    country: str = "",
    status: str = "",
    owner: str = "",
) -> QuerySet[Record]:
    """Readable records, newest first, filtered by kind, home country, status and owner (HS: use search)."""
    records = (
        visible_records(actor)
        .select_related("owner", "home_country")
        .prefetch_related("attachments")
    )
    if kind:
        records = records.filter(kind=kind)
    if country:
        records = records.filter(home_country_id=country.upper())
    if status:
        records = records.filter(status=status)
    if owner:
        records = records.filter(owner__slug=owner)
    return records


def get_record_for(actor: Actor, record_id: int) -> Record:
    """One record, or NotFound when it does not exist or ``actor`` may not read it (the same answer)."""
    record = (
        visible_records(actor).select_related("owner", "home_country").filter(pk=record_id).first()
    )
    if record is None:
        raise NotFound(_("No record %(id)s.") % {"id": record_id})
    return record


def list_versions_for(actor: Actor, record_id: int) -> QuerySet[RecordVersion]:
    record = get_record_for(actor, record_id)
    return record.versions.order_by("number")


def get_version_for(actor: Actor, record_id: int, number: int) -> RecordVersion:
    version = list_versions_for(actor, record_id).filter(number=number).first()
    if version is None:
        raise NotFound(
            _("Record %(id)s has no version %(number)s.") % {"id": record_id, "number": number}
        )
    return version


@dataclass
class RecordSearch:
    records: list[Record]
    found: Found


def search_records_for(
    actor: Actor,
    q: str,
    *,
    kind: str = "",
    country: str = "",
    hs: str = "",
    topic: str = "",
    language: str = "",
    year: str = "",
    reader_language: str = "",
    limit: int = 20,
    offset: int = 0,
) -> RecordSearch:
    """Full-text search over the records ``actor`` may read, with facet counts over the same set."""
    if len(q) > 500:
        raise ValidationFailed.for_field("q", _("The query is longer than 500 characters."))
    filters = {
        name: [value.upper() if name == "country" else value]
        for name, value in {
            "kind": kind,
            "country": country,
            "hs": hs,
            "topic": topic,
            "language": language.lower(),
            "year": year,
        }.items()
        if value
    }
    found = search_documents(
        q,
        access_keys=reader_keys(actor),
        source=SOURCE,
        filters=filters,
        facet_names=FACETS,
        limit=limit,
        offset=offset,
        language=reader_language,
    )
    ids = [doc.object_id for doc in found.documents]
    by_id = {
        record.pk: record
        for record in visible_records(actor)
        .filter(pk__in=ids)
        .select_related("owner")
        .prefetch_related("attachments")
    }
    return RecordSearch(records=[by_id[pk] for pk in ids if pk in by_id], found=found)


@dataclass
class ChangePage:
    events: list[tuple[ChangeEvent, bool]]
    next_cursor: int


def changes_for(
    actor: Actor, *, since: int = 0, limit: int = 500, scan_limit: int = 20_000
) -> ChangePage:
    """Change events after ``since`` that concern ``actor``, filtered before they are sent.

    Each event comes with whether the reader can read the record now; an event they could read before but
    not after (withdrawn, or no longer shared with them) is sent as a tombstone. The cursor is the last
    event id examined, so a reader never sees an event twice and never misses one.
    """
    keys = set(reader_keys(actor))
    events: list[tuple[ChangeEvent, bool]] = []
    cursor = since
    for event in (
        ChangeEvent.objects.filter(pk__gt=since)
        .order_by("pk")[:scan_limit]
        .iterator(chunk_size=2000)
    ):
        cursor = event.pk
        readable_now = bool(keys & set(event.access_keys))
        if readable_now or keys & set(event.previous_keys):
            events.append((event, readable_now))
            if len(events) >= limit:
                break
    return ChangePage(events=events, next_cursor=cursor)
