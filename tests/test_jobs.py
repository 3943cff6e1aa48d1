"""Long work as jobs: enqueued after commit, run by the worker, watched through the API."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django_tasks_db.models import DBTaskResult

from harbor.core.actors import Actor
from harbor.core.errors import ValidationFailed
from harbor.core.jobs import JobReporter, job_handler, job_kinds, run_job, start_job
from harbor.core.models import AuditEntry, Job, JobStatus
from harbor.directory.models import Organisation, User
from harbor.reference.services import reference_row_count
from tests.factories import actor_for

pytestmark = pytest.mark.django_db


@job_handler("tests.count")
def _count_job(reporter: JobReporter, params: dict[str, Any]) -> dict[str, Any]:
    reporter.set_total(params["n"])
    for _ in range(params["n"]):
        reporter.advance()
    reporter.log("counted")
    return {"counted": params["n"]}


@job_handler("tests.fail")
def _failing_job(reporter: JobReporter, params: dict[str, Any]) -> dict[str, Any]:
    reporter.set_total(10)
    reporter.advance(3)
    reporter.log("about to fail")
    raise ValueError("the source file is truncated at line 42")


@pytest.fixture
def staff_client(session_client: Callable[..., Client], staff: User) -> Client:
    return session_client(staff)


def test_start_job_enqueues_only_after_commit(
    owner: User, org: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = start_job("reference.load", actor=actor_for(owner))
        assert DBTaskResult.objects.count() == 0

    assert len(callbacks) == 1
    assert (job.status, job.created_by_id, job.organisation_id) == ("queued", owner.pk, org.pk)
    callbacks[0]()
    task = DBTaskResult.objects.get()
    assert task.status == "READY"
    assert task.args_kwargs == {"args": [job.pk], "kwargs": {}}
    job.refresh_from_db()
    assert job.task_result_id == str(task.id)


def test_a_rolled_back_start_enqueues_nothing(
    owner: User, org: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        start_job("reference.load", actor=actor_for(owner))
        raise RuntimeError("abort")

    assert callbacks == []
    assert Job.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


def test_run_job_loads_reference_data_to_the_end(owner: User, org: Organisation) -> None:
    job = start_job("reference.load", actor=actor_for(owner))
    audit_before = AuditEntry.objects.count()

    finished = run_job(job.pk)

    assert finished.status == JobStatus.SUCCEEDED
    assert finished.total == reference_row_count()
    assert finished.progress == finished.total
    assert finished.percent == 100
    assert finished.result == {"created": {}, "updated": {}}
    assert finished.error == ""
    assert finished.started_at is not None
    assert finished.finished_at is not None
    assert finished.finished_at >= finished.started_at
    assert "Loading countries, currencies and languages" in finished.log
    assert finished.log.endswith("Done: {'created': {}, 'updated': {}}\n")
    assert AuditEntry.objects.count() == audit_before
    stored = Job.objects.get(pk=job.pk)
    assert (stored.status, stored.progress, stored.total) == (
        "succeeded",
        finished.total,
        finished.total,
    )


def test_running_a_finished_job_again_changes_nothing(owner: User, org: Organisation) -> None:
    job = start_job("tests.count", actor=actor_for(owner), params={"n": 3})
    first = run_job(job.pk)

    second = run_job(job.pk)

    assert (second.status, second.progress, second.finished_at) == (
        "succeeded",
        3,
        first.finished_at,
    )


def test_a_failing_handler_records_the_error(owner: User, org: Organisation) -> None:
    job = start_job("tests.fail", actor=actor_for(owner))

    finished = run_job(job.pk)

    stored = Job.objects.get(pk=job.pk)
    assert finished.status == stored.status == JobStatus.FAILED
    assert stored.error == "the source file is truncated at line 42"
    assert (stored.progress, stored.total, stored.percent) == (3, 10, 30)
    assert "about to fail" in stored.log
    assert stored.finished_at is not None
    assert stored.result == {}


def test_unknown_kind_is_refused_before_anything_is_written(owner: User, org: Organisation) -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        start_job("no.such.kind", actor=actor_for(owner))

    assert [e.as_dict() for e in excinfo.value.errors] == [
        {"field": "kind", "message": "Unknown job kind “no.such.kind”."}
    ]
    assert Job.objects.count() == 0


def test_reference_load_is_a_registered_kind() -> None:
    assert "reference.load" in job_kinds()


# --- API --------------------------------------------------------------------------------------------


def test_job_is_visible_to_its_creator_and_staff_only(
    api: Callable[..., Client], owner: User, org: Organisation, outsider: User, staff_client: Client
) -> None:
    job = run_job(start_job("tests.count", actor=actor_for(owner), params={"n": 4}).pk)

    mine = api(owner).get(f"/api/v1/jobs/{job.pk}")
    as_staff = staff_client.get(f"/api/v1/jobs/{job.pk}")
    foreign = api(outsider).get(f"/api/v1/jobs/{job.pk}")
    anonymous = Client().get(f"/api/v1/jobs/{job.pk}")

    assert mine.status_code == as_staff.status_code == 200
    body = mine.json()
    assert body == as_staff.json()
    assert {
        k: body[k]
        for k in ("id", "kind", "status", "progress", "total", "percent", "result", "error")
    } == {
        "id": job.pk,
        "kind": "tests.count",
        "status": "succeeded",
        "progress": 4,
        "total": 4,
        "percent": 100,
        "result": {"counted": 4},
        "error": "",
    }
    assert foreign.status_code == 404
    assert foreign["Content-Type"] == "application/problem+json"
    assert foreign.json()["code"] == "not_found"
    assert anonymous.status_code == 401


def test_staff_start_a_job_through_the_api(
    staff_client: Client, staff: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = staff_client.post(
            "/api/v1/jobs",
            {"kind": "tests.count", "params": {"n": 2}},
            content_type="application/json",
        )

    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["status"], body["progress"], body["total"]) == (
        "tests.count",
        "queued",
        0,
        0,
    )
    assert len(callbacks) == 1
    job = Job.objects.get(pk=body["id"])
    assert (job.created_by_id, job.params) == (staff.pk, {"n": 2})
    assert DBTaskResult.objects.get().args_kwargs == {"args": [job.pk], "kwargs": {}}


def test_non_staff_cannot_start_a_job(
    api: Callable[..., Client], owner: User, org: Organisation
) -> None:
    response = api(owner).post(
        "/api/v1/jobs", {"kind": "reference.load"}, content_type="application/json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert Job.objects.count() == 0


@pytest.mark.parametrize("kind", ["no.such.kind", ""])
def test_unknown_kind_is_a_422_naming_kind(staff_client: Client, kind: str) -> None:
    response = staff_client.post("/api/v1/jobs", {"kind": kind}, content_type="application/json")

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "kind"
    assert Job.objects.count() == 0


def test_missing_kind_is_a_422_naming_kind(staff_client: Client) -> None:
    response = staff_client.post("/api/v1/jobs", {}, content_type="application/json")

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "kind"


def test_unknown_job_is_a_404(staff_client: Client) -> None:
    response = staff_client.get("/api/v1/jobs/999999")

    assert response.status_code == 404
    assert response.json()["detail"] == "No such job."


# --- the worker -------------------------------------------------------------------------------------


@pytest.fixture
def restore_signals() -> Iterator[None]:
    """The worker installs its own SIGINT/SIGTERM handlers; give the test runner its own back."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


@pytest.mark.django_db(transaction=True)
def test_worker_batch_runs_committed_jobs(restore_signals: None) -> None:
    actor = Actor.system("tests")
    with transaction.atomic():
        job = start_job("reference.load", actor=actor)
        failing = start_job("tests.fail", actor=actor)
        assert DBTaskResult.objects.count() == 0
    assert DBTaskResult.objects.filter(status="READY").count() == 2

    call_command("worker", "--batch", "--interval", "0", stdout=StringIO(), verbosity=0)

    job.refresh_from_db()
    failing.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.progress == job.total == reference_row_count()
    assert job.result == {"created": {}, "updated": {}}
    assert failing.status == JobStatus.FAILED
    assert failing.error == "the source file is truncated at line 42"
    assert sorted(DBTaskResult.objects.values_list("status", flat=True)) == [
        "SUCCESSFUL",
        "SUCCESSFUL",
    ]
    assert DBTaskResult.objects.get(id=job.task_result_id).return_value == "succeeded"
    assert DBTaskResult.objects.get(id=failing.task_result_id).return_value == "failed"
