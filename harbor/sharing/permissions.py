"""Permission rules of the sharing hub: editors and above of the owning organisation write its records."""

from __future__ import annotations

from typing import Any

from harbor.core.actors import Actor, Role, Scope
from harbor.core.permissions import rule

PUBLISH_RECORD = "sharing.publish_record"
EDIT_RECORD = "sharing.edit_record"
MANAGE_SUBSCRIPTIONS = "sharing.manage_subscriptions"


@rule(PUBLISH_RECORD)
def _publish_record(actor: Actor, obj: Any) -> bool:
    return actor.has_role(Role.EDITOR)


@rule(EDIT_RECORD)
def _edit_record(actor: Actor, record: Any) -> bool:
    return actor.has_role(Role.EDITOR, record.owner_id)


@rule(MANAGE_SUBSCRIPTIONS, scope=Scope.WRITE)
def _manage_subscriptions(actor: Actor, obj: Any) -> bool:
    return actor.organisation_id is not None
