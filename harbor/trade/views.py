"""Pages of the trade service: the HS browser, tariff lookup, the origin calculator with its printable and
JSON worksheets, landed cost and the Form E pre-check.

Trade rules are public: every page works for anonymous readers. The pages parse forms and call the same
selectors and calculators as the API; a calculator's field errors are shown next to the fields they name,
with status 422, and never as a server error.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from babel import Locale
from babel.numbers import get_currency_symbol, parse_pattern
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from harbor.core.errors import FieldError, HarborError
from harbor.core.pages import is_htmx, place_service_errors, render_error
from harbor.reference.catalogue import babel_locale
from harbor.reference.models import Currency, HsCode
from harbor.reference.selectors import list_countries
from harbor.trade import agreements, form_e, selectors
from harbor.trade.choices import NtmChapter, RateType
from harbor.trade.forms import (
    MATERIALS_PREFIX,
    MAX_MATERIALS,
    BaseMaterialFormSet,
    FormEForm,
    HsSearchForm,
    LandedCostForm,
    OriginForm,
    TariffLookupForm,
    form_e_forms,
    form_e_payload,
    material_form,
    material_formset,
    origin_payload,
)
from harbor.trade.hs_titles import chapter_title, section_title
from harbor.trade.inputs import origin_input_from, shipment_from
from harbor.trade.landed_cost import Quote, quote_landed_cost
from harbor.trade.models import NonTariffMeasure, TariffLine
from harbor.trade.origin import calculate_origin


def reader_language() -> str:
    return (get_language() or settings.LANGUAGE_CODE).lower()


def format_money(amount: int, currency: str, minor_unit: int) -> str:
    """An amount in minor units written for the reader's locale (CLDR) with exactly the currency's ISO
    4217 decimals: CLDR's own currency digits differ from ISO for some currencies (LAK, MMK)."""
    locale = Locale.parse(babel_locale(reader_language()))
    pattern = parse_pattern(locale.currency_formats["standard"].pattern)
    pattern.frac_prec = (minor_unit, minor_unit)
    value = Decimal(amount).scaleb(-minor_unit)
    text = pattern.apply(value, locale, currency=currency, currency_digits=False)
    return _currency_spacing(text, get_currency_symbol(currency, locale))


def _currency_spacing(text: str, symbol: str) -> str:
    """CLDR's currency spacing, which Babel leaves out: a symbol that is not a sign (``THB``, not ``$``)
    is set off from the digits by a no-break space (``THB 1,234.50``)."""
    start = text.find(symbol)
    if start < 0 or not symbol:
        return text
    end = start + len(symbol)
    if end < len(text) and text[end].isdigit() and unicodedata.category(symbol[-1])[0] != "S":
        text = f"{text[:end]}\u00a0{text[end:]}"
    if start > 0 and text[start - 1].isdigit() and unicodedata.category(symbol[0])[0] != "S":
        text = f"{text[:start]}\u00a0{text[start:]}"
    return text


def _minor_units() -> dict[str, int]:
    return dict(Currency.objects.values_list("code", "minor_unit"))


def _today() -> date:
    return timezone.localdate()


def _in_language(texts: dict[str, str], original: str) -> tuple[str, str]:
    """A language map's text in the reader's language, else in ``original``, else any: (language, text)."""
    by_language = {str(key).lower(): (str(key), str(text)) for key, text in texts.items() if text}
    for wanted in (reader_language(), original.lower(), "en"):
        if wanted in by_language:
            return by_language[wanted]
    return next(iter(by_language.values()), (original, ""))


# --- home -----------------------------------------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """What the trade service offers, and where its figures come from."""
    return render(
        request,
        "trade/home.html",
        {"agreements": list(agreements.AGREEMENTS.values())},
    )


# --- HS nomenclature ------------------------------------------------------------------------------------


@dataclass
class Section:
    code: str
    title: str
    chapters: list[tuple[str, str]] = field(default_factory=list)


def _sections(language: str) -> list[Section]:
    """The 21 sections of HS 2022 with their chapters, titles in the reader's language."""
    sections: dict[str, Section] = {}
    for code, section in (
        HsCode.objects.filter(level=2).order_by("code").values_list("code", "section")
    ):
        if section not in sections:
            sections[section] = Section(section, section_title(section, language))
        sections[section].chapters.append((code, chapter_title(code, language)))
    return list(sections.values())


