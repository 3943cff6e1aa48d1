"""Shared fixtures: reference data loaded once per database, organisations and people per test."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from harbor.core.actors import Actor
from harbor.directory import services
from harbor.directory.models import Organisation, User
from harbor.reference.services import load_reference
from tests.factories import add_member, make_organisation, make_user

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Load the reference data once into the test database; every test sees it."""
    with django_db_blocker.unblock():
        load_reference(actor=Actor.system("tests"))


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


@pytest.fixture
def owner(db: None) -> User:
    return make_user("owner")


@pytest.fixture
def org(owner: User) -> Organisation:
    """A verified Vietnamese enterprise owned by ``owner``."""
    return make_organisation(owner=owner, name="Hanoi Ceramics", country="VN")


@pytest.fixture
def viewer(org: Organisation) -> User:
    user = make_user("viewer")
    add_member(org, user, "viewer")
    return user


@pytest.fixture
def admin_member(org: Organisation) -> User:
    user = make_user("orgadmin")
    add_member(org, user, "admin")
    return user


@pytest.fixture
def outsider(db: None) -> User:
    """A member of another verified organisation, in Thailand."""
    user = make_user("outsider")
    make_organisation(owner=user, name="Bangkok Trading", country="TH")
    return user


@pytest.fixture
def staff(db: None) -> User:
    return make_user("staff", staff=True)


@pytest.fixture
def token_for() -> Callable[..., str]:
    """Issue a real API token for a user (default scopes read and write)."""

    def issue(user: User, scopes: list[str] | None = None) -> str:
        user.refresh_from_db()
        actor = services.build_actor(user)
        _token, raw = services.create_api_token(actor=actor, name="test", scopes=scopes or ["read", "write"])
        return raw

    return issue


@pytest.fixture
def api(token_for: Callable[..., str]) -> Callable[..., Client]:
    """A test client that sends ``Authorization: Bearer`` for ``user`` (anonymous when None)."""

    def client_for(user: User | None = None, scopes: list[str] | None = None) -> Client:
        if user is None:
            return Client()
        return Client(headers={"Authorization": f"Bearer {token_for(user, scopes)}"})

    return client_for
