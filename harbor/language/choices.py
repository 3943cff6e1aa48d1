"""Choices of the language services, with translated labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class GlossaryDomain(models.TextChoices):
    """The field a glossary concept belongs to."""

    TRADE = "trade", _("Trade")
    ICT = "ict", _("Information and communication technology")


class TranslationOrigin(models.TextChoices):
    """How a remembered translation came about; both kinds were approved by a person."""

    HUMAN = "human", _("Translated by a person")
    MACHINE_APPROVED = "machine_approved", _("Machine translation approved by a person")


class MatchKind(models.TextChoices):
    """How a translation-memory unit matched the text looked up."""

    EXACT = "exact", _("Exact match")
    FUZZY = "fuzzy", _("Similar text")