@require_GET
@vary_on_headers("HX-Request")
def hs_browser(request: HttpRequest) -> HttpResponse:
    """Search HS 2022 by code or words as one types, or browse sections and chapters."""
    form = HsSearchForm(request.GET)
    language = reader_language()
    results = None
    status = 200
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        if query:
            try:
                results = selectors.search_hs(query, language=language)
            except HarborError as error:
                place_service_errors(form, error)
                status = error.http_status
    else:
        status = 422
    context: dict[str, Any] = {"form": form, "results": results}
    if is_htmx(request):
        return render(request, "trade/partials/_hs_results.html", context, status=status)
    context["sections"] = _sections(language)
    return render(request, "trade/hs_browser.html", context, status=status)


@dataclass
class LineRow:
    """A tariff line as the tables show it."""

    importer: str
    importer_name: str
    agreement: str
    code: str
    description: str
    rate: str
    valid_from: date
    valid_to: date | None
    legal_source: str
    source_url: str
    is_sample: bool


def _percent(value: Decimal | None) -> str:
    return f"{(value or Decimal(0)).normalize():f} %"


def rate_display(line: TariffLine, minor_units: dict[str, int]) -> str:
    """A duty as a trader reads it: ``5 %``, ``CNY 1.20 / kg``, ``10 % + THB 0.50 / kg``, ``free``."""
    percent = _percent(line.ad_valorem_percent)
    specific = ""
    if line.specific_amount is not None:
        currency = line.specific_currency
        amount = format_money(line.specific_amount, currency, minor_units.get(currency, 2))
        specific = f"{amount} / {line.unit}" if line.unit else amount
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


def _line_rows(lines: list[TariffLine], names: dict[str, str]) -> list[LineRow]:
    minor_units = _minor_units()
    return [
        LineRow(
            importer=line.schedule.importer_id,
            importer_name=names.get(line.schedule.importer_id, line.schedule.importer_id),
            agreement=line.schedule.agreement,
            code=line.code,
            description=line.description,
            rate=rate_display(line, minor_units),
            valid_from=line.valid_from,
            valid_to=line.valid_to,
            legal_source=line.schedule.legal_source,
            source_url=line.schedule.source_url,
            is_sample=line.schedule.is_sample,
        )
        for line in lines
    ]


@dataclass
class MeasureRow:
    """A non-tariff measure with its texts in the reader's language or, said so, in the original."""

    importer: str
    importer_name: str
    hs_prefix: str
    code: str
    chapter: str
    chapter_name: str
    title: tuple[str, str]
    requirement: tuple[str, str]
    documents: list[str]
    agency: str
    legal_basis: str
    is_sample: bool

    @property
    def requirement_translated(self) -> bool:
        return self.requirement[0].lower() == reader_language()


def _measure_row(measure: NonTariffMeasure, names: dict[str, str]) -> MeasureRow:
    chapter = str(NtmChapter(measure.chapter).label) if measure.chapter in NtmChapter.values else ""
    return MeasureRow(
        importer=measure.importer_id,
        importer_name=names.get(measure.importer_id, measure.importer_id),
        hs_prefix=measure.hs_prefix,
        code=measure.measure_code,
        chapter=measure.chapter,
        chapter_name=chapter,
        title=_in_language(measure.title, measure.original_language),
        requirement=_in_language(measure.requirement, measure.original_language),
        documents=[str(item) for item in measure.documents],
        agency=measure.agency,
        legal_basis=measure.legal_basis,
        is_sample=measure.is_sample,
    )


@dataclass
class RuleRow:
    agreement: str
    name: str
    rule: str
    product_specific: bool
    hs_prefix: str
    legal_source: str
    is_sample: bool


def origin_rules(hs6: str, on: date) -> list[RuleRow]:
    """The rule of origin per agreement: the product-specific rule, else the agreement's general rule."""
    rows = []
    for agreement in agreements.AGREEMENTS.values():
        rule = selectors.product_rule(agreement=agreement.code, hs6=hs6, on=on)
        rows.append(
            RuleRow(
                agreement=agreement.code,
                name=agreement.name,
                rule=rule.rule if rule else agreement.general_rule,
                product_specific=rule is not None,
                hs_prefix=rule.hs_prefix if rule else "",
                legal_source=rule.legal_source if rule else agreement.legal_source,
                is_sample=rule.is_sample if rule else False,
            )
        )
    return rows


def _member_names() -> dict[str, str]:
    return {country.code: country.name for country in list_countries(members_only=True)}


