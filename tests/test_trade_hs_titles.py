"""HS 2022 section and chapter titles in the eleven UI languages: coverage, script, spot checks, fallback."""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from myanmartools import ZawgyiDetector

from harbor.reference.services import DATA_DIR, hs_rows
from harbor.trade import hs_titles
from harbor.trade.hs_titles import (
    TITLE_LANGUAGES,
    chapter_title,
    load_hs_titles,
    section_title,
    title_language,
)

TITLES_CSV = Path(hs_titles.__file__).resolve().parent / "data" / "hs-titles.csv"


def _sections() -> dict[str, str]:
    with (DATA_DIR / "hs2022-sections.csv").open(encoding="utf-8-sig", newline="") as handle:
        return {row["section"]: row["name"].strip() for row in csv.DictReader(handle)}


def _chapters() -> dict[str, str]:
    return {row["hscode"]: row["description"] for row in hs_rows() if row["level"] == "2"}


def _in_range(low: int, high: int) -> Callable[[str], bool]:
    return lambda char: low <= ord(char) <= high


def _named(word: str) -> Callable[[str], bool]:
    return lambda char: word in unicodedata.name(char, "")


SCRIPTS: dict[str, Callable[[str], bool]] = {
    "zh-hans": _named("CJK UNIFIED IDEOGRAPH"),
    "id": _named("LATIN"),
    "ms": _named("LATIN"),
    "th": _in_range(0x0E00, 0x0E7F),
    "vi": _named("LATIN"),
    "fil": _named("LATIN"),
    "km": _in_range(0x1780, 0x17FF),
    "lo": _in_range(0x0E80, 0x0EFF),
    "my": _in_range(0x1000, 0x109F),
    "ta": _in_range(0x0B80, 0x0BFF),
}


def test_the_file_has_the_agreed_columns_and_one_row_per_section_and_chapter() -> None:
    with TITLES_CSV.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert reader.fieldnames == [
        "kind",
        "code",
        "en",
        "zh-hans",
        "id",
        "ms",
        "th",
        "vi",
        "fil",
        "km",
        "lo",
        "my",
        "ta",
        "source_language",
        "note",
    ]
    assert len(rows) == 21 + 96
    assert {row["source_language"] for row in rows} == {"en"}
    assert len({(row["kind"], row["code"]) for row in rows}) == len(rows)


def test_every_section_and_every_chapter_of_the_nomenclature_has_titles() -> None:
    titles = load_hs_titles()
    expected = {("section", code) for code in _sections()} | {
        ("chapter", code) for code in _chapters()
    }
    assert len(_sections()) == 21
    assert len(_chapters()) == 96
    assert set(titles) == expected
    assert ("chapter", "77") not in titles
    assert ("chapter", "99") not in titles


@pytest.mark.parametrize("language", TITLE_LANGUAGES)
def test_every_title_is_present_trimmed_and_in_nfc(language: str) -> None:
    for key, titles in load_hs_titles().items():
        text = titles[language]
        assert text, (key, language)
        assert text == text.strip(), (key, language)
        assert unicodedata.normalize("NFC", text) == text, (key, language)


def test_english_titles_are_the_source_files_text() -> None:
    titles = load_hs_titles()
    for code, name in _sections().items():
        assert titles[("section", code)]["en"] == name
    for code, description in _chapters().items():
        assert titles[("chapter", code)]["en"] == description


@pytest.mark.parametrize("language", sorted(SCRIPTS))
def test_titles_are_written_mostly_in_the_languages_script(language: str) -> None:
    in_script = SCRIPTS[language]
    for key, titles in load_hs_titles().items():
        letters = [char for char in titles[language] if char.isalpha()]
        inside = sum(1 for char in letters if in_script(char))
        assert inside * 2 > len(letters), (key, language, titles[language])


def test_chinese_titles_use_full_width_punctuation() -> None:
    for key, titles in load_hs_titles().items():
        assert not set(titles["zh-hans"]) & set(";,()"), key


def test_burmese_titles_are_unicode_not_zawgyi() -> None:
    detector = ZawgyiDetector()
    for key, titles in load_hs_titles().items():
        assert detector.get_zawgyi_probability(titles["my"]) < 0.5, key


@pytest.mark.parametrize(
    ("kind", "code", "language", "expected"),
    [
        ("chapter", "01", "zh-hans", "活动物"),
        ("chapter", "72", "zh-hans", "钢铁"),
        ("chapter", "85", "en", _chapters()["85"]),
        ("chapter", "72", "th", "เหล็กและเหล็กกล้า"),
        ("chapter", "10", "vi", "Ngũ cốc"),
        ("chapter", "52", "id", "Kapas"),
        ("chapter", "72", "ms", "Besi dan keluli"),
        ("chapter", "01", "km", "សត្វរស់"),
        ("chapter", "01", "lo", "ສັດມີຊີວິດ"),
        ("chapter", "52", "ta", "பருத்தி"),
        ("section", "XXI", "en", "Works of art, collectors' pieces and antiques"),
        ("section", "XV", "zh-hans", "贱金属及其制品"),
    ],
)
def test_spot_checks(kind: str, code: str, language: str, expected: str) -> None:
    title = section_title(code, language) if kind == "section" else chapter_title(code, language)
    assert title == expected


def test_chapter_85_english_is_comtrades_wording() -> None:
    assert chapter_title("85", "en") == (
        "Electrical machinery and equipment and parts thereof; sound recorders and reproducers; "
        "television image and sound recorders and reproducers, parts and accessories of such articles"
    )


@pytest.mark.parametrize(
    "language", ["zh", "zh-cn", "zh-CN", "zh_Hans", "ZH-HANS", "zh-sg", " zh-hans "]
)
def test_every_spelling_of_simplified_chinese_reads_the_chinese_column(language: str) -> None:
    assert chapter_title("01", language) == "活动物"
    assert section_title("I", language) == "活动物；动物产品"


@pytest.mark.parametrize("language", ["de", "", "zh-hant", "zh-tw", "zh-hk", "xx-yy", "english"])
def test_a_language_without_titles_falls_back_to_english(language: str) -> None:
    assert chapter_title("01", language) == "Animals; live"
    assert section_title("XVI", language) == _sections()["XVI"]


@pytest.mark.parametrize(
    ("language", "column"), [("th-TH", "th"), ("ms_MY", "ms"), ("fil-PH", "fil")]
)
def test_a_regional_tag_reads_its_primary_language(language: str, column: str) -> None:
    assert title_language(language) == column
    assert chapter_title("72", language) == load_hs_titles()[("chapter", "72")][column]


def test_codes_are_read_leniently_and_unknown_codes_have_no_title() -> None:
    assert chapter_title("1", "en") == "Animals; live"
    assert chapter_title(" 01 ", "en") == "Animals; live"
    assert section_title("xvi", "en") == _sections()["XVI"]
    assert chapter_title("77", "en") == ""
    assert chapter_title("99", "en") == ""
    assert chapter_title("", "en") == ""
    assert section_title("XXII", "th") == ""


def test_the_titles_are_read_once() -> None:
    assert load_hs_titles() is load_hs_titles()


@given(language=st.text(max_size=20))
def test_any_language_string_gives_a_title(language: str) -> None:
    assert title_language(language) in TITLE_LANGUAGES
    assert chapter_title("84", language) != ""
    assert section_title("XVI", language) != ""
