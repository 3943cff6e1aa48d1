"""Pages of the core: the home page, the jobs pages, and the error page every app renders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from harbor.core.api import actor_of
from harbor.core.errors import HarborError
from harbor.core.jobs import start_job
from harbor.core.permissions import allowed, require
from harbor.core.selectors import get_job_for, list_jobs_for

START_JOB = "core.start_job"
STARTABLE_JOBS = ("reference.load",)


def is_htmx(request: HttpRequest) -> bool:
    """An HTMX request that wants a fragment (not a history restore, which needs the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def render_error(
    request: HttpRequest,
    error: HarborError | None = None,
    *,
    status: int = 400,
    detail: str | Promise = "",
) -> HttpResponse:
    """The friendly error page for a domain error (its status and translated detail), or a fragment for HTMX."""
    if error is not None:
        status, detail = error.http_status, error.detail
    template = "errors/_error.html" if is_htmx(request) else "errors/error.html"
    return render(request, template, {"status": status, "detail": detail}, status=status)


@dataclass(frozen=True)
class Feature:
    """Something a platform already offers, with where to find it."""

    label: str | Promise
    url: str


@dataclass(frozen=True)
class Platform:
    """One of the five platforms of the harbor and what exists of it today."""

    key: str
    name: str | Promise
    description: str | Promise
    available: list[Feature] = field(default_factory=list)

    @property
    def status(self) -> str:
        return "partial" if self.available else "coming"


def platforms() -> list[Platform]:
    """The five platforms of the report, each with what the harbor already offers of it."""
    return [
        Platform(
            "sharing",
            gettext_lazy("Information sharing"),
            gettext_lazy(
                "Publish and subscribe to trade notices, regulations, opportunities, datasets and "
                "advisories, with sharing rules that respect each country's data sovereignty."
            ),
            [
                Feature(
                    gettext_lazy("Shared records: publish, read and follow their versions"),
                    reverse("sharing:record_list"),
                ),
                Feature(
                    gettext_lazy("Search in every language, with subscriptions and an inbox"),
                    reverse("sharing:search"),
                ),
            ],
        ),
        Platform(
            "trade",
            gettext_lazy("Trade services"),
            gettext_lazy(
                "Translation, policy and tariff interpretation, exchange rates, credit information, "
                "payment, logistics tracking and online dispute settlement for cross-border trade."
            ),
            [
                Feature(
                    gettext_lazy(
                        "HS codes, tariffs and rules of origin, with an origin calculator"
                    ),
                    reverse("trade:home"),
                ),
                Feature(
                    gettext_lazy("Landed cost under each agreement, with dated exchange rates"),
                    reverse("trade:landed_cost"),
                ),
                Feature(gettext_lazy("Form E pre-check"), reverse("trade:form_e")),
                Feature(
                    gettext_lazy("Trade and ICT glossary in twelve languages"),
                    reverse("language:glossary"),
                ),
                Feature(
                    gettext_lazy("Reference data: member states, currencies and languages"),
                    "/api/v1/reference/countries?members_only=true",
                ),
            ],
        ),
        Platform(
            "infrastructure",
            gettext_lazy("Infrastructure"),
            gettext_lazy(
                "An atlas of the regional information highway: cables, landing points, cross-border "
                "links and data centres, with routes, latency and resilience."
            ),
        ),
        Platform(
            "cooperation",
            gettext_lazy("Technical cooperation"),
            gettext_lazy(
                "Partner and technology-transfer matchmaking, a library of smart-city solutions and "
                "capacity-building programmes."
            ),
            [
                Feature(
                    gettext_lazy("Directory of verified organisations"),
                    reverse("directory:organisation_list"),
                )
            ],
        ),
        Platform(
            "culture",
            gettext_lazy("Cultural exchanges"),
            gettext_lazy(
                "A multilingual exchange of digital content and public-service information: health, "
                "education, tourism, employment and disaster alerts."
            ),
        ),
    ]


def home(request: HttpRequest) -> HttpResponse:
    """The five platforms of the harbor, what exists of each today, and who is in the directory."""
    return render(request, "core/home.html", {"platforms": platforms()})


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    """Jobs the reader may watch; staff may start the jobs offered here."""
    actor = actor_of(request)
    jobs = list_jobs_for(actor)[:100]
    return render(
        request,
        "core/job_list.html",
        {
            "jobs": jobs,
            "can_start": allowed(actor, START_JOB),
            "startable": STARTABLE_JOBS,
        },
    )


@login_required
@vary_on_headers("HX-Request")
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    """One job with its progress; HTMX polls the progress fragment until the job finishes."""
    try:
        job = get_job_for(actor_of(request), job_id)
    except HarborError as error:
        return render_error(request, error)
    template = "core/partials/_job_progress.html" if is_htmx(request) else "core/job_detail.html"
    return render(request, template, {"job": job})


@login_required
@require_POST
def job_start(request: HttpRequest) -> HttpResponse:
    """Platform staff start a job of one of the kinds offered on the jobs page."""
    actor = actor_of(request)
    kind = request.POST.get("kind", "")
    try:
        require(actor, START_JOB)
        if kind not in STARTABLE_JOBS:
            return render_error(
                request, status=400, detail=_("This kind of job cannot be started here.")
            )
        job = start_job(kind, actor=actor)
    except HarborError as error:
        return render_error(request, error)
    return redirect(reverse("job_detail", args=[job.pk]))


def place_service_errors(
    form: forms.Form, error: HarborError, *, field_for: Callable[[str], str] | None = None
) -> None:
    """Put a service's field errors on the form fields they name (``field_for`` maps a service path such as
    ``hs_codes.0`` to a form field); anything that fits no field goes on the form as a whole, once."""

    def add(name: str | None, message: str) -> None:
        if message not in form.errors.get(name or NON_FIELD_ERRORS, []):
            form.add_error(name, message)

    placed = False
    for field_error in error.errors:
        name = field_for(field_error.field) if field_for else field_error.field.split(".")[0]
        if name in form.fields:
            add(name, str(field_error.message))
            placed = True
    if not placed:
        add(None, str(error.detail))
