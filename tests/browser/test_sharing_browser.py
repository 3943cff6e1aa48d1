"""The sharing pages in headless Chromium: publishing through the multilingual form, searching in Chinese,
and reading a Thai record in English."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from harbor.core.demo import DEMO_PASSWORD
from harbor.sharing.models import Record

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect

NewPage = Callable[..., Any]
TITLE = "示例：南宁榴莲冷链仓库开放预约"


@pytest.fixture(autouse=True)
def _keywords_only(settings: Any) -> None:
    """The search must find exactly the new record: no neighbours in meaning."""
    settings.HARBOR_SEARCH_SEMANTIC = False


def sign_in(page: Any, harbor_url: str, username: str) -> None:
    page.goto(f"{harbor_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")


def test_mei_publishes_in_chinese_and_finds_it_by_searching_in_chinese(
    harbor_url: str, new_page: NewPage
) -> None:
    page = new_page(locale="en-GB")
    sign_in(page, harbor_url, "mei")

    # given the publish form, reached from the records page
    with page.expect_navigation():
        page.click('.site-nav a[href="/records/"]')
    with page.expect_navigation():
        page.click('main a[href="/records/new/"]')
    page.select_option("#id_kind", "notice")
    page.select_option("#id_texts-0-language", "zh-hans")
    page.fill("#id_texts-0-title", TITLE)
    page.fill("#id_texts-0-summary", "演示数据。冷链仓库每周开放三次预约。")

    # when mei adds an English version: HTMX appends a second fieldset in place
    page.click("#add-language")
    expect(page.locator("fieldset.language-texts")).to_have_count(2)
    assert page.locator("#id_texts-TOTAL_FORMS").input_value() == "2"
    assert page.locator("#add-language").get_attribute("hx-get") == "/records/new/language/?index=2"
    page.select_option("#id_texts-1-language", "en")
    page.fill("#id_texts-1-title", "Sample: Nanning durian cold-chain warehouse opens bookings")
    page.fill("#id_hs_codes", "081060")
    page.check('input[name="audience"][value="public"]')
    page.check('input[name="status"][value="published"]')
    with page.expect_navigation():
        page.click('form.record-form button[name="save"]')

    # then the record page shows it, in English (the reader's language), the original offered
    record = Record.objects.get(external_id="")  # the demo records all have one
    assert page.url == f"{harbor_url}/records/{record.pk}/"
    assert (record.status, record.original_language, sorted(record.title)) == (
        "published",
        "zh-hans",
        ["en", "zh-hans"],
    )
    expect(page.locator("h1[data-title]")).to_have_text(
        "Sample: Nanning durian cold-chain warehouse opens bookings"
    )
    page.click('a[data-lang="zh-hans"]')
    expect(page.locator("h1[data-title]")).to_have_text(TITLE)

    # and searching in Chinese finds it as one types, the match highlighted in the Chinese text
    page.goto(f"{harbor_url}/search/")
    query = page.locator("#id_q")
    query.press_sequentially("仓库")
    query.press("End")  # characters outside the keyboard layout arrive without key events
    hit = page.locator(f'#results li[data-record="{record.pk}"]')
    expect(hit).to_have_count(1)
    expect(page.locator("#results li[data-record]")).to_have_count(1)
    expect(hit.locator(".snippet")).to_have_attribute("lang", "zh-hans")
    expect(hit.locator(".snippet mark").first).to_have_text("仓库")
    expect(page).to_have_url(re.compile(r"/search/\?q=%E4%BB%93%E5%BA%93"))
    assert page.csp_errors == []


def test_a_thai_record_read_in_english_says_it_is_shown_in_thai(
    harbor_url: str, new_page: NewPage
) -> None:
    record = Record.objects.get(external_id="demo-th-durian-route")
    page = new_page(locale="en-GB")
    page.goto(f"{harbor_url}/records/{record.pk}/?lang=en")
    note = page.locator("[data-original-note]")
    expect(note).to_have_text(
        "This record is not available in English. It is shown in its original language: Thai."
    )
    title = page.locator("h1[data-title]")
    expect(title).to_have_attribute("lang", "th")
    expect(title).to_have_text(record.title["th"])
    assert page.locator('a[data-lang="th"]').get_attribute("aria-current") == "true"
    assert page.csp_errors == []
