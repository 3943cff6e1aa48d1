"""Delivering published records to subscribers: inbox, email and signed webhooks with retries.

A subscriber receives a record only when its subscription matches and the subscriber, acting for the
subscription's organisation, may read the record under its sharing policy at that moment.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from harbor.core.actors import Actor
from harbor.core.outbound import DestinationRefused, post
from harbor.directory.services import build_actor
from harbor.search.text import index_terms, query_terms
from harbor.sharing.choices import RecordStatus
from harbor.sharing.models import DeliveryStatus, InboxItem, Record, Subscription, WebhookDelivery
from harbor.sharing.policy import can_read, record_keys

logger = logging.getLogger(__name__)

RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
SIGNATURE_HEADER = "X-Harbor-Signature"


def subscription_matches(subscription: Subscription, record: Record) -> bool:
    """Every non-empty criterion must hold: kind, country (home or concerned), topic, HS prefix, words."""
    if subscription.kinds and record.kind not in subscription.kinds:
        return False
    if subscription.countries:
        places = {record.home_country_id, *record.countries}
        if not places & set(subscription.countries):
            return False
    if subscription.topics and not set(subscription.topics) & set(record.topics):
        return False
    if subscription.hs_prefixes and not any(
        code.startswith(prefix) for code in record.hs_codes for prefix in subscription.hs_prefixes
    ):
        return False
    if subscription.query:
        texts = [*record.title.values(), *record.summary.values(), *record.body.values()]
        terms = {term for text in texts for term in index_terms(text)}
        if not set(query_terms(subscription.query)) <= terms:
            return False
    return True


def subscriber_actor(subscription: Subscription) -> Actor:
    return build_actor(subscription.user, organisation=subscription.organisation)


def record_payload(record: Record) -> dict[str, object]:
    return {
        "event": "record.published" if record.version == 1 else "record.updated",
        "record": {
            "id": record.pk,
            "version": record.version,
            "kind": record.kind,
            "title": record.title,
            "summary": record.summary,
            "original_language": record.original_language,
            "home_country": record.home_country_id,
            "countries": record.countries,
            "hs_codes": record.hs_codes,
            "topics": record.topics,
            "url": f"{settings.HARBOR_PUBLIC_URL}/records/{record.pk}/",
        },
    }


def notify_subscribers(record_id: int) -> int:
    """Deliver a published record to every subscription that matches and may read it; returns how many."""
    record = Record.objects.select_related("home_country").filter(pk=record_id).first()
    if record is None or record.status != RecordStatus.PUBLISHED:
        return 0
    keys = record_keys(record)
    delivered = 0
    for subscription in Subscription.objects.filter(active=True).select_related(
        "user", "organisation"
    ):
        if not subscription_matches(subscription, record):
            continue
        if not can_read(subscriber_actor(subscription), keys):
            continue
        delivered += 1
        _deliver(subscription, record)
    return delivered


def _deliver(subscription: Subscription, record: Record) -> None:
    if subscription.by_inbox:
        InboxItem.objects.get_or_create(
            subscription=subscription,
            record=record,
            version=record.version,
            defaults={"user": subscription.user},
        )
    if subscription.by_email and subscription.user.email:
        title = record.text("title")[1]
        send_mail(
            subject=f"[Information Harbor] {title}"[:200],
            message=f"{title}\n\n{record.text('summary')[1]}\n\n{settings.HARBOR_PUBLIC_URL}/records/{record.pk}/",
            from_email=None,
            recipient_list=[subscription.user.email],
            fail_silently=True,
        )
    if subscription.webhook_url:
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    subscription=subscription,
                    record=record,
                    version=record.version,
                    url=subscription.webhook_url,
                    payload=record_payload(record),
                )
        except IntegrityError:
            return
        from harbor.sharing.tasks import deliver_webhook_task

        deliver_webhook_task.enqueue(delivery.pk)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over ``timestamp.body``: receivers check it and reject old timestamps (replays)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},sha256={digest}"


def attempt_delivery(delivery_id: int) -> WebhookDelivery:
    """Make one attempt; on failure schedule the next with backoff, giving up after the last delay."""
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)
    if delivery.status in (DeliveryStatus.DELIVERED, DeliveryStatus.REFUSED):
        return delivery
    body = json.dumps(delivery.payload, ensure_ascii=False, sort_keys=True).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "InformationHarbor-Webhook/1",
        SIGNATURE_HEADER: sign(delivery.subscription.webhook_secret, timestamp, body),
        "X-Harbor-Delivery": str(delivery.pk),
    }
    delivery.attempts += 1
    try:
        response = post(delivery.url, content=body, headers=headers)
        delivery.last_status_code = response.status_code
        delivery.last_error = "" if response.is_success else f"HTTP {response.status_code}"
        ok = response.is_success
    except DestinationRefused as refused:
        delivery.status = DeliveryStatus.REFUSED
        delivery.last_error = str(refused.detail)[:500]
        delivery.save(update_fields=["status", "attempts", "last_error"])
        return delivery
    except Exception as exc:  # noqa: BLE001 - any network failure is retried
        delivery.last_error = f"{exc.__class__.__name__}: {exc}"[:500]
        ok = False
    if ok:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = timezone.now()
        delivery.next_attempt_at = None
    elif delivery.attempts > len(RETRY_DELAYS):
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = timezone.now() + RETRY_DELAYS[delivery.attempts - 1]
    delivery.save()
    if delivery.next_attempt_at is not None:
        from harbor.sharing.tasks import deliver_webhook_task

        deliver_webhook_task.using(run_after=delivery.next_attempt_at).enqueue(delivery.pk)
    return delivery
