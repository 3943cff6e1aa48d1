"""The index as written: visibility across the public and restricted parts, facet tokens, and, on SQLite, the
stored BM25 statistics against FTS5's own bm25 and against a recount of the documents."""

from __future__ import annotations

import gc
import json
from collections import Counter
from typing import Any

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from harbor.search.facets import count_facets, facet_terms, facet_token
from harbor.search.services import (
    IndexDocument,
    index_documents,
    remove_documents,
    search_documents,
)

pytestmark = pytest.mark.django_db

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the FTS5 layout and its statistics are SQLite's"
)


@pytest.fixture(autouse=True)
def _keywords_only(settings: Any) -> None:
    settings.HARBOR_SEARCH_SEMANTIC = False


def doc(pk: int, text: str, keys: list[str], **facets: list[str]) -> IndexDocument:
    return IndexDocument(
        source="idx", object_id=pk, texts={"en": text}, access_keys=keys, facets=facets
    )


def found(text: str, keys: list[str], **kwargs: Any) -> list[int]:
    result = search_documents(text, access_keys=keys, source="idx", **kwargs)
    return sorted(document.object_id for document in result.documents)


def test_public_and_restricted_documents_each_reach_exactly_their_readers() -> None:
    index_documents(
        [
            doc(1, "durian tariff", ["public", "o_1"]),
            doc(2, "durian quota", ["o_2"]),
            doc(3, "durian quota", ["members", "o_3"]),
            doc(4, "durian", ["c_th", "o_4"]),
        ]
    )
    assert found("durian", ["public"]) == [1]
    assert found("durian", ["public", "o_2"]) == [1, 2]
    assert found("durian", ["public", "o_9", "members", "c_vn"]) == [1, 3]
    assert found("durian", ["public", "o_9", "members", "c_th"]) == [1, 3, 4]
    assert found("quota", ["public", "o_3"]) == [3]
    # A reader without the public key sees a public document only through another key it holds.
    assert found("durian", ["o_1"]) == [1]
    assert found("durian", ["o_2"]) == [2]
    assert found("durian", []) == []


def test_a_document_moves_between_the_parts_when_its_keys_change() -> None:
    index_documents([doc(1, "bamboo chairs", ["o_1"])])
    assert found("bamboo", ["public"]) == []
    index_documents([doc(1, "bamboo chairs", ["public", "o_1"])])
    assert found("bamboo", ["public"]) == [1]
    index_documents([doc(1, "bamboo chairs", ["o_1"])])
    assert found("bamboo", ["public"]) == []
    assert found("bamboo", ["public", "o_1"]) == [1]
    index_documents([doc(1, "bamboo chairs", ["members", "o_1"])])
    assert found("bamboo", ["public", "o_2"]) == []
    assert found("bamboo", ["public", "o_2", "members"]) == [1]
    assert found("bamboo", ["public", "o_1"]) == [1]
    index_documents([doc(1, "bamboo chairs", ["c_th", "o_1"])])
    assert found("bamboo", ["public", "o_2", "members"]) == []
    assert found("bamboo", ["public", "o_2", "members", "c_th"]) == [1]
    remove_documents("idx", [1])
    assert found("bamboo", ["public", "o_1"]) == []


@sqlite_only
def test_terms_are_stored_once_per_part_that_the_documents_keys_open() -> None:
    from harbor.search.fts import fts_values, term_prefixes

    assert term_prefixes("public o_1 src_idx") == ("",)
    assert term_prefixes("members o_1 src_idx") == ("^", "~o_1~")
    assert term_prefixes("c_th c_vn o_1 src_idx") == ("~c_th~", "~c_vn~", "~o_1~")
    assert term_prefixes("src_idx") == ()
    assert fts_values("durian quota", "members o_1 src_idx", "kind=notice") == (
        "^durian ^quota ~o_1~durian ~o_1~quota",
        "#members #o_1 #src_idx",
        "kind=notice",
    )


@sqlite_only
def test_a_keys_part_holds_exactly_the_documents_it_opens_through_every_change() -> None:
    def in_part(token: str) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT d.object_id FROM search_fts CROSS JOIN search_searchdocument d "
                "ON d.id = search_fts.rowid WHERE search_fts MATCH %s ORDER BY d.object_id",
                ['{terms}: "' + token + '"'],
            )
            return [row[0] for row in cursor.fetchall()]

    index_documents([doc(1, "bamboo", ["c_th", "o_1"]), doc(2, "bamboo", ["members", "o_2"])])
    assert (in_part("~c_th~bamboo"), in_part("~o_1~bamboo"), in_part("~o_2~bamboo")) == (
        [1],
        [1],
        [2],
    )
    assert (in_part("^bamboo"), in_part("bamboo")) == ([2], [])
    index_documents([doc(1, "bamboo", ["public", "o_1"])])
    assert (in_part("~c_th~bamboo"), in_part("~o_1~bamboo"), in_part("bamboo")) == ([], [], [1])
    remove_documents("idx", [2])
    assert (in_part("^bamboo"), in_part("~o_2~bamboo")) == ([], [])


