"""Reading and validating trade-data files: tariff schedules (the harbor's CSV layout and WITS/TRAINS
downloads), product-specific rules, non-tariff measures, import taxes and customs regimes.

Nothing here writes. Each parser turns the rows of a file into drafts plus a list of problems; a problem
names its row (spreadsheet numbering: the header is row 1, the first data row is row 2), its field (the
column) and a message. ``harbor.trade.services`` writes the drafts only when the file has no problem at
all: an import is all or nothing per file. The layouts are documented in ``docs/tariff-import.md``.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from harbor.core.errors import ValidationFailed
from harbor.reference.catalogue import CONTENT_LANGUAGES
from harbor.reference.models import Country, Currency
from harbor.reference.selectors import known_hs_codes
from harbor.trade.choices import (
    Nomenclature,
    NtmChapter,
    RateType,
    TaxBase,
    TaxKind,
    ValuationBasis,
)
from harbor.trade.rules import RuleSyntaxError, parse_rule

MAX_ROWS = 200_000
MAX_PROBLEMS_SHOWN = 1000

MFN = "MFN"
ASEAN = frozenset({"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN"})
# The preferential agreements whose parties the importer checks; any other code of the right shape is
# accepted without a party check.
AGREEMENT_PARTIES: dict[str, frozenset[str]] = {
    "ACFTA": ASEAN | {"CN"},
    "ATIGA": ASEAN,
    "RCEP": ASEAN | {"CN", "JP", "KR", "AU", "NZ"},
}
AGREEMENT_PATTERN = re.compile(r"^[A-Z0-9-]{2,20}$")

# Digits a line code may have under each nomenclature; six digits (a whole subheading) always may.
CODE_LENGTHS: dict[str, tuple[int, ...]] = {
    Nomenclature.HS: (6,),
    Nomenclature.AHTN: (6, 8),
    Nomenclature.CN_TARIFF: (6, 8, 10),
    Nomenclature.NATIONAL: (6, 7, 8, 9, 10),
}

LANGUAGES = {code.lower() for code in CONTENT_LANGUAGES}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBER = re.compile(r"^\d+(\.\d+)?$")
_MEASURE_CODE = re.compile(r"^[A-P][0-9]{0,4}$")
_TRUE = {"true", "yes", "1", "y"}
_FALSE = {"false", "no", "0", "n", ""}
MAX_PERCENT = Decimal("9999.999")
MAX_AMOUNT = 10**15


# --- reports ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One bad cell or row: the spreadsheet row number (1 is the header), the column and a message."""

    row: int
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": self.message}

    def __str__(self) -> str:
        return f"row {self.row}, {self.field}: {self.message}"


@dataclass
class ImportReport:
    """What an import found and did: problems block the whole file, warnings do not.

    ``counts`` holds what was written (``created``, ``updated``, ``unchanged``, ``removed`` and, for
    tariffs, ``schedules_created`` and ``schedules_updated``); empty when nothing was imported.
    """

    kind: str
    file: str
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    schedules: list[int] = field(default_factory=list)
    imported: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, outcome: str, count: int = 1) -> None:
        """Count ``count`` rows (or schedules) with ``outcome``; zero counts are not listed."""
        if count:
            self.counts[outcome] += count

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "file": self.file,
            "rows": self.rows,
            "imported": self.imported,
            "counts": dict(sorted(self.counts.items())),
            "schedules": self.schedules,
            "problem_count": len(self.problems),
            "problems": [p.as_dict() for p in self.problems[:MAX_PROBLEMS_SHOWN]],
            "warning_count": len(self.warnings),
            "warnings": [w.as_dict() for w in self.warnings[:MAX_PROBLEMS_SHOWN]],
        }


# --- reading files ---------------------------------------------------------------------------------------


@dataclass
class CsvFile:
    """A CSV file's header and rows; each row keeps its spreadsheet row number."""

    name: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]


def _decode(data: bytes, *, lenient: bool) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if lenient:
            # WITS downloads come in Windows-1252 when product names carry accents.
            return data.decode("cp1252", errors="replace")
        raise ValidationFailed.for_field(
            "file", _("The file is not UTF-8 text: save it as CSV UTF-8.")
        ) from None


