"""Pages of the trade service: the HS browser, tariffs, the origin calculator and its worksheets, landed
cost and the Form E pre-check, all open to anonymous readers."""

from __future__ import annotations

import html
import json
import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from harbor.core.actors import Actor
from harbor.fx.importers import ensure_sources
from harbor.fx.models import ExchangeRate
from harbor.trade.choices import RateType, TaxBase, TaxKind, ValuationBasis
from harbor.trade.demo import load_demo_trade
from harbor.trade.forms import FORM_E_EXAMPLE
from harbor.trade.models import (
    CustomsRegime,
    ImportTax,
    NonTariffMeasure,
    TariffLine,
    TariffSchedule,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
SINCE = date(2020, 1, 1)
NBSP = "\u00a0"


# --- helpers --------------------------------------------------------------------------------------------


def text(response: Any) -> str:
    return str(response.content.decode())


def errors_of(page: str, field_id: str) -> list[str]:
    """The messages of the error list of the field with id ``field_id``."""
    found = re.search(rf'<ul class="errorlist" id="{field_id}_error">(.*?)</ul>', page, flags=re.S)
    return (
        [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", found.group(1), flags=re.S)]
        if found
        else []
    )


def inner(page: str, pattern: str) -> str:
    """The text of the first element whose opening tag matches ``pattern``, inner tags removed and
    white space collapsed."""
    tag = re.match(r"<(\w+)", pattern)
    assert tag, pattern
    found = re.search(pattern + rf"(.*?)</{tag.group(1)}>", page, flags=re.S)
    assert found, pattern
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", "", found.group(1)))).strip()


def block(page: str, attribute: str) -> str:
    """The element carrying ``attribute`` (e.g. ``data-option="MFN"``) up to its closing article tag."""
    found = re.search(rf"<article[^>]*{re.escape(attribute)}.*?</article>", page, flags=re.S)
    assert found, attribute
    return found.group(0)


def schedule(importer: str, agreement: str, *, sample: bool = True) -> TariffSchedule:
    return TariffSchedule.objects.create(
        importer_id=importer,
        agreement=agreement,
        title=f"{importer} {agreement} sample schedule",
        legal_source=f"Sample {agreement} schedule of {importer}",
        is_sample=sample,
        valid_from=SINCE,
    )


def line(of: TariffSchedule, code: str, percent: str) -> TariffLine:
    return TariffLine.objects.create(
        schedule=of,
        code=code,
        hs6=code[:6],
        rate_type=RateType.AD_VALOREM if Decimal(percent) else RateType.FREE,
        ad_valorem_percent=Decimal(percent),
        valid_from=SINCE,
    )


@pytest.fixture
def thai_furniture(db: None) -> None:
    """Thailand on wooden furniture 9403.60: MFN 20 %, ACFTA free, VAT 7 % of value plus duty, CIF."""
    line(schedule("TH", "MFN"), "940360", "20")
    line(schedule("TH", "ACFTA"), "940360", "0")
    ImportTax.objects.create(
        country_id="TH",
        kind=TaxKind.VAT,
        name="VAT",
        rate_percent=Decimal(7),
        base=TaxBase.VALUE_PLUS_DUTY,
        legal_source="Revenue Code, section 80 (sample)",
        is_sample=True,
        valid_from=SINCE,
    )
    CustomsRegime.objects.create(
        country_id="TH", valuation_basis=ValuationBasis.CIF, legal_source="Customs Act (sample)"
    )
    NonTariffMeasure.objects.create(
        importer_id="TH",
        hs_prefix="9403",
        measure_code="B31",
        chapter="B",
        title={"en": "Labelling requirements"},
        requirement={"th": "ต้องมีฉลากภาษาไทย"},
        original_language="th",
        legal_source="Consumer Protection Act (sample)",
        is_sample=True,
        valid_from=SINCE,
    )


def origin_data(**changes: str) -> dict[str, str]:
    """Wooden furniture from Viet Nam to China, FOB 1,000.00 USD, with two non-originating materials."""
    data = {
        "hs_code": "9403.60",
        "fob_value": "1000.00",
        "currency": "USD",
        "agreement": "ACFTA",
        "exporter": "VN",
        "importer": "CN",
        "product_weight": "",
        "processes": "",
        "materials-TOTAL_FORMS": "2",
        "materials-INITIAL_FORMS": "0",
        "materials-MIN_NUM_FORMS": "0",
        "materials-MAX_NUM_FORMS": "500",
        "materials-0-description": "Sawn wood",
        "materials-0-hs_code": "4407.99",
        "materials-0-value": "300.00",
        "materials-0-origin_country": "",
        "materials-0-weight": "",
        "materials-1-description": "Steel fittings",
        "materials-1-hs_code": "830242",
        "materials-1-value": "100.00",
        "materials-1-origin_country": "DE",
        "materials-1-weight": "",
    }
    data.update(changes)
    return data


# --- every page -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "args", "heading"),
    [
        ("trade:home", [], "Trade services"),
        ("trade:hs_browser", [], "HS codes"),
        (
            "trade:hs_detail",
            ["940360"],
            "9403.60 Furniture; wooden, other than for office, kitchen or bedroom use",
        ),
        ("trade:tariffs", [], "Tariffs"),
        ("trade:origin", [], "Origin calculator"),
        ("trade:landed_cost", [], "Landed cost"),
        ("trade:form_e", [], "Form E pre-check"),
    ],
)
def test_each_page_renders_for_anonymous_readers(
    client: Client, name: str, args: list[str], heading: str
) -> None:
    response = client.get(reverse(name, args=args))

    assert response.status_code == 200
    assert inner(text(response), r"<h1[^>]*>") == heading


def test_the_home_page_says_bundled_schedules_are_samples_and_where_real_ones_come_from(
    client: Client,
) -> None:
    page = text(client.get(reverse("trade:home")))

    note = inner(page, r"<div class=\"alert alert-warning\" role=\"note\" data-sample-note>\s*<p>")
    assert note.startswith("Sample data · The tariff schedules, product-specific rules, taxes")
    assert "ASEAN Tariff Finder, the WTO Tariff Download Facility" in page
    for name in ("hs_browser", "tariffs", "origin", "landed_cost", "form_e"):
        assert f'href="{reverse("trade:" + name)}"' in page


# --- HS browser -----------------------------------------------------------------------------------------


def hits(page: str) -> list[str]:
    return re.findall(r'<li data-hs="(\d+)">', page)


def test_hs_search_by_code_lists_the_codes_under_it(client: Client) -> None:
    response = client.get(reverse("trade:hs_browser"), {"q": "9403.8"}, **HTMX)

    assert response.status_code == 200
    assert hits(text(response)) == ["940382", "940383", "940389"]


def test_hs_search_by_word_finds_the_description(client: Client) -> None:
    response = client.get(reverse("trade:hs_browser"), {"q": "durians"}, **HTMX)

    assert hits(text(response)) == ["081060"]
    assert "Fruit, edible; durians, fresh" in text(response)


def test_the_hs_browser_lists_sections_with_their_chapters(client: Client) -> None:
    page = text(client.get(reverse("trade:hs_browser")))

    assert len(re.findall(r'<li data-section="[IVXL]+">', page)) == 21
    assert f'href="{reverse("trade:hs_detail", args=["94"])}"' in page


def test_a_heading_shows_its_ancestors_and_children(client: Client) -> None:
    page = text(client.get(reverse("trade:hs_detail", args=["9403"])))

    assert re.findall(r'<li data-ancestor="(\d+)">', page) == ["94"]
    assert hits(page) == [
        "940310",
        "940320",
        "940330",
        "940340",
        "940350",
        "940360",
        "940370",
        "940382",
        "940383",
        "940389",
        "940391",
        "940399",
    ]


def test_an_hs_code_written_with_a_dot_redirects_to_its_page(client: Client) -> None:
    response = client.get("/trade/hs/9403.60/")

    assert (response.status_code, response["Location"]) == (302, "/trade/hs/940360/")


def test_an_unknown_hs_code_is_a_404_page(client: Client) -> None:
    response = client.get(reverse("trade:hs_detail", args=["999999"]))

    assert response.status_code == 404


def test_the_detail_of_a_subheading_labels_sample_lines_and_shows_rules_and_measures(
    client: Client, thai_furniture: None
) -> None:
    # given a sample schedule line and a real one
    line(schedule("VN", "MFN", sample=False), "94036090", "25")

    page = text(client.get(reverse("trade:hs_detail", args=["940360"])))

    sample_row = re.search(r'<tr data-line="TH-MFN-940360">.*?</tr>', page, flags=re.S)
    real_row = re.search(r'<tr data-line="VN-MFN-94036090">.*?</tr>', page, flags=re.S)
    assert sample_row and real_row
    assert "data-sample" in sample_row.group(0)
    assert "Sample data" in sample_row.group(0)
    assert "data-sample" not in real_row.group(0)
    assert inner(sample_row.group(0), r"<td class=\"rate\" data-rate>") == "20 %"
    assert inner(real_row.group(0), r"<td class=\"rate\" data-rate>") == "25 %"
    assert re.findall(r'<tr data-line="([\w-]+)">', page) == [
        "TH-ACFTA-940360",
        "TH-MFN-940360",
        "VN-MFN-94036090",
    ]
    # the general rule of origin applies under every agreement
    assert re.findall(
        r'<tr data-agreement="(\w+)">\s*<th scope="row">\w+</th>\s*<td><code data-rule>([^<]+)',
        page,
    ) == [
        ("ACFTA", "WO | PE | RVC(40) | CTH"),
        ("ATIGA", "WO | PE | RVC(40) | CTH"),
        ("RCEP", "WO | PE | RVC(40) | CTH"),
    ]
    # the Thai requirement is shown in Thai, said so, with its language
    assert 'data-original-language="th"' in page
    assert '<p class="requirement" lang="th">ต้องมีฉลากภาษาไทย</p>' in page
    assert "UNCTAD chapter B: Technical barriers to trade" in page


def test_the_sample_schedules_the_demo_loads_are_labelled_sample_data(client: Client) -> None:
    # given the trade sample files, loaded as the demo loads them
    load_demo_trade()

    page = text(client.get(reverse("trade:hs_detail", args=["081060"])))

    row = re.search(r'<tr data-line="TH-MFN-08106000">.*?</tr>', page, flags=re.S)
    assert row
    assert inner(row.group(0), r'<span class="badge badge-demo" data-sample>') == "Sample data"
    assert inner(row.group(0), r'<td class="rate" data-rate>') == "40 %"


def test_section_and_chapter_titles_are_in_the_readers_language(client: Client) -> None:
    client.cookies["django_language"] = "th"

    page = text(client.get(reverse("trade:hs_browser")))

    assert inner(page, r'<span class="section-title" data-section-title="I">') == (
        "สัตว์มีชีวิต; ผลิตภัณฑ์จากสัตว์"
    )
    assert inner(page, r'<a href="/trade/hs/01/">') == "01 สัตว์มีชีวิต"


# --- tariffs --------------------------------------------------------------------------------------------


def test_tariff_lookup_lists_the_lines_per_agreement(client: Client, thai_furniture: None) -> None:
    response = client.get(
        reverse("trade:tariffs"), {"importer": "TH", "hs": "9403.60", "date": "2026-01-15"}
    )

    page = text(response)
    assert response.status_code == 200
    assert re.findall(r'<tr data-line="([\w-]+)">', page) == ["TH-ACFTA-940360", "TH-MFN-940360"]
    assert inner(page, r"<h2 id=\"tariff-results-title\">") == "Thailand, HS 940360, on 2026-01-15"


def test_tariff_lookup_before_the_schedules_start_finds_nothing(
    client: Client, thai_furniture: None
) -> None:
    page = text(
        client.get(
            reverse("trade:tariffs"), {"importer": "TH", "hs": "940360", "date": "2019-12-31"}
        )
    )

    assert "data-empty" in page
    assert "<tr data-line" not in page


def test_tariff_lookup_shows_a_bad_code_next_to_its_field(client: Client) -> None:
    response = client.get(reverse("trade:tariffs"), {"importer": "TH", "hs": "94x"}, **HTMX)

    assert response.status_code == 422
    assert errors_of(text(response), "id_hs") == [
        "An HS code has 2 to 10 digits, for example 9403.60."
    ]


# --- origin calculator ----------------------------------------------------------------------------------


def test_a_bill_of_materials_that_passes_shows_the_verdict_and_box_8(client: Client) -> None:
    response = client.post(reverse("trade:origin"), origin_data(), **HTMX)

    page = text(response)
    assert response.status_code == 200
    assert 'data-originating="true"' in page
    assert inner(page, r"<h2 id=\"verdict-title\"[^>]*>") == "Originating under ACFTA"
    assert inner(page, r'<dd data-box="8">') == "60%"
    assert inner(page, r'<dd data-box="9">') == "$1,000.00"
    assert inner(page, r'<dd class="number" data-figure="vnm">') == "$400.00"
    assert inner(page, r'<dd class="number" data-figure="rvc">') == "60.00 %"
    assert re.findall(r'<tr data-criterion="([^"]+)" data-passed="(\w+)">', page) == [
        ("WO", "false"),
        ("PE", "false"),
        ("RVC(40)", "true"),
        ("CTH", "true"),
    ]
    # each non-originating material's tariff shift, numbered as in the form
    assert re.findall(r'<tr data-material="(\d)" data-passed="(\w+)">', page) == [
        ("1", "true"),
        ("2", "true"),
    ]


def test_a_bill_of_materials_over_the_fob_value_is_an_error_on_the_materials(
    client: Client,
) -> None:
    response = client.post(
        reverse("trade:origin"), origin_data(**{"materials-0-value": "950.00"}), **HTMX
    )

    page = text(response)
    assert response.status_code == 422
    assert errors_of(page, "id_materials") == [
        "The materials are worth 105000 in total, more than the FOB value 100000."
    ]
    assert "data-originating" not in page


@pytest.mark.parametrize(
    ("changes", "field_id", "message"),
    [
        ({"fob_value": "a lot"}, "id_fob_value", "Enter a number."),
        ({"fob_value": "-5"}, "id_fob_value", "Ensure this value is greater than or equal to 0."),
        ({"fob_value": "10.005"}, "id_fob_value", "USD has at most 2 decimals."),
        ({"hs_code": "999999"}, "id_hs_code", "Not an HS 2022 subheading."),
        ({"materials-1-hs_code": "830299"}, "id_materials-1-hs_code", "Not an HS 2022 subheading."),
        (
            {"materials-0-value": "-1"},
            "id_materials-0-value",
            "Ensure this value is greater than or equal to 0.",
        ),
        (
            {"currency": "XYZ"},
            "id_currency",
            "Select a valid choice. XYZ is not one of the available choices.",
        ),
        (
            {"agreement": "MFN"},
            "id_agreement",
            "Select a valid choice. MFN is not one of the available choices.",
        ),
        (
            {"importer": "US"},
            "id_importer",
            "Select a valid choice. US is not one of the available choices.",
        ),
        (
            {"importer": "VN"},
            "id_importer",
            "The importing party must differ from the exporting party.",
        ),
    ],
)
def test_bad_origin_input_is_shown_next_to_its_field_with_status_422(
    client: Client, changes: dict[str, str], field_id: str, message: str
) -> None:
    for headers in ({}, HTMX):
        response = client.post(reverse("trade:origin"), origin_data(**changes), **headers)

        assert response.status_code == 422
        assert errors_of(text(response), field_id) == [message]


def test_a_bill_of_materials_sent_without_its_management_form_is_an_error_not_a_crash(
    client: Client,
) -> None:
    data = {key: value for key, value in origin_data().items() if "FORMS" not in key}

    response = client.post(reverse("trade:origin"), data)

    assert response.status_code == 422
    assert errors_of(text(response), "id_materials") == [
        "The bill of materials was not sent whole; try again."
    ]


def test_the_add_material_button_gets_a_row_with_the_next_index(client: Client) -> None:
    response = client.get(reverse("trade:origin_material"), {"index": "2"}, **HTMX)

    page = text(response)
    assert response.status_code == 200
    assert re.findall(r'<fieldset class="material-row" data-material-index="(\d+)">', page) == ["2"]
    assert 'name="materials-2-description"' in page
    assert 'name="materials-2-hs_code"' in page
    assert re.search(
        r'<input type="hidden" name="materials-TOTAL_FORMS" value="3" id="id_materials-TOTAL_FORMS" '
        r'hx-swap-oob="true">',
        page,
    )
    assert 'hx-get="/trade/origin/material/?index=3"' in page


def test_the_calculator_starts_with_two_empty_rows(client: Client) -> None:
    page = text(client.get(reverse("trade:origin")))

    assert re.findall(r'data-material-index="(\d+)"', page) == ["0", "1"]
    assert 'name="materials-TOTAL_FORMS" value="2"' in page
    assert 'hx-get="/trade/origin/material/?index=2"' in page


def test_without_scripts_rows_are_added_and_removed_by_posting_the_form(client: Client) -> None:
    added = text(client.post(reverse("trade:origin"), {**origin_data(), "add_material": "1"}))
    removed = text(client.post(reverse("trade:origin"), {**origin_data(), "remove_material": "0"}))

    assert re.findall(r'data-material-index="(\d+)"', added) == ["0", "1", "2"]
    assert re.findall(r'data-material-index="(\d+)"', removed) == ["0"]
    assert 'name="materials-0-description" value="Steel fittings"' in removed


def test_rows_removed_in_the_browser_leave_no_gap(client: Client) -> None:
    # given three rows of which the browser removed the second: the third is sent as row 2
    data = origin_data(**{"materials-TOTAL_FORMS": "3"})
    for name in ("description", "hs_code", "value", "origin_country", "weight"):
        data[f"materials-2-{name}"] = data.pop(f"materials-1-{name}")
    data["materials-2-hs_code"] = "830299"

    response = client.post(reverse("trade:origin"), data, **HTMX)

    page = text(response)
    assert response.status_code == 422
    assert re.findall(r'data-material-index="(\d+)"', page) == ["0", "1"]
    assert errors_of(page, "id_materials-1-hs_code") == ["Not an HS 2022 subheading."]
    assert 'name="materials-TOTAL_FORMS" value="2"' in page


def test_the_json_worksheet_is_an_attachment_with_the_verdict(client: Client) -> None:
    response = client.post(reverse("trade:origin_worksheet_json"), origin_data())

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="origin-ACFTA-940360.json"'
    result = json.loads(response.content)
    assert (result["originating"], result["certificate"]["origin_criterion"]) == (True, "60%")
    assert result["rvc"]["vnm"] == 40000


def test_the_printable_worksheet_has_the_figures_and_no_site_navigation(client: Client) -> None:
    response = client.post(reverse("trade:origin_worksheet"), origin_data())

    page = text(response)
    assert response.status_code == 200
    assert "site-nav" not in page
    assert inner(page, r'<dd data-good="fob_value">') == "$1,000.00"
    assert inner(page, r'<dd data-box="8">') == "60%"
    assert re.findall(r'<tr data-material="(\d)">', page) == ["1", "2"]


def test_a_bad_printable_worksheet_request_returns_the_form_with_its_errors(client: Client) -> None:
    response = client.post(reverse("trade:origin_worksheet"), origin_data(hs_code="12"))

    assert response.status_code == 422
    assert errors_of(text(response), "id_hs_code") == ["Give a 6-digit HS subheading, digits only."]


# --- landed cost ----------------------------------------------------------------------------------------


def test_landed_cost_shows_mfn_and_acfta_side_by_side(client: Client, thai_furniture: None) -> None:
    response = client.post(
        reverse("trade:landed_cost"),
        {
            "importer": "TH",
            "exporter": "CN",
            "hs_code": "9403.60",
            "currency": "THB",
            "fob_value": "10000.00",
            "freight": "500.00",
            "insurance": "100.00",
            "quantity": "",
            "date": "",
        },
    )

    page = text(response)
    assert response.status_code == 200
    assert re.findall(r'data-option="(\w+)"', page) == ["MFN", "ACFTA", "RCEP"]
    assert inner(page, r"<dd data-customs-value>") == f"THB{NBSP}10,600.00 · CIF"
    mfn, acfta, rcep = (block(page, f'data-option="{code}"') for code in ("MFN", "ACFTA", "RCEP"))
    # MFN: 20 % of 10,600.00 is 2,120.00; VAT 7 % of 12,720.00 is 890.40
    assert re.findall(r'<td class="number" data-amount>([^<]+)</td>', mfn) == [
        f"THB{NBSP}2,120.00",
        f"THB{NBSP}890.40",
    ]
    assert inner(mfn, r"<td class=\"number\" data-landed-cost>") == f"THB{NBSP}13,610.40"
    # ACFTA: free; VAT 7 % of 10,600.00 is 742.00; 2,268.40 less than MFN
    assert re.findall(r'<td class="number" data-amount>([^<]+)</td>', acfta) == [
        f"THB{NBSP}0.00",
        f"THB{NBSP}742.00",
    ]
    assert inner(acfta, r"<td class=\"number\" data-landed-cost>") == f"THB{NBSP}11,342.00"
    assert inner(acfta, r"<td class=\"number\" data-saving>") == f"THB{NBSP}2,268.40"
    assert "Lowest cost" in acfta
    assert inner(acfta, r"<code data-rule>") == "WO | PE | RVC(40) | CTH"
    assert inner(rcep, r"<p class=\"reason\" data-reason>") == (
        "Not available No line for this good in the importer's schedule."
    )
    assert '<li class="measure" data-measure="B31">' in page


def test_landed_cost_in_another_currency_shows_the_conversion_used(
    client: Client, thai_furniture: None
) -> None:
    # given ECB rates of 1.25 US dollars and 40 baht per euro: a dollar is worth 32 baht
    ensure_sources(actor=Actor.system("tests"))
    for quote, rate in (("USD", "1.25"), ("THB", "40")):
        ExchangeRate.objects.create(
            source_id="ecb",
            base_id="EUR",
            quote_id=quote,
            date=date(2026, 3, 2),
            rate=Decimal(rate),
        )

    response = client.post(
        reverse("trade:landed_cost"),
        {
            "importer": "TH",
            "exporter": "CN",
            "hs_code": "940360",
            "currency": "USD",
            "fob_value": "1000",
            "date": "2026-03-03",
        },
    )

    page = text(response)
    assert response.status_code == 200
    assert inner(page, r"<span data-conversion-amounts>") == f"$1,000.00 = THB{NBSP}32,000.00"
    conversion = inner(page, r"<dd data-conversion>")
    assert "1 USD = 32 THB" in conversion
    assert "Source: ECB euro foreign exchange reference rates" in conversion
    assert "Date of the rate: 2026-03-02" in conversion
    # MFN: 20 % of 32,000.00 is 6,400.00; VAT 7 % of 38,400.00 is 2,688.00
    mfn = block(page, 'data-option="MFN"')
    assert inner(mfn, r"<td class=\"number\" data-landed-cost>") == f"THB{NBSP}41,088.00"


def test_landed_cost_errors_are_shown_next_to_their_fields(client: Client) -> None:
    response = client.post(
        reverse("trade:landed_cost"),
        {
            "importer": "TH",
            "exporter": "TH",
            "hs_code": "999999",
            "currency": "THB",
            "fob_value": "10",
        },
        **HTMX,
    )

    page = text(response)
    assert response.status_code == 422
    assert errors_of(page, "id_hs_code") == ["Not an HS 2022 subheading."]


# --- Form E pre-check -----------------------------------------------------------------------------------


def form_e_data(**changes: str) -> dict[str, str]:
    """A Form E for ceramic plates from Viet Nam to China, with its invoice and bill of lading."""
    data = {
        "certificate-issue_date": "2026-03-03",
        "certificate-exporter_name": "Hanoi Ceramics Co., Ltd.",
        "certificate-exporter_country": "VN",
        "certificate-consignee_name": "Guangxi Homeware Trading Co., Ltd.",
        "certificate-consignee_country": "CN",
        "certificate-goods_description": "Ceramic plates, 100 cartons",
        "certificate-hs_code": "6912.00",
        "certificate-origin_criterion": "PE",
        "certificate-gross_weight_kg": "1200",
        "certificate-quantity_value": "5000",
        "certificate-quantity_unit": "PCS",
        "certificate-fob_amount": "12500.00",
        "certificate-fob_currency": "USD",
        "certificate-invoice_number": "HC-2026-031",
        "certificate-invoice_date": "2026-02-27",
        "invoice-number": "HC-2026-031",
        "invoice-date": "2026-02-27",
        "invoice-seller_name": "Hanoi Ceramics Co., Ltd.",
        "invoice-seller_country": "VN",
        "invoice-buyer_name": "Guangxi Homeware Trading Company Limited",
        "invoice-goods_description": "Ceramic plates",
        "invoice-hs_code": "691200",
        "invoice-quantity_value": "5000",
        "invoice-quantity_unit": "PCS",
        "invoice-gross_weight_kg": "1200",
        "invoice-fob_amount": "12500.00",
        "invoice-fob_currency": "USD",
        "bill_of_lading-issue_date": "2026-03-02",
        "bill_of_lading-shipped_on_board_date": "2026-03-02",
        "bill_of_lading-shipper_name": "HANOI CERAMICS CO LTD",
        "bill_of_lading-consignee_name": "Guangxi Homeware Trading Co., Ltd.",
        "bill_of_lading-port_of_loading_name": "Hai Phong",
        "bill_of_lading-port_of_loading_country": "VN",
        "bill_of_lading-port_of_discharge_name": "Qinzhou",
        "bill_of_lading-port_of_discharge_country": "CN",
        "bill_of_lading-gross_weight_kg": "1200",
        "check-calculated_criteria": "PE, 45%",
    }
    data.update(changes)
    return data


def findings(page: str) -> list[tuple[str, str]]:
    return re.findall(r'data-finding="(\w+)" data-severity="(\w+)"', page)


def test_matching_documents_pass_the_form_e_check(client: Client) -> None:
    response = client.post(reverse("trade:form_e"), form_e_data())

    page = text(response)
    assert response.status_code == 200
    assert findings(page) == []
    assert inner(page, r"<h2 id=\"findings-title\"[^>]*>") == "No reason for rejection found"


def test_a_consignee_mismatch_is_a_finding_naming_both_fields(client: Client) -> None:
    response = client.post(
        reverse("trade:form_e"),
        form_e_data(**{"invoice-buyer_name": "Nanning Fruit Import Co."}),
        **HTMX,
    )

    page = text(response)
    assert response.status_code == 200
    assert findings(page) == [("consignee_mismatch", "error")]
    assert (
        "Box 2 names the consignee “Guangxi Homeware Trading Co., Ltd.” but the invoice buyer is "
        "“Nanning Fruit Import Co.”." in html.unescape(page)
    )
    assert re.findall(r'<a href="#([\w-]+)" data-field', page) == [
        "id_certificate-consignee_name",
        "id_invoice-buyer_name",
    ]


def test_form_e_input_errors_are_shown_next_to_their_fields(client: Client) -> None:
    response = client.post(
        reverse("trade:form_e"),
        form_e_data(**{"check-calculated_criteria": "PE, lots", "certificate-fob_currency": ""}),
    )

    page = text(response)
    assert response.status_code == 422
    assert errors_of(page, "id_certificate-fob_currency") == [
        "Choose the currency of the FOB value."
    ]
    assert "data-finding" not in page


def test_a_calculated_criterion_that_is_none_is_shown_next_to_its_field(client: Client) -> None:
    response = client.post(
        reverse("trade:form_e"), form_e_data(**{"check-calculated_criteria": "PE, lots"})
    )

    assert response.status_code == 422
    assert errors_of(text(response), "id_check-calculated_criteria") == [
        "Write WO, PE, CTH, PSR or a percentage such as 40%."
    ]


def test_the_example_documents_fill_the_form_and_agree(client: Client) -> None:
    page = text(client.get(reverse("trade:form_e"), {"example": "1"}))
    example = {
        f"{document}-{name}": value
        for document, fields in FORM_E_EXAMPLE.items()
        for name, value in fields.items()
    }

    assert 'name="certificate-exporter_name" value="Hanoi Ceramics Co., Ltd."' in page
    response = client.post(reverse("trade:form_e"), example)
    assert (response.status_code, findings(text(response))) == (200, [])
