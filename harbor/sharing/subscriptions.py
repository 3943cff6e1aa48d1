"""Writes and reads of subscriptions and the inbox."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from harbor.core.actors import Actor
from harbor.core.audit import record_audit
from harbor.core.errors import NotFound
from harbor.core.outbound import check_destination
from harbor.core.permissions import require
from harbor.sharing import permissions as perms
from harbor.sharing import validation as check
from harbor.sharing.models import InboxItem, Subscription

FIELDS = (
    "name",
    "kinds",
    "countries",
    "topics",
    "hs_prefixes",
    "query",
    "by_inbox",
    "by_email",
    "webhook_url",
)


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    errors = check.Collector()
    for name in sorted(set(data) - set(FIELDS)):
        errors.add(name, _("Unknown field."))
    name = str(data.get("name") or "").strip()
    if not name or len(name) > 120:
        errors.add("name", _("Give a name of 1 to 120 characters."))
    kinds = data.get("kinds") or []
    cleaned_kinds = []
    for index, kind in enumerate(kinds if isinstance(kinds, list) else [None]):
        value = check.kind(kind, check.Collector())
        if not value:
            errors.add(f"kinds.{index}", _("Unknown kind “%(kind)s”.") % {"kind": kind})
        else:
            cleaned_kinds.append(value)
    prefixes = data.get("hs_prefixes") or []
    if not isinstance(prefixes, list) or any(
        not isinstance(p, str) or not p.isdigit() or len(p) not in (2, 4, 6) for p in prefixes
    ):
        errors.add("hs_prefixes", _("HS prefixes have 2, 4 or 6 digits."))
        prefixes = []
    query = str(data.get("query") or "")
    if len(query) > 300:
        errors.add("query", _("The query is longer than 300 characters."))
    webhook = str(data.get("webhook_url") or "").strip()
    if webhook:
        check.links([webhook], check.Collector())
        try:
            check_destination(webhook)
        except Exception as refused:  # noqa: BLE001 - reported as a field error
            errors.add("webhook_url", str(getattr(refused, "detail", refused)))
    cleaned = {
        "name": name,
        "kinds": cleaned_kinds,
        "countries": check.country_codes(
            data.get("countries") or [], "countries", errors, members_only=False
        ),
        "topics": check.topics(data.get("topics") or [], errors),
        "hs_prefixes": list(dict.fromkeys(prefixes)),
        "query": query.strip(),
        "by_inbox": bool(data.get("by_inbox", True)),
        "by_email": bool(data.get("by_email", False)),
        "webhook_url": webhook,
    }
    errors.raise_if_any()
    return cleaned


def create_subscription(*, actor: Actor, data: dict[str, Any]) -> Subscription:
    """Subscribe the caller, reading with the rights of the organisation they act for."""
    require(actor, perms.MANAGE_SUBSCRIPTIONS)
    if actor.user_id is None or actor.organisation_id is None:
        raise NotFound(_("Subscriptions belong to a person acting for an organisation."))
    cleaned = _clean(data)
    with transaction.atomic():
        subscription = Subscription.objects.create(
            user_id=actor.user_id,
            organisation_id=actor.organisation_id,
            webhook_secret=secrets.token_hex(32),
            feed_token=secrets.token_urlsafe(32),
            **cleaned,
        )
        record_audit(actor, "subscription.created", subscription)
    return subscription


def delete_subscription(subscription: Subscription, *, actor: Actor) -> None:
    require(actor, perms.MANAGE_SUBSCRIPTIONS)
    with transaction.atomic():
        record_audit(actor, "subscription.deleted", subscription, deleted=True)
        subscription.delete()


def list_subscriptions_for(actor: Actor) -> QuerySet[Subscription]:
    """The caller's own subscriptions."""
    if actor.user_id is None:
        return Subscription.objects.none()
    return Subscription.objects.filter(user_id=actor.user_id).select_related("organisation")


def get_subscription_for(actor: Actor, subscription_id: int) -> Subscription:
    subscription = list_subscriptions_for(actor).filter(pk=subscription_id).first()
    if subscription is None:
        raise NotFound(_("No such subscription."))
    return subscription


def list_inbox_for(actor: Actor, *, unread_only: bool = False) -> QuerySet[InboxItem]:
    """The caller's inbox, newest first."""
    if actor.user_id is None:
        return InboxItem.objects.none()
    items = InboxItem.objects.filter(user_id=actor.user_id).select_related("record", "subscription")
    return items.filter(read_at__isnull=True) if unread_only else items


def mark_read(item: InboxItem, *, actor: Actor) -> InboxItem:
    if item.user_id != actor.user_id:
        raise NotFound(_("No such inbox item."))
    if item.read_at is None:
        item.read_at = timezone.now()
        item.save(update_fields=["read_at"])
    return item
