"""Pages of the directory."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    return render(request, "directory/accept_invitation.html", {"token": token})
