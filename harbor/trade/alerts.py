"""Change alerts: a changed tariff line, product-specific rule or non-tariff measure is published as a
regulation record in the sharing hub, so subscriptions by HS code and country receive it.

Rules:

- A record is tagged with the HS codes concerned (the six-digit subheading of each tariff line, or the
  rule's or measure's HS prefix; reduced to headings, then chapters, when more than 50 would be listed)
  and the countries concerned: the importer, plus every party of the agreement for a preferential
  schedule or a product-specific rule.
- Batching: the changes of one imported schedule are published one record per changed line when there
  are at most ``BATCH_THRESHOLD`` (20) of them, else as one record listing every changed line. A schedule
  with no earlier schedule of the same importer and agreement is always announced as one record. Rules and
  measures of one imported file follow the same threshold.
- Only the newest schedule of an importer and agreement is announced: loading an older one fills in history.
- Each record has an external id derived from the change itself, so running an import again (or retrying
  the alerts) never publishes the same change twice.
- The owner is the organisation the acting person acts for, when they may publish there; otherwise (system
  actors, staff acting for nobody) the platform's "Information Harbor trade desk" organisation.
- Records are public, written in English and in every interface language whose translation of the
  record's title exists; sample data is labelled as sample in the title and the text, and flagged demo.
- Alerts run after the import's transaction commits; a failure is logged and never undoes the import.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from harbor.core.actors import Actor
from harbor.core.errors import ValidationFailed
from harbor.core.permissions import allowed
from harbor.directory import services as directory
from harbor.directory.choices import OrganisationKind, Verification
from harbor.directory.models import Organisation
from harbor.reference.models import Country, Currency
from harbor.sharing import permissions as sharing_perms
from harbor.sharing import services as sharing
from harbor.sharing.models import Record
from harbor.trade.choices import RateType
from harbor.trade.importers import AGREEMENT_PARTIES, MFN
from harbor.trade.models import TariffLine

logger = logging.getLogger(__name__)

BATCH_THRESHOLD = 20
MAX_HS_CODES = 50
MAX_BODY_LINES = 500
TRADE_DESK_SLUG = "information-harbor-trade-desk"
TRADE_DESK_NAME = "Information Harbor trade desk"
# The desk sits where the ASEAN Secretariat does; its records name the countries they concern, so the
# home country matters only to subscriptions filtered by Indonesia.
TRADE_DESK_COUNTRY = "ID"

ADDED = "added"
REMOVED = "removed"
CHANGED = "changed"


# --- the state of a schedule and what changed -------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """The figures of a duty, enough to compare two lines and to print them."""

    rate_type: str
    percent: str | None
    amount: int | None
    currency: str
    unit: str

    @classmethod
    def of(cls, line: TariffLine) -> Rate:
        percent = line.ad_valorem_percent
        return cls(
            rate_type=line.rate_type,
            percent=None if percent is None else _plain(Decimal(percent)),
            amount=line.specific_amount,
            currency=line.specific_currency,
            unit=line.unit,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "rate_type": self.rate_type,
            "ad_valorem_percent": self.percent,
            "specific_amount": self.amount,
            "specific_currency": self.currency,
            "unit": self.unit,
        }


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


@dataclass(frozen=True)
class LineState:
    """A code of a schedule: the rate that applies first, and the full history of its lines."""

    code: str
    hs6: str
    description: str
    rate: Rate
    history: tuple[tuple[str, str | None, Rate], ...]


def schedule_state(lines: Iterable[TariffLine], *, on: date) -> dict[str, LineState]:
    """Per code, the line in force on ``on`` (else the earliest one) and every line of the code."""
    by_code: dict[str, list[TariffLine]] = {}
    for line in lines:
        by_code.setdefault(line.code, []).append(line)
    state: dict[str, LineState] = {}
    for code, group in by_code.items():
        group.sort(key=lambda line: line.valid_from)
        current = [line for line in group if line.valid_from <= on]
        first = current[-1] if current else group[0]
        state[code] = LineState(
            code=code,
            hs6=first.hs6,
            description=first.description,
            rate=Rate.of(first),
            history=tuple(
                (
                    line.valid_from.isoformat(),
                    line.valid_to.isoformat() if line.valid_to else None,
                    Rate.of(line),
                )
                for line in group
            ),
        )
    return state


@dataclass(frozen=True)
class LineChange:
    code: str
    hs6: str
    description: str
    change: str
    old: Rate | None
    new: Rate | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "change": self.change,
            "old": self.old.as_dict() if self.old else None,
            "new": self.new.as_dict() if self.new else None,
        }


def diff_states(
    before: dict[str, LineState], after: dict[str, LineState], *, same_schedule: bool
) -> list[LineChange]:
    """Lines added, removed or charging another rate. Within one schedule any change of a code's lines
    (a staged rate, an end date) counts; between two schedules only the rate that applies first does."""
    changes: list[LineChange] = []
    for code in sorted(set(before) | set(after)):
        old, new = before.get(code), after.get(code)
        if old is None and new is not None:
            changes.append(LineChange(code, new.hs6, new.description, ADDED, None, new.rate))
        elif new is None and old is not None:
            changes.append(LineChange(code, old.hs6, old.description, REMOVED, old.rate, None))
        elif old is not None and new is not None:
            differs = old.history != new.history if same_schedule else old.rate != new.rate
            if differs:
                changes.append(
                    LineChange(code, new.hs6, new.description, CHANGED, old.rate, new.rate)
                )
    return changes


@dataclass
class ScheduleChanges:
    """What one import did to one schedule, as the alerts need it."""

    schedule_id: int
    importer: str
    agreement: str
    valid_from: date
    is_sample: bool
    legal_source: str
    source_url: str
    first: bool
    latest: bool
    lines: list[LineChange] = field(default_factory=list)


@dataclass(frozen=True)
class ItemChange:
    """A product-specific rule or a non-tariff measure that was added or changed."""

    kind: str  # "rule" or "measure"
    object_id: int
    change: str
    hs_prefix: str
    agreement: str
    importer: str
    label: str
    old: str
    new: str
    valid_from: date
    is_sample: bool
    legal_source: str
    source_url: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.object_id,
            "change": self.change,
            "hs_prefix": self.hs_prefix,
            "agreement": self.agreement,
            "importer": self.importer,
            "old": self.old,
            "new": self.new,
            "valid_from": self.valid_from.isoformat(),
        }


# --- texts -----------------------------------------------------------------------------------------------

T_LINE_CHANGED = gettext_noop(
    "Tariff change: %(country)s %(agreement)s duty on %(code)s from %(old)s to %(new)s"
)
T_LINE_ADDED = gettext_noop("New tariff line: %(country)s %(agreement)s %(code)s at %(new)s")
T_LINE_REMOVED = gettext_noop(
    "Tariff line removed: %(country)s %(agreement)s %(code)s (was %(old)s)"
)
T_SCHEDULE_NEW = gettext_noop(
    "New tariff schedule: %(country)s %(agreement)s from %(date)s (%(count)d lines)"
)
T_SCHEDULE_BATCH = gettext_noop(
    "Tariff schedule update: %(country)s %(agreement)s from %(date)s (%(count)d lines changed)"
)
T_RULE_ADDED = gettext_noop("Rule of origin: %(agreement)s %(code)s: %(rule)s")
T_RULE_CHANGED = gettext_noop(
    "Rule of origin changed: %(agreement)s %(code)s from %(old)s to %(new)s"
)
T_MEASURE_ADDED = gettext_noop(
    "Import requirement: %(country)s %(measure)s for %(code)s: %(title)s"
)
T_MEASURE_CHANGED = gettext_noop(
    "Import requirement changed: %(country)s %(measure)s for %(code)s: %(title)s"
)
T_ITEMS_BATCH = gettext_noop("%(count)d rules of origin and import requirements changed")
T_SAMPLE_TITLE = gettext_noop("Sample data: %(title)s")


def _in_languages(title: str, build: Callable[[], dict[str, str]]) -> dict[str, dict[str, str]]:
    """Title, summary and body in English and in each interface language that translates ``title``.

    ``build`` runs once per language with that language active and returns the three texts.
    """
    texts: dict[str, dict[str, str]] = {"title": {}, "summary": {}, "body": {}}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            if code != "en" and _(title) == title:
                continue
            for name, text in build().items():
                texts[name][code.lower()] = text
    return texts


def _country_name(code: str) -> str:
    country = Country.objects.filter(code=code).first()
    return country.name if country is not None else code


def format_code(code: str) -> str:
    """A tariff code as printed in schedules: ``9403.60``, ``9403.60.90``, ``9403.60.91.00``."""
    if len(code) <= 4:
        return code
    groups = [code[:4], *(code[i : i + 2] for i in range(4, len(code), 2))]
    return ".".join(groups)


def rate_text(rate: Rate | None, minor_units: dict[str, int]) -> str:
    """A rate as a trader reads it, in the active language: ``5%``, ``2.20 MYR/kg``, ``free``."""
    if rate is None:
        return "-"
    percent = f"{rate.percent}%" if rate.percent is not None else "0%"
    specific = ""
    if rate.amount is not None:
        places = minor_units.get(rate.currency, 2)
        major = Decimal(rate.amount).scaleb(-places)
        specific = f"{major:.{places}f} {rate.currency}/{rate.unit}"
    match rate.rate_type:
        case RateType.FREE:
            return _("free")
        case RateType.AD_VALOREM:
            return percent
        case RateType.SPECIFIC:
            return specific
        case RateType.COMPOUND:
            return f"{percent} + {specific}"
        case RateType.MIXED_MAX:
            return _("%(percent)s or %(specific)s, whichever is higher") % {
                "percent": percent,
                "specific": specific,
            }
    return _("excluded")


def _sample(title: str, summary: str, is_sample: bool) -> tuple[str, str]:
    if not is_sample:
        return title, summary
    note = _("Sample data for demonstration, not official figures.")
    return _(T_SAMPLE_TITLE) % {"title": title}, f"{summary} {note}"


def _source_lines(legal_source: str, source_url: str) -> list[str]:
    lines = [_("Legal source: %(source)s") % {"source": legal_source}]
    if source_url:
        lines.append(_("Where official figures are published: %(url)s") % {"url": source_url})
    return lines


# --- records ---------------------------------------------------------------------------------------------


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]


def hs_tags(codes: Iterable[str]) -> list[str]:
    """Distinct HS codes to tag a record with: subheadings, else headings, else chapters, at most 50."""
    unique = sorted({code for code in codes if code})
    for length in (6, 4, 2):
        reduced = sorted({code[:length] for code in unique})
        if len(reduced) <= MAX_HS_CODES:
            return reduced
    return reduced[:MAX_HS_CODES]


def countries_for(importer: str, agreement: str) -> list[str]:
    """The importer, and every party of the agreement for a preferential schedule."""
    countries = {importer} if importer else set()
    if agreement != MFN:
        countries |= AGREEMENT_PARTIES.get(agreement, frozenset())
    return sorted(countries)


def _record_data(
    *,
    texts: dict[str, dict[str, str]],
    topics: list[str],
    hs_codes: list[str],
    countries: list[str],
    details: dict[str, Any],
    effective: date,
    source_url: str,
) -> dict[str, Any]:
    return {
        "kind": "regulation",
        "original_language": "en",
        "title": texts["title"],
        "summary": texts["summary"],
        "body": texts["body"],
        "topics": topics,
        "hs_codes": hs_codes,
        "countries": countries,
        # The sharing hub keeps kind-specific details only for the kinds it knows; the same facts are in
        # the body, so nothing is lost when it drops them.
        "details": details,
        "links": [{"url": source_url, "label": "Source"}] if source_url else [],
        "effective_date": effective.isoformat(),
        "audience": "public",
    }


def _topics(base: str, agreement: str, is_sample: bool) -> list[str]:
    topics = [base]
    if agreement and agreement != MFN:
        topics.append(agreement.lower())
    if is_sample:
        topics.append("sample-data")
    return topics


def _schedule_records(change: ScheduleChanges) -> list[tuple[str, dict[str, Any]]]:
    """(external id, record data) for each record one schedule's changes publish."""
    minor_units = dict(Currency.objects.values_list("code", "minor_unit"))
    countries = countries_for(change.importer, change.agreement)
    topics = _topics("tariffs", change.agreement, change.is_sample)
    base_details = {
        "source": "trade",
        "agreement": change.agreement,
        "importer": change.importer,
        "schedule_id": change.schedule_id,
        "valid_from": change.valid_from.isoformat(),
        "is_sample": change.is_sample,
    }
    if change.first or len(change.lines) > BATCH_THRESHOLD:
        return [_batch_record(change, minor_units, countries, topics, base_details)]
    records = []
    for line in change.lines:
        template = {ADDED: T_LINE_ADDED, REMOVED: T_LINE_REMOVED, CHANGED: T_LINE_CHANGED}[
            line.change
        ]

        def build(line: LineChange = line, template: str = template) -> dict[str, str]:
            values = {
                "country": _country_name(change.importer),
                "agreement": change.agreement,
                "code": format_code(line.code),
                "old": rate_text(line.old, minor_units),
                "new": rate_text(line.new, minor_units),
            }
            title = _(template) % values
            summary = _("%(title)s, from %(date)s. %(description)s") % {
                "title": title,
                "date": change.valid_from.isoformat(),
                "description": line.description,
            }
            title, summary = _sample(title, summary.strip(), change.is_sample)
            body = "\n".join([summary, "", *_source_lines(change.legal_source, change.source_url)])
            return {"title": title[:300], "summary": summary[:2000], "body": body}

        details = {**base_details, "lines": [line.as_dict()]}
        external_id = f"trade-tariff-{change.schedule_id}-{line.code}-{_digest(details)}"
        records.append(
            (
                external_id,
                _record_data(
                    texts=_in_languages(template, build),
                    topics=topics,
                    hs_codes=hs_tags([line.hs6]),
                    countries=countries,
                    details=details,
                    effective=change.valid_from,
                    source_url=change.source_url,
                ),
            )
        )
    return records


