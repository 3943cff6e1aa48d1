"""The directory API: organisations, members, invitations, tokens and cursor pagination."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from harbor.core.errors import HarborError
from harbor.core.models import AuditEntry
from harbor.directory import services
from harbor.directory.models import ApiToken, Invitation, Membership, Organisation, User
from tests.factories import actor_for, add_member, make_organisation, make_user

pytestmark = pytest.mark.django_db

ApiFactory = Callable[..., Client]

NEW_ORG = {
    "name": "Mekong River Freight",
    "country": "KH",
    "kind": "logistics",
    "language": "en",
    "description": {"en": "River freight between Phnom Penh and Can Tho.", "km": "ដឹកជញ្ជូន"},
    "name_translations": {"km": "ដឹកជញ្ជូនទន្លេមេគង្គ"},
    "website": "https://mekong-freight.example.org",
}


def post(client: Client, path: str, body: Any, **headers: str) -> Any:
    return client.post(path, body, content_type="application/json", headers=headers)


def patch(client: Client, path: str, body: Any) -> Any:
    return client.patch(path, body, content_type="application/json")


def assert_problem(response: Any, status: int, code: str, field: str | None = None) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"https://infoharbor.org/problems/{code}"
    if field is not None:
        assert body["errors"][0]["field"] == field
        assert body["errors"][0]["message"]
    return body


def actions_since(seq: int) -> list[str]:
    return list(
        AuditEntry.objects.filter(seq__gt=seq).order_by("seq").values_list("action", flat=True)
    )


def last_seq() -> int:
    entry = AuditEntry.objects.order_by("-seq").first()
    return entry.seq if entry else 0


# --- organisations ----------------------------------------------------------------------------------


def test_create_organisation_makes_the_creator_its_owner(
    api: ApiFactory, owner: User, org: Organisation
) -> None:
    client = api(owner)
    before = last_seq()

    response = post(client, "/api/v1/organisations", NEW_ORG)

    assert response.status_code == 201
    body = response.json()
    assert body["slug"] == "mekong-river-freight"
    assert body["name"] == "Mekong River Freight"
    assert body["display_name"] == "Mekong River Freight"
    assert body["country"] == "KH"
    assert body["kind"] == "logistics"
    assert body["language"] == "en"
    assert body["verification"] == "unverified"
    assert body["verified_at"] is None
    assert body["website"] == "https://mekong-freight.example.org"
    assert body["description"] == NEW_ORG["description"]
    assert body["name_translations"] == {"km": "ដឹកជញ្ជូនទន្លេមេគង្គ"}
    assert body["is_demo"] is False
    created = Organisation.objects.get(slug="mekong-river-freight")
    assert list(created.memberships.values_list("user__username", "role")) == [("owner", "owner")]
    assert actions_since(before) == ["organisation.created", "membership.created"]
    entry = AuditEntry.objects.get(seq=before + 1)
    assert entry.actor_label == "owner"
    assert entry.actor_user_id == owner.pk
    assert entry.organisation_id == org.pk
    assert entry.object_type == "directory.organisation"
    assert entry.object_id == str(created.pk)


def test_the_same_name_twice_gets_a_second_slug(
    api: ApiFactory, owner: User, org: Organisation
) -> None:
    client = api(owner)

    first = post(client, "/api/v1/organisations", NEW_ORG).json()
    second = post(client, "/api/v1/organisations", NEW_ORG).json()

    assert first["slug"] == "mekong-river-freight"
    assert second["slug"].startswith("mekong-river-freight-")
    assert len(second["slug"]) == len("mekong-river-freight-") + 4


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"country": "XX"}, "country"),
        ({"country": "FR"}, "country"),
        ({"country": ""}, "country"),
        ({"kind": "pirate"}, "kind"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"website": "not a url"}, "website"),
        ({"website": "ftp://files.example.org"}, "website"),
        ({"website": "javascript:alert(1)"}, "website"),
        ({"website": "https://example.org/" + "a" * 200}, "website"),
        ({"language": "xx"}, "language"),
        ({"description": {"xx": "text"}}, "description.xx"),
        ({"name_translations": {"fr": "Fret"}}, "name_translations.fr"),
        ({"description": {"en": "x" * 5001}}, "description.en"),
        ({"description": {"en": 5}}, "description.en"),
        ({"description": "plain text"}, "description"),
        ({"name": None}, "name"),
        ({"country": None}, "country"),
    ],
)
def test_bad_organisation_input_is_a_422_naming_the_field(
    api: ApiFactory, owner: User, org: Organisation, change: dict[str, Any], field: str
) -> None:
    client = api(owner)
    before = last_seq()
    count = Organisation.objects.count()

    response = post(client, "/api/v1/organisations", {**NEW_ORG, **change})

    body = assert_problem(response, 422, "validation_error", field)
    assert body["title"] == "Invalid input"
    assert Organisation.objects.count() == count
    assert last_seq() == before


@pytest.mark.parametrize("missing", ["name", "country", "kind"])
def test_missing_required_field_is_a_422_naming_it(
    api: ApiFactory, owner: User, org: Organisation, missing: str
) -> None:
    body = {k: v for k, v in NEW_ORG.items() if k != missing}

    response = post(api(owner), "/api/v1/organisations", body)

    assert_problem(response, 422, "validation_error", missing)


@pytest.mark.parametrize(
    ("body", "status", "code", "fields"),
    [
        ("{not json", 400, "bad_request", None),
        ("", 422, "validation_error", ["body"]),
        ("[]", 422, "validation_error", ["name", "country", "kind"]),
        ("null", 422, "validation_error", ["name", "country", "kind"]),
    ],
)
def test_a_body_that_is_not_an_object_is_a_problem(
    api: ApiFactory,
    owner: User,
    org: Organisation,
    body: str,
    status: int,
    code: str,
    fields: list[str] | None,
) -> None:
    response = api(owner).post("/api/v1/organisations", body, content_type="application/json")

    problem = assert_problem(response, status, code)
    assert [e["field"] for e in problem.get("errors", [])] == (fields or [])


def test_anonymous_cannot_create_an_organisation(db: None) -> None:
    response = post(Client(), "/api/v1/organisations", NEW_ORG)

    body = assert_problem(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == 'Bearer realm="harbor"'
    assert body["instance"] == "/api/v1/organisations"
    assert Organisation.objects.filter(slug="mekong-river-freight").exists() is False


def test_patch_changes_only_the_given_fields(
    api: ApiFactory, owner: User, org: Organisation
) -> None:
    client = api(owner)
    before = last_seq()

    response = patch(
        client,
        f"/api/v1/organisations/{org.slug}",
        {"website": "https://hanoi-ceramics.example.vn", "description": {"vi": "Gốm Hà Nội"}},
    )

    assert response.status_code == 200
    body = response.json()
    assert body["website"] == "https://hanoi-ceramics.example.vn"
    assert body["description"] == {"vi": "Gốm Hà Nội"}
    assert body["name"] == "Hanoi Ceramics"
    assert body["verification"] == "verified"
    org.refresh_from_db()
    assert org.website == "https://hanoi-ceramics.example.vn"
    assert actions_since(before) == ["organisation.updated"]
    assert AuditEntry.objects.get(seq=before + 1).data == {"fields": ["description", "website"]}


def test_moving_a_verified_organisation_to_another_country_clears_verification(
    api: ApiFactory, owner: User, org: Organisation
) -> None:
    response = patch(api(owner), f"/api/v1/organisations/{org.slug}", {"country": "la"})

    assert response.status_code == 200
    assert response.json()["country"] == "LA"
    assert response.json()["verification"] == "unverified"
    assert response.json()["verified_at"] is None


def test_patch_with_bad_value_is_a_422_and_changes_nothing(
    api: ApiFactory, owner: User, org: Organisation
) -> None:
    response = patch(
        api(owner), f"/api/v1/organisations/{org.slug}", {"name": "New name", "country": "XX"}
    )

    assert_problem(response, 422, "validation_error", "country")
    org.refresh_from_db()
    assert org.name == "Hanoi Ceramics"


def test_empty_patch_changes_nothing_and_writes_no_audit(
    api: ApiFactory, owner: User, org: Organisation
) -> None:
    client = api(owner)
    before = last_seq()

    response = patch(client, f"/api/v1/organisations/{org.slug}", {})

    assert response.status_code == 200
    assert response.json()["name"] == "Hanoi Ceramics"
    assert last_seq() == before


@pytest.mark.parametrize("status", ["verified", "rejected", "pending", "unverified"])
def test_staff_set_verification(
    session_client: Callable[..., Client], staff: User, status: str
) -> None:
    organisation = make_organisation(name="Vientiane Coffee", country="LA", verified=False)
    before = last_seq()

    response = post(
        session_client(staff),
        f"/api/v1/organisations/{organisation.slug}/verification",
        {"status": status},
    )

    assert response.status_code == 200
    assert response.json()["verification"] == status
    assert (response.json()["verified_at"] is not None) is (status == "verified")
    assert actions_since(before) == ["organisation.verification_set"]
    assert AuditEntry.objects.get(seq=before + 1).data == {"status": status}


@pytest.mark.parametrize("who", ["owner", "admin_member", "viewer", "outsider"])
def test_only_staff_verify(
    request: pytest.FixtureRequest, api: ApiFactory, org: Organisation, who: str
) -> None:
    user = request.getfixturevalue(who)

    response = post(
        api(user), f"/api/v1/organisations/{org.slug}/verification", {"status": "rejected"}
    )

    assert_problem(response, 403, "forbidden")
    org.refresh_from_db()
    assert org.verification == "verified"


def test_unknown_verification_status_is_a_422(
    session_client: Callable[..., Client], staff: User, org: Organisation
) -> None:
    response = post(
        session_client(staff), f"/api/v1/organisations/{org.slug}/verification", {"status": "maybe"}
    )

    assert_problem(response, 422, "validation_error", "verification")


# --- members ----------------------------------------------------------------------------------------


def test_members_list_shows_every_member_with_role(
    api: ApiFactory, owner: User, org: Organisation, viewer: User, admin_member: User
) -> None:
    response = api(viewer).get(f"/api/v1/organisations/{org.slug}/members")

    assert response.status_code == 200
    items = response.json()["items"]
    assert [(m["username"], m["email"], m["role"]) for m in items] == [
        ("owner", "owner@example.org", "owner"),
        ("viewer", "viewer@example.org", "viewer"),
        ("orgadmin", "orgadmin@example.org", "admin"),
    ]
    assert response.json()["next_cursor"] is None


def member_id(org: Organisation, user: User) -> int:
    return Membership.objects.get(organisation=org, user=user).pk


def test_admin_changes_a_role(
    api: ApiFactory, org: Organisation, viewer: User, admin_member: User
) -> None:
    client = api(admin_member)
    before = last_seq()

    response = patch(
        client,
        f"/api/v1/organisations/{org.slug}/members/{member_id(org, viewer)}",
        {"role": "editor"},
    )

    assert response.status_code == 200
    assert response.json()["role"] == "editor"
    assert response.json()["username"] == "viewer"
    assert Membership.objects.get(organisation=org, user=viewer).role == "editor"
    assert actions_since(before) == ["membership.updated"]
    assert AuditEntry.objects.get(seq=before + 1).data == {"role": "editor"}


def test_admin_cannot_grant_ownership(
    api: ApiFactory, org: Organisation, viewer: User, admin_member: User
) -> None:
    response = patch(
        api(admin_member),
        f"/api/v1/organisations/{org.slug}/members/{member_id(org, viewer)}",
        {"role": "owner"},
    )

    assert_problem(response, 403, "forbidden")
    assert Membership.objects.get(organisation=org, user=viewer).role == "viewer"


def test_admin_cannot_demote_an_owner(
    api: ApiFactory, org: Organisation, owner: User, admin_member: User
) -> None:
    response = patch(
        api(admin_member),
        f"/api/v1/organisations/{org.slug}/members/{member_id(org, owner)}",
        {"role": "viewer"},
    )

    assert_problem(response, 403, "forbidden")
    assert Membership.objects.get(organisation=org, user=owner).role == "owner"


def test_owner_grants_ownership(
    api: ApiFactory, org: Organisation, owner: User, viewer: User
) -> None:
    response = patch(
        api(owner),
        f"/api/v1/organisations/{org.slug}/members/{member_id(org, viewer)}",
        {"role": "owner"},
    )

    assert response.status_code == 200
    assert response.json()["role"] == "owner"


def test_unknown_role_is_a_422(
    api: ApiFactory, org: Organisation, owner: User, viewer: User
) -> None:
    response = patch(
        api(owner),
        f"/api/v1/organisations/{org.slug}/members/{member_id(org, viewer)}",
        {"role": "king"},
    )

    assert_problem(response, 422, "validation_error", "role")


def test_last_owner_cannot_be_demoted(api: ApiFactory, org: Organisation, owner: User) -> None:
    client = api(owner)
    before = last_seq()

    response = patch(
        client,
        f"/api/v1/organisations/{org.slug}/members/{member_id(org, owner)}",
        {"role": "admin"},
    )

    body = assert_problem(response, 409, "conflict")
    assert body["detail"] == "An organisation must keep at least one owner."
    assert Membership.objects.get(organisation=org, user=owner).role == "owner"
    assert last_seq() == before


def test_last_owner_cannot_be_removed_or_leave(
    api: ApiFactory,
    session_client: Callable[..., Client],
    org: Organisation,
    owner: User,
    staff: User,
) -> None:
    path = f"/api/v1/organisations/{org.slug}/members/{member_id(org, owner)}"

    assert_problem(api(owner).delete(path), 409, "conflict")
    assert_problem(session_client(staff).delete(path), 409, "conflict")
    assert Membership.objects.filter(organisation=org, user=owner).exists()


def test_an_owner_can_be_demoted_when_another_owner_remains(
    api: ApiFactory, org: Organisation, owner: User, viewer: User
) -> None:
    services.change_member_role(
        Membership.objects.get(organisation=org, user=viewer), actor=actor_for(owner), role="owner"
    )

    response = patch(
        api(owner),
        f"/api/v1/organisations/{org.slug}/members/{member_id(org, owner)}",
        {"role": "admin"},
    )

    assert response.status_code == 200
    assert response.json()["role"] == "admin"


def test_admin_removes_a_member(
    api: ApiFactory, org: Organisation, viewer: User, admin_member: User
) -> None:
    client = api(admin_member)
    before = last_seq()
    membership_id = member_id(org, viewer)

    response = client.delete(f"/api/v1/organisations/{org.slug}/members/{membership_id}")

    assert response.status_code == 204
    assert response.content == b""
    assert not Membership.objects.filter(pk=membership_id).exists()
    viewer.refresh_from_db()
    assert viewer.active_organisation_id is None
    assert actions_since(before) == ["membership.deleted"]
    entry = AuditEntry.objects.get(seq=before + 1)
    assert entry.object_id == str(membership_id)
    assert entry.digest == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_a_member_leaves_by_removing_themself(
    api: ApiFactory, org: Organisation, viewer: User
) -> None:
    response = api(viewer).delete(
        f"/api/v1/organisations/{org.slug}/members/{member_id(org, viewer)}"
    )

    assert response.status_code == 204
    assert not Membership.objects.filter(organisation=org, user=viewer).exists()


def test_a_viewer_cannot_remove_someone_else(
    api: ApiFactory, org: Organisation, viewer: User, admin_member: User
) -> None:
    response = api(viewer).delete(
        f"/api/v1/organisations/{org.slug}/members/{member_id(org, admin_member)}"
    )

    assert_problem(response, 403, "forbidden")
    assert Membership.objects.filter(organisation=org, user=admin_member).exists()


def test_a_read_only_token_cannot_leave_an_organisation(
    api: ApiFactory, org: Organisation, viewer: User
) -> None:
    response = api(viewer, ["read"]).delete(
        f"/api/v1/organisations/{org.slug}/members/{member_id(org, viewer)}"
    )

    assert_problem(response, 403, "forbidden")
    assert Membership.objects.filter(organisation=org, user=viewer).exists()


def test_unknown_member_is_a_404(api: ApiFactory, org: Organisation, owner: User) -> None:
    response = patch(
        api(owner), f"/api/v1/organisations/{org.slug}/members/999999", {"role": "viewer"}
    )

    assert_problem(response, 404, "not_found")


def test_a_member_of_another_organisation_cannot_be_reached_through_this_one(
    api: ApiFactory, org: Organisation, owner: User, outsider: User
) -> None:
    other = Membership.objects.get(user=outsider)

    response = patch(
        api(owner), f"/api/v1/organisations/{org.slug}/members/{other.pk}", {"role": "viewer"}
    )

    assert_problem(response, 404, "not_found")
    other.refresh_from_db()
    assert other.role == "owner"


# --- invitations ------------------------------------------------------------------------------------


def invite(
    client: Client, org: Organisation, email: str = "new@example.org", role: str = "editor"
) -> Any:
    return post(
        client, f"/api/v1/organisations/{org.slug}/invitations", {"email": email, "role": role}
    )


def test_invitation_is_created_and_accepted_once(
    api: ApiFactory, org: Organisation, admin_member: User
) -> None:
    client = api(admin_member)
    before = last_seq()

    created = invite(client, org, "New@Example.org")

    assert created.status_code == 201
    body = created.json()
    assert body["email"] == "new@example.org"
    assert body["role"] == "editor"
    assert body["accepted_at"] is None
    assert body["revoked_at"] is None
    assert body["accept_url"] == f"http://testserver/invitations/{body['token']}/"
    assert len(body["token"]) == 32
    invitation = Invitation.objects.get(pk=body["id"])
    assert body["token"] not in invitation.token_hash
    assert actions_since(before) == ["invitation.created"]

    newcomer = make_user("newcomer")
    newcomer_client = Client()
    newcomer_client.force_login(newcomer, backend="django.contrib.auth.backends.ModelBackend")
    accepted = post(newcomer_client, "/api/v1/invitations/accept", {"token": body["token"]})

    assert accepted.status_code == 200
    assert accepted.json()["username"] == "newcomer"
    assert accepted.json()["role"] == "editor"
    assert Membership.objects.get(organisation=org, user=newcomer).role == "editor"
    assert actions_since(before)[-2:] == ["invitation.accepted", "membership.created"]

    again = post(newcomer_client, "/api/v1/invitations/accept", {"token": body["token"]})
    assert_problem(again, 404, "not_found")
    third = make_user("third")
    third_client = Client()
    third_client.force_login(third, backend="django.contrib.auth.backends.ModelBackend")
    assert_problem(
        post(third_client, "/api/v1/invitations/accept", {"token": body["token"]}), 404, "not_found"
    )
    assert not Membership.objects.filter(user=third).exists()


def test_an_invitation_never_lowers_an_existing_role(
    api: ApiFactory, org: Organisation, owner: User, admin_member: User
) -> None:
    token = invite(api(owner), org, "orgadmin@example.org", "viewer").json()["token"]

    response = post(api(admin_member), "/api/v1/invitations/accept", {"token": token})

    assert response.status_code == 200
    assert response.json()["role"] == "admin"


def test_expired_invitation_is_a_404(
    api: ApiFactory, session_client: Callable[..., Client], org: Organisation, admin_member: User
) -> None:
    token = invite(api(admin_member), org).json()["token"]
    newcomer = make_user("newcomer")

    with time_machine.travel(timezone.now() + timedelta(days=14, seconds=1)):
        response = post(session_client(newcomer), "/api/v1/invitations/accept", {"token": token})

    assert_problem(response, 404, "not_found")
    assert not Membership.objects.filter(user=newcomer).exists()


def test_revoked_invitation_is_a_404(
    api: ApiFactory, session_client: Callable[..., Client], org: Organisation, admin_member: User
) -> None:
    body = invite(api(admin_member), org).json()
    services.revoke_invitation(Invitation.objects.get(pk=body["id"]), actor=actor_for(admin_member))
    newcomer = make_user("newcomer")

    response = post(
        session_client(newcomer), "/api/v1/invitations/accept", {"token": body["token"]}
    )

    assert_problem(response, 404, "not_found")


def test_an_admin_revokes_an_invitation_by_the_api_and_its_link_stops_working(
    api: ApiFactory, session_client: Callable[..., Client], org: Organisation, admin_member: User
) -> None:
    client = api(admin_member)
    body = invite(client, org).json()
    path = f"/api/v1/organisations/{org.slug}/invitations/{body['id']}"
    before = last_seq()

    assert client.delete(path).status_code == 204
    assert client.delete(path).status_code == 204  # again: nothing changes

    assert actions_since(before) == ["invitation.revoked"]
    listed = client.get(f"/api/v1/organisations/{org.slug}/invitations").json()
    assert [(item["id"], item["revoked_at"] is not None) for item in listed] == [(body["id"], True)]
    newcomer = make_user("newcomer")
    response = post(
        session_client(newcomer), "/api/v1/invitations/accept", {"token": body["token"]}
    )
    assert_problem(response, 404, "not_found")


def test_only_member_managers_revoke_invitations(
    api: ApiFactory, org: Organisation, admin_member: User, viewer: User, outsider: User
) -> None:
    body = invite(api(admin_member), org).json()
    path = f"/api/v1/organisations/{org.slug}/invitations/{body['id']}"
    assert_problem(api(viewer).delete(path), 403, "forbidden")
    assert_problem(api(outsider).delete(path), 403, "forbidden")
    assert_problem(Client().delete(path), 401, "not_authenticated")
    assert_problem(
        api(admin_member).delete(f"/api/v1/organisations/{org.slug}/invitations/999999"),
        404,
        "not_found",
    )
    assert Invitation.objects.get(pk=body["id"]).revoked_at is None


def test_unknown_invitation_token_is_a_404(api: ApiFactory, owner: User, org: Organisation) -> None:
    assert_problem(
        post(api(owner), "/api/v1/invitations/accept", {"token": "nope"}), 404, "not_found"
    )


def test_anonymous_cannot_accept(api: ApiFactory, org: Organisation, admin_member: User) -> None:
    token = invite(api(admin_member), org).json()["token"]

    assert_problem(
        post(Client(), "/api/v1/invitations/accept", {"token": token}), 401, "not_authenticated"
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-address", "role": "viewer"}, "email"),
        ({"email": "a@example.org", "role": "emperor"}, "role"),
        ({"role": "viewer"}, "email"),
        ({"email": "a" * 64 + "@" + ("b" * 60 + ".") * 4 + "org"}, "email"),
    ],
)
def test_bad_invitation_is_a_422(
    api: ApiFactory, org: Organisation, owner: User, body: dict[str, str], field: str
) -> None:
    response = post(api(owner), f"/api/v1/organisations/{org.slug}/invitations", body)

    assert_problem(response, 422, "validation_error", field)


def test_an_admin_cannot_invite_an_owner(
    api: ApiFactory, org: Organisation, admin_member: User
) -> None:
    assert_problem(invite(api(admin_member), org, role="owner"), 403, "forbidden")
    assert Invitation.objects.count() == 0


def test_invitations_are_listed_for_administrators(
    api: ApiFactory, org: Organisation, owner: User
) -> None:
    invite(api(owner), org, "a@example.org", "viewer")
    invite(api(owner), org, "b@example.org", "admin")

    response = api(owner).get(f"/api/v1/organisations/{org.slug}/invitations")

    assert response.status_code == 200
    assert [(i["email"], i["role"]) for i in response.json()] == [
        ("b@example.org", "admin"),
        ("a@example.org", "viewer"),
    ]
    assert all("token" not in i for i in response.json())


# --- tokens -----------------------------------------------------------------------------------------


def test_token_create_list_revoke(api: ApiFactory, owner: User, org: Organisation) -> None:
    client = api(owner)
    expires = (timezone.now() + timedelta(days=30)).replace(microsecond=0)

    created = post(
        client,
        "/api/v1/tokens",
        {"name": "nightly export", "scopes": ["read"], "expires_at": expires.isoformat()},
    )

    assert created.status_code == 201
    body = created.json()
    assert body["name"] == "nightly export"
    assert body["organisation"] == org.slug
    assert body["scopes"] == ["read"]
    assert body["revoked_at"] is None
    assert body["token"].startswith(f"hbr_{body['prefix']}_")
    token = ApiToken.objects.get(pk=body["id"])
    assert token.expires_at == expires
    assert body["token"].split("_", 2)[2] not in token.secret_hash

    new_client = Client(headers={"Authorization": f"Bearer {body['token']}"})
    me = new_client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["scopes"] == ["read"]

    listed = client.get("/api/v1/tokens").json()
    assert sorted(t["name"] for t in listed) == ["nightly export", "test"]
    assert all("token" not in t for t in listed)

    before = last_seq()
    assert client.delete(f"/api/v1/tokens/{body['id']}").status_code == 204
    assert actions_since(before) == ["api_token.revoked"]
    revoked = new_client.get("/api/v1/me")
    assert_problem(revoked, 401, "not_authenticated")
    assert revoked.json()["detail"] == "The API token is unknown, expired or revoked."
    assert revoked["WWW-Authenticate"] == 'Bearer realm="harbor"'
    listed = {t["name"]: t for t in client.get("/api/v1/tokens").json()}
    assert listed["nightly export"]["revoked_at"] is not None


def test_expired_token_is_a_401(
    api: ApiFactory, token_for: Callable[..., str], owner: User, org: Organisation
) -> None:
    raw = token_for(owner)
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    assert client.get("/api/v1/me").status_code == 200

    with time_machine.travel(timezone.now() + timedelta(days=91)):
        response = client.get("/api/v1/me")

    assert_problem(response, 401, "not_authenticated")


@pytest.mark.parametrize(
    "header",
    ["Bearer nonsense", "Bearer hbr_deadbeef_secret", "Bearer ", "bearer hbr__"],
)
def test_unknown_token_is_a_401(db: None, header: str) -> None:
    response = Client(headers={"Authorization": header}).get("/api/v1/reference/countries")

    assert_problem(response, 401, "not_authenticated")


def test_token_with_a_wrong_secret_is_a_401(
    api: ApiFactory, token_for: Callable[..., str], owner: User, org: Organisation
) -> None:
    raw = token_for(owner)
    forged = raw[: raw.rindex("_") + 1] + "x" * 43

    response = Client(headers={"Authorization": f"Bearer {forged}"}).get("/api/v1/me")

    assert_problem(response, 401, "not_authenticated")


def test_token_stops_working_when_its_user_leaves_the_organisation(
    api: ApiFactory, token_for: Callable[..., str], org: Organisation, owner: User, viewer: User
) -> None:
    raw = token_for(viewer)
    services.remove_member(
        Membership.objects.get(user=viewer, organisation=org), actor=actor_for(owner)
    )

    response = Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/me")

    assert_problem(response, 401, "not_authenticated")


def test_read_scope_token_cannot_post(api: ApiFactory, owner: User, org: Organisation) -> None:
    response = post(api(owner, ["read"]), "/api/v1/organisations", NEW_ORG)

    body = assert_problem(response, 403, "forbidden")
    assert body["detail"] == "This API token lacks the “write” scope."
    assert not Organisation.objects.filter(slug="mekong-river-freight").exists()


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("patch", "/api/v1/organisations/{slug}", {"name": "Renamed"}),
        ("post", "/api/v1/organisations/{slug}/invitations", {"email": "a@example.org"}),
        ("post", "/api/v1/tokens", {"name": "more", "scopes": ["read"]}),
    ],
)
def test_read_scope_token_cannot_write_anywhere(
    api: ApiFactory, owner: User, org: Organisation, method: str, path: str, body: dict
) -> None:
    client = api(owner, ["read"])

    response = getattr(client, method)(
        path.format(slug=org.slug), body, content_type="application/json"
    )

    assert_problem(response, 403, "forbidden")


def test_read_scope_token_cannot_accept_an_invitation(
    api: ApiFactory, org: Organisation, owner: User, outsider: User
) -> None:
    token = invite(api(owner), org).json()["token"]

    response = post(api(outsider, ["read"]), "/api/v1/invitations/accept", {"token": token})

    assert_problem(response, 403, "forbidden")
    assert not Membership.objects.filter(user=outsider, organisation=org).exists()


def test_read_scope_token_cannot_revoke_tokens(
    api: ApiFactory, owner: User, org: Organisation
) -> None:
    client = api(owner, ["read"])
    token_id = client.get("/api/v1/tokens").json()[0]["id"]

    assert_problem(client.delete(f"/api/v1/tokens/{token_id}"), 403, "forbidden")
    assert ApiToken.objects.get(pk=token_id).revoked_at is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "t", "scopes": ["admin"]}, "scopes"),
        ({"name": "t", "scopes": []}, "scopes"),
        ({"name": "t", "expires_at": "2020-01-01T00:00:00+00:00"}, "expires_at"),
        ({"name": "t", "expires_at": "2999-01-01T00:00:00+00:00"}, "expires_at"),
        ({"name": "t", "expires_at": "2030-01-01T00:00:00"}, "expires_at"),
        ({"name": "t", "expires_at": "tomorrow"}, "expires_at"),
        ({"name": "t", "organisation": "bangkok-trading"}, "organisation"),
    ],
)
def test_bad_token_request_is_a_422(
    api: ApiFactory, owner: User, org: Organisation, outsider: User, body: dict, field: str
) -> None:
    response = post(api(owner), "/api/v1/tokens", body)

    assert_problem(response, 422, "validation_error", field)


def test_a_read_token_cannot_mint_a_write_token(
    api: ApiFactory, session_client: Callable[..., Client], owner: User, org: Organisation
) -> None:
    actor = actor_for(owner)
    services.create_api_token(actor=actor, name="r", scopes=["read"])
    read_actor = services.build_actor(owner, token=ApiToken.objects.get(name="r"))

    with pytest.raises(HarborError) as excinfo:
        services.create_api_token(actor=read_actor, name="w", scopes=["write"])

    assert excinfo.value.code == "forbidden"
    assert str(excinfo.value.detail) == "This API token lacks the “write” scope."
    assert not ApiToken.objects.filter(name="w").exists()


def test_nobody_revokes_someone_elses_token(
    api: ApiFactory, owner: User, org: Organisation, viewer: User
) -> None:
    viewer_client = api(viewer)
    token_id = viewer_client.get("/api/v1/tokens").json()[0]["id"]

    response = api(owner).delete(f"/api/v1/tokens/{token_id}")

    assert_problem(response, 404, "not_found")
    assert ApiToken.objects.get(pk=token_id).revoked_at is None
    assert viewer_client.get("/api/v1/me").status_code == 200


def test_token_list_shows_only_ones_own(
    api: ApiFactory, owner: User, org: Organisation, viewer: User
) -> None:
    api(viewer)
    api(viewer)

    response = api(owner).get("/api/v1/tokens")

    assert [t["organisation"] for t in response.json()] == [org.slug]


# --- me ---------------------------------------------------------------------------------------------


def test_me_describes_the_caller(
    api: ApiFactory, org: Organisation, owner: User, outsider: User
) -> None:
    other = Organisation.objects.get(slug="bangkok-trading")
    add_member(other, owner, "viewer")

    response = api(owner, ["read"]).get("/api/v1/me")

    assert response.status_code == 200
    assert response.json() == {
        "username": "owner",
        "email": "owner@example.org",
        "is_staff": False,
        "acting_organisation": org.slug,
        "role": "owner",
        "scopes": ["read"],
        "memberships": [
            {"organisation": org.slug, "role": "owner"},
            {"organisation": "bangkok-trading", "role": "viewer"},
        ],
    }


def test_me_for_a_session_user_without_organisation(
    session_client: Callable[..., Client], staff: User
) -> None:
    response = session_client(staff).get("/api/v1/me")

    assert response.json() == {
        "username": "staff",
        "email": "staff@example.org",
        "is_staff": True,
        "acting_organisation": None,
        "role": None,
        "scopes": ["read", "write"],
        "memberships": [],
    }


# --- pagination -------------------------------------------------------------------------------------


@pytest.fixture
def many_organisations(db: None) -> list[str]:
    names = ["Delta", "Alpha", "Echo", "Charlie", "Bravo", "Alpha", "Golf"]
    return [make_organisation(name=name, country="SG").slug for name in names]


def test_limit_two_walks_every_page_without_duplicates(many_organisations: list[str]) -> None:
    client = Client()
    seen: list[str] = []
    cursor = None
    pages = 0

    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        response = client.get("/api/v1/organisations", params)
        assert response.status_code == 200
        page = response.json()
        pages += 1
        assert len(page["items"]) <= 2
        seen += [item["slug"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert pages == 4
    assert len(seen) == len(set(seen)) == 7
    assert sorted(seen) == sorted(many_organisations)
    names = [Organisation.objects.get(slug=slug).name for slug in seen]
    assert names == ["Alpha", "Alpha", "Bravo", "Charlie", "Delta", "Echo", "Golf"]


def test_a_page_stays_stable_when_rows_are_added_before_the_cursor(
    many_organisations: list[str],
) -> None:
    client = Client()
    first = client.get("/api/v1/organisations", {"limit": 3}).json()
    make_organisation(name="Aardvark", country="SG")

    second = client.get(
        "/api/v1/organisations", {"limit": 3, "cursor": first["next_cursor"]}
    ).json()

    assert [Organisation.objects.get(slug=i["slug"]).name for i in second["items"]] == [
        "Charlie",
        "Delta",
        "Echo",
    ]


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage!!",
        "W10",  # []
        "WyJhIl0",  # ["a"]: wrong width
        "WyJhIiwgIngiXQ",  # ["a", "x"]: id is not a number
        "WyJhIiwge31d",  # ["a", {}]
        "eyJhIjogMX0",  # {"a": 1}
        "bnVsbA",  # null
        "WyJadWx1IiwgbnVsbF0",  # ["Zulu", null]
        "WyJcdTAwMDAiLCAxXQ",  # ["\u0000", 1]
    ],
)
def test_invalid_cursor_is_a_422(many_organisations: list[str], cursor: str) -> None:
    response = Client().get("/api/v1/organisations", {"cursor": cursor})

    body = assert_problem(response, 422, "validation_error", "cursor")
    assert body["errors"][0]["message"] == "The cursor is not valid; start again without one."


@pytest.mark.parametrize(
    "cursor",
    [
        "WyJadWx1IiwgMTAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMF0",  # ["Zulu", 10**30]
        "WyJadWx1IiwgLTEwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDBd",  # ["Zulu", -10**30]
        "WyJadWx1IiwgMS41XQ",  # ["Zulu", 1.5]
    ],
)
def test_cursor_past_the_end_is_an_empty_page(many_organisations: list[str], cursor: str) -> None:
    response = Client().get("/api/v1/organisations", {"cursor": cursor})

    assert response.status_code == 200
    assert response.json() == {"items": [], "next_cursor": None}


@pytest.mark.parametrize("limit", ["0", "-1", "201"])
def test_out_of_range_limit_is_a_422(many_organisations: list[str], limit: str) -> None:
    response = Client().get("/api/v1/organisations", {"limit": limit})

    assert_problem(response, 422, "validation_error", "limit")


def test_non_numeric_limit_is_a_422(db: None) -> None:
    response = Client().get("/api/v1/organisations", {"limit": "ten"})

    assert_problem(response, 422, "validation_error", "limit")


def test_organisation_list_filters(many_organisations: list[str], org: Organisation) -> None:
    client = Client()

    def slugs(**params: str) -> list[str]:
        return [i["slug"] for i in client.get("/api/v1/organisations", params).json()["items"]]

    assert slugs(country="vn") == [org.slug]
    assert slugs(q="hanoi") == [org.slug]
    assert slugs(q="ceram", country="SG") == []
    assert slugs(kind="logistics") == []
    assert len(slugs(country="SG", kind="enterprise", verification="verified")) == 7


# --- NUL characters: no database stores them, so they must never reach one ---------------------------


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/v1/organisations", {"q": "\x00"}, "q"),
        ("/api/v1/organisations", {"country": "V\x00"}, "country"),
        ("/api/v1/reference/countries", {"members_only": "true", "x\x00": "1"}, "x\x00"),
    ],
)
def test_nul_in_a_query_parameter_is_a_422(
    db: None, path: str, params: dict[str, str], field: str
) -> None:
    response = Client().get(path, params)

    body = assert_problem(response, 422, "validation_error", field)
    assert body["errors"][0]["message"] == "Text may not contain NUL characters."


@pytest.mark.parametrize(
    "path",
    ["/api/v1/organisations/%00", "/api/v1/reference/countries/V%00", "/directory/%00/"],
)
def test_nul_in_the_path_is_a_400(db: None, path: str) -> None:
    assert_problem(Client().get(path), 400, "bad_request")


def test_nul_in_a_bearer_token_is_a_400(db: None) -> None:
    response = Client(headers={"Authorization": "Bearer hbr_\x00_secret"}).get("/api/v1/me")

    assert_problem(response, 400, "bad_request")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "Công ty\x00"}, "name"),
        ({"description": {"en": "ok", "vi": "a\x00b"}}, "description.vi"),
        ({"name_translations": {"th\x00": "x"}}, "name_translations.th\x00"),
        ({"website": "https://example.org/\x00"}, "website"),
    ],
)
def test_nul_in_a_json_body_is_a_422_naming_the_field(
    api: ApiFactory, owner: User, org: Organisation, change: dict[str, Any], field: str
) -> None:
    response = post(api(owner), "/api/v1/organisations", {**NEW_ORG, **change})

    assert_problem(response, 422, "validation_error", field)
    assert not Organisation.objects.filter(name__startswith="Công ty").exists()


def test_nul_in_other_json_bodies_is_a_422(api: ApiFactory, owner: User, org: Organisation) -> None:
    client = api(owner)

    assert_problem(
        post(client, "/api/v1/tokens", {"name": "ci\x00"}), 422, "validation_error", "name"
    )
    assert_problem(
        post(
            client, f"/api/v1/organisations/{org.slug}/invitations", {"email": "a\x00@example.org"}
        ),
        422,
        "validation_error",
        "email",
    )
    assert_problem(
        post(client, "/api/v1/invitations/accept", {"token": "\x00"}),
        422,
        "validation_error",
        "token",
    )
    assert_problem(post(client, "/api/v1/tokens", ["\x00"]), 422, "validation_error", "0")


def test_an_escaped_backslash_before_u0000_is_not_a_nul(
    api: ApiFactory, owner: User, org: Organisation
) -> None:
    response = post(api(owner), "/api/v1/organisations", {**NEW_ORG, "name": "Back\\u0000slash"})

    assert response.status_code == 201
    assert response.json()["name"] == "Back\\u0000slash"


# --- property: arbitrary names ----------------------------------------------------------------------


@pytest.fixture
def property_client(api: ApiFactory, owner: User, org: Organisation) -> Client:
    return api(owner)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(name=st.text(max_size=220))
@example(name="\x00")
@example(name="Công ty\x00")
@example(name="ok\ud800")
@example(name="a\nb")
@example(name="ห้างหุ้นส่วน ‍ ၁")
@example(name="   ")
@example(name=" spaced ")
@example(name="🚢" * 200)
def test_any_unicode_name_creates_or_is_a_422(property_client: Client, name: str) -> None:
    response = post(property_client, "/api/v1/organisations", {**NEW_ORG, "name": name})

    assert response.status_code in (201, 422), (name, response.content)
    if response.status_code == 422:
        assert response.json()["errors"][0]["field"] == "name"
        return
    created = response.json()
    fetched = property_client.get(f"/api/v1/organisations/{created['slug']}")
    assert fetched.status_code == 200
    assert fetched.json()["name"] == created["name"] == name.strip()
