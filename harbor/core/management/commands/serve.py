"""``harbor serve``: the production server (granian) with static files served by WhiteNoise."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve the platform with granian (WSGI by default; --interface asgi for ASGI)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HARBOR_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("HARBOR_PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("HARBOR_WORKERS", "1"))
        )
        parser.add_argument(
            "--threads", type=int, default=int(os.environ.get("HARBOR_THREADS", "8"))
        )
        parser.add_argument("--interface", choices=["wsgi", "asgi"], default="wsgi")
        parser.add_argument("--no-collectstatic", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        from granian.constants import Interfaces
        from granian.server import Server

        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        interface = Interfaces.WSGI if options["interface"] == "wsgi" else Interfaces.ASGI
        target = (
            "harbor.config.wsgi:application"
            if interface == Interfaces.WSGI
            else "harbor.config.asgi:application"
        )
        self.stdout.write(
            f"Information Harbor on http://{options['host']}:{options['port']}/ ({settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]})"
        )
        server = Server(
            target,
            address=options["host"],
            port=options["port"],
            interface=interface,
            workers=options["workers"],
            blocking_threads=options["threads"] if interface == Interfaces.WSGI else 1,
            log_access=False,
        )
        server.serve()
