"""Shared fixtures: reference data loaded once per database, organisations and people per test."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

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


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> Any:
    """Argon2 costs a tenth of a second per password by design; tests hash many. One test checks Argon2."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


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
        _token, raw = services.create_api_token(
            actor=actor, name="test", scopes=scopes or ["read", "write"]
        )
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


@pytest.fixture
def session_client() -> Callable[..., Client]:
    """A test client signed in through a session cookie (as a browser is), not with a token."""

    def client_for(user: User, *, enforce_csrf_checks: bool = False) -> Client:
        client = Client(enforce_csrf_checks=enforce_csrf_checks)
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return client_for


def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    return bool(
        (marker is not None and marker.kwargs.get("transaction"))
        or "transactional_db" in fixtures
        or "live_server" in fixtures
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    """A transactional test empties every table when it ends; put the reference data back."""
    yield
    # After the last test the test database is already gone: writing then would reach the real one.
    if _is_transactional(item) and nextitem is not None:
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            load_reference(actor=Actor.system("tests"))
