"""Writes of the sharing hub: create, edit, publish and withdraw records, each edit a new version.

Every write checks permission, runs in one transaction with its audit entry and change-feed event, and
after commit reindexes the record and notifies subscribers.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from harbor.core.actors import Actor
from harbor.core.audit import record_audit
from harbor.core.errors import ErrorCode, HarborError
from harbor.core.permissions import require
from harbor.directory.models import Organisation
from harbor.language.identify import identify
from harbor.sharing import permissions as perms
from harbor.sharing import validation as check
from harbor.sharing.choices import Audience, ChangeAction, RecordStatus
from harbor.sharing.models import ChangeEvent, Record, RecordAccess, RecordVersion
from harbor.sharing.policy import record_keys

EDITABLE = (
    "kind",
    "original_language",
    "title",
    "summary",
    "body",
    "topics",
    "hs_codes",
    "countries",
    "details",
    "links",
    "effective_date",
    "expiry_date",
    "audience",
    "audience_countries",
    "audience_organisations",
    "residency",
)


def _as_date(value: Any, field: str, errors: check.Collector) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    parsed = parse_date(str(value)) if isinstance(value, str) else None
    if parsed is None:
        errors.add(field, _("Give a date as YYYY-MM-DD."))
    return parsed


def _original_language(data: dict[str, Any], country: str, errors: check.Collector) -> str:
    """The declared original language, or the one detected from the title and summary."""
    declared = data.get("original_language")
    if declared:
        code = str(declared).lower()
        if code not in check.LANGUAGES:
            errors.add(
                "original_language",
                _("“%(lang)s” is not a supported language.") % {"lang": declared},
            )
        return code
    titles = data.get("title") or {}
    if isinstance(titles, dict) and len(titles) == 1:
        return str(next(iter(titles))).lower()
    sample = " ".join(str(text) for text in (titles.values() if isinstance(titles, dict) else []))
    found = identify(sample, country=country)
    if found is None:
        errors.add("original_language", _("Say which language the record is written in."))
        return "en"
    return found.language


def clean_record_data(data: dict[str, Any], *, owner: Organisation) -> dict[str, Any]:
    """Validate every field at once; raises ValidationFailed naming each bad field."""
    errors = check.Collector()
    unknown = sorted(set(data) - set(EDITABLE))
    for name in unknown:
        errors.add(name, _("Unknown field."))
    language = _original_language(data, owner.country_id, errors)
    cleaned: dict[str, Any] = {
        "kind": check.kind(data.get("kind"), errors),
        "original_language": language,
        "title": check.language_map(data.get("title"), "title", errors, required_language=language),
        "summary": check.language_map(data.get("summary"), "summary", errors),
        "body": check.language_map(data.get("body"), "body", errors),
        "topics": check.topics(data.get("topics") or [], errors),
        "hs_codes": check.hs_codes(data.get("hs_codes") or [], errors),
        "countries": check.country_codes(
            data.get("countries") or [], "countries", errors, members_only=False
        ),
        "links": check.links(data.get("links") or [], errors),
        "effective_date": _as_date(data.get("effective_date"), "effective_date", errors),
        "expiry_date": _as_date(data.get("expiry_date"), "expiry_date", errors),
        "residency": bool(data.get("residency", False)),
    }
    cleaned["details"] = check.details(cleaned["kind"], data.get("details"), errors)
    check.dates(cleaned["effective_date"], cleaned["expiry_date"], errors)
    audience, countries, organisations = check.audience(
        data.get("audience", Audience.OWNER),
        data.get("audience_countries"),
        data.get("audience_organisations"),
        errors,
    )
    cleaned.update(
        audience=audience, audience_countries=countries, audience_organisations=organisations
    )
    errors.raise_if_any()
    return cleaned


def snapshot(record: Record) -> dict[str, Any]:
    """Everything a version keeps: content, policy and status."""
    data = {name: getattr(record, name) for name in EDITABLE}
    for name in ("effective_date", "expiry_date"):
        data[name] = data[name].isoformat() if data[name] else None
    data["status"] = record.status
    return data


def _editable_snapshot(record: Record) -> dict[str, Any]:
    """The record's current values in the shape the API accepts (organisations as slugs)."""
    data = snapshot(record)
    data.pop("status")
    data["audience_organisations"] = list(
        Organisation.objects.filter(pk__in=record.audience_organisations).values_list(
            "slug", flat=True
        )
    )
    return data