@require_GET
def hs_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One HS entry with its place in the nomenclature; for a subheading, the tariff lines of every
    member state in force today, its rules of origin and the non-tariff measures that apply."""
    try:
        entry = selectors.get_hs(code, language=reader_language())
    except HarborError as error:
        return render_error(request, error)
    if entry.code != code:
        return redirect("trade:hs_detail", code=entry.code)
    context: dict[str, Any] = {"entry": entry, "today": _today()}
    if entry.level == 6:
        today = _today()
        names = _member_names()
        lines: list[TariffLine] = []
        found_measures: list[MeasureRow] = []
        for importer in sorted(names, key=lambda code: names[code].casefold()):
            lines.extend(selectors.tariff_lines(importer=importer, hs=entry.code, on=today))
            found_measures.extend(
                _measure_row(measure, names)
                for measure in selectors.measures(importer=importer, hs=entry.code, on=today)
            )
        context.update(
            lines=_line_rows(lines, names),
            rules=origin_rules(entry.code, today),
            measures=found_measures,
        )
    return render(request, "trade/hs_detail.html", context)


# --- tariffs --------------------------------------------------------------------------------------------


@require_GET
@vary_on_headers("HX-Request")
def tariffs(request: HttpRequest) -> HttpResponse:
    """The tariff lines an importer applies to a code on a day, per agreement, with their sources."""
    form = TariffLookupForm(request.GET or None)
    context: dict[str, Any] = {"form": form}
    status = 200
    if form.is_bound:
        status = 422
        if form.is_valid():
            on = form.cleaned_data["date"] or _today()
            try:
                importer = selectors.importer_country(form.cleaned_data["importer"])
                hs = selectors.normalise_hs(form.cleaned_data["hs"], field_name="hs")
            except HarborError as error:
                place_service_errors(form, error)
                status = error.http_status
            else:
                names = _member_names()
                lines = list(selectors.tariff_lines(importer=importer, hs=hs, on=on))
                context.update(
                    lines=_line_rows(lines, names),
                    importer_name=names.get(importer, importer),
                    hs=hs,
                    on=on,
                    searched=True,
                )
                status = 200
    template = "trade/partials/_tariff_app.html" if is_htmx(request) else "trade/tariffs.html"
    return render(request, template, context, status=status)


# --- the origin calculator ------------------------------------------------------------------------------

MATERIAL_FIELDS = ("description", "hs_code", "value", "origin_country", "originating", "weight")
_MATERIAL_PATH = re.compile(r"^materials[\[.](\d+)\]?\.?(\w*)$")


@dataclass
class OriginPage:
    """The calculator's state: the forms, the errors about the whole bill, what was asked and the result."""

    form: OriginForm
    formset: BaseMaterialFormSet
    materials_errors: list[str] = field(default_factory=list)
    payload: dict[str, Any] | None = None
    result: dict[str, Any] | None = None
    status: int = 200


def _place_origin_errors(page: OriginPage, error: HarborError, rows: list[int]) -> None:
    """Put the calculator's errors next to their fields: ``materials[2].value`` on the row of the third
    material sent, ``materials`` above the bill of materials, the good's fields on the form."""
    others: list[FieldError] = []
    for field_error in error.errors:
        message = str(field_error.message)
        found = _MATERIAL_PATH.match(field_error.field)
        if found and found.group(2) in MATERIAL_FIELDS and int(found.group(1)) < len(rows):
            page.formset.forms[rows[int(found.group(1))]].add_error(found.group(2), message)
        elif field_error.field == "materials" or found:
            if message not in page.materials_errors:
                page.materials_errors.append(message)
        else:
            others.append(field_error)
    if others or not error.errors:
        place_service_errors(
            page.form, HarborError(error.code, error.detail, status=error.status, errors=others)
        )


def _calculate(request: HttpRequest) -> OriginPage:
    """Parse the posted calculator and run it; the page carries the errors or the result."""
    page = OriginPage(OriginForm(request.POST), material_formset(_rows(request.POST)), status=422)
    if not page.formset.management_form.is_valid():
        page.form.is_valid()
        page.materials_errors.append(_("The bill of materials was not sent whole; try again."))
        return page
    form_valid, formset_valid = page.form.is_valid(), page.formset.is_valid()
    page.materials_errors.extend(str(error) for error in page.formset.non_form_errors())
    if not (form_valid and formset_valid):
        return page
    parsed = origin_payload(page.form, page.formset)
    if parsed is None:
        return page
    page.payload, rows = parsed
    try:
        result = calculate_origin(origin_input_from(page.payload))
    except HarborError as error:
        _place_origin_errors(page, error, rows)
        page.status = error.http_status
        return page
    page.result = result.as_dict()
    page.status = 200
    return page


