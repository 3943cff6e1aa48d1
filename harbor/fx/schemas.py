"""Schemas of the exchange-rate API."""

from __future__ import annotations

from datetime import date

from ninja import Field, Schema


class SourceRead(Schema):
    code: str = Field(..., examples=["ecb"])
    name: str
    url: str
    licence: str
    attribution: str = Field(..., description="text to show beside every figure from this source")
    frequency: str = Field(..., examples=["daily"])
    max_age_days: int = Field(
        ..., description="how many days an observation still answers for later dates"
    )
    priority: int = Field(..., description="lower answers first when several sources could")


class SourceListItem(SourceRead):
    rate_count: int
    first_date: date | None
    latest_date: date | None


class LegRead(Schema):
    base: str
    quote: str
    rate: str = Field(..., description="quote units per base unit, 12 significant digits")
    stored_rate: str = Field(..., description="the value as published, in the published direction")
    inverted: bool = Field(..., description="the published rate was used upside down")
    observed_date: date
    source: str


class RateRead(Schema):
    base: str
    quote: str
    requested_date: date
    observed_date: date = Field(..., description="the oldest observation used")
    rate: str = Field(
        ..., description="quote units per base unit as a decimal, 12 significant digits"
    )
    path: str = Field(..., examples=["cross"], description="identity, direct, inverse or cross")
    via: list[str] = Field(..., description="currencies a cross rate passes through, in order")
    path_label: str = Field(..., examples=["cross via EUR"])
    legs: list[LegRead]
    sources: list[SourceRead]


class ConversionRead(Schema):
    base: str
    quote: str
    amount: int = Field(..., description="the amount given, in minor units of the base")
    converted: int = Field(..., description="in minor units of the quote, rounded half to even")
    amount_decimal: str = Field(..., examples=["1050.00"])
    converted_decimal: str = Field(..., examples=["27313425"])
    base_minor_unit: int
    quote_minor_unit: int
    rate: RateRead
