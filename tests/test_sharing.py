"""The sharing hub: records, versions, policies on every read path, subscriptions and the change feed."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client, override_settings

from harbor.core.actors import Actor
from harbor.directory.models import Organisation, User
from harbor.sharing import services
from harbor.sharing.models import Record, WebhookDelivery
from harbor.sharing.notifications import attempt_delivery, sign
from tests.factories import actor_for, make_organisation, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def publish(django_capture_on_commit_callbacks: Any) -> Callable[..., Record]:
    """Create a record through the service, running the after-commit indexing and notifications."""

    def create(actor: Actor, **data: Any) -> Record:
        fields = {"kind": "notice", "title": {"en": "Notice"}, "audience": "public", **data}
        with django_capture_on_commit_callbacks(execute=True):
            return services.create_record(actor=actor, data=fields, publish=True)

    return create


def test_create_record_through_the_api(
    api: Callable[..., Client], owner: User, org: Organisation
) -> None:
    response = api(owner).post(
        "/api/v1/records",
        {
            "kind": "regulation",
            "title": {"vi": "Thông báo về thuế nhập khẩu"},
            "summary": {"vi": "Thuế suất mới cho linh kiện điện tử"},
            "hs_codes": ["8504", "850440"],
            "countries": ["VN", "CN"],
            "audience": "public",
            "status": "published",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["original_language"] == "vi"
    assert body["owner"] == org.slug
    assert body["home_country"] == "VN"
    assert body["version"] == 1
    assert body["status"] == "published"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": {"xx": "Hello"}}, "title.xx"),
        ({"title": "not a map"}, "title"),
        ({"countries": ["XX"]}, "countries.0"),
        ({"hs_codes": ["9999"]}, "hs_codes.0"),
        ({"hs_codes": ["12a"]}, "hs_codes.0"),
        ({"kind": "gossip"}, "kind"),
        ({"audience": "countries", "audience_countries": ["FR"]}, "audience_countries.0"),
        ({"effective_date": "2026-05-01", "expiry_date": "2026-04-01"}, "expiry_date"),
        ({"links": ["javascript:alert(1)"]}, "links.0"),
    ],
)
def test_bad_record_input_is_a_422_naming_the_field(
    api: Callable[..., Client], owner: User, org: Organisation, payload: dict[str, Any], field: str
) -> None:
    body = {"kind": "notice", "title": {"en": "Hello"}, **payload}
    response = api(owner).post("/api/v1/records", body, content_type="application/json")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert field in [error["field"] for error in response.json()["errors"]]
    assert Record.objects.count() == 0


def test_viewer_cannot_publish(api: Callable[..., Client], viewer: User) -> None:
    response = api(viewer).post(
        "/api/v1/records",
        {"kind": "notice", "title": {"en": "Hi"}},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_every_edit_is_a_version_and_versions_compare(
    api: Callable[..., Client], owner: User, org: Organisation, publish: Callable[..., Record]
) -> None:
    record = publish(actor_for(owner), title={"en": "Tariff notice"}, body={"en": "Old rate 5%"})
    client = api(owner)
    response = client.patch(
        f"/api/v1/records/{record.pk}",
        {"body": {"en": "New rate 3%"}, "note": "rate cut"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["version"] == 2
    versions = client.get(f"/api/v1/records/{record.pk}/versions").json()
    assert [v["number"] for v in versions] == [1, 2]
    assert versions[1]["note"] == "rate cut"
    diff = client.get(f"/api/v1/records/{record.pk}/diff?from_version=1&to_version=2").json()
    assert [change["field"] for change in diff["changes"]] == ["body"]
    assert diff["changes"][0]["text_diff"]["en"] == ["-Old rate 5%", "+New rate 3%"]


# --- the permission matrix ------------------------------------------------------------------------------


@pytest.fixture
def cast(db: None) -> dict[str, Any]:
    """An owner in Viet Nam, a verified partner in Thailand, a verified organisation in Indonesia, an
    unverified organisation in Thailand, and anonymous."""
    people = {}
    for name, country, verified in [
        ("owner", "VN", True),
        ("thai", "TH", True),
        ("indo", "ID", True),
        ("unverified", "TH", False),
    ]:
        user = make_user(f"m-{name}")
        organisation = make_organisation(
            owner=user, name=f"Org {name}", country=country, verified=verified
        )
        people[name] = (user, organisation)
    return people


POLICIES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "public": lambda cast: {"audience": "public"},
    "members": lambda cast: {"audience": "members"},
    "countries": lambda cast: {"audience": "countries", "audience_countries": ["TH"]},
    "organisations": lambda cast: {
        "audience": "organisations",
        "audience_organisations": [cast["indo"][1].slug],
    },
    "owner": lambda cast: {"audience": "owner"},
}
# Who reads a record under each policy.
EXPECTED = {
    "public": {"anonymous", "owner", "thai", "indo", "unverified"},
    "members": {"owner", "thai", "indo"},
    "countries": {"owner", "thai"},
    "organisations": {"owner", "indo"},
    "owner": {"owner"},
}


def _reads(client: Client, record: Record) -> dict[str, bool]:
    """Whether the record shows on each read path for this client."""
    detail = client.get(f"/api/v1/records/{record.pk}").status_code == 200
    versions = client.get(f"/api/v1/records/{record.pk}/versions").status_code == 200
    listed = record.pk in [item["id"] for item in client.get("/api/v1/records").json()["items"]]
    search = client.get("/api/v1/search", {"q": "durian"}).json()
    found = record.pk in [item["record"]["id"] for item in search["items"]]
    counted = search["total"] == 1 and {
        f["value"]: f["count"] for f in search["facets"]["kind"]
    } == {"dataset": 1}
    changes = client.get("/api/v1/changes").json()["items"]
    in_changes = any(item["record_id"] == record.pk and item["record"] for item in changes)
    catalog = client.get("/api/v1/catalog.jsonld").json()["dcat:dataset"]
    in_catalog = any(entry["dct:identifier"] == str(record.pk) for entry in catalog)
    return {
        "detail": detail,
        "versions": versions,
        "list": listed,
        "search": found,
        "facets": counted,
        "changes": in_changes,
        "catalog": in_catalog,
    }


@pytest.mark.parametrize("policy", list(POLICIES))
def test_nothing_leaks_on_any_read_path(
    policy: str,
    cast: dict[str, Any],
    api: Callable[..., Client],
    publish: Callable[..., Record],
) -> None:
    owner_user, _org = cast["owner"]
    record = publish(
        actor_for(owner_user),
        kind="dataset",
        title={"en": "Durian import statistics"},
        **POLICIES[policy](cast),
    )
    clients = {"anonymous": api(None), **{name: api(user) for name, (user, _o) in cast.items()}}
    for name, client in clients.items():
        expected = name in EXPECTED[policy]
        assert _reads(client, record) == dict.fromkeys(
            ["detail", "versions", "list", "search", "facets", "changes", "catalog"], expected
        ), (policy, name)


def test_subscription_delivery_respects_the_policy(
    cast: dict[str, Any], api: Callable[..., Client], publish: Callable[..., Record]
) -> None:
    for name in ("thai", "indo"):
        user, _org = cast[name]
        assert (
            api(user)
            .post("/api/v1/subscriptions", {"name": "all"}, content_type="application/json")
            .status_code
            == 201
        )
    publish(actor_for(cast["owner"][0]), audience="countries", audience_countries=["TH"])
    thai_inbox = api(cast["thai"][0]).get("/api/v1/inbox").json()["items"]
    indo_inbox = api(cast["indo"][0]).get("/api/v1/inbox").json()["items"]
    assert len(thai_inbox) == 1
    assert indo_inbox == []


def test_withdrawal_reaches_the_change_feed_as_a_tombstone(
    cast: dict[str, Any],
    api: Callable[..., Client],
    publish: Callable[..., Record],
    django_capture_on_commit_callbacks: Any,
) -> None:
    owner_user, _org = cast["owner"]
    record = publish(actor_for(owner_user), audience="members")
    thai = api(cast["thai"][0])
    first = thai.get("/api/v1/changes").json()
    assert [(i["action"], i["record_id"]) for i in first["items"]] == [("published", record.pk)]
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_record(record, actor=actor_for(owner_user))
    after = thai.get("/api/v1/changes", {"since": first["next_cursor"]}).json()
    assert [(i["action"], i["record_id"], i["record"]) for i in after["items"]] == [
        ("revoked", record.pk, None)
    ]
    assert thai.get(f"/api/v1/records/{record.pk}").status_code == 404
    # someone who never could read it learns nothing
    anonymous = api(None).get("/api/v1/changes").json()
    assert anonymous["items"] == []


@pytest.mark.parametrize("since", ["abc", "-1", "1" * 30])
def test_bad_change_cursor_is_a_422(api: Callable[..., Client], since: str) -> None:
    response = api(None).get("/api/v1/changes", {"since": since})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "since"


# --- subscriptions end to end -----------------------------------------------------------------------------


class _Receiver(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Receiver.received.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def receiver() -> Iterator[str]:
    _Receiver.received = []
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()


def test_publish_reaches_inbox_email_webhook_and_atom(
    api: Callable[..., Client], publish: Callable[..., Record], receiver: str
) -> None:
    publisher = make_user("ministry")
    make_organisation(owner=publisher, name="Ministry of Trade", country="VN", kind="government")
    exporter = make_user("exporter")
    make_organisation(owner=exporter, name="Shenzhen Parts", country="CN")
    client = api(exporter)
    with override_settings(HARBOR_OUTBOUND_ALLOWED_NETWORKS=["127.0.0.1/32"]):
        created = client.post(
            "/api/v1/subscriptions",
            {
                "name": "Electronics to Viet Nam",
                "hs_prefixes": ["85"],
                "countries": ["VN"],
                "by_email": True,
                "webhook_url": receiver,
            },
            content_type="application/json",
        )
        assert created.status_code == 201, created.content
        subscription = created.json()
        record = publish(
            actor_for(publisher),
            kind="regulation",
            title={"vi": "Quy định mới về linh kiện điện tử"},
            hs_codes=["850440"],
        )
        publish(
            actor_for(publisher), title={"en": "Rice quota"}, hs_codes=["1006"]
        )  # does not match
        delivery = WebhookDelivery.objects.get()
        attempt_delivery(delivery.pk)
    inbox = client.get("/api/v1/inbox").json()["items"]
    assert [item["record"]["id"] for item in inbox] == [record.pk]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["exporter@example.org"]
    assert "Quy định mới về linh kiện điện tử" in mail.outbox[0].subject
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 204)
    headers, body = _Receiver.received[0]
    assert json.loads(body)["record"]["id"] == record.pk
    timestamp = headers["X-Harbor-Signature"].split(",")[0][2:]
    assert headers["X-Harbor-Signature"] == sign(subscription["webhook_secret"], timestamp, body)
    feed = Client().get(subscription["feed_url"].split("8000", 1)[1])
    assert feed.status_code == 200
    assert feed.content.decode().count("<entry>") == 1
    assert "Quy định mới về linh kiện điện tử" in feed.content.decode()


def test_webhook_to_an_internal_address_is_refused(
    api: Callable[..., Client], owner: User, org: Organisation
) -> None:
    response = api(owner).post(
        "/api/v1/subscriptions",
        {"name": "sneaky", "webhook_url": "http://127.0.0.1:9/hook"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "webhook_url"


def test_failed_webhook_is_retried_with_backoff(
    api: Callable[..., Client], publish: Callable[..., Record], owner: User, org: Organisation
) -> None:
    with override_settings(HARBOR_OUTBOUND_ALLOWED_NETWORKS=["127.0.0.1/32"]):
        api(owner).post(
            "/api/v1/subscriptions",
            {"name": "down", "webhook_url": "http://127.0.0.1:9/hook"},
            content_type="application/json",
        )
        publish(actor_for(owner))
        delivery = attempt_delivery(WebhookDelivery.objects.get().pk)
    assert delivery.status == "pending"
    assert delivery.attempts == 1
    assert delivery.next_attempt_at is not None
    assert delivery.last_error.startswith("ConnectError")


def test_zawgyi_content_is_stored_as_unicode_and_found_either_way(
    api: Callable[..., Client],
    owner: User,
    org: Organisation,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.HARBOR_SEARCH_SEMANTIC = False
    with django_capture_on_commit_callbacks(execute=True):
        response = api(owner).post(
            "/api/v1/records",
            {
                "kind": "notice",
                "title": {"my": "ျမန္မာႏိုင္ငံ ကုန္သြယ္ေရး"},
                "audience": "public",
                "status": "published",
            },
            content_type="application/json",
        )
    assert response.status_code == 201
    assert response.json()["title"] == {"my": "မြန်မာနိုင်ငံ ကုန်သွယ်ရေး"}
    for query in ("ကုန်သွယ်ရေး", "ကုန္သြယ္ေရး"):
        hits = api(None).get("/api/v1/search", {"q": query}).json()["items"]
        assert [hit["record"]["id"] for hit in hits] == [response.json()["id"]]


def test_search_says_when_only_the_newest_matches_were_ranked(
    api: Callable[..., Client],
    owner: User,
    org: Organisation,
    publish: Callable[..., Record],
    settings: Any,
) -> None:
    settings.HARBOR_SEARCH_SEMANTIC = False
    older = publish(actor_for(owner), title={"en": "Pepper export quota pepper pepper"})
    newer = publish(actor_for(owner), title={"en": "Pepper prices"})

    settings.HARBOR_SEARCH_RANK_WINDOW = 1
    cut = api(None).get("/api/v1/search", {"q": "pepper"}).json()
    settings.HARBOR_SEARCH_RANK_WINDOW = 10
    full = api(None).get("/api/v1/search", {"q": "pepper"}).json()

    # SQLite ranks only the newest matches within the window; PostgreSQL ranks every match.
    windowed = connection.vendor == "sqlite"
    assert (cut["ranking_windowed"], full["ranking_windowed"]) == (windowed, False)
    first = [newer.pk, older.pk] if windowed else [older.pk, newer.pk]
    assert [hit["record"]["id"] for hit in cut["items"]] == first
    assert [hit["record"]["id"] for hit in full["items"]] == [older.pk, newer.pk]


def test_attachment_is_sniffed_checksummed_and_guarded(
    api: Callable[..., Client],
    owner: User,
    org: Organisation,
    publish: Callable[..., Record],
    settings: Any,
    tmp_path: Any,
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = str(tmp_path)
    record = publish(actor_for(owner), audience="owner")
    client = api(owner)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    response = client.post(
        f"/api/v1/records/{record.pk}/attachments",
        {
            "file": SimpleUploadedFile(
                "../../etc/quota.exe", pdf, content_type="application/x-msdownload"
            )
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["filename"], body["content_type"], body["size"]) == (
        "quota.exe",
        "application/pdf",
        len(pdf),
    )
    assert body["sha256"] == __import__("hashlib").sha256(pdf).hexdigest()
    download = client.get(body["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == pdf
    assert api(None).get(body["url"]).status_code == 404
    elf = SimpleUploadedFile("tool.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 64)
    refused = client.post(f"/api/v1/records/{record.pk}/attachments", {"file": elf})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "file"
    settings.HARBOR_MAX_ATTACHMENT_BYTES = 10
    too_big = client.post(
        f"/api/v1/records/{record.pk}/attachments", {"file": SimpleUploadedFile("a.txt", b"x" * 11)}
    )
    assert too_big.status_code == 422
    assert record.attachments.count() == 1


def test_change_feed_records_are_the_same_as_the_record_api(
    api: Callable[..., Client], owner: User, org: Organisation, publish: Callable[..., Record]
) -> None:
    record = publish(
        actor_for(owner),
        title={"vi": 'Thông báo "đặc biệt" về thuế', "en": "Special tariff notice"},
        summary={"vi": "Tóm tắt"},
        topics=["tariff"],
        hs_codes=["0901"],
        countries=["VN", "CN"],
        links=[{"url": "https://example.org/a", "label": "A"}],
        effective_date="2026-12-01",
    )
    client = api(owner)
    from_feed = client.get("/api/v1/changes").json()["items"][0]["record"]
    from_api = client.get(f"/api/v1/records/{record.pk}").json()
    # ``translation`` is for a reader who asks for a language (?lang=); the feed carries the record only.
    assert from_api.pop("translation") is None
    assert from_feed == from_api