def _worksheet(result: dict[str, Any], money: Callable[[int], str]) -> dict[str, Any]:
    """The result with its money written for the reader and its materials numbered from 1."""
    rvc = result["rvc"]

    def noted(notes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {**note, "number": note["material"] + 1, "amount": money(note["value"])}
            for note in notes
        ]

    return {
        **result,
        "money": {
            "fob_value": money(rvc["fob_value"]),
            "vnm": money(rvc["vnm"]),
            "originating_value": money(rvc["originating_value"]),
            "box9": money(result["certificate"]["fob_value"]),
        },
        "shifts": [
            {
                **shift,
                "lines": [{**line, "number": line["material"] + 1} for line in shift["lines"]],
                "failing_value": money(shift["de_minimis"]["failing_value"]),
                # Rounded down: a failing value shown equal to the limit is never over it.
                "value_limit": money(
                    int(Decimal(shift["de_minimis"]["value_limit"]).to_integral_value(ROUND_FLOOR))
                ),
            }
            for shift in result["tariff_shifts"]
        ],
        "cumulated": noted(result["cumulation"]["cumulated"]),
        "refused": noted(result["cumulation"]["refused"]),
    }


def _money_in(currency: str) -> Callable[[int], str]:
    minor_unit = _minor_units().get(currency, 2)
    return lambda amount: format_money(amount, currency, minor_unit)


def _origin_context(page: OriginPage) -> dict[str, Any]:
    context: dict[str, Any] = {
        "form": page.form,
        "formset": page.formset,
        "materials_errors": page.materials_errors,
        "result": None,
        "next_index": page.formset.total_form_count(),
        "max_materials": MAX_MATERIALS,
        "materials_prefix": MATERIALS_PREFIX,
    }
    if page.result is not None and page.payload is not None:
        money = _money_in(page.payload["currency"])
        context["result"] = _worksheet(page.result, money)
        names = {country.code: country.name for country in list_countries()}
        context["good"] = {
            **page.payload,
            "exporter": names.get(page.payload["exporter"], page.payload["exporter"]),
            "importer": names.get(page.payload["importer"], page.payload["importer"]),
            "fob_value": money(page.payload["fob_value"]),
            "materials": [
                {
                    **material,
                    "value": money(material["value"]),
                    "origin_country": names.get(
                        material["origin_country"], material["origin_country"]
                    ),
                }
                for material in page.payload["materials"]
            ],
        }
    return context


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def origin(request: HttpRequest) -> HttpResponse:
    """The origin calculator: the good, its bill of materials, and the verdict with its worksheet."""
    if request.method == "GET":
        initial = {"agreement": "ACFTA", "hs_code": request.GET.get("hs_code", "")[:14]}
        page = OriginPage(OriginForm(initial=initial), material_formset(rows=2))
    elif "add_material" in request.POST or "remove_material" in request.POST:
        page = OriginPage(OriginForm(request.POST), _rows_changed(request))
    else:
        page = _calculate(request)
    template = "trade/partials/_origin_app.html" if is_htmx(request) else "trade/origin.html"
    return render(request, template, _origin_context(page), status=page.status)


def _rows(data: QueryDict) -> QueryDict:
    """The posted bill of materials renumbered without gaps: a row removed in the browser sends
    nothing at all, and the rows after it move up, so the page shows them as they are numbered."""
    total_key = f"{MATERIALS_PREFIX}-TOTAL_FORMS"
    try:
        total = min(max(int(data.get(total_key, "")), 0), MAX_MATERIALS)
    except ValueError:
        return data  # the formset reports the broken management form
    rows = [
        [data.getlist(f"{MATERIALS_PREFIX}-{index}-{name}") for name in MATERIAL_FIELDS]
        for index in range(total)
        if any(f"{MATERIALS_PREFIX}-{index}-{name}" in data for name in MATERIAL_FIELDS)
    ]
    compact = data.copy()
    for index in range(total):
        for name in MATERIAL_FIELDS:
            compact.pop(f"{MATERIALS_PREFIX}-{index}-{name}", None)
    for index, values in enumerate(rows):
        for name, value in zip(MATERIAL_FIELDS, values, strict=True):
            if value:
                compact.setlist(f"{MATERIALS_PREFIX}-{index}-{name}", value)
    compact[total_key] = str(len(rows))
    return compact


