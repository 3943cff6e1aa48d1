"""Importing published rates: the ECB reference rates and the Federal Reserve's H.10 monthly series.

Each import reads a file into observations, then stores those the database lacks in bulk; an observation
already stored with the same value is left alone, so importing the same file twice changes nothing. A newer
file of the same source adds its new days (and corrects any value the publisher revised).
"""

from __future__ import annotations

import csv
import io
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from harbor.core.actors import Actor
from harbor.core.audit import record_audit
from harbor.core.errors import FieldError, ValidationFailed
from harbor.core.jobs import JobReporter, job_handler
from harbor.core.permissions import require
from harbor.fx import permissions as perms
from harbor.fx import selectors
from harbor.fx.catalogue import ECB, ECB_CURRENCIES, FRED, FRED_SERIES, SOURCES
from harbor.fx.models import ExchangeRate, RateSource, rate_fits
from harbor.reference.models import Currency

DATA_DIR = Path(__file__).resolve().parent / "data"
BUNDLED_ECB = DATA_DIR / "eurofxref-hist.csv"
BUNDLED_FRED = DATA_DIR / "fred-h10-monthly.csv"
BATCH_SIZE = 2000
MISSING = {"", "N/A", "NA", "."}

Progress = Callable[[int], object]


@dataclass(frozen=True)
class Observation:
    """One published value: one ``base`` was worth ``rate`` ``quote`` on ``date``."""

    base: str
    quote: str
    date: date
    rate: Decimal


@dataclass
class ImportReport:
    """What one import read and changed, and how long it took."""

    source: str
    file: str
    read: int = 0
    created: int = 0
    updated: int = 0
    first_date: date | None = None
    last_date: date | None = None
    seconds: float = 0.0
    changed_keys: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def unchanged(self) -> int:
        return self.read - self.created - self.updated

    def summary(self) -> str:
        span = f"{self.first_date}…{self.last_date}" if self.first_date else "no rows"
        return (
            f"{self.source}: {self.read} rates read ({span}), {self.created} created, "
            f"{self.updated} updated, {self.unchanged} unchanged in {self.seconds:.2f} s"
        )


def _file_error(message: str) -> ValidationFailed:
    return ValidationFailed(message, [FieldError("file", message)])


