"""``harbor records import FILE --user U --org O``: bulk import with a progress bar and a row report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from harbor.core.errors import HarborError
from harbor.directory.models import Organisation, User
from harbor.directory.services import build_actor
from harbor.sharing.importer import import_rows, parse_file


class Command(BaseCommand):
    help = "Work with shared records."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        importing = sub.add_parser("import", help="import records from a .csv or .json file")
        importing.add_argument("file", type=Path)
        importing.add_argument("--user", required=True)
        importing.add_argument(
            "--org", required=True, help="organisation slug the records belong to"
        )
        importing.add_argument("--report", type=Path, help="write the row report as JSON here")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        user = User.objects.filter(username=options["user"]).first()
        organisation = Organisation.objects.filter(slug=options["org"]).first()
        if user is None or organisation is None:
            raise CommandError("unknown --user or --org")
        actor = build_actor(user, organisation=organisation)
        if actor.organisation_id != organisation.pk:
            raise CommandError(f"{user.username} is not a member of {organisation.slug}")
        try:
            rows = parse_file(path)
        except HarborError as error:
            raise CommandError(str(error.detail)) from None
        with tqdm(total=len(rows), desc="importing", unit="rows") as bar:
            report = import_rows(rows, actor=actor, progress=bar.update)
        for row in report.rows:
            if row.outcome == "error":
                problems = "; ".join(f"{e['field']}: {e['message']}" for e in row.errors)
                self.stderr.write(f"row {row.row} ({row.external_id or 'no id'}): {problems}")
        if options["report"]:
            options["report"].write_text(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        counts = report.counts()
        self.stdout.write(", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())))
        if counts.get("error"):
            raise CommandError(f"{counts['error']} rows were not imported")
