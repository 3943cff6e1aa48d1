"""Tariff schedules and lines, product-specific rules of origin, import taxes, customs regimes and
non-tariff measures.

Every row carries its provenance: the legal source it comes from and whether it is sample data. Sample
rows are shown with a visible label and never presented as official rates.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from harbor.reference.models import Country
from harbor.trade.choices import (
    Nomenclature,
    NtmChapter,
    RateType,
    TaxBase,
    TaxKind,
    ValuationBasis,
)


class Provenance(models.Model):
    """Where a row's figures come from, and whether they are sample data."""

    legal_source = models.CharField(
        max_length=500, help_text=_("the instrument the figures come from")
    )
    source_url = models.URLField(max_length=500, blank=True, default="")
    is_sample = models.BooleanField(
        default=False, help_text=_("sample data for demonstration, not official figures")
    )

    class Meta:
        abstract = True


class TariffSchedule(Provenance):
    """The duties one importing country applies under one agreement (or MFN) from a date.

    A schedule is replaced by importing a newer one; lines keep their own validity dates.
    """

    importer = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    agreement = models.CharField(max_length=20, help_text=_("MFN or a preferential agreement code"))
    nomenclature = models.CharField(
        max_length=10, choices=Nomenclature.choices, default=Nomenclature.HS
    )
    title = models.CharField(max_length=300)
    provenance = models.TextField(blank=True, default="", help_text=_("how the file was obtained"))
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["importer_id", "agreement", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["importer", "agreement", "valid_from"], name="tariff_schedule_unique"
            )
        ]
        verbose_name = _("tariff schedule")
        verbose_name_plural = _("tariff schedules")

    def __str__(self) -> str:
        return f"{self.importer_id} {self.agreement} {self.valid_from}"


class TariffLine(models.Model):
    """One line of a schedule: a code (6 to 10 digits), its duty and its validity.

    ``hs6`` is the six-digit subheading the line refines, so a query by HS code finds national lines.
    Specific duties are integers at the minor unit of ``specific_currency`` per ``unit``.
    """

    schedule = models.ForeignKey(TariffSchedule, on_delete=models.CASCADE, related_name="lines")
    code = models.CharField(max_length=12)
    hs6 = models.CharField(max_length=6, db_index=True)
    description = models.TextField(blank=True, default="")
    rate_type = models.CharField(max_length=12, choices=RateType.choices)
    ad_valorem_percent = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    specific_amount = models.BigIntegerField(
        null=True, blank=True, help_text=_("minor units per unit")
    )
    specific_currency = models.CharField(max_length=3, blank=True, default="")
    unit = models.CharField(max_length=10, blank=True, default="", help_text=_("kg, l, u, m2 …"))
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["schedule_id", "code", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "code", "valid_from"], name="tariff_line_unique"
            )
        ]
        indexes = [models.Index(fields=["hs6", "schedule"])]
        verbose_name = _("tariff line")
        verbose_name_plural = _("tariff lines")

    def __str__(self) -> str:
        return f"{self.code} {self.rate_type}"


class ProductRule(Provenance):
    """A product-specific rule of origin in the rule language (e.g. ``RVC(40) | CTSH``).

    The rule for the longest matching HS prefix applies; without one, the agreement's general rule does.
    """

    agreement = models.CharField(max_length=20)
    hs_prefix = models.CharField(max_length=6)
    rule = models.CharField(max_length=500)
    note = models.TextField(blank=True, default="")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agreement", "hs_prefix"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "hs_prefix", "valid_from"], name="product_rule_unique"
            )
        ]
        verbose_name = _("product-specific rule")
        verbose_name_plural = _("product-specific rules")

    def __str__(self) -> str:
        return f"{self.agreement} {self.hs_prefix}: {self.rule}"


class CustomsRegime(Provenance):
    """How an importing country values goods for duty (CIF or FOB)."""

    country = models.OneToOneField(
        Country, on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    valuation_basis = models.CharField(max_length=3, choices=ValuationBasis.choices)

    class Meta:
        verbose_name = _("customs regime")
        verbose_name_plural = _("customs regimes")

    def __str__(self) -> str:
        return f"{self.country_id} {self.valuation_basis}"


class ImportTax(Provenance):
    """VAT/GST, excise or a fee an importing country charges at the border.

    A percentage tax applies to ``base``; a fixed fee is an integer at the minor unit of ``currency``.
    ``hs_prefix`` empty means every good; otherwise the longest matching prefix of a kind wins.
    """

    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=TaxKind.choices)
    name = models.CharField(max_length=200)
    hs_prefix = models.CharField(max_length=6, blank=True, default="")
    rate_percent = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    base = models.CharField(max_length=30, choices=TaxBase.choices, default=TaxBase.VALUE_PLUS_DUTY)
    fixed_amount = models.BigIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True, default="")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["country_id", "kind", "hs_prefix"]
        verbose_name = _("import tax")
        verbose_name_plural = _("import taxes")

    def __str__(self) -> str:
        return f"{self.country_id} {self.kind} {self.name}"


class NonTariffMeasure(Provenance):
    """A requirement an importing country sets for goods of an HS prefix, classified by UNCTAD code.

    ``requirement`` is a language map with the original language declared.
    """

    importer = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    hs_prefix = models.CharField(max_length=6)
    measure_code = models.CharField(max_length=6, help_text=_("UNCTAD NTM code, e.g. A14, B31"))
    chapter = models.CharField(max_length=1, choices=NtmChapter.choices)
    title = models.JSONField(default=dict)
    requirement = models.JSONField(default=dict)
    original_language = models.CharField(max_length=10, default="en")
    documents = models.JSONField(default=list, blank=True)
    agency = models.CharField(max_length=300, blank=True, default="")
    legal_basis = models.CharField(max_length=500, blank=True, default="")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["importer_id", "hs_prefix", "measure_code"]
        indexes = [models.Index(fields=["importer", "hs_prefix"])]
        verbose_name = _("non-tariff measure")
        verbose_name_plural = _("non-tariff measures")

    def __str__(self) -> str:
        return f"{self.importer_id} {self.hs_prefix} {self.measure_code}"
