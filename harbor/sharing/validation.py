"""Validation of record fields: language maps, codes, dates, links and the sharing policy.

Every problem names the field it is about, so the API can return a 422 that points at it.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from harbor.core.errors import FieldError, ValidationFailed
from harbor.directory.models import Organisation
from harbor.reference.catalogue import CONTENT_LANGUAGES
from harbor.reference.models import Country
from harbor.reference.selectors import known_hs_codes
from harbor.search.text import is_zawgyi, zawgyi_to_unicode
from harbor.sharing.choices import Audience, OpportunityType, RecordKind, ServiceArea

LANGUAGES = {code.lower() for code in CONTENT_LANGUAGES}
TEXT_LIMITS = {"title": 300, "summary": 2000, "body": 100_000}
TOPIC_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
HS_PATTERN = re.compile(r"^\d{2}(\d{2}(\d{2})?)?$")
MAX_LIST = 50


class Collector:
    """Gathers field errors so one request reports all of them at once."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, field: str, message: str) -> None:
        self.errors.append(FieldError(field, message))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed.for_fields(self.errors)


def language_map(
    value: Any, field: str, errors: Collector, *, required_language: str | None = None
) -> dict[str, str]:
    """A map of BCP 47 content language → text, within the field's length limit."""
    if value is None:
        value = {}
    if not isinstance(value, dict):
        errors.add(field, _("Give an object mapping language codes to text."))
        return {}
    cleaned: dict[str, str] = {}
    for language, text in value.items():
        code = str(language).lower()
        if code not in LANGUAGES:
            errors.add(
                f"{field}.{language}",
                _("“%(lang)s” is not a supported language.") % {"lang": language},
            )
            continue
        if not isinstance(text, str):
            errors.add(f"{field}.{language}", _("Give text."))
            continue
        if len(text) > TEXT_LIMITS[field]:
            errors.add(
                f"{field}.{language}",
                _("Give at most %(limit)d characters.") % {"limit": TEXT_LIMITS[field]},
            )
            continue
        if code == "my" and is_zawgyi(text):
            # Legacy Zawgyi-encoded Burmese is stored as Unicode so every reader and search sees one form.
            text = zawgyi_to_unicode(text)
        if text.strip():
            cleaned[code] = text.strip()
    if required_language is not None and not cleaned.get(required_language):
        errors.add(
            f"{field}.{required_language}",
            _("Give the %(field)s in the original language (%(lang)s).")
            % {"field": field, "lang": required_language},
        )
    return cleaned


def kind(value: Any, errors: Collector) -> str:
    if value not in RecordKind.values:
        errors.add(
            "kind", _("Choose a kind among: %(kinds)s.") % {"kinds": ", ".join(RecordKind.values)}
        )
        return ""
    return str(value)


def topics(value: Any, errors: Collector) -> list[str]:
    if not isinstance(value, list) or len(value) > MAX_LIST:
        errors.add("topics", _("Give a list of at most %(n)d topics.") % {"n": MAX_LIST})
        return []
    cleaned = []
    for index, topic in enumerate(value):
        if not isinstance(topic, str) or not TOPIC_PATTERN.match(topic.lower()):
            errors.add(f"topics.{index}", _("Topics are short lowercase words joined by hyphens."))
        else:
            cleaned.append(topic.lower())
    return list(dict.fromkeys(cleaned))


def hs_codes(value: Any, errors: Collector) -> list[str]:
    """HS 2022 chapters, headings or subheadings that exist in the nomenclature."""
    if not isinstance(value, list) or len(value) > MAX_LIST:
        errors.add("hs_codes", _("Give a list of at most %(n)d HS codes.") % {"n": MAX_LIST})
        return []
    codes = [str(code).replace(".", "").strip() for code in value]
    known = known_hs_codes(codes)
    for index, code in enumerate(codes):
        if not HS_PATTERN.match(code):
            errors.add(f"hs_codes.{index}", _("An HS code has 2, 4 or 6 digits."))
        elif code not in known:
            errors.add(
                f"hs_codes.{index}",
                _("“%(code)s” is not in the HS 2022 nomenclature.") % {"code": code},
            )
    return list(dict.fromkeys(code for code in codes if code in known))