def _rows_changed(request: HttpRequest) -> BaseMaterialFormSet:
    """The bill of materials with a row added or removed: the form's fallback without scripts."""
    data = request.POST.copy()
    removed = data.get("remove_material", "")
    if "add_material" not in data and removed.isdigit():
        for name in MATERIAL_FIELDS:
            data.pop(f"{MATERIALS_PREFIX}-{removed}-{name}", None)
    data = _rows(data)
    if "add_material" in data:
        key = f"{MATERIALS_PREFIX}-TOTAL_FORMS"
        with contextlib.suppress(ValueError):  # the formset reports a broken management form
            data[key] = str(min(int(data.get(key, "")) + 1, MAX_MATERIALS))
    return material_formset(data)


@require_GET
def origin_material(request: HttpRequest) -> HttpResponse:
    """One more bill-of-materials row (HTMX appends it); nothing for a row being removed."""
    if "remove_material" in request.GET:
        return HttpResponse("")
    try:
        index = int(request.GET.get("index", ""))
    except ValueError:
        return render_error(request, status=400, detail=_("Which row is this?"))
    if not 0 <= index < MAX_MATERIALS:
        return render_error(
            request,
            status=400,
            detail=_("A bill of materials has at most %(n)s rows.") % {"n": MAX_MATERIALS},
        )
    context = {
        "row": material_form(index),
        "index": index,
        "next_index": index + 1,
        "max_materials": MAX_MATERIALS,
        "materials_prefix": MATERIALS_PREFIX,
    }
    return render(request, "trade/partials/_material_row_added.html", context)


@require_http_methods(["GET", "POST"])
def origin_worksheet(request: HttpRequest) -> HttpResponse:
    """The worksheet alone, laid out for printing, from the same form as the calculator."""
    if request.method == "GET":
        return redirect("trade:origin")
    page = _calculate(request)
    context = _origin_context(page)
    if page.result is None:
        return render(request, "trade/origin.html", context, status=page.status)
    context["printed_on"] = _today()
    return render(request, "trade/worksheet_print.html", context)