def _batch_record(
    change: ScheduleChanges,
    minor_units: dict[str, int],
    countries: list[str],
    topics: list[str],
    base_details: dict[str, Any],
) -> tuple[str, dict[str, Any]]:
    template = T_SCHEDULE_NEW if change.first else T_SCHEDULE_BATCH

    def build() -> dict[str, str]:
        title = _(template) % {
            "country": _country_name(change.importer),
            "agreement": change.agreement,
            "date": change.valid_from.isoformat(),
            "count": len(change.lines),
        }
        summary = _(
            "%(count)d tariff lines: %(added)d added, %(removed)d removed, %(changed)d changed."
        ) % {
            "count": len(change.lines),
            "added": sum(line.change == ADDED for line in change.lines),
            "removed": sum(line.change == REMOVED for line in change.lines),
            "changed": sum(line.change == CHANGED for line in change.lines),
        }
        title, summary = _sample(title, summary, change.is_sample)
        listed = [
            f"- {format_code(line.code)}: {rate_text(line.old, minor_units)} → "
            f"{rate_text(line.new, minor_units)} {line.description}".rstrip()
            for line in change.lines[:MAX_BODY_LINES]
        ]
        if len(change.lines) > MAX_BODY_LINES:
            listed.append(
                _("… and %(count)d more lines.") % {"count": len(change.lines) - MAX_BODY_LINES}
            )
        body = "\n".join(
            [summary, "", *listed, "", *_source_lines(change.legal_source, change.source_url)]
        )
        return {"title": title[:300], "summary": summary[:2000], "body": body[:100_000]}

    details = {**base_details, "lines": [line.as_dict() for line in change.lines[:MAX_BODY_LINES]]}
    external_id = (
        f"trade-tariff-{change.schedule_id}-{_digest([line.as_dict() for line in change.lines])}"
    )
    return external_id, _record_data(
        texts=_in_languages(template, build),
        topics=topics,
        hs_codes=hs_tags(line.hs6 for line in change.lines),
        countries=countries,
        details=details,
        effective=change.valid_from,
        source_url=change.source_url,
    )


