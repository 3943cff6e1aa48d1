"""Writes of the exchange-rate app: rates entered by platform operators.

Published rates arrive through ``harbor.fx.importers``; the currencies no bundled source publishes (the
Vietnamese dong, Cambodian riel, Lao kip and Myanmar kyat) get their rates from operators, who copy them from
the central bank that publishes them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from harbor.core.actors import Actor
from harbor.core.audit import record_audit
from harbor.core.errors import FieldError, ValidationFailed
from harbor.core.permissions import require
from harbor.fx import permissions as perms
from harbor.fx.catalogue import OPERATOR, PEGS
from harbor.fx.importers import ensure_sources
from harbor.fx.models import ExchangeRate, rate_fits
from harbor.fx.selectors import decimal_text, forget_cached_rates, get_currencies

MAX_NOTE_LENGTH = 2000


def _as_rate(value: Decimal | str | int) -> Decimal | None:
    if isinstance(value, bool | float):
        return None
    try:
        rate = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return rate if rate_fits(rate) else None


def _validate(
    *, base: str, quote: str, on: date, rate: Decimal | str | int, note: str
) -> tuple[str, str, Decimal]:
    """Every field checked at once; each error names its field."""
    errors: list[FieldError] = []
    codes = ("", "")
    try:
        base_currency, quote_currency = get_currencies(base, quote)
        codes = (base_currency.code, quote_currency.code)
    except ValidationFailed as failed:
        errors.extend(failed.errors)
    if codes[0] and codes[0] == codes[1]:
        errors.append(FieldError("quote", _("Choose a currency other than the base currency.")))
    for name, code in zip(("base", "quote"), codes, strict=True):
        if code in PEGS:
            errors.append(
                FieldError(
                    name,
                    _("%(code)s is fixed at par with %(anchor)s; its rates follow from the peg.")
                    % {"code": code, "anchor": PEGS[code].anchor},
                )
            )
    parsed = _as_rate(rate)
    if parsed is None:
        errors.append(
            FieldError(
                "rate",
                _("Give a positive rate with at most 12 digits before and 12 after the point."),
            )
        )
    if on > timezone.localdate():
        errors.append(FieldError("date", _("A rate cannot be entered for a future day.")))
    if len(note) > MAX_NOTE_LENGTH:
        errors.append(
            FieldError(
                "note",
                _("Keep the note under %(limit)s characters.") % {"limit": MAX_NOTE_LENGTH},
            )
        )
    if errors:
        raise ValidationFailed(
            _("Some fields are invalid: %(fields)s.")
            % {"fields": ", ".join(dict.fromkeys(error.field for error in errors))},
            errors,
        )
    assert parsed is not None
    return codes[0], codes[1], parsed


@transaction.atomic
def enter_operator_rate(
    *, actor: Actor, base: str, quote: str, on: date, rate: Decimal | str | int, note: str = ""
) -> ExchangeRate:
    """Record that one ``base`` was worth ``rate`` ``quote`` on ``on``; only platform staff may.

    Entering the same pair and day again corrects the rate (and is audited as a correction); entering it
    unchanged writes nothing. Operator rates answer after ECB and H.10 rates, and for 45 days. The note should
    say where the rate comes from. A pegged currency (the Brunei dollar) cannot be entered: the peg decides.
    """
    require(actor, perms.ENTER_RATE)
    note = note.strip()
    base_code, quote_code, value = _validate(base=base, quote=quote, on=on, rate=rate, note=note)
    source = ensure_sources(actor=actor)[OPERATOR]
    existing = (
        ExchangeRate.objects.select_for_update()
        .filter(source=source, base_id=base_code, quote_id=quote_code, date=on)
        .first()
    )
    if existing is None:
        created = ExchangeRate(
            source=source,
            base_id=base_code,
            quote_id=quote_code,
            date=on,
            rate=value,
            note=note,
            entered_by_id=actor.user_id,
        )
        created.save(force_insert=True)
        record_audit(actor, "fx.operator_rate.entered", created, rate=decimal_text(value))
        transaction.on_commit(forget_cached_rates)
        return created
    if existing.rate == value and existing.note == note:
        return existing
    previous = existing.rate
    existing.rate = value
    existing.note = note
    existing.entered_by_id = actor.user_id
    existing.save(update_fields=["rate", "note", "entered_by"])
    record_audit(
        actor,
        "fx.operator_rate.corrected",
        existing,
        rate=decimal_text(value),
        previous=decimal_text(previous),
    )
    transaction.on_commit(forget_cached_rates)
    return existing
