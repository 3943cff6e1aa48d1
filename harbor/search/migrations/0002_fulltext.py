"""Full-text structures that differ per engine: an FTS5 table kept in sync by triggers on SQLite, generated
tsvector and access-key array columns with GIN indexes on PostgreSQL."""

from django.db import migrations

SQLITE_FORWARD = [
    """
    CREATE VIRTUAL TABLE search_fts USING fts5(
        terms, acl_terms,
        content='search_searchdocument', content_rowid='id',
        tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*' tokenchars '_'"
    )
    """,
    """
    CREATE TRIGGER search_fts_after_insert AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, terms, acl_terms) VALUES (new.id, new.terms, new.acl_terms);
    END
    """,
    """
    CREATE TRIGGER search_fts_after_delete AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, terms, acl_terms)
        VALUES ('delete', old.id, old.terms, old.acl_terms);
    END
    """,
    """
    CREATE TRIGGER search_fts_after_update AFTER UPDATE OF terms, acl_terms ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, terms, acl_terms)
        VALUES ('delete', old.id, old.terms, old.acl_terms);
        INSERT INTO search_fts(rowid, terms, acl_terms) VALUES (new.id, new.terms, new.acl_terms);
    END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_fts_after_update",
    "DROP TRIGGER IF EXISTS search_fts_after_delete",
    "DROP TRIGGER IF EXISTS search_fts_after_insert",
    "DROP TABLE IF EXISTS search_fts",
]
POSTGRES_FORWARD = [
    """
    ALTER TABLE search_searchdocument ADD COLUMN terms_tsv tsvector
    GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, terms)) STORED
    """,
    """
    ALTER TABLE search_searchdocument ADD COLUMN acl_array text[]
    GENERATED ALWAYS AS (array_remove(string_to_array(acl_terms, ' '), '')) STORED
    """,
    "CREATE INDEX search_document_terms_gin ON search_searchdocument USING GIN (terms_tsv)",
    "CREATE INDEX search_document_acl_gin ON search_searchdocument USING GIN (acl_array)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_document_acl_gin",
    "DROP INDEX IF EXISTS search_document_terms_gin",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS acl_array",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS terms_tsv",
]


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    statements = SQLITE_FORWARD if schema_editor.connection.vendor == "sqlite" else POSTGRES_FORWARD
    for statement in statements:
        schema_editor.execute(statement)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    statements = SQLITE_BACKWARD if schema_editor.connection.vendor == "sqlite" else POSTGRES_BACKWARD
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