def read_csv(path: Path, *, lenient_encoding: bool = False) -> CsvFile:
    """The rows of a CSV file (comma, semicolon or tab separated), or ValidationFailed naming ``file``."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ValidationFailed.for_field("file", _("No such file.")) from None
    except OSError as exc:
        raise ValidationFailed.for_field(
            "file",
            _("The file cannot be read: %(error)s") % {"error": exc.strerror},
        ) from None
    if b"\x00" in data:
        raise ValidationFailed.for_field("file", _("The file is not a CSV text file."))
    text = _decode(data, lenient=lenient_encoding)
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        header = [name.strip() for name in next(reader, [])]
        if not any(header):
            raise ValidationFailed.for_field("file", _("The file is empty."))
        rows: list[tuple[int, dict[str, str]]] = []
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise ValidationFailed.for_field(
                    "file", _("At most %(n)d rows per file.") % {"n": MAX_ROWS}
                )
            rows.append((number, dict(zip(header, cells, strict=False))))
    except csv.Error as exc:
        raise ValidationFailed.for_field(
            "file", _("The file is not valid CSV: %(error)s") % {"error": str(exc)}
        ) from None
    return CsvFile(path.name, header, rows)


# --- validating cells ------------------------------------------------------------------------------------


class _Row:
    """One data row and the problems found in it."""

    def __init__(
        self,
        number: int,
        values: dict[str, str],
        problems: list[Problem],
        *,
        labels: dict[str, str] | None = None,
    ) -> None:
        self.number = number
        self.values = values
        self.problems = problems
        self.labels = labels or {}
        self.ok = True

    def label(self, name: str) -> str:
        """The column as the file names it (WITS headers differ from ours)."""
        return self.labels.get(name, name)

    def get(self, name: str) -> str:
        return (self.values.get(name) or "").strip()

    def error(self, name: str, message: str) -> None:
        self.problems.append(Problem(self.number, self.label(name), str(message)))
        self.ok = False

    def text(self, name: str, *, limit: int, required: bool = False) -> str:
        value = self.get(name)
        if required and not value:
            self.error(name, _("This column is required."))
        elif len(value) > limit:
            self.error(name, _("Give at most %(limit)d characters.") % {"limit": limit})
        return value

    def date_value(self, name: str, *, required: bool) -> date | None:
        value = self.get(name)
        if not value:
            if required:
                self.error(name, _("Give a date as YYYY-MM-DD."))
            return None
        if not _DATE.match(value):
            self.error(name, _("“%(value)s” is not a date as YYYY-MM-DD.") % {"value": value})
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.error(name, _("“%(value)s” is not a real date.") % {"value": value})
            return None

    def dates(
        self, start: str = "valid_from", end: str = "valid_to"
    ) -> tuple[date | None, date | None]:
        valid_from = self.date_value(start, required=True)
        valid_to = self.date_value(end, required=False)
        if valid_from and valid_to and valid_to < valid_from:
            self.error(end, _("The end date is before the start date."))
        return valid_from, valid_to

    def number_value(self, name: str, *, required: bool = False) -> Decimal | None:
        """A non-negative decimal written with a dot; empty is None."""
        value = self.get(name)
        if not value:
            if required:
                self.error(name, _("This column is required."))
            return None
        if value.startswith("-") and _NUMBER.match(value[1:]):
            self.error(name, _("A rate or amount cannot be negative."))
            return None
        if "," in value and _NUMBER.match(value.replace(",", ".")):
            self.error(name, _("Use a dot as the decimal separator, for example 12.5."))
            return None
        if not _NUMBER.match(value):
            self.error(name, _("“%(value)s” is not a number such as 12.5.") % {"value": value})
            return None
        return Decimal(value)

    def percent(self, name: str, *, required: bool = False) -> Decimal | None:
        value = self.number_value(name, required=required)
        if value is None:
            return None
        if value > MAX_PERCENT or _decimals(value) > 3:
            self.error(name, _("Give a percentage up to 9999.999 with at most 3 decimals."))
            return None
        return value

    def minor_units(self, name: str, currency: str, minor_unit: int | None) -> int | None:
        """An amount written in major units (``12.50``) as an integer of the currency's minor unit."""
        value = self.number_value(name)
        if value is None or minor_unit is None:
            return None
        if _decimals(value) > minor_unit:
            self.error(
                name,
                _("%(currency)s has %(n)d decimals: give the amount with at most %(n)d.")
                % {"currency": currency, "n": minor_unit},
            )
            return None
        amount = int(value.scaleb(minor_unit))
        if amount > MAX_AMOUNT:
            self.error(name, _("The amount is too large."))
            return None
        return amount

    def url(self, name: str) -> str:
        value = self.get(name)
        if not value:
            return ""
        try:
            URLValidator(schemes=["http", "https"])(value)
        except DjangoValidationError:
            self.error(name, _("Enter a valid http or https address."))
            return ""
        if len(value) > 500:
            self.error(name, _("Give at most %(limit)d characters.") % {"limit": 500})
            return ""
        return value

    def flag(self, name: str) -> bool:
        value = self.get(name).lower()
        if value in _TRUE:
            return True
        if value not in _FALSE:
            self.error(name, _("Write true or false."))
        return False

    def choice(self, name: str, values: Iterable[str], *, default: str = "") -> str:
        value = self.get(name) or default
        allowed = list(values)
        if value not in allowed:
            self.error(
                name,
                _("“%(value)s” is not one of: %(values)s.")
                % {"value": value, "values": ", ".join(allowed)},
            )
        return value


def _decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def digits(code: str) -> str:
    """A code as written (``9403.60.90``, ``9403 60``) reduced to its digits; other text is kept as is."""
    return re.sub(r"[.\s]", "", code or "")


@dataclass
class Reference:
    """The reference data a file is checked against, loaded once per file."""

    countries: dict[str, Country]
    minor_units: dict[str, int]
    hs_codes: set[str]

    @classmethod
    def load(cls, hs_candidates: Iterable[str]) -> Reference:
        codes = sorted(
            {code for code in hs_candidates if code.isdigit() and len(code) in (2, 4, 6)}
        )
        known: set[str] = set()
        for start in range(0, len(codes), 5000):
            known |= known_hs_codes(codes[start : start + 5000])
        return cls(
            countries={country.code: country for country in Country.objects.all()},
            minor_units=dict(Currency.objects.values_list("code", "minor_unit")),
            hs_codes=known,
        )

    def country(self, row: _Row, name: str) -> str:
        code = row.get(name).upper()
        if not code:
            row.error(name, _("This column is required."))
        elif code not in self.countries:
            row.error(name, _("Unknown country code “%(code)s”.") % {"code": code})
        return code

    def currency(self, row: _Row, name: str, *, required: bool) -> tuple[str, int | None]:
        code = row.get(name).upper()
        if not code:
            if required:
                row.error(name, _("Give the currency of the amount (ISO 4217 code)."))
            return "", None
        if code not in self.minor_units:
            row.error(name, _("Unknown currency code “%(code)s”.") % {"code": code})
            return code, None
        return code, self.minor_units[code]

    def hs_prefix(self, row: _Row, name: str, *, required: bool = True) -> str:
        """An HS 2022 chapter, heading or subheading (2, 4 or 6 digits) that exists."""
        code = digits(row.get(name))
        if not code:
            if required:
                row.error(name, _("This column is required."))
            return ""
        if not code.isdigit() or len(code) not in (2, 4, 6):
            row.error(name, _("An HS prefix has 2, 4 or 6 digits."))
        elif code not in self.hs_codes:
            row.error(name, _("“%(code)s” is not in the HS 2022 nomenclature.") % {"code": code})
        return code


