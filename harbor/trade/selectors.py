"""Reads of trade rules: the HS nomenclature, tariff lines, product-specific rules, taxes and measures.

Trade rules are public: every actor, anonymous included, may read them. Dates select what is in force:
a row applies on ``on`` when ``valid_from <= on`` and ``valid_to`` is empty or ``>= on``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from harbor.core.errors import NotFound, ValidationFailed
from harbor.reference.models import Country, Currency, HsCode
from harbor.trade.hs_titles import chapter_title, section_title
from harbor.trade.models import (
    CustomsRegime,
    ImportTax,
    NonTariffMeasure,
    ProductRule,
    TariffLine,
    TariffSchedule,
)

HS_QUERY_MAX = 200
_CODE_QUERY = re.compile(r"^[0-9][0-9.\s]*$")


def in_force(on: date, prefix: str = "") -> Q:
    """Rows valid on ``on``: started on or before it and not ended before it."""
    return Q(**{f"{prefix}valid_from__lte": on}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": on})
    )


def normalise_hs(code: str, *, field_name: str = "hs") -> str:
    """Digits of an HS code written as ``9403.60``, ``9403 60`` or ``940360``; 2 to 10 digits."""
    digits = re.sub(r"[.\s]", "", code or "")
    if not digits.isdigit() or not 2 <= len(digits) <= 10:
        raise ValidationFailed.for_field(
            field_name, _("An HS code has 2 to 10 digits, for example 9403.60.")
        )
    return digits


@dataclass
class HsEntry:
    """One node of the nomenclature with its titles in the reader's language."""

    code: str
    level: int
    description: str
    section: str
    section_title: str
    chapter: str
    chapter_title: str
    parent: str = ""
    children: list[HsEntry] = field(default_factory=list)
    ancestors: list[HsEntry] = field(default_factory=list)

    @property
    def display_code(self) -> str:
        """``9403.60`` for a subheading, ``94.03`` for a heading, ``94`` for a chapter."""
        if len(self.code) == 6:
            return f"{self.code[:4]}.{self.code[4:]}"
        if len(self.code) == 4:
            return f"{self.code[:2]}.{self.code[2:]}"
        return self.code


def _entry(row: HsCode, language: str) -> HsEntry:
    chapter = row.code[:2]
    description = row.description
    if row.level == 2:
        description = chapter_title(chapter, language)
    return HsEntry(
        code=row.code,
        level=row.level,
        description=description,
        section=row.section,
        section_title=section_title(row.section, language),
        chapter=chapter,
        chapter_title=chapter_title(chapter, language),
        parent=row.parent,
    )


def search_hs(query: str, *, language: str, limit: int = 50) -> list[HsEntry]:
    """Nomenclature entries whose code starts with the query's digits, or whose English description or
    chapter title in the reader's language contains every word of the query; codes first, then by code."""
    text = (query or "").strip()
    if not text:
        raise ValidationFailed.for_field("q", _("Give a code or some words to search for."))
    if len(text) > HS_QUERY_MAX:
        raise ValidationFailed.for_field(
            "q", _("The query is longer than %(max)d characters.") % {"max": HS_QUERY_MAX}
        )
    if not 1 <= limit <= 200:
        raise ValidationFailed.for_field("limit", _("The limit must be between 1 and 200."))
    rows = HsCode.objects.all()
    if _CODE_QUERY.match(text):
        digits = re.sub(r"[.\s]", "", text)[:6]
        found = list(rows.filter(code__startswith=digits).order_by("code")[:limit])
        return [_entry(row, language) for row in found]
    condition = Q()
    for word in text.split():
        condition &= Q(description__icontains=word)
    chapters = [
        row.code
        for row in rows.filter(level=2)
        if all(
            word.casefold() in chapter_title(row.code, language).casefold() for word in text.split()
        )
    ]
    if chapters:
        condition |= Q(code__in=chapters)
    found = list(rows.filter(condition).order_by("level", "code")[:limit])
    return [_entry(row, language) for row in found]