def _item_records(changes: list[ItemChange]) -> list[tuple[str, dict[str, Any]]]:
    if not changes:
        return []
    if len(changes) > BATCH_THRESHOLD:
        return [_items_batch(changes)]
    records = []
    for item in changes:
        if item.kind == "rule":
            template = T_RULE_ADDED if item.change == ADDED else T_RULE_CHANGED
            countries = countries_for("", item.agreement)
            topics = _topics("rules-of-origin", item.agreement, item.is_sample)
        else:
            template = T_MEASURE_ADDED if item.change == ADDED else T_MEASURE_CHANGED
            countries = [item.importer]
            topics = _topics("non-tariff-measures", "", item.is_sample)

        def build(item: ItemChange = item, template: str = template) -> dict[str, str]:
            title = _(template) % {
                "country": _country_name(item.importer),
                "agreement": item.agreement,
                "code": format_code(item.hs_prefix),
                "rule": item.new,
                "old": item.old,
                "new": item.new,
                "measure": item.label,
                "title": item.new,
            }
            summary = _("%(title)s, from %(date)s.") % {
                "title": title,
                "date": item.valid_from.isoformat(),
            }
            title, summary = _sample(title, summary, item.is_sample)
            body = "\n".join([summary, "", *_source_lines(item.legal_source, item.source_url)])
            return {"title": title[:300], "summary": summary[:2000], "body": body}

        details = {"source": "trade", **item.as_dict(), "is_sample": item.is_sample}
        records.append(
            (
                f"trade-{item.kind}-{item.object_id}-{_digest(details)}",
                _record_data(
                    texts=_in_languages(template, build),
                    topics=topics,
                    hs_codes=hs_tags([item.hs_prefix]),
                    countries=countries,
                    details=details,
                    effective=item.valid_from,
                    source_url=item.source_url,
                ),
            )
        )
    return records


