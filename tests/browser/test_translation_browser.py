"""Translate-on-read in headless Chromium: a Chinese record opened by a Lao reader is translated by a task
on a real tiny CTranslate2 model, shown with the machine-translation label, and the original is one click
away."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from harbor.core.demo import DEMO_PASSWORD
from harbor.language.engines.registry import clear_caches
from harbor.language.testing import all_sample_sentences, build_tiny_model
from harbor.sharing.models import Record

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect

NewPage = Callable[..., Any]
TITLE = "示例：竹制家具出口合作，寻找泰国和越南经销商"


@pytest.fixture
def installed_model(settings: Any, tmp_path: Path) -> Iterator[str]:
    """A tiny multilingual random-weight model for Chinese, Lao and English, installed for this test."""
    built = build_tiny_model(
        tmp_path / "built" / "tiny-zh-lo",
        sentences=all_sample_sentences(),
        kind="multilingual",
        languages=["en", "zh-hans", "lo"],
        name="tiny-zh-lo",
        seed=3,
    )
    settings.HARBOR_MT_MODELS_DIR = tmp_path / "models"
    shutil.copytree(built, settings.HARBOR_MT_MODELS_DIR / "tiny-zh-lo")
    clear_caches()
    yield "tiny-zh-lo"
    clear_caches()


def test_a_chinese_record_opened_in_lao_shows_the_machine_translation_label_and_the_original(
    harbor_url: str, new_page: NewPage, installed_model: str
) -> None:
    record = Record.objects.get(external_id="demo-cn-bamboo-offer")  # for verified members
    page = new_page(locale="lo-LA")
    page.goto(f"{harbor_url}/accounts/login/")
    page.fill("#id_username", "mei")
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")

    # the first Lao reader is told a translation is being prepared, and reads the original meanwhile
    page.goto(f"{harbor_url}/records/{record.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", "lo")
    expect(page.locator("[data-translation-status=pending]")).to_be_visible()
    expect(page.locator("h1[data-title]")).to_have_text(TITLE)

    # when the worker has run the translation task
    call_command("worker", "--batch", verbosity=0)
    page.reload()

    # then the page is in Lao, labelled as machine translation by the installed engine
    label = page.locator("[data-machine-translation=lo]")
    expect(label).to_be_visible()
    expect(label).to_have_attribute("data-engine", installed_model)
    expect(page.locator("h1[data-title]")).to_have_attribute("lang", "lo")
    expect(page.locator("h1[data-title]")).not_to_have_text(TITLE)

    # and the original is one click away
    with page.expect_navigation():
        label.locator("a[data-show-original]").click()
    expect(page.locator("h1[data-title]")).to_have_text(TITLE)
    expect(page.locator("h1[data-title]")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("[data-machine-translation]")).to_have_count(0)
    assert page.csp_errors == []
