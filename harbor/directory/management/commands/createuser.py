"""``harbor createuser``: add a person, optionally as a member of an organisation."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from harbor.core.actors import Actor
from harbor.core.errors import HarborError
from harbor.directory import services
from harbor.directory.models import Organisation


def describe(error: HarborError) -> str:
    fields = "; ".join(f"{e.field}: {e.message}" for e in error.errors)
    return f"{error.detail}" + (f" ({fields})" if fields else "")


class Command(BaseCommand):
    help = "Create a user; with --org and --role, make them a member."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", help="default: asked for on the terminal")
        parser.add_argument(
            "--staff", action="store_true", help="platform staff (verifies organisations)"
        )
        parser.add_argument("--org", help="organisation slug")
        parser.add_argument(
            "--role", default="viewer", choices=["owner", "admin", "editor", "viewer"]
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"] or getpass.getpass("Password: ")
        actor = Actor.system("createuser")
        organisation = None
        if options["org"]:
            organisation = Organisation.objects.filter(slug=options["org"]).first()
            if organisation is None:
                raise CommandError(f"no organisation with slug {options['org']!r}")
        try:
            user = services.create_user(
                username=options["username"],
                email=options["email"],
                password=password,
                is_staff=options["staff"],
                actor=actor,
            )
            if organisation is not None:
                services.add_member(organisation, actor=actor, user=user, role=options["role"])
        except HarborError as error:
            raise CommandError(describe(error)) from None
        self.stdout.write(self.style.SUCCESS(f"user {user.username} created"))
