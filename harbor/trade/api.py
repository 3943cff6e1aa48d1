"""Trade rules API: HS nomenclature, tariffs, rules of origin, the origin calculator, the Form E
pre-check, landed cost and non-tariff measures. Everything here is public to read and to compute."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated, Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Body, File, Form, Router
from ninja.files import UploadedFile

from harbor.core.api import Problem, actor_of, signed_in
from harbor.core.errors import ValidationFailed
from harbor.trade import agreements, form_e, selectors, services
from harbor.trade.choices import NtmChapter
from harbor.trade.importers import TariffOptions
from harbor.trade.inputs import origin_input_from, shipment_from
from harbor.trade.landed_cost import quote_landed_cost, rate_text
from harbor.trade.models import NonTariffMeasure, TariffLine
from harbor.trade.origin import calculate_origin
from harbor.trade.schemas import (
    AgreementRead,
    HsDetail,
    HsRead,
    ImportStarted,
    LandedCostRead,
    LandedCostRequest,
    MeasureRead,
    OriginRequest,
    ProductRuleRead,
    TariffAnswer,
)

router = Router(tags=["trade"])
FormEBody = Annotated[dict[str, Any], Body(...)]
ERRORS = {400: Problem, 404: Problem, 422: Problem}
WRITE_ERRORS = {**ERRORS, 401: Problem, 403: Problem}


def _language() -> str:
    return get_language() or "en"


def _hs(entry: selectors.HsEntry) -> dict[str, Any]:
    data = asdict(entry)
    data.pop("children")
    data.pop("ancestors")
    data["display_code"] = entry.display_code
    return data


def line_out(line: TariffLine) -> dict[str, Any]:
    schedule = line.schedule
    return {
        "agreement": schedule.agreement,
        "code": line.code,
        "hs6": line.hs6,
        "description": line.description,
        "rate_type": line.rate_type,
        "rate": rate_text(line),
        "ad_valorem_percent": line.ad_valorem_percent,
        "specific_amount": line.specific_amount,
        "specific_currency": line.specific_currency,
        "unit": line.unit,
        "valid_from": line.valid_from,
        "valid_to": line.valid_to,
        "schedule": schedule.title,
        "legal_source": schedule.legal_source,
        "source_url": schedule.source_url,
        "is_sample": schedule.is_sample,
    }


def measure_out(measure: NonTariffMeasure) -> dict[str, Any]:
    return {
        "importer": measure.importer_id,
        "hs_prefix": measure.hs_prefix,
        "measure_code": measure.measure_code,
        "chapter": measure.chapter,
        "chapter_name": str(NtmChapter(measure.chapter).label),
        "title": measure.title,
        "requirement": measure.requirement,
        "original_language": measure.original_language,
        "documents": measure.documents,
        "agency": measure.agency,
        "legal_basis": measure.legal_basis,
        "valid_from": measure.valid_from,
        "valid_to": measure.valid_to,
        "is_sample": measure.is_sample,
    }


@router.get("/hs", response={200: list[HsRead], **ERRORS}, operation_id="search_hs")
def search_hs(request: HttpRequest, q: str, limit: int = 50) -> object:
    """HS 2022 entries by code prefix (``9403``, ``9403.60``) or by words of their description or of the
    chapter title in the reader's language."""
    return [_hs(entry) for entry in selectors.search_hs(q, language=_language(), limit=limit)]


@router.get("/hs/{code}", response={200: HsDetail, **ERRORS}, operation_id="get_hs")
def get_hs(request: HttpRequest, code: str) -> object:
    """One HS entry with its chapter and heading above it and its subdivisions below."""
    entry = selectors.get_hs(code, language=_language())
    data = _hs(entry)
    data["ancestors"] = [_hs(parent) for parent in entry.ancestors]
    data["children"] = [_hs(child) for child in entry.children]
    return data


@router.get("/tariffs", response={200: TariffAnswer, **ERRORS}, operation_id="list_tariffs")
def list_tariffs(
    request: HttpRequest, importer: str, hs: str, date: date | None = None, agreement: str = ""
) -> object:
    """Tariff lines in force on ``date`` (default today) in the importer's schedules, per agreement, with
    each schedule's legal source; sample schedules say so in ``is_sample``."""
    on = date or timezone.localdate()
    country = selectors.importer_country(importer)
    digits = selectors.normalise_hs(hs)
    lines = selectors.tariff_lines(importer=country, hs=digits, on=on, agreement=agreement.upper())
    return {"importer": country, "hs": digits, "date": on, "lines": [line_out(x) for x in lines]}


