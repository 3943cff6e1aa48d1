"""The change feed's fast path: records serialised with their JSON columns copied as stored.

The feed is what national nodes pull in bulk, so it skips decoding and re-encoding each record's language
maps and lists: the database hands them over as JSON text and they are spliced into the response. The shape
is exactly the API's ``RecordRead``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F, TextField
from django.db.models.functions import Cast

from harbor.sharing.models import Attachment, pick_language

RAW_COLUMNS = ("title", "summary", "body", "topics", "hs_codes", "countries", "details", "links")
SCALARS = (
    "id",
    "kind",
    "status",
    "version",
    "home_country_id",
    "original_language",
    "effective_date",
    "expiry_date",
    "audience",
    "residency",
    "is_demo",
    "created_at",
    "updated_at",
    "published_at",
)
_encode = DjangoJSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def records_as_json(records: Any, ids: Iterable[int], language: str | None) -> dict[int, str]:
    """JSON text of each record in ``records`` (a queryset already restricted to what the reader may read)."""
    rows = (
        records.filter(pk__in=list(ids))
        .annotate(owner_slug=F("owner__slug"), owner_name=F("owner__name"))
        .annotate(**{f"raw_{name}": Cast(name, TextField()) for name in RAW_COLUMNS})
        .values(*SCALARS, "owner_slug", "owner_name", *(f"raw_{name}" for name in RAW_COLUMNS))
    )
    rows = list(rows)
    attachments: dict[int, list[dict[str, Any]]] = {}
    for pk, record_id, filename, content_type, size, sha256 in Attachment.objects.filter(
        record_id__in=[row["id"] for row in rows]
    ).values_list("id", "record_id", "filename", "content_type", "size", "sha256"):
        attachments.setdefault(record_id, []).append(
            {
                "id": pk,
                "filename": filename,
                "content_type": content_type,
                "size": size,
                "sha256": sha256,
                "url": f"/api/v1/records/{record_id}/attachments/{pk}",
            }
        )
    out: dict[int, str] = {}
    for row in rows:
        title = json.loads(row["raw_title"])
        scalars = {
            "id": row["id"],
            "kind": row["kind"],
            "status": row["status"],
            "version": row["version"],
            "owner": row["owner_slug"],
            "owner_name": row["owner_name"],
            "home_country": row["home_country_id"],
            "original_language": row["original_language"],
            "language": pick_language(title, row["original_language"], language)[0],
            "effective_date": row["effective_date"],
            "expiry_date": row["expiry_date"],
            "audience": row["audience"],
            "residency": row["residency"],
            "is_demo": row["is_demo"],
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
            "published_at": row["published_at"],
            "attachments": attachments.get(row["id"], []),
        }
        raw = ",".join(f'"{name}":{row[f"raw_{name}"]}' for name in RAW_COLUMNS)
        out[row["id"]] = _encode(scalars)[:-1] + "," + raw + "}"
    return out
