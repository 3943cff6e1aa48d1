"""Writes of the trade app: importing tariff schedules, product-specific rules, non-tariff measures, import
taxes and customs regimes from CSV files, and saving single rules, measures, taxes and regimes.

Rules:

- Every write checks permission (``harbor.trade.permissions``) for each country or agreement it touches,
  runs in one transaction with its audit entries, and publishes change alerts (``harbor.trade.alerts``)
  after the transaction commits.
- A file is imported whole or not at all: when any row has a problem nothing is written and the report
  lists every problem with its row, column and message.
- Importing is idempotent: rows are matched by their identity (a tariff line by schedule, code and start
  date; a rule by agreement, HS prefix and start date; a measure by importer, HS prefix, measure code and
  start date; a tax by country, kind, name, HS prefix and start date; a regime by country) and written only
  when something differs, so importing the same file twice changes nothing and audits nothing.
- A tariff file is the complete content of each schedule it holds: lines of that schedule missing from
  the file are removed. Each schedule of an importer and agreement ends the day before the next one
  starts; the newest stays open.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Protocol, TypeVar

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from harbor.core.actors import Actor
from harbor.core.audit import record_audit
from harbor.core.errors import FieldError, ValidationFailed
from harbor.core.jobs import JobReporter, job_handler, start_job
from harbor.core.models import Job
from harbor.core.permissions import require
from harbor.directory.models import Organisation, User
from harbor.directory.services import build_actor
from harbor.reference.models import Country
from harbor.trade import alerts, selectors
from harbor.trade import permissions as perms
from harbor.trade.importers import (
    CsvFile,
    ImportReport,
    MeasureDraft,
    Problem,
    RegimeDraft,
    RuleDraft,
    ScheduleDraft,
    TariffOptions,
    TaxDraft,
    parse_harbor_tariffs,
    parse_measures,
    parse_regimes,
    parse_rules,
    parse_taxes,
    parse_wits_tariffs,
    read_csv,
)
from harbor.trade.models import (
    CustomsRegime,
    ImportTax,
    NonTariffMeasure,
    ProductRule,
    TariffLine,
    TariffSchedule,
)

IMPORT_JOB = "trade.import"
KINDS = ("tariffs", "rules", "measures", "taxes", "regimes")
FORMATS = ("harbor", "wits")

# The fields of a tariff line an import may change (its identity is schedule, code and start date).
LINE_FIELDS = [
    "hs6",
    "description",
    "rate_type",
    "ad_valorem_percent",
    "specific_amount",
    "specific_currency",
    "unit",
    "valid_to",
]

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
REMOVED = "removed"

Draft = TypeVar("Draft")
M = TypeVar("M", bound=models.Model)


class Progress(Protocol):
    """What an import reports its progress to: a job's reporter or a progress bar."""

    def set_total(self, total: int) -> None: ...

    def advance(self, steps: int = 1) -> None: ...


def _changed_fields(obj: models.Model, values: dict[str, Any]) -> list[str]:
    return [name for name, value in values.items() if getattr(obj, name) != value]


def _upsert(
    model: type[M],
    identity: dict[str, Any],
    values: dict[str, Any],
    *,
    actor: Actor,
    action: str,
    stamp: bool = False,
) -> tuple[M, str, list[str], dict[str, Any]]:
    """Create or update the row with ``identity``; write and audit only what differs.

    Returns the row, the outcome, the changed fields and their values before the change.
    """
    obj = model._default_manager.select_for_update().filter(**identity).first()
    if obj is None:
        extra = {"updated_at": timezone.now()} if stamp else {}
        obj = model._default_manager.create(**identity, **values, **extra)
        record_audit(actor, f"{action}.created", obj)
        return obj, CREATED, list(values), {}
    changed = _changed_fields(obj, values)
    if not changed:
        return obj, UNCHANGED, [], {}
    before = {name: getattr(obj, name) for name in changed}
    for name in changed:
        setattr(obj, name, values[name])
    fields = list(changed)
    if stamp:
        obj.updated_at = timezone.now()  # type: ignore[attr-defined]
        fields.append("updated_at")
    obj.save(update_fields=fields)
    record_audit(actor, f"{action}.updated", obj, fields=changed)
    return obj, UPDATED, changed, before


