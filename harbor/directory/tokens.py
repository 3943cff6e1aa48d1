"""API token strings: ``hbr_<prefix>_<secret>``; only the prefix and a SHA-256 of the secret are stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

TOKEN_PREFIX = "hbr"


@dataclass(frozen=True)
class TokenParts:
    prefix: str
    secret: str

    @property
    def raw(self) -> str:
        return f"{TOKEN_PREFIX}_{self.prefix}_{self.secret}"


def new_token() -> TokenParts:
    return TokenParts(prefix=secrets.token_hex(4), secret=secrets.token_urlsafe(32))


def hash_secret(secret: str) -> str:
    """A fast hash is enough: the secret has 256 bits of entropy, so it cannot be guessed offline."""
    return hashlib.sha256(secret.encode()).hexdigest()


def split_token(raw: str) -> TokenParts | None:
    parts = raw.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]:
        return None
    return TokenParts(prefix=parts[1], secret=parts[2])


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), stored_hash)