@require_http_methods(["GET", "POST"])
def origin_worksheet_json(request: HttpRequest) -> HttpResponse:
    """The calculator's result as a JSON file to keep with the origin records."""
    if request.method == "GET":
        return redirect("trade:origin")
    page = _calculate(request)
    if page.result is None:
        return render(request, "trade/origin.html", _origin_context(page), status=page.status)
    filename = "origin-{agreement}-{hs}.json".format(
        agreement=page.result["agreement"], hs=page.result["hs_code"]
    )
    response = JsonResponse(page.result, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- landed cost ----------------------------------------------------------------------------------------


def _quote_view(quote: Quote) -> dict[str, Any]:
    """The quote with every amount written for the reader in the importer's currency."""

    def money(amount: int) -> str:
        return format_money(amount, quote.currency, quote.minor_unit)

    best = quote.best()
    options = []
    for option in quote.options:
        options.append(
            {
                "agreement": option.agreement,
                "available": option.available,
                "reason": option.reason,
                "line_code": option.line_code,
                "rate": option.rate_text,
                "components": [
                    {
                        "kind": component.kind,
                        "name": component.name,
                        "amount": money(component.amount),
                        "basis": component.basis,
                        "legal_source": component.legal_source,
                        "is_sample": component.is_sample,
                    }
                    for component in option.components
                ],
                "duty": money(option.duty),
                "taxes": money(option.taxes),
                "landed_cost": money(option.landed_cost),
                "saving": money(option.saving) if option.saving else "",
                "saving_minor": option.saving,
                "origin_rule": option.origin_rule,
                "origin_rule_is_product_specific": option.origin_rule_is_product_specific,
                "is_best": best is not None and option is best,
            }
        )
    measures = []
    for measure in quote.measures:
        title = _in_language(measure.get("title") or {}, "en")
        chapter = measure.get("chapter", "")
        measures.append(
            {
                **measure,
                "title_text": title,
                "chapter_name": str(NtmChapter(chapter).label)
                if chapter in NtmChapter.values
                else "",
            }
        )
    return {
        "currency": quote.currency,
        "valuation_basis": quote.valuation_basis,
        "valuation_source": quote.valuation_source,
        "customs_value": money(quote.customs_value),
        "conversion": _conversion_view(quote.conversion),
        "options": options,
        "measures": measures,
    }


def _conversion_view(conversion: dict[str, Any] | None) -> dict[str, str] | None:
    """The conversion a quote used (``landed_cost.conversion_out``): the amounts written for the reader,
    the rate with its path, the sources and the day of the observation."""
    if not conversion:
        return None
    minor_units = _minor_units()
    base, quote = str(conversion.get("base", "")), str(conversion.get("quote", ""))

    def money(name: str, currency: str) -> str:
        amount = conversion.get(name)
        if not isinstance(amount, int):
            return ""
        return format_money(amount, currency, minor_units.get(currency, 2))

    sources = conversion.get("sources") or []
    return {
        "base": base,
        "quote": quote,
        "amount": money("amount", base),
        "converted": money("converted", quote),
        "rate": str(conversion.get("rate", "")),
        "path": str(conversion.get("path", "")),
        "sources": ", ".join(str(source) for source in sources),
        "date": str(conversion.get("observed_on", "")),
    }


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def landed_cost(request: HttpRequest) -> HttpResponse:
    """What a shipment costs at the importer's border under MFN and each agreement, side by side."""
    if request.method == "POST":
        form = LandedCostForm(request.POST)
    else:
        form = LandedCostForm(initial={"hs_code": request.GET.get("hs_code", "")[:14]})
    context: dict[str, Any] = {"form": form}
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                quote = quote_landed_cost(shipment_from(form.payload()))
            except HarborError as error:
                place_service_errors(form, error)
                status = error.http_status
            else:
                context["quote"] = _quote_view(quote)
                status = 200
    template = (
        "trade/partials/_landed_cost_app.html" if is_htmx(request) else "trade/landed_cost.html"
    )
    return render(request, template, context, status=status)


# --- Form E pre-check -----------------------------------------------------------------------------------

SEVERITY_LABELS = {
    "error": gettext_lazy("Error"),
    "warning": gettext_lazy("Warning"),
    "info": gettext_lazy("Note"),
}


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def form_e_check(request: HttpRequest) -> HttpResponse:
    """Compare a Form E with its invoice and bill of lading before it is submitted."""
    if request.method == "POST":
        documents = form_e_forms(request.POST)
    else:
        documents = form_e_forms(example="example" in request.GET)
    context: dict[str, Any] = {"documents": documents}
    status = 200
    if request.method == "POST":
        status = 422
        if all(document.is_valid() for document in documents.values()):
            try:
                check = form_e.check_form_e_input(
                    form_e.form_e_from_dict(form_e_payload(documents))
                )
            except HarborError as error:
                _place_form_e_errors(documents, error)
                status = error.http_status
            else:
                context["check"] = check
                context["findings"] = [
                    {
                        "code": finding.code,
                        "severity": str(finding.severity),
                        "severity_label": SEVERITY_LABELS.get(str(finding.severity), ""),
                        "message": finding.message,
                        "fields": [_field_link(documents, path) for path in finding.fields],
                    }
                    for finding in check.findings
                ]
                status = 200
    context["has_errors"] = any(document.errors for document in documents.values())
    template = "trade/partials/_form_e_app.html" if is_htmx(request) else "trade/form_e.html"
    return render(request, template, context, status=status)


def _form_e_field(documents: dict[str, FormEForm], path: str) -> tuple[FormEForm, str] | None:
    """The form and field a dotted path of the Form E check names, if the page has it."""
    head, _dot, rest = path.partition(".")
    document = documents.get(head)
    if document is None:
        document, rest = documents["check"], path
    name = document.field_for(rest)
    return (document, name) if name else None


def _field_link(documents: dict[str, FormEForm], path: str) -> dict[str, str]:
    found = _form_e_field(documents, path)
    if found is None:
        return {"label": path, "id": ""}
    document, name = found
    bound = document[name]
    return {"label": f"{document.title} · {bound.label}", "id": bound.auto_id or ""}


def _place_form_e_errors(documents: dict[str, FormEForm], error: HarborError) -> None:
    placed = False
    for field_error in error.errors:
        found = _form_e_field(documents, field_error.field)
        if found is not None:
            document, name = found
            document.add_error(name, str(field_error.message))
            placed = True
    if not placed:
        first = next(iter(documents.values()))
        if str(error.detail) not in first.errors.get(NON_FIELD_ERRORS, []):
            first.add_error(None, str(error.detail))