# --- tariff schedules ------------------------------------------------------------------------------------


def _schedule_title(importer: str, agreement: str, valid_from: date) -> str:
    country = Country.objects.filter(code=importer).first()
    name = str(country.names.get("en", importer)) if country is not None else importer
    return f"{name} {agreement} tariff schedule from {valid_from.isoformat()}"


def _close_chain(importer: str, agreement: str) -> None:
    """Each schedule of an importer and agreement ends the day before the next one starts."""
    schedules = list(
        TariffSchedule.objects.filter(importer_id=importer, agreement=agreement).order_by(
            "valid_from"
        )
    )
    for current, following in zip(schedules, [*schedules[1:], None], strict=True):
        end = following.valid_from - timedelta(days=1) if following is not None else None
        if current.valid_to != end:
            current.valid_to = end
            current.updated_at = timezone.now()
            current.save(update_fields=["valid_to", "updated_at"])


def _write_schedule(
    draft: ScheduleDraft, *, actor: Actor, provenance: str, report: ImportReport
) -> alerts.ScheduleChanges:
    """Write one schedule and its lines as the file gives them; what changed, for the alerts."""
    header = {
        "nomenclature": draft.nomenclature,
        "title": _schedule_title(draft.importer, draft.agreement, draft.valid_from),
        "legal_source": draft.legal_source,
        "source_url": draft.source_url,
        "is_sample": draft.is_sample,
    }
    schedule = (
        TariffSchedule.objects.select_for_update()
        .filter(importer_id=draft.importer, agreement=draft.agreement, valid_from=draft.valid_from)
        .first()
    )
    created = schedule is None
    predecessor = (
        TariffSchedule.objects.filter(
            importer_id=draft.importer, agreement=draft.agreement, valid_from__lt=draft.valid_from
        )
        .order_by("-valid_from")
        .first()
    )
    if schedule is None:
        before = (
            alerts.schedule_state(predecessor.lines.all(), on=draft.valid_from)
            if predecessor is not None
            else {}
        )
        now = timezone.now()
        schedule = TariffSchedule.objects.create(
            importer_id=draft.importer,
            agreement=draft.agreement,
            valid_from=draft.valid_from,
            provenance=provenance,
            created_at=now,
            updated_at=now,
            **header,
        )
        report.add("schedules_created")
        header_changed: list[str] = []
    else:
        before = alerts.schedule_state(schedule.lines.all(), on=schedule.valid_from)
        header_changed = _changed_fields(schedule, header)
    existing = {(line.code, line.valid_from): line for line in schedule.lines.all()}
    to_create: list[TariffLine] = []
    to_update: list[TariffLine] = []
    for line in draft.lines:
        current = existing.pop((line.code, line.valid_from), None)
        values = line.values()
        if current is None:
            to_create.append(
                TariffLine(schedule=schedule, code=line.code, valid_from=line.valid_from, **values)
            )
        elif _changed_fields(current, values):
            for name, value in values.items():
                setattr(current, name, value)
            to_update.append(current)
        else:
            report.add(UNCHANGED)
    removed = list(existing.values())
    if removed:
        TariffLine.objects.filter(pk__in=[line.pk for line in removed]).delete()
    TariffLine.objects.bulk_create(to_create, batch_size=1000)
    if to_update:
        TariffLine.objects.bulk_update(to_update, LINE_FIELDS, batch_size=1000)
    report.add(CREATED, len(to_create))
    report.add(UPDATED, len(to_update))
    report.add(REMOVED, len(removed))
    lines_changed = bool(to_create or to_update or removed)
    if not created and (header_changed or lines_changed):
        for name in header_changed:
            setattr(schedule, name, header[name])
        schedule.provenance = provenance
        schedule.updated_at = timezone.now()
        schedule.save(update_fields=[*header_changed, "provenance", "updated_at"])
        report.add("schedules_updated")
    if created or header_changed or lines_changed:
        record_audit(
            actor,
            "trade.schedule.imported",
            schedule,
            created=len(to_create),
            updated=len(to_update),
            removed=len(removed),
            fields=header_changed,
        )
    _close_chain(draft.importer, draft.agreement)
    after = alerts.schedule_state(schedule.lines.all(), on=schedule.valid_from)
    return alerts.ScheduleChanges(
        schedule_id=schedule.pk,
        importer=draft.importer,
        agreement=draft.agreement,
        valid_from=draft.valid_from,
        is_sample=draft.is_sample,
        legal_source=draft.legal_source,
        source_url=draft.source_url,
        first=created and predecessor is None,
        latest=True,
        lines=alerts.diff_states(before, after, same_schedule=not created),
    )


