"""Turn API and form input into the calculators' inputs, checking what needs the database: that HS codes
exist in HS 2022 and currencies in ISO 4217, and which product-specific rule applies."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from harbor.core.errors import FieldError, ValidationFailed
from harbor.trade import agreements, selectors
from harbor.trade.landed_cost import Shipment
from harbor.trade.origin import Material, OriginInput


def _field(payload: Any, name: str, default: Any = None) -> Any:
    if isinstance(payload, dict):
        return payload.get(name, default)
    return getattr(payload, name, default)


def _material(item: Any) -> Material:
    return Material(
        description=_field(item, "description", "") or "",
        hs_code=(_field(item, "hs_code", "") or "").replace(".", "").strip(),
        value=_field(item, "value", 0),
        origin_country=(_field(item, "origin_country", "") or "").upper(),
        originating=bool(_field(item, "originating", False)),
        weight=_field(item, "weight"),
    )


def materials_from(items: Iterable[Any] | None) -> tuple[Material, ...]:
    return tuple(_material(item) for item in items or ())


def check_known_codes(*, hs_code: str, materials: tuple[Material, ...], currency: str) -> None:
    """Refuse HS codes that are not HS 2022 subheadings and unknown currencies, naming each field."""
    errors: list[FieldError] = []
    message = _("Not an HS 2022 subheading.")
    if len(hs_code) == 6 and hs_code.isdigit() and not selectors.known_subheading(hs_code):
        errors.append(FieldError("hs_code", message))
    for index, material in enumerate(materials):
        code = material.hs_code
        if len(code) == 6 and code.isdigit() and not selectors.known_subheading(code):
            errors.append(FieldError(f"materials[{index}].hs_code", message))
    if len(currency) == 3 and currency not in selectors.currency_minor_units():
        errors.append(FieldError("currency", _("Unknown currency code.")))
    if errors:
        raise ValidationFailed.for_fields(errors)


def origin_input_from(payload: Any) -> OriginInput:
    """An origin question with the product-specific rule in force on its date (today by default)."""
    hs_code = (_field(payload, "hs_code", "") or "").replace(".", "").strip()
    currency = (_field(payload, "currency", "") or "").upper()
    agreement = (_field(payload, "agreement", "") or "").upper()
    materials = materials_from(_field(payload, "materials"))
    check_known_codes(hs_code=hs_code, materials=materials, currency=currency)
    on: date = _field(payload, "date") or timezone.localdate()
    rule = None
    if agreement in agreements.AGREEMENTS and len(hs_code) == 6:
        found = selectors.product_rule(agreement=agreement, hs6=hs_code, on=on)
        rule = found.rule if found else None
    return OriginInput(
        hs_code=hs_code,
        fob_value=_field(payload, "fob_value", 0),
        currency=currency,
        agreement=agreement,
        exporter=(_field(payload, "exporter", "") or "").upper(),
        importer=(_field(payload, "importer", "") or "").upper(),
        materials=materials,
        wholly_obtained=bool(_field(payload, "wholly_obtained", False)),
        processes=tuple(_field(payload, "processes", ()) or ()),
        product_rule=rule,
        product_weight=_field(payload, "product_weight"),
    )


def shipment_from(payload: Any) -> Shipment:
    """A landed-cost question; the HS code may be a national line of up to ten digits."""
    hs_code = selectors.normalise_hs(_field(payload, "hs_code", "") or "", field_name="hs_code")
    items = _field(payload, "materials")
    currency = (_field(payload, "currency", "") or "").upper()
    materials = None if items is None else materials_from(items)
    check_known_codes(hs_code=hs_code[:6], materials=materials or (), currency=currency)
    return Shipment(
        hs_code=hs_code,
        importer=(_field(payload, "importer", "") or "").upper(),
        exporter=(_field(payload, "exporter", "") or "").upper(),
        currency=currency,
        fob_value=_field(payload, "fob_value", 0),
        freight=_field(payload, "freight", 0) or 0,
        insurance=_field(payload, "insurance", 0) or 0,
        quantity=_field(payload, "quantity"),
        on=_field(payload, "date") or timezone.localdate(),
        agreements=tuple(code.upper() for code in _field(payload, "agreements", ()) or ()),
        materials=materials,
    )
