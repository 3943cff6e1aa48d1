"""Who is acting: a user, for one organisation at a time, through a session or a scoped API token."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    """Roles a member holds in an organisation, from least to most powerful."""

    VIEWER = "viewer"
    EDITOR = "editor"
    ADMIN = "admin"
    OWNER = "owner"


ROLE_RANK = {Role.VIEWER: 1, Role.EDITOR: 2, Role.ADMIN: 3, Role.OWNER: 4}


class Scope(StrEnum):
    """What an API token may do: read, or read and write."""

    READ = "read"
    WRITE = "write"


@dataclass(frozen=True)
class Actor:
    """The caller of a selector or service; anonymous callers have no user and no organisation."""

    user_id: int | None = None
    username: str = ""
    organisation_id: int | None = None
    organisation_country: str | None = None
    organisation_verified: bool = False
    role: Role | None = None
    is_staff: bool = False
    scopes: frozenset[Scope] = field(default_factory=lambda: frozenset(Scope))
    token_id: int | None = None
    memberships: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def anonymous(cls) -> Actor:
        return cls(scopes=frozenset({Scope.READ}))

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        """The platform itself (demo loader, migrations, tasks started by the operator)."""
        return cls(username=label, is_staff=True)

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def is_system(self) -> bool:
        return self.user_id is None and self.is_staff

    def has_scope(self, scope: Scope) -> bool:
        return scope in self.scopes

    def has_role(self, minimum: Role, organisation_id: int | None = None) -> bool:
        """True when acting for ``organisation_id`` (default: the acting one) with at least ``minimum``."""
        if self.role is None or self.organisation_id is None:
            return False
        if organisation_id is not None and organisation_id != self.organisation_id:
            return False
        return ROLE_RANK[self.role] >= ROLE_RANK[minimum]

    @property
    def label(self) -> str:
        return self.username or ("system" if self.is_system else "anonymous")
