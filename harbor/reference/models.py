"""Reference tables: countries, currencies and languages, with names in every UI locale."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def localised(names: dict[str, str], fallback: str) -> str:
    """The name in the active UI language, else English, else ``fallback``."""
    language = (get_language() or "en").lower()
    return names.get(language) or names.get("en") or fallback


class Currency(models.Model):
    """An ISO 4217 currency; amounts are stored as integers of its minor unit."""

    code = models.CharField(max_length=3, primary_key=True)
    numeric_code = models.CharField(max_length=3)
    minor_unit = models.PositiveSmallIntegerField()
    names = models.JSONField(default=dict)

    class Meta:
        ordering = ["code"]
        verbose_name = _("currency")
        verbose_name_plural = _("currencies")

    def __str__(self) -> str:
        return self.code

    @property
    def name(self) -> str:
        return localised(self.names, self.code)


class Language(models.Model):
    """A BCP 47 language that content may be written in; some are also UI locales."""

    code = models.CharField(max_length=20, primary_key=True)
    names = models.JSONField(default=dict)
    is_ui_locale = models.BooleanField(default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")

    def __str__(self) -> str:
        return self.code

    @property
    def name(self) -> str:
        return localised(self.names, self.code)


class Country(models.Model):
    """An ISO 3166 country; the eleven harbor member states are flagged ``is_member``."""

    code = models.CharField(max_length=2, primary_key=True, help_text=_("ISO 3166-1 alpha-2"))
    alpha3 = models.CharField(max_length=3, unique=True)
    m49 = models.CharField(max_length=3)
    names = models.JSONField(default=dict)
    currency = models.ForeignKey(Currency, null=True, blank=True, on_delete=models.PROTECT)
    languages = models.JSONField(default=list, help_text=_("official languages as BCP 47 tags"))
    is_member = models.BooleanField(default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self) -> str:
        return self.code

    @property
    def name(self) -> str:
        return localised(self.names, self.code)


class HsCode(models.Model):
    """An HS 2022 chapter (2 digits), heading (4) or subheading (6), with its section and parent."""

    code = models.CharField(max_length=6, primary_key=True)
    level = models.PositiveSmallIntegerField()
    parent = models.CharField(max_length=6, blank=True, default="")
    section = models.CharField(max_length=5)
    description = models.TextField()

    class Meta:
        ordering = ["code"]
        verbose_name = _("HS code")
        verbose_name_plural = _("HS codes")

    def __str__(self) -> str:
        return self.code
