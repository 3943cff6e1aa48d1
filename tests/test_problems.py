"""RFC 9457 problem details: the shape every error leaves the API in, and the error pages."""

from __future__ import annotations

import json

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import path

from harbor.config.urls import handler404, handler500  # noqa: F401 - the error views under test
from harbor.config.urls import urlpatterns as harbor_urlpatterns
from harbor.core.errors import (
    ErrorCode,
    FieldError,
    Forbidden,
    HarborError,
    NotFound,
    ValidationFailed,
)
from harbor.core.problems import problem_from_error, problem_response, server_error_problem


def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("unexpected")


# Used through ``pytest.mark.urls``: the real routes plus two that fail on purpose.
urlpatterns = [
    path("api/v1/boom", _boom),
    path("boom", _boom),
    *harbor_urlpatterns,
]


def test_problem_response_has_the_rfc_9457_members() -> None:
    request = RequestFactory().get("/api/v1/things/7")

    response = problem_response(
        request,
        status=409,
        code="conflict",
        detail="Already there.",
        errors=[FieldError("name", "Taken.")],
        headers={"Retry-After": "3"},
        owner="x",
    )

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "3"
    assert json.loads(response.content) == {
        "type": "https://infoharbor.org/problems/conflict",
        "title": "Conflict",
        "status": 409,
        "detail": "Already there.",
        "code": "conflict",
        "instance": "/api/v1/things/7",
        "errors": [{"field": "name", "message": "Taken."}],
        "owner": "x",
    }


def test_problem_without_request_has_no_instance_and_keeps_unicode() -> None:
    response = problem_response(None, status=418, code="teapot", detail="ชา")

    body = json.loads(response.content)
    assert "instance" not in body
    assert "errors" not in body
    assert body["title"] == "Error"
    assert "ชา".encode() in response.content


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (NotFound("gone"), 404, "not_found"),
        (Forbidden("no"), 403, "forbidden"),
        (ValidationFailed("bad"), 422, "validation_error"),
        (HarborError(ErrorCode.CONFLICT, "twice"), 409, "conflict"),
        (HarborError(ErrorCode.RATE_LIMITED, "slow"), 429, "rate_limited"),
        (HarborError(ErrorCode.PAYLOAD_TOO_LARGE, "big"), 413, "payload_too_large"),
        (HarborError(ErrorCode.NOT_AUTHENTICATED, "who"), 401, "not_authenticated"),
        (HarborError("app_specific", "odd"), 400, "app_specific"),
        (HarborError("app_specific", "odd", status=451), 451, "app_specific"),
    ],
)
def test_error_codes_map_to_statuses(error: HarborError, status: int, code: str) -> None:
    response = problem_from_error(None, error)

    assert error.http_status == status
    assert response.status_code == status
    assert json.loads(response.content)["code"] == code
    assert json.loads(response.content)["detail"] == str(error)


def test_validation_error_for_one_field() -> None:
    error = ValidationFailed.for_field("country", "Not a member state.")

    body = json.loads(problem_from_error(None, error).content)

    assert body["errors"] == [{"field": "country", "message": "Not a member state."}]
    assert body["detail"] == "Not a member state."


def test_server_error_problem() -> None:
    body = json.loads(server_error_problem(None).content)

    assert (body["status"], body["code"], body["title"]) == (500, "server_error", "Server error")


def test_schema_validation_errors_name_the_nested_field(api, owner, org) -> None:  # type: ignore[no-untyped-def]
    response = api(owner).post(
        "/api/v1/organisations",
        {"name": "N", "country": "VN", "kind": "enterprise", "description": {"en": ["list"]}},
        content_type="application/json",
    )

    assert response.status_code == 422
    body = response.json()
    assert [e["field"] for e in body["errors"]] == ["description.en"]
    assert body["detail"] == "Some fields are invalid: description.en."


def test_query_parameter_errors_name_the_parameter(db: None) -> None:
    response = Client().get("/api/v1/reference/countries", {"members_only": "perhaps"})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "members_only"


@pytest.mark.django_db
@pytest.mark.urls("tests.test_problems")
def test_an_unexpected_api_error_is_a_500_problem_without_internals() -> None:
    response = Client(raise_request_exception=False).get("/api/v1/boom")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "server_error"
    assert body["detail"] == "Something went wrong on our side. The error has been logged."
    assert "unexpected" not in response.content.decode()
    assert "Traceback" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.urls("tests.test_problems")
def test_an_unexpected_page_error_is_an_html_500() -> None:
    response = Client(raise_request_exception=False).get("/boom", headers={"Accept": "text/html"})

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert 'data-error-status="500"' in response.content.decode()
    assert "unexpected" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept", "content_type"),
    [("text/html", "text/html; charset=utf-8"), ("application/json", "application/problem+json")],
)
def test_page_not_found_follows_the_accept_header(accept: str, content_type: str) -> None:
    response = Client().get("/no/such/page", headers={"Accept": accept})

    assert response.status_code == 404
    assert response["Content-Type"] == content_type


def test_operations_that_can_refuse_input_declare_422() -> None:
    from harbor.config.api import api

    schema = api.get_openapi_schema()
    missing = []
    for path_, methods in schema["paths"].items():
        for method, operation in methods.items():
            if not {"reference", "directory", "jobs"} & set(operation.get("tags", [])):
                continue
            typed = [
                p
                for p in operation.get("parameters", [])
                if p["schema"].get("type", "string") != "string" or "anyOf" in p["schema"]
            ]
            declared = {str(status) for status in operation["responses"]}
            if (typed or "requestBody" in operation) and "422" not in declared:
                missing.append(f"{method.upper()} {path_}")

    assert missing == []


@pytest.mark.django_db
def test_a_job_id_that_is_not_a_number_is_a_422(session_client, staff) -> None:  # type: ignore[no-untyped-def]
    response = session_client(staff).get("/api/v1/jobs/seven")

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "job_id"