@given(
    st.dictionaries(
        st.sampled_from(["durian", "ทุเรียน", "榴莲", 'a"b', "c\\d", "e\nf"]), st.integers(1, 5)
    )
)
def test_repeated_terms_are_written_as_json_dumps_writes_them(counts: dict[str, int]) -> None:
    from harbor.search.fts import repeats_json

    expected = {term: count for term, count in counts.items() if count > 1}
    assert repeats_json(Counter(counts)) == json.dumps(expected, ensure_ascii=False)


def test_access_keys_are_single_words_unlike_a_source_marker() -> None:
    for key in ["src_trade", "two words", ""]:
        with pytest.raises(ValueError, match="not an access key"):
            index_documents([doc(1, "bamboo", ["public", key])])
    assert found("bamboo", ["public"]) == []


def _stored_documents() -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT object_id, texts, terms, acl_terms, facet_terms FROM search_searchdocument "
            "ORDER BY object_id"
        )
        return [tuple(row) for row in cursor.fetchall()]


def _bulk(count: int) -> list[IndexDocument]:
    """Documents in several scripts and under every kind of key, for bulk loads."""
    texts = [
        "durian quota ทุเรียนแช่แข็ง",
        "海关总署 进口 durian",
        "Cô gái bán cà phê",
        "ការនាំចេញ rice",
    ]
    return [
        doc(
            number,
            f"{texts[number % len(texts)]} {number}",
            ["public"] if number % 3 else ["members", f"o_{number % 4}"],
            topic=[f"t{number % 5}"],
        )
        for number in range(1, count + 1)
    ]


def test_a_bulk_load_in_worker_processes_stores_what_one_process_does() -> None:
    documents = _bulk(40)
    index_documents(documents, workers=2, batch_size=7)
    in_workers = _stored_documents()
    readers = [["public"], ["members"], ["o_1"], ["public", "o_2"]]
    found_in_workers = [found("durian", keys) for keys in readers]
    remove_documents("idx", range(1, 41))
    assert _stored_documents() == []
    index_documents(documents, workers=1, batch_size=7)
    assert _stored_documents() == in_workers
    assert [found("durian", keys) for keys in readers] == found_in_workers
    assert len(in_workers) == 40 and found_in_workers[1]  # members see the members' third


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN pending lists are PostgreSQL's")
def test_a_bulk_load_leaves_nothing_in_the_gin_pending_lists() -> None:
    """Every query reads a GIN index's pending list in full, so a bulk load merges it."""
    from harbor.search.engine import PostgresBackend

    index_documents(_bulk(30), workers=2, batch_size=10)
    with connection.cursor() as cursor:
        for index in PostgresBackend.GIN_INDEXES:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
            assert cursor.fetchone()[0] == 0, index


def test_a_stopped_rebuild_resumes_after_the_last_batch_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from harbor.search import rebuild as rebuilding
    from harbor.search import sources as registry

    objects = {pk: f"durian shipment {pk}" for pk in range(1, 31)}
    requested: list[list[int]] = []
    stop_at = {"batch": 6}

    def documents(ids: list[int]) -> list[IndexDocument]:
        requested.append(ids)
        if len(requested) == stop_at["batch"]:
            raise RuntimeError("stopped")
        return [doc(pk, objects[pk], ["public"]) for pk in ids if pk in objects]

    def ids_after(after: int, limit: int) -> list[int]:
        return [pk for pk in sorted(objects) if pk > after][:limit]

    source = registry.IndexSource("idx", ids_after, documents, lambda: len(objects))
    monkeypatch.setitem(registry._SOURCES, "idx", source)
    job = rebuilding.start_or_resume(resume=False)
    with pytest.raises(RuntimeError, match="stopped"):
        rebuilding.rebuild(job, batch=4)
    job.refresh_from_db()
    checkpoint = job.result["checkpoint"]["idx"]
    assert 0 < checkpoint < 30 and checkpoint % 4 == 0  # whole batches only
    assert job.progress == checkpoint
    assert found("durian", ["public"], limit=100) == list(range(1, checkpoint + 1))

    stop_at["batch"] = -1
    requested.clear()
    resumed = rebuilding.start_or_resume(resume=True)
    assert resumed.pk == job.pk
    rebuilding.rebuild(resumed)
    assert requested[0][0] == checkpoint + 1  # nothing before the checkpoint is read again
    assert found("durian", ["public"], limit=100) == list(range(1, 31))
    resumed.refresh_from_db()
    assert resumed.progress == 30
    assert resumed.result["indexed"]["idx"] == 30


