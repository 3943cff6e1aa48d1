# Vectors get their own id, so that retraining the cells can write them again in cell order
# (harbor.search.semantic.train_cells). The table is rebuilt under a temporary name and renamed.

import django.db.models.deletion
from django.db import migrations, models


def copy_vectors(apps, schema_editor):
    schema_editor.execute(
        "INSERT INTO search_searchvectorbycell (document_id, vector, cell) "
        "SELECT document_id, vector, cell FROM search_searchvector ORDER BY cell, document_id"
    )


class Migration(migrations.Migration):
    dependencies = [("search", "0007_docstat_facets")]

    operations = [
        migrations.CreateModel(
            name="SearchVectorByCell",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("vector", models.BinaryField()),
                ("cell", models.IntegerField(default=0)),
                (
                    "document",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="search.searchdocument",
                    ),
                ),
            ],
        ),
        migrations.RunPython(copy_vectors, migrations.RunPython.noop),
        migrations.DeleteModel(name="SearchVector"),
        migrations.RenameModel(old_name="SearchVectorByCell", new_name="SearchVector"),
        migrations.AlterField(
            model_name="searchvector",
            name="document",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="vector",
                to="search.searchdocument",
            ),
        ),
        migrations.AddIndex(
            model_name="searchvector",
            index=models.Index(fields=["cell"], name="search_vector_in_cell"),
        ),
    ]
