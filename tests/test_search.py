"""Multilingual search on the real index (SQLite FTS5 or PostgreSQL, whichever the suite runs on)."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from harbor.search.services import IndexDocument, index_documents, make_snippet, search_documents
from harbor.search.text import (
    PIECE,
    first_match,
    has_myanmar,
    highlight_spans,
    index_terms,
    is_zawgyi,
    normalise,
    query_terms,
    spans_between,
    word_strings,
    words,
    zawgyi_to_unicode,
)

pytestmark = pytest.mark.django_db

# The rank window is SQLite's: PostgreSQL ranks every visible match (see PostgresBackend).
sqlite_window = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the rank window applies to SQLite only"
)


@pytest.fixture(autouse=True)
def _keywords_only(settings: Any) -> None:
    """These tests pin keyword matching exactly; cross-lingual ranking has its own test below."""
    settings.HARBOR_SEARCH_SEMANTIC = False


DOCS = {
    1: ("th", "ประกาศกระทรวงพาณิชย์เรื่องการนำเข้าทุเรียน"),
    2: ("lo", "ສິນຄ້າສົ່ງອອກກາເຟຈາກລາວ"),
    3: ("km", "ការនាំចេញអង្ករទៅប្រទេសចិន"),
    4: ("my", "မြန်မာနိုင်ငံ ကုန်သွယ်ရေး ဝန်ကြီးဌာန"),
    5: ("zh-hans", "海关总署关于进口榴莲的公告"),
    6: ("vi", "Thông báo về cô gái bán cà phê"),
    7: ("vi", "Hàng hóa có xuất xứ từ Trung Quốc"),
    8: ("ta", "சிங்கப்பூர் வர்த்தக அறிவிப்பு"),
    9: ("id", "Pengumuman tarif impor kopi"),
    10: ("en", "Rules of origin for bamboo furniture"),
}


@pytest.fixture
def indexed() -> None:
    index_documents(
        IndexDocument(
            source="test",
            object_id=pk,
            texts={lang: text},
            access_keys=["public"] if pk != 10 else ["o_7"],
            kind="notice" if pk % 2 else "regulation",
            country="TH" if lang == "th" else "VN",
            facets={"language": [lang]},
        )
        for pk, (lang, text) in DOCS.items()
    )


def ids(text: str, keys: list[str] | None = None) -> list[int]:
    found = search_documents(text, access_keys=keys or ["public"], source="test")
    return sorted(doc.object_id for doc in found.documents)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("กระทรวงพาณิชย์", [1]),  # Thai, no spaces in the document
        ("ทุเรียน", [1]),
        ("ກາເຟ", [2]),  # Lao
        ("អង្ករ", [3]),  # Khmer
        ("ကုန်သွယ်ရေး", [4]),  # Burmese, Unicode
        ("ကုန္သြယ္ေရး", [4]),  # the same word typed in Zawgyi
        ("榴莲", [5]),  # Chinese, two characters
        ("莲", [5]),  # Chinese, one character
        ("海关总署", [5]),
        ("cô", [6]),  # Vietnamese: the tone mark matters
        ("có", [7]),
        ("CÔ GÁI", [6]),
        ("வர்த்தக", [8]),  # Tamil
        ("kopi", [9]),
        ("durian", []),
    ],
)
def test_query_finds_exactly_the_documents_in_its_language(
    indexed: None, query: str, expected: list[int]
) -> None:
    assert ids(query) == expected


def test_access_keys_hide_documents_and_their_facet_counts(indexed: None) -> None:
    assert ids("bamboo") == []
    assert ids("bamboo", ["public", "o_7"]) == [10]
    found = search_documents(
        "", access_keys=["public"], source="test", facet_names=("kind", "language")
    )
    assert found.total == 9
    assert dict(found.facets["kind"]) == {"notice": 5, "regulation": 4}
    assert dict(found.facets["language"])["vi"] == 2
    assert "en" not in dict(found.facets["language"])


def test_facet_filter_narrows_results_and_counts(indexed: None) -> None:
    found = search_documents(
        "",
        access_keys=["public"],
        source="test",
        filters={"language": ["vi"]},
        facet_names=("kind",),
    )
    assert sorted(doc.object_id for doc in found.documents) == [6, 7]
    assert dict(found.facets["kind"]) == {"regulation": 1, "notice": 1}


def test_reindexing_replaces_a_document(indexed: None) -> None:
    index_documents(
        [
            IndexDocument(
                source="test",
                object_id=9,
                texts={"id": "Pengumuman tarif teh"},
                access_keys=["public"],
            )
        ]
    )
    assert ids("kopi") == []
    assert ids("teh") == [9]


def test_ranking_prefers_more_occurrences() -> None:
    index_documents(
        [
            IndexDocument(
                source="rank", object_id=1, texts={"en": "coffee tariff"}, access_keys=["public"]
            ),
            IndexDocument(
                source="rank",
                object_id=2,
                texts={"en": "coffee coffee coffee tariff"},
                access_keys=["public"],
            ),
        ]
    )
    found = search_documents("coffee", access_keys=["public"], source="rank")
    assert [doc.object_id for doc in found.documents] == [2, 1]


def test_pagination_is_stable(indexed: None) -> None:
    first = search_documents("", access_keys=["public"], source="test", limit=4)
    second = search_documents("", access_keys=["public"], source="test", limit=4, offset=4)
    third = search_documents("", access_keys=["public"], source="test", limit=4, offset=8)
    seen = [d.object_id for d in first.documents + second.documents + third.documents]
    assert sorted(seen) == [1, 2, 3, 4, 5, 6, 7, 8, 9]


def test_query_syntax_characters_are_plain_text(indexed: None) -> None:
    for query in ['"', "'", "a OR b", "NEAR(", "*", "\\", "acl_terms: public", "o_7"]:
        found = search_documents(query, access_keys=["public"], source="test")
        assert all(doc.object_id != 10 for doc in found.documents)


def test_segmentation_of_scripts_without_spaces() -> None:
    assert query_terms("ประกาศกระทรวงพาณิชย์") == ["ประกาศ", "กระทรวง", "พาณิชย์"]
    assert index_terms("海关公告")[:2] == ["海关", "公告"]
    assert set(index_terms("海关公告")[2:]) == {"海", "关", "公", "告"}


def test_zawgyi_is_detected_and_converted() -> None:
    assert is_zawgyi("ျမန္မာႏိုင္ငံ")
    assert not is_zawgyi("မြန်မာနိုင်ငံ")
    assert normalise("ျမန္မာႏိုင္ငံ") == "မြန်မာနိုင်ငံ"


def test_snippet_highlights_the_original_text() -> None:
    snippet = make_snippet({"vi": "Thông báo về THUẾ nhập khẩu"}, query_terms("thuế"), "vi")
    assert snippet is not None
    assert snippet.parts == [("Thông báo về ", False), ("THUẾ", True), (" nhập khẩu", False)]


def test_a_thai_query_finds_a_chinese_record_about_the_same_thing(settings: Any) -> None:
    settings.HARBOR_SEARCH_SEMANTIC = True
    chinese = {
        1: "大米出口配额管理办法",
        2: "关于电动汽车进口关税调整的通知",
        3: "网络钓鱼攻击预警",
        4: "竹制家具出口合作",
    }
    index_documents(
        IndexDocument(source="xl", object_id=pk, texts={"zh-hans": text}, access_keys=["public"])
        for pk, text in chinese.items()
    )
    # "export quota for rice", in Thai: no word in common with the Chinese text
    found = search_documents("โควตาส่งออกข้าว", access_keys=["public"], source="xl")
    assert found.documents[0].object_id == 1
    # the semantic stage obeys access keys too
    hidden = search_documents("โควตาส่งออกข้าว", access_keys=["o_99"], source="xl")
    assert hidden.documents == []


def test_broad_queries_count_up_to_a_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    from harbor.search import engine

    monkeypatch.setattr(engine, "COUNT_CAP", 3)
    index_documents(
        IndexDocument(
            source="cap",
            object_id=pk,
            texts={"en": f"coffee {pk}"},
            access_keys=["public"],
            kind="notice",
        )
        for pk in range(1, 6)
    )
    found = search_documents("coffee", access_keys=["public"], source="cap", facet_names=("kind",))
    assert (found.total, found.total_exact, len(found.documents)) == (3, False, 5)
    assert found.facets["kind"] == [("notice", 3)]
    narrow = search_documents("coffee 2", access_keys=["public"], source="cap")
    assert (narrow.total, narrow.total_exact) == (1, True)


def _index_coffee(texts: dict[int, tuple[str, list[str]]]) -> None:
    """Index in object id order, so a higher object id is a more recently indexed document."""
    for pk, (text, keys) in sorted(texts.items()):
        index_documents(
            [
                IndexDocument(
                    source="win", object_id=pk, texts={"en": text}, access_keys=keys, kind="notice"
                )
            ]
        )


RANKED = {
    1: ("coffee coffee coffee tariff", ["public"]),
    2: ("coffee tariff", ["public"]),
    3: ("coffee coffee tariff", ["public"]),
    4: ("coffee tariff", ["public"]),
}


def found_ids(keys: list[str], **page: int) -> tuple[list[int], int, bool, bool]:
    found = search_documents("coffee", access_keys=keys, source="win", **page)
    return (
        [doc.object_id for doc in found.documents],
        found.total,
        found.total_exact,
        found.ranking_windowed,
    )


def test_within_a_wide_window_every_match_is_ranked(settings: Any) -> None:
    settings.HARBOR_SEARCH_RANK_WINDOW = 4
    _index_coffee(RANKED)
    assert found_ids(["public"]) == ([1, 3, 2, 4], 4, True, False)


def test_every_page_of_a_ranked_search_gives_the_same_total(settings: Any) -> None:
    settings.HARBOR_SEARCH_RANK_WINDOW = 4
    _index_coffee(RANKED)
    pages = [found_ids(["public"], limit=3, offset=offset) for offset in (0, 3, 6)]
    assert [page[0] for page in pages] == [[1, 3, 2], [4], []]
    assert {(page[1], page[2]) for page in pages} == {(4, True)}
    assert found_ids(["o_404"], limit=3) == ([], 0, True, False)


@sqlite_window
def test_a_narrow_window_ranks_the_most_recent_matches_then_older_ones_newest_first(
    settings: Any,
) -> None:
    settings.HARBOR_SEARCH_RANK_WINDOW = 2
    _index_coffee(RANKED)
    # the two newest (3 and 4) by relevance, then 2 and 1 newest first
    assert found_ids(["public"]) == ([3, 4, 2, 1], 4, True, True)
    pages = [found_ids(["public"], limit=1, offset=offset)[0] for offset in range(5)]
    assert pages == [[3], [4], [2], [1], []]
    assert found_ids(["public"], limit=3)[0] == [3, 4, 2]
    assert found_ids(["public"], limit=3, offset=3)[0] == [1]


@sqlite_window
def test_reindexing_makes_a_document_recent(settings: Any) -> None:
    settings.HARBOR_SEARCH_RANK_WINDOW = 1
    _index_coffee(RANKED)
    _index_coffee({1: RANKED[1]})
    assert found_ids(["public"])[0] == [1, 4, 3, 2]


@sqlite_window
def test_the_window_holds_only_documents_the_reader_may_see(settings: Any) -> None:
    settings.HARBOR_SEARCH_RANK_WINDOW = 1
    _index_coffee(
        {
            1: ("coffee tariff", ["public"]),
            2: ("coffee coffee coffee tariff", ["o_7"]),
            3: ("coffee coffee tariff", ["public"]),
            4: ("coffee coffee coffee coffee", ["o_7"]),
        }
    )
    assert found_ids(["public"]) == ([3, 1], 2, True, True)
    assert found_ids(["o_8"]) == ([], 0, True, False)
    assert found_ids(["o_7", "public"]) == ([4, 3, 2, 1], 4, True, True)
    found = search_documents("coffee", access_keys=["public"], source="win", facet_names=("kind",))
    assert found.facets["kind"] == [("notice", 2)]


@sqlite_window
@pytest.mark.parametrize(("window", "windowed"), [(2, True), (3, False), (4, False)])
def test_the_result_says_exactly_when_the_window_cut_the_ranking(
    settings: Any, window: int, windowed: bool
) -> None:
    settings.HARBOR_SEARCH_RANK_WINDOW = window
    _index_coffee({**RANKED, 4: ("coffee tariff", ["o_7"])})
    assert found_ids(["public"]) == ([1, 3, 2] if not windowed else [3, 2, 1], 3, True, windowed)


@sqlite_window
def test_the_source_filter_holds_when_the_index_has_several_sources(settings: Any) -> None:
    settings.HARBOR_SEARCH_RANK_WINDOW = 1
    _index_coffee(RANKED)
    index_documents(
        [IndexDocument(source="zz", object_id=9, texts={"en": "coffee"}, access_keys=["public"])]
    )
    assert found_ids(["public"]) == ([4, 3, 2, 1], 4, True, True)


# Characters from every path through segmentation: the spaced-words shortcut (Latin, Vietnamese, Tamil,
# digits, marks), the ICU path (Thai, Han, punctuation, apostrophes, emoji) and Zawgyi-looking Burmese.
SEGMENTATION_ALPHABET = [
    *"abcxyzÀĐđơưéßı0123456789 \n\t'.-,!?",
    "\u0301",
    "\u0bb5",
    "\u0bcd",
    "\u0e17\u0e38",
    "\u0e33",
    "海关",
    "榴",
    "\u1031\u103b",
    "😀",
    "Ａ",
]


@hypothesis_settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(SEGMENTATION_ALPHABET), max_size=30).map("".join))
def test_the_indexing_fast_path_agrees_with_the_word_breaker(text: str) -> None:
    from harbor.search.text import _icu_words

    normalised = normalise(text)
    by_icu = _icu_words(normalised)
    assert words(normalised) == by_icu
    assert word_strings(normalised) == [token.text for token in by_icu]
    assert normalised == unicodedata.normalize("NFKC", _unzawgyi(text)).casefold()


@hypothesis_settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(SEGMENTATION_ALPHABET), max_size=30).map("".join))
def test_the_word_breaker_gives_the_same_words_by_python_and_utf16_offsets(text: str) -> None:
    from harbor.search.text import _icu_words, _icu_words_utf16

    normalised = normalise(text)
    assert _icu_words(normalised) == _icu_words_utf16(normalised)


@hypothesis_settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from([*SEGMENTATION_ALPHABET, "ກຳ", "ÅＢ", "ﬁ", "ß"]), max_size=30).map(
        "".join
    )
)
def test_the_snippet_normalisation_map_is_the_character_by_character_one(text: str) -> None:
    from harbor.search.text import _normalised_with_origin

    expected_text, expected_origin = "", []
    for index, char in enumerate(text):
        form = unicodedata.normalize("NFKC", char).casefold()
        expected_text += form
        expected_origin += [index] * len(form)
    normalised, origin = _normalised_with_origin(text)
    assert (normalised, list(origin)) == (expected_text, expected_origin)


def _unzawgyi(text: str) -> str:
    return zawgyi_to_unicode(text) if is_zawgyi_by_detector(text) else text


def is_zawgyi_by_detector(text: str) -> bool:
    from myanmartools import ZawgyiDetector

    return bool(has_myanmar(text)) and ZawgyiDetector().get_zawgyi_probability(text) >= 0.95


@pytest.mark.parametrize("text", ["ျမန္မာႏိုင္ငံ", "မြန်မာနိုင်ငံ", "abc", "ေက်ာင္း abc ၁၂", "", "ကုန္သြယ္ေရး"])
def test_zawgyi_probability_is_the_detectors(text: str) -> None:
    from myanmartools import ZawgyiDetector

    from harbor.search.text import _zawgyi_probability

    assert _zawgyi_probability(text) == ZawgyiDetector().get_zawgyi_probability(text)


@hypothesis_settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from([*SEGMENTATION_ALPHABET, "ﬁ", "İ", "e\u0301", "Ω", "①"]), max_size=30
    ).map("".join)
)
def test_the_snippet_map_shortcut_agrees_with_the_per_character_map(text: str) -> None:
    from harbor.search.text import _normalised_with_origin

    chars = [unicodedata.normalize("NFKC", char).casefold() for char in text]
    origin = [index for index, folded in enumerate(chars) for _ in folded]
    normalised, mapped = _normalised_with_origin(text)
    assert (normalised, list(mapped)) == ("".join(chars), origin)


@sqlite_window
@pytest.mark.parametrize(("window", "cap"), [(1, 100), (2, 100), (3, 4), (2, 3), (4, 3)])
def test_a_windowed_search_counts_every_visible_match_up_to_the_cap(
    settings: Any, monkeypatch: pytest.MonkeyPatch, window: int, cap: int
) -> None:
    from harbor.search import engine

    settings.HARBOR_SEARCH_RANK_WINDOW = window
    monkeypatch.setattr(engine, "COUNT_CAP", cap)
    index_documents(
        IndexDocument(
            source="count",
            object_id=pk,
            texts={"en": f"pepper {pk}"},
            access_keys=["public"] if pk % 2 else ["o_1"],
        )
        for pk in range(1, 12)
    )
    found = search_documents("pepper", access_keys=["public"], source="count")
    assert (found.total, found.total_exact) == (min(6, cap), cap >= 6)
    both = search_documents("pepper", access_keys=["public", "o_1"], source="count")
    assert (both.total, both.total_exact) == (min(11, cap), cap >= 11)


@hypothesis_settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([text for _lang, text in DOCS.values()]),
            st.sampled_from([" ", "\n", "。", "  "]),
        ),
        min_size=1,
        max_size=120,
    ),
    st.data(),
)
def test_long_texts_searched_by_pieces_find_what_the_whole_text_finds(
    parts: list[tuple[str, str]], data: st.DataObject
) -> None:
    """Snippets read long texts a piece at a time; the pieces give the spans the whole text gives."""
    text = "".join(sentence + gap for sentence, gap in parts)
    sentence = data.draw(st.sampled_from([sentence for sentence, _gap in parts]))
    terms = query_terms(data.draw(st.sampled_from(query_terms(sentence))))
    whole = highlight_spans(text, terms)
    assert first_match(text, terms) == (whole[0][0] if whole else None)
    low = data.draw(st.integers(0, max(0, len(text) - 1)))
    high = low + data.draw(st.integers(1, 2 * PIECE))
    assert spans_between(text, terms, low, high) == [
        span for span in whole if low <= span[0] < high
    ]


def test_a_snippet_of_a_long_text_is_taken_around_its_first_match() -> None:
    body = "ประกาศกระทรวงพาณิชย์เรื่องการนำเข้าทุเรียนแช่แข็ง " * 10 + "ข้าวหอมมะลิ " + "ทุเรียน " * 400
    snippet = make_snippet({"th": body}, query_terms("ข้าวหอมมะลิ"), "th")
    assert snippet is not None
    highlighted = [text for text, marked in snippet.parts if marked]
    # the rice words are highlighted (ICU cuts them in three), none of the durian words that follow
    assert "".join(highlighted) == "ข้าวหอมมะลิ" and snippet.parts[0] == ("…", False)
