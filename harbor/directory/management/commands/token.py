"""``harbor token create|list|revoke``: API tokens for scripts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from harbor.core.errors import HarborError
from harbor.directory import services
from harbor.directory.management.commands.createuser import describe
from harbor.directory.models import ApiToken, Organisation, User


def parse_expiry(value: str) -> datetime:
    """``30d``, ``12h`` or an ISO 8601 date-time with a zone."""
    unusable = CommandError(f"--expires {value!r}: use 30d, 12h or an ISO 8601 date-time")
    try:
        if value[:-1].isdigit() and value[-1] in "dh":
            amount = int(value[:-1])
            return timezone.now() + (
                timedelta(days=amount) if value[-1] == "d" else timedelta(hours=amount)
            )
        parsed = parse_datetime(value)
    except (ValueError, OverflowError):
        raise unusable from None
    if parsed is None:
        raise unusable
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


class Command(BaseCommand):
    help = "Create, list or revoke API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="print a new bearer token (shown once)")
        create.add_argument("--user", required=True)
        create.add_argument("--org", required=True, help="organisation slug the token acts for")
        create.add_argument(
            "--scope", action="append", choices=["read", "write"], help="repeat for several"
        )
        create.add_argument("--expires", default="90d", help="30d, 12h or an ISO 8601 date-time")
        create.add_argument("--name", default="cli")
        listing = sub.add_parser("list", help="list a user's tokens")
        listing.add_argument("--user", required=True)
        revoke = sub.add_parser("revoke", help="revoke a token by its prefix")
        revoke.add_argument("prefix")

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
        return user

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            user = self._user(options["user"])
            organisation = Organisation.objects.filter(slug=options["org"]).first()
            if organisation is None:
                raise CommandError(f"no organisation with slug {options['org']!r}")
            actor = services.build_actor(user, organisation=organisation)
            if actor.organisation_id != organisation.pk:
                raise CommandError(f"{user.username} is not a member of {organisation.slug}")
            try:
                _token, raw = services.create_api_token(
                    actor=actor,
                    name=options["name"],
                    organisation=organisation,
                    scopes=options["scope"] or ["read"],
                    expires_at=parse_expiry(options["expires"]),
                )
            except HarborError as error:
                raise CommandError(describe(error)) from None
            self.stdout.write(raw)
        elif action == "list":
            for token in ApiToken.objects.filter(user=self._user(options["user"])).select_related(
                "organisation"
            ):
                state = "active" if token.is_active else "inactive"
                self.stdout.write(
                    f"{token.prefix}\t{token.name}\t{token.organisation.slug}\t{','.join(token.scopes)}\t"
                    f"expires {token.expires_at:%Y-%m-%d}\t{state}"
                )
        else:
            found = ApiToken.objects.filter(prefix=options["prefix"]).select_related("user").first()
            if found is None:
                raise CommandError(f"no token with prefix {options['prefix']!r}")
            services.revoke_api_token(found, actor=services.build_actor(found.user))
            self.stdout.write(f"token {found.prefix} revoked")
