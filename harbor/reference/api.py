"""Reference data API: countries, currencies, languages; public."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from harbor.core.api import Problem
from harbor.reference import selectors

router = Router(tags=["reference"])


class CurrencyRead(Schema):
    code: str
    numeric_code: str
    minor_unit: int
    name: str
    names: dict[str, str]


class CountryRead(Schema):
    code: str
    alpha3: str
    m49: str
    name: str
    names: dict[str, str]
    currency: str | None
    languages: list[str]
    is_member: bool

    @staticmethod
    def resolve_currency(obj: object) -> str | None:
        return getattr(obj, "currency_id", None)


class LanguageRead(Schema):
    code: str
    name: str
    names: dict[str, str]
    is_ui_locale: bool


@router.get(
    "/countries", response={200: list[CountryRead], 422: Problem}, operation_id="list_countries"
)
def list_countries(request: HttpRequest, members_only: bool = False) -> object:
    """ISO 3166 countries with names in every UI locale; ``members_only`` keeps the eleven member states."""
    return list(selectors.list_countries(members_only=members_only))


@router.get(
    "/countries/{code}", response={200: CountryRead, 404: Problem}, operation_id="get_country"
)
def get_country(request: HttpRequest, code: str) -> object:
    return selectors.get_country(code)


@router.get("/currencies", response=list[CurrencyRead], operation_id="list_currencies")
def list_currencies(request: HttpRequest) -> object:
    """ISO 4217 currencies with their minor units."""
    return list(selectors.list_currencies())


@router.get("/languages", response=list[LanguageRead], operation_id="list_languages")
def list_languages(request: HttpRequest) -> object:
    """Languages content may be written in (BCP 47), flagged when they are UI locales."""
    return list(selectors.list_languages())
