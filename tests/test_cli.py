"""The ``harbor`` commands: tokens, users, reference data, demo data."""

from __future__ import annotations

from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from harbor.core.audit import verify_chain
from harbor.core.models import AuditEntry
from harbor.directory.models import ApiToken, Membership, Organisation, User
from harbor.reference.models import Country, Currency, Language
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


# --- token ------------------------------------------------------------------------------------------


def test_token_create_prints_a_token_that_works(owner: User, org: Organisation) -> None:
    with time_machine.travel("2026-03-01 09:00:00+00:00", tick=False):
        raw = run(
            "token",
            "create",
            "--user",
            "owner",
            "--org",
            org.slug,
            "--scope",
            "read",
            "--expires",
            "30d",
        ).strip()

    token = ApiToken.objects.get(user=owner, name="cli")
    assert raw.startswith(f"hbr_{token.prefix}_")
    assert token.scopes == ["read"]
    assert token.expires_at.isoformat() == "2026-03-31T09:00:00+00:00"
    with time_machine.travel("2026-03-02 09:00:00+00:00"):
        response = Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["username"] == "owner"
    assert response.json()["acting_organisation"] == org.slug
    assert response.json()["scopes"] == ["read"]


def test_token_create_with_hours_and_two_scopes(owner: User, org: Organisation) -> None:
    with time_machine.travel("2026-03-01 09:00:00+00:00", tick=False):
        run(
            "token",
            "create",
            "--user",
            "owner",
            "--org",
            org.slug,
            "--scope",
            "read",
            "--scope",
            "write",
            "--expires",
            "12h",
            "--name",
            "deploy",
        )

    token = ApiToken.objects.get(name="deploy")
    assert token.scopes == ["read", "write"]
    assert token.expires_at.isoformat() == "2026-03-01T21:00:00+00:00"


def test_token_create_with_an_iso_expiry(owner: User, org: Organisation) -> None:
    with time_machine.travel("2026-03-01 09:00:00+00:00", tick=False):
        run(
            "token",
            "create",
            "--user",
            "owner",
            "--org",
            org.slug,
            "--expires",
            "2026-06-01T12:00:00+07:00",
        )

    assert ApiToken.objects.get(name="cli").expires_at.isoformat() == "2026-06-01T05:00:00+00:00"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--user", "nobody", "--org", "hanoi-ceramics"], "no user 'nobody'"),
        (["--user", "owner", "--org", "nowhere"], "no organisation with slug 'nowhere'"),
        (
            ["--user", "outsider", "--org", "hanoi-ceramics"],
            "outsider is not a member of hanoi-ceramics",
        ),
        (
            ["--user", "owner", "--org", "hanoi-ceramics", "--expires", "soon"],
            "--expires 'soon': use 30d, 12h or an ISO 8601 date-time",
        ),
        (
            ["--user", "owner", "--org", "hanoi-ceramics", "--expires", "2026-02-30T00:00:00"],
            "--expires '2026-02-30T00:00:00': use 30d, 12h or an ISO 8601 date-time",
        ),
        (
            ["--user", "owner", "--org", "hanoi-ceramics", "--expires", "99999999999d"],
            "--expires '99999999999d': use 30d, 12h or an ISO 8601 date-time",
        ),
        (
            ["--user", "owner", "--org", "hanoi-ceramics", "--expires", ""],
            "--expires '': use 30d, 12h or an ISO 8601 date-time",
        ),
        (
            ["--user", "owner", "--org", "hanoi-ceramics", "--expires", "0d"],
            "The expiry must be in the future and within a year. (expires_at: The expiry must be in the future and within a year.)",
        ),
        (
            ["--user", "owner", "--org", "hanoi-ceramics", "--expires", "400d"],
            "The expiry must be in the future and within a year. (expires_at: The expiry must be in the future and within a year.)",
        ),
    ],
)
def test_token_create_errors_are_clear(
    owner: User, org: Organisation, outsider: User, args: list[str], message: str
) -> None:
    with pytest.raises(CommandError) as excinfo:
        run("token", "create", *args)

    assert str(excinfo.value) == message
    assert ApiToken.objects.count() == 0


def test_token_list_and_revoke(owner: User, org: Organisation) -> None:
    raw = run("token", "create", "--user", "owner", "--org", org.slug, "--name", "ci").strip()
    token = ApiToken.objects.get(name="ci")

    listed = run("token", "list", "--user", "owner")
    revoked = run("token", "revoke", token.prefix)

    assert listed == (
        f"{token.prefix}\tci\t{org.slug}\tread\texpires {token.expires_at:%Y-%m-%d}\tactive\n"
    )
    assert revoked == f"token {token.prefix} revoked\n"
    assert Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/me").status_code == 401
    assert run("token", "list", "--user", "owner").endswith("\tinactive\n")
    with pytest.raises(CommandError, match="no token with prefix 'ffffffff'"):
        run("token", "revoke", "ffffffff")


# --- createuser -------------------------------------------------------------------------------------


def test_createuser_makes_a_member(org: Organisation) -> None:
    out = run(
        "createuser",
        "linh",
        "--email",
        "linh@example.org",
        "--password",
        PASSWORD,
        "--org",
        org.slug,
        "--role",
        "editor",
    )

    assert out == "user linh created\n"
    user = User.objects.get(username="linh")
    assert user.check_password(PASSWORD)
    assert Membership.objects.get(user=user).role == "editor"
    assert list(AuditEntry.objects.order_by("-seq").values_list("action", flat=True)[:2]) == [
        "membership.created",
        "user.created",
    ]