def country_codes(value: Any, field: str, errors: Collector, *, members_only: bool) -> list[str]:
    if not isinstance(value, list) or len(value) > 250:
        errors.add(field, _("Give a list of country codes."))
        return []
    codes = [str(code).upper() for code in value]
    countries = Country.objects.filter(code__in=codes)
    if members_only:
        countries = countries.filter(is_member=True)
    known = set(countries.values_list("code", flat=True))
    for index, code in enumerate(codes):
        if code not in known:
            message = (
                _("“%(code)s” is not one of the eleven member states.")
                if members_only
                else _("“%(code)s” is not an ISO 3166 country code.")
            )
            errors.add(f"{field}.{index}", message % {"code": code})
    return list(dict.fromkeys(code for code in codes if code in known))


def links(value: Any, errors: Collector) -> list[dict[str, str]]:
    if not isinstance(value, list) or len(value) > 20:
        errors.add("links", _("Give a list of at most 20 links."))
        return []
    validator = URLValidator(schemes=["http", "https"])
    cleaned = []
    for index, link in enumerate(value):
        url = link.get("url") if isinstance(link, dict) else link
        label = link.get("label", "") if isinstance(link, dict) else ""
        try:
            validator(url)
        except DjangoValidationError:
            errors.add(f"links.{index}", _("Enter a valid http or https address."))
            continue
        cleaned.append({"url": str(url), "label": str(label)[:200]})
    return cleaned


def dates(effective: date | None, expiry: date | None, errors: Collector) -> None:
    if effective and expiry and expiry < effective:
        errors.add("expiry_date", _("The expiry date is before the effective date."))


def details(record_kind: str, value: Any, errors: Collector) -> dict[str, str]:
    """Kind-specific fields: an opportunity's type, a public-service record's area."""
    value = value or {}
    if not isinstance(value, dict):
        errors.add("details", _("Give an object."))
        return {}
    cleaned: dict[str, str] = {}
    if record_kind == RecordKind.OPPORTUNITY:
        if value.get("opportunity_type") not in OpportunityType.values:
            errors.add(
                "details.opportunity_type",
                _("Choose among: %(values)s.") % {"values": ", ".join(OpportunityType.values)},
            )
        else:
            cleaned["opportunity_type"] = value["opportunity_type"]
    if record_kind == RecordKind.PUBLIC_SERVICE:
        if value.get("service_area") not in ServiceArea.values:
            errors.add(
                "details.service_area",
                _("Choose among: %(values)s.") % {"values": ", ".join(ServiceArea.values)},
            )
        else:
            cleaned["service_area"] = value["service_area"]
    return cleaned


def audience(
    value: Any, countries: Any, organisations: Any, errors: Collector
) -> tuple[str, list[str], list[int]]:
    """The sharing policy: its scope, and the countries or organisations it lists."""
    if value not in Audience.values:
        errors.add(
            "audience",
            _("Choose an audience among: %(values)s.") % {"values": ", ".join(Audience.values)},
        )
        return Audience.OWNER, [], []
    listed_countries: list[str] = []
    listed_organisations: list[int] = []
    if value == Audience.COUNTRIES:
        listed_countries = country_codes(
            countries or [], "audience_countries", errors, members_only=True
        )
        if not listed_countries and not countries:
            errors.add("audience_countries", _("List at least one country."))
    if value == Audience.ORGANISATIONS:
        slugs = organisations or []
        if not isinstance(slugs, list) or not slugs:
            errors.add("audience_organisations", _("List at least one organisation."))
        else:
            found = dict(
                Organisation.objects.filter(slug__in=[str(s) for s in slugs]).values_list(
                    "slug", "pk"
                )
            )
            for index, slug in enumerate(slugs):
                if slug not in found:
                    errors.add(
                        f"audience_organisations.{index}",
                        _("No organisation “%(slug)s”.") % {"slug": slug},
                    )
            listed_organisations = sorted(set(found.values()))
    return str(value), listed_countries, listed_organisations