def import_tariffs(
    path: Path,
    *,
    actor: Actor,
    options: TariffOptions | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import the tariff schedules of a file (harbor or WITS layout), all or nothing.

    The actor needs permission for every importing country of the file. Alerts for the changed lines of
    the newest schedules are published after the transaction commits.
    """
    options = options or TariffOptions()
    if options.file_format not in FORMATS:
        raise ValidationFailed.for_field(
            "format", _("Choose a format among: %(values)s.") % {"values": ", ".join(FORMATS)}
        )
    report = ImportReport(kind="tariffs", file=path.name)
    data = read_csv(path, lenient_encoding=options.file_format == "wits")
    report.rows = len(data.rows)
    if options.file_format == "wits":
        drafts, report.problems, report.warnings = parse_wits_tariffs(data, options)
    else:
        drafts, report.problems = parse_harbor_tariffs(data, options)
    if not data.rows:
        report.problems.append(Problem(0, "file", _("The file has no data rows.")))
    if report.problems:
        return report
    for importer in sorted({draft.importer for draft in drafts}):
        require(actor, perms.EDIT_TARIFFS, importer)
    if progress is not None:
        progress.set_total(sum(len(draft.lines) for draft in drafts))
    provenance = _("%(file)s, %(layout)s layout") % {
        "file": path.name,
        "layout": options.file_format,
    }
    changes: list[alerts.ScheduleChanges] = []
    with transaction.atomic():
        for draft in drafts:
            changes.append(
                _write_schedule(draft, actor=actor, provenance=provenance, report=report)
            )
            report.schedules.append(changes[-1].schedule_id)
            if progress is not None:
                progress.advance(len(draft.lines))
        for change in changes:
            # Decided once the whole file is written: a file may hold two schedules of one agreement.
            change.latest = not TariffSchedule.objects.filter(
                importer_id=change.importer,
                agreement=change.agreement,
                valid_from__gt=change.valid_from,
            ).exists()
        report.imported = True
        transaction.on_commit(selectors.forget_cached_trade_data)
        if options.alerts and any(change.lines for change in changes):
            transaction.on_commit(
                alerts.after_commit(lambda: alerts.publish_schedule_changes(changes, actor=actor))
            )
    return report


# --- rules, measures, taxes and regimes ------------------------------------------------------------------


def _write_rule(
    draft: RuleDraft, *, actor: Actor
) -> tuple[ProductRule, str, alerts.ItemChange | None]:
    values = {
        "rule": draft.rule,
        "note": draft.note,
        "valid_to": draft.valid_to,
        "legal_source": draft.legal_source,
        "source_url": draft.source_url,
        "is_sample": draft.is_sample,
    }
    identity = {
        "agreement": draft.agreement,
        "hs_prefix": draft.hs_prefix,
        "valid_from": draft.valid_from,
    }
    rule, outcome, changed, before = _upsert(
        ProductRule, identity, values, actor=actor, action="trade.product_rule", stamp=True
    )
    if outcome == UNCHANGED or (outcome == UPDATED and not {"rule", "valid_to"} & set(changed)):
        return rule, outcome, None
    return (
        rule,
        outcome,
        alerts.ItemChange(
            kind="rule",
            object_id=rule.pk,
            change=alerts.ADDED if outcome == CREATED else alerts.CHANGED,
            hs_prefix=draft.hs_prefix,
            agreement=draft.agreement,
            importer="",
            label=draft.agreement,
            old=str(before.get("rule", rule.rule)) if outcome == UPDATED else "",
            new=draft.rule,
            valid_from=draft.valid_from,
            is_sample=draft.is_sample,
            legal_source=draft.legal_source,
            source_url=draft.source_url,
        ),
    )


def _write_measure(
    draft: MeasureDraft, *, actor: Actor
) -> tuple[NonTariffMeasure, str, alerts.ItemChange | None]:
    values = {
        "chapter": draft.chapter,
        "title": draft.title,
        "requirement": draft.requirement,
        "original_language": draft.original_language,
        "documents": draft.documents,
        "agency": draft.agency,
        "legal_basis": draft.legal_basis,
        "valid_to": draft.valid_to,
        "legal_source": draft.legal_source,
        "source_url": draft.source_url,
        "is_sample": draft.is_sample,
    }
    identity = {
        "importer_id": draft.importer,
        "hs_prefix": draft.hs_prefix,
        "measure_code": draft.measure_code,
        "valid_from": draft.valid_from,
    }
    measure, outcome, changed, _before = _upsert(
        NonTariffMeasure, identity, values, actor=actor, action="trade.measure", stamp=True
    )
    substantive = {"title", "requirement", "documents", "valid_to"}
    if outcome == UNCHANGED or (outcome == UPDATED and not substantive & set(changed)):
        return measure, outcome, None
    title = draft.title.get("en") or draft.title.get(draft.original_language) or draft.measure_code
    return (
        measure,
        outcome,
        alerts.ItemChange(
            kind="measure",
            object_id=measure.pk,
            change=alerts.ADDED if outcome == CREATED else alerts.CHANGED,
            hs_prefix=draft.hs_prefix,
            agreement="",
            importer=draft.importer,
            label=draft.measure_code,
            old="",
            new=title,
            valid_from=draft.valid_from,
            is_sample=draft.is_sample,
            legal_source=draft.legal_source,
            source_url=draft.source_url,
        ),
    )


def _write_tax(draft: TaxDraft, *, actor: Actor) -> tuple[ImportTax, str, None]:
    values = {
        "rate_percent": draft.rate_percent,
        "base": draft.base,
        "fixed_amount": draft.fixed_amount,
        "currency": draft.currency,
        "valid_to": draft.valid_to,
        "legal_source": draft.legal_source,
        "source_url": draft.source_url,
        "is_sample": draft.is_sample,
    }
    identity = {
        "country_id": draft.country,
        "kind": draft.kind,
        "name": draft.name,
        "hs_prefix": draft.hs_prefix,
        "valid_from": draft.valid_from,
    }
    tax, outcome, _changed, _before = _upsert(
        ImportTax, identity, values, actor=actor, action="trade.import_tax"
    )
    return tax, outcome, None


def _write_regime(draft: RegimeDraft, *, actor: Actor) -> tuple[CustomsRegime, str, None]:
    values = {
        "valuation_basis": draft.valuation_basis,
        "legal_source": draft.legal_source,
        "source_url": draft.source_url,
        "is_sample": draft.is_sample,
    }
    regime, outcome, _changed, _before = _upsert(
        CustomsRegime,
        {"country_id": draft.country},
        values,
        actor=actor,
        action="trade.customs_regime",
    )
    return regime, outcome, None


@dataclass(frozen=True)
class _RowKind:
    """How one kind of row file is parsed, written and permitted."""

    parse: Callable[..., tuple[list[Any], list[Problem]]]
    write: Callable[..., tuple[Any, str, alerts.ItemChange | None]]
    permission: str
    target: Callable[[Any], str]


ROW_KINDS: dict[str, _RowKind] = {
    "rules": _RowKind(parse_rules, _write_rule, perms.EDIT_RULES, lambda d: d.agreement),
    "measures": _RowKind(parse_measures, _write_measure, perms.EDIT_MEASURES, lambda d: d.importer),
    "taxes": _RowKind(parse_taxes, _write_tax, perms.EDIT_TAXES, lambda d: d.country),
    "regimes": _RowKind(parse_regimes, _write_regime, perms.EDIT_TAXES, lambda d: d.country),
}


def _import_rows(
    kind: str,
    path: Path,
    *,
    actor: Actor,
    sample: bool,
    legal_source: str,
    progress: Progress | None,
    publish: bool = True,
) -> ImportReport:
    spec = ROW_KINDS[kind]
    report = ImportReport(kind=kind, file=path.name)
    data = read_csv(path)
    report.rows = len(data.rows)
    drafts, report.problems = spec.parse(data, sample=sample, legal_source=legal_source)
    if not data.rows:
        report.problems.append(Problem(0, "file", _("The file has no data rows.")))
    if report.problems:
        return report
    for target in sorted({spec.target(draft) for draft in drafts}):
        require(actor, spec.permission, target)
    if progress is not None:
        progress.set_total(len(drafts))
    changes: list[alerts.ItemChange] = []
    with transaction.atomic():
        for draft in drafts:
            _obj, outcome, change = spec.write(draft, actor=actor)
            report.add(outcome)
            if change is not None:
                changes.append(change)
            if progress is not None:
                progress.advance()
        report.imported = True
        transaction.on_commit(selectors.forget_cached_trade_data)
        if publish and changes:
            transaction.on_commit(
                alerts.after_commit(lambda: alerts.publish_item_changes(changes, actor=actor))
            )
    return report


def _row_importer(kind: str, doc: str) -> Callable[..., ImportReport]:
    def run(
        path: Path,
        *,
        actor: Actor,
        sample: bool = False,
        legal_source: str = "",
        progress: Progress | None = None,
        publish: bool = True,
    ) -> ImportReport:
        return _import_rows(
            kind,
            path,
            actor=actor,
            sample=sample,
            legal_source=legal_source,
            progress=progress,
            publish=publish,
        )

    run.__name__ = f"import_{kind}"
    run.__doc__ = doc
    return run


import_rules = _row_importer(
    "rules", "Import product-specific rules (staff, or agencies of a party of each agreement)."
)
import_measures = _row_importer(
    "measures", "Import non-tariff measures (staff, or agencies of each importing country)."
)
import_taxes = _row_importer(
    "taxes", "Import taxes and fees charged at import (staff, or agencies of each country)."
)
import_regimes = _row_importer(
    "regimes", "Import customs valuation regimes (staff, or agencies of each country)."
)


def import_file(
    kind: str,
    path: Path,
    *,
    actor: Actor,
    options: TariffOptions | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a file of ``kind`` (tariffs, rules, measures, taxes or regimes)."""
    options = options or TariffOptions()
    if kind == "tariffs":
        return import_tariffs(path, actor=actor, options=options, progress=progress)
    if kind not in ROW_KINDS:
        raise ValidationFailed.for_field(
            "kind", _("Choose a kind among: %(values)s.") % {"values": ", ".join(KINDS)}
        )
    return _import_rows(
        kind,
        path,
        actor=actor,
        sample=options.sample,
        legal_source=options.legal_source,
        progress=progress,
        publish=options.alerts,
    )


# --- single rows -----------------------------------------------------------------------------------------


def _as_row(data: dict[str, Any]) -> dict[str, str]:
    """API-shaped data as one CSV row: language maps become ``title.en`` columns, lists join with ``;``."""
    row: dict[str, str] = {}
    for name, value in data.items():
        if isinstance(value, dict):
            for language, text in value.items():
                row[f"{name}.{language}"] = "" if text is None else str(text)
        elif isinstance(value, list | tuple):
            row[name] = "; ".join(str(item) for item in value)
        else:
            row[name] = "" if value is None else str(value)
    return row


def _single(parse: Callable[..., tuple[list[Draft], list[Problem]]], data: dict[str, Any]) -> Draft:
    values = _as_row(data)
    drafts, problems = parse(CsvFile("", list(values), [(2, values)]))
    if problems:
        raise ValidationFailed.for_fields(
            [FieldError(problem.field, problem.message) for problem in problems]
        )
    return drafts[0]


def _save_one(kind: str, data: dict[str, Any], *, actor: Actor) -> Any:
    spec = ROW_KINDS[kind]
    draft = _single(spec.parse, data)
    require(actor, spec.permission, spec.target(draft))
    with transaction.atomic():
        obj, _outcome, change = spec.write(draft, actor=actor)
        transaction.on_commit(selectors.forget_cached_trade_data)
        if change is not None:
            transaction.on_commit(
                alerts.after_commit(lambda: alerts.publish_item_changes([change], actor=actor))
            )
    return obj


def save_product_rule(*, actor: Actor, data: dict[str, Any]) -> ProductRule:
    """Create or update one product-specific rule (fields as in the rules file); alerts on a change."""
    rule: ProductRule = _save_one("rules", data, actor=actor)
    return rule


def save_measure(*, actor: Actor, data: dict[str, Any]) -> NonTariffMeasure:
    """Create or update one non-tariff measure (``title``/``requirement`` as language maps)."""
    measure: NonTariffMeasure = _save_one("measures", data, actor=actor)
    return measure


def save_import_tax(*, actor: Actor, data: dict[str, Any]) -> ImportTax:
    """Create or update one tax or fee charged at import (fields as in the taxes file)."""
    tax: ImportTax = _save_one("taxes", data, actor=actor)
    return tax


def save_customs_regime(*, actor: Actor, data: dict[str, Any]) -> CustomsRegime:
    """Create or update a country's customs valuation basis (fields as in the regimes file)."""
    regime: CustomsRegime = _save_one("regimes", data, actor=actor)
    return regime


# --- jobs ------------------------------------------------------------------------------------------------


def _job_actor(params: dict[str, Any]) -> Actor:
    """The person who started the job, acting for the organisation they acted for; else the platform."""
    user_id = params.get("user_id")
    if user_id is None:
        return Actor.system("trade-import")
    user = User.objects.get(pk=user_id)
    organisation_id = params.get("organisation_id")
    organisation = (
        Organisation.objects.filter(pk=organisation_id).first() if organisation_id else None
    )
    return build_actor(user, organisation=organisation)


@job_handler(IMPORT_JOB)
def import_job(reporter: JobReporter, params: dict[str, Any]) -> dict[str, Any]:
    """Run a trade-data import; a file with problems fails the job with its report as the result.

    The uploaded file is deleted once read, whatever the outcome.
    """
    options = TariffOptions(**params.get("options", {}))
    path = Path(params["path"])
    reporter.log(f"Importing {params['kind']} from {params.get('filename', path.name)}")
    try:
        report = import_file(
            params["kind"], path, actor=_job_actor(params), options=options, progress=reporter
        )
    finally:
        # The uploaded copy is read once; the job's result keeps the report.
        path.unlink(missing_ok=True)
    result = report.as_dict()
    for problem in report.problems[:50]:
        reporter.log(str(problem))
    if not report.ok:
        reporter.job.result = result
        reporter.job.save(update_fields=["result"])
        raise ValidationFailed(
            _("The file has %(count)d problems; nothing was imported.")
            % {"count": len(report.problems)}
        )
    reporter.log(f"Done: {dict(report.counts)}")
    return result


def start_trade_import(
    *,
    actor: Actor,
    kind: str,
    filename: str,
    content: bytes,
    options: TariffOptions | None = None,
) -> Job:
    """Store an uploaded CSV file and import it as a job (staff and government agencies)."""
    require(actor, perms.IMPORT_TRADE_DATA)
    errors: list[FieldError] = []
    if kind not in KINDS:
        errors.append(
            FieldError("kind", _("Choose a kind among: %(values)s.") % {"values": ", ".join(KINDS)})
        )
    options = options or TariffOptions()
    if options.file_format not in FORMATS:
        errors.append(
            FieldError(
                "format",
                _("Choose a format among: %(values)s.") % {"values": ", ".join(FORMATS)},
            )
        )
    if Path(filename).suffix.lower() != ".csv":
        errors.append(FieldError("file", _("Give a .csv file.")))
    elif not content:
        errors.append(FieldError("file", _("The file is empty.")))
    if errors:
        raise ValidationFailed(errors[0].message, errors)
    folder = Path(settings.DATA_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"trade-{uuid.uuid4().hex}.csv"
    path.write_bytes(content)
    return start_job(
        IMPORT_JOB,
        actor=actor,
        params={
            "kind": kind,
            "path": str(path),
            "filename": Path(filename).name,
            "options": asdict(options),
            "user_id": actor.user_id,
            "organisation_id": actor.organisation_id,
        },
    )
