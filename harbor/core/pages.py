"""Pages of the core: the home page and the jobs pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from harbor.core.api import actor_of
from harbor.core.selectors import get_job_for, list_jobs_for


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {})


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = list_jobs_for(actor_of(request))[:100]
    return render(request, "core/job_list.html", {"jobs": jobs})


@login_required
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_job_for(actor_of(request), job_id)
    template = "core/partials/_job_progress.html" if request.htmx else "core/job_detail.html"  # type: ignore[attr-defined]
    return render(request, template, {"job": job})