def test_createuser_staff(db: None) -> None:
    run("createuser", "ops", "--email", "ops@example.org", "--password", PASSWORD, "--staff")

    assert User.objects.get(username="ops").is_staff is True


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("123", "This password is too short. It must contain at least 8 characters."),
        ("password123", "This password is too common."),
        ("8426153790", "This password is entirely numeric."),
    ],
)
def test_createuser_refuses_a_weak_password(db: None, password: str, message: str) -> None:
    with pytest.raises(CommandError) as excinfo:
        run("createuser", "weak", "--email", "weak@example.org", "--password", password)

    assert str(excinfo.value).startswith("The user could not be created. (password: ")
    assert message in str(excinfo.value)
    assert not User.objects.filter(username="weak").exists()


def test_createuser_errors_are_clear(org: Organisation, owner: User) -> None:
    with pytest.raises(CommandError) as taken:
        run("createuser", "OWNER", "--email", "x@example.org", "--password", PASSWORD)
    with pytest.raises(CommandError) as no_org:
        run(
            "createuser",
            "x",
            "--email",
            "x@example.org",
            "--password",
            PASSWORD,
            "--org",
            "nowhere",
        )

    assert str(taken.value) == "The user could not be created. (username: This user name is taken.)"
    assert str(no_org.value) == "no organisation with slug 'nowhere'"
    assert not User.objects.filter(username="x").exists()


def test_createuser_with_a_bad_email_creates_nothing(db: None) -> None:
    with pytest.raises(CommandError, match=r"email: Enter a valid email address\."):
        run("createuser", "mail", "--email", "not-an-address", "--password", PASSWORD)

    assert not User.objects.filter(username="mail").exists()


# --- load-reference ---------------------------------------------------------------------------------


def test_load_reference_twice_changes_nothing_the_second_time(db: None) -> None:
    Country.objects.all().delete()
    Currency.objects.all().delete()
    Language.objects.all().delete()
    audit_before = AuditEntry.objects.count()

    first = run("load_reference", "--verbosity", "0")
    audit_after_first = AuditEntry.objects.count()
    second = run("load_reference", "--verbosity", "0")

    assert first == "reference data: 426 rows created, 0 updated\n"
    assert audit_after_first == audit_before + 426
    assert second == "reference data: 0 rows created, 0 updated\n"
    assert AuditEntry.objects.count() == audit_after_first
    assert (Country.objects.count(), Currency.objects.count(), Language.objects.count()) == (
        249,
        165,
        12,
    )
    assert verify_chain().ok


def test_load_reference_repairs_a_changed_row_and_audits_it(db: None) -> None:
    Country.objects.filter(code="VN").update(is_member=False, names={"en": "Wrong"})
    Currency.objects.filter(code="THB").update(minor_unit=3)
    Country.objects.filter(code="AQ").delete()
    audit_before = AuditEntry.objects.count()

    out = run("load_reference", "--verbosity", "0")

    assert out == "reference data: 1 rows created, 2 updated\n"
    vietnam = Country.objects.get(code="VN")
    assert vietnam.is_member is True
    assert vietnam.names["zh-hans"] == "越南"
    assert Currency.objects.get(code="THB").minor_unit == 2
    assert Country.objects.get(code="AQ").names["en"] == "Antarctica"
    new_entries = list(AuditEntry.objects.order_by("seq")[audit_before:])
    assert [(e.action, e.object_id, e.data) for e in new_entries] == [
        ("reference.currency.updated", "THB", {"fields": ["minor_unit"]}),
        ("reference.country.created", "AQ", {}),
        ("reference.country.updated", "VN", {"fields": ["names", "is_member"]}),
    ]
    assert verify_chain().ok


# --- demo -------------------------------------------------------------------------------------------


def snapshot() -> tuple[int, int, int, int]:
    return (
        Organisation.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        AuditEntry.objects.count(),
    )


def test_demo_twice_is_idempotent(db: None) -> None:
    before = snapshot()

    first_out = run("demo", "--verbosity", "0")
    after_first = snapshot()
    second_out = run("demo", "--verbosity", "0")

    assert snapshot() == after_first
    assert after_first[:3] == (before[0] + 10, before[1] + 12, before[2] + 11)
    assert "mei      owner of guangxi-bamboo-crafts" in first_out
    assert "mei      owner of guangxi-bamboo-crafts" in second_out
    assert Organisation.objects.filter(is_demo=True).count() == 10
    assert Organisation.objects.get(slug="vientiane-coffee-exporters").verification == "unverified"
    assert Organisation.objects.get(slug="yangon-garment-works").verification == "pending"
    assert Organisation.objects.filter(is_demo=True, verification="verified").count() == 8
    assert User.objects.get(username="admin").is_staff is True
    jun = User.objects.get(username="jun")
    assert jun.active_organisation is not None
    assert jun.active_organisation.slug == "guangxi-bamboo-crafts"
    assert verify_chain().ok


def test_demo_accounts_can_sign_in(db: None) -> None:
    run("demo", "--verbosity", "0")

    client = Client()
    response = client.post("/accounts/login/", {"username": "mei", "password": "harbor-demo-2026"})
    assert response.status_code == 302
    me = client.get("/api/v1/me").json()
    assert (me["acting_organisation"], me["role"]) == ("guangxi-bamboo-crafts", "owner")


def test_harbor_command_maps_dashed_names(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from harbor import cli

    seen: list[list[str]] = []
    monkeypatch.setattr("django.core.management.execute_from_command_line", seen.append)

    cli.main(["/usr/bin/harbor", "load-reference", "--verbosity", "0"])
    cli.main(["/usr/bin/harbor", "--help"])

    assert seen == [["harbor", "load_reference", "--verbosity", "0"], ["harbor", "--help"]]
