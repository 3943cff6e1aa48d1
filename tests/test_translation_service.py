"""Translation end to end on a real (tiny, random-weight) CTranslate2 model: memory first, the glossary
enforced on the engine's output, provenance on every result, and what is served without an engine."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from harbor.core.actors import Actor
from harbor.directory.models import Organisation, User
from harbor.language import glossary, memory
from harbor.language.engines.registry import clear_caches
from harbor.language.services import translate_texts
from harbor.language.testing import all_sample_sentences, build_tiny_model
from tests.factories import actor_for

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("tests")


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A multilingual random-weight model for English, Chinese, Thai and Lao, built once."""
    folder = tmp_path_factory.mktemp("mt") / "tiny-multilingual"
    return build_tiny_model(
        folder,
        sentences=all_sample_sentences(),
        kind="multilingual",
        languages=["en", "zh-hans", "th", "lo"],
        name="tiny-multilingual",
        seed=5,
    )


@pytest.fixture
def installed(settings: Any, tmp_path: Path, tiny_model: Path) -> Any:
    settings.HARBOR_MT_MODELS_DIR = tmp_path / "models"
    shutil.copytree(tiny_model, settings.HARBOR_MT_MODELS_DIR / tiny_model.name)
    clear_caches()
    yield tiny_model.name
    clear_caches()


@pytest.fixture
def no_models(settings: Any, tmp_path: Path) -> Any:
    settings.HARBOR_MT_MODELS_DIR = tmp_path / "empty"
    clear_caches()
    yield
    clear_caches()


@pytest.fixture
def translator(owner: User, org: Organisation) -> Actor:
    """A member of a verified organisation, who may store approved translations."""
    return actor_for(owner, org)


def test_a_chinese_text_is_machine_translated_into_lao_by_the_installed_model(
    installed: str,
) -> None:
    outcome = translate_texts(["海关总署发布新的进口规定。"], source="zh-hans", target="lo")

    item = outcome.items[0]
    assert outcome.available is True
    assert (item.provenance, item.engine, item.machine_segments) == ("machine", installed, 1)
    assert item.text
    again = translate_texts(["海关总署发布新的进口规定。"], source="zh-hans", target="lo")
    assert again.items[0].text == item.text


def test_sentences_held_in_memory_are_reused_and_only_the_rest_goes_to_the_engine(
    installed: str, translator: Actor
) -> None:
    memory.remember(
        "Customs will inspect the goods.",
        "ศุลกากรจะตรวจสินค้า",
        source="en",
        target="th",
        actor=translator,
    )

    mixed, whole = translate_texts(
        [
            "Customs will inspect the goods. The ship leaves on Monday.",
            "Customs will inspect the goods.",
        ],
        source="en",
        target="th",
    ).items

    assert (mixed.memory_segments, mixed.machine_segments, mixed.provenance) == (1, 1, "machine")
    assert mixed.text is not None and mixed.text.startswith("ศุลกากรจะตรวจสินค้า ")
    assert (whole.text, whole.provenance, whole.engine) == ("ศุลกากรจะตรวจสินค้า", "memory", "")


def test_glossary_terms_come_out_as_the_glossary_writes_them_from_real_engine_output(
    installed: str,
) -> None:
    glossary.load_glossary(actor=SYSTEM)
    thai = glossary.current_glossary().target_term("certificate-of-origin", "th")

    item = translate_texts(
        ["Please attach the certificate of origin to the invoice."], source="en", target="th"
    ).items[0]

    assert thai is not None and thai in (item.text or "")
    assert [hit.key for hit in item.glossary][:1] == ["certificate-of-origin"]


def test_without_an_engine_memory_and_glossary_are_still_served(
    no_models: None, translator: Actor
) -> None:
    glossary.load_glossary(actor=SYSTEM)
    memory.remember("Good morning.", "ສະບາຍດີຕອນເຊົ້າ.", source="en", target="lo", actor=translator)

    outcome = translate_texts(
        ["Good morning.", "Send the bill of lading today."], source="en", target="lo"
    )

    known, unknown = outcome.items
    assert (outcome.available, outcome.error_code) == (False, "mt_no_engine")
    assert "No translation model is installed" in outcome.message
    assert (known.text, known.provenance) == ("ສະບາຍດີຕອນເຊົ້າ.", "memory")
    assert (unknown.text, unknown.provenance) == (None, None)
    assert [hit.key for hit in unknown.glossary] == ["bill-of-lading"]


def test_the_translate_api_reports_provenance_and_names_bad_fields(installed: str) -> None:
    client = Client()

    ok = client.post(
        "/api/v1/language/translate",
        {"texts": ["海关总署发布新的进口规定。"], "target": "lo"},
        content_type="application/json",
    )
    bad_language = client.post(
        "/api/v1/language/translate",
        {"texts": ["hello"], "source": "en", "target": "xx"},
        content_type="application/json",
    )
    empty = client.post(
        "/api/v1/language/translate",
        {"texts": ["  "], "source": "en", "target": "th"},
        content_type="application/json",
    )
    oversized = client.post(
        "/api/v1/language/translate",
        {"texts": ["a" * 20_001], "source": "en", "target": "th"},
        content_type="application/json",
    )

    assert ok.status_code == 200
    body = ok.json()
    assert (body["source"], body["available"], body["engine"]) == ("zh-hans", True, installed)
    assert body["translations"][0]["provenance"] == "machine"
    assert [e["field"] for e in bad_language.json()["errors"]] == ["target"]
    assert [e["field"] for e in empty.json()["errors"]] == ["texts[0]"]
    assert [e["field"] for e in oversized.json()["errors"]] == ["texts"]
    assert {bad_language.status_code, empty.status_code, oversized.status_code} == {422}


def test_a_broken_model_directory_is_reported_and_the_rest_of_the_platform_works(
    settings: Any, tmp_path: Path, tiny_model: Path
) -> None:
    settings.HARBOR_MT_MODELS_DIR = tmp_path / "models"
    broken = settings.HARBOR_MT_MODELS_DIR / tiny_model.name
    shutil.copytree(tiny_model, broken)
    (broken / "model.bin").write_bytes(b"not a model")
    clear_caches()

    response = Client().post(
        "/api/v1/language/translate",
        {"texts": ["Hello."], "source": "en", "target": "th"},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["available"] is False
    assert response.json()["code"] in {"mt_no_engine", "mt_model_broken"}
    assert Client().get("/api/v1/trade/hs", {"q": "9403"}).status_code == 200
    clear_caches()


def test_a_near_match_is_reused_only_when_it_holds_the_same_numbers(
    no_models: None, translator: Actor
) -> None:
    memory.remember(
        "The shipment of 20 containers leaves Haiphong today.",
        "Lô hàng 20 container rời Hải Phòng hôm nay.",
        source="en",
        target="vi",
        actor=translator,
    )

    near, other_number = translate_texts(
        [
            "The shipment of 20 containers leaves Haiphong today!",
            "The shipment of 30 containers leaves Haiphong today.",
        ],
        source="en",
        target="vi",
    ).items

    assert (near.text, near.provenance) == ("Lô hàng 20 container rời Hải Phòng hôm nay.", "memory")
    assert (other_number.text, other_number.provenance) == (None, None)
