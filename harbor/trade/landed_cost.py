"""Landed cost: what a shipment costs at the importer's border under MFN and under each agreement it
may use, side by side.

Business rules:
- The customs value is CIF (FOB + freight + insurance) or FOB, by the importing country's valuation basis
  (``CustomsRegime``; CIF when none is recorded). Values given in another currency are converted into the
  importer's currency first, and the conversion's rate, source and date are part of the quote.
- Duty per tariff line: free → 0; ad valorem → value × rate; specific → quantity × amount per unit;
  compound → both added; "whichever is higher" → the larger of the two; a line excluded from an agreement
  makes that option unavailable.
- Excise is charged on the customs value plus duty; VAT/GST on the base its row names (by default the
  customs value plus duty, plus excise where the row says so); fixed fees are added as they are.
- Every amount is an integer at the importer currency's minor unit; each computed tax is rounded half up
  to the minor unit once, when it is computed. The landed cost is the customs value plus duty, taxes and
  fees (freight and insurance are inside a CIF value; for an FOB basis they are added after duty).
- A preferential option applies only when both countries are parties of the agreement and the importer's
  schedule has a line for the good; the saving is measured against MFN. The rule of origin the good must
  meet is shown with each option, and when a bill of materials is given the origin calculator's verdict
  decides whether the option is open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from harbor.core.errors import FieldError, ValidationFailed
from harbor.fx import selectors as fx
from harbor.fx.errors import FxError
from harbor.trade import agreements, origin, selectors
from harbor.trade.choices import RateType, TaxBase, TaxKind, ValuationBasis
from harbor.trade.models import ImportTax, TariffLine

MFN = "MFN"


@dataclass(frozen=True)
class Shipment:
    """What the trader tells us about the goods; money in minor units of ``currency``."""

    hs_code: str
    importer: str
    exporter: str
    currency: str
    fob_value: int
    freight: int = 0
    insurance: int = 0
    quantity: Decimal | None = None
    on: date = field(default_factory=date.today)
    agreements: tuple[str, ...] = ()
    materials: tuple[origin.Material, ...] | None = None


@dataclass
class Component:
    """One line of a quote: duty, a tax or a fee, with how it was computed and where its rate comes from."""

    kind: str
    name: str
    amount: int
    basis: str
    legal_source: str
    is_sample: bool


@dataclass
class Option:
    """The cost of the shipment under MFN or one agreement."""

    agreement: str
    available: bool
    reason: str = ""
    line_code: str = ""
    rate_text: str = ""
    components: list[Component] = field(default_factory=list)
    duty: int = 0
    taxes: int = 0
    landed_cost: int = 0
    saving: int = 0
    origin_rule: str = ""
    origin_rule_is_product_specific: bool = False
    origin_verdict: bool | None = None
    origin_worksheet: dict[str, Any] | None = None


@dataclass
class Quote:
    shipment: Shipment
    currency: str
    minor_unit: int
    valuation_basis: str
    valuation_source: str
    customs_value: int
    conversion: dict[str, Any] | None
    options: list[Option]
    measures: list[dict[str, Any]]

    def best(self) -> Option | None:
        open_options = [option for option in self.options if option.available]
        return min(open_options, key=lambda option: option.landed_cost, default=None)


def _percent_of(amount: int, percent: Decimal) -> int:
    return int((Decimal(amount) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _conversion(amount: int, base: str, quote: str, on: date) -> fx.Conversion:
    """A conversion for the quote; a missing or stale rate is an error on the shipment's date."""
    try:
        return fx.convert(amount, base, quote, on=on)
    except FxError as error:
        raise ValidationFailed.for_field("date", error.detail) from None


def _convert(amount: int, base: str, quote: str, on: date) -> int:
    if base == quote:
        return amount
    return _conversion(amount, base, quote, on).converted_minor


