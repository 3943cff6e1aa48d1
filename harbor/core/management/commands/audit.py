"""``harbor audit verify``: prove the audit chain is intact, or name the first bad entry."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from harbor.core.audit import verify_chain
from harbor.core.models import AuditEntry


class Command(BaseCommand):
    help = "Work with the tamper-evident audit chain."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "verify",
            help="recompute every hash; exit 1 at the first altered, removed or forged entry",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        total = AuditEntry.objects.count()
        with tqdm(total=total, desc="verifying", unit="entries", disable=total < 1000) as bar:
            report = verify_chain(progress=bar)
        if report.problem is not None:
            problem = report.problem
            raise CommandError(
                f"audit chain broken at entry seq={problem.seq}"
                + (f" (id {problem.entry_id})" if problem.entry_id else "")
                + f": {problem.reason}; {report.checked} entries before it are intact"
            )
        self.stdout.write(
            self.style.SUCCESS(f"audit chain intact: {report.checked} entries verified")
        )
