"""The origin calculator: does a good qualify as originating under a preferential agreement, and why.

Business rules (ACFTA as upgraded in 2019; ATIGA and RCEP have the same shape, see `agreements`):

- The rule applied is the product-specific rule when one is given, else the agreement's general rule
  (``WO | PE | RVC(40) | CTH``). A wholly obtained good, or one produced entirely from originating
  materials, originates whatever its product-specific rule says (ACFTA Rule 2(a) and (b)), so ``WO`` and
  ``PE`` are always among the criteria.
- A material is originating when it carries an origin certificate or declaration under the agreement
  (`Material.originating`) and its origin country is a party. With cumulation, a material originating in
  another party counts as originating in the exporting party. A material flagged originating whose
  country is not a party, or unknown, is treated as non-originating and listed as such. Materials of
  undetermined origin are non-originating.
- RVC = (FOB − VNM) / FOB × 100, VNM being the CIF value of the non-originating materials; compared
  exactly (Fraction) with the threshold, shown rounded down to two decimals.
- De minimis and tariff shifts: see `harbor.trade.rules`.

Form E box 8 (origin criterion), per the overleaf notes of Form E, the certificate annexed to the
Operational Certification Procedures of the ACFTA rules of origin as amended by the 2015 Upgrading
Protocol: "WO" for a good wholly obtained, "PE" for a good produced entirely from originating materials,
the percentage of regional value content (e.g. "40%") for the value criterion, "CTH" for a change of
tariff heading, "PSR" for a good meeting its product-specific rule. The same codes are given for the
certificates of ATIGA and RCEP as a pre-check. Box 9 carries the FOB value.

When several criteria are met, the one reported (and entered in box 8) is chosen in this order: WO, PE,
then a value criterion, then a tariff shift, then any other criterion, rule order breaking ties.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _

from harbor.core.errors import FieldError, ValidationFailed
from harbor.trade.agreements import Agreement, get_agreement_or_raise
from harbor.trade.rules import (
    Facts,
    MaterialFacts,
    Node,
    Outcome,
    ProducedEntirely,
    RuleSyntaxError,
    ShiftOutcome,
    TariffShift,
    ValueContent,
    WhollyObtained,
    alternatives,
    display_percent,
    normalize_process,
    parse_rule,
    plain,
    walk,
)

HS_CODE = re.compile(r"[0-9]{6}")
CURRENCY = re.compile(r"[A-Z]{3}")
COUNTRY = re.compile(r"[A-Z]{2}")


@dataclass(frozen=True)
class Material:
    """One bill-of-materials line: CIF value in minor units, origin country ("" when unknown), whether it
    holds proof of origin under the agreement, and its weight in grams when known."""

    description: str
    hs_code: str
    value: int
    origin_country: str = ""
    originating: bool = False
    weight: int | None = None


@dataclass(frozen=True)
class OriginInput:
    """A good to qualify: HS subheading, FOB value in minor units, the agreement and the two parties,
    its bill of materials, and the producer's declarations. `product_rule` None means the general rule."""

    hs_code: str
    fob_value: int
    currency: str
    agreement: str
    exporter: str
    importer: str
    materials: tuple[Material, ...] = ()
    wholly_obtained: bool = False
    processes: tuple[str, ...] = ()
    product_rule: str | None = None
    product_weight: int | None = None


@dataclass(frozen=True)
class RvcWorksheet:
    """The value criterion's arithmetic; `threshold` is that of the first RVC criterion of the rule."""

    fob_value: int
    vnm: int
    originating_value: int
    rvc: Decimal
    rvc_exact: Fraction
    threshold: Decimal | None
    passed: bool | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "fob_value": self.fob_value,
            "vnm": self.vnm,
            "originating_value": self.originating_value,
            "rvc": str(self.rvc),
            "rvc_exact": f"{self.rvc_exact.numerator}/{self.rvc_exact.denominator}",
            "threshold": None if self.threshold is None else plain(self.threshold),
            "passed": self.passed,
        }


