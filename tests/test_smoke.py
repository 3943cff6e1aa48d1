from django.test import Client


def test_healthz_answers_ok(db: None) -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_database_and_migrations(db: None) -> None:
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "migrations": "ok"}}


def test_me_with_token_names_the_acting_organisation(api, org, owner) -> None:  # type: ignore[no-untyped-def]
    response = api(owner).get("/api/v1/me")
    assert response.status_code == 200
    body = response.json()
    assert body["acting_organisation"] == org.slug
    assert body["role"] == "owner"
    assert body["scopes"] == ["read", "write"]
