"""How records appear in the search index: texts per language, access keys and facet values."""

from __future__ import annotations

from collections.abc import Iterable

from harbor.search.services import IndexDocument, index_documents, remove_documents
from harbor.search.sources import IndexSource
from harbor.sharing.models import Record
from harbor.sharing.policy import record_keys

SOURCE = "sharing.record"
FACETS = ("kind", "country", "topic", "hs", "language", "year")


def hs_prefixes(codes: list[str]) -> list[str]:
    """Every chapter, heading and subheading a record's codes fall under, so ``hs=85`` finds ``850440``."""
    prefixes: list[str] = []
    for code in codes:
        prefixes.extend(code[:length] for length in (2, 4, 6) if len(code) >= length)
    return list(dict.fromkeys(prefixes))


def record_document(record: Record) -> IndexDocument:
    languages = set(record.title) | set(record.summary) | set(record.body)
    texts = {
        language: "\n".join(
            part
            for part in (
                record.title.get(language),
                record.summary.get(language),
                record.body.get(language),
            )
            if part
        )
        for language in sorted(languages)
    }
    moment = record.published_at or record.created_at
    return IndexDocument(
        source=SOURCE,
        object_id=record.pk,
        texts=texts,
        access_keys=record_keys(record),
        kind=record.kind,
        country=record.home_country_id,
        date=moment.date(),
        facets={
            "topic": list(record.topics),
            "hs": hs_prefixes(record.hs_codes),
            "language": sorted(languages),
            "year": [str(moment.year)],
        },
    )


def index_records(record_ids: Iterable[int]) -> int:
    """(Re)index records by id; records that no longer exist leave the index."""
    ids = list(record_ids)
    records = list(Record.objects.filter(pk__in=ids))
    missing = set(ids) - {record.pk for record in records}
    if missing:
        remove_documents(SOURCE, missing)
    return index_documents(record_document(record) for record in records)


def record_documents(record_ids: list[int]) -> list[IndexDocument]:
    """The index documents of the records among ``record_ids`` that exist, in id order (rebuilds)."""
    return [
        record_document(record)
        for record in Record.objects.filter(pk__in=record_ids).order_by("pk")
    ]


def _record_ids_after(last_id: int, limit: int) -> list[int]:
    return list(
        Record.objects.filter(pk__gt=last_id).order_by("pk").values_list("pk", flat=True)[:limit]
    )


RECORD_SOURCE = IndexSource(
    name=SOURCE,
    ids_after=_record_ids_after,
    documents=record_documents,
    count=lambda: Record.objects.count(),
)
