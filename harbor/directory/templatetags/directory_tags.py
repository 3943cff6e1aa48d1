"""Template tags that put directory facts on every page: the acting organisation and the switcher."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.db import DatabaseError
from django.db.models import Count, Q

from harbor.core.actors import Actor
from harbor.directory import selectors
from harbor.directory.models import Organisation
from harbor.reference.models import Country
from harbor.reference.selectors import list_countries

register = template.Library()


def _actor(context: template.Context) -> Actor:
    request = context.get("request")
    return getattr(request, "actor", None) or Actor.anonymous()


@register.simple_tag(takes_context=True)
def my_organisations(context: template.Context) -> list[Organisation]:
    """The organisations the signed-in person belongs to, for the acting-organisation switcher.

    Error pages render this too, so a database that cannot answer yields an empty list, not a second error.
    """
    actor = _actor(context)
    if not actor.memberships:
        return []
    try:
        return sorted(
            selectors.organisations_of(actor), key=lambda org: org.display_name.casefold()
        )
    except DatabaseError:
        return []


@register.simple_tag(takes_context=True)
def acting_organisation(context: template.Context) -> Organisation | None:
    """The organisation the person acts for now, or None."""
    actor = _actor(context)
    if actor.organisation_id is None:
        return None
    try:
        return selectors.organisations_of(actor).filter(pk=actor.organisation_id).first()
    except DatabaseError:
        return None


@dataclass(frozen=True)
class CountryCount:
    """How many organisations of one member state the reader can see, and how many are demo data."""

    country: Country
    total: int
    demo: int


@register.simple_tag(takes_context=True)
def organisation_counts(context: template.Context) -> dict[str, Any]:
    """Organisations per member state as the reader may see them (verified ones, plus their own)."""
    visible = selectors.visible_organisations(_actor(context))
    counts = {
        row["country_id"]: row
        for row in visible.order_by()
        .values("country_id")
        .annotate(total=Count("id"), demo=Count("id", filter=Q(is_demo=True)))
    }
    rows = [
        CountryCount(
            country=country,
            total=counts.get(country.code, {}).get("total", 0),
            demo=counts.get(country.code, {}).get("demo", 0),
        )
        for country in list_countries(members_only=True)
    ]
    rows.sort(key=lambda row: row.country.name.casefold())
    return {
        "rows": rows,
        "total": sum(row.total for row in rows),
        "demo": sum(row.demo for row in rows),
    }