def conversion_out(conversion: fx.Conversion) -> dict[str, Any]:
    """The conversion a quote used, with the rate's path, observation date and sources."""
    rate = conversion.rate
    return {
        "base": conversion.base,
        "quote": conversion.quote,
        "amount": conversion.amount_minor,
        "converted": conversion.converted_minor,
        "rate": f"{rate.value}",
        "path": rate.path_label,
        "observed_on": rate.observed_on.isoformat(),
        "sources": [source.name for source in rate.sources],
    }


def _specific(line: TariffLine, shipment: Shipment, currency: str) -> int:
    if shipment.quantity is None:
        raise ValidationFailed.for_field(
            "quantity",
            _("Tariff line %(code)s charges per %(unit)s: give the quantity in %(unit)s.")
            % {"code": line.code, "unit": line.unit or _("unit")},
        )
    per_unit = line.specific_amount or 0
    total = int(
        (Decimal(per_unit) * shipment.quantity).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    )
    return _convert(total, line.specific_currency or currency, currency, shipment.on)


def duty_for(line: TariffLine, *, customs_value: int, shipment: Shipment, currency: str) -> int:
    """The duty one tariff line charges on a customs value (see the module's rules)."""
    percent = line.ad_valorem_percent or Decimal(0)
    match line.rate_type:
        case RateType.FREE:
            return 0
        case RateType.AD_VALOREM:
            return _percent_of(customs_value, percent)
        case RateType.SPECIFIC:
            return _specific(line, shipment, currency)
        case RateType.COMPOUND:
            return _percent_of(customs_value, percent) + _specific(line, shipment, currency)
        case RateType.MIXED_MAX:
            return max(_percent_of(customs_value, percent), _specific(line, shipment, currency))
    raise ValueError(line.rate_type)


def rate_text(line: TariffLine) -> str:
    """A rate as a trader reads it: ``5%``, ``1.20 CNY/kg``, ``10% + 0.50 THB/kg``, ``free``."""
    percent = f"{(line.ad_valorem_percent or Decimal(0)).normalize():f}%"
    specific = ""
    if line.specific_amount is not None:
        specific = f"{line.specific_amount} {line.specific_currency} (minor units)/{line.unit}"
    match line.rate_type:
        case RateType.FREE:
            return _("free")
        case RateType.AD_VALOREM:
            return percent
        case RateType.SPECIFIC:
            return specific
        case RateType.COMPOUND:
            return f"{percent} + {specific}"
        case RateType.MIXED_MAX:
            return _("%(percent)s or %(specific)s, whichever is higher") % {
                "percent": percent,
                "specific": specific,
            }
    return _("excluded")


def _pick_line(lines: list[TariffLine], hs: str) -> TariffLine | None:
    """The line for ``hs``: an exact code; else the lines refining it when there is one or they all charge
    the same; else the longest line that ``hs`` refines (a six-digit line covers the national codes under
    it)."""
    exact = [line for line in lines if line.code == hs]
    if exact:
        return exact[0]
    broader = [line for line in lines if len(line.code) < len(hs) and hs.startswith(line.code)]
    lines = [line for line in lines if line.code.startswith(hs)]
    if not lines:
        return max(broader, key=lambda line: len(line.code), default=None)
    signature = {
        (line.rate_type, line.ad_valorem_percent, line.specific_amount, line.unit) for line in lines
    }
    if len(signature) == 1:
        return lines[0]
    codes = ", ".join(sorted({line.code for line in lines}))
    raise ValidationFailed.for_field(
        "hs_code",
        _(
            "Several national lines under %(hs)s charge different rates (%(codes)s): give the full code."
        )
        % {"hs": hs, "codes": codes},
    )


