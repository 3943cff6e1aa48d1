"""Permission rules: each app registers named rules; services call ``require`` before they write.

A rule is a predicate over the actor and, optionally, the object. Every rule also names the token scope it
needs, so a read-only token can never write even when the member's role would allow it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from harbor.core.actors import Actor, Scope
from harbor.core.errors import ErrorCode, Forbidden, HarborError

Predicate = Callable[[Actor, Any], bool]


@dataclass(frozen=True)
class Rule:
    name: str
    scope: Scope
    predicate: Predicate
    needs_login: bool


_RULES: dict[str, Rule] = {}


def rule(
    name: str, *, scope: Scope = Scope.WRITE, needs_login: bool = True
) -> Callable[[Predicate], Predicate]:
    """Register ``predicate`` as the rule called ``name``."""

    def register(predicate: Predicate) -> Predicate:
        _RULES[name] = Rule(name, scope, predicate, needs_login)
        return predicate

    return register


def allowed(actor: Actor, name: str, obj: Any = None) -> bool:
    """Whether ``actor`` passes rule ``name`` for ``obj``; system actors pass every rule."""
    if actor.is_system:
        return True
    checked = _RULES[name]
    if checked.needs_login and not actor.is_authenticated:
        return False
    if not actor.has_scope(checked.scope):
        return False
    return checked.predicate(actor, obj)


def require(actor: Actor, name: str, obj: Any = None) -> None:
    """Raise unless ``actor`` passes rule ``name``: 401 when not signed in, 403 otherwise."""
    if allowed(actor, name, obj):
        return
    checked = _RULES[name]
    if checked.needs_login and not actor.is_authenticated:
        raise HarborError(
            ErrorCode.NOT_AUTHENTICATED, _("Sign in or send an API token to do this.")
        )
    if not actor.has_scope(checked.scope):
        raise Forbidden(_("This API token lacks the “%(scope)s” scope.") % {"scope": checked.scope})
    raise Forbidden(_("You do not have permission to do this."))


def registered_rules() -> dict[str, Rule]:
    return dict(_RULES)
