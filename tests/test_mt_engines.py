"""Machine translation engines: real CTranslate2 and SentencePiece on tiny random-weight models.

The models are built in seconds by ``harbor.language.testing``; their output is nonsense, but it is the
real decoder's nonsense, so batching, target prefixes, pivoting and caching are checked exactly.
"""

from __future__ import annotations

import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from io import StringIO
from pathlib import Path
from typing import Any

import ctranslate2
import pytest
import sentencepiece
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given
from hypothesis import strategies as st

from harbor.core.errors import ValidationFailed
from harbor.language.engines import (
    CTranslate2Engine,
    EngineError,
    TranslationCache,
    clear_caches,
    install_model,
    list_models,
    plan_translation,
    read_manifest,
    translate,
)
from harbor.language.engines.ctranslate2_engine import decoding_limit
from harbor.language.engines.segments import join_segments, split_segments
from harbor.language.testing import all_sample_sentences, build_tiny_model, language_token

THAI = ["ท่าเรือส่งข้าวไปสิงคโปร์", "กรุณาส่งหนังสือรับรอง", "สวัสดีครับ"]


def build(folder: Path, **options: Any) -> Path:
    return build_tiny_model(folder, sentences=all_sample_sentences(), **options)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Tiny models built once: th→en, en→lo, th→en with other weights, and a multilingual one."""
    root = tmp_path_factory.mktemp("mt-built")
    return {
        "th-en": build(root / "th-en", source_lang="th", target_lang="en", seed=1),
        "en-lo": build(root / "en-lo", source_lang="en", target_lang="lo", seed=2),
        "th-en-v2": build(root / "th-en-v2", source_lang="th", target_lang="en", seed=3),
        "mul": build(root / "mul", kind="multilingual", languages=["en", "th", "lo", "vi"], seed=4),
    }


@pytest.fixture
def models(settings: Any, tmp_path: Path) -> Any:
    """An empty models directory for this test."""
    settings.HARBOR_MT_MODELS_DIR = tmp_path / "models"
    yield tmp_path / "models"
    clear_caches()


def place(built: dict[str, Path], models: Path, *keys: str) -> None:
    """Copy built models into the models directory under their manifest names."""
    for key in keys:
        name = json.loads((built[key] / "manifest.json").read_text())["name"]
        shutil.copytree(built[key], models / name)


def raw_translate(
    folder: Path,
    text: str,
    *,
    source_file: str,
    target_file: str,
    source_prefix: list[str] | None = None,
    target_prefix: list[str] | None = None,
    beam_size: int = 1,
) -> str:
    """The same translation done by hand with CTranslate2 and SentencePiece, as their docs show."""
    source_model = sentencepiece.SentencePieceProcessor(model_file=str(folder / source_file))
    target_model = sentencepiece.SentencePieceProcessor(model_file=str(folder / target_file))
    tokens = (source_prefix or []) + source_model.encode(text, out_type=str) + ["</s>"]
    translator = ctranslate2.Translator(str(folder), device="cpu")
    result = translator.translate_batch(
        [tokens],
        target_prefix=[target_prefix] if target_prefix else None,
        beam_size=beam_size,
        max_decoding_length=len(target_prefix or []) + decoding_limit(len(tokens)),
    )
    hypothesis = result[0].hypotheses[0][len(target_prefix or []) :]
    return str(target_model.decode_pieces(hypothesis)).strip()


# --- the tiny model builder ---------------------------------------------------------------------------


def test_builder_writes_a_ctranslate2_model_with_tokenizers_and_manifest(
    built: dict[str, Path],
) -> None:
    files = sorted(path.name for path in built["th-en"].iterdir())
    assert files == [
        "config.json",
        "manifest.json",
        "model.bin",
        "shared_vocabulary.json",
        "source.spm",
        "target.spm",
    ]
    manifest = json.loads((built["th-en"] / "manifest.json").read_text())
    assert manifest["name"] == "tiny-th-en"
    assert manifest["pairs"] == [["th", "en"]]
    assert manifest["quantisation"] == "int8"
    vocabulary = json.loads((built["mul"] / "shared_vocabulary.json").read_text())
    assert {"__en__", "__th__", "__lo__", "__vi__"} <= set(vocabulary)


def test_builder_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("operator's file")
    with pytest.raises(ValueError, match="is not empty"):
        build(tmp_path)
    assert [path.name for path in tmp_path.iterdir()] == ["keep.txt"]


# --- the CTranslate2 engine ---------------------------------------------------------------------------


def test_pair_model_translates_a_batch_one_non_empty_string_each_and_the_same_twice(
    built: dict[str, Path],
) -> None:
    engine = CTranslate2Engine(built["th-en"])

    first = engine.translate_batch(THAI, source="th", target="en")
    second = engine.translate_batch(THAI, source="th", target="en")

    assert len(first) == 3
    assert all(text.strip() for text in first)
    assert first == second
    assert len(set(first)) == 3


def test_engine_output_is_what_ctranslate2_and_sentencepiece_give_by_hand(
    built: dict[str, Path],
) -> None:
    engine = CTranslate2Engine(built["th-en"])

    translated = engine.translate_batch([THAI[0]], source="th", target="en")

    assert translated == [
        raw_translate(built["th-en"], THAI[0], source_file="source.spm", target_file="target.spm")
    ]


def test_the_manifest_may_ask_for_a_wider_beam(built: dict[str, Path], tmp_path: Path) -> None:
    folder = tmp_path / "model"
    shutil.copytree(built["th-en"], folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / "manifest.json").write_text(json.dumps({**manifest, "beam_size": 3}))

    translated = CTranslate2Engine(folder).translate_batch([THAI[1]], source="th", target="en")

    assert translated == [
        raw_translate(
            folder, THAI[1], source_file="source.spm", target_file="target.spm", beam_size=3
        )
    ]
    assert translated != [
        raw_translate(folder, THAI[1], source_file="source.spm", target_file="target.spm")
    ]


def test_multilingual_model_marks_the_source_and_forces_the_target_language(
    built: dict[str, Path],
) -> None:
    engine = CTranslate2Engine(built["mul"])

    to_english, to_lao = (
        engine.translate_batch([THAI[0]], source="th", target=target)[0] for target in ("en", "lo")
    )

    assert to_english == raw_translate(
        built["mul"],
        THAI[0],
        source_file="sentencepiece.model",
        target_file="sentencepiece.model",
        source_prefix=[language_token("th")],
        target_prefix=[language_token("en")],
    )
    assert to_lao == raw_translate(
        built["mul"],
        THAI[0],
        source_file="sentencepiece.model",
        target_file="sentencepiece.model",
        source_prefix=[language_token("th")],
        target_prefix=[language_token("lo")],
    )
    assert to_english != to_lao
    assert "__" not in to_english + to_lao


def test_blank_texts_come_back_as_they_were_and_line_breaks_are_kept(
    built: dict[str, Path],
) -> None:
    engine = CTranslate2Engine(built["th-en"])
    alone = engine.translate_batch(THAI[:2], source="th", target="en")

    result = engine.translate_batch(
        ["", "   ", f"{THAI[0]}\n\n{THAI[1]}"], source="th", target="en"
    )

    assert result == ["", "   ", f"{alone[0]}\n\n{alone[1]}"]


def test_text_the_tokenizer_cannot_read_is_kept_as_it_is(built: dict[str, Path]) -> None:
    engine = CTranslate2Engine(built["th-en"])

    assert engine.translate_batch(["\u200b"], source="th", target="en") == ["\u200b"]


def test_a_sentence_longer_than_200_pieces_is_translated_in_windows(
    built: dict[str, Path],
) -> None:
    folder = built["th-en"]
    text = "สวัสดีครับ" * 40
    tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(folder / "source.spm"))
    pieces = tokenizer.encode(text, out_type=str)
    assert len(pieces) > 200
    # One batch, as the engine sends it: the windows by length, bounded by the longest.
    windows = [[*pieces[start : start + 200], "</s>"] for start in range(0, len(pieces), 200)]
    order = sorted(range(len(windows)), key=lambda position: len(windows[position]))
    translator = ctranslate2.Translator(str(folder), device="cpu")
    results = translator.translate_batch(
        [windows[position] for position in order],
        beam_size=1,
        max_decoding_length=decoding_limit(max(len(window) for window in windows)),
    )
    decoded = dict(zip(order, results, strict=True))
    outputs = [
        tokenizer.decode_pieces(decoded[position].hypotheses[0]).strip()
        for position in range(len(windows))
    ]

    translated = CTranslate2Engine(folder).translate_batch([text], source="th", target="en")

    assert translated == [" ".join(outputs)]


def test_decoding_is_bounded_relative_to_the_input() -> None:
    assert decoding_limit(10) == 25
    assert decoding_limit(1) == 12
    assert decoding_limit(400) == 512


def test_engine_refuses_a_pair_its_model_does_not_cover(built: dict[str, Path]) -> None:
    engine = CTranslate2Engine(built["th-en"])

    with pytest.raises(EngineError) as caught:
        engine.translate_batch(["hello"], source="en", target="th")

    assert caught.value.code == "mt_unsupported_pair"
    assert caught.value.http_status == 422
    assert str(caught.value.detail) == (
        "The translation model tiny-th-en does not translate from en to th."
    )


def test_engine_is_safe_to_call_from_several_threads(built: dict[str, Path]) -> None:
    engine = CTranslate2Engine(built["th-en"])
    expected = CTranslate2Engine(built["th-en"]).translate_batch(THAI, source="th", target="en")

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(
            pool.map(lambda _n: engine.translate_batch(THAI, source="th", target="en"), range(8))
        )

    assert results == [expected] * 8


# --- broken model folders -----------------------------------------------------------------------------


def broken_copy(built: dict[str, Path], tmp_path: Path, damage: str) -> Path:
    folder = tmp_path / "damaged"
    shutil.copytree(built["th-en"], folder)
    if damage == "model.bin":
        data = (folder / "model.bin").read_bytes()
        (folder / "model.bin").write_bytes(data[: len(data) // 2])
    elif damage == "json":
        (folder / "manifest.json").write_text('{"name": "tiny-th-en",\n "kind": }')
    elif damage == "missing spm":
        (folder / "source.spm").unlink()
    elif damage == "garbage spm":
        (folder / "target.spm").write_bytes(b"not a sentencepiece model")
    elif damage == "no model.bin":
        (folder / "model.bin").unlink()
    return folder


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        ("json", "manifest.json is not valid JSON (line 2, column 10: Expecting value)."),
        ("missing spm", "the SentencePiece model source.spm named in manifest.json is missing."),
        (
            "no model.bin",
            "model.bin is missing; convert the model with CTranslate2 into this folder.",
        ),
    ],
)
def test_a_folder_with_a_bad_manifest_or_missing_file_is_reported_before_loading(
    built: dict[str, Path], tmp_path: Path, damage: str, reason: str
) -> None:
    folder = broken_copy(built, tmp_path, damage)

    with pytest.raises(EngineError) as caught:
        read_manifest(folder)

    assert caught.value.code == "mt_model_broken"
    assert caught.value.reason == reason
    assert str(caught.value.detail) == (
        f"The translation model in {folder} cannot be used: {reason}"
    )


def test_a_corrupt_model_bin_is_reported_when_loading(
    built: dict[str, Path], tmp_path: Path
) -> None:
    folder = broken_copy(built, tmp_path, "model.bin")
    engine = CTranslate2Engine(folder)

    with pytest.raises(EngineError) as caught:
        engine.translate_batch(["สวัสดี"], source="th", target="en")

    assert caught.value.code == "mt_model_broken"
    assert caught.value.http_status == 503
    assert caught.value.reason is not None
    assert caught.value.reason.startswith("CTranslate2 cannot load model.bin (")
    assert "invalid payload size" in caught.value.reason
    assert str(folder) in str(caught.value.detail)


def test_an_unreadable_sentencepiece_model_is_reported_when_loading(
    built: dict[str, Path], tmp_path: Path
) -> None:
    folder = broken_copy(built, tmp_path, "garbage spm")

    with pytest.raises(EngineError) as caught:
        CTranslate2Engine(folder).load()

    assert caught.value.code == "mt_model_broken"
    assert caught.value.reason is not None
    assert caught.value.reason.startswith("the SentencePiece model target.spm cannot be read (")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"name": "../escape"}, "“name” in manifest.json must be 1 to 64 letters"),
        ({"kind": "dictionary"}, "“kind” in manifest.json must be “pair” or “multilingual”."),
        ({"pairs": [["th", "xx"]]}, "“xx” in “pairs” is not a harbor language"),
        ({"pairs": []}, "“pairs” in manifest.json must be a non-empty list"),
        ({"beam_size": 9}, "“beam_size” in manifest.json must be a whole number from 1 to 4."),
        ({"compute_type": "float16"}, "“compute_type” in manifest.json must be one of"),
        (
            {"tokenizer": {"type": "sentencepiece", "model": "../source.spm"}},
            "the tokenizer file “../source.spm” must be a file name inside the model folder.",
        ),
        (
            {"target_prefix": {"lo": "__lo__"}},
            "“target_prefix” in manifest.json has no token for en.",
        ),
        (
            {"kind": "multilingual", "languages": ["th", "en"]},
            "“target_prefix” in manifest.json has no token for en, th.",
        ),
    ],
)
def test_manifest_mistakes_are_named(
    built: dict[str, Path], tmp_path: Path, change: dict[str, Any], reason: str
) -> None:
    folder = tmp_path / "model"
    shutil.copytree(built["th-en"], folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest.update(change)
    (folder / "manifest.json").write_text(json.dumps(manifest))

    with pytest.raises(EngineError) as caught:
        read_manifest(folder)

    assert caught.value.reason is not None
    assert caught.value.reason.startswith(reason)


def test_a_language_token_missing_from_the_vocabulary_is_reported(
    built: dict[str, Path], tmp_path: Path
) -> None:
    folder = tmp_path / "model"
    shutil.copytree(built["mul"], folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["target_prefix"]["vi"] = "__vie__"
    (folder / "manifest.json").write_text(json.dumps(manifest))

    with pytest.raises(EngineError) as caught:
        CTranslate2Engine(folder).load()

    assert caught.value.reason == (
        "the target vocabulary has no token __vie__ named in manifest.json."
    )


# --- the registry -------------------------------------------------------------------------------------


def test_no_model_installed_is_mt_no_engine(models: Path) -> None:
    with pytest.raises(EngineError) as caught:
        translate(["สวัสดี"], source="th", target="en")

    assert caught.value.code == "mt_no_engine"
    assert caught.value.http_status == 503
    assert str(caught.value.detail) == (
        "No translation model is installed: see docs/OPERATIONS.md, Machine translation"
    )
    assert list_models() == []


@pytest.mark.parametrize(("field", "codes"), [("source", ("xx", "en")), ("target", ("th", "EN"))])
def test_a_language_the_harbor_does_not_know_is_a_validation_error(
    models: Path, field: str, codes: tuple[str, str]
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        translate(["x"], source=codes[0], target=codes[1])

    bad = codes[0] if field == "source" else codes[1]
    assert [error.as_dict() for error in caught.value.errors] == [
        {
            "field": field,
            "message": f"“{bad}” is not a harbor language; use one of: en, zh-hans, zh-hant, "
            "id, ms, th, vi, fil, km, lo, my, ta.",
        }
    ]


def test_a_model_made_for_the_pair_is_preferred_to_a_multilingual_one(
    built: dict[str, Path], models: Path
) -> None:
    place(built, models, "th-en", "mul")

    assert plan_translation(source="th", target="en").engines == ("tiny-th-en",)
    assert plan_translation(source="th", target="lo").engines == ("tiny-mul",)
    assert plan_translation(source="vi", target="en").engines == ("tiny-mul",)


def test_a_pair_no_model_covers_is_translated_through_english(
    built: dict[str, Path], models: Path
) -> None:
    place(built, models, "th-en", "en-lo")

    plan = plan_translation(source="th", target="lo")
    result = translate(THAI, source="th", target="lo")

    assert plan.engines == ("tiny-th-en", "tiny-en-lo")
    assert plan.pivot is True
    assert [(step.source, step.target) for step in plan.steps] == [("th", "en"), ("en", "lo")]
    assert result.engine == "tiny-th-en → tiny-en-lo"
    english = CTranslate2Engine(built["th-en"]).translate_batch(THAI, source="th", target="en")
    assert result.texts == CTranslate2Engine(built["en-lo"]).translate_batch(
        english, source="en", target="lo"
    )


def test_a_pair_no_model_can_make_is_mt_unsupported_pair(
    built: dict[str, Path], models: Path
) -> None:
    place(built, models, "th-en")

    with pytest.raises(EngineError) as caught:
        translate(["Xin chào"], source="vi", target="ta")

    assert caught.value.code == "mt_unsupported_pair"
    assert str(caught.value.detail) == (
        "No installed translation model translates from vi to ta, directly or through English."
    )


def test_the_same_language_is_returned_untranslated(built: dict[str, Path], models: Path) -> None:
    place(built, models, "th-en")

    result = translate(THAI, source="th", target="th")

    assert result.texts == THAI
    assert result.engine == ""


def test_repeated_texts_are_served_from_the_cache(built: dict[str, Path], models: Path) -> None:
    place(built, models, "th-en")

    first = translate(THAI, source="th", target="en")
    second = translate([*THAI, "ลาก่อน"], source="th", target="en")

    assert first.cached == 0
    assert second.cached == 3
    assert second.texts[:3] == first.texts
    assert (
        second.texts[3]
        == CTranslate2Engine(built["th-en"]).translate_batch(["ลาก่อน"], source="th", target="en")[0]
    )


def test_the_translation_cache_forgets_the_least_recently_used_entry() -> None:
    cache = TranslationCache(maxsize=2)
    cache.put("a", "A")
    cache.put("b", "B")
    assert cache.get("a") == "A"

    cache.put("c", "C")

    assert (cache.get("a"), cache.get("b"), cache.get("c")) == ("A", None, "C")
    assert len(cache) == 2


def test_a_broken_folder_is_listed_with_its_reason_and_the_good_model_still_serves(
    built: dict[str, Path], models: Path
) -> None:
    place(built, models, "th-en")
    (models / "half-copied").mkdir()
    (models / "bad-json").mkdir()
    (models / "bad-json" / "manifest.json").write_text("{")
    (models / ".installing-x-1234").mkdir()

    listed = {model.name: (model.status, model.problem) for model in list_models()}
    result = translate([THAI[0]], source="th", target="en")

    assert listed == {
        "bad-json": (
            "broken",
            "manifest.json is not valid JSON (line 1, column 2: Expecting property name "
            "enclosed in double quotes).",
        ),
        "half-copied": ("broken", "manifest.json is missing."),
        "tiny-th-en": ("ok", None),
    }
    assert result.engine == "tiny-th-en"


def test_a_folder_not_named_after_its_model_is_broken(built: dict[str, Path], models: Path) -> None:
    shutil.copytree(built["th-en"], models / "thai")

    [model] = list_models()

    assert model.problem == (
        "the folder is named thai but its manifest names the model tiny-th-en; install it with "
        "“harbor mt install”, which names the folder after the model."
    )


def test_a_model_that_fails_to_load_is_set_aside_for_one_that_works(
    built: dict[str, Path], models: Path
) -> None:
    place(built, models, "th-en", "mul")
    data = (models / "tiny-th-en" / "model.bin").read_bytes()
    (models / "tiny-th-en" / "model.bin").write_bytes(data[:1000])

    result = translate([THAI[0]], source="th", target="en")
    listed = {model.name: model.status for model in list_models()}

    assert result.engine == "tiny-mul"
    assert listed == {"tiny-mul": "ok", "tiny-th-en": "broken"}


def test_list_check_loads_each_model_and_finds_a_corrupt_one(
    built: dict[str, Path], models: Path
) -> None:
    place(built, models, "th-en", "en-lo")
    (models / "tiny-en-lo" / "model.bin").write_bytes(b"\0" * 64)

    assert [model.status for model in list_models()] == ["ok", "ok"]
    checked = list_models(check=True)

    assert [(model.name, model.status) for model in checked] == [
        ("tiny-en-lo", "broken"),
        ("tiny-th-en", "ok"),
    ]
    assert checked[0].problem is not None
    assert checked[0].problem.startswith("CTranslate2 cannot load model.bin (")


# --- installation -------------------------------------------------------------------------------------


def test_install_copies_the_folder_under_the_model_name(
    built: dict[str, Path], models: Path
) -> None:
    installed = install_model(built["th-en"])

    assert installed.name == "tiny-th-en"
    assert installed.path == models / "tiny-th-en"
    assert installed.pairs == (("th", "en"),)
    assert installed.status == "ok"
    assert sorted(path.name for path in models.iterdir()) == ["tiny-th-en"]
    assert (models / "tiny-th-en" / "model.bin").read_bytes() == (
        built["th-en"] / "model.bin"
    ).read_bytes()


def test_install_refuses_to_overwrite_unless_told_to_replace(
    built: dict[str, Path], models: Path
) -> None:
    install_model(built["th-en"])
    before = translate([THAI[0]], source="th", target="en").texts

    with pytest.raises(EngineError) as caught:
        install_model(built["th-en-v2"])
    assert caught.value.code == "mt_model_exists"
    assert caught.value.http_status == 409
    assert translate([THAI[0]], source="th", target="en").texts == before

    install_model(built["th-en-v2"], replace=True)
    after = translate([THAI[0]], source="th", target="en")

    assert after.texts != before
    assert after.cached == 0
    assert after.texts == CTranslate2Engine(built["th-en-v2"]).translate_batch(
        [THAI[0]], source="th", target="en"
    )
    assert sorted(path.name for path in models.iterdir()) == ["tiny-th-en"]


def test_install_of_a_broken_folder_copies_nothing(
    built: dict[str, Path], models: Path, tmp_path: Path
) -> None:
    folder = broken_copy(built, tmp_path, "model.bin")

    with pytest.raises(EngineError) as caught:
        install_model(folder)

    assert caught.value.code == "mt_model_broken"
    assert not models.exists()


# --- the command line ---------------------------------------------------------------------------------


def run(*args: str) -> str:
    out = StringIO()
    call_command("mt", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_cli_without_models_says_so_plainly(models: Path) -> None:
    assert run("list") == (
        f"No translation model is installed in {models}: see docs/OPERATIONS.md, "
        "Machine translation\n"
    )
    with pytest.raises(CommandError) as caught:
        run("translate", "--from", "th", "--to", "en", "สวัสดี")
    assert str(caught.value) == (
        "No translation model is installed: see docs/OPERATIONS.md, Machine translation"
    )


def test_cli_install_list_and_translate(built: dict[str, Path], models: Path) -> None:
    assert run("install", str(built["th-en"])) == (
        f"installed tiny-th-en (th→en) in {models / 'tiny-th-en'}\n"
    )
    run("install", str(built["mul"]))
    (models / "leftover").mkdir()

    listing = run("list").splitlines()
    output = run("translate", "--from", "th", "--to", "lo", THAI[0]).splitlines()

    assert listing == [
        "name        kind          languages    quantisation  licence  status",
        "leftover    -             -            -             -        broken: manifest.json is missing.",
        "tiny-mul    multilingual  en th vi lo  int8          CC0-1.0  ok",
        "tiny-th-en  pair          th→en        int8          CC0-1.0  ok",
    ]
    expected = CTranslate2Engine(built["mul"]).translate_batch([THAI[0]], source="th", target="lo")
    assert output == [expected[0], "engine: tiny-mul"]


def test_cli_install_twice_needs_replace(built: dict[str, Path], models: Path) -> None:
    run("install", str(built["th-en"]))

    with pytest.raises(CommandError) as caught:
        run("install", str(built["th-en-v2"]))
    assert str(caught.value) == (
        "a model named tiny-th-en is already installed; use --replace to replace it"
    )

    assert run("install", "--replace", str(built["th-en-v2"])).startswith("installed tiny-th-en")


def test_cli_install_of_a_broken_folder_names_the_problem(
    built: dict[str, Path], models: Path, tmp_path: Path
) -> None:
    folder = broken_copy(built, tmp_path, "missing spm")

    with pytest.raises(CommandError) as caught:
        run("install", str(folder))

    assert str(caught.value) == (
        f"The translation model in {folder} cannot be used: the SentencePiece model source.spm "
        "named in manifest.json is missing."
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--from", "thai", "--to", "en"),
            "--from: “thai” is not a harbor language; use one of: en, zh-hans, zh-hant, id, ms, "
            "th, vi, fil, km, lo, my, ta.",
        ),
        (
            ("--from", "th", "--to", "ta"),
            "No installed translation model translates from th to ta, directly or through English.",
        ),
    ],
)
def test_cli_translate_errors_are_clear(
    built: dict[str, Path], models: Path, args: tuple[str, ...], message: str
) -> None:
    place(built, models, "th-en")

    with pytest.raises(CommandError) as caught:
        run("translate", *args, "สวัสดี")

    assert str(caught.value) == message


def test_cli_list_check_exits_with_an_error_when_a_model_is_broken(
    built: dict[str, Path], models: Path
) -> None:
    place(built, models, "th-en")
    (models / "tiny-th-en" / "target.spm").write_bytes(b"junk")

    with pytest.raises(CommandError) as caught:
        run("list", "--check")

    assert str(caught.value) == "1 broken model(s): tiny-th-en"


# --- sentence segments --------------------------------------------------------------------------------


def test_segments_cut_at_sentence_ends_and_line_breaks_only() -> None:
    assert split_segments("Price: 3.5 kg. Ship now!\n\nสวัสดีครับ ยินดีต้อนรับ 你好。再见") == (
        ["Price: 3.5 kg.", "Ship now!", "สวัสดีครับ ยินดีต้อนรับ 你好。", "再见"],
        ["", " ", "\n\n", "", ""],
    )


@given(st.text(alphabet=st.sampled_from(list("ab .!?。\n\t ก។"))))
def test_segments_always_join_back_to_the_text(text: str) -> None:
    segments, glue = split_segments(text)

    assert join_segments(segments, glue) == text
    assert len(glue) == len(segments) + 1
    assert all(segment == segment.strip() and segment for segment in segments)


def test_a_deleted_model_is_no_longer_used(built: dict[str, Path], models: Path) -> None:
    place(built, models, "th-en")
    translate([THAI[0]], source="th", target="en")

    shutil.rmtree(models / "tiny-th-en")

    with pytest.raises(EngineError) as caught:
        translate(["ลาก่อน"], source="th", target="en")
    assert caught.value.code == "mt_no_engine"
