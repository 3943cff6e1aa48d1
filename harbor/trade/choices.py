"""Choices of the trade app, with translated labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RateType(models.TextChoices):
    """How a duty is expressed on a tariff line."""

    FREE = "free", _("Free")
    AD_VALOREM = "ad_valorem", _("Ad valorem")
    SPECIFIC = "specific", _("Specific (per unit)")
    COMPOUND = "compound", _("Compound (ad valorem plus specific)")
    MIXED_MAX = "mixed_max", _("Ad valorem or specific, whichever is higher")
    EXCLUDED = "excluded", _("Excluded from the agreement")


class Nomenclature(models.TextChoices):
    """Which code list a tariff line uses; national extensions refine the six-digit HS."""

    HS = "HS2022", _("HS 2022 (6 digits)")
    AHTN = "AHTN2022", _("ASEAN Harmonised Tariff Nomenclature 2022 (8 digits)")
    CN_TARIFF = "CN", _("Customs Tariff of China (8 or 10 digits)")
    NATIONAL = "national", _("Other national tariff lines")


class TaxKind(models.TextChoices):
    """Taxes and fees charged at import besides the customs duty."""

    VAT = "vat", _("VAT / GST / sales tax")
    EXCISE = "excise", _("Excise")
    FEE = "fee", _("Fee")


class TaxBase(models.TextChoices):
    """What a percentage tax is charged on."""

    CUSTOMS_VALUE = "customs_value", _("Customs value")
    VALUE_PLUS_DUTY = "value_plus_duty", _("Customs value plus duty")
    VALUE_PLUS_DUTY_EXCISE = "value_plus_duty_excise", _("Customs value plus duty and excise")


class ValuationBasis(models.TextChoices):
    """The customs value an importing country charges duty on."""

    CIF = "CIF", _("CIF (cost, insurance and freight)")
    FOB = "FOB", _("FOB (free on board)")


class NtmChapter(models.TextChoices):
    """Chapters of the UNCTAD International Classification of Non-Tariff Measures (2019 version)."""

    A = "A", _("Sanitary and phytosanitary measures")
    B = "B", _("Technical barriers to trade")
    C = "C", _("Pre-shipment inspection and other formalities")
    D = "D", _("Contingent trade-protective measures")
    E = "E", _("Non-automatic import licensing, quotas, prohibitions and quantity-control measures")
    F = "F", _("Price-control measures, including additional taxes and charges")
    G = "G", _("Finance measures")
    H = "H", _("Measures affecting competition")
    I = "I", _("Trade-related investment measures")  # noqa: E741 - the classification's letter
    J = "J", _("Distribution restrictions")
    K = "K", _("Restrictions on post-sales services")
    L = "L", _("Subsidies and other forms of support")
    M = "M", _("Government procurement restrictions")
    N = "N", _("Intellectual property")
    O = "O", _("Rules of origin")  # noqa: E741 - the classification's letter
    P = "P", _("Export-related measures")