def _commit(
    record: Record, *, actor: Actor, action: str, previous_keys: list[str], note: str = ""
) -> Record:
    """Store the version, access keys, change event and audit entry; reindex and notify after commit."""
    keys = record_keys(record)
    RecordVersion.objects.create(
        record=record,
        number=record.version,
        snapshot=snapshot(record),
        created_by_id=actor.user_id,
        note=note,
    )
    RecordAccess.objects.filter(record=record).exclude(key__in=keys).delete()
    existing = set(RecordAccess.objects.filter(record=record).values_list("key", flat=True))
    RecordAccess.objects.bulk_create(
        [RecordAccess(record=record, key=key) for key in keys if key not in existing]
    )
    ChangeEvent.objects.create(
        record=record,
        action=action,
        version=record.version,
        access_keys=keys,
        previous_keys=previous_keys,
    )
    record_audit(actor, f"record.{action}", record, version=record.version)
    record_id = record.pk
    transaction.on_commit(lambda: _after_commit(record_id, action))
    return record


def _after_commit(record_id: int, action: str) -> None:
    from harbor.sharing.indexing import index_records
    from harbor.sharing.notifications import notify_subscribers

    index_records([record_id])
    if action in (ChangeAction.PUBLISHED, ChangeAction.UPDATED):
        notify_subscribers(record_id)


def create_record(
    *,
    actor: Actor,
    data: dict[str, Any],
    publish: bool = False,
    external_id: str = "",
    is_demo: bool = False,
) -> Record:
    """Write a new record for the acting organisation (editors and above); a draft unless ``publish``."""
    require(actor, perms.PUBLISH_RECORD)
    owner = Organisation.objects.select_related("country").get(pk=actor.organisation_id or 0)
    cleaned = clean_record_data(data, owner=owner)
    now = timezone.now()
    with transaction.atomic():
        record = Record.objects.create(
            owner=owner,
            home_country_id=owner.country_id,
            status=RecordStatus.PUBLISHED if publish else RecordStatus.DRAFT,
            published_at=now if publish else None,
            created_by_id=actor.user_id,
            created_at=now,
            updated_at=now,
            external_id=external_id,
            is_demo=is_demo,
            **cleaned,
        )
        action = ChangeAction.PUBLISHED if publish else ChangeAction.DRAFTED
        _commit(record, actor=actor, action=action, previous_keys=[])
    return record


def update_record(
    record: Record, *, actor: Actor, changes: dict[str, Any], note: str = ""
) -> Record:
    """Edit a record (editors of its owner): a new version; a changed policy applies at once everywhere."""
    require(actor, perms.EDIT_RECORD, record)
    if not changes:
        return record
    merged = {**_editable_snapshot(record), **changes}
    if (
        "title" in changes
        and "original_language" not in changes
        and record.original_language not in (changes["title"] or {})
    ):
        merged.pop("original_language")
    cleaned = clean_record_data(merged, owner=record.owner)
    with transaction.atomic():
        locked = Record.objects.select_for_update().get(pk=record.pk)
        previous_keys = record_keys(locked)
        changed = [name for name, value in cleaned.items() if getattr(locked, name) != value]
        if not changed:
            return locked
        for name in changed:
            setattr(locked, name, cleaned[name])
        locked.version += 1
        locked.updated_at = timezone.now()
        locked.save(update_fields=[*changed, "version", "updated_at"])
        _commit(
            locked, actor=actor, action=ChangeAction.UPDATED, previous_keys=previous_keys, note=note
        )
    return locked


def _set_status(record: Record, *, actor: Actor, status: str, action: str) -> Record:
    require(actor, perms.EDIT_RECORD, record)
    with transaction.atomic():
        locked = Record.objects.select_for_update().get(pk=record.pk)
        if locked.status == status:
            return locked
        previous_keys = record_keys(locked)
        locked.status = status
        locked.version += 1
        locked.updated_at = timezone.now()
        fields = ["status", "version", "updated_at"]
        if status == RecordStatus.PUBLISHED and locked.published_at is None:
            locked.published_at = locked.updated_at
            fields.append("published_at")
        locked.save(update_fields=fields)
        _commit(locked, actor=actor, action=action, previous_keys=previous_keys)
    return locked


def publish_record(record: Record, *, actor: Actor) -> Record:
    """Make a draft (or a withdrawn record) readable under its policy."""
    return _set_status(
        record, actor=actor, status=RecordStatus.PUBLISHED, action=ChangeAction.PUBLISHED
    )


def withdraw_record(record: Record, *, actor: Actor) -> Record:
    """Take a record back: only its owner reads it from now on; readers get a tombstone in the feed."""
    if record.status == RecordStatus.DRAFT:
        raise HarborError(
            ErrorCode.CONFLICT, _("A draft cannot be withdrawn; it was never published.")
        )
    return _set_status(
        record, actor=actor, status=RecordStatus.WITHDRAWN, action=ChangeAction.WITHDRAWN
    )
