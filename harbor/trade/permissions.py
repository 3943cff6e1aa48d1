"""Permission rules of the trade app.

Everyone, anonymous callers included, may read trade rules. Writing them (tariff schedules, product-specific
rules, non-tariff measures, import taxes and customs regimes) is for platform staff, and for admins and
owners of a verified government agency of the country the data is about: the importing country for
schedules, measures, taxes and regimes, a party of the agreement for product-specific rules. System
actors (commands, the demo loader, tasks) pass every rule.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from harbor.core.actors import Actor, Role, Scope
from harbor.core.permissions import rule
from harbor.directory.choices import OrganisationKind, Verification
from harbor.directory.models import Organisation
from harbor.trade.importers import AGREEMENT_PARTIES

VIEW_TRADE = "trade.view"
IMPORT_TRADE_DATA = "trade.import_data"
EDIT_TARIFFS = "trade.edit_tariffs"
EDIT_RULES = "trade.edit_rules"
EDIT_MEASURES = "trade.edit_measures"
EDIT_TAXES = "trade.edit_taxes"


def government_admin_for(actor: Actor, countries: Collection[str] | None) -> bool:
    """Staff, or an admin/owner acting for a verified government agency of one of ``countries``.

    ``countries`` None means any country (used before a file is read, to refuse people who could
    never import anything).
    """
    if actor.is_staff:
        return True
    if actor.organisation_id is None or not actor.has_role(Role.ADMIN):
        return False
    if not actor.organisation_verified:
        return False
    if countries is not None and actor.organisation_country not in countries:
        return False
    return Organisation.objects.filter(
        pk=actor.organisation_id,
        kind=OrganisationKind.GOVERNMENT,
        verification=Verification.VERIFIED,
    ).exists()


def agreement_parties(agreement: str) -> frozenset[str] | None:
    """The parties of a known preferential agreement; None for MFN and for codes the harbor does not know."""
    return AGREEMENT_PARTIES.get(agreement.upper())


@rule(VIEW_TRADE, scope=Scope.READ, needs_login=False)
def _view_trade(actor: Actor, obj: Any) -> bool:
    return True


@rule(IMPORT_TRADE_DATA)
def _import_trade_data(actor: Actor, obj: Any) -> bool:
    """Who may start an import at all; the import checks each country of the file again."""
    return government_admin_for(actor, None)


@rule(EDIT_TARIFFS)
def _edit_tariffs(actor: Actor, importer: Any) -> bool:
    return government_admin_for(actor, {str(importer).upper()})


@rule(EDIT_MEASURES)
def _edit_measures(actor: Actor, importer: Any) -> bool:
    return government_admin_for(actor, {str(importer).upper()})


@rule(EDIT_TAXES)
def _edit_taxes(actor: Actor, country: Any) -> bool:
    return government_admin_for(actor, {str(country).upper()})


@rule(EDIT_RULES)
def _edit_rules(actor: Actor, agreement: Any) -> bool:
    """Product-specific rules belong to an agreement: an agency of any of its parties may edit them;
    rules of an agreement the harbor does not know are for staff only."""
    parties = agreement_parties(str(agreement))
    if parties is None:
        return actor.is_staff
    return government_admin_for(actor, parties)
