"""Sharing hub API: records, versions, search, subscriptions, inbox, DCAT catalogue and change feed."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import File, Router
from ninja.files import UploadedFile

from harbor.core.api import Problem, actor_of, anyone, signed_in
from harbor.core.errors import ValidationFailed
from harbor.core.pagination import paginate
from harbor.sharing import attachments, importer, selectors, services, subscriptions
from harbor.sharing.dcat import catalogue_for, catalogue_turtle
from harbor.sharing.diff import compare_snapshots
from harbor.sharing.feed import records_as_json
from harbor.sharing.models import Record, Subscription
from harbor.sharing.schemas import (
    AttachmentRead,
    ChangePage,
    DiffRead,
    ImportStarted,
    InboxPage,
    RecordCreate,
    RecordPage,
    RecordRead,
    RecordUpdate,
    SearchRead,
    SubscriptionCreated,
    SubscriptionRead,
    SubscriptionWrite,
    VersionRead,
)
from harbor.sharing.translations import text_for_reader

router = Router(tags=["sharing"])
_encode_feed = DjangoJSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem}


def record_out(record: Record, language: str | None = None) -> dict[str, Any]:
    """A record as the API shows it; policy details (listed countries, organisations) stay with the owner."""
    shown, _title = record.text("title", language)
    return {
        "id": record.pk,
        "kind": record.kind,
        "status": record.status,
        "version": record.version,
        "owner": record.owner.slug,
        "owner_name": record.owner.name,
        "home_country": record.home_country_id,
        "original_language": record.original_language,
        "language": shown,
        "title": record.title,
        "summary": record.summary,
        "body": record.body,
        "topics": record.topics,
        "hs_codes": record.hs_codes,
        "countries": record.countries,
        "details": record.details,
        "links": record.links,
        "effective_date": record.effective_date,
        "expiry_date": record.expiry_date,
        "audience": record.audience,
        "residency": record.residency,
        "is_demo": record.is_demo,
        "created_at": record.created_at,
        "updated_at": record.updated_at,
        "published_at": record.published_at,
        "attachments": [attachment_out(a) for a in record.attachments.all()],
    }


def attachment_out(attachment: Any) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "url": f"/api/v1/records/{attachment.record_id}/attachments/{attachment.pk}",
    }


def _write_data(payload: RecordCreate | RecordUpdate) -> dict[str, Any]:
    return payload.dict(exclude_unset=True, exclude={"status", "note", "external_id"})


@router.post(
    "/records", response={201: RecordRead, **ERRORS}, auth=signed_in, operation_id="create_record"
)
def create_record(request: HttpRequest, payload: RecordCreate) -> object:
    """Write a record for the organisation you act for: a draft, or published at once."""
    record = services.create_record(
        actor=actor_of(request),
        data=_write_data(payload),
        publish=payload.status == "published",
        external_id=payload.external_id,
    )
    return 201, record_out(record)


@router.post(
    "/records/import",
    response={202: ImportStarted, **ERRORS},
    auth=signed_in,
    operation_id="import_records",
)
def import_records(request: HttpRequest, file: UploadedFile = File(...)) -> object:  # noqa: B008
    """Import records from a CSV or JSON file as a job; follow it at ``/api/v1/jobs/{job_id}``."""
    limit = settings.HARBOR_MAX_ATTACHMENT_BYTES
    if (file.size or 0) > limit:
        raise ValidationFailed.for_field(
            "file", _("The file is larger than %(limit)d bytes.") % {"limit": limit}
        )
    job = importer.start_import(
        actor=actor_of(request), filename=file.name or "", content=file.read()
    )
    return 202, {"job_id": job.pk, "status": job.status, "url": f"/api/v1/jobs/{job.pk}"}


@router.get(
    "/records", response={200: RecordPage, 422: Problem}, auth=anyone, operation_id="list_records"
)
def list_records(
    request: HttpRequest,
    kind: str = "",
    country: str = "",
    status: str = "",
    owner: str = "",
    cursor: str | None = None,
    limit: int = 50,
) -> object:
    """Records you may read, newest first."""
    records = selectors.list_records_for(
        actor_of(request), kind=kind, country=country, status=status, owner=owner
    )
    page = paginate(records, cursor=cursor, limit=limit, order=("-id",))
    return {"items": [record_out(record) for record in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/records/{record_id}",
    response={200: RecordRead, 404: Problem, 422: Problem},
    auth=anyone,
    operation_id="get_record",
)
def get_record(request: HttpRequest, record_id: int, lang: str = "") -> object:
    """One record. With ``lang``, ``translation`` holds its title, summary and body in that language with
    their provenance: ``human`` when written in it, else ``memory`` or ``machine`` (with the engine) once
    the translation task has run; ``status`` says ``pending`` until then, or ``unavailable`` with the
    reason when no engine translates the pair."""
    record = selectors.get_record_for(actor_of(request), record_id)
    data = record_out(record, lang or None)
    if lang:
        reader = text_for_reader(record, lang)
        if reader is None:
            raise ValidationFailed.for_field(
                "lang", _("“%(code)s” is not a harbor language.") % {"code": lang[:20]}
            )
        data["translation"] = reader.as_dict()
    return data


@router.patch(
    "/records/{record_id}",
    response={200: RecordRead, **ERRORS},
    auth=signed_in,
    operation_id="update_record",
)
def update_record(request: HttpRequest, record_id: int, payload: RecordUpdate) -> object:
    """Edit (a new version), publish or withdraw a record of your organisation."""
    actor = actor_of(request)
    record = selectors.get_record_for(actor, record_id)
    data = _write_data(payload)
    if data:
        record = services.update_record(record, actor=actor, changes=data, note=payload.note)
    if payload.status == "published":
        record = services.publish_record(record, actor=actor)
    elif payload.status == "withdrawn":
        record = services.withdraw_record(record, actor=actor)
    return record_out(record)


@router.get(
    "/records/{record_id}/versions",
    response={200: list[VersionRead], 404: Problem},
    auth=anyone,
    operation_id="list_record_versions",
)
def list_versions(request: HttpRequest, record_id: int) -> object:
    """Every version of a record, oldest first."""
    return list(selectors.list_versions_for(actor_of(request), record_id))


@router.get(
    "/records/{record_id}/diff",
    response={200: DiffRead, 404: Problem, 422: Problem},
    auth=anyone,
    operation_id="diff_record_versions",
)
def diff_versions(
    request: HttpRequest, record_id: int, from_version: int, to_version: int
) -> object:
    """What changed between two versions."""
    actor = actor_of(request)
    before = selectors.get_version_for(actor, record_id, from_version)
    after = selectors.get_version_for(actor, record_id, to_version)
    return {
        "from_version": from_version,
        "to_version": to_version,
        "changes": compare_snapshots(before.snapshot, after.snapshot),
    }


@router.post(
    "/records/{record_id}/attachments",
    response={201: AttachmentRead, **ERRORS},
    auth=signed_in,
    operation_id="add_attachment",
)
def add_attachment(request: HttpRequest, record_id: int, file: UploadedFile = File(...)) -> object:  # noqa: B008
    """Attach a document, image or text file; its type is sniffed from the bytes and its SHA-256 kept."""
    actor = actor_of(request)
    record = selectors.get_record_for(actor, record_id)
    attachment = attachments.add_attachment(
        record, actor=actor, filename=file.name or "", stream=file, size=file.size or 0
    )
    return 201, attachment_out(attachment)


@router.get(
    "/records/{record_id}/attachments/{attachment_id}",
    response={200: bytes, 404: Problem},
    auth=anyone,
    operation_id="download_attachment",
)
def download_attachment(request: HttpRequest, record_id: int, attachment_id: int) -> FileResponse:
    """The file, if you may read its record."""
    record = selectors.get_record_for(actor_of(request), record_id)
    attachment = attachments.get_attachment(record, attachment_id)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Digest"] = f"sha-256={attachment.sha256}"
    return response


@router.get(
    "/search", response={200: SearchRead, 422: Problem}, auth=anyone, operation_id="search_records"
)
def search(
    request: HttpRequest,
    q: str = "",
    lang: str = "",
    kind: str = "",
    country: str = "",
    hs: str = "",
    topic: str = "",
    year: str = "",
    limit: int = 20,
    offset: int = 0,
) -> object:
    """Full-text search in every language; facet counts cover only records you may read."""
    if not 1 <= limit <= 100:
        raise ValidationFailed.for_field("limit", _("The limit must be between 1 and 100."))
    if not 0 <= offset <= 10_000:
        raise ValidationFailed.for_field("offset", _("The offset must be between 0 and 10,000."))
    result = selectors.search_records_for(
        actor_of(request),
        q,
        kind=kind,
        country=country,
        hs=hs,
        topic=topic,
        language=lang,
        year=year,
        reader_language=(get_language() or "en"),
        limit=limit,
        offset=offset,
    )
    snippets = {doc.object_id: doc for doc in result.found.documents}
    return {
        "total": result.found.total,
        "total_exact": result.found.total_exact,
        "ranking_windowed": result.found.ranking_windowed,
        "terms": result.found.terms,
        "items": [
            {
                "record": record_out(record),
                "score": snippets[record.pk].score,
                "snippet": snippets[record.pk].snippet,
            }
            for record in result.records
        ],
        "facets": {
            name: [{"value": value, "count": count} for value, count in values]
            for name, values in result.found.facets.items()
        },
    }


def _parse_since(since: str) -> int:
    if since in ("", "0"):
        return 0
    if not since.isdigit() or len(since) > 18:
        raise ValidationFailed.for_field(
            "since", _("The cursor is not valid; start again without one.")
        )
    return int(since)


@router.get(
    "/changes", response={200: ChangePage, 422: Problem}, auth=anyone, operation_id="list_changes"
)
def list_changes(request: HttpRequest, since: str = "", limit: int = 500) -> object:
    """What changed after ``since`` that concerns you; records you can no longer read come as tombstones."""
    if not 1 <= limit <= 5000:
        raise ValidationFailed.for_field("limit", _("The limit must be between 1 and 5,000."))
    actor = actor_of(request)
    page = selectors.changes_for(actor, since=_parse_since(since), limit=limit)
    # The feed is the hot path of federation: records are serialised with their JSON columns copied
    # as stored (see sharing.feed); the shape is the ChangePage schema.
    records = records_as_json(
        selectors.visible_records(actor),
        [event.record_id for event, readable in page.events if readable],
        get_language(),
    )
    items = []
    for event, readable in page.events:
        record = records.get(event.record_id) if readable else None
        head = _encode_feed(
            {
                "id": event.pk,
                "action": event.action if record is not None else "revoked",
                "record_id": event.record_id,
                "version": event.version,
                "created_at": event.created_at,
            }
        )
        items.append(f'{head[:-1]},"record":{record if record is not None else "null"}}}')
    body = (
        '{"items":['
        + ",".join(items)
        + '],"next_cursor":'
        + _encode_feed(str(page.next_cursor))
        + "}"
    )
    return HttpResponse(body.encode(), content_type="application/json")


@router.get(
    "/catalog.jsonld",
    auth=anyone,
    operation_id="dcat_catalog_jsonld",
    response={200: dict[str, Any]},
)
def catalog_jsonld(request: HttpRequest) -> HttpResponse:
    """The DCAT-AP 3 catalogue of datasets you may read (JSON-LD)."""
    return JsonResponse(
        catalogue_for(actor_of(request)),
        content_type="application/ld+json",
        json_dumps_params={"ensure_ascii": False},
    )


@router.get("/catalog.ttl", auth=anyone, operation_id="dcat_catalog_turtle", response={200: str})
def catalog_turtle(request: HttpRequest) -> HttpResponse:
    """The same catalogue in Turtle."""
    return HttpResponse(
        catalogue_turtle(catalogue_for(actor_of(request))),
        content_type="text/turtle; charset=utf-8",
    )


def subscription_out(subscription: Subscription, *, with_secret: bool = False) -> dict[str, Any]:
    data = {
        "id": subscription.pk,
        "name": subscription.name,
        "organisation": subscription.organisation.slug,
        "kinds": subscription.kinds,
        "countries": subscription.countries,
        "topics": subscription.topics,
        "hs_prefixes": subscription.hs_prefixes,
        "query": subscription.query,
        "by_inbox": subscription.by_inbox,
        "by_email": subscription.by_email,
        "webhook_url": subscription.webhook_url,
        "feed_url": f"{settings.HARBOR_PUBLIC_URL}/feeds/{subscription.feed_token}.atom",
        "created_at": subscription.created_at,
    }
    if with_secret:
        data["webhook_secret"] = subscription.webhook_secret
    return data


@router.post(
    "/subscriptions",
    response={201: SubscriptionCreated, **ERRORS},
    auth=signed_in,
    operation_id="create_subscription",
)
def create_subscription(request: HttpRequest, payload: SubscriptionWrite) -> object:
    """Subscribe by kind, country, topic, HS prefix or words; delivered to inbox, email, webhook and Atom."""
    subscription = subscriptions.create_subscription(actor=actor_of(request), data=payload.dict())
    return 201, subscription_out(subscription, with_secret=True)


@router.get(
    "/subscriptions",
    response={200: list[SubscriptionRead], 401: Problem},
    auth=signed_in,
    operation_id="list_subscriptions",
)
def list_subscriptions(request: HttpRequest) -> object:
    return [subscription_out(s) for s in subscriptions.list_subscriptions_for(actor_of(request))]


@router.delete(
    "/subscriptions/{subscription_id}",
    response={204: None, **ERRORS},
    auth=signed_in,
    operation_id="delete_subscription",
)
def delete_subscription(request: HttpRequest, subscription_id: int) -> object:
    actor = actor_of(request)
    subscriptions.delete_subscription(
        subscriptions.get_subscription_for(actor, subscription_id), actor=actor
    )
    return 204, None


@router.get(
    "/inbox",
    response={200: InboxPage, 401: Problem, 422: Problem},
    auth=signed_in,
    operation_id="list_inbox",
)
def list_inbox(
    request: HttpRequest, unread: bool = False, cursor: str | None = None, limit: int = 50
) -> object:
    """Records your subscriptions delivered, newest first."""
    page = paginate(
        subscriptions.list_inbox_for(actor_of(request), unread_only=unread)
        .select_related("record__owner")
        .prefetch_related("record__attachments"),
        cursor=cursor,
        limit=limit,
        order=("-id",),
    )
    return {
        "items": [
            {
                "id": item.pk,
                "subscription": item.subscription.name,
                "record": record_out(item.record),
                "version": item.version,
                "created_at": item.created_at,
                "read_at": item.read_at,
            }
            for item in page.items
        ],
        "next_cursor": page.next_cursor,
    }
