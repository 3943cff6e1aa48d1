"""Who may call what: every endpoint of the foundation's API against an allowed and a denied actor.

The world: ``org`` (verified, Viet Nam) with an owner, an administrator and a viewer; ``outsider`` owns a
verified Thai organisation; ``hidden`` is an unverified organisation with its own owner; ``staff`` is platform
staff signed in with a session; ``anonymous`` sends nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from harbor.config.api import api as harbor_api
from harbor.core.actors import Actor
from harbor.core.jobs import start_job
from harbor.directory import services
from harbor.directory.models import ApiToken, Invitation, Membership, Organisation, User
from tests.factories import actor_for, make_organisation, make_user

pytestmark = pytest.mark.django_db

ACTORS = ["anonymous", "outsider", "viewer", "admin", "owner", "hidden_owner", "staff"]
FOUNDATION_TAGS = {"reference", "directory", "jobs"}


@dataclass
class World:
    clients: dict[str, Client]
    users: dict[str, User]
    org: Organisation
    hidden: Organisation
    ids: dict[str, Any] = field(default_factory=dict)

    def path(self, template: str) -> str:
        return template.format(org=self.org.slug, hidden=self.hidden.slug, **self.ids)


@pytest.fixture
def world(
    api: Callable[..., Client],
    session_client: Callable[..., Client],
    org: Organisation,
    owner: User,
    admin_member: User,
    viewer: User,
    outsider: User,
    staff: User,
) -> World:
    hidden_owner = make_user("hidden_owner")
    hidden = make_organisation(
        owner=hidden_owner, name="Quiet Exporters", country="LA", verified=False
    )
    users = {
        "owner": owner,
        "admin": admin_member,
        "viewer": viewer,
        "outsider": outsider,
        "hidden_owner": hidden_owner,
        "staff": staff,
    }
    clients = {name: api(user) for name, user in users.items() if name != "staff"}
    clients["staff"] = session_client(staff)
    clients["anonymous"] = Client()
    job = start_job("reference.load", actor=actor_for(owner))
    invitation, _raw = services.invite_member(
        org, actor=actor_for(owner), email="guest@example.org"
    )
    ids = {
        "viewer_member": Membership.objects.get(user=viewer, organisation=org).pk,
        "hidden_member": Membership.objects.get(user=hidden_owner, organisation=hidden).pk,
        "job": job.pk,
        "invitation": invitation.pk,
        "viewer_token": ApiToken.objects.get(user=viewer).pk,
    }
    return World(clients, users, org, hidden, ids)


def call(world: World, actor: str, method: str, path: str, body: Any = None) -> Any:
    client = world.clients[actor]
    if method == "get":
        return client.get(world.path(path))
    return getattr(client, method)(world.path(path), body or {}, content_type="application/json")


def expect(
    anonymous: int,
    outsider: int,
    viewer: int,
    admin: int,
    owner: int,
    hidden_owner: int,
    staff: int,
) -> dict[str, int]:
    return dict(
        zip(ACTORS, (anonymous, outsider, viewer, admin, owner, hidden_owner, staff), strict=True)
    )


READS: dict[str, tuple[str, dict[str, int]]] = {
    "list_countries": ("/api/v1/reference/countries", expect(200, 200, 200, 200, 200, 200, 200)),
    "get_country": ("/api/v1/reference/countries/TH", expect(200, 200, 200, 200, 200, 200, 200)),
    "list_currencies": ("/api/v1/reference/currencies", expect(200, 200, 200, 200, 200, 200, 200)),
    "list_languages": ("/api/v1/reference/languages", expect(200, 200, 200, 200, 200, 200, 200)),
    "get_me": ("/api/v1/me", expect(401, 200, 200, 200, 200, 200, 200)),
    "list_organisations": ("/api/v1/organisations", expect(200, 200, 200, 200, 200, 200, 200)),
    "get_organisation": ("/api/v1/organisations/{org}", expect(200, 200, 200, 200, 200, 200, 200)),
    "get_unverified_organisation": (
        "/api/v1/organisations/{hidden}",
        expect(404, 404, 404, 404, 404, 200, 200),
    ),
    "list_members": (
        "/api/v1/organisations/{org}/members",
        expect(401, 403, 200, 200, 200, 403, 200),
    ),
    "list_members_of_unverified": (
        "/api/v1/organisations/{hidden}/members",
        expect(401, 404, 404, 404, 404, 200, 200),
    ),
    "list_invitations": (
        "/api/v1/organisations/{org}/invitations",
        expect(401, 403, 403, 200, 200, 403, 200),
    ),
    "list_tokens": ("/api/v1/tokens", expect(401, 200, 200, 200, 200, 200, 200)),
    "list_jobs": ("/api/v1/jobs", expect(401, 200, 200, 200, 200, 200, 200)),
    "get_job": ("/api/v1/jobs/{job}", expect(401, 404, 200, 200, 200, 404, 200)),
}

WRITES: dict[str, tuple[str, str, Any, dict[str, int]]] = {
    "create_organisation": (
        "post",
        "/api/v1/organisations",
        {"name": "Fresh Org", "country": "MY", "kind": "research"},
        expect(401, 201, 201, 201, 201, 201, 201),
    ),
    "update_organisation": (
        "patch",
        "/api/v1/organisations/{org}",
        {"website": "https://example.org"},
        expect(401, 403, 403, 200, 200, 403, 200),
    ),
    "update_unverified_organisation": (
        "patch",
        "/api/v1/organisations/{hidden}",
        {"website": "https://example.org"},
        expect(401, 404, 404, 404, 404, 200, 200),
    ),
    "set_verification": (
        "post",
        "/api/v1/organisations/{hidden}/verification",
        {"status": "verified"},
        expect(401, 404, 404, 404, 404, 403, 200),
    ),
    "update_member": (
        "patch",
        "/api/v1/organisations/{org}/members/{viewer_member}",
        {"role": "editor"},
        expect(401, 403, 403, 200, 200, 403, 200),
    ),
    "update_member_of_unverified": (
        "patch",
        "/api/v1/organisations/{hidden}/members/{hidden_member}",
        {"role": "owner"},
        expect(401, 404, 404, 404, 404, 200, 200),
    ),
    "remove_member": (
        "delete",
        "/api/v1/organisations/{org}/members/{viewer_member}",
        None,
        expect(401, 403, 204, 204, 204, 403, 204),
    ),
    "create_invitation": (
        "post",
        "/api/v1/organisations/{org}/invitations",
        {"email": "friend@example.org", "role": "viewer"},
        expect(401, 403, 403, 201, 201, 403, 201),
    ),
    "revoke_invitation": (
        "delete",
        "/api/v1/organisations/{org}/invitations/{invitation}",
        None,
        expect(401, 403, 403, 204, 204, 403, 204),
    ),
    "create_token": (
        "post",
        "/api/v1/tokens",
        {"name": "script"},
        expect(401, 201, 201, 201, 201, 201, 422),
    ),
    "revoke_token": (
        "delete",
        "/api/v1/tokens/{viewer_token}",
        None,
        expect(401, 404, 204, 404, 404, 404, 404),
    ),
    "start_job": (
        "post",
        "/api/v1/jobs",
        {"kind": "reference.load"},
        expect(401, 403, 403, 403, 403, 403, 201),
    ),
}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("name", list(READS))
def test_read_permissions(world: World, name: str, actor: str) -> None:
    path, expected = READS[name]

    response = call(world, actor, "get", path)

    assert response.status_code == expected[actor], (name, actor, response.content)
    if response.status_code >= 400:
        assert response["Content-Type"] == "application/problem+json"
        code = {401: "not_authenticated", 403: "forbidden", 404: "not_found"}[response.status_code]
        assert response.json()["code"] == code


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("name", list(WRITES))
def test_write_permissions(
    world: World, name: str, actor: str, django_capture_on_commit_callbacks: Any
) -> None:
    method, path, body, expected = WRITES[name]

    with django_capture_on_commit_callbacks(execute=False):
        response = call(world, actor, method, path, body)

    assert response.status_code == expected[actor], (name, actor, response.content)
    if response.status_code in (401, 403, 404):
        assert response["Content-Type"] == "application/problem+json"


def test_every_foundation_operation_is_in_the_matrix() -> None:
    schema = harbor_api.get_openapi_schema()
    operations = {
        operation["operationId"]
        for methods in schema["paths"].values()
        for operation in methods.values()
        if FOUNDATION_TAGS & set(operation.get("tags", []))
    }
    covered = {
        name.removesuffix("_of_unverified").replace("_unverified", "") for name in [*READS, *WRITES]
    }
    covered |= {"accept_invitation"}  # covered below: any signed-in person with the secret

    assert operations - covered == set()


# --- what each actor sees in lists ------------------------------------------------------------------


def slugs(response: Any) -> set[str]:
    assert response.status_code == 200
    return {item["slug"] for item in response.json()["items"]}


@pytest.mark.parametrize(
    ("actor", "sees_hidden"),
    [
        ("anonymous", False),
        ("outsider", False),
        ("owner", False),
        ("viewer", False),
        ("hidden_owner", True),
        ("staff", True),
    ],
)
def test_unverified_organisations_are_listed_only_for_members_and_staff(
    world: World, actor: str, sees_hidden: bool
) -> None:
    listed = slugs(call(world, actor, "get", "/api/v1/organisations"))

    assert {world.org.slug, "bangkok-trading"} <= listed
    assert (world.hidden.slug in listed) is sees_hidden
    filtered = slugs(call(world, actor, "get", "/api/v1/organisations?verification=unverified"))
    assert filtered == ({world.hidden.slug} if sees_hidden else set())


def test_searching_by_name_does_not_reveal_unverified_organisations(world: World) -> None:
    assert slugs(call(world, "outsider", "get", "/api/v1/organisations?q=Quiet")) == set()
    assert slugs(call(world, "hidden_owner", "get", "/api/v1/organisations?q=Quiet")) == {
        world.hidden.slug
    }


def test_jobs_list_shows_only_ones_own_and_ones_organisations(world: World) -> None:
    other_job = start_job("reference.load", actor=actor_for(world.users["outsider"]))
    system_job = start_job("reference.load", actor=Actor.system())

    def job_ids(actor: str) -> set[int]:
        response = call(world, actor, "get", "/api/v1/jobs")
        assert response.status_code == 200
        return {item["id"] for item in response.json()["items"]}

    assert job_ids("owner") == {world.ids["job"]}
    assert job_ids("viewer") == {world.ids["job"]}
    assert job_ids("outsider") == {other_job.pk}
    assert job_ids("hidden_owner") == set()
    assert job_ids("staff") == {world.ids["job"], other_job.pk, system_job.pk}


def test_jobs_list_pages_newest_first(world: World) -> None:
    owner_actor = actor_for(world.users["owner"])
    jobs = [world.ids["job"]] + [
        start_job("reference.load", actor=owner_actor).pk for _ in range(4)
    ]
    client = world.clients["owner"]

    first = client.get("/api/v1/jobs", {"limit": 2}).json()
    second = client.get("/api/v1/jobs", {"limit": 2, "cursor": first["next_cursor"]}).json()
    third = client.get("/api/v1/jobs", {"limit": 2, "cursor": second["next_cursor"]}).json()

    walked = [job["id"] for page in (first, second, third) for job in page["items"]]
    assert walked == sorted(jobs, reverse=True)
    assert third["next_cursor"] is None


def test_tokens_list_shows_only_ones_own(world: World) -> None:
    for actor in ("owner", "viewer", "outsider"):
        listed = call(world, actor, "get", "/api/v1/tokens").json()
        user = world.users[actor]
        assert {t["id"] for t in listed} == set(
            ApiToken.objects.filter(user=user).values_list("pk", flat=True)
        )


def test_any_signed_in_person_with_the_secret_accepts_an_invitation(world: World) -> None:
    _invitation, raw = services.invite_member(
        world.org,
        actor=actor_for(world.users["owner"]),
        email="outsider@example.org",
        role="viewer",
    )

    assert (
        call(world, "anonymous", "post", "/api/v1/invitations/accept", {"token": raw}).status_code
        == 401
    )
    response = call(world, "outsider", "post", "/api/v1/invitations/accept", {"token": raw})

    assert response.status_code == 200
    assert (
        Membership.objects.get(user=world.users["outsider"], organisation=world.org).role
        == "viewer"
    )


def test_invitations_are_not_visible_through_another_organisation(world: World) -> None:
    response = call(world, "outsider", "get", "/api/v1/organisations/bangkok-trading/invitations")

    assert response.status_code == 200
    assert response.json() == []
    assert Invitation.objects.filter(organisation=world.org).count() == 1


# --- CSRF for session writes ------------------------------------------------------------------------

CSRF_SECRET = "a" * 32


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        (
            "post",
            "/api/v1/organisations",
            {"name": "Csrf Org", "country": "SG", "kind": "enterprise"},
        ),
        ("patch", "/api/v1/organisations/{org}", {"website": "https://evil.example.org"}),
        ("delete", "/api/v1/organisations/{org}/members/{viewer_member}", None),
        ("post", "/api/v1/tokens", {"name": "stolen"}),
    ],
)
def test_session_writes_without_csrf_token_are_refused(
    world: World, session_client: Callable[..., Client], method: str, path: str, body: Any
) -> None:
    client = session_client(world.users["owner"], enforce_csrf_checks=True)
    tokens_before = ApiToken.objects.count()

    response = getattr(client, method)(
        world.path(path), body or {}, content_type="application/json"
    )

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "forbidden"
    assert response.json()["detail"] == "The CSRF token is missing or wrong."
    assert not Organisation.objects.filter(name="Csrf Org").exists()
    assert Organisation.objects.get(pk=world.org.pk).website == ""
    assert Membership.objects.filter(pk=world.ids["viewer_member"]).exists()
    assert ApiToken.objects.count() == tokens_before


def test_session_writes_with_the_csrf_token_pass(
    world: World, session_client: Callable[..., Client]
) -> None:
    client = session_client(world.users["owner"], enforce_csrf_checks=True)
    client.cookies["csrftoken"] = CSRF_SECRET

    response = client.post(
        "/api/v1/organisations",
        {"name": "Csrf Org", "country": "SG", "kind": "enterprise"},
        content_type="application/json",
        headers={"X-CSRFToken": CSRF_SECRET},
    )

    assert response.status_code == 201
    assert response.json()["slug"] == "csrf-org"


def test_session_reads_need_no_csrf_token(
    world: World, session_client: Callable[..., Client]
) -> None:
    client = session_client(world.users["owner"], enforce_csrf_checks=True)

    assert client.get("/api/v1/me").json()["username"] == "owner"


def test_token_writes_need_no_csrf_token(world: World, token_for: Callable[..., str]) -> None:
    client = Client(
        enforce_csrf_checks=True,
        headers={"Authorization": f"Bearer {token_for(world.users['owner'])}"},
    )

    response = client.post(
        "/api/v1/organisations",
        {"name": "Token Org", "country": "SG", "kind": "enterprise"},
        content_type="application/json",
    )

    assert response.status_code == 201


# --- rules at the service level ---------------------------------------------------------------------


def test_a_token_acts_only_for_its_own_organisation(world: World) -> None:
    owner = world.users["owner"]
    bangkok = Organisation.objects.get(slug="bangkok-trading")
    services.add_member(bangkok, actor=Actor.system("test"), user=owner, role="admin")
    _token, raw = services.create_api_token(
        actor=actor_for(owner), name="vn", scopes=["read", "write"]
    )
    client = Client(headers={"Authorization": f"Bearer {raw}"})

    response = client.patch(
        "/api/v1/organisations/bangkok-trading",
        {"website": "https://x.example.org"},
        content_type="application/json",
    )

    assert response.status_code == 403
    assert client.get("/api/v1/me").json()["acting_organisation"] == world.org.slug


def test_system_actor_passes_every_rule(world: World) -> None:
    from harbor.core.permissions import allowed, registered_rules

    system = Actor.system()
    for name in registered_rules():
        assert allowed(system, name, world.org) is True, name


def test_anonymous_fails_every_rule_that_needs_login(world: World) -> None:
    from harbor.core.permissions import allowed, registered_rules

    anonymous = Actor.anonymous()
    for name, checked in registered_rules().items():
        if checked.needs_login:
            assert allowed(anonymous, name, world.org) is False, name
