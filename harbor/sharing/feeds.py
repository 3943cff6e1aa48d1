"""Atom feeds: one per subscription at a secret address, read with the subscriber's rights."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.feedgenerator import Atom1Feed

from harbor.sharing.choices import RecordStatus
from harbor.sharing.models import Subscription
from harbor.sharing.notifications import subscriber_actor, subscription_matches
from harbor.sharing.selectors import visible_records

FEED_SIZE = 50
SCAN_SIZE = 1000


def subscription_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The latest records a subscription matches and its owner may read, newest first."""
    subscription = (
        Subscription.objects.select_related("user", "organisation").filter(feed_token=token).first()
    )
    if subscription is None or not subscription.active:
        raise Http404
    base = settings.HARBOR_PUBLIC_URL
    feed = Atom1Feed(
        title=f"Information Harbor — {subscription.name}",
        link=f"{base}/",
        description=subscription.name,
        feed_url=f"{base}/feeds/{token}.atom",
        language="en",
    )
    candidates = (
        visible_records(subscriber_actor(subscription))
        .filter(status=RecordStatus.PUBLISHED)
        .select_related("owner")
        .order_by("-updated_at", "-id")[:SCAN_SIZE]
    )
    added = 0
    for record in candidates:
        if not subscription_matches(subscription, record):
            continue
        _language, title = record.text("title")
        feed.add_item(
            title=title,
            link=f"{base}/records/{record.pk}/",
            description=record.text("summary")[1],
            unique_id=f"{base}/records/{record.pk}/#v{record.version}",
            updateddate=record.updated_at,
            pubdate=record.published_at or record.created_at,
            author_name=record.owner.name,
            categories=[record.kind, *record.topics],
        )
        added += 1
        if added >= FEED_SIZE:
            break
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    feed.write(response, "utf-8")
    response["Cache-Control"] = "private, max-age=60"
    return response
