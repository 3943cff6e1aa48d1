"""Factories behind the test fixtures; they go through the real services so audit entries exist."""

from __future__ import annotations

import itertools

from harbor.core.actors import Actor
from harbor.directory import services
from harbor.directory.choices import Verification
from harbor.directory.models import Organisation, User

PASSWORD = "correct-horse-battery-9"
_counter = itertools.count(1)


def make_user(username: str | None = None, *, staff: bool = False) -> User:
    name = username or f"user{next(_counter)}"
    return services.create_user(
        username=name,
        email=f"{name}@example.org",
        password=PASSWORD,
        is_staff=staff,
        actor=Actor.system("test"),
    )


def make_organisation(
    *,
    owner: User | None = None,
    name: str | None = None,
    country: str = "VN",
    kind: str = "enterprise",
    verified: bool = True,
) -> Organisation:
    system = Actor.system("test")
    organisation = services.create_organisation(
        actor=system, name=name or f"Organisation {next(_counter)}", country=country, kind=kind
    )
    if verified:
        services.set_verification(organisation, actor=system, status=Verification.VERIFIED)
    if owner is not None:
        services.add_member(organisation, actor=system, user=owner, role="owner")
        if owner.active_organisation_id is None:
            services.switch_organisation(owner, organisation=organisation)
    return organisation


def add_member(organisation: Organisation, user: User, role: str) -> None:
    services.add_member(organisation, actor=Actor.system("test"), user=user, role=role)
    if user.active_organisation_id is None:
        services.switch_organisation(user, organisation=organisation)


def actor_for(user: User, organisation: Organisation | None = None) -> Actor:
    user.refresh_from_db()
    return services.build_actor(user, organisation=organisation)