def test_indexing_leaves_the_garbage_collector_as_it_found_it() -> None:
    """Batches are prepared and written with the collector paused; it comes back as it was, also
    when a batch fails."""
    assert gc.isenabled()
    index_documents([doc(1, "bamboo", ["public"]), doc(2, "rattan", ["members", "o_1"])])
    assert gc.isenabled()
    with pytest.raises(ValueError):
        index_documents([doc(3, "teak", ["two words"])])
    assert gc.isenabled()
    gc.disable()
    try:
        index_documents([doc(4, "durian", ["public"])])
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert found("bamboo", ["public"]) == [1]
    assert found("durian", ["public"]) == [4]


def test_words_that_look_like_access_keys_or_marks_stay_words() -> None:
    index_documents(
        [
            doc(1, "public members notice", ["o_1"]),
            doc(2, "tender for public works", ["public"]),
            doc(3, "~durian #public", ["public"]),
        ]
    )
    # "public" as a word is found only where it is written and visible, never through the key.
    assert found("public", ["public"]) == [2, 3]
    assert found("members", ["public", "members"]) == []
    assert found("public", ["public", "o_1"]) == [1, 2, 3]
    assert found("durian", ["public"]) == [3]
    assert found("~durian", ["public"]) == [3]


def test_facet_values_match_whole_and_decode_back() -> None:
    index_documents(
        [
            doc(1, "coffee", ["public"], language=["zh-hans"], topic=["cold chain"]),
            doc(2, "coffee", ["public"], language=["zh"], topic=["cold"]),
            doc(3, "coffee", ["public"], language=["zh-hant"], topic=["a=b c"]),
        ]
    )
    assert found("coffee", ["public"], filters={"language": ["zh"]}) == [2]
    assert found("coffee", ["public"], filters={"topic": ["cold chain"]}) == [1]
    assert found("coffee", ["public"], filters={"topic": ["a=b c"]}) == [3]
    assert found("", ["public"], filters={"language": ["zh", "zh-hant"]}) == [2, 3]
    result = search_documents(
        "coffee", access_keys=["public"], source="idx", facet_names=("topic", "language")
    )
    assert dict(result.facets["topic"]) == {"cold chain": 1, "cold": 1, "a=b c": 1}
    assert dict(result.facets["language"]) == {"zh-hans": 1, "zh": 1, "zh-hant": 1}


def test_facet_tokens_are_single_tokens_that_count_back_to_their_values() -> None:
    terms = facet_terms({"topic": ["cold chain", "cold chain", "x%y"], "hs": ["85"]})
    assert terms.split() == [facet_token("topic", "cold chain"), "topic=x%25y", "hs=85"]
    assert count_facets([terms, "hs=85"], ["hs", "topic"], 10) == {
        "hs": [("85", 2)],
        "topic": [("cold chain", 1), ("x%y", 1)],
    }


# -- SQLite: the stored statistics ----------------------------------------------------------------


