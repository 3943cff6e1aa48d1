# Cells of the embedding space (harbor.search.cells): centroids and each vector's cell.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('search', '0005_partitioned_fulltext'),
    ]

    operations = [
        migrations.CreateModel(
            name='VectorCells',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('centroids', models.BinaryField()),
                ('cells', models.PositiveIntegerField()),
                ('dimensions', models.PositiveIntegerField()),
                ('trained_on', models.PositiveIntegerField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.AddField(
            model_name='searchvector',
            name='cell',
            field=models.IntegerField(default=0),
        ),
        migrations.AddIndex(
            model_name='searchvector',
            index=models.Index(fields=['cell'], name='search_vector_cell'),
        ),
    ]
