"""On SQLite, the terms of documents that are not public are stored again in the part of each of their
narrow access keys (``~key~term``) instead of once behind ``~``: the full-text rows are written afresh
from the stored documents (nothing is segmented again). PostgreSQL's index is unchanged."""

from django.db import migrations


def rewrite_fulltext(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "sqlite":
        return
    from harbor.search import fts

    with schema_editor.connection.cursor() as cursor:
        fts.rebuild_from_documents(cursor)


class Migration(migrations.Migration):
    dependencies = [("search", "0008_vectors_by_cell")]

    operations = [migrations.RunPython(rewrite_fulltext, migrations.RunPython.noop)]