def get_hs(code: str, *, language: str) -> HsEntry:
    """One entry with its ancestors (chapter, heading) and its children."""
    digits = normalise_hs(code, field_name="code")
    if len(digits) > 6:
        digits = digits[:6]
    row = HsCode.objects.filter(code=digits).first()
    if row is None:
        raise NotFound(_("No HS 2022 code “%(code)s”.") % {"code": code})
    entry = _entry(row, language)
    ancestor_codes = [digits[:n] for n in (2, 4) if n < len(digits)]
    entry.ancestors = [
        _entry(parent, language)
        for parent in HsCode.objects.filter(code__in=ancestor_codes).order_by("code")
    ]
    entry.children = [
        _entry(child, language) for child in HsCode.objects.filter(parent=digits).order_by("code")
    ]
    return entry


@functools.cache
def _subheadings() -> frozenset[str]:
    """The HS 2022 six-digit codes; the nomenclature is fixed once loaded, so one read per process."""
    return frozenset(HsCode.objects.filter(level=6).values_list("code", flat=True))


def known_subheading(code: str) -> bool:
    found = _subheadings()
    if not found:  # not loaded yet when first asked: do not remember an empty nomenclature
        _subheadings.cache_clear()
    return code[:6] in found


@functools.cache
def _currencies() -> dict[str, int]:
    return dict(Currency.objects.values_list("code", "minor_unit"))


@functools.cache
def _country_currencies() -> dict[str, str | None]:
    return dict(Country.objects.values_list("code", "currency_id"))


def country_currencies() -> dict[str, str | None]:
    """Each country's ISO 4217 currency (fixed reference data, read once per process)."""
    found = _country_currencies()
    if not found:
        _country_currencies.cache_clear()
    return found


def currency_minor_units() -> dict[str, int]:
    """ISO 4217 codes and their minor units (fixed reference data, read once per process)."""
    found = _currencies()
    if not found:
        _currencies.cache_clear()
    return found


def tariff_lines(*, importer: str, hs: str, on: date, agreement: str = "") -> QuerySet[TariffLine]:
    """Lines in force on ``on`` in the importer's schedules for an HS code or any line refining it.

    A six-digit or longer query matches lines of that subheading whose code starts with the query, and a
    shorter line of the same subheading that the query refines; a shorter query matches every line under
    it.
    """
    lines = TariffLine.objects.select_related("schedule").filter(
        in_force(on), in_force(on, "schedule__"), schedule__importer_id=importer
    )
    if len(hs) >= 6:
        # the lines refining the code, and a shorter line the code refines (a six-digit line of an
        # agreement schedule covers the national eight- and ten-digit codes under it)
        broader = [hs[:n] for n in range(6, len(hs))]
        lines = lines.filter(Q(code__startswith=hs) | Q(code__in=broader), hs6=hs[:6])
    else:
        lines = lines.filter(hs6__startswith=hs)
    if agreement:
        lines = lines.filter(schedule__agreement=agreement)
    return lines.order_by("schedule__agreement", "code", "-valid_from")


def schedules_for(importer: str) -> QuerySet[TariffSchedule]:
    return TariffSchedule.objects.filter(importer_id=importer)


# --- small per-country tables, cached ----------------------------------------------------------------
#
# A quote reads an importer's customs regime, taxes and measures and an agreement's product-specific rules:
# a few dozen rows that change only on import. They are cached for CACHE_SECONDS per process (Django's
# cache); the trade services call ``forget_cached_trade_data()`` after every write, which clears them at
# once in the writing process. Tariff lines, one query per quote, are always read fresh.

CACHE_SECONDS = 60
_GENERATION_KEY = "trade:generation"


def _generation() -> int:
    return int(cache.get_or_set(_GENERATION_KEY, 0, None) or 0)


