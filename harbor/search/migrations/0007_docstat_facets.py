# On SQLite, each document's facet tokens are also kept in search_docstat (narrow rows), where facet
# counts read them. PostgreSQL has no search_docstat: nothing to do there.

from django.db import migrations


def add_facets(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute(
        "ALTER TABLE search_docstat ADD COLUMN facet_terms TEXT NOT NULL DEFAULT ''"
    )
    schema_editor.execute(
        "UPDATE search_docstat SET facet_terms = "
        "(SELECT d.facet_terms FROM search_searchdocument d WHERE d.id = search_docstat.id)"
    )


def drop_facets(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute("ALTER TABLE search_docstat DROP COLUMN facet_terms")


class Migration(migrations.Migration):
    dependencies = [("search", "0006_vector_cells")]

    operations = [migrations.RunPython(add_facets, drop_facets)]
