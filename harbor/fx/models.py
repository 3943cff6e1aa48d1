"""Exchange-rate sources and the dated rates they publish."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from harbor.fx.choices import Frequency
from harbor.reference.models import Currency

RATE_MAX_DIGITS = 24
RATE_DECIMAL_PLACES = 12


class RateSource(models.Model):
    """A publisher of rates; ``priority`` orders sources when several answer (lower first)."""

    code = models.SlugField(max_length=20, primary_key=True)
    name = models.CharField(max_length=200)
    url = models.URLField(blank=True, default="")
    licence = models.CharField(max_length=100, blank=True, default="")
    attribution = models.TextField(blank=True, default="")
    frequency = models.CharField(max_length=12, choices=Frequency.choices)
    max_age_days = models.PositiveSmallIntegerField(
        help_text=_("how many days an observation still answers for later dates")
    )
    priority = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["priority", "code"]
        verbose_name = _("rate source")
        verbose_name_plural = _("rate sources")

    def __str__(self) -> str:
        return self.code


class ExchangeRate(models.Model):
    """One observation: on ``date``, one unit of ``base`` was worth ``rate`` units of ``quote``.

    Rates are stored in the direction the source file gives them (ECB: foreign units per euro; the H.10
    file: foreign units per US dollar); inverses and crosses are computed when read.
    """

    source = models.ForeignKey(RateSource, on_delete=models.PROTECT, related_name="rates")
    base = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="+")
    quote = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    rate = models.DecimalField(max_digits=RATE_MAX_DIGITS, decimal_places=RATE_DECIMAL_PLACES)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["base", "quote", "-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "base", "quote", "date"], name="fx_rate_one_per_source_day"
            ),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="fx_rate_positive"),
            models.CheckConstraint(
                condition=~models.Q(base=models.F("quote")), name="fx_rate_two_currencies"
            ),
        ]
        indexes = [models.Index(fields=["base", "quote", "date"], name="fx_rate_pair_date")]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")

    def __str__(self) -> str:
        return f"{self.base_id}/{self.quote_id} {self.date} {self.rate} ({self.source_id})"


def rate_fits(rate: Decimal) -> bool:
    """Whether ``rate`` is positive and fits the column: at most 12 digits before and 12 after the point."""
    if not rate.is_finite() or rate <= 0:
        return False
    _sign, digits, exponent = rate.normalize().as_tuple()
    assert isinstance(exponent, int)  # finite, so never "n", "N" or "F"
    places = max(0, -exponent)
    whole = max(0, len(digits) + exponent)
    return places <= RATE_DECIMAL_PLACES and whole <= RATE_MAX_DIGITS - RATE_DECIMAL_PLACES
