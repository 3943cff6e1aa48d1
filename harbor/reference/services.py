"""Loading reference data from the files shipped in the package; loading twice changes nothing."""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel import Locale
from django.db import models, transaction

from harbor.core.actors import Actor
from harbor.core.audit import record_audit
from harbor.core.jobs import JobReporter, job_handler
from harbor.reference.catalogue import (
    CONTENT_LANGUAGES,
    MEMBER_STATES,
    OFFICIAL_LANGUAGES,
    babel_locale,
    ui_locales,
)
from harbor.reference.models import Country, Currency, HsCode, Language

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass
class LoadReport:
    """How many rows each table gained or changed in one load."""

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, table: str, created: bool) -> None:
        target = self.created if created else self.updated
        target[table] = target.get(table, 0) + 1

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {"created": self.created, "updated": self.updated}


def _locales() -> dict[str, Locale]:
    return {code: Locale.parse(babel_locale(code)) for code in ui_locales()}


def _upsert(
    model: type[models.Model], pk: str, values: dict[str, Any], *, actor: Actor, report: LoadReport
) -> None:
    """Create or update one row; write (and audit) only when something differs."""
    table = model._meta.model_name or model.__name__
    obj = model._default_manager.filter(pk=pk).first()
    if obj is None:
        obj = model(pk=pk, **values)
        obj.save(force_insert=True)
        record_audit(actor, f"reference.{table}.created", obj)
        report.count(table, created=True)
        return
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
        record_audit(actor, f"reference.{table}.updated", obj, fields=changed)
        report.count(table, created=False)


def _read_csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def hs_rows() -> list[dict[str, str]]:
    """HS 2022 rows without Comtrade's chapter 99."""
    return [row for row in _read_csv("hs2022.csv") if not row["hscode"].startswith("99")]


def reference_rows() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Currency rows still in use with a numeric minor unit, and country rows with an alpha-2 code."""
    currencies = [
        row
        for row in _read_csv("currency-codes.csv")
        if row["AlphabeticCode"] and row["MinorUnit"].isdigit() and not row["WithdrawalDate"]
    ]
    countries = [
        row for row in _read_csv("country-codes.csv") if len(row["ISO3166-1-Alpha-2"]) == 2
    ]
    return currencies, countries


def load_reference(*, actor: Actor, progress: Callable[[int], object] | None = None) -> LoadReport:
    """Load currencies, languages and countries with names in every UI locale (CLDR via Babel)."""
    locales = _locales()
    currencies, countries = reference_rows()
    report = LoadReport()
    step = progress or (lambda n: None)
    with transaction.atomic():
        seen: set[str] = set()
        for row in currencies:
            code = row["AlphabeticCode"]
            if code in seen:
                step(1)
                continue
            seen.add(code)
            names = {ui: loc.currencies.get(code, row["Currency"]) for ui, loc in locales.items()}
            values = {
                "numeric_code": row["NumericCode"].zfill(3),
                "minor_unit": int(row["MinorUnit"]),
                "names": names,
            }
            _upsert(Currency, code, values, actor=actor, report=report)
            step(1)
        ui = set(ui_locales())
        for tag in CONTENT_LANGUAGES:
            language = Locale.parse(tag.replace("-", "_"))
            names = {code: language.get_display_name(loc) or tag for code, loc in locales.items()}
            values = {"names": names, "is_ui_locale": tag.lower() in ui}
            _upsert(Language, tag, values, actor=actor, report=report)
            step(1)
        for row in countries:
            code = row["ISO3166-1-Alpha-2"]
            currency_code = row["ISO4217-currency_alphabetic_code"].split(",")[0]
            names = {
                ui: loc.territories.get(code, row["CLDR display name"])
                for ui, loc in locales.items()
            }
            values = {
                "alpha3": row["ISO3166-1-Alpha-3"],
                "m49": row["M49"].zfill(3),
                "names": names,
                "currency_id": currency_code if currency_code in seen else None,
                "languages": list(OFFICIAL_LANGUAGES.get(code, ())),
                "is_member": code in MEMBER_STATES,
            }
            _upsert(Country, code, values, actor=actor, report=report)
            step(1)
        _load_hs(actor=actor, report=report, step=step)
    return report


def _load_hs(*, actor: Actor, report: LoadReport, step: Callable[[int], object]) -> None:
    """HS codes in bulk: thousands of rows, so compare in memory and write only what differs."""
    existing = {row.code: row for row in HsCode.objects.all()}
    to_create: list[HsCode] = []
    for row in hs_rows():
        values = {
            "level": int(row["level"]),
            "parent": "" if row["parent"] == "TOTAL" else row["parent"],
            "section": row["section"],
            "description": row["description"],
        }
        current = existing.get(row["hscode"])
        if current is None:
            to_create.append(HsCode(code=row["hscode"], **values))
        elif any(getattr(current, name) != value for name, value in values.items()):
            _upsert(HsCode, row["hscode"], values, actor=actor, report=report)
        step(1)
    if to_create:
        HsCode.objects.bulk_create(to_create, batch_size=1000)
        report.created["hscode"] = report.created.get("hscode", 0) + len(to_create)
        record_audit(actor, "reference.hscode.loaded", to_create[-1], created=len(to_create))


def reference_row_count() -> int:
    """How many steps a full load takes (for progress bars)."""
    currencies, countries = reference_rows()
    return len(currencies) + len(CONTENT_LANGUAGES) + len(countries) + len(hs_rows())


@job_handler("reference.load")
def load_reference_job(reporter: JobReporter, params: dict[str, Any]) -> dict[str, Any]:
    reporter.set_total(reference_row_count())
    reporter.log("Loading countries, currencies and languages")
    report = load_reference(actor=Actor.system("reference-loader"), progress=reporter.advance)
    reporter.log(f"Done: {report.as_dict()}")
    return report.as_dict()