def check_agreement(agreement: str, importer: str) -> str | None:
    """Why ``agreement`` cannot hold ``importer``'s duties, or None when it can."""
    if not AGREEMENT_PATTERN.match(agreement):
        return _("An agreement code has 2 to 20 capital letters, digits or hyphens, such as ACFTA.")
    parties = AGREEMENT_PARTIES.get(agreement)
    if parties is not None and importer and importer not in parties:
        return _("%(country)s is not a party of %(agreement)s.") % {
            "country": importer,
            "agreement": agreement,
        }
    return None


def _check_header(
    data: CsvFile, required: Iterable[str], optional: Iterable[str], problems: list[Problem]
) -> bool:
    """Every required column is there and no column is unknown (a typo would silently drop data)."""
    known = set(required) | set(optional)
    present = set(data.header)
    for name in required:
        if name not in present:
            problems.append(Problem(1, name, _("The column is missing.")))
    for name in data.header:
        base = name.split(".", 1)[0]
        if name not in known and not ("." in name and f"{base}.*" in known):
            problems.append(Problem(1, name, _("Unknown column.")))
    return not problems


# --- tariff schedules ------------------------------------------------------------------------------------


@dataclass
class LineDraft:
    """One validated tariff line; ``specific_amount`` is in minor units of ``specific_currency``."""

    row: int
    code: str
    description: str
    rate_type: str
    ad_valorem_percent: Decimal | None
    specific_amount: int | None
    specific_currency: str
    unit: str
    valid_from: date
    valid_to: date | None

    @property
    def hs6(self) -> str:
        return self.code[:6]

    def values(self) -> dict[str, Any]:
        """The model fields besides the schedule, code and start date (the line's identity)."""
        return {
            "hs6": self.hs6,
            "description": self.description,
            "rate_type": self.rate_type,
            "ad_valorem_percent": self.ad_valorem_percent,
            "specific_amount": self.specific_amount,
            "specific_currency": self.specific_currency,
            "unit": self.unit,
            "valid_to": self.valid_to,
        }


@dataclass
class ScheduleDraft:
    """The lines one importer applies under one agreement from ``valid_from``."""

    importer: str
    agreement: str
    nomenclature: str
    valid_from: date
    legal_source: str
    source_url: str
    is_sample: bool
    first_row: int
    lines: list[LineDraft] = field(default_factory=list)


@dataclass
class TariffOptions:
    """What the person importing says about a file (the tariff-only fields are ignored for the others).

    ``alerts`` False loads data without publishing change alerts (history, bulk loads, the demo's base).
    """

    file_format: str = "harbor"
    agreement: str = ""
    importer: str = ""
    sample: bool = False
    legal_source: str = ""
    source_url: str = ""
    alerts: bool = True


TARIFF_COLUMNS = (
    "importer",
    "agreement",
    "nomenclature",
    "code",
    "description",
    "rate_type",
    "ad_valorem_percent",
    "specific_amount",
    "specific_currency",
    "unit",
    "valid_from",
    "valid_to",
    "legal_source",
    "source_url",
)
TARIFF_OPTIONAL = ("schedule_from", "is_sample")


def _rate(
    row: _Row, rate_type: str, reference: Reference
) -> tuple[Decimal | None, int | None, str, str]:
    """The numbers of a line, checked against its rate type."""
    percent = row.percent("ad_valorem_percent")
    currency, minor_unit = reference.currency(
        row, "specific_currency", required=bool(row.get("specific_amount"))
    )
    amount = row.minor_units("specific_amount", currency, minor_unit)
    unit = row.text("unit", limit=10)
    has_percent = bool(row.get("ad_valorem_percent"))
    has_specific = bool(row.get("specific_amount"))
    needs_percent = rate_type in (RateType.AD_VALOREM, RateType.COMPOUND, RateType.MIXED_MAX)
    needs_specific = rate_type in (RateType.SPECIFIC, RateType.COMPOUND, RateType.MIXED_MAX)
    if needs_percent and not has_percent:
        row.error(
            "ad_valorem_percent",
            _("A rate of type “%(type)s” needs an ad valorem percentage.") % {"type": rate_type},
        )
    if needs_specific and not has_specific:
        row.error(
            "specific_amount",
            _("A rate of type “%(type)s” needs a specific amount.") % {"type": rate_type},
        )
    if needs_specific and has_specific and not unit:
        row.error("unit", _("Say per which unit the specific amount is charged (kg, l, u …)."))
    if rate_type == RateType.FREE and percent:
        row.error("ad_valorem_percent", _("A free line has no percentage other than 0."))
    elif not needs_percent and percent is not None and rate_type != RateType.FREE:
        row.error(
            "ad_valorem_percent",
            _("A rate of type “%(type)s” has no ad valorem part.") % {"type": rate_type},
        )
    if not needs_specific and (has_specific or row.get("specific_currency") or unit):
        row.error(
            "specific_amount",
            _("A rate of type “%(type)s” has no specific part.") % {"type": rate_type},
        )
    if rate_type == RateType.FREE:
        percent = None
    return percent, amount, currency if needs_specific else "", unit if needs_specific else ""


