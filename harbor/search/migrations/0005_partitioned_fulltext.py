"""Facet values move onto the document (``facet_terms``); on SQLite the full-text index becomes a contentless
FTS5 table with public and restricted terms apart and stored BM25 statistics (``harbor.search.fts``),
written by the search services instead of triggers; on PostgreSQL facet filters get a GIN-indexed array.
"""

from django.db import migrations, models

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_fts_after_update",
    "DROP TRIGGER IF EXISTS search_fts_after_delete",
    "DROP TRIGGER IF EXISTS search_fts_after_insert",
    "DROP TABLE IF EXISTS search_fts",
]
# Every printable ASCII character that is not a letter or digit, as a token character: with the ``ascii``
# tokenizer (non-ASCII characters are always token characters) white space alone separates tokens. Quoted
# for FTS5 (a single quote doubled) inside an SQL string literal (every quote doubled again).
TOKEN_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
TOKENIZE = "ascii tokenchars '" + TOKEN_PUNCTUATION.replace("'", "''") + "'"
SQLITE_CREATE = [
    # The terms are already normalised and case-folded words: the tokenizer only splits on spaces.
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "terms, acl_terms, facet_terms, content='', detail=column, "
    "tokenize='" + TOKENIZE.replace("'", "''") + "')",
    """
    CREATE TABLE search_docstat (
        id INTEGER PRIMARY KEY,
        length INTEGER NOT NULL,
        repeats TEXT
    )
    """,
    """
    CREATE TABLE search_termstat (
        term TEXT PRIMARY KEY,
        documents INTEGER NOT NULL,
        occurrences INTEGER NOT NULL
    ) WITHOUT ROWID
    """,
]
POSTGRES_CREATE = [
    """
    ALTER TABLE search_searchdocument ADD COLUMN facet_array text[]
    GENERATED ALWAYS AS (array_remove(string_to_array(facet_terms, ' '), '')) STORED
    """,
    "CREATE INDEX search_document_facet_gin ON search_searchdocument USING GIN (facet_array)",
]


def drop_sqlite_fulltext(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


def copy_facets(apps, schema_editor):  # type: ignore[no-untyped-def]
    from harbor.search.facets import facet_token

    Facet = apps.get_model("search", "SearchFacet")
    Document = apps.get_model("search", "SearchDocument")
    tokens: dict[int, list[str]] = {}
    for document_id, name, value in Facet.objects.order_by("id").values_list(
        "document_id", "name", "value"
    ):
        tokens.setdefault(document_id, []).append(facet_token(name, value))
    for document_id, values in tokens.items():
        Document.objects.filter(pk=document_id).update(facet_terms=" ".join(dict.fromkeys(values)))


def create_fulltext(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "sqlite":
        for statement in POSTGRES_CREATE:
            schema_editor.execute(statement)
        return
    from harbor.search import fts

    for statement in SQLITE_CREATE:
        schema_editor.execute(statement)
    Document = apps.get_model("search", "SearchDocument")
    rows = Document.objects.order_by("pk").values_list("pk", "terms", "acl_terms", "facet_terms")
    batch: list[tuple[int, str, str, str]] = []
    with schema_editor.connection.cursor() as cursor:
        for row in rows.iterator(chunk_size=2000):
            batch.append(row)
            if len(batch) >= 2000:
                fts.add(cursor, batch)
                batch = []
        fts.add(cursor, batch)


class Migration(migrations.Migration):
    dependencies = [("search", "0004_source_marker")]

    operations = [
        migrations.RunPython(drop_sqlite_fulltext, migrations.RunPython.noop),
        migrations.AddField(
            model_name="searchdocument",
            name="facet_terms",
            field=models.TextField(
                blank=True, default="", help_text="space-separated facet values, name=value"
            ),
        ),
        migrations.RunPython(copy_facets, migrations.RunPython.noop),
        migrations.DeleteModel(name="SearchFacet"),
        migrations.RemoveIndex(model_name="searchdocument", name="search_sear_source_7e13d1_idx"),
        migrations.RemoveIndex(model_name="searchdocument", name="search_sear_country_b0a20f_idx"),
        # Not reversible: the triggers and the content-backed table of 0002 are not rebuilt.
        migrations.RunPython(create_fulltext),
    ]
