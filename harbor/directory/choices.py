"""Choices of the directory, with translated labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    LOGISTICS = "logistics", _("Logistics provider")
    PAYMENT = "payment", _("Payment provider")
    GOVERNMENT = "government", _("Government agency")
    CERT = "cert", _("CERT")
    CONSUMER = "consumer", _("Consumer association")
    RESEARCH = "research", _("Research institution")


class Verification(models.TextChoices):
    UNVERIFIED = "unverified", _("Unverified")
    PENDING = "pending", _("Verification requested")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


class MemberRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Administrator")
    EDITOR = "editor", _("Editor")
    VIEWER = "viewer", _("Viewer")