def _code(row: _Row, nomenclature: str, reference: Reference) -> str:
    code = digits(row.get("code"))
    if not code:
        row.error("code", _("This column is required."))
    elif not code.isdigit() or not 6 <= len(code) <= 10:
        row.error("code", _("A tariff line code has 6 to 10 digits."))
    elif code[:6] not in reference.hs_codes:
        row.error(
            "code",
            _("“%(code)s” is not an HS 2022 subheading.") % {"code": code[:6]},
        )
    elif nomenclature in CODE_LENGTHS and len(code) not in CODE_LENGTHS[nomenclature]:
        row.error(
            "code",
            _("A line of the %(nomenclature)s nomenclature has %(lengths)s digits.")
            % {
                "nomenclature": nomenclature,
                "lengths": " or ".join(str(n) for n in CODE_LENGTHS[nomenclature]),
            },
        )
    return code


def parse_harbor_tariffs(
    data: CsvFile, options: TariffOptions
) -> tuple[list[ScheduleDraft], list[Problem]]:
    """Schedules of a file in the harbor's layout; rows of one importer and agreement form one schedule.

    The schedule starts on the ``schedule_from`` column when given, else on the earliest line start of
    its rows. All rows of one schedule share the nomenclature, legal source, source address and sample
    flag. A code may appear once per start date in a schedule.
    """
    problems: list[Problem] = []
    if not _check_header(data, TARIFF_COLUMNS, TARIFF_OPTIONAL, problems):
        return [], problems
    reference = Reference.load(digits(values.get("code", ""))[:6] for _n, values in data.rows)
    forced_importer = options.importer.upper()
    forced_agreement = options.agreement.upper()
    grouped: dict[tuple[str, str, date | None], list[tuple[_Row, LineDraft, dict[str, Any]]]] = {}
    for number, values in data.rows:
        row = _Row(number, values, problems)
        importer = reference.country(row, "importer")
        if forced_importer and importer and importer != forced_importer:
            row.error(
                "importer",
                _("The file is imported for %(expected)s but this row is for %(found)s.")
                % {"expected": forced_importer, "found": importer},
            )
        agreement = row.get("agreement").upper()
        if not agreement:
            row.error("agreement", _("This column is required."))
        else:
            message = check_agreement(
                agreement, importer if importer in reference.countries else ""
            )
            if message:
                row.error("agreement", message)
            elif forced_agreement and agreement != forced_agreement:
                row.error(
                    "agreement",
                    _("The file is imported for %(expected)s but this row is for %(found)s.")
                    % {"expected": forced_agreement, "found": agreement},
                )
        raw_code = digits(row.get("code"))
        nomenclature = row.get("nomenclature") or (
            Nomenclature.HS if len(raw_code) == 6 else Nomenclature.NATIONAL
        )
        if nomenclature not in Nomenclature.values:
            row.error(
                "nomenclature",
                _("“%(value)s” is not one of: %(values)s.")
                % {"value": nomenclature, "values": ", ".join(Nomenclature.values)},
            )
        code = _code(row, nomenclature, reference)
        description = row.text("description", limit=2000)
        rate_type = row.choice("rate_type", RateType.values)
        percent, amount, currency, unit = _rate(row, rate_type, reference)
        valid_from, valid_to = row.dates()
        schedule_from = row.date_value("schedule_from", required=False)
        if schedule_from and valid_from and valid_from < schedule_from:
            row.error("valid_from", _("A line cannot start before its schedule."))
        legal_source = row.text("legal_source", limit=500) or options.legal_source
        if not legal_source:
            row.error("legal_source", _("Name the instrument the rates come from."))
        source_url = row.url("source_url") or options.source_url
        is_sample = options.sample or row.flag("is_sample")
        if not row.ok or valid_from is None:
            continue
        line = LineDraft(
            row=number,
            code=code,
            description=description,
            rate_type=rate_type,
            ad_valorem_percent=percent,
            specific_amount=amount,
            specific_currency=currency,
            unit=unit,
            valid_from=valid_from,
            valid_to=valid_to,
        )
        shared = {
            "nomenclature": nomenclature,
            "legal_source": legal_source,
            "source_url": source_url,
            "is_sample": is_sample,
        }
        grouped.setdefault((importer, agreement, schedule_from), []).append((row, line, shared))
    return _schedules(grouped, problems), problems


def _schedules(
    grouped: dict[tuple[str, str, date | None], list[tuple[_Row, LineDraft, dict[str, Any]]]],
    problems: list[Problem],
) -> list[ScheduleDraft]:
    drafts: dict[tuple[str, str, date], ScheduleDraft] = {}
    for (importer, agreement, schedule_from), entries in grouped.items():
        start = schedule_from or min(line.valid_from for _row, line, _shared in entries)
        first_row, _line, first = entries[0]
        key = (importer, agreement, start)
        draft = drafts.get(key)
        if draft is None:
            draft = ScheduleDraft(
                importer=importer,
                agreement=agreement,
                valid_from=start,
                first_row=first_row.number,
                **first,
            )
            drafts[key] = draft
        seen = {(line.code, line.valid_from): line.row for line in draft.lines}
        for row, line, shared in entries:
            reference = {
                "nomenclature": draft.nomenclature,
                "legal_source": draft.legal_source,
                "source_url": draft.source_url,
                "is_sample": draft.is_sample,
            }
            for name, value in shared.items():
                if value != reference[name]:
                    row.error(
                        name,
                        _(
                            "Differs from row %(row)d of the same schedule; a schedule has one %(field)s."
                        )
                        % {"row": draft.first_row, "field": name},
                    )
            duplicate = seen.get((line.code, line.valid_from))
            if duplicate is not None:
                row.error(
                    "code",
                    _("Line %(code)s from %(date)s is already in row %(row)d.")
                    % {"code": line.code, "date": line.valid_from.isoformat(), "row": duplicate},
                )
            if row.ok:
                seen[(line.code, line.valid_from)] = line.row
                draft.lines.append(line)
    return sorted(drafts.values(), key=lambda d: (d.importer, d.agreement, d.valid_from))


