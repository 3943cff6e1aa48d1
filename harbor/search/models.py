"""The search index: one document per indexed object, with its full-text shadow column and facet values.

``terms`` holds the segmented text (the shadow column both engines index); ``acl_terms`` holds the keys of
who may see the document, so the sharing policy is applied inside the index query itself; ``facet_terms``
holds its facet values as tokens (``harbor.search.facets``).

Rule: documents are written and deleted through ``harbor.search.services`` only. On SQLite the full-text
table and its statistics (``harbor.search.fts``) are maintained there, not by triggers.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    """An indexed object: original texts for snippets, segmented terms, access keys and facet values."""

    source = models.CharField(max_length=60)
    object_id = models.BigIntegerField()
    texts = models.JSONField(default=dict, help_text=_("language → original text, for snippets"))
    terms = models.TextField(help_text=_("segmented, normalised text: the full-text shadow column"))
    acl_terms = models.TextField(help_text=_("space-separated access keys"))
    facet_terms = models.TextField(
        blank=True, default="", help_text=_("space-separated facet values, name=value")
    )
    kind = models.CharField(max_length=40, blank=True, default="")
    country = models.CharField(max_length=2, blank=True, default="")
    date = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "object_id"], name="search_document_unique_object"
            )
        ]
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")

    def __str__(self) -> str:
        return f"{self.source}:{self.object_id}"


class SearchVector(models.Model):
    """A document's multilingual sentence embedding (multilingual-e5-small, float16, unit length).

    ``cell`` is the vector's cell among the current ``VectorCells`` (0 while there are none). Rows have
    their own id so that retraining can write them again in cell order: the vectors of a cell then lie
    together in the table, and a query reads a few runs of pages instead of one page per vector.
    """

    document = models.OneToOneField(SearchDocument, on_delete=models.CASCADE, related_name="vector")
    vector = models.BinaryField()
    cell = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["cell"], name="search_vector_in_cell")]

    def __str__(self) -> str:
        return f"vector of {self.document_id}"


class VectorCells(models.Model):
    """The centroids that cut the embedding space into cells (``harbor.search.cells``).

    Only the newest row is in use; every vector's ``cell`` refers to it. It is replaced, and every vector
    reassigned, in one transaction (``harbor.search.semantic.train_cells``).
    """

    centroids = models.BinaryField()  # float32 unit rows, one per cell
    cells = models.PositiveIntegerField()
    dimensions = models.PositiveIntegerField()
    trained_on = models.PositiveIntegerField()  # how many vectors there were
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.cells} cells over {self.trained_on} vectors"