def _stats() -> tuple[dict[str, tuple[int, int]], dict[int, tuple[int, str | None, str]]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT term, documents, occurrences FROM search_termstat")
        terms = {row[0]: (row[1], row[2]) for row in cursor.fetchall()}
        cursor.execute("SELECT id, length, repeats, facet_terms FROM search_docstat")
        docs = {row[0]: (row[1], row[2], row[3]) for row in cursor.fetchall()}
    return terms, docs


def _recounted() -> tuple[dict[str, tuple[int, int]], dict[int, tuple[int, str | None, str]]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, terms, facet_terms FROM search_searchdocument")
        rows = cursor.fetchall()
    documents: Counter[str] = Counter()
    occurrences: Counter[str] = Counter()
    docs: dict[int, tuple[int, str | None, str]] = {}
    for pk, terms, facets in rows:
        counts = Counter(terms.split())
        documents.update(counts.keys())
        occurrences.update(counts)
        repeats = {term: n for term, n in counts.items() if n > 1}
        docs[pk] = (
            sum(counts.values()),
            json.dumps(repeats, ensure_ascii=False) if repeats else None,
            facets,
        )
    terms_table = {term: (documents[term], occurrences[term]) for term in documents}
    if rows:
        terms_table[""] = (len(rows), sum(length for length, _r, _f in docs.values()))
    return terms_table, docs


def _integrity_check() -> None:
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO search_fts (search_fts, rank) VALUES ('integrity-check', 1)")


@sqlite_only
def test_statistics_follow_every_write_exactly() -> None:
    index_documents(
        [
            doc(1, "coffee coffee tariff", ["public"], kind=["notice"], hs=["09", "0901"]),
            doc(2, "coffee quota", ["o_2"], topic=["trade policy"]),
            doc(3, "ทุเรียน ทุเรียน นำเข้า", ["members"]),
        ]
    )
    assert _stats() == _recounted()
    index_documents(
        [doc(2, "tea tea tea", ["public"], kind=["advisory"]), doc(4, "coffee", ["o_4"])]
    )
    assert _stats() == _recounted()
    remove_documents("idx", [1, 3, 99])
    assert _stats() == _recounted()
    _integrity_check()
    remove_documents("idx", [2, 4])
    terms, docs = _stats()
    assert docs == {} and all(documents == 0 for documents, _n in terms.values())
    _integrity_check()


@sqlite_only
@pytest.mark.parametrize("query", ["coffee", "tariff", "coffee tariff", "coffee quota tariff"])
def test_scores_equal_fts5s_own_bm25(query: str) -> None:
    texts = [
        "coffee tariff",
        "coffee coffee coffee tariff notice for small exporters",
        "coffee quota tariff tariff",
        "coffee " * 7 + "tariff quota",
        "tariff on durian",
        "quota for rice and coffee and tariff",
        "unrelated text entirely",
    ]
    index_documents(
        [doc(pk, text, ["public"] if pk % 2 else ["o_1"]) for pk, text in enumerate(texts, 1)]
    )
    result = search_documents(query, access_keys=["public", "o_1"], source="idx")
    ours = {document.object_id: document.score for document in result.documents}
    with connection.cursor() as cursor:
        cursor.execute("CREATE VIRTUAL TABLE temp.reference USING fts5(body)")
        cursor.executemany(
            "INSERT INTO temp.reference (rowid, body) VALUES (%s, %s)",
            list(enumerate(texts, 1)),
        )
        cursor.execute(
            "SELECT rowid, bm25(reference) FROM temp.reference WHERE reference MATCH %s",
            [" AND ".join(query.split())],
        )
        reference = dict(cursor.fetchall())
        cursor.execute("DROP TABLE temp.reference")
    assert ours.keys() == reference.keys() and reference
    for pk, score in reference.items():
        assert ours[pk] == pytest.approx(score, rel=1e-9)
    assert [d.object_id for d in result.documents] == sorted(
        reference, key=lambda pk: (reference[pk], pk)
    )


def test_the_candidate_check_of_the_semantic_stage_agrees_with_the_index_match() -> None:
    """``visible_among`` (used on the semantic stage's candidates) admits exactly what the index's own
    filter admits, for every reader, facet filter and source."""
    from harbor.search.engine import SearchQuery, backend

    keys = [["public"], ["members", "o_1"], ["o_2"], ["c_th", "o_3"], ["public", "o_4"]]
    index_documents(
        doc(
            pk,
            f"rice {pk}",
            keys[pk % len(keys)],
            kind=[["notice", "advisory"][pk % 2]],
            hs=["10", "1006"][: 1 + pk % 2],
        )
        for pk in range(1, 31)
    )
    index_documents(
        [IndexDocument(source="other", object_id=1, texts={"en": "rice"}, access_keys=["public"])]
    )
    engine = backend()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM search_searchdocument")
        every = [row[0] for row in cursor.fetchall()]
    readers = [["public"], ["o_2"], ["members", "c_th", "o_9"], ["public", "o_1", "members"], []]
    filters: list[dict[str, list[str]]] = [
        {},
        {"kind": ["advisory"]},
        {"kind": ["notice"], "hs": ["1006"]},
        {"hs": ["10", "99"]},
    ]
    for reader in readers:
        for wanted in filters:
            for source in ("idx", None):
                query = SearchQuery(terms=[], access_keys=reader, source=source, filters=wanted)
                through_index = set(engine._recent(query, limit=1000))
                assert set(engine.visible_among(query, every)) == through_index, (reader, wanted)