# WITS and TRAINS name the same columns in several ways; headers are compared without case, spaces
# or punctuation.
WITS_COLUMNS: dict[str, tuple[str, ...]] = {
    "reporter": ("reporter", "reportercode", "reporteriso3", "reporterisoa3", "reporterison"),
    "reporter_name": ("reportername",),
    "partner": ("partner", "partnercode", "partneriso3"),
    "partner_name": ("partnername",),
    "product": ("product", "productcode", "tariffline", "hs6"),
    "product_name": ("productname", "productdescription"),
    "year": ("tariffyear", "year"),
    "duty_type": ("dutytype",),
    "rate": ("simpleaverage", "simpletarifflineaverage", "simpleavg"),
    "min_rate": ("minrate", "minimumrate"),
    "max_rate": ("maxrate", "maximumrate"),
    "lines": ("nbroftotallines", "totalnooflines"),
    "nomenclature": ("nativenomen", "nomencode", "selectednomen"),
}
# The header each column has in a WITS download, to name it in problems.
WITS_HEADERS = {
    "reporter": "Reporter",
    "product": "Product",
    "year": "Tariff Year",
    "rate": "Simple Average",
}
WITS_PREFERENTIAL = ("AHS", "PRF")
WITS_OLD_NOMENCLATURES = ("H0", "H1", "H2", "H3", "H4", "H5")
WITS_WORLD = ("WLD", "000", "WORLD")


def _wits_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _wits_columns(header: list[str]) -> dict[str, str]:
    """Our column name → the file's column name, for the columns the file has."""
    by_key = {_wits_key(name): name for name in header}
    found: dict[str, str] = {}
    for ours, aliases in WITS_COLUMNS.items():
        for alias in aliases:
            if alias in by_key:
                found[ours] = by_key[alias]
                break
    return found


def _country_lookup(countries: dict[str, Country]) -> dict[str, str]:
    """Alpha-2, alpha-3, numeric and English name of each country → its alpha-2 code."""
    lookup: dict[str, str] = {}
    for code, country in countries.items():
        lookup[code] = code
        lookup[country.alpha3.upper()] = code
        lookup[country.m49] = code
        lookup[country.m49.lstrip("0")] = code
        english = str(country.names.get("en", "")).upper()
        if english:
            lookup[english] = code
    return lookup


def _wits_code(raw: str) -> tuple[str, bool]:
    """The product code of a WITS row, with a leading zero put back when a spreadsheet dropped it."""
    code = digits(raw)
    if code.isdigit() and len(code) in (5, 7, 9):
        return "0" + code, True
    return code, False


def parse_wits_tariffs(
    data: CsvFile, options: TariffOptions
) -> tuple[list[ScheduleDraft], list[Problem], list[Problem]]:
    """Schedules of a WITS/TRAINS download: one ad valorem line per product and duty type.

    MFN rows go to the MFN schedule; AHS and PRF rows to the agreement named on import (a PRF row wins
    over an AHS row for the same product); BND (bound) rows are skipped with a warning. The rate is the
    download's simple average; when the product's national lines range from a minimum to a different
    maximum the row is imported with a warning. Each tariff year starts a schedule on 1 January.
    """
    problems: list[Problem] = []
    warnings: list[Problem] = []
    columns = _wits_columns(data.header)
    for needed in ("product", "year", "rate"):
        if needed not in columns:
            problems.append(Problem(1, WITS_HEADERS[needed], _("The column is missing.")))
    if "reporter" not in columns and "reporter_name" not in columns and not options.importer:
        problems.append(
            Problem(
                1,
                WITS_HEADERS["reporter"],
                _("The file has no reporter column: give the importer."),
            )
        )
    if problems:
        return [], problems, warnings
    reference = Reference.load(
        _wits_code(values.get(columns["product"], ""))[0][:6] for _n, values in data.rows
    )
    lookup = _country_lookup(reference.countries)
    forced_importer = options.importer.upper()
    agreement = options.agreement.upper()
    if forced_importer and forced_importer not in reference.countries:
        message = _("Unknown country code “%(code)s”.") % {"code": forced_importer}
        return [], [Problem(0, "importer", message)], warnings
    if agreement and agreement != MFN:
        refusal = check_agreement(agreement, forced_importer)
        if refusal:
            return [], [Problem(0, "agreement", refusal)], warnings
    labels = {**columns, "code": columns["product"]}
    chosen: dict[tuple[str, str, str, date], tuple[_Row, LineDraft, dict[str, Any], str]] = {}
    for number, values in data.rows:
        row = _Row(
            number,
            {ours: values.get(theirs, "") for ours, theirs in columns.items()},
            problems,
            labels=labels,
        )
        entry = _wits_row(row, reference, lookup, options, warnings)
        if entry is None:
            continue
        line, shared, target, duty_type = entry
        key = (shared["importer"], target, line.code, line.valid_from)
        earlier = chosen.get(key)
        if earlier is None:
            chosen[key] = (row, line, shared, duty_type)
            continue
        kinds = {earlier[3], duty_type}
        if kinds == {"AHS", "PRF"}:
            skipped = number if duty_type == "AHS" else earlier[0].number
            warnings.append(
                Problem(
                    skipped,
                    labels.get("duty_type", "DutyType"),
                    _("A PRF row for this product is used instead: row skipped."),
                )
            )
            if duty_type == "PRF":
                chosen[key] = (row, line, shared, duty_type)
        else:
            row.error(
                "code",
                _("The product appears twice for the same duty type and year (row %(row)d).")
                % {"row": earlier[0].number},
            )
    grouped: dict[tuple[str, str, date | None], list[tuple[_Row, LineDraft, dict[str, Any]]]] = {}
    for (importer, target, _code_key, _year), (row, line, shared, _kind) in chosen.items():
        grouped.setdefault((importer, target, None), []).append((row, line, shared))
    for entries in grouped.values():
        # Six-digit and national lines may mix in one WITS schedule: it is then a national one.
        if any(len(line.code) > 6 for _r, line, _s in entries):
            for _r, _l, shared in entries:
                shared["nomenclature"] = Nomenclature.NATIONAL
        for _r, _l, shared in entries:
            shared.pop("importer", None)
    return _schedules(grouped, problems), problems, warnings