@dataclass(frozen=True)
class MaterialNote:
    """A material whose origin status the cumulation rules decided, and why."""

    material: int
    description: str
    origin_country: str
    value: int
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "material": self.material,
            "description": self.description,
            "origin_country": self.origin_country,
            "value": self.value,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Cumulation:
    """Materials counted as originating because they originate in another party, and materials flagged
    originating that are treated as non-originating."""

    allowed: bool
    cumulated: tuple[MaterialNote, ...]
    refused: tuple[MaterialNote, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "allowed": self.allowed,
            "cumulated": [note.as_dict() for note in self.cumulated],
            "refused": [note.as_dict() for note in self.refused],
        }


@dataclass(frozen=True)
class CertificateEntries:
    """What the certificate of origin would carry: box 8 (origin criterion) and box 9 (FOB value)."""

    certificate: str
    origin_criterion: str | None
    fob_value: int
    currency: str
    gross_weight: int | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "certificate": self.certificate,
            "origin_criterion": self.origin_criterion,
            "fob_value": self.fob_value,
            "currency": self.currency,
            "gross_weight": self.gross_weight,
        }


@dataclass(frozen=True)
class OriginResult:
    """The verdict with its explanation: every criterion, the RVC worksheet, the tariff shifts with their
    de minimis, the cumulation applied and the certificate entries."""

    agreement: str
    hs_code: str
    originating: bool
    rule: str
    product_specific: bool
    criteria: tuple[Outcome, ...]
    preferred: Outcome | None
    rvc: RvcWorksheet
    tariff_shifts: tuple[ShiftOutcome, ...]
    cumulation: Cumulation
    certificate: CertificateEntries

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: decimals as strings, money as integers in minor units."""
        return {
            "agreement": self.agreement,
            "hs_code": self.hs_code,
            "originating": self.originating,
            "rule": self.rule,
            "product_specific": self.product_specific,
            "criteria": [criterion.as_dict() for criterion in self.criteria],
            "preferred_criterion": None if self.preferred is None else self.preferred.criterion,
            "rvc": self.rvc.as_dict(),
            "tariff_shifts": [shift.as_dict() for shift in self.tariff_shifts],
            "cumulation": self.cumulation.as_dict(),
            "certificate": self.certificate.as_dict(),
        }


# ---------------------------------------------------------------------------------------------------------
# Validation


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_hs(value: object) -> bool:
    return isinstance(value, str) and HS_CODE.fullmatch(value) is not None


def validate_origin_input(data: OriginInput) -> Agreement:
    """The agreement the input is valid under; otherwise ValidationFailed naming every bad field."""
    errors: list[FieldError] = []

    def add(name: str, message: str) -> None:
        errors.append(FieldError(name, message))

    agreement: Agreement | None = None
    try:
        agreement = get_agreement_or_raise(data.agreement)
    except ValidationFailed as failure:
        errors.extend(failure.errors)
    if not _is_hs(data.hs_code):
        add("hs_code", _("Give a 6-digit HS subheading, digits only."))
    if not _is_int(data.fob_value):
        add("fob_value", _("Give a whole number in minor units of the currency."))
    elif data.fob_value < 0:
        add("fob_value", _("A value cannot be negative."))
    elif data.fob_value == 0:
        add("fob_value", _("The FOB value must be more than zero."))
    if not (isinstance(data.currency, str) and CURRENCY.fullmatch(data.currency)):
        add("currency", _("Give a three-letter ISO 4217 currency code."))
    if agreement is not None:
        for name in ("exporter", "importer"):
            country = getattr(data, name)
            if not agreement.is_party(country):
                add(
                    name,
                    _("%(country)s is not a party to %(agreement)s.")
                    % {"country": country or "—", "agreement": agreement.code},
                )
        if data.exporter == data.importer and agreement.is_party(data.exporter):
            add("importer", _("The importing party must differ from the exporting party."))
    if data.product_weight is not None and not (
        _is_int(data.product_weight) and data.product_weight > 0
    ):
        add("product_weight", _("Give the weight in grams, more than zero."))
    if data.product_rule is not None:
        try:
            parse_rule(data.product_rule)
        except RuleSyntaxError as error:
            add("product_rule", str(error))
    if not data.materials and not data.wholly_obtained:
        add("materials", _("List the materials used, unless the good is wholly obtained."))
    values_valid = True
    for index, material in enumerate(data.materials):
        prefix = f"materials[{index}]"
        if not (isinstance(material.description, str) and material.description.strip()):
            add(f"{prefix}.description", _("Describe the material."))
        if not _is_hs(material.hs_code):
            add(f"{prefix}.hs_code", _("Give a 6-digit HS subheading, digits only."))
        if not _is_int(material.value):
            values_valid = False
            add(f"{prefix}.value", _("Give a whole number in minor units of the currency."))
        elif material.value < 0:
            values_valid = False
            add(f"{prefix}.value", _("A value cannot be negative."))
        if not (
            isinstance(material.origin_country, str)
            and (material.origin_country == "" or COUNTRY.fullmatch(material.origin_country))
        ):
            add(
                f"{prefix}.origin_country",
                _("Give an ISO 3166 alpha-2 country code, or leave it empty when unknown."),
            )
        if material.weight is not None and not (_is_int(material.weight) and material.weight >= 0):
            add(f"{prefix}.weight", _("Give the weight in grams, zero or more."))
    if values_valid and _is_int(data.fob_value) and data.fob_value > 0:
        total = sum(material.value for material in data.materials)
        if total > data.fob_value:
            add(
                "materials",
                _("The materials are worth %(total)s in total, more than the FOB value %(fob)s.")
                % {"total": total, "fob": data.fob_value},
            )
    if errors:
        raise ValidationFailed.for_fields(errors)
    assert agreement is not None
    return agreement


# ---------------------------------------------------------------------------------------------------------
# Calculation


@functools.lru_cache(maxsize=1024)
def _criteria(rule_text: str, product_specific: bool) -> tuple[Node, ...]:
    """The criteria of a rule: its alternatives, with WO and PE first for a product-specific rule."""
    options = alternatives(parse_rule(rule_text))
    if not product_specific:
        return options
    implicit = tuple(node for node in (WhollyObtained(), ProducedEntirely()) if node not in options)
    return implicit + options


def clear_rule_caches() -> None:
    """Forget every parsed rule (for measurements that compare against parsing afresh)."""
    parse_rule.cache_clear()
    _criteria.cache_clear()


def _rank(node: Node) -> int:
    if isinstance(node, WhollyObtained):
        return 0
    if isinstance(node, ProducedEntirely):
        return 1
    if isinstance(node, ValueContent):
        return 2
    if isinstance(node, TariffShift):
        return 3
    return 4


def _box8(node: Node, *, product_specific: bool, rvc: Decimal) -> str:
    if isinstance(node, WhollyObtained):
        return "WO"
    if isinstance(node, ProducedEntirely):
        return "PE"
    if product_specific:
        return "PSR"
    if isinstance(node, ValueContent):
        return f"{plain(rvc)}%"
    if isinstance(node, TariffShift):
        return node.level.value
    return "PSR"


def _classify(
    data: OriginInput, agreement: Agreement
) -> tuple[tuple[MaterialFacts, ...], int, Cumulation]:
    """Non-originating materials, the value of the originating ones, and the cumulation notes."""
    non_originating: list[MaterialFacts] = []
    cumulated: list[MaterialNote] = []
    refused: list[MaterialNote] = []
    originating_value = 0
    for index, material in enumerate(data.materials):
        country = material.origin_country
        counts = False
        if material.originating:
            if country == data.exporter:
                counts = True
            elif not agreement.is_party(country):
                reason = (
                    _("Flagged originating, but its origin country is unknown.")
                    if not country
                    else _("Flagged originating, but %(country)s is not a party to %(agreement)s.")
                    % {"country": country, "agreement": agreement.code}
                )
                refused.append(
                    MaterialNote(index, material.description, country, material.value, reason)
                )
            elif agreement.cumulation:
                counts = True
                reason = _("Originating in %(country)s, a party: counted as originating.") % {
                    "country": country
                }
                cumulated.append(
                    MaterialNote(index, material.description, country, material.value, reason)
                )
            else:
                reason = _(
                    "Originating in %(country)s, but %(agreement)s allows no cumulation."
                ) % {
                    "country": country,
                    "agreement": agreement.code,
                }
                refused.append(
                    MaterialNote(index, material.description, country, material.value, reason)
                )
        if counts:
            originating_value += material.value
        else:
            non_originating.append(
                MaterialFacts(
                    index, material.description, material.hs_code, material.value, material.weight
                )
            )
    cumulation = Cumulation(agreement.cumulation, tuple(cumulated), tuple(refused))
    return tuple(non_originating), originating_value, cumulation


def calculate_origin(data: OriginInput) -> OriginResult:
    """Whether the good originates under the agreement, with every criterion explained; invalid input
    raises ValidationFailed naming the fields."""
    agreement = validate_origin_input(data)
    product_specific = data.product_rule is not None
    rule_text = data.product_rule if data.product_rule is not None else agreement.general_rule
    criteria_nodes = _criteria(rule_text, product_specific)
    non_originating, originating_value, cumulation = _classify(data, agreement)
    facts = Facts(
        hs_code=data.hs_code,
        fob_value=data.fob_value,
        wholly_obtained=data.wholly_obtained,
        processes=frozenset(normalize_process(process) for process in data.processes),
        material_count=len(data.materials),
        non_originating=non_originating,
        de_minimis_percent=agreement.de_minimis_percent,
        textile=agreement.is_textile(data.hs_code),
        product_weight=data.product_weight,
    )
    criteria = tuple(node.evaluate(facts) for node in criteria_nodes)
    originating = any(outcome.passed for outcome in criteria)

    passing = [
        (_rank(outcome.node), order, outcome)
        for order, outcome in enumerate(criteria)
        if outcome.passed
    ]
    preferred = min(passing, key=lambda item: (item[0], item[1]))[2] if passing else None

    rvc_exact = facts.rvc
    rvc = display_percent(rvc_exact)
    threshold = next(
        (node.threshold for node in walk(parse_rule(rule_text)) if isinstance(node, ValueContent)),
        None,
    )
    worksheet = RvcWorksheet(
        fob_value=data.fob_value,
        vnm=facts.vnm,
        originating_value=originating_value,
        rvc=rvc,
        rvc_exact=rvc_exact,
        threshold=threshold,
        passed=None if threshold is None else rvc_exact >= Fraction(threshold),
    )
    shifts = tuple(
        outcome.shift for criterion in criteria for outcome in _outcomes(criterion) if outcome.shift
    )
    box8 = _box8(preferred.node, product_specific=product_specific, rvc=rvc) if preferred else None
    return OriginResult(
        agreement=agreement.code,
        hs_code=data.hs_code,
        originating=originating,
        rule=parse_rule(rule_text).text,
        product_specific=product_specific,
        criteria=criteria,
        preferred=preferred,
        rvc=worksheet,
        tariff_shifts=shifts,
        cumulation=cumulation,
        certificate=CertificateEntries(
            certificate=agreement.certificate,
            origin_criterion=box8,
            fob_value=data.fob_value,
            currency=data.currency,
            gross_weight=data.product_weight,
        ),
    )


def _outcomes(outcome: Outcome) -> list[Outcome]:
    found = [outcome]
    for part in outcome.parts:
        found.extend(_outcomes(part))
    return found
