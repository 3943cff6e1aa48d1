"""Template context every page needs: the acting organisation, the locales and the platform name."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def harbor(request: HttpRequest) -> dict[str, Any]:
    return {
        "actor": getattr(request, "actor", None),
        "ui_languages": settings.LANGUAGES,
    }