def _wits_row(
    row: _Row,
    reference: Reference,
    lookup: dict[str, str],
    options: TariffOptions,
    warnings: list[Problem],
) -> tuple[LineDraft, dict[str, Any], str, str] | None:
    """One WITS row as a line of the schedule it belongs to, or None (skipped or bad)."""
    agreement = options.agreement.upper()
    importer = _wits_importer(row, lookup, options.importer.upper())
    duty_type = row.get("duty_type").upper() or (MFN if agreement in ("", MFN) else "PRF")
    if duty_type == "BND":
        warnings.append(
            Problem(
                row.number,
                row.label("duty_type"),
                _("Bound rates are not applied rates: row skipped."),
            )
        )
        return None
    if duty_type == MFN:
        target = MFN
    elif duty_type in WITS_PREFERENTIAL:
        if not agreement or agreement == MFN:
            row.error(
                "duty_type",
                _(
                    "Name the agreement these %(type)s rates belong to (for example --agreement ACFTA)."
                )
                % {"type": duty_type},
            )
            return None
        target = agreement
        _wits_partner(row, lookup, agreement)
    else:
        row.error(
            "duty_type",
            _("“%(value)s” is not a WITS duty type (MFN, AHS, PRF or BND).") % {"value": duty_type},
        )
        return None
    if importer:
        message = check_agreement(target, importer)
        if message:
            row.error("reporter", message)
    code, restored = _wits_code(row.get("product"))
    if not code.isdigit() or len(code) < 6:
        warnings.append(
            Problem(
                row.number,
                row.label("code"),
                _("Not a tariff line (an aggregate or a total): row skipped."),
            )
        )
        return None
    if restored:
        warnings.append(
            Problem(
                row.number,
                row.label("code"),
                _("A leading zero was restored: %(code)s.") % {"code": code},
            )
        )
    if row.get("nomenclature").upper() in WITS_OLD_NOMENCLATURES:
        row.error(
            "nomenclature",
            _("Only HS 2022 (H6) data can be imported; download the data in HS 2022."),
        )
    nomenclature = Nomenclature.HS if len(code) == 6 else Nomenclature.NATIONAL
    row.values["code"] = code
    code = _code(row, nomenclature, reference)
    year_text = row.get("year")
    valid_from = None
    if not re.fullmatch(r"\d{4}", year_text) or not 1988 <= int(year_text) <= 2100:
        row.error("year", _("“%(value)s” is not a tariff year.") % {"value": year_text})
    else:
        valid_from = date(int(year_text), 1, 1)
    rate = row.percent("rate", required=True)
    low = row.percent("min_rate")
    high = row.percent("max_rate")
    if not row.ok or valid_from is None or rate is None:
        return None
    if low is not None and high is not None and low != high:
        warnings.append(
            Problem(
                row.number,
                row.label("rate"),
                _(
                    "The national lines range from %(low)s %% to %(high)s %%; the simple average %(rate)s %% is imported."
                )
                % {"low": low, "high": high, "rate": rate},
            )
        )
    line = LineDraft(
        row=row.number,
        code=code,
        description=row.text("product_name", limit=2000),
        rate_type=RateType.FREE if rate == 0 else RateType.AD_VALOREM,
        ad_valorem_percent=None if rate == 0 else rate,
        specific_amount=None,
        specific_currency="",
        unit="",
        valid_from=valid_from,
        valid_to=None,
    )
    shared: dict[str, Any] = {
        "importer": importer,
        "nomenclature": nomenclature,
        "legal_source": options.legal_source
        or _("Tariff data reported to UNCTAD TRAINS, downloaded from WITS; tariff year %(year)s")
        % {"year": valid_from.year},
        "source_url": options.source_url or "https://wits.worldbank.org/",
        "is_sample": options.sample,
    }
    return line, shared, target, duty_type


def _wits_importer(row: _Row, lookup: dict[str, str], forced: str) -> str:
    reporter = row.get("reporter").upper() or row.get("reporter_name").upper()
    if not reporter:
        if forced:
            return forced
        row.error("reporter", _("This column is required."))
        return ""
    code = lookup.get(reporter) or lookup.get(row.get("reporter_name").upper())
    if code is None:
        if forced:
            return forced
        row.error(
            "reporter", _("Unknown reporter “%(value)s”: give the importer.") % {"value": reporter}
        )
        return ""
    if forced and code != forced:
        row.error(
            "reporter",
            _("The file is imported for %(expected)s but this row is for %(found)s.")
            % {"expected": forced, "found": code},
        )
    return code


def _wits_partner(row: _Row, lookup: dict[str, str], agreement: str) -> None:
    """A preferential row's partner must be a party when it is a country (groups are not checked)."""
    partner = row.get("partner").upper()
    if not partner or partner in WITS_WORLD:
        return
    code = lookup.get(partner) or lookup.get(row.get("partner_name").upper())
    parties = AGREEMENT_PARTIES.get(agreement)
    if code is not None and parties is not None and code not in parties:
        row.error(
            "partner",
            _("%(country)s is not a party of %(agreement)s.")
            % {"country": code, "agreement": agreement},
        )


