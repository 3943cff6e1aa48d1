"""Glossary concepts and translation-memory units."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from harbor.directory.models import Organisation, User
from harbor.language.choices import GlossaryDomain, TranslationOrigin


class GlossaryTerm(models.Model):
    """One trade or ICT concept with its term in each content language; translations must use these terms.

    ``terms`` maps a language code to the preferred term, the one written into translations; ``variants``
    maps a language code to other spellings recognised in source texts (``data center`` beside ``data
    centre``) but never written. A concept marked ``do_not_translate`` (an acronym such as FOB or CERT) keeps
    its English form in every language that has no term of its own.
    """

    key = models.CharField(
        max_length=80, unique=True, help_text=_("stable identifier, e.g. bill-of-lading")
    )
    domain = models.CharField(max_length=10, choices=GlossaryDomain.choices)
    terms = models.JSONField(default=dict, help_text=_("language code → preferred term"))
    variants = models.JSONField(
        default=dict, blank=True, help_text=_("language code → other forms recognised in texts")
    )
    notes = models.TextField(blank=True, default="")
    do_not_translate = models.BooleanField(default=False)
    source = models.CharField(max_length=300, blank=True, default="")
    search_text = models.TextField(blank=True, default="", editable=False)
    updated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["key"]
        indexes = [models.Index(fields=["domain", "key"])]
        verbose_name = _("glossary term")
        verbose_name_plural = _("glossary terms")

    def __str__(self) -> str:
        return self.key

    def term_for(self, language: str) -> str | None:
        """The term to write in ``language``: its own, else the English form of a do-not-translate concept."""
        own = self.terms.get(language)
        if own:
            return str(own)
        if self.do_not_translate and self.terms.get("en"):
            return str(self.terms["en"])
        return None


class TranslationUnit(models.Model):
    """A translation of one segment approved by a person, reused for the same (or a similar) segment.

    The source text is stored normalised (NFC, trimmed, runs of spaces collapsed) with its SHA-256 for exact
    lookups and its length for the fuzzy-match window. Each organisation holds at most one unit per source
    segment and language pair: remembering again corrects it.
    """

    source_language = models.CharField(max_length=20)
    target_language = models.CharField(max_length=20)
    source_text = models.TextField()
    source_hash = models.CharField(max_length=64)
    source_length = models.PositiveIntegerField()
    target_text = models.TextField()
    origin = models.CharField(
        max_length=20, choices=TranslationOrigin.choices, default=TranslationOrigin.HUMAN
    )
    approved_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation_verified = models.BooleanField(
        default=False,
        help_text=_("the organisation was verified when the translation was approved"),
    )
    uses = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["source_language", "target_language", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_language", "target_language", "source_hash", "organisation"],
                condition=models.Q(organisation__isnull=False),
                name="translation_unit_unique_per_organisation",
            ),
            models.UniqueConstraint(
                fields=["source_language", "target_language", "source_hash"],
                condition=models.Q(organisation__isnull=True),
                name="translation_unit_unique_platform",
            ),
        ]
        indexes = [
            models.Index(
                fields=["source_hash", "source_language", "target_language"],
                name="translation_unit_exact",
            ),
            models.Index(
                fields=["source_language", "target_language", "source_length"],
                name="translation_unit_window",
            ),
        ]
        verbose_name = _("translation unit")
        verbose_name_plural = _("translation units")

    def __str__(self) -> str:
        return f"{self.source_language}→{self.target_language} #{self.pk}"
