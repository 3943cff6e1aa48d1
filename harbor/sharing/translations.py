"""Translate-on-read: a record offered in the reader's language.

Business rules:
- A reader asking for a language the record was written in gets the human text (provenance ``human``).
- Otherwise the current version's machine translation into that language is looked up; the first reader
  to ask starts it as a task (one per record, version and language; asking again starts nothing). Until
  it is done the reader gets the original, said so.
- A translation is made from the original language's text by ``language.services.translate_texts``
  (translation memory first, then the engine with the glossary), and stored with its provenance per
  field: ``memory`` or ``machine`` with the engine's name. It is always shown labelled as machine output,
  with the original one click away. A new version is translated afresh.
- Without an engine for the pair the translation is stored as ``unavailable`` with the reason; it is
  tried again when a reader asks after an operator installs a model (``retry_unavailable``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from harbor.core.actors import Actor
from harbor.core.audit import record_audit
from harbor.core.errors import NotFound
from harbor.core.permissions import require
from harbor.language import permissions as language_permissions
from harbor.language.engines.base import LANGUAGES
from harbor.language.services import remember_correction, translate_texts
from harbor.sharing.models import Record, RecordTranslation, TranslationStatus
from harbor.sharing.tasks import translate_record_task

FIELDS = ("title", "summary", "body")


@dataclass(frozen=True)
class ReaderText:
    """What a reader gets for one language: the texts, where they come from, and the translation's state."""

    language: str
    status: str
    title: str
    summary: str
    body: str
    provenance: dict[str, Any]
    engine: str = ""
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "status": self.status,
            "engine": self.engine,
            "message": self.message,
            **{
                name: {"text": getattr(self, name), **self.provenance.get(name, {})}
                for name in FIELDS
            },
        }


def _human(record: Record, language: str) -> ReaderText:
    return ReaderText(
        language=language,
        status="human",
        title=record.title.get(language, ""),
        summary=record.summary.get(language, ""),
        body=record.body.get(language, ""),
        provenance={name: {"kind": "human"} for name in FIELDS},
    )


def _from_row(row: RecordTranslation) -> ReaderText:
    return ReaderText(
        language=row.language,
        status=row.status,
        title=row.title,
        summary=row.summary,
        body=row.body,
        provenance=row.provenance,
        engine=row.engine,
        message=row.message,
    )


def text_for_reader(record: Record, language: str, *, start: bool = True) -> ReaderText | None:
    """The record in ``language``: human text, a stored translation, or a translation just started.

    None when ``language`` is not one of the harbor's languages.
    """
    language = (language or "").lower()
    if language not in LANGUAGES:
        return None
    if record.title.get(language):
        return _human(record, language)
    row = RecordTranslation.objects.filter(
        record=record, version=record.version, language=language
    ).first()
    if row is None and start:
        row = _start(record, language)
    elif row is not None and start and row.status == TranslationStatus.UNAVAILABLE:
        row = retry_unavailable(row)
    if row is None:
        return None
    return _from_row(row)


def _start(record: Record, language: str) -> RecordTranslation:
    try:
        with transaction.atomic():
            row = RecordTranslation.objects.create(
                record=record, version=record.version, language=language
            )
    except IntegrityError:  # another reader started it at the same moment
        return RecordTranslation.objects.get(
            record=record, version=record.version, language=language
        )
    _enqueue(row.pk)
    return row


def retry_unavailable(row: RecordTranslation) -> RecordTranslation:
    """Try an unavailable translation again once an engine may have been installed (at most once a
    minute per translation)."""
    if (timezone.now() - row.updated_at).total_seconds() < 60:
        return row
    updated = RecordTranslation.objects.filter(
        pk=row.pk, status=TranslationStatus.UNAVAILABLE, updated_at=row.updated_at
    ).update(status=TranslationStatus.PENDING, updated_at=timezone.now())
    if updated:
        _enqueue(row.pk)
        row.refresh_from_db()
    return row


def _enqueue(translation_id: int) -> None:
    transaction.on_commit(lambda: translate_record_task.enqueue(translation_id))


def run_translation(translation_id: int) -> str:
    """Make a pending translation (the task's body): translate the original's fields and store them."""
    row = (
        RecordTranslation.objects.select_related("record")
        .filter(pk=translation_id, status=TranslationStatus.PENDING)
        .first()
    )
    if row is None:
        return "skipped"
    record = row.record
    original = record.original_language
    texts = {name: getattr(record, name).get(original, "") for name in FIELDS}
    wanted = [name for name in FIELDS if texts[name].strip()]
    outcome = translate_texts(
        [texts[name] for name in wanted], source=original, target=row.language
    )
    results = dict(zip(wanted, outcome.items, strict=True))
    if any(item.text is None for item in results.values()):
        row.status = TranslationStatus.UNAVAILABLE
        row.message = outcome.message
    else:
        row.status = TranslationStatus.DONE
        row.message = ""
        row.engine = outcome.engine
        provenance: dict[str, Any] = {}
        for name in FIELDS:
            item = results.get(name)
            setattr(row, name, item.text if item is not None and item.text else "")
            provenance[name] = (
                {"kind": "original"}
                if item is None
                else {
                    "kind": item.provenance,
                    "engine": item.engine,
                    "memory_segments": item.memory_segments,
                    "machine_segments": item.machine_segments,
                }
            )
        row.provenance = provenance
    row.updated_at = timezone.now()
    row.save()
    return str(row.status)


def correct_translation(
    record: Record, *, language: str, corrections: dict[str, str], actor: Actor
) -> RecordTranslation:
    """A person corrects the machine translation of the current version into ``language``.

    Each corrected field is stored on the translation (provenance ``human``, with who corrected it) and
    remembered in the translation memory, so the same sentences are translated this way next time.
    Members of verified organisations and platform staff may correct.
    """
    require(actor, language_permissions.REMEMBER_TRANSLATION)
    row = RecordTranslation.objects.filter(
        record=record, version=record.version, language=language, status=TranslationStatus.DONE
    ).first()
    if row is None:
        raise NotFound(_("There is no machine translation of this record into that language."))
    changed = {
        name: text.strip()
        for name, text in corrections.items()
        if name in FIELDS and text.strip() and text.strip() != getattr(row, name)
    }
    if not changed:
        return row
    with transaction.atomic():
        for name, text in changed.items():
            original = getattr(record, name).get(record.original_language, "")
            remember_correction(
                original, text, source=record.original_language, target=language, actor=actor
            )
            setattr(row, name, text)
            row.provenance[name] = {"kind": "human", "corrected_by": actor.username}
        row.updated_at = timezone.now()
        row.save(update_fields=[*changed, "provenance", "updated_at"])
        record_audit(actor, "record.translation_corrected", row, fields=sorted(changed))
    return row
