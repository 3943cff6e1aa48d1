"""Reads of reference data; everyone may read it."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from harbor.core.errors import NotFound
from harbor.reference.models import Country, Currency, HsCode, Language


def list_countries(*, members_only: bool = False) -> QuerySet[Country]:
    """Countries by code; ``members_only`` keeps the eleven harbor member states."""
    countries = Country.objects.select_related("currency")
    return countries.filter(is_member=True) if members_only else countries


def get_country(code: str) -> Country:
    country = list_countries().filter(code=code.upper()).first()
    if country is None:
        raise NotFound(_("No country with code “%(code)s”.") % {"code": code})
    return country


def list_currencies() -> QuerySet[Currency]:
    return Currency.objects.all()


def list_languages() -> QuerySet[Language]:
    return Language.objects.all()


def known_hs_codes(codes: list[str]) -> set[str]:
    """Which of ``codes`` exist in HS 2022 (chapters, headings or subheadings)."""
    return set(HsCode.objects.filter(code__in=codes).values_list("code", flat=True))
