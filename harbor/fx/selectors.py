"""Reads of exchange rates: the rate between two currencies on a day, conversions, the sources. Public.

How a rate is found (``get_rate``):

1. The same currency on both sides is the identity (rate 1).
2. A pegged currency (the Brunei dollar, at par with the Singapore dollar since 1967) is replaced by its
   anchor; the peg is one leg of the answer, from the ``peg`` source, valid on every day.
3. Every stored observation of the currencies involved and of the pivots (EUR, USD) that is recent enough is
   gathered: the latest on or before the requested day from each source, no older than that source allows
   (ECB daily rates 7 days, H.10 monthly averages 45 days, operator rates 45 days).
4. The paths considered are direct (``base→quote`` as published), inverse (``quote→base`` as published,
   inverted), and cross through EUR, through USD, or through both. Among them the path wins that

   - uses the fewest different sources (the same source on every leg is preferred);
   - then whose sources rank best, worst leg first: ECB daily first, then Federal Reserve H.10 monthly, then
     operator rates (``RateSource.priority``); so a daily ECB cross beats a monthly H.10 direct rate;
   - then has the fewest legs, then the fewest inverted legs, then the freshest oldest observation.

The rate is carried as an exact fraction; conversions multiply by it and round once, half to even, at the
quote currency's minor unit. The decimal shown is rounded to 12 significant digits.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Context, Decimal
from fractions import Fraction
from itertools import permutations, product

from django.core.cache import cache
from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils.translation import gettext as _

from harbor.core.errors import FieldError, ValidationFailed
from harbor.fx.catalogue import PEG, PEGS, PIVOTS, SOURCE_BY_CODE, SourceSpec
from harbor.fx.choices import Frequency, RatePath
from harbor.fx.errors import FxError, FxErrorCode
from harbor.fx.models import ExchangeRate, RateSource
from harbor.reference.models import Currency

SHOWN_DIGITS = 12
MAX_AMOUNT_MINOR = 10**15
_CODE = re.compile(r"^[A-Z]{3}$")
_SHOWN = Context(prec=SHOWN_DIGITS, rounding=ROUND_HALF_EVEN)


def decimal_text(value: Decimal) -> str:
    """A decimal written out in full, without exponent or trailing zeros (``26300``, ``0.0000498``)."""
    return format(value.normalize(), "f")


def fraction_decimal(value: Fraction) -> Decimal:
    """``value`` rounded half to even to 12 significant digits."""
    return _SHOWN.divide(Decimal(value.numerator), Decimal(value.denominator))


def minor_text(amount_minor: int, minor_unit: int) -> str:
    """An amount in minor units written in major units: 123456 at 2 → ``1234.56``; at 0 → ``123456``."""
    return format(Decimal(amount_minor).scaleb(-minor_unit), "f")


@dataclass(frozen=True)
class Leg:
    """One step of a path: one ``base`` is worth ``exact`` ``quote``, from one observation or the peg.

    ``stored_rate`` is the value as published, in the stored direction; an inverted leg used it upside down.
    """

    base: str
    quote: str
    source: RateSource
    observed_on: date
    stored_rate: Decimal
    inverted: bool = False

    @property
    def exact(self) -> Fraction:
        stored = Fraction(self.stored_rate)
        return 1 / stored if self.inverted else stored

    @property
    def value(self) -> Decimal:
        return fraction_decimal(self.exact)

    @property
    def is_peg(self) -> bool:
        return self.source.code == PEG


@dataclass(frozen=True)
class Rate:
    """How many ``quote`` one ``base`` buys on ``requested_on``, with the path and observations behind it.

    ``observed_on`` is the oldest observation used (the peg counts as observed on the requested day).
    """

    base: str
    quote: str
    requested_on: date
    observed_on: date
    exact: Fraction
    path: RatePath
    legs: tuple[Leg, ...]

    @property
    def value(self) -> Decimal:
        return fraction_decimal(self.exact)

    @property
    def via(self) -> list[str]:
        """The currencies passed through, in order (empty for direct and inverse rates)."""
        return [leg.quote for leg in self.legs[:-1]]

    @property
    def path_label(self) -> str:
        """``direct``, ``inverse``, ``same currency`` or ``cross via EUR`` (translated)."""
        if self.path == RatePath.CROSS:
            return _("cross via %(currencies)s") % {"currencies": ", ".join(self.via)}
        labels = {
            RatePath.IDENTITY: _("same currency"),
            RatePath.DIRECT: _("direct"),
            RatePath.INVERSE: _("inverse"),
        }
        return labels[self.path]

    @property
    def sources(self) -> list[RateSource]:
        """Each source used, once, in the order of the legs."""
        seen: dict[str, RateSource] = {}
        for leg in self.legs:
            seen.setdefault(leg.source.code, leg.source)
        return list(seen.values())


@dataclass(frozen=True)
class Conversion:
    """``amount_minor`` of ``base`` is ``converted_minor`` of ``quote`` at ``rate`` (minor units both)."""

    amount_minor: int
    base: str
    quote: str
    base_minor_unit: int
    quote_minor_unit: int
    converted_minor: int
    rate: Rate

    @property
    def amount_text(self) -> str:
        return minor_text(self.amount_minor, self.base_minor_unit)

    @property
    def converted_text(self) -> str:
        return minor_text(self.converted_minor, self.quote_minor_unit)


def _spec_source(spec: SourceSpec) -> RateSource:
    """An unsaved source built from its definition, for a rule that answers before any import ran."""
    return RateSource(
        code=spec.code,
        name=spec.name,
        url=spec.url,
        licence=spec.licence,
        attribution=spec.attribution,
        frequency=spec.frequency,
        max_age_days=spec.max_age_days,
        priority=spec.priority,
    )


def _sources() -> dict[str, RateSource]:
    sources = {source.code: source for source in RateSource.objects.all()}
    if PEG not in sources:
        sources[PEG] = _spec_source(SOURCE_BY_CODE[PEG])
    return sources


def _currencies() -> dict[str, Currency]:
    """ISO 4217 currencies (reference data, fixed once loaded), read once per cache period."""
    found: dict[str, Currency] | None = cache.get("fx:currencies")
    if not found:
        found = {currency.code: currency for currency in Currency.objects.all()}
        if found:
            cache.set("fx:currencies", found, CACHE_SECONDS)
    return found


def get_currencies(base: str, quote: str) -> tuple[Currency, Currency]:
    """Both currencies, by ISO 4217 code (any case); an unknown code fails naming ``base`` or ``quote``."""
    codes = {"base": (base or "").strip().upper(), "quote": (quote or "").strip().upper()}
    known = _currencies()
    found = {code: known[code] for code in codes.values() if code in known}
    errors = [
        FieldError(
            name,
            _("“%(code)s” is not an ISO 4217 currency code.") % {"code": code[:20]},
        )
        for name, code in codes.items()
        if code not in found
    ]
    if errors:
        raise ValidationFailed.for_fields(errors)
    return found[codes["base"]], found[codes["quote"]]


def get_rate(base: str, quote: str, *, on: date) -> Rate:
    """The rate from ``base`` to ``quote`` on ``on`` (see the module's docstring for how it is found).

    Raises ``ValidationFailed`` for an unknown currency and ``FxError`` (404) when no observation answers.
    """
    base_currency, quote_currency = get_currencies(base, quote)
    return _rate(base_currency.code, quote_currency.code, on)


# Rates are cached for CACHE_SECONDS per process (Django's cache): a quote service asks for the same pair
# and day again and again. Imports and operator entries call ``forget_cached_rates()`` after they commit,
# which clears the cache at once in the writing process; other processes follow within CACHE_SECONDS.
CACHE_SECONDS = 300
_GENERATION_KEY = "fx:generation"


def forget_cached_rates() -> None:
    """Start a new cache generation: every cached rate is worked out again on its next use."""
    try:
        cache.incr(_GENERATION_KEY)
    except ValueError:
        cache.set(_GENERATION_KEY, 1, None)


def _rate(base: str, quote: str, on: date) -> Rate:
    generation = cache.get_or_set(_GENERATION_KEY, 0, None)
    key = f"fx:rate:{generation}:{base}:{quote}:{on.isoformat()}"
    found: Rate | None = cache.get(key)
    if found is None:
        found = _work_out_rate(base, quote, on, _sources())
        cache.set(key, found, CACHE_SECONDS)
    return found


def _work_out_rate(base: str, quote: str, on: date, sources: dict[str, RateSource]) -> Rate:
    if base == quote:
        return Rate(base, quote, on, on, Fraction(1), RatePath.IDENTITY, ())
    first, inner_base = _unpeg(base, on, sources)
    last, inner_quote = _unpeg(quote, on, sources)
    last = None if last is None else _inverse(last)
    inner: list[Leg] = []
    if inner_base != inner_quote:
        inner = _best_path(inner_base, inner_quote, on, sources)
    legs = tuple(leg for leg in (first, *inner, last) if leg is not None)
    exact = Fraction(1)
    for leg in legs:
        exact *= leg.exact
    observed = [leg.observed_on for leg in legs if not leg.is_peg]
    if len(legs) > 1:
        path = RatePath.CROSS
    else:
        path = RatePath.INVERSE if legs[0].inverted else RatePath.DIRECT
    return Rate(base, quote, on, min(observed, default=on), exact, path, legs)


def _unpeg(code: str, on: date, sources: dict[str, RateSource]) -> tuple[Leg | None, str]:
    """For a pegged currency, the peg leg to its anchor and the anchor; else no leg and the currency."""
    peg = PEGS.get(code)
    if peg is None or on < peg.since:
        return None, code
    return Leg(code, peg.anchor, sources[PEG], on, peg.rate), peg.anchor


def _inverse(leg: Leg) -> Leg:
    return Leg(leg.quote, leg.base, leg.source, leg.observed_on, leg.stored_rate, not leg.inverted)


def _routes(base: str, quote: str) -> Iterator[tuple[str, ...]]:
    """Direct, then through one pivot, then through both pivots."""
    yield (base, quote)
    for pivot in PIVOTS:
        if pivot not in (base, quote):
            yield (base, pivot, quote)
    for first, second in permutations(PIVOTS, 2):
        if {first, second}.isdisjoint({base, quote}):
            yield (base, first, second, quote)


def _hops(
    codes: set[str], on: date, sources: dict[str, RateSource]
) -> dict[tuple[str, str], list[Leg]]:
    """Each usable step between ``codes``: the latest observation per source and pair, both ways."""
    ages = [s.max_age_days for s in sources.values() if s.frequency != Frequency.RULE]
    oldest = on - timedelta(days=max(ages, default=0))
    rows = (
        ExchangeRate.objects.filter(
            base_id__in=codes, quote_id__in=codes, date__lte=on, date__gte=oldest
        )
        .order_by("-date")
        .values_list("source_id", "base_id", "quote_id", "date", "rate")
    )
    latest: dict[tuple[str, str, str], tuple[date, Decimal]] = {}
    for source_code, base, quote, day, rate in rows:
        source = sources.get(source_code)
        if source is None or (on - day).days > source.max_age_days:
            continue
        latest.setdefault((source_code, base, quote), (day, rate))
    hops: dict[tuple[str, str], list[Leg]] = defaultdict(list)
    for (source_code, base, quote), (day, rate) in latest.items():
        leg = Leg(base, quote, sources[source_code], day, rate)
        hops[(base, quote)].append(leg)
        hops[(quote, base)].append(_inverse(leg))
    return hops


def _preference(legs: tuple[Leg, ...]) -> tuple[int, tuple[int, ...], int, int, int]:
    """Sort key of a path: fewest sources, best-ranked worst source, fewest legs, fewest inversions, freshest."""
    priorities = tuple(sorted((leg.source.priority for leg in legs), reverse=True))
    return (
        len({leg.source.code for leg in legs}),
        priorities,
        len(legs),
        sum(leg.inverted for leg in legs),
        -min(leg.observed_on for leg in legs).toordinal(),
    )


def _best_path(base: str, quote: str, on: date, sources: dict[str, RateSource]) -> list[Leg]:
    hops = _hops({base, quote, *PIVOTS}, on, sources)
    best: tuple[Leg, ...] | None = None
    for route in _routes(base, quote):
        steps = [hops.get((route[i], route[i + 1]), []) for i in range(len(route) - 1)]
        for legs in product(*steps):
            if best is None or _preference(legs) < _preference(best):
                best = legs
    if best is None:
        raise _missing(base, quote, on, hops)
    return list(best)


def _missing(base: str, quote: str, on: date, hops: dict[tuple[str, str], list[Leg]]) -> FxError:
    """The clearest reason there is no rate: a currency never observed, else its newest stale observation."""
    codes = {base, quote, *PIVOTS}
    for code in (base, quote):
        if any(code in pair for pair in hops):
            continue
        newest = (
            ExchangeRate.objects.filter(
                Q(base_id=code, quote_id__in=codes) | Q(quote_id=code, base_id__in=codes),
                date__lte=on,
            )
            .select_related("source")
            .order_by("-date", "source__priority")
            .first()
        )
        if newest is None:
            return FxError(
                FxErrorCode.NO_RATE,
                _("No rate for %(currency)s on or before %(date)s: enter an operator rate.")
                % {"currency": code, "date": on.isoformat()},
            )
        return FxError(
            FxErrorCode.STALE_RATE,
            _(
                "No recent rate for %(currency)s on %(date)s: the latest is of %(observed)s "
                "(%(source)s), older than the %(days)s days allowed."
            )
            % {
                "currency": code,
                "date": on.isoformat(),
                "observed": newest.date.isoformat(),
                "source": newest.source.name,
                "days": newest.source.max_age_days,
            },
        )
    return FxError(
        FxErrorCode.NO_RATE,
        _("No rate from %(base)s to %(quote)s on %(date)s: the recent rates do not connect them.")
        % {"base": base, "quote": quote, "date": on.isoformat()},
    )


def convert(amount_minor: int, base: str, quote: str, *, on: date) -> Conversion:
    """``amount_minor`` of ``base`` in ``quote`` on ``on``, rounded half to even at the quote's minor unit.

    Minor units are ISO 4217's (two for most, none for the dong): 1 000 000 VND is ``1000000``, 10.50 USD is
    ``1050``. The amount is limited to 10^15 minor units.
    """
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int):
        raise ValidationFailed.for_field(
            "amount", _("Give the amount as a whole number of minor units.")
        )
    if abs(amount_minor) > MAX_AMOUNT_MINOR:
        raise ValidationFailed.for_field(
            "amount",
            _("The amount may be at most %(limit)s minor units.") % {"limit": MAX_AMOUNT_MINOR},
        )
    base_currency, quote_currency = get_currencies(base, quote)
    rate = _rate(base_currency.code, quote_currency.code, on)
    scale = Fraction(10) ** (quote_currency.minor_unit - base_currency.minor_unit)
    converted = round(amount_minor * rate.exact * scale)
    return Conversion(
        amount_minor=amount_minor,
        base=base_currency.code,
        quote=quote_currency.code,
        base_minor_unit=base_currency.minor_unit,
        quote_minor_unit=quote_currency.minor_unit,
        converted_minor=converted,
        rate=rate,
    )


def list_sources() -> QuerySet[RateSource]:
    """Every source with how many rates it holds and the span of their dates."""
    return RateSource.objects.annotate(
        rate_count=Count("rates"), first_date=Min("rates__date"), latest_date=Max("rates__date")
    ).order_by("priority", "code")
