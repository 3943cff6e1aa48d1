"""The reference API: countries, currencies and languages, public and named in every UI locale."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db

MEMBER_STATES = {"CN", "BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN"}
UI_LOCALES = {"en", "zh-hans", "id", "ms", "th", "vi", "fil", "km", "lo", "my", "ta"}


def test_members_only_lists_exactly_the_eleven_member_states() -> None:
    response = Client().get("/api/v1/reference/countries", {"members_only": "true"})

    assert response.status_code == 200
    countries = response.json()
    assert [c["code"] for c in countries] == sorted(MEMBER_STATES)
    assert all(c["is_member"] is True for c in countries)


def test_every_member_state_is_named_in_all_eleven_ui_locales() -> None:
    countries = Client().get("/api/v1/reference/countries?members_only=true").json()

    assert {code for code, _name in settings.LANGUAGES} == UI_LOCALES
    for country in countries:
        assert set(country["names"]) == UI_LOCALES, country["code"]
        assert all(name.strip() for name in country["names"].values()), country["code"]


@pytest.mark.parametrize(
    ("code", "locale", "name"),
    [
        ("TH", "th", "ไทย"),
        ("VN", "zh-hans", "越南"),
        ("VN", "vi", "Việt Nam"),
        ("CN", "zh-hans", "中国"),
        ("KH", "km", "កម្ពុជា"),
        ("LA", "lo", "ລາວ"),
        ("MM", "my", "မြန်မာ"),
        ("PH", "fil", "Pilipinas"),
        ("SG", "ta", "சிங்கப்பூர்"),
        ("ID", "en", "Indonesia"),
        ("MY", "ms", "Malaysia"),
        ("BN", "th", "บรูไน"),
    ],
)
def test_country_names_come_from_cldr(code: str, locale: str, name: str) -> None:
    countries = {
        c["code"]: c for c in Client().get("/api/v1/reference/countries?members_only=true").json()
    }

    assert countries[code]["names"][locale] == name


def test_country_detail_carries_codes_currency_and_languages() -> None:
    response = Client().get("/api/v1/reference/countries/sg")

    assert response.status_code == 200
    assert response.json() == {
        "code": "SG",
        "alpha3": "SGP",
        "m49": "702",
        "name": "Singapore",
        "names": response.json()["names"],
        "currency": "SGD",
        "languages": ["en", "ms", "zh-Hans", "ta"],
        "is_member": True,
    }


def test_country_name_follows_the_accept_language_header() -> None:
    response = Client().get("/api/v1/reference/countries/TH", HTTP_ACCEPT_LANGUAGE="th")

    assert response.json()["name"] == "ไทย"


def test_all_countries_includes_non_members() -> None:
    countries = Client().get("/api/v1/reference/countries").json()

    by_code = {c["code"]: c for c in countries}
    assert len(countries) == 249
    assert by_code["FR"]["is_member"] is False
    assert by_code["FR"]["currency"] == "EUR"
    assert sum(1 for c in countries if c["is_member"]) == 11


@pytest.mark.parametrize("code", ["XX", "ZZ", "VNM", "1"])
def test_unknown_country_is_a_404_problem(code: str) -> None:
    response = Client().get(f"/api/v1/reference/countries/{code}")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "not_found"
    assert body["status"] == 404
    assert body["instance"] == f"/api/v1/reference/countries/{code}"
    assert code in body["detail"]


@pytest.mark.parametrize(
    ("code", "minor_unit", "numeric"),
    [
        ("VND", 0, "704"),
        ("THB", 2, "764"),
        ("CNY", 2, "156"),
        ("IDR", 2, "360"),
        ("SGD", 2, "702"),
        ("BND", 2, "096"),
        ("JPY", 0, "392"),
        ("KWD", 3, "414"),
    ],
)
def test_currencies_carry_their_iso_4217_minor_unit(
    code: str, minor_unit: int, numeric: str
) -> None:
    currencies = {c["code"]: c for c in Client().get("/api/v1/reference/currencies").json()}

    assert currencies[code]["minor_unit"] == minor_unit
    assert currencies[code]["numeric_code"] == numeric
    assert set(currencies[code]["names"]) == UI_LOCALES


def test_currency_names_are_localised() -> None:
    currencies = {c["code"]: c for c in Client().get("/api/v1/reference/currencies").json()}

    assert currencies["THB"]["name"] == "Thai Baht"
    assert currencies["THB"]["names"]["th"] == "บาท"
    assert currencies["VND"]["names"]["en"] == "Vietnamese Dong"


def test_languages_are_the_content_languages_flagged_when_ui_locales() -> None:
    languages = {lang["code"]: lang for lang in Client().get("/api/v1/reference/languages").json()}

    assert set(languages) == {
        "en",
        "zh-Hans",
        "zh-Hant",
        "id",
        "ms",
        "th",
        "vi",
        "fil",
        "km",
        "lo",
        "my",
        "ta",
    }
    assert {code for code, lang in languages.items() if not lang["is_ui_locale"]} == {"zh-Hant"}
    assert languages["th"]["names"]["th"] == "ไทย"
    assert languages["vi"]["names"]["vi"] == "Tiếng Việt"
    assert languages["km"]["names"]["en"] == "Khmer"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/reference/countries",
        "/api/v1/reference/countries/VN",
        "/api/v1/reference/currencies",
        "/api/v1/reference/languages",
    ],
)
def test_reference_data_cannot_be_written_through_the_api(path: str) -> None:
    response = Client().post(path, {}, content_type="application/json")

    assert response.status_code == 405
