"""Directory services called directly: validation, rules, and the audit entry each write leaves."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.test import override_settings
from django.utils import timezone

from harbor.config import settings as harbor_settings
from harbor.core.actors import Actor, Role, Scope
from harbor.core.errors import HarborError, ValidationFailed
from harbor.core.models import AuditEntry
from harbor.directory import selectors, services
from harbor.directory.models import ApiToken, Invitation, Membership, Organisation, User
from tests.factories import PASSWORD, actor_for, add_member, make_organisation, make_user

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("test")


def last_seq() -> int:
    entry = AuditEntry.objects.order_by("-seq").first()
    return entry.seq if entry else 0


def actions_since(seq: int) -> list[str]:
    return list(AuditEntry.objects.filter(seq__gt=seq).values_list("action", flat=True))


# --- users ------------------------------------------------------------------------------------------


def test_create_user_hashes_the_password_and_audits() -> None:
    before = last_seq()

    user = services.create_user(
        username="mei",
        email="mei@example.org",
        password=PASSWORD,
        actor=SYSTEM,
        full_name="Mei Lin",
    )

    assert user.check_password(PASSWORD)
    assert user.password != PASSWORD
    assert (user.first_name, user.last_name, user.is_staff) == ("Mei", "Lin", False)
    assert actions_since(before) == ["user.created"]
    entry = AuditEntry.objects.get(seq=before + 1)
    assert (entry.actor_label, entry.object_type, entry.object_id) == (
        "test",
        "directory.user",
        str(user.pk),
    )


def test_production_settings_hash_passwords_with_argon2() -> None:
    assert harbor_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"

    with override_settings(PASSWORD_HASHERS=harbor_settings.PASSWORD_HASHERS):
        user = services.create_user(
            username="argon", email="a@example.org", password=PASSWORD, actor=SYSTEM
        )

    assert user.password.startswith("argon2$argon2id$")


@pytest.mark.parametrize(
    ("kwargs", "fields"),
    [
        ({"password": "123"}, ["password"]),
        ({"password": "password"}, ["password"]),
        ({"password": "12345678901"}, ["password"]),
        ({"password": "mei-example"}, ["password"]),
        ({"email": "not-mail"}, ["email"]),
        ({"email": "a" * 64 + "@" + ("b" * 60 + ".") * 4 + "org"}, ["email"]),
        ({"username": ""}, ["username"]),
        ({"username": "u" * 151}, ["username"]),
        ({"username": "", "email": "x", "password": "1"}, ["username", "email", "password"]),
    ],
)
def test_create_user_names_every_bad_field(kwargs: dict[str, str], fields: list[str]) -> None:
    values = {"username": "mei-example", "email": "mei@example.org", "password": PASSWORD, **kwargs}
    before = last_seq()

    with pytest.raises(ValidationFailed) as excinfo:
        services.create_user(actor=SYSTEM, **values)

    assert [e.field for e in excinfo.value.errors] == fields
    assert excinfo.value.http_status == 422
    assert User.objects.filter(username=values["username"]).exists() is False
    assert last_seq() == before


def test_user_names_are_unique_ignoring_case() -> None:
    make_user("Somchai")

    with pytest.raises(ValidationFailed) as excinfo:
        services.create_user(
            username="somchai", email="s@example.org", password=PASSWORD, actor=SYSTEM
        )

    assert [e.as_dict() for e in excinfo.value.errors] == [
        {"field": "username", "message": "This user name is taken."}
    ]


# --- organisations ----------------------------------------------------------------------------------


def test_system_created_organisation_has_no_owner_and_one_audit_entry() -> None:
    before = last_seq()

    organisation = services.create_organisation(
        actor=SYSTEM, name="Lion City Pay", country="sg", kind="payment"
    )

    assert organisation.slug == "lion-city-pay"
    assert organisation.country_id == "SG"
    assert organisation.verification == "unverified"
    assert organisation.memberships.count() == 0
    assert actions_since(before) == ["organisation.created"]


def test_creator_gets_ownership_and_their_first_organisation_becomes_active() -> None:
    user = make_user("linh")

    organisation = services.create_organisation(
        actor=actor_for(user), name="Saigon Electronics", country="VN", kind="enterprise"
    )

    user.refresh_from_db()
    assert user.active_organisation_id == organisation.pk
    assert Membership.objects.get(user=user).role == "owner"
    second = services.create_organisation(
        actor=actor_for(user), name="Second", country="VN", kind="enterprise"
    )
    user.refresh_from_db()
    assert user.active_organisation_id == organisation.pk
    assert Membership.objects.get(user=user, organisation=second).role == "owner"


def test_anonymous_cannot_create_an_organisation() -> None:
    with pytest.raises(HarborError) as excinfo:
        services.create_organisation(
            actor=Actor.anonymous(), name="X", country="VN", kind="enterprise"
        )

    assert excinfo.value.code == "not_authenticated"
    assert excinfo.value.http_status == 401


def test_language_maps_are_normalised() -> None:
    organisation = services.create_organisation(
        actor=SYSTEM,
        name="Map",
        country="CN",
        kind="enterprise",
        language="zh-Hans",
        description={"zh-Hans": "  描述  ", "EN": "Text", "th": "   "},
    )

    assert organisation.language == "zh-hans"
    assert organisation.description == {"zh-hans": "描述", "en": "Text"}


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("Not A Slug", "Use lowercase letters, digits and hyphens only."),
        ("taken", "This address is taken."),
    ],
)
def test_explicit_slug_is_validated(slug: str, message: str) -> None:
    services.create_organisation(
        actor=SYSTEM, name="Taken", country="VN", kind="enterprise", slug="taken"
    )

    with pytest.raises(ValidationFailed) as excinfo:
        services.create_organisation(
            actor=SYSTEM, name="Other", country="VN", kind="enterprise", slug=slug
        )

    assert [e.as_dict() for e in excinfo.value.errors] == [{"field": "slug", "message": message}]


def test_name_in_a_script_without_latin_letters_gets_a_generic_slug() -> None:
    organisation = services.create_organisation(
        actor=SYSTEM, name="ไทยเทรด", country="TH", kind="enterprise"
    )

    assert organisation.slug == "organisation"
    assert organisation.name == "ไทยเทรด"


def test_request_verification_once() -> None:
    owner = make_user("owner")
    organisation = make_organisation(owner=owner, verified=False)
    before = last_seq()

    services.request_verification(organisation, actor=actor_for(owner))
    services.request_verification(organisation, actor=actor_for(owner))

    organisation.refresh_from_db()
    assert organisation.verification == "pending"
    assert actions_since(before) == ["organisation.verification_requested"]


def test_a_viewer_cannot_request_verification() -> None:
    owner = make_user("owner")
    organisation = make_organisation(owner=owner, verified=False)
    viewer = make_user("viewer")
    add_member(organisation, viewer, "viewer")

    with pytest.raises(HarborError) as excinfo:
        services.request_verification(organisation, actor=actor_for(viewer))

    assert excinfo.value.code == "forbidden"


# --- members ----------------------------------------------------------------------------------------


def test_adding_an_existing_member_is_a_conflict(org: Organisation, owner: User) -> None:
    before = last_seq()

    with pytest.raises(HarborError) as excinfo:
        services.add_member(org, actor=SYSTEM, user=owner, role="viewer")

    assert (excinfo.value.code, excinfo.value.http_status) == ("conflict", 409)
    assert last_seq() == before
    assert Membership.objects.get(user=owner, organisation=org).role == "owner"


def test_switching_to_a_foreign_organisation_is_refused(owner: User, outsider: User) -> None:
    bangkok = Organisation.objects.get(slug="bangkok-trading")

    with pytest.raises(HarborError) as excinfo:
        services.switch_organisation(owner, organisation=bangkok)

    assert excinfo.value.code == "forbidden"


def test_switching_organisation_changes_the_actor(
    org: Organisation, owner: User, outsider: User
) -> None:
    bangkok = Organisation.objects.get(slug="bangkok-trading")
    add_member(bangkok, owner, "editor")
    before = last_seq()

    services.switch_organisation(owner, organisation=bangkok)

    actor = actor_for(owner)
    assert (actor.organisation_id, actor.role, actor.organisation_country) == (
        bangkok.pk,
        Role.EDITOR,
        "TH",
    )
    assert actor.memberships == frozenset({org.pk, bangkok.pk})
    assert actions_since(before) == ["user.switched_organisation"]


def test_actor_falls_back_to_a_remaining_membership(
    org: Organisation, owner: User, viewer: User, outsider: User
) -> None:
    bangkok = Organisation.objects.get(slug="bangkok-trading")
    add_member(bangkok, viewer, "editor")

    services.remove_member(
        Membership.objects.get(user=viewer, organisation=org), actor=actor_for(owner)
    )

    actor = actor_for(viewer)
    assert (actor.organisation_id, actor.role) == (bangkok.pk, Role.EDITOR)


def test_actor_for_a_person_without_organisation(staff: User) -> None:
    actor = actor_for(staff)

    assert (actor.organisation_id, actor.role, actor.is_staff, actor.token_id) == (
        None,
        None,
        True,
        None,
    )
    assert actor.scopes == frozenset({Scope.READ, Scope.WRITE})


def test_changing_a_role_is_locked_and_audited(
    org: Organisation, owner: User, viewer: User
) -> None:
    membership = Membership.objects.get(user=viewer, organisation=org)
    before = last_seq()

    changed = services.change_member_role(membership, actor=actor_for(owner), role="admin")

    assert changed.role == "admin"
    assert actions_since(before) == ["membership.updated"]


def test_the_owner_leaves_after_handing_over(org: Organisation, owner: User, viewer: User) -> None:
    services.change_member_role(
        Membership.objects.get(user=viewer, organisation=org), actor=actor_for(owner), role="owner"
    )

    services.remove_member(
        Membership.objects.get(user=owner, organisation=org), actor=actor_for(owner)
    )

    assert list(
        Membership.objects.filter(organisation=org).values_list("user__username", "role")
    ) == [("viewer", "owner")]


# --- invitations ------------------------------------------------------------------------------------


def test_revoking_an_invitation_twice_audits_once(org: Organisation, owner: User) -> None:
    invitation, _raw = services.invite_member(org, actor=actor_for(owner), email="a@example.org")
    before = last_seq()

    services.revoke_invitation(invitation, actor=actor_for(owner))
    services.revoke_invitation(invitation, actor=actor_for(owner))

    assert actions_since(before) == ["invitation.revoked"]
    assert Invitation.objects.get(pk=invitation.pk).is_open is False


def test_anonymous_cannot_accept_an_invitation(org: Organisation, owner: User) -> None:
    _invitation, raw = services.invite_member(org, actor=actor_for(owner), email="a@example.org")

    with pytest.raises(HarborError) as excinfo:
        services.accept_invitation(raw, actor=Actor.anonymous())

    assert excinfo.value.code == "not_authenticated"


def test_invitation_expires_after_fourteen_days(org: Organisation, owner: User) -> None:
    with time_machine.travel(timezone.now(), tick=False):
        invitation, _raw = services.invite_member(
            org, actor=actor_for(owner), email="a@example.org"
        )

    assert invitation.expires_at - invitation.created_at == timedelta(days=14)
    with time_machine.travel(invitation.expires_at - timedelta(seconds=1)):
        assert invitation.is_open is True
    with time_machine.travel(invitation.expires_at):
        assert invitation.is_open is False


def test_invitations_are_visible_to_administrators_only(
    org: Organisation, owner: User, viewer: User
) -> None:
    services.invite_member(org, actor=actor_for(owner), email="a@example.org")

    assert selectors.list_invitations_for(actor_for(owner), org).count() == 1
    with pytest.raises(HarborError) as excinfo:
        selectors.list_invitations_for(actor_for(viewer), org)
    assert excinfo.value.code == "forbidden"


# --- tokens -----------------------------------------------------------------------------------------


def test_token_is_stored_hashed_and_authenticates(org: Organisation, owner: User) -> None:
    token, raw = services.create_api_token(
        actor=actor_for(owner), name="ci", scopes=["write", "read", "read"]
    )

    assert token.scopes == ["read", "write"]
    assert raw.startswith(f"hbr_{token.prefix}_")
    assert raw.split("_", 2)[2] not in token.secret_hash
    assert len(token.secret_hash) == 64
    assert services.authenticate_token(raw) == token
    assert services.authenticate_token(raw + "x") is None
    assert services.authenticate_token("hbr_" + token.prefix) is None


def test_default_token_lifetime_is_ninety_days(org: Organisation, owner: User) -> None:
    with time_machine.travel("2026-03-01 00:00:00+00:00", tick=False):
        token, _raw = services.create_api_token(actor=actor_for(owner), name="ci")

    assert token.expires_at.isoformat() == "2026-05-30T00:00:00+00:00"
    assert token.scopes == ["read"]


def test_token_last_use_is_recorded_at_most_every_five_minutes(
    org: Organisation, owner: User
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        token, raw = services.create_api_token(actor=actor_for(owner), name="ci")
        services.authenticate_token(raw)
    with time_machine.travel(start + timedelta(minutes=4), tick=False):
        services.authenticate_token(raw)
    token.refresh_from_db()
    assert token.last_used_at == start

    with time_machine.travel(start + timedelta(minutes=6), tick=False):
        services.authenticate_token(raw)
    token.refresh_from_db()
    assert token.last_used_at == start + timedelta(minutes=6)


def test_token_of_a_deactivated_user_stops_working(org: Organisation, owner: User) -> None:
    _token, raw = services.create_api_token(actor=actor_for(owner), name="ci")
    User.objects.filter(pk=owner.pk).update(is_active=False)

    assert services.authenticate_token(raw) is None


def test_token_actor_has_only_the_token_scopes(org: Organisation, owner: User) -> None:
    token, _raw = services.create_api_token(actor=actor_for(owner), name="ci", scopes=["read"])

    actor = services.build_actor(owner, token=ApiToken.objects.get(pk=token.pk))

    assert (actor.token_id, actor.organisation_id, actor.role) == (token.pk, org.pk, Role.OWNER)
    assert actor.scopes == frozenset({Scope.READ})


def test_revoking_a_token_twice_audits_once(org: Organisation, owner: User) -> None:
    token, _raw = services.create_api_token(actor=actor_for(owner), name="ci")
    before = last_seq()

    services.revoke_api_token(token, actor=actor_for(owner))
    services.revoke_api_token(token, actor=actor_for(owner))

    assert actions_since(before) == ["api_token.revoked"]


def test_staff_may_revoke_anyones_token(org: Organisation, owner: User, staff: User) -> None:
    token, raw = services.create_api_token(actor=actor_for(owner), name="ci")

    services.revoke_api_token(token, actor=actor_for(staff))

    assert services.authenticate_token(raw) is None


def test_a_token_for_someone_else_is_not_found(
    org: Organisation, owner: User, outsider: User
) -> None:
    token, _raw = services.create_api_token(actor=actor_for(owner), name="ci")

    with pytest.raises(HarborError) as excinfo:
        services.revoke_api_token(token, actor=actor_for(outsider))

    assert excinfo.value.code == "not_found"


def test_password_login_works_through_the_configured_backends(rf, owner: User) -> None:  # type: ignore[no-untyped-def]
    request = rf.post("/accounts/login/")

    assert authenticate(request=request, username="owner", password=PASSWORD) == owner
    assert authenticate(request=request, username="owner", password="wrong") is None