@router.get("/measures", response={200: list[MeasureRead], **ERRORS}, operation_id="list_measures")
def list_measures(request: HttpRequest, importer: str, hs: str, date: date | None = None) -> object:
    """Non-tariff measures (UNCTAD classification) the importer applies to the good."""
    country = selectors.importer_country(importer)
    digits = selectors.normalise_hs(hs)
    found = selectors.measures(importer=country, hs=digits, on=date or timezone.localdate())
    return [measure_out(measure) for measure in found]


@router.get("/agreements", response=list[AgreementRead], operation_id="list_agreements")
def list_agreements(request: HttpRequest) -> object:
    """The preferential agreements the harbor knows, with their general rule of origin."""
    return [
        {**asdict(agreement), "parties": sorted(agreement.parties)}
        for agreement in agreements.AGREEMENTS.values()
    ]


@router.get("/rules", response={200: ProductRuleRead, **ERRORS}, operation_id="get_origin_rule")
def get_origin_rule(
    request: HttpRequest, agreement: str, hs: str, date: date | None = None
) -> object:
    """The rule of origin a good must meet under an agreement: its product-specific rule, else the
    agreement's general rule."""
    found = agreements.get_agreement_or_raise(agreement.upper())
    digits = selectors.normalise_hs(hs)
    rule = selectors.product_rule(
        agreement=found.code, hs6=digits[:6], on=date or timezone.localdate()
    )
    return {
        "agreement": found.code,
        "hs": digits,
        "rule": rule.rule if rule else found.general_rule,
        "product_specific": rule is not None,
        "hs_prefix": rule.hs_prefix if rule else "",
        "legal_source": rule.legal_source if rule else found.legal_source,
        "is_sample": rule.is_sample if rule else False,
    }


@router.post("/origin", response={200: dict[str, Any], **ERRORS}, operation_id="calculate_origin")
def post_origin(request: HttpRequest, payload: OriginRequest) -> object:
    """Bill of materials → origin verdict per criterion with its worksheet, and Form E boxes 8 and 9."""
    return calculate_origin(origin_input_from(payload)).as_dict()


@router.post("/form-e/check", response={200: dict[str, Any], **ERRORS}, operation_id="check_form_e")
def post_form_e_check(request: HttpRequest, payload: FormEBody) -> object:
    """Certificate, commercial invoice and bill of lading → the common Form E rejection causes, each with
    its stable code, severity and the fields it concerns."""
    return form_e.check_form_e_input(form_e.form_e_from_dict(payload)).as_dict()


@router.post(
    "/landed-cost", response={200: LandedCostRead, **ERRORS}, operation_id="quote_landed_cost"
)
def post_landed_cost(request: HttpRequest, payload: LandedCostRequest) -> object:
    """Duty, taxes and fees at the importer's border under MFN and every agreement, side by side."""
    quote = quote_landed_cost(shipment_from(payload))
    best = quote.best()
    return {
        "currency": quote.currency,
        "minor_unit": quote.minor_unit,
        "valuation_basis": quote.valuation_basis,
        "valuation_source": quote.valuation_source,
        "customs_value": quote.customs_value,
        "conversion": quote.conversion,
        "best": best.agreement if best else None,
        "options": [asdict(option) for option in quote.options],
        "measures": quote.measures,
    }


@router.post(
    "/imports",
    response={202: ImportStarted, **WRITE_ERRORS},
    auth=signed_in,
    operation_id="import_trade_data",
)
def import_trade_data(
    request: HttpRequest,
    file: UploadedFile = File(...),  # noqa: B008
    kind: str = Form("tariffs"),
    format: str = Form("harbor"),
    agreement: str = Form(""),
    importer: str = Form(""),
    sample: bool = Form(False),
    legal_source: str = Form(""),
    source_url: str = Form(""),
) -> object:
    """Import a CSV file of tariffs (harbor or WITS layout), rules, measures, taxes or regimes as a job,
    all or nothing, with a report per row; follow it at ``/api/v1/jobs/{job_id}``. Platform staff and
    government agencies of the countries concerned only; see the layouts in ``docs/tariff-import.md``."""
    limit = settings.HARBOR_MAX_ATTACHMENT_BYTES
    if (file.size or 0) > limit:
        raise ValidationFailed.for_field(
            "file", _("The file is larger than %(limit)d bytes.") % {"limit": limit}
        )
    options = TariffOptions(
        file_format=format,
        agreement=agreement.upper(),
        importer=importer.upper(),
        sample=sample,
        legal_source=legal_source,
        source_url=source_url,
    )
    job = services.start_trade_import(
        actor=actor_of(request),
        kind=kind,
        filename=file.name or "",
        content=file.read(),
        options=options,
    )
    return 202, {"job_id": job.pk, "status": job.status, "url": f"/api/v1/jobs/{job.pk}"}
