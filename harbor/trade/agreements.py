"""Preferential trade agreements as rule sets: who the parties are, the general rule of origin, the value
threshold, the de minimis tolerance and whether materials of other parties cumulate.

Three agreements share the same shape (regional value content of 40 % of FOB or a change of tariff
heading, a 10 % de minimis, full cumulation among the parties):

- ACFTA, the ASEAN-China Free Trade Area, rules of origin as amended by the Upgrading Protocol (signed 2015,
  in force for every party in 2019); certificate of origin Form E.
- ATIGA, the ASEAN Trade in Goods Agreement (2009), between the ten ASEAN member states; Form D.
- RCEP, the Regional Comprehensive Economic Partnership (2020), ASEAN with China, Japan, Korea, Australia
  and New Zealand; RCEP certificate of origin. RCEP has no general rule: every line has a product-specific
  rule in Annex 3A, most of which read "RVC40 or CTH"; that reading is its general rule here.

"MFN" (the most-favoured-nation rate) is not an agreement: it needs no proof of origin, so asking for
preferential origin under it is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from harbor.core.errors import ValidationFailed

ASEAN = frozenset({"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN"})
NON_PREFERENTIAL = frozenset({"MFN"})
TEXTILE_CHAPTERS = (50, 63)


@dataclass(frozen=True)
class Agreement:
    """One preferential agreement's origin rule set; `general_rule` is written in the rule language of
    `harbor.trade.rules` and applies to every good without a product-specific rule."""

    code: str
    name: str
    parties: frozenset[str]
    general_rule: str
    rvc_threshold: Decimal
    de_minimis_percent: Decimal
    textile_chapters: tuple[int, int]
    cumulation: bool
    legal_source: str
    certificate: str

    def is_party(self, country: str) -> bool:
        return country in self.parties

    def is_textile(self, hs_code: str) -> bool:
        """Goods of the textile chapters (first to last, inclusive) may meet de minimis by weight."""
        first, last = self.textile_chapters
        return hs_code[:2].isdigit() and first <= int(hs_code[:2]) <= last


ACFTA = Agreement(
    code="ACFTA",
    name="ASEAN-China Free Trade Area",
    parties=ASEAN | {"CN"},
    general_rule="WO | PE | RVC(40) | CTH",
    rvc_threshold=Decimal(40),
    de_minimis_percent=Decimal(10),
    textile_chapters=TEXTILE_CHAPTERS,
    cumulation=True,
    legal_source=(
        "Annex 3 (Rules of Origin) of the Agreement on Trade in Goods of the Framework Agreement on "
        "Comprehensive Economic Co-operation between ASEAN and the People's Republic of China, as amended "
        "by the Protocol to Amend the Framework Agreement and Certain Agreements thereunder (Kuala Lumpur, "
        "22 November 2015; in force for all parties in 2019)"
    ),
    certificate="Form E",
)

ATIGA = Agreement(
    code="ATIGA",
    name="ASEAN Trade in Goods Agreement",
    parties=ASEAN,
    general_rule="WO | PE | RVC(40) | CTH",
    rvc_threshold=Decimal(40),
    de_minimis_percent=Decimal(10),
    textile_chapters=TEXTILE_CHAPTERS,
    cumulation=True,
    legal_source="ASEAN Trade in Goods Agreement (Cha-am, 26 February 2009), Chapter 3 (Rules of Origin)",
    certificate="Form D",
)

RCEP = Agreement(
    code="RCEP",
    name="Regional Comprehensive Economic Partnership",
    parties=ASEAN | {"CN", "JP", "KR", "AU", "NZ"},
    general_rule="WO | PE | RVC(40) | CTH",
    rvc_threshold=Decimal(40),
    de_minimis_percent=Decimal(10),
    textile_chapters=TEXTILE_CHAPTERS,
    cumulation=True,
    legal_source=(
        "Regional Comprehensive Economic Partnership Agreement (15 November 2020), Chapter 3 (Rules of "
        "Origin) and Annex 3A (Product-Specific Rules)"
    ),
    certificate="RCEP Certificate of Origin",
)

AGREEMENTS: dict[str, Agreement] = {item.code: item for item in (ACFTA, ATIGA, RCEP)}


def get_agreement_or_raise(code: str) -> Agreement:
    """The preferential agreement with this code; MFN and unknown codes are validation errors on the
    field `agreement`."""
    if code in AGREEMENTS:
        return AGREEMENTS[code]
    if code in NON_PREFERENTIAL:
        message = _(
            "%(code)s is not a preferential agreement: its rate needs no proof of origin."
        ) % {"code": code}
    else:
        message = _("Unknown trade agreement %(code)s; choose one of %(choices)s.") % {
            "code": code,
            "choices": ", ".join(sorted(AGREEMENTS)),
        }
    raise ValidationFailed.for_field("agreement", message)
