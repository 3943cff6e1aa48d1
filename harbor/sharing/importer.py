"""Bulk import of records from CSV or JSON, idempotent by external id, with a report per row.

CSV columns: ``external_id``, ``kind``, ``original_language``, ``title.<lang>``, ``summary.<lang>``,
``body.<lang>``, ``topics``, ``hs_codes``, ``countries``, ``audience_countries``, ``audience_organisations``
(lists separated by ``;``), ``audience``, ``effective_date``, ``expiry_date``, ``status`` (draft or
published). JSON: a list of objects with the API's field names plus ``external_id`` and ``status``.
A row whose external id exists is updated when it differs and left alone when it does not.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from harbor.core.actors import Actor
from harbor.core.errors import HarborError, ValidationFailed
from harbor.core.jobs import JobReporter, job_handler, start_job
from harbor.core.models import Job
from harbor.core.permissions import require
from harbor.directory.models import Organisation, User
from harbor.directory.services import build_actor
from harbor.sharing import permissions as perms
from harbor.sharing import services
from harbor.sharing.models import Record

LIST_COLUMNS = ("topics", "hs_codes", "countries", "audience_countries", "audience_organisations")
MAP_COLUMNS = ("title", "summary", "body")
MAX_ROWS = 100_000


@dataclass
class RowResult:
    row: int
    external_id: str
    outcome: str
    record_id: int | None = None
    errors: list[dict[str, str]] = field(default_factory=list)


@dataclass
class ImportReport:
    rows: list[RowResult] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for row in self.rows:
            totals[row.outcome] = totals.get(row.outcome, 0) + 1
        return totals

    def as_dict(self) -> dict[str, Any]:
        return {
            "counts": self.counts(),
            "rows": [row.__dict__ for row in self.rows if row.outcome == "error"][:1000],
        }


def _csv_rows(text: str) -> list[dict[str, Any]]:
    rows = []
    for raw in csv.DictReader(io.StringIO(text)):
        row: dict[str, Any] = {}
        for column, value in raw.items():
            if column is None or value is None or value == "":
                continue
            name, _sep, language = column.partition(".")
            if name in MAP_COLUMNS and language:
                row.setdefault(name, {})[language] = value
            elif name in LIST_COLUMNS:
                row[name] = [item.strip() for item in value.split(";") if item.strip()]
            else:
                row[name] = value
        rows.append(row)
    return rows


def parse_file(path: Path) -> list[dict[str, Any]]:
    """Rows of a CSV or JSON file; the format is chosen by the file's extension."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationFailed.for_field(
                "file", _("The JSON is not valid: %(error)s") % {"error": exc.msg}
            ) from None
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise ValidationFailed.for_field("file", _("The JSON must be a list of objects."))
        rows = data
    elif path.suffix.lower() == ".csv":
        rows = _csv_rows(text)
    else:
        raise ValidationFailed.for_field("file", _("Give a .csv or .json file."))
    if len(rows) > MAX_ROWS:
        raise ValidationFailed.for_field(
            "file", _("At most %(n)d rows per file.") % {"n": MAX_ROWS}
        )
    return rows


def import_rows(
    rows: list[dict[str, Any]], *, actor: Actor, progress: Callable[[int], object] | None = None
) -> ImportReport:
    """Create or update one record per row; a bad row is reported and skipped, never half-written."""
    report = ImportReport()
    for number, row in enumerate(rows, start=1):
        external_id = str(row.pop("external_id", "") or "").strip()
        publish = str(row.pop("status", "draft")) == "published"
        result = RowResult(row=number, external_id=external_id, outcome="error")
        try:
            if not external_id:
                raise ValidationFailed.for_field(
                    "external_id", _("Every row needs an external id.")
                )
            with transaction.atomic():
                existing = Record.objects.filter(
                    owner_id=actor.organisation_id, external_id=external_id
                ).first()
                if existing is None:
                    record = services.create_record(
                        actor=actor, data=row, publish=publish, external_id=external_id
                    )
                    result.outcome = "created"
                else:
                    before = existing.version
                    record = services.update_record(existing, actor=actor, changes=row)
                    if publish and record.status != "published":
                        record = services.publish_record(record, actor=actor)
                    result.outcome = "updated" if record.version != before else "unchanged"
                result.record_id = record.pk
        except HarborError as error:
            result.errors = [e.as_dict() for e in error.errors] or [
                {"field": "", "message": str(error.detail)}
            ]
        report.rows.append(result)
        if progress is not None:
            progress(1)
    return report


@job_handler("sharing.import")
def import_job(reporter: JobReporter, params: dict[str, Any]) -> dict[str, Any]:
    """Run an import as a job for a user acting for an organisation (ids in the job's parameters)."""
    user = User.objects.get(pk=params["user_id"])
    organisation = Organisation.objects.get(pk=params["organisation_id"])
    rows = parse_file(Path(params["path"]))
    reporter.set_total(len(rows))
    reporter.log(f"Importing {len(rows)} rows")
    report = import_rows(
        rows, actor=build_actor(user, organisation=organisation), progress=reporter.advance
    )
    reporter.log(f"Done: {report.counts()}")
    return report.as_dict()


def start_import(*, actor: Actor, filename: str, content: bytes) -> Job:
    """Store an uploaded file and start importing it as a job for the acting organisation (editors)."""
    require(actor, perms.PUBLISH_RECORD)
    suffix = Path(filename).suffix.lower()
    if suffix not in (".csv", ".json"):
        raise ValidationFailed.for_field("file", _("Give a .csv or .json file."))
    if not content:
        raise ValidationFailed.for_field("file", _("The file is empty."))
    folder = Path(settings.DATA_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}{suffix}"
    path.write_bytes(content)
    return start_job(
        "sharing.import",
        actor=actor,
        params={
            "path": str(path),
            "user_id": actor.user_id,
            "organisation_id": actor.organisation_id,
        },
    )
