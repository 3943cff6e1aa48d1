"""Translate-on-read: a Chinese record read in Lao through the API and the record page, translated by a
task on a real tiny CTranslate2 model, always labelled as machine output with the original one click away."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from harbor.directory.models import Organisation, User
from harbor.language.engines.registry import clear_caches
from harbor.language.testing import all_sample_sentences, build_tiny_model
from harbor.sharing import services
from harbor.sharing.models import Record, RecordTranslation
from tests.factories import actor_for

# The worker command closes its database connection when it finishes, as a real worker does: the tests
# run outside a wrapping transaction so that is harmless on PostgreSQL too.
pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "海关总署发布新的进口规定"
SUMMARY = "自下月起，进口榴莲需要附原产地证书。"


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("mt-read") / "tiny-zh-lo"
    return build_tiny_model(
        folder,
        sentences=all_sample_sentences(),
        kind="multilingual",
        languages=["en", "zh-hans", "lo", "th"],
        name="tiny-zh-lo",
        seed=11,
    )


@pytest.fixture
def installed(settings: Any, tmp_path: Path, tiny_model: Path) -> Any:
    settings.HARBOR_MT_MODELS_DIR = tmp_path / "models"
    shutil.copytree(tiny_model, settings.HARBOR_MT_MODELS_DIR / tiny_model.name)
    clear_caches()
    yield tiny_model.name
    clear_caches()


@pytest.fixture
def chinese_record(
    owner: User, org: Organisation, django_capture_on_commit_callbacks: Any
) -> Record:
    with django_capture_on_commit_callbacks(execute=True):
        return services.create_record(
            actor=actor_for(owner, org),
            data={
                "kind": "regulation",
                "title": {"zh-hans": TITLE},
                "summary": {"zh-hans": SUMMARY},
                "audience": "public",
            },
            publish=True,
        )


def _read(record: Record, lang: str, capture: Any) -> dict[str, Any]:
    with capture(execute=True):
        response = Client().get(f"/api/v1/records/{record.pk}", {"lang": lang})
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


def run_worker() -> None:
    call_command("worker", "--batch", verbosity=0)


def test_the_first_reader_starts_a_task_and_later_readers_get_the_labelled_translation(
    installed: str, chinese_record: Record, django_capture_on_commit_callbacks: Any
) -> None:
    first = _read(chinese_record, "lo", django_capture_on_commit_callbacks)["translation"]
    assert (first["status"], first["title"]["text"]) == ("pending", "")

    run_worker()
    later = _read(chinese_record, "lo", django_capture_on_commit_callbacks)["translation"]

    assert later["status"] == "done"
    assert later["engine"] == installed
    assert later["title"]["kind"] == "machine"
    assert later["title"]["engine"] == installed
    assert later["title"]["text"]
    assert later["body"]["kind"] == "original"
    assert RecordTranslation.objects.filter(record=chinese_record).count() == 1


def test_the_language_the_record_was_written_in_is_human(
    installed: str, chinese_record: Record, django_capture_on_commit_callbacks: Any
) -> None:
    own = _read(chinese_record, "zh-hans", django_capture_on_commit_callbacks)["translation"]

    assert (own["status"], own["title"]["text"], own["title"]["kind"]) == ("human", TITLE, "human")
    assert RecordTranslation.objects.count() == 0


def test_a_new_version_is_translated_afresh(
    installed: str,
    chinese_record: Record,
    owner: User,
    org: Organisation,
    django_capture_on_commit_callbacks: Any,
) -> None:
    _read(chinese_record, "lo", django_capture_on_commit_callbacks)
    run_worker()
    with django_capture_on_commit_callbacks(execute=True):
        services.update_record(
            chinese_record,
            actor=actor_for(owner, org),
            changes={"summary": {"zh-hans": "自下月起执行。"}},
        )

    again = _read(chinese_record, "lo", django_capture_on_commit_callbacks)["translation"]

    assert again["status"] == "pending"
    assert sorted(RecordTranslation.objects.values_list("version", flat=True)) == [1, 2]


def test_without_an_engine_the_reader_is_told_plainly(
    settings: Any,
    tmp_path: Path,
    chinese_record: Record,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.HARBOR_MT_MODELS_DIR = tmp_path / "none"
    clear_caches()
    _read(chinese_record, "lo", django_capture_on_commit_callbacks)
    run_worker()

    shown = _read(chinese_record, "lo", django_capture_on_commit_callbacks)["translation"]
    page = Client().get(f"/records/{chinese_record.pk}/", {"lang": "lo"}).content.decode()

    assert shown["status"] == "unavailable"
    assert "No translation model is installed" in shown["message"]
    assert 'data-translation-status="unavailable"' in page
    assert TITLE in page


def test_an_unknown_language_is_named(chinese_record: Record) -> None:
    response = Client().get(f"/api/v1/records/{chinese_record.pk}", {"lang": "xx"})

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["lang"]


def test_the_record_page_labels_machine_output_and_links_the_original(
    installed: str, chinese_record: Record, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        pending = Client().get(f"/records/{chinese_record.pk}/", {"lang": "lo"})
    run_worker()
    done = Client().get(f"/records/{chinese_record.pk}/", {"lang": "lo"}).content.decode()

    assert 'data-translation-status="pending"' in pending.content.decode()
    assert f'data-machine-translation="lo" data-engine="{installed}"' in done
    assert 'href="?lang=zh-hans" hreflang="zh-hans" data-show-original' in done
    assert TITLE not in done.split("<main", 1)[1].split("data-machine-translation", 1)[0]


def test_a_member_corrects_the_machine_translation_and_the_memory_reuses_it(
    installed: str,
    chinese_record: Record,
    owner: User,
    org: Organisation,
    session_client: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from harbor.language.services import translate_texts
    from harbor.sharing.translations import text_for_reader

    _read(chinese_record, "lo", django_capture_on_commit_callbacks)
    run_worker()
    corrected = "ກົມພາສີປະກາດລະບຽບການນຳເຂົ້າໃໝ່"
    client = session_client(owner)

    page = client.get(f"/records/{chinese_record.pk}/", {"lang": "lo"}).content.decode()
    response = client.post(
        f"/records/{chinese_record.pk}/translation/", {"language": "lo", "title": corrected}
    )

    assert "data-correct-form" in page
    assert response.status_code == 302
    shown = text_for_reader(chinese_record, "lo")
    assert shown is not None
    assert (shown.title, shown.provenance["title"]["kind"]) == (corrected, "human")
    reused = translate_texts([TITLE], source="zh-hans", target="lo").items[0]
    assert (reused.text, reused.provenance) == (corrected, "memory")


def test_an_anonymous_reader_cannot_correct_and_sees_no_form(
    installed: str, chinese_record: Record, django_capture_on_commit_callbacks: Any
) -> None:
    _read(chinese_record, "lo", django_capture_on_commit_callbacks)
    run_worker()

    page = Client().get(f"/records/{chinese_record.pk}/", {"lang": "lo"}).content.decode()
    response = Client().post(
        f"/records/{chinese_record.pk}/translation/", {"language": "lo", "title": "x"}
    )

    assert "data-correct-form" not in page
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert RecordTranslation.objects.get().provenance["title"]["kind"] == "machine"
