"""Exchange-rate API: rates, conversions and sources; public reads.

Every figure carries its sources (with their attribution text) and the date of the observations behind it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from harbor.core.api import Problem, anyone
from harbor.fx import selectors
from harbor.fx.models import RateSource
from harbor.fx.schemas import ConversionRead, RateRead, SourceListItem
from harbor.fx.selectors import Conversion, Rate, decimal_text

router = Router(tags=["fx"])


def source_out(source: RateSource) -> dict[str, Any]:
    return {
        "code": source.code,
        "name": source.name,
        "url": source.url,
        "licence": source.licence,
        "attribution": source.attribution,
        "frequency": source.frequency,
        "max_age_days": source.max_age_days,
        "priority": source.priority,
    }


def rate_out(rate: Rate) -> dict[str, Any]:
    return {
        "base": rate.base,
        "quote": rate.quote,
        "requested_date": rate.requested_on,
        "observed_date": rate.observed_on,
        "rate": decimal_text(rate.value),
        "path": rate.path.value,
        "via": rate.via,
        "path_label": rate.path_label,
        "legs": [
            {
                "base": leg.base,
                "quote": leg.quote,
                "rate": decimal_text(leg.value),
                "stored_rate": decimal_text(leg.stored_rate),
                "inverted": leg.inverted,
                "observed_date": leg.observed_on,
                "source": leg.source.code,
            }
            for leg in rate.legs
        ],
        "sources": [source_out(source) for source in rate.sources],
    }


def conversion_out(conversion: Conversion) -> dict[str, Any]:
    return {
        "base": conversion.base,
        "quote": conversion.quote,
        "amount": conversion.amount_minor,
        "converted": conversion.converted_minor,
        "amount_decimal": conversion.amount_text,
        "converted_decimal": conversion.converted_text,
        "base_minor_unit": conversion.base_minor_unit,
        "quote_minor_unit": conversion.quote_minor_unit,
        "rate": rate_out(conversion.rate),
    }


@router.get(
    "/rates",
    response={200: RateRead, 404: Problem, 422: Problem},
    auth=anyone,
    operation_id="get_fx_rate",
)
def get_rate(request: HttpRequest, base: str, quote: str, date: dt.date | None = None) -> object:
    """Quote units per base unit on ``date`` (default today): the latest observation on or before it.

    Direct, inverse, or cross via EUR and/or USD; ECB daily rates first, then Federal Reserve H.10 monthly
    averages, then operator rates. 404 when no observation is recent enough, 422 for an unknown currency.
    """
    on = date or timezone.localdate()
    return rate_out(selectors.get_rate(base, quote, on=on))


@router.get(
    "/convert",
    response={200: ConversionRead, 404: Problem, 422: Problem},
    auth=anyone,
    operation_id="convert_fx_amount",
)
def convert(
    request: HttpRequest, amount: int, base: str, quote: str, date: dt.date | None = None
) -> object:
    """Convert ``amount`` minor units of ``base`` into ``quote`` minor units, rounded half to even."""
    on = date or timezone.localdate()
    return conversion_out(selectors.convert(amount, base, quote, on=on))


@router.get(
    "/sources",
    response={200: list[SourceListItem]},
    auth=anyone,
    operation_id="list_fx_sources",
)
def list_sources(request: HttpRequest) -> object:
    """The rate sources, their licence and attribution, and the span of the rates each holds."""
    return [
        {
            **source_out(source),
            "rate_count": source.rate_count,  # type: ignore[attr-defined]
            "first_date": source.first_date,  # type: ignore[attr-defined]
            "latest_date": source.latest_date,  # type: ignore[attr-defined]
        }
        for source in selectors.list_sources()
    ]