def _taxes(
    taxes: list[ImportTax], *, customs_value: int, duty: int, currency: str, on: date
) -> list[Component]:
    components: list[Component] = []
    excise_total = 0
    for tax in sorted(taxes, key=lambda row: row.kind != TaxKind.EXCISE):
        if tax.rate_percent is not None:
            base = customs_value
            if tax.kind == TaxKind.EXCISE or tax.base in (
                TaxBase.VALUE_PLUS_DUTY,
                TaxBase.VALUE_PLUS_DUTY_EXCISE,
            ):
                base += duty
            if tax.kind != TaxKind.EXCISE and tax.base == TaxBase.VALUE_PLUS_DUTY_EXCISE:
                base += excise_total
            amount = _percent_of(base, tax.rate_percent)
            major = Decimal(base).scaleb(-selectors.currency_minor_units().get(currency, 2))
            basis = _("%(rate)s%% of %(base)s") % {
                "rate": f"{tax.rate_percent.normalize():f}",
                "base": f"{major:,f} {currency}",
            }
        else:
            amount = _convert(tax.fixed_amount or 0, tax.currency or currency, currency, on)
            basis = _("fixed amount")
        if tax.kind == TaxKind.EXCISE:
            excise_total += amount
        components.append(
            Component(tax.kind, tax.name, amount, basis, tax.legal_source, tax.is_sample)
        )
    return components


@dataclass(frozen=True)
class ImporterCurrency:
    """The importing country's currency, in which the quote is made."""

    code: str
    minor_unit: int


def _validate(shipment: Shipment) -> ImporterCurrency:
    errors: list[FieldError] = []
    countries = selectors.country_currencies()
    for name in ("importer", "exporter"):
        if getattr(shipment, name) not in countries:
            errors.append(FieldError(name, _("Unknown country code.")))
    if shipment.currency not in selectors.currency_minor_units():
        errors.append(FieldError("currency", _("Unknown currency code.")))
    for name in ("fob_value", "freight", "insurance"):
        if getattr(shipment, name) < 0:
            errors.append(FieldError(name, _("Must not be negative.")))
    if shipment.fob_value == 0:
        errors.append(FieldError("fob_value", _("Must be greater than zero.")))
    if shipment.quantity is not None and shipment.quantity < 0:
        errors.append(FieldError("quantity", _("Must not be negative.")))
    if shipment.importer == shipment.exporter and shipment.importer:
        errors.append(FieldError("exporter", _("The exporter and the importer must differ.")))
    if not selectors.known_subheading(shipment.hs_code):
        errors.append(FieldError("hs_code", _("Not an HS 2022 subheading.")))
    for index, code in enumerate(shipment.agreements):
        if code != MFN and code not in agreements.AGREEMENTS:
            errors.append(FieldError(f"agreements[{index}]", _("Unknown agreement.")))
    if errors:
        raise ValidationFailed.for_fields(errors)
    currency = countries[shipment.importer]
    if currency is None:
        raise ValidationFailed.for_field("importer", _("The importing country has no currency."))
    return ImporterCurrency(currency, selectors.currency_minor_units()[currency])


def _agreements_for(shipment: Shipment) -> list[str]:
    if shipment.agreements:
        return [code for code in shipment.agreements if code != MFN]
    return sorted(
        code
        for code, agreement in agreements.AGREEMENTS.items()
        if shipment.importer in agreement.parties and shipment.exporter in agreement.parties
    )


def _origin(option: Option, shipment: Shipment, currency: str) -> None:
    rule = selectors.product_rule(
        agreement=option.agreement, hs6=shipment.hs_code[:6], on=shipment.on
    )
    general = agreements.AGREEMENTS[option.agreement].general_rule
    option.origin_rule = rule.rule if rule else general
    option.origin_rule_is_product_specific = rule is not None
    if shipment.materials is None:
        return
    result = origin.calculate_origin(
        origin.OriginInput(
            hs_code=shipment.hs_code[:6],
            fob_value=shipment.fob_value,
            currency=shipment.currency,
            agreement=option.agreement,
            exporter=shipment.exporter,
            importer=shipment.importer,
            materials=shipment.materials,
            product_rule=rule.rule if rule else None,
        )
    )
    option.origin_verdict = result.originating
    option.origin_worksheet = result.as_dict()
    if not result.originating:
        option.available = False
        option.reason = _("The bill of materials does not meet the rule of origin.")