# --- product-specific rules ------------------------------------------------------------------------------


@dataclass
class RuleDraft:
    row: int
    agreement: str
    hs_prefix: str
    rule: str
    note: str
    valid_from: date
    valid_to: date | None
    legal_source: str
    source_url: str
    is_sample: bool


RULE_COLUMNS = ("agreement", "hs_prefix", "rule", "valid_from", "legal_source")
RULE_OPTIONAL = ("note", "valid_to", "source_url", "is_sample")


def parse_rules(
    data: CsvFile, *, sample: bool = False, legal_source: str = ""
) -> tuple[list[RuleDraft], list[Problem]]:
    """Product-specific rules: one per agreement, HS prefix and start date, written in the rule language."""
    problems: list[Problem] = []
    if not _check_header(data, RULE_COLUMNS, RULE_OPTIONAL, problems):
        return [], problems
    reference = Reference.load(digits(values.get("hs_prefix", "")) for _n, values in data.rows)
    drafts: list[RuleDraft] = []
    seen: dict[tuple[str, str, date], int] = {}
    for number, values in data.rows:
        row = _Row(number, values, problems)
        agreement = row.get("agreement").upper()
        if agreement == MFN:
            row.error(
                "agreement", _("MFN rates need no proof of origin: give a preferential agreement.")
            )
        elif not agreement:
            row.error("agreement", _("This column is required."))
        else:
            message = check_agreement(agreement, "")
            if message:
                row.error("agreement", message)
        hs_prefix = reference.hs_prefix(row, "hs_prefix")
        text = row.text("rule", limit=500, required=True)
        if text:
            try:
                parse_rule(text)
            except RuleSyntaxError as exc:
                row.error("rule", str(exc))
        note = row.text("note", limit=5000)
        valid_from, valid_to = row.dates()
        source = row.text("legal_source", limit=500) or legal_source
        if not source:
            row.error("legal_source", _("Name the instrument the rule comes from."))
        url = row.url("source_url")
        is_sample = sample or row.flag("is_sample")
        if not row.ok or valid_from is None:
            continue
        key = (agreement, hs_prefix, valid_from)
        if key in seen:
            row.error(
                "hs_prefix", _("The same rule is already in row %(row)d.") % {"row": seen[key]}
            )
            continue
        seen[key] = number
        drafts.append(
            RuleDraft(
                number,
                agreement,
                hs_prefix,
                text,
                note,
                valid_from,
                valid_to,
                source,
                url,
                is_sample,
            )
        )
    return drafts, problems


# --- non-tariff measures ---------------------------------------------------------------------------------


@dataclass
class MeasureDraft:
    row: int
    importer: str
    hs_prefix: str
    measure_code: str
    chapter: str
    title: dict[str, str]
    requirement: dict[str, str]
    original_language: str
    documents: list[str]
    agency: str
    legal_basis: str
    valid_from: date
    valid_to: date | None
    legal_source: str
    source_url: str
    is_sample: bool


MEASURE_COLUMNS = (
    "importer",
    "hs_prefix",
    "measure_code",
    "original_language",
    "valid_from",
    "legal_source",
)
MEASURE_OPTIONAL = (
    "title.*",
    "requirement.*",
    "documents",
    "agency",
    "legal_basis",
    "valid_to",
    "source_url",
    "is_sample",
)


def _language_map(row: _Row, prefix: str, *, limit: int, original: str) -> dict[str, str]:
    texts: dict[str, str] = {}
    for name in row.values:
        base, _dot, language = name.partition(".")
        if base != prefix or not language:
            continue
        value = row.get(name)
        if not value:
            continue
        if language.lower() not in LANGUAGES:
            row.error(name, _("“%(lang)s” is not a supported language.") % {"lang": language})
        elif len(value) > limit:
            row.error(name, _("Give at most %(limit)d characters.") % {"limit": limit})
        else:
            texts[language.lower()] = value
    if original and original not in texts:
        row.error(
            f"{prefix}.{original}",
            _("Give the %(field)s in the original language (%(lang)s).")
            % {"field": prefix, "lang": original},
        )
    return texts


def parse_measures(
    data: CsvFile, *, sample: bool = False, legal_source: str = ""
) -> tuple[list[MeasureDraft], list[Problem]]:
    """Non-tariff measures: one per importer, HS prefix, UNCTAD measure code and start date.

    Title and requirement are language maps (``title.en``, ``requirement.th`` …) that must include the
    original language; ``documents`` lists the documents to present, separated by ``;``.
    """
    problems: list[Problem] = []
    if not _check_header(data, MEASURE_COLUMNS, MEASURE_OPTIONAL, problems):
        return [], problems
    reference = Reference.load(digits(values.get("hs_prefix", "")) for _n, values in data.rows)
    drafts: list[MeasureDraft] = []
    seen: dict[tuple[str, str, str, date], int] = {}
    for number, values in data.rows:
        row = _Row(number, values, problems)
        importer = reference.country(row, "importer")
        hs_prefix = reference.hs_prefix(row, "hs_prefix")
        measure_code = row.get("measure_code").upper()
        if not _MEASURE_CODE.match(measure_code):
            row.error("measure_code", _("Give an UNCTAD measure code such as A14 or B31."))
        original = row.get("original_language").lower()
        if original not in LANGUAGES:
            row.error(
                "original_language",
                _("“%(lang)s” is not a supported language.") % {"lang": original},
            )
            original = ""
        title = _language_map(row, "title", limit=300, original=original)
        requirement = _language_map(row, "requirement", limit=10_000, original=original)
        documents = [item.strip() for item in row.get("documents").split(";") if item.strip()]
        if any(len(item) > 300 for item in documents) or len(documents) > 50:
            row.error("documents", _("List at most 50 documents of at most 300 characters each."))
        agency = row.text("agency", limit=300)
        legal_basis = row.text("legal_basis", limit=500)
        valid_from, valid_to = row.dates()
        source = row.text("legal_source", limit=500) or legal_source
        if not source:
            row.error("legal_source", _("Name the instrument the measure comes from."))
        url = row.url("source_url")
        is_sample = sample or row.flag("is_sample")
        if not row.ok or valid_from is None:
            continue
        key = (importer, hs_prefix, measure_code, valid_from)
        if key in seen:
            row.error(
                "measure_code",
                _("The same measure is already in row %(row)d.") % {"row": seen[key]},
            )
            continue
        seen[key] = number
        drafts.append(
            MeasureDraft(
                row=number,
                importer=importer,
                hs_prefix=hs_prefix,
                measure_code=measure_code,
                chapter=NtmChapter(measure_code[0]).value,
                title=title,
                requirement=requirement,
                original_language=original,
                documents=documents,
                agency=agency,
                legal_basis=legal_basis,
                valid_from=valid_from,
                valid_to=valid_to,
                legal_source=source,
                source_url=url,
                is_sample=is_sample,
            )
        )
    return drafts, problems