def _items_batch(changes: list[ItemChange]) -> tuple[str, dict[str, Any]]:
    is_sample = any(item.is_sample for item in changes)
    countries: set[str] = set()
    for item in changes:
        countries.update(countries_for(item.importer, item.agreement or MFN))

    def build() -> dict[str, str]:
        title = _(T_ITEMS_BATCH) % {"count": len(changes)}
        summary = title
        title, summary = _sample(title, summary, is_sample)
        listed = [
            f"- {item.agreement or item.importer} {format_code(item.hs_prefix)} {item.label}: {item.new}"
            for item in changes[:MAX_BODY_LINES]
        ]
        return {
            "title": title[:300],
            "summary": summary[:2000],
            "body": "\n".join([summary, "", *listed]),
        }

    details = {"source": "trade", "items": [item.as_dict() for item in changes[:MAX_BODY_LINES]]}
    kinds = sorted({item.kind for item in changes})
    topics = [
        {"rule": "rules-of-origin", "measure": "non-tariff-measures"}[kind] for kind in kinds
    ] + (["sample-data"] if is_sample else [])
    return f"trade-items-{_digest(details)}", _record_data(
        texts=_in_languages(T_ITEMS_BATCH, build),
        topics=topics,
        hs_codes=hs_tags(item.hs_prefix for item in changes),
        countries=sorted(countries),
        details=details,
        effective=min(item.valid_from for item in changes),
        source_url="",
    )


