"""Permission rules of the language services.

The glossary is edited by platform staff and by administrators (or owners) acting for a verified
organisation. Any signed-in member of a verified organisation, and platform staff, may add human-approved
translations to the translation memory.
"""

from __future__ import annotations

from typing import Any

from harbor.core.actors import Actor, Role
from harbor.core.permissions import rule

EDIT_GLOSSARY = "language.edit_glossary"
REMEMBER_TRANSLATION = "language.remember_translation"


@rule(EDIT_GLOSSARY)
def _edit_glossary(actor: Actor, obj: Any) -> bool:
    return actor.is_staff or (actor.organisation_verified and actor.has_role(Role.ADMIN))


@rule(REMEMBER_TRANSLATION)
def _remember_translation(actor: Actor, obj: Any) -> bool:
    return actor.is_staff or (actor.organisation_id is not None and actor.organisation_verified)
