"""Errors of the exchange-rate app: a rate that does not exist, or none recent enough."""

from __future__ import annotations

from enum import StrEnum

from django.utils.functional import Promise

from harbor.core.errors import HarborError


class FxErrorCode(StrEnum):
    NO_RATE = "fx_no_rate"
    STALE_RATE = "fx_stale_rate"


class FxError(HarborError):
    """No usable rate: nothing was ever observed (``fx_no_rate``) or nothing recent enough (``fx_stale_rate``).

    Both are "not found" to a caller (404): the currencies are valid, the rate is missing.
    """

    def __init__(self, code: FxErrorCode, detail: str | Promise) -> None:
        super().__init__(code, detail, status=404)
