"""The origin calculator in headless Chromium: a bill of materials built with the add-row button, the
verdict and worksheet shown in place, and the printable worksheet rendered for print."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from harbor.trade.selectors import product_rule

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect

NewPage = Callable[..., Any]


def fill_row(
    page: Any, index: int, description: str, hs_code: str, value: str, origin: str
) -> None:
    page.fill(f"#id_materials-{index}-description", description)
    page.fill(f"#id_materials-{index}-hs_code", hs_code)
    page.fill(f"#id_materials-{index}-value", value)
    page.select_option(f"#id_materials-{index}-origin_country", origin)


def test_a_bill_of_materials_gives_a_verdict_and_a_printable_worksheet(
    harbor_url: str, new_page: NewPage
) -> None:
    page = new_page(locale="en-GB")
    page.goto(f"{harbor_url}/trade/origin/")

    # given the good: wooden furniture from Viet Nam to China, FOB 1,000.00 US dollars
    page.fill("#id_hs_code", "9403.60")
    page.fill("#id_fob_value", "1000.00")
    page.select_option("#id_currency", "USD")
    page.select_option("#id_agreement", "ACFTA")
    page.select_option("#id_exporter", "VN")
    page.select_option("#id_importer", "CN")

    # when two rows are added with the button (the form starts with two), one removed, and four filled
    rows = page.locator("fieldset.material-row")
    expect(rows).to_have_count(2)
    page.click("#add-material")
    expect(rows).to_have_count(3)
    page.click("#add-material")
    expect(rows).to_have_count(4)
    assert page.locator("#id_materials-TOTAL_FORMS").input_value() == "4"
    assert (
        page.locator("#add-material").get_attribute("hx-get") == "/trade/origin/material/?index=4"
    )
    page.click("#add-material")
    expect(rows).to_have_count(5)
    page.click('fieldset[data-material-index="4"] .remove-material')
    expect(rows).to_have_count(4)
    fill_row(page, 0, "Sawn wood", "4407.99", "300.00", "")
    fill_row(page, 1, "Steel fittings", "830242", "100.00", "DE")
    fill_row(page, 2, "Lacquer", "320890", "50.00", "CN")
    page.check("#id_materials-2-originating")
    fill_row(page, 3, "Cartons", "481910", "20.00", "VN")
    page.check("#id_materials-3-originating")
    page.click("#calculate")

    # then the verdict and the worksheet appear below the form
    verdict = page.locator("[data-verdict]")
    expect(verdict).to_have_text("Originating under ACFTA")
    expect(verdict).to_be_focused()
    expect(page.locator('#origin-result [data-figure="vnm"]')).to_have_text("$400.00")
    expect(page.locator('#origin-result [data-figure="rvc"]')).to_have_text("60.00 %")
    expect(page.locator('#origin-result [data-box="9"]')).to_have_text("$1,000.00")
    # a good meeting a product-specific rule (the sample rules have one for 9403) is entered as PSR
    product_specific = product_rule(agreement="ACFTA", hs6="940360", on=timezone.localdate())
    box8 = "PSR" if product_specific else "60%"
    expect(page.locator('#origin-result [data-box="8"]')).to_have_text(box8)
    expect(page.locator("#origin-result [data-cumulated]")).to_have_count(1)
    expect(page.locator('#origin-result [data-cumulated="3"]')).to_contain_text("Lacquer")

    # and the printable worksheet opens on its own, without the site's navigation, with the figures
    with page.context.expect_page() as opened:
        page.click("#printable-worksheet")
    sheet = opened.value
    sheet.wait_for_load_state()
    expect(sheet.locator("h1")).to_have_text("Origin worksheet")
    expect(sheet.locator(".site-nav")).to_have_count(0)
    expect(sheet.locator('[data-good="fob_value"]')).to_have_text("$1,000.00")
    expect(sheet.locator('[data-box="8"]')).to_have_text(box8)
    expect(sheet.locator('[data-figure="vnm"]')).to_have_text("$400.00")
    expect(sheet.locator("table.bom tbody tr")).to_have_count(4)

    # printing it works: the print style applies and Chromium renders a PDF
    sheet.emulate_media(media="print")
    assert sheet.locator("p.no-print").evaluate("e => getComputedStyle(e).display") == "none"
    assert sheet.screenshot(full_page=True)[:4] == b"\x89PNG"
    assert sheet.pdf(format="A4")[:5] == b"%PDF-"
    assert page.csp_errors == []


def test_an_error_in_the_bill_of_materials_is_shown_next_to_the_materials(
    harbor_url: str, new_page: NewPage
) -> None:
    page = new_page(locale="en-GB")
    page.goto(f"{harbor_url}/trade/origin/")
    page.fill("#id_hs_code", "940360")
    page.fill("#id_fob_value", "100.00")
    page.select_option("#id_currency", "USD")
    page.select_option("#id_exporter", "VN")
    page.select_option("#id_importer", "CN")
    fill_row(page, 0, "Sawn wood", "440799", "300.00", "")

    # pressing Enter in a field calculates (it does not add a row)
    page.press("#id_fob_value", "Enter")

    expect(page.locator("#id_materials_error")).to_have_text(
        "The materials are worth 30000 in total, more than the FOB value 10000."
    )
    expect(page.locator("fieldset.material-row")).to_have_count(2)
    expect(page.locator("#origin-result")).to_have_count(0)
    assert page.csp_errors == []
