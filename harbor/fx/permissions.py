"""Permission rules of the exchange-rate app: anyone reads rates; platform staff write them."""

from __future__ import annotations

from typing import Any

from harbor.core.actors import Actor
from harbor.core.permissions import rule

ENTER_RATE = "fx.enter_rate"
IMPORT_RATES = "fx.import_rates"


@rule(ENTER_RATE)
def _enter_rate(actor: Actor, obj: Any) -> bool:
    """Operator rates are platform data, not an organisation's: only platform staff enter them."""
    return actor.is_staff


@rule(IMPORT_RATES)
def _import_rates(actor: Actor, obj: Any) -> bool:
    return actor.is_staff