# --- import taxes and customs regimes --------------------------------------------------------------------


@dataclass
class TaxDraft:
    row: int
    country: str
    kind: str
    name: str
    hs_prefix: str
    rate_percent: Decimal | None
    base: str
    fixed_amount: int | None
    currency: str
    valid_from: date
    valid_to: date | None
    legal_source: str
    source_url: str
    is_sample: bool


TAX_COLUMNS = ("country", "kind", "name", "valid_from", "legal_source")
TAX_OPTIONAL = (
    "hs_prefix",
    "rate_percent",
    "base",
    "fixed_amount",
    "currency",
    "valid_to",
    "source_url",
    "is_sample",
)


def parse_taxes(
    data: CsvFile, *, sample: bool = False, legal_source: str = ""
) -> tuple[list[TaxDraft], list[Problem]]:
    """Import taxes and fees: a percentage of a base, or a fixed amount in major units of a currency.

    One row per country, kind, name, HS prefix (empty: every good) and start date.
    """
    problems: list[Problem] = []
    if not _check_header(data, TAX_COLUMNS, TAX_OPTIONAL, problems):
        return [], problems
    reference = Reference.load(digits(values.get("hs_prefix", "")) for _n, values in data.rows)
    drafts: list[TaxDraft] = []
    seen: dict[tuple[str, str, str, str, date], int] = {}
    for number, values in data.rows:
        row = _Row(number, values, problems)
        country = reference.country(row, "country")
        kind = row.choice("kind", TaxKind.values)
        name = row.text("name", limit=200, required=True)
        hs_prefix = reference.hs_prefix(row, "hs_prefix", required=False)
        percent = row.percent("rate_percent")
        base = row.choice("base", TaxBase.values, default=TaxBase.VALUE_PLUS_DUTY)
        currency, minor_unit = reference.currency(
            row, "currency", required=bool(row.get("fixed_amount"))
        )
        amount = row.minor_units("fixed_amount", currency, minor_unit)
        has_percent = bool(row.get("rate_percent"))
        has_amount = bool(row.get("fixed_amount"))
        if has_percent == has_amount:
            row.error("rate_percent", _("Give either a percentage or a fixed amount."))
        valid_from, valid_to = row.dates()
        source = row.text("legal_source", limit=500) or legal_source
        if not source:
            row.error("legal_source", _("Name the law that sets the tax."))
        url = row.url("source_url")
        is_sample = sample or row.flag("is_sample")
        if not row.ok or valid_from is None:
            continue
        key = (country, kind, name, hs_prefix, valid_from)
        if key in seen:
            row.error("name", _("The same tax is already in row %(row)d.") % {"row": seen[key]})
            continue
        seen[key] = number
        drafts.append(
            TaxDraft(
                number,
                country,
                kind,
                name,
                hs_prefix,
                percent,
                base,
                amount,
                currency if has_amount else "",
                valid_from,
                valid_to,
                source,
                url,
                is_sample,
            )
        )
    return drafts, problems


@dataclass
class RegimeDraft:
    row: int
    country: str
    valuation_basis: str
    legal_source: str
    source_url: str
    is_sample: bool


REGIME_COLUMNS = ("country", "valuation_basis", "legal_source")
REGIME_OPTIONAL = ("source_url", "is_sample")


def parse_regimes(
    data: CsvFile, *, sample: bool = False, legal_source: str = ""
) -> tuple[list[RegimeDraft], list[Problem]]:
    """Customs regimes: how each importing country values goods for duty (CIF or FOB)."""
    problems: list[Problem] = []
    if not _check_header(data, REGIME_COLUMNS, REGIME_OPTIONAL, problems):
        return [], problems
    reference = Reference.load([])
    drafts: list[RegimeDraft] = []
    seen: dict[str, int] = {}
    for number, values in data.rows:
        row = _Row(number, values, problems)
        country = reference.country(row, "country")
        basis = row.choice("valuation_basis", ValuationBasis.values)
        source = row.text("legal_source", limit=500) or legal_source
        if not source:
            row.error("legal_source", _("Name the law that sets the customs value."))
        url = row.url("source_url")
        is_sample = sample or row.flag("is_sample")
        if not row.ok:
            continue
        if country in seen:
            row.error(
                "country", _("The country is already in row %(row)d.") % {"row": seen[country]}
            )
            continue
        seen[country] = number
        drafts.append(RegimeDraft(number, country, basis, source, url, is_sample))
    return drafts, problems
