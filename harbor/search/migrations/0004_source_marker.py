"""Add the source marker to every indexed document's access terms (FTS5 filters the source in the match)."""

import re

from django.db import migrations


def source_marker(source: str) -> str:
    """As ``harbor.search.engine.source_marker`` when this migration was written."""
    return "src_" + re.sub(r"[^a-z0-9]", "_", source.lower())


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    Document = apps.get_model("search", "SearchDocument")
    for source in Document.objects.values_list("source", flat=True).distinct():
        marker = source_marker(source)
        for document in Document.objects.filter(source=source).exclude(acl_terms__contains=marker).iterator():
            document.acl_terms = f"{document.acl_terms} {marker}".strip()
            document.save(update_fields=["acl_terms"])


class Migration(migrations.Migration):
    dependencies = [("search", "0003_vectors")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
