"""Bulk import and index rebuild."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from harbor.directory.models import Organisation, User
from harbor.search import fts
from harbor.search.models import SearchDocument
from harbor.sharing.importer import import_rows, parse_file
from harbor.sharing.models import Record
from tests.factories import actor_for

pytestmark = pytest.mark.django_db

CSV = """external_id,kind,title.vi,summary.vi,hs_codes,countries,audience,status
vn-1,regulation,Quy định về cà phê,Tóm tắt,0901,VN;CN,public,published
vn-2,notice,Thông báo hải quan,,9999,VN,public,published
vn-3,notice,Thông báo,,,XX,public,draft
"""


def test_csv_import_reports_each_row_and_is_idempotent(
    tmp_path: Path, owner: User, org: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    path = tmp_path / "records.csv"
    path.write_text(CSV, encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        first = import_rows(parse_file(path), actor=actor_for(owner))
    assert first.counts() == {"created": 1, "error": 2}
    assert [(r.row, r.outcome, [e["field"] for e in r.errors]) for r in first.rows] == [
        (1, "created", []),
        (2, "error", ["hs_codes.0"]),
        (3, "error", ["countries.0"]),
    ]
    second = import_rows(parse_file(path), actor=actor_for(owner))
    assert second.counts() == {"unchanged": 1, "error": 2}
    record = Record.objects.get()
    assert (record.external_id, record.version, record.title) == (
        "vn-1",
        1,
        {"vi": "Quy định về cà phê"},
    )
    assert SearchDocument.objects.filter(object_id=record.pk).count() == 1


def test_json_import_updates_a_changed_row(tmp_path: Path, owner: User, org: Organisation) -> None:
    path = tmp_path / "records.json"
    rows = [{"external_id": "a", "kind": "notice", "title": {"en": "First"}, "audience": "public"}]
    path.write_text(json.dumps(rows))
    import_rows(parse_file(path), actor=actor_for(owner))
    rows[0]["title"] = {"en": "Second"}
    path.write_text(json.dumps(rows))
    report = import_rows(parse_file(path), actor=actor_for(owner))
    assert report.counts() == {"updated": 1}
    assert Record.objects.get().version == 2


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.json", "{not json", "The JSON is not valid"),
        ("x.json", "{}", "must be a list"),
        ("x.txt", "a", ".csv or .json"),
    ],
)
def test_bad_files_are_clear_cli_errors(
    tmp_path: Path, owner: User, org: Organisation, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command("records", "import", str(path), "--user", owner.username, "--org", org.slug)
    assert Record.objects.count() == 0


def test_rebuild_restores_a_lost_index(tmp_path: Path, owner: User, org: Organisation) -> None:
    path = tmp_path / "records.csv"
    path.write_text(CSV, encoding="utf-8")
    import_rows(parse_file(path), actor=actor_for(owner))
    call_command("search", "rebuild")  # indexed (commit hooks do not run inside a test transaction)
    assert SearchDocument.objects.count() == 1
    # Lost around the search services: on SQLite the full-text rows and statistics are left behind.
    SearchDocument.objects.all().delete()
    call_command("search", "rebuild")
    assert list(SearchDocument.objects.values_list("object_id", flat=True)) == [
        Record.objects.get().pk
    ]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            assert fts.consistent(cursor)
            # every indexed row carries its source marker: one row, the live document's
            cursor.execute(
                "SELECT rowid FROM search_fts WHERE search_fts MATCH %s", ['"#src_sharing_record"']
            )
            assert [row[0] for row in cursor.fetchall()] == [SearchDocument.objects.get().pk]


def test_import_through_the_api_runs_as_a_job(
    api: Any,
    owner: User,
    org: Organisation,
    settings: Any,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from harbor.core.jobs import run_job

    settings.DATA_DIR = tmp_path
    client = api(owner)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            "/api/v1/records/import", {"file": SimpleUploadedFile("r.csv", CSV.encode())}
        )
    assert response.status_code == 202, response.content
    job = run_job(response.json()["job_id"])
    assert (job.status, job.progress, job.total) == ("succeeded", 3, 3)
    assert job.result["counts"] == {"created": 1, "error": 2}
    assert [row["row"] for row in job.result["rows"]] == [2, 3]
    shown = client.get(response.json()["url"]).json()
    assert shown["status"] == "succeeded"
    refused = api(owner).post(
        "/api/v1/records/import", {"file": SimpleUploadedFile("r.exe", b"MZ")}
    )
    assert refused.status_code == 422


def test_dcat_catalogue_in_turtle(
    api: Any, owner: User, org: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    from harbor.sharing import services

    with django_capture_on_commit_callbacks(execute=True):
        record = services.create_record(
            actor=actor_for(owner),
            data={"kind": "dataset", "title": {"en": "Tariff lines"}, "audience": "public"},
            publish=True,
        )
    turtle = api(None).get("/api/v1/catalog.ttl")
    assert turtle.status_code == 200
    text = turtle.content.decode()
    assert f"/records/{record.pk}/" in text
    assert "dcat:Dataset" in text
    assert "access-right/PUBLIC" in text
