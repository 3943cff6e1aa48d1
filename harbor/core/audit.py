"""The tamper-evident audit chain: every write appends an entry in the same transaction.

Each entry's hash covers its own fields and the previous entry's hash; ``verify_chain`` recomputes them all
and names the first entry that no longer matches.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.forms.models import model_to_dict
from django.utils import timezone

from harbor.core.actors import Actor
from harbor.core.models import AuditEntry, AuditHead

GENESIS_HASH = "0" * 64


class AuditEncoder(DjangoJSONEncoder):
    """Django's encoder, plus stored files by name (their bytes are covered by their own checksum)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, FieldFile):
            return o.name
        return super().default(o)


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no whitespace, so equal data always hashes equally."""
    return json.dumps(
        value, cls=AuditEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def object_digest(obj: models.Model | None) -> str:
    """SHA-256 of an object's field values (empty string's hash for a deleted object)."""
    if obj is None:
        return sha256_hex("")
    return sha256_hex(canonical_json(model_to_dict(obj)))


def _entry_payload(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "created_at": entry.created_at.isoformat(),
        "actor_user_id": entry.actor_user_id,
        "actor_label": entry.actor_label,
        "organisation_id": entry.organisation_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "digest": entry.digest,
        "data": entry.data,
        "prev_hash": entry.prev_hash,
    }


def compute_entry_hash(entry: AuditEntry) -> str:
    return sha256_hex(canonical_json(_entry_payload(entry)))


def record_audit(
    actor: Actor,
    action: str,
    obj: models.Model,
    *,
    deleted: bool = False,
    **data: Any,
) -> AuditEntry:
    """Append an audit entry for ``action`` on ``obj``; must run inside the writer's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_audit must run inside the transaction of the write it records")
    head, _created = AuditHead.objects.select_for_update().get_or_create(pk=1)
    entry = AuditEntry(
        seq=head.seq + 1,
        created_at=timezone.now(),
        actor_user_id=actor.user_id,
        actor_label=actor.label,
        organisation_id=actor.organisation_id,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        digest=object_digest(None if deleted else obj),
        data=json.loads(canonical_json(data)),
        prev_hash=head.entry_hash,
    )
    entry.entry_hash = compute_entry_hash(entry)
    entry.save(force_insert=True)
    head.seq = entry.seq
    head.entry_hash = entry.entry_hash
    head.save(update_fields=["seq", "entry_hash"])
    return entry


@dataclass(frozen=True)
class ChainProblem:
    """Where the chain breaks, and why."""

    seq: int
    entry_id: int | None
    reason: str


@dataclass(frozen=True)
class ChainReport:
    checked: int
    problem: ChainProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _entries() -> Iterator[AuditEntry]:
    return AuditEntry.objects.order_by("seq").iterator(chunk_size=2000)


def verify_chain(progress: Any = None) -> ChainReport:
    """Recompute every entry's hash in order; report the first entry that was altered, removed or forged."""
    previous_hash = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for entry in _entries():
        if entry.seq != expected_seq:
            return ChainReport(checked, ChainProblem(expected_seq, None, "entry missing"))
        if entry.prev_hash != previous_hash:
            return ChainReport(
                checked, ChainProblem(entry.seq, entry.pk, "previous hash does not match")
            )
        if compute_entry_hash(entry) != entry.entry_hash:
            return ChainReport(
                checked, ChainProblem(entry.seq, entry.pk, "content does not match its hash")
            )
        previous_hash = entry.entry_hash
        expected_seq += 1
        checked += 1
        if progress is not None:
            progress.update(1)
    head = AuditHead.objects.filter(pk=1).first()
    if head is None and checked:
        # Every append updates the head; without it, removed trailing entries would go unnoticed.
        return ChainReport(checked, ChainProblem(checked, None, "chain head is missing"))
    if head is not None and (head.seq != checked or head.entry_hash != previous_hash):
        return ChainReport(
            checked, ChainProblem(head.seq, None, "chain was truncated after its last entry")
        )
    return ChainReport(checked, None)