def forget_cached_trade_data() -> None:
    """Start a new cache generation: every cached table is read again on its next use."""
    try:
        cache.incr(_GENERATION_KEY)
    except ValueError:
        cache.set(_GENERATION_KEY, 1, None)


@dataclass(frozen=True)
class CountryTables:
    regime: CustomsRegime | None
    taxes: tuple[ImportTax, ...]
    measures: tuple[NonTariffMeasure, ...]


def _country_tables(country: str) -> CountryTables:
    key = f"trade:country:{_generation()}:{country}"
    tables: CountryTables | None = cache.get(key)
    if tables is None:
        tables = CountryTables(
            regime=CustomsRegime.objects.filter(country_id=country).first(),
            taxes=tuple(ImportTax.objects.filter(country_id=country)),
            measures=tuple(
                NonTariffMeasure.objects.filter(importer_id=country).order_by(
                    "measure_code", "hs_prefix"
                )
            ),
        )
        cache.set(key, tables, CACHE_SECONDS)
    return tables


def _agreement_rules(agreement: str) -> tuple[ProductRule, ...]:
    key = f"trade:rules:{_generation()}:{agreement}"
    rules: tuple[ProductRule, ...] | None = cache.get(key)
    if rules is None:
        rules = tuple(ProductRule.objects.filter(agreement=agreement))
        cache.set(key, rules, CACHE_SECONDS)
    return rules


def _valid_on(row: ImportTax | NonTariffMeasure | ProductRule, on: date) -> bool:
    return row.valid_from <= on and (row.valid_to is None or row.valid_to >= on)


def product_rule(*, agreement: str, hs6: str, on: date) -> ProductRule | None:
    """The product-specific rule of the longest HS prefix matching ``hs6``, if any."""
    prefixes = {hs6[:n] for n in (6, 4, 2)}
    rules = [
        rule
        for rule in _agreement_rules(agreement)
        if rule.hs_prefix in prefixes and _valid_on(rule, on)
    ]
    return max(rules, key=lambda rule: len(rule.hs_prefix), default=None)


def import_taxes(*, country: str, hs: str, on: date) -> list[ImportTax]:
    """The taxes an importer charges on a good: per kind and name, the row of the longest HS prefix."""
    prefixes = {"", *(hs[:n] for n in (2, 4, 6) if len(hs) >= n)}
    rows = [
        row
        for row in _country_tables(country).taxes
        if row.hs_prefix in prefixes and _valid_on(row, on)
    ]
    chosen: dict[tuple[str, str], ImportTax] = {}
    for row in rows:
        key = (row.kind, row.name)
        if key not in chosen or len(row.hs_prefix) > len(chosen[key].hs_prefix):
            chosen[key] = row
    # A VAT with an HS prefix replaces the general VAT rather than adding to it.
    vat = [row for row in chosen.values() if row.kind == "vat"]
    if len(vat) > 1:
        longest = max(vat, key=lambda row: len(row.hs_prefix))
        chosen = {k: v for k, v in chosen.items() if v.kind != "vat" or v is longest}
    return sorted(chosen.values(), key=lambda row: (row.kind, row.name))


def customs_regime(country: str) -> CustomsRegime | None:
    return _country_tables(country).regime


def measures(*, importer: str, hs: str, on: date) -> list[NonTariffMeasure]:
    """Measures in force whose HS prefix covers the code (a chapter-wide measure applies to its lines)."""
    prefixes = {hs[:n] for n in range(2, min(len(hs), 6) + 1)}
    return [
        measure
        for measure in _country_tables(importer).measures
        if measure.hs_prefix in prefixes and _valid_on(measure, on)
    ]


def importer_country(code: str, *, field_name: str = "importer") -> str:
    """The upper-case code of a known country, or a validation error naming the field."""
    upper = (code or "").strip().upper()
    if not Country.objects.filter(code=upper).exists():
        raise ValidationFailed.for_field(
            field_name, _("Unknown country code “%(code)s”.") % {"code": code}
        )
    return upper
