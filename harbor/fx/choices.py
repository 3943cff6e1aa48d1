"""Choices of the exchange-rate app, with translated labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Frequency(models.TextChoices):
    """How often a source publishes: it decides how old an observation may be and still answer."""

    DAILY = "daily", _("Daily")
    MONTHLY = "monthly", _("Monthly")
    AS_ENTERED = "as_entered", _("As entered by operators")
    RULE = "rule", _("Fixed by rule")


class RatePath(models.TextChoices):
    """How a rate was reached from stored observations."""

    IDENTITY = "identity", _("Same currency")
    DIRECT = "direct", _("Direct")
    INVERSE = "inverse", _("Inverse")
    CROSS = "cross", _("Cross")
