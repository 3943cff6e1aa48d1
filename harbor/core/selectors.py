"""Reads of core tables, restricted by actor."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from harbor.core.actors import Actor
from harbor.core.errors import NotFound
from harbor.core.models import Job


def list_jobs_for(actor: Actor) -> QuerySet[Job]:
    """Staff see every job; members see jobs they started or that ran for their acting organisation."""
    if actor.is_staff:
        return Job.objects.all()
    if not actor.is_authenticated:
        return Job.objects.none()
    condition = Q(created_by_id=actor.user_id)
    if actor.organisation_id is not None:
        condition |= Q(organisation_id=actor.organisation_id)
    return Job.objects.filter(condition)


def get_job_for(actor: Actor, job_id: int) -> Job:
    job = list_jobs_for(actor).filter(pk=job_id).first()
    if job is None:
        raise NotFound(_("No such job."))
    return job
