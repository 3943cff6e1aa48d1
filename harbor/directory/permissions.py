"""Permission rules of the directory.

Members see their organisation's people; administrators (acting for the organisation) manage them; only
owners grant or take away ownership; platform staff verify organisations.
"""

from __future__ import annotations

from typing import Any

from harbor.core.actors import Actor, Role, Scope
from harbor.core.permissions import rule

CREATE_ORGANISATION = "directory.create_organisation"
UPDATE_ORGANISATION = "directory.update_organisation"
VERIFY_ORGANISATION = "directory.verify_organisation"
VIEW_MEMBERS = "directory.view_members"
MANAGE_MEMBERS = "directory.manage_members"
GRANT_OWNERSHIP = "directory.grant_ownership"
LEAVE_ORGANISATION = "directory.leave_organisation"
ACCEPT_INVITATION = "directory.accept_invitation"
MANAGE_OWN_TOKENS = "directory.manage_own_tokens"
VIEW_JOBS = "core.view_jobs"
START_JOB = "core.start_job"


def _org_id(obj: Any) -> int | None:
    return getattr(obj, "organisation_id", None) or getattr(obj, "pk", None)


@rule(CREATE_ORGANISATION)
def _create_organisation(actor: Actor, obj: Any) -> bool:
    return actor.is_authenticated


@rule(UPDATE_ORGANISATION)
def _update_organisation(actor: Actor, organisation: Any) -> bool:
    return actor.is_staff or actor.has_role(Role.ADMIN, organisation.pk)


@rule(VERIFY_ORGANISATION)
def _verify_organisation(actor: Actor, organisation: Any) -> bool:
    return actor.is_staff


@rule(VIEW_MEMBERS, scope=Scope.READ)
def _view_members(actor: Actor, organisation: Any) -> bool:
    return actor.is_staff or organisation.pk in actor.memberships


@rule(MANAGE_MEMBERS)
def _manage_members(actor: Actor, obj: Any) -> bool:
    return actor.is_staff or actor.has_role(Role.ADMIN, _org_id(obj))


@rule(GRANT_OWNERSHIP)
def _grant_ownership(actor: Actor, obj: Any) -> bool:
    return actor.is_staff or actor.has_role(Role.OWNER, _org_id(obj))


@rule(LEAVE_ORGANISATION)
def _leave_organisation(actor: Actor, membership: Any) -> bool:
    return membership.user_id == actor.user_id


@rule(ACCEPT_INVITATION)
def _accept_invitation(actor: Actor, obj: Any) -> bool:
    return True


@rule(MANAGE_OWN_TOKENS)
def _manage_own_tokens(actor: Actor, token: Any) -> bool:
    return token is None or token.user_id == actor.user_id


@rule(VIEW_JOBS, scope=Scope.READ)
def _view_jobs(actor: Actor, obj: Any) -> bool:
    return True


@rule(START_JOB)
def _start_job(actor: Actor, obj: Any) -> bool:
    return actor.is_staff
