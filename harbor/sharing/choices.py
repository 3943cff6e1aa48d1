"""Choices of the sharing hub, with translated labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordKind(models.TextChoices):
    NOTICE = "notice", _("Notice")
    REGULATION = "regulation", _("Regulation")
    OPPORTUNITY = "opportunity", _("Opportunity")
    DATASET = "dataset", _("Dataset")
    ADVISORY = "advisory", _("Advisory")
    PUBLIC_SERVICE = "public_service", _("Public-service information")


class ServiceArea(models.TextChoices):
    """What public-service information is about."""

    HEALTH = "health", _("Health")
    EDUCATION = "education", _("Education")
    TOURISM = "tourism", _("Tourism")
    EMPLOYMENT = "employment", _("Employment")
    DISASTER = "disaster", _("Disaster")


class OpportunityType(models.TextChoices):
    BUY = "buy", _("Buying")
    SELL = "sell", _("Selling")
    COOPERATION = "cooperation", _("Cooperation offer")


class RecordStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Audience(models.TextChoices):
    """Who may read a record: the sharing policy's scope."""

    PUBLIC = "public", _("Everyone")
    MEMBERS = "members", _("Verified members of the harbor")
    COUNTRIES = "countries", _("Members in listed countries")
    ORGANISATIONS = "organisations", _("Listed organisations")
    OWNER = "owner", _("Only my organisation")


class ChangeAction(models.TextChoices):
    DRAFTED = "drafted", _("Draft saved")
    PUBLISHED = "published", _("Published")
    UPDATED = "updated", _("Updated")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REVOKED = "revoked", _("No longer shared with you")