# --- publishing ------------------------------------------------------------------------------------------


def ensure_trade_desk() -> Organisation:
    """The platform's "Information Harbor trade desk" organisation, created (verified) on first use."""
    desk = Organisation.objects.filter(slug=TRADE_DESK_SLUG).first()
    if desk is not None:
        return desk
    system = Actor.system("trade-desk")
    try:
        desk = directory.create_organisation(
            actor=system,
            slug=TRADE_DESK_SLUG,
            name=TRADE_DESK_NAME,
            country=TRADE_DESK_COUNTRY,
            kind=OrganisationKind.RESEARCH,
            language="en",
            description={
                "en": "Publishes changes of tariff schedules, rules of origin and import "
                "requirements recorded in the harbor."
            },
        )
    except ValidationFailed:
        # Created meanwhile by a concurrent import.
        return Organisation.objects.get(slug=TRADE_DESK_SLUG)
    return directory.set_verification(desk, actor=system, status=Verification.VERIFIED)


def publisher_for(actor: Actor) -> Actor:
    """Who publishes an alert: the acting organisation when the actor may publish for it, else the desk."""
    if (
        actor.organisation_id is not None
        and not actor.is_system
        and allowed(actor, sharing_perms.PUBLISH_RECORD)
    ):
        return actor
    desk = ensure_trade_desk()
    return replace(
        Actor.system("trade-desk"),
        organisation_id=desk.pk,
        organisation_country=desk.country_id,
        organisation_verified=True,
    )


def _publish(
    records: list[tuple[str, dict[str, Any]]], *, actor: Actor, is_sample: bool
) -> list[int]:
    if not records:
        return []
    publisher = publisher_for(actor)
    published: list[int] = []
    for external_id, data in records:
        if Record.objects.filter(
            owner_id=publisher.organisation_id, external_id=external_id
        ).exists():
            continue
        record = sharing.create_record(
            actor=publisher, data=data, publish=True, external_id=external_id, is_demo=is_sample
        )
        published.append(record.pk)
    return published


def publish_schedule_changes(changes: list[ScheduleChanges], *, actor: Actor) -> list[int]:
    """Publish the alerts of imported schedules (newest schedules with changes only); the new record ids."""
    published: list[int] = []
    for change in changes:
        if not change.latest or not change.lines:
            continue
        published += _publish(_schedule_records(change), actor=actor, is_sample=change.is_sample)
    return published


def publish_item_changes(changes: list[ItemChange], *, actor: Actor) -> list[int]:
    """Publish the alerts of added or changed product-specific rules and measures; the new record ids."""
    is_sample = bool(changes) and all(item.is_sample for item in changes)
    return _publish(_item_records(changes), actor=actor, is_sample=is_sample)


def after_commit(publish: Callable[[], list[int]]) -> Callable[[], None]:
    """Wrap a publication for ``transaction.on_commit``: a failure is logged, never raised."""

    def run() -> None:
        try:
            publish()
        except Exception:  # the import is committed; an alert failure must not hide it
            logger.exception("trade alerts failed")

    return run