def quote_landed_cost(shipment: Shipment) -> Quote:
    """Price a shipment under MFN and every agreement it may use (see the module's rules)."""
    currency = _validate(shipment)
    importer = shipment.importer
    regime = selectors.customs_regime(importer)
    basis = regime.valuation_basis if regime else ValuationBasis.CIF
    declared = shipment.fob_value
    if basis == ValuationBasis.CIF:
        declared += shipment.freight + shipment.insurance
    conversion = None
    customs_value = declared
    if shipment.currency != currency.code:
        converted = _conversion(declared, shipment.currency, currency.code, shipment.on)
        customs_value = converted.converted_minor
        conversion = conversion_out(converted)
    extra_transport = 0
    if basis == ValuationBasis.FOB:
        extra_transport = _convert(
            shipment.freight + shipment.insurance, shipment.currency, currency.code, shipment.on
        )
    lines_by_agreement: dict[str, list[TariffLine]] = {}
    for row in selectors.tariff_lines(importer=importer, hs=shipment.hs_code, on=shipment.on):
        lines_by_agreement.setdefault(row.schedule.agreement, []).append(row)
    taxes = selectors.import_taxes(country=importer, hs=shipment.hs_code, on=shipment.on)

    options: list[Option] = []
    for code in [MFN, *_agreements_for(shipment)]:
        option = Option(agreement=code, available=True)
        if code != MFN:
            agreement = agreements.AGREEMENTS[code]
            if (
                shipment.importer not in agreement.parties
                or shipment.exporter not in agreement.parties
            ):
                option.available = False
                option.reason = _("Both countries must be parties of the agreement.")
                options.append(option)
                continue
        line = _pick_line(lines_by_agreement.get(code, []), shipment.hs_code)
        if line is None:
            option.available = False
            option.reason = _("No line for this good in the importer's schedule.")
            options.append(option)
            continue
        option.line_code = line.code
        option.rate_text = rate_text(line)
        if line.rate_type == RateType.EXCLUDED:
            option.available = False
            option.reason = _("The good is excluded from this agreement's tariff commitments.")
            options.append(option)
            continue
        option.duty = duty_for(
            line, customs_value=customs_value, shipment=shipment, currency=currency.code
        )
        option.components.append(
            Component(
                "duty",
                _("Customs duty (%(agreement)s)") % {"agreement": code},
                option.duty,
                option.rate_text,
                line.schedule.legal_source,
                line.schedule.is_sample,
            )
        )
        tax_components = _taxes(
            taxes,
            customs_value=customs_value,
            duty=option.duty,
            currency=currency.code,
            on=shipment.on,
        )
        option.components.extend(tax_components)
        option.taxes = sum(component.amount for component in tax_components)
        option.landed_cost = customs_value + extra_transport + option.duty + option.taxes
        if code != MFN:
            _origin(option, shipment, currency.code)
        options.append(option)
    mfn = options[0]
    for option in options[1:]:
        if option.available and mfn.available:
            option.saving = mfn.landed_cost - option.landed_cost
    found_measures = [
        {
            "code": measure.measure_code,
            "chapter": measure.chapter,
            "hs_prefix": measure.hs_prefix,
            "title": measure.title,
            "documents": measure.documents,
            "agency": measure.agency,
            "is_sample": measure.is_sample,
        }
        for measure in selectors.measures(importer=importer, hs=shipment.hs_code, on=shipment.on)
    ]
    return Quote(
        shipment=shipment,
        currency=currency.code,
        minor_unit=currency.minor_unit,
        valuation_basis=str(basis),
        valuation_source=regime.legal_source if regime else _("default: CIF"),
        customs_value=customs_value,
        conversion=conversion,
        options=options,
        measures=found_measures,
    )