def _rate(text: str, *, name: str, line: int, column: str) -> Decimal:
    """A published value as a Decimal, exactly as written; anything else names the line and column."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        value = Decimal("NaN")
    if not rate_fits(value):
        raise _file_error(
            _("%(file)s, line %(line)s, %(column)s: “%(value)s” is not a usable rate.")
            % {"file": name, "line": line, "column": column, "value": text},
        )
    return value


def _date(text: str, *, name: str, line: int) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise _file_error(
            _("%(file)s, line %(line)s: “%(value)s” is not a date (YYYY-MM-DD).")
            % {"file": name, "line": line, "value": text},
        ) from None


@dataclass
class _Table:
    name: str
    header: list[str]
    rows: Iterator[list[str]]


def _open_csv(path: Path) -> Iterator[_Table]:
    """The CSV at ``path``, or the first CSV inside it when it is a zip file (as the ECB publishes it)."""
    name = path.name
    if not path.is_file():
        raise _file_error(_("No file at %(file)s.") % {"file": str(path)})
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if m.lower().endswith(".csv")]
            if not members:
                raise _file_error(_("%(file)s holds no CSV file.") % {"file": name})
            with archive.open(members[0]) as raw:
                member = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                yield from _table(f"{name}:{members[0]}", member)
        return
    with path.open(encoding="utf-8-sig", newline="") as text:
        yield from _table(name, text)


def _table(name: str, text: Iterable[str]) -> Iterator[_Table]:
    reader = csv.reader(text)
    header = [cell.strip() for cell in next(reader, [])]
    yield _Table(name, header, reader)


def read_ecb(path: Path) -> list[Observation]:
    """ECB ``eurofxref-hist`` (zip or CSV): a Date column and one column per currency, foreign units per euro.

    Only the member currencies the ECB publishes and the US dollar are read; "N/A" cells (days before a
    currency was quoted, or discontinued ones) are skipped.
    """
    observations: list[Observation] = []
    for table in _open_csv(path):
        columns = {c: i for i, c in enumerate(table.header) if c in ECB_CURRENCIES}
        if not table.header or table.header[0] != "Date" or not columns:
            raise _file_error(
                _("%(file)s is not an ECB reference-rate file (a Date column, then currencies).")
                % {"file": table.name},
            )
        for line, row in enumerate(table.rows, start=2):
            if not row or not row[0].strip():
                continue
            day = _date(row[0], name=table.name, line=line)
            for code, index in columns.items():
                cell = row[index].strip() if index < len(row) else ""
                if cell in MISSING:
                    continue
                rate = _rate(cell, name=table.name, line=line, column=code)
                observations.append(Observation("EUR", code, day, rate))
    return observations


def read_fred(path: Path) -> list[Observation]:
    """The H.10 monthly file: Date, Country, value; monthly averages dated the first of the month.

    Every series of this file is foreign units per US dollar, the euro included (see ``FRED_SERIES``). Other
    countries and empty values are skipped.
    """
    observations: list[Observation] = []
    for table in _open_csv(path):
        header = table.header
        if len(header) < 3 or header[0] != "Date" or header[1] != "Country":
            raise _file_error(
                _("%(file)s is not an H.10 file (columns Date, Country and the rate).")
                % {"file": table.name},
            )
        for line, row in enumerate(table.rows, start=2):
            if len(row) < 3 or row[1].strip() not in FRED_SERIES:
                continue
            cell = row[2].strip()
            if cell in MISSING:
                continue
            base, quote = FRED_SERIES[row[1].strip()]
            day = _date(row[0], name=table.name, line=line)
            rate = _rate(cell, name=table.name, line=line, column=row[1].strip())
            observations.append(Observation(base, quote, day, rate))
    return observations


def ensure_sources(*, actor: Actor) -> dict[str, RateSource]:
    """Write the sources the code defines; a source whose text changed is updated, and both are audited."""
    with transaction.atomic():
        existing = {source.code: source for source in RateSource.objects.all()}
        for spec in SOURCES:
            values: dict[str, Any] = {
                "name": spec.name,
                "url": spec.url,
                "licence": spec.licence,
                "attribution": spec.attribution,
                "frequency": spec.frequency,
                "max_age_days": spec.max_age_days,
                "priority": spec.priority,
            }
            source = existing.get(spec.code)
            if source is None:
                source = RateSource(code=spec.code, **values)
                source.save(force_insert=True)
                record_audit(actor, "fx.source.created", source)
                existing[spec.code] = source
                continue
            changed = [name for name, value in values.items() if getattr(source, name) != value]
            if changed:
                for name in changed:
                    setattr(source, name, values[name])
                source.save(update_fields=changed)
                record_audit(actor, "fx.source.updated", source, fields=changed)
    return existing


def _check_currencies(observations: list[Observation]) -> None:
    codes = {o.base for o in observations} | {o.quote for o in observations}
    known = set(Currency.objects.filter(code__in=codes).values_list("code", flat=True))
    missing = sorted(codes - known)
    if missing:
        raise _file_error(
            _("%(codes)s not in the reference data: load it first (harbor load-reference).")
            % {"codes": ", ".join(missing)},
        )


def store_observations(
    source_code: str,
    observations: list[Observation],
    *,
    actor: Actor,
    file_name: str,
    progress: Progress | None = None,
) -> ImportReport:
    """Store what is new in bulk, correct what the publisher revised, leave the rest; one audit entry.

    Only platform staff (and the platform itself) import rates.
    """
    require(actor, perms.IMPORT_RATES)
    started = time.perf_counter()
    step = progress or (lambda n: None)
    latest: dict[tuple[str, str, date], Decimal] = {}
    for observation in observations:
        latest[(observation.base, observation.quote, observation.date)] = observation.rate
    report = ImportReport(source=source_code, file=file_name, read=len(latest))
    if latest:
        dates = [day for _b, _q, day in latest]
        report.first_date, report.last_date = min(dates), max(dates)
    _check_currencies(observations)
    with transaction.atomic():
        source = ensure_sources(actor=actor)[source_code]
        stored: dict[tuple[str, str, date], Decimal] = {}
        if latest:
            rows = ExchangeRate.objects.filter(
                source=source, date__range=(report.first_date, report.last_date)
            ).values_list("base_id", "quote_id", "date", "rate")
            stored = {(base, quote, day): rate for base, quote, day, rate in rows}
        items = list(latest.items())
        for start in range(0, len(items), BATCH_SIZE):
            batch = items[start : start + BATCH_SIZE]
            new: list[ExchangeRate] = []
            for (base, quote, day), rate in batch:
                current = stored.get((base, quote, day))
                if current is None:
                    new.append(
                        ExchangeRate(
                            source=source, base_id=base, quote_id=quote, date=day, rate=rate
                        )
                    )
                elif current != rate:
                    ExchangeRate.objects.filter(
                        source=source, base_id=base, quote_id=quote, date=day
                    ).update(rate=rate)
                    report.updated += 1
                    report.changed_keys.append((base, quote, day.isoformat()))
            ExchangeRate.objects.bulk_create(new, batch_size=BATCH_SIZE, ignore_conflicts=True)
            report.created += len(new)
            step(len(batch))
        if report.created or report.updated:
            transaction.on_commit(selectors.forget_cached_rates)
            record_audit(
                actor,
                "fx.rates.imported",
                source,
                file=file_name,
                read=report.read,
                created=report.created,
                updated=report.updated,
                first_date=report.first_date,
                last_date=report.last_date,
                corrected=report.changed_keys[:100],
            )
    report.seconds = time.perf_counter() - started
    return report


def import_ecb(
    path: Path | None = None, *, actor: Actor, progress: Progress | None = None
) -> ImportReport:
    """Import an ECB reference-rate file (default: the one shipped in the package)."""
    path = path or BUNDLED_ECB
    return store_observations(
        ECB, read_ecb(path), actor=actor, file_name=path.name, progress=progress
    )


def import_fred(
    path: Path | None = None, *, actor: Actor, progress: Progress | None = None
) -> ImportReport:
    """Import an H.10 monthly file (default: the one shipped in the package)."""
    path = path or BUNDLED_FRED
    return store_observations(
        FRED, read_fred(path), actor=actor, file_name=path.name, progress=progress
    )


READERS: dict[str, Callable[[Path], list[Observation]]] = {ECB: read_ecb, FRED: read_fred}
BUNDLED: dict[str, Path] = {ECB: BUNDLED_ECB, FRED: BUNDLED_FRED}


def import_bundled(*, actor: Actor, progress: Progress | None = None) -> list[ImportReport]:
    """Import both files shipped in the package; idempotent."""
    return [import_ecb(actor=actor, progress=progress), import_fred(actor=actor, progress=progress)]


@job_handler("fx.import")
def import_rates_job(reporter: JobReporter, params: dict[str, Any]) -> dict[str, Any]:
    """Import the bundled ECB and H.10 files as a job (platform staff start it)."""
    observations = {code: READERS[code](path) for code, path in BUNDLED.items()}
    reporter.set_total(sum(len(rows) for rows in observations.values()))
    results: dict[str, Any] = {}
    for code, rows in observations.items():
        report = store_observations(
            code,
            rows,
            actor=Actor.system("fx-import"),
            file_name=BUNDLED[code].name,
            progress=reporter.advance,
        )
        reporter.log(report.summary())
        results[code] = {"read": report.read, "created": report.created, "updated": report.updated}
    return results
