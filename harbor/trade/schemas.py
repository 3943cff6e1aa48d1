"""Request and response schemas of the trade API."""

from __future__ import annotations

import datetime as dt
from datetime import date
from decimal import Decimal
from typing import Any

from ninja import Field, Schema


class HsRead(Schema):
    code: str
    display_code: str
    level: int
    description: str
    section: str
    section_title: str
    chapter: str
    chapter_title: str
    parent: str


class HsDetail(HsRead):
    ancestors: list[HsRead]
    children: list[HsRead]


class TariffLineRead(Schema):
    agreement: str
    code: str
    hs6: str
    description: str
    rate_type: str
    rate: str
    ad_valorem_percent: Decimal | None
    specific_amount: int | None = Field(
        None, description="minor units of specific_currency per unit"
    )
    specific_currency: str
    unit: str
    valid_from: date
    valid_to: date | None
    schedule: str
    legal_source: str
    source_url: str
    is_sample: bool


class TariffAnswer(Schema):
    importer: str
    hs: str
    date: dt.date
    lines: list[TariffLineRead]


class MeasureRead(Schema):
    importer: str
    hs_prefix: str
    measure_code: str
    chapter: str
    chapter_name: str
    title: dict[str, str]
    requirement: dict[str, str]
    original_language: str
    documents: list[Any]
    agency: str
    legal_basis: str
    valid_from: date
    valid_to: date | None
    is_sample: bool


class AgreementRead(Schema):
    code: str
    name: str
    parties: list[str]
    general_rule: str
    rvc_threshold: Decimal
    de_minimis_percent: Decimal
    cumulation: bool
    certificate: str
    legal_source: str


class ProductRuleRead(Schema):
    agreement: str
    hs: str
    rule: str
    product_specific: bool
    hs_prefix: str
    legal_source: str
    is_sample: bool


class MaterialIn(Schema):
    description: str = Field("", max_length=500)
    hs_code: str = Field(..., max_length=12)
    value: int = Field(..., description="CIF value in minor units of the shipment's currency")
    origin_country: str = Field("", max_length=2, description="ISO 3166 alpha-2; empty if unknown")
    originating: bool = Field(False, description="originating under the agreement (proof held)")
    weight: int | None = Field(None, description="grams")


class OriginRequest(Schema):
    hs_code: str = Field(..., max_length=12)
    fob_value: int = Field(..., description="minor units of currency")
    currency: str = Field(..., max_length=3)
    agreement: str = Field(..., max_length=20)
    exporter: str = Field(..., max_length=2)
    importer: str = Field(..., max_length=2)
    wholly_obtained: bool = False
    product_weight: int | None = Field(None, description="grams")
    processes: list[str] = Field(default_factory=list, max_length=50)
    materials: list[MaterialIn] = Field(default_factory=list, max_length=500)
    date: dt.date | None = None


class LandedCostRequest(Schema):
    hs_code: str = Field(..., max_length=12)
    importer: str = Field(..., max_length=2)
    exporter: str = Field(..., max_length=2)
    currency: str = Field(..., max_length=3, description="currency of the values below")
    fob_value: int = Field(..., description="minor units of currency")
    freight: int = 0
    insurance: int = 0
    quantity: Decimal | None = Field(
        None, description="in the unit of specific duties (kg, l, u …)"
    )
    date: dt.date | None = None
    agreements: list[str] = Field(default_factory=list, max_length=10)
    materials: list[MaterialIn] | None = Field(
        None, max_length=500, description="bill of materials: run the origin test per agreement"
    )


class ComponentRead(Schema):
    kind: str
    name: str
    amount: int
    basis: str
    legal_source: str
    is_sample: bool


class OptionRead(Schema):
    agreement: str
    available: bool
    reason: str
    line_code: str
    rate_text: str
    components: list[ComponentRead]
    duty: int
    taxes: int
    landed_cost: int
    saving: int
    origin_rule: str
    origin_rule_is_product_specific: bool
    origin_verdict: bool | None
    origin_worksheet: dict[str, Any] | None


class LandedCostRead(Schema):
    currency: str
    minor_unit: int
    valuation_basis: str
    valuation_source: str
    customs_value: int
    conversion: dict[str, Any] | None
    best: str | None
    options: list[OptionRead]
    measures: list[dict[str, Any]]


class ImportStarted(Schema):
    job_id: int
    status: str
    url: str
