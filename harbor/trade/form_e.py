"""Form E pre-check: the common reasons a certificate of origin under ACFTA is rejected, found before the
exporter submits it, by comparing the certificate with the commercial invoice and the bill of lading.

Form E is the certificate of origin of the ASEAN-China Free Trade Area, in the form and with the
Operational Certification Procedures (OCP) of the Upgrading Protocol. The parties are China and the ten
ASEAN member states (``agreements.ACFTA.parties``). The check works on plain values (no database): the
documents are frozen dataclasses, built by the caller or parsed from JSON by ``form_e_from_dict``.

A finding has a stable ``code``, a severity (``error`` blocks submission, ``warning`` asks for a second
look, ``info`` says what could not be checked), the dotted paths of the fields it is about, a translated
message and the values compared (keyed by field path, JSON-ready). The rules, in the order they run:

Parties (box 1, box 2)
- ``exporter_country_not_party`` / ``consignee_country_not_party`` (error): the exporter's and the
  consignee's countries must be ACFTA parties; ``countries_not_distinct`` (error): and not the same one.

Names (box 1, box 2), compared after normalisation (``normalise_name``: case, accents on Latin letters,
punctuation, whitespace and legal forms such as Co., Ltd., Limited, Company, Corp., Inc., PT, Sdn Bhd, Pte,
JSC, Public Company Limited at either end of the name are not significant)
- ``exporter_mismatch`` (error): box 1 differs from the B/L shipper, or from the invoice seller. With
  third-party invoicing the seller is by definition another company, so only the shipper is compared.
- ``consignee_mismatch`` (error): box 2 differs from the invoice buyer or from the B/L consignee. A B/L
  made out "to order" names no consignee: its notify party is compared instead, when it has one.

Goods (box 7)
- ``description_mismatch``: the descriptions share words (numbers, function words and package words such
  as cartons or pallets left out, plurals folded) in a proportion of the shorter word list; below one half
  is a warning, no common word at all is an error.
- ``hs_code_mismatch`` (error): the first six digits differ from the invoice's HS code. Digits beyond the
  sixth are national tariff-line digits and are not compared. No HS code on the invoice: not compared.

Origin criterion (box 8)
- ``criterion_format`` (error): box 8 must read WO, PE, CTH, PSR or a percentage such as "40%".
- ``rvc_below_threshold`` (error): a percentage below the ACFTA regional value content of 40 %.
- ``criterion_inconsistent`` (error): with ``calculated_criteria`` (what the origin calculator found the
  goods to meet, e.g. ``["PE", "45%", "CTH"]``) box 8 must be one of them; a percentage in box 8 passes
  when it is at most the highest calculated percentage (declaring less value content than was computed
  is true, declaring more is not). An empty list means the goods met no criterion.
- ``criterion_not_verified`` (info): no ``calculated_criteria`` were given, so box 8 was not compared.

Quantity and value (box 9)
- ``fob_missing`` (error): a percentage criterion needs the FOB value in box 9, its base.
- ``currency_mismatch`` (error): box 9 and the invoice state FOB in different currencies (named).
- ``fob_mismatch`` (error): the FOB amounts differ (integers at the currency's minor unit).
- ``fob_not_verified`` (info): box 9 states FOB but the invoice does not (e.g. a CIF invoice).
- ``quantity_mismatch`` (error) / ``quantity_unit_mismatch`` (warning): box 9's quantity differs from the
  invoice's in the same unit, or is given in another unit and cannot be compared.
- ``gross_weight_mismatch`` (error): box 9's gross weight differs from the invoice's or the B/L's.

Invoice (box 10)
- ``invoice_number_mismatch`` / ``invoice_date_mismatch`` (error): box 10 must cite the invoice as it is
  (numbers compared without case and whitespace).

Third-party invoicing (box 7, box 13)
- When the invoice is issued by a company outside the exporting party (a non-party, or another party):
  ``third_party_invoicing_unmarked`` (error) if box 13 "Third Party Invoicing" is not ticked;
  ``third_party_invoicer_missing`` (error) if box 7 does not carry the invoicing company's name and
  country; ``third_party_invoicer_mismatch`` (error) if it carries another name or country.
- ``third_party_invoicing_unneeded`` (warning): ticked although the invoice comes from the exporting party.

Direct consignment (box 3, box 13)
- Every non-party country on the B/L route (port of loading, transit or transshipment ports, port of
  discharge) must be shown on the certificate, by a box 3 port in that country or a mention in the
  remarks (the country's English name or the port's name); otherwise ``transit_not_shown`` (error).
- And non-manipulation evidence must be at hand: a through bill of lading, or declared customs documents
  of the transit country; otherwise ``transit_without_evidence`` (error). Transit through another party
  needs neither.

Dates. The shipment date is the B/L's shipped-on-board date, else its issue date.
- ``dates_out_of_order`` (warning): the invoice is dated after shipment. The OCP does not forbid it (an
  invoice is often raised once the B/L is in hand) and sets no cut-off, so there is no tolerance and no
  error: the gap in days is reported for the reviewer to judge.
- ``invoice_after_certificate`` (warning): box 10 cites an invoice dated after the certificate was issued.
- ``issued_late_not_retroactive`` (error): issued more than 3 working days after shipment (Monday to
  Friday, minus the ``holidays`` given) without box 13 "Issued Retroactively" ticked. Issued on the third
  working day is on time.
- ``retroactive_too_late`` (error): issued more than 12 months after shipment; not even retroactive
  issuance reaches that far. Exactly 12 months (same day of the month, or the month's last day) is in time.
- ``retroactive_unneeded`` (warning): "Issued Retroactively" ticked on a certificate issued on time.
- ``certificate_expired`` (error): importation more than 12 months after issue (a certificate is valid
  for 12 months); exactly 12 months is still valid.

Transport (box 3), when box 3 gives them: ``departure_date_mismatch``, ``vessel_mismatch`` and
``port_of_discharge_mismatch`` (warnings) against the B/L.

The check covers one certificate item (box 5) against one invoice: a certificate with several items is
checked item by item.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction
from functools import cache
from typing import Any, TypeVar

from babel import Locale
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from harbor.core.errors import FieldError, ValidationFailed
from harbor.trade.agreements import ACFTA

PARTIES: frozenset[str] = ACFTA.parties
RVC_THRESHOLD: Decimal = ACFTA.rvc_threshold
ON_TIME_WORKING_DAYS = 3
RETROACTIVE_MONTHS = 12
VALIDITY_MONTHS = 12
DESCRIPTION_OVERLAP_THRESHOLD = Fraction(1, 2)
CRITERION_CODES = ("WO", "PE", "CTH", "PSR")

_PERCENT = re.compile(r"^(\d{1,3}(?:\.\d{1,2})?)\s*%$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_HS = re.compile(r"^\d{6,12}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DECIMAL = re.compile(r"^\d+(\.\d+)?$")

# Legal forms, as word sequences after punctuation is removed; stripped at the end (or the start) of a
# name, longest first, as often as they occur ("PT Maju Jaya Tbk" → "maju jaya").
_TRAILING_FORM_LIST = (
    "public company limited, public co ltd, public limited company, joint stock company, joint stock co, "
    "company limited, co ltd, sendirian berhad, sdn bhd, private limited, pte ltd, pvt ltd, co, company, "
    "ltd, limited, corp, corporation, inc, incorporated, llc, plc, pcl, jsc, pte, bhd, berhad, pt, tbk, "
    "m"  # "(M) Sdn Bhd": Malaysia
)
_TRAILING_FORMS: tuple[tuple[str, ...], ...] = tuple(
    sorted((tuple(form.split()) for form in _TRAILING_FORM_LIST.split(", ")), key=len, reverse=True)
)
_LEADING_FORMS: tuple[tuple[str, ...], ...] = (
    ("cong", "ty", "tnhh"),
    ("cong", "ty", "co", "phan"),
    ("cong", "ty"),
    ("pt",),
    ("cv",),
)

# Words that say nothing of what the goods are: function words, box 7 boilerplate, packages and counts.
_NOISE_LIST = (
    "a an and the of for with in on to by or as per from at x "
    "hs code no nos say only total packed bulk "
    "carton ctn pallet plt package pkg bag box case crate drum bundle bale roll piece pc pcs set unit "
    "container each"
)
_DESCRIPTION_NOISE = frozenset(_NOISE_LIST.split())


class Severity(StrEnum):
    """How much a finding matters: an error blocks submission, a warning asks for a second look, an info
    says what could not be checked."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


# Documents ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Port:
    """A port named on a document, with its country (ISO 3166 alpha-2)."""

    name: str
    country: str


@dataclass(frozen=True, kw_only=True)
class Money:
    """An amount as an integer of the currency's ISO 4217 minor unit."""

    amount: int
    currency: str

    def as_dict(self) -> dict[str, Any]:
        return {"amount": self.amount, "currency": self.currency}


@dataclass(frozen=True, kw_only=True)
class Quantity:
    """A quantity in a unit as written on the document ("PCS", "SETS", "MTK"); units compare without case."""

    value: Decimal
    unit: str

    def as_dict(self) -> dict[str, Any]:
        return {"value": str(self.value), "unit": self.unit}


@dataclass(frozen=True, kw_only=True)
class Certificate:
    """What the Form E says, box by box; optional fields are those a draft may leave blank."""

    reference_number: str | None = None
    issue_date: date
    # box 1, box 2
    exporter_name: str
    exporter_country: str
    consignee_name: str
    consignee_country: str
    # box 3
    departure_date: date | None = None
    vessel_name: str | None = None
    port_of_loading: Port | None = None
    transit_ports: tuple[Port, ...] = ()
    port_of_discharge: Port | None = None
    # box 7
    goods_description: str
    hs_code: str
    third_party_invoicer_name: str | None = None
    third_party_invoicer_country: str | None = None
    # box 8
    origin_criterion: str
    # box 9
    gross_weight_kg: Decimal | None = None
    quantity: Quantity | None = None
    fob_value: Money | None = None
    # box 10
    invoice_number: str
    invoice_date: date
    # box 13 and remarks (free text of boxes 3 and 13, e.g. "VIA HONG KONG")
    issued_retroactively: bool = False
    third_party_invoicing: bool = False
    remarks: str = ""
    # declared by the exporter: customs documents of the transit country prove non-manipulation
    transit_customs_documents: bool = False


@dataclass(frozen=True, kw_only=True)
class Invoice:
    """The commercial invoice: who sells to whom, what, for how much."""

    number: str
    date: date
    seller_name: str
    seller_country: str
    buyer_name: str
    goods_description: str
    hs_code: str | None = None
    quantity: Quantity | None = None
    gross_weight_kg: Decimal | None = None
    fob_value: Money | None = None


@dataclass(frozen=True, kw_only=True)
class BillOfLading:
    """The bill of lading: parties, route, dates and weight; ``through_bill`` when it covers the whole
    voyage from the exporting party to the importing party."""

    number: str | None = None
    issue_date: date
    shipped_on_board_date: date | None = None
    shipper_name: str
    consignee_name: str
    notify_party_name: str | None = None
    vessel_name: str | None = None
    port_of_loading: Port
    transit_ports: tuple[Port, ...] = ()
    port_of_discharge: Port
    gross_weight_kg: Decimal | None = None
    through_bill: bool = False

    @property
    def shipment_date(self) -> date:
        """The on-board date when the B/L carries one, else its issue date (a shipped B/L)."""
        return self.shipped_on_board_date or self.issue_date

    @property
    def shipment_date_field(self) -> str:
        if self.shipped_on_board_date is not None:
            return "bill_of_lading.shipped_on_board_date"
        return "bill_of_lading.issue_date"


@dataclass(frozen=True, kw_only=True)
class FormEInput:
    """Everything ``check_form_e`` takes, as parsed from a JSON payload."""

    certificate: Certificate
    invoice: Invoice
    bill_of_lading: BillOfLading
    calculated_criteria: tuple[str, ...] | None = None
    importation_date: date | None = None
    holidays: tuple[date, ...] = ()


# Findings -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One reason the certificate may be rejected, with the fields it is about and the values compared."""

    code: str
    severity: Severity
    fields: tuple[str, ...]
    message: str
    values: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": str(self.severity),
            "fields": list(self.fields),
            "message": self.message,
            "values": dict(self.values),
        }


@dataclass(frozen=True)
class FormECheck:
    """The findings of one pre-check; ``ok`` when none is an error."""

    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        return not any(f.severity == Severity.ERROR for f in self.findings)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(f.code for f in self.findings)

    def as_dict(self) -> dict[str, Any]:
        counts = {str(s): sum(1 for f in self.findings if f.severity == s) for s in Severity}
        return {
            "ok": self.ok,
            "counts": counts,
            "findings": [f.as_dict() for f in self.findings],
        }


# Normalisation ------------------------------------------------------------------------------------------


def _fold(text: str) -> str:
    """NFKC, case-folded, accents removed from Latin letters (đ → d); other scripts keep their marks."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    kept: list[str] = []
    for char in decomposed:
        if unicodedata.combining(char) and kept and kept[-1].isascii():
            continue
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept)).replace("đ", "d")


def _words(text: str) -> list[str]:
    """The words of ``text`` after folding; anything but letters, marks and digits separates words."""
    folded = _fold(text).replace("&", " and ")
    cleaned = "".join(char if unicodedata.category(char)[0] in "LMN" else " " for char in folded)
    return cleaned.split()


def _strip_forms(words: list[str]) -> list[str]:
    changed = True
    while changed:
        changed = False
        for form in _TRAILING_FORMS:
            if len(words) > len(form) and tuple(words[-len(form) :]) == form:
                words = words[: -len(form)]
                changed = True
                break
        for form in _LEADING_FORMS:
            if len(words) > len(form) and tuple(words[: len(form)]) == form:
                words = words[len(form) :]
                changed = True
                break
    return words


def normalise_name(name: str) -> str:
    """A company name reduced to what identifies it: case, Latin accents, punctuation, whitespace and
    legal forms at either end (Co., Ltd., Limited, Company, Corp., Inc., PT, Tbk, Sdn Bhd, Pte, JSC, PLC,
    Public Company Limited, "Cong ty TNHH" …) do not count; "&" reads as "and". A name made only of legal
    forms is reduced to its first word, never to nothing."""
    return " ".join(_strip_forms(_words(name)))


def same_name(first: str, second: str) -> bool:
    """Whether two documents name the same company, by ``normalise_name``."""
    return normalise_name(first) == normalise_name(second)


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("xes", "ches", "shes", "sses")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def description_words(text: str) -> frozenset[str]:
    """The words that describe the goods: numbers, function words and package words left out, plurals
    folded ("Ceramic Plates, 100 cartons" → {"ceramic", "plate"})."""
    words = (_stem(word) for word in _words(text) if not word.isdigit())
    return frozenset(word for word in words if word not in _DESCRIPTION_NOISE)


def description_overlap(first: str, second: str) -> Fraction:
    """Shared description words as a share of the shorter list of words (0 to 1); two texts without
    descriptive words overlap fully only when they read the same."""
    a, b = description_words(first), description_words(second)
    if not a or not b:
        return Fraction(1) if not a and not b and _words(first) == _words(second) else Fraction(0)
    return Fraction(len(a & b), min(len(a), len(b)))


def _hs_digits(code: str) -> str:
    return "".join(char for char in code if char.isdigit())


def _plain(text: str) -> str:
    return " ".join(_words(text))


def parse_criterion(value: str) -> str | Decimal | None:
    """Box 8 read as a code (WO, PE, CTH, PSR, any case) or a percentage (Decimal, "40%" → 40); None
    when it is neither."""
    cleaned = value.strip().upper()
    if cleaned in CRITERION_CODES:
        return cleaned
    match = _PERCENT.match(cleaned)
    if match:
        percent = Decimal(match.group(1))
        return percent if percent <= 100 else None
    return None


# Dates --------------------------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the last day of that month when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def working_days_after(
    start: date, end: date, *, holidays: Collection[date] = (), limit: int
) -> int:
    """Working days (Monday to Friday, not in ``holidays``) after ``start`` up to and including ``end``,
    counted up to ``limit + 1``: enough to tell whether ``end`` is more than ``limit`` days late."""
    count = 0
    day = start
    while day < end and count <= limit:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            count += 1
    return count


# The check ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Documents:
    certificate: Certificate
    invoice: Invoice
    bill: BillOfLading
    criteria: tuple[str, ...] | None
    importation_date: date | None
    holidays: frozenset[date]

    @property
    def third_party_invoicing(self) -> bool:
        return self.invoice.seller_country != self.certificate.exporter_country


def _finding(
    code: str, severity: Severity, message: str, values: Mapping[str, Any], *fields: str
) -> Finding:
    return Finding(code, severity, tuple(fields), message, dict(values))


def _iso(day: date) -> str:
    return day.isoformat()


def _check_parties(docs: _Documents) -> Iterator[Finding]:
    cert = docs.certificate
    if cert.exporter_country not in PARTIES:
        yield _finding(
            "exporter_country_not_party",
            Severity.ERROR,
            _("The exporter's country %(country)s is not an ACFTA party.")
            % {"country": cert.exporter_country},
            {"certificate.exporter_country": cert.exporter_country},
            "certificate.exporter_country",
        )
    if cert.consignee_country not in PARTIES:
        yield _finding(
            "consignee_country_not_party",
            Severity.ERROR,
            _("The consignee's country %(country)s is not an ACFTA party.")
            % {"country": cert.consignee_country},
            {"certificate.consignee_country": cert.consignee_country},
            "certificate.consignee_country",
        )
    if cert.exporter_country == cert.consignee_country:
        yield _finding(
            "countries_not_distinct",
            Severity.ERROR,
            _(
                "The exporter and the consignee are both in %(country)s; Form E covers trade between two parties."
            )
            % {"country": cert.exporter_country},
            {
                "certificate.exporter_country": cert.exporter_country,
                "certificate.consignee_country": cert.consignee_country,
            },
            "certificate.exporter_country",
            "certificate.consignee_country",
        )


def _name_finding(
    code: str, message: str, ours: tuple[str, str], theirs: tuple[str, str]
) -> Finding:
    return _finding(
        code,
        Severity.ERROR,
        message % {"certificate": ours[1], "document": theirs[1]},
        {ours[0]: ours[1], theirs[0]: theirs[1]},
        ours[0],
        theirs[0],
    )


def _is_to_order(name: str) -> bool:
    words = _words(name)
    return words[:2] == ["to", "order"] or words == ["order"]


def _check_names(docs: _Documents) -> Iterator[Finding]:
    cert, invoice, bill = docs.certificate, docs.invoice, docs.bill
    exporter = ("certificate.exporter_name", cert.exporter_name)
    consignee = ("certificate.consignee_name", cert.consignee_name)
    if not docs.third_party_invoicing and not same_name(cert.exporter_name, invoice.seller_name):
        yield _name_finding(
            "exporter_mismatch",
            _(
                "Box 1 names the exporter “%(certificate)s” but the invoice seller is “%(document)s”."
            ),
            exporter,
            ("invoice.seller_name", invoice.seller_name),
        )
    if not same_name(cert.exporter_name, bill.shipper_name):
        yield _name_finding(
            "exporter_mismatch",
            _("Box 1 names the exporter “%(certificate)s” but the B/L shipper is “%(document)s”."),
            exporter,
            ("bill_of_lading.shipper_name", bill.shipper_name),
        )
    if not same_name(cert.consignee_name, invoice.buyer_name):
        yield _name_finding(
            "consignee_mismatch",
            _(
                "Box 2 names the consignee “%(certificate)s” but the invoice buyer is “%(document)s”."
            ),
            consignee,
            ("invoice.buyer_name", invoice.buyer_name),
        )
    if not _is_to_order(bill.consignee_name):
        if not same_name(cert.consignee_name, bill.consignee_name):
            yield _name_finding(
                "consignee_mismatch",
                _(
                    "Box 2 names the consignee “%(certificate)s” but the B/L consignee is “%(document)s”."
                ),
                consignee,
                ("bill_of_lading.consignee_name", bill.consignee_name),
            )
    elif bill.notify_party_name and not same_name(cert.consignee_name, bill.notify_party_name):
        yield _name_finding(
            "consignee_mismatch",
            _(
                "Box 2 names the consignee “%(certificate)s” but the B/L, made out to order, notifies "
                "“%(document)s”."
            ),
            consignee,
            ("bill_of_lading.notify_party_name", bill.notify_party_name),
        )


def _check_goods(docs: _Documents) -> Iterator[Finding]:
    cert, invoice = docs.certificate, docs.invoice
    overlap = description_overlap(cert.goods_description, invoice.goods_description)
    if overlap < DESCRIPTION_OVERLAP_THRESHOLD:
        values = {
            "certificate.goods_description": cert.goods_description,
            "invoice.goods_description": invoice.goods_description,
            "overlap_percent": int(overlap * 100),
        }
        if overlap == 0:
            severity = Severity.ERROR
            message = _("Box 7 describes the goods with no word in common with the invoice.")
        else:
            severity = Severity.WARNING
            message = _(
                "Box 7 and the invoice describe the goods differently: %(percent)d %% of the words match."
            ) % {"percent": values["overlap_percent"]}
        yield _finding(
            "description_mismatch",
            severity,
            message,
            values,
            "certificate.goods_description",
            "invoice.goods_description",
        )
    if invoice.hs_code is not None:
        ours, theirs = _hs_digits(cert.hs_code)[:6], _hs_digits(invoice.hs_code)[:6]
        if ours != theirs:
            yield _finding(
                "hs_code_mismatch",
                Severity.ERROR,
                _(
                    "Box 7 classifies the goods under %(certificate)s but the invoice under %(invoice)s."
                )
                % {"certificate": ours, "invoice": theirs},
                {"certificate.hs_code": cert.hs_code, "invoice.hs_code": invoice.hs_code},
                "certificate.hs_code",
                "invoice.hs_code",
            )


def _check_criterion(docs: _Documents) -> Iterator[Finding]:
    written = docs.certificate.origin_criterion
    criterion = parse_criterion(written)
    values: dict[str, Any] = {"certificate.origin_criterion": written}
    if criterion is None:
        yield _finding(
            "criterion_format",
            Severity.ERROR,
            _("Box 8 reads “%(criterion)s”; write WO, PE, CTH, PSR or a percentage such as 40%%.")
            % {"criterion": written},
            values,
            "certificate.origin_criterion",
        )
        return
    if isinstance(criterion, Decimal) and criterion < RVC_THRESHOLD:
        yield _finding(
            "rvc_below_threshold",
            Severity.ERROR,
            _(
                "Box 8 declares %(percent)s%% regional value content; ACFTA requires at least %(threshold)s%%."
            )
            % {"percent": criterion, "threshold": RVC_THRESHOLD},
            values,
            "certificate.origin_criterion",
        )
    if docs.criteria is None:
        yield _finding(
            "criterion_not_verified",
            Severity.INFO,
            _("Box 8 was not compared with the origin calculation: none was given."),
            values,
            "certificate.origin_criterion",
        )
        return
    calculated = [parse_criterion(item) for item in docs.criteria]
    if isinstance(criterion, Decimal):
        percents = [item for item in calculated if isinstance(item, Decimal)]
        consistent = bool(percents) and criterion <= max(percents)
    else:
        consistent = criterion in calculated
    if not consistent:
        values["calculated_criteria"] = list(docs.criteria)
        yield _finding(
            "criterion_inconsistent",
            Severity.ERROR,
            _(
                "Box 8 declares “%(criterion)s” but the origin calculation supports only: %(calculated)s."
            )
            % {"criterion": written, "calculated": ", ".join(docs.criteria) or "—"},
            values,
            "certificate.origin_criterion",
        )


def _check_value_and_quantity(docs: _Documents) -> Iterator[Finding]:
    cert, invoice, bill = docs.certificate, docs.invoice, docs.bill
    ours, theirs = cert.fob_value, invoice.fob_value
    if ours is None:
        if isinstance(parse_criterion(cert.origin_criterion), Decimal):
            yield _finding(
                "fob_missing",
                Severity.ERROR,
                _("Box 9 must state the FOB value when box 8 declares a value-content percentage."),
                {"certificate.origin_criterion": cert.origin_criterion},
                "certificate.fob_value",
                "certificate.origin_criterion",
            )
    elif theirs is None:
        yield _finding(
            "fob_not_verified",
            Severity.INFO,
            _("The FOB value in box 9 was not compared: the invoice states no FOB value."),
            {"certificate.fob_value": ours.as_dict()},
            "certificate.fob_value",
        )
    elif ours.currency != theirs.currency:
        yield _finding(
            "currency_mismatch",
            Severity.ERROR,
            _("Box 9 states the FOB value in %(certificate)s but the invoice in %(invoice)s.")
            % {"certificate": ours.currency, "invoice": theirs.currency},
            {"certificate.fob_value": ours.as_dict(), "invoice.fob_value": theirs.as_dict()},
            "certificate.fob_value.currency",
            "invoice.fob_value.currency",
        )
    elif ours.amount != theirs.amount:
        yield _finding(
            "fob_mismatch",
            Severity.ERROR,
            _(
                "Box 9 states an FOB value of %(certificate)s but the invoice %(invoice)s "
                "(%(currency)s, in minor units)."
            )
            % {"certificate": ours.amount, "invoice": theirs.amount, "currency": ours.currency},
            {"certificate.fob_value": ours.as_dict(), "invoice.fob_value": theirs.as_dict()},
            "certificate.fob_value.amount",
            "invoice.fob_value.amount",
        )
    if cert.quantity is not None and invoice.quantity is not None:
        values = {
            "certificate.quantity": cert.quantity.as_dict(),
            "invoice.quantity": invoice.quantity.as_dict(),
        }
        if _fold(cert.quantity.unit.strip()) != _fold(invoice.quantity.unit.strip()):
            yield _finding(
                "quantity_unit_mismatch",
                Severity.WARNING,
                _("Box 9 counts the goods in %(certificate)s but the invoice in %(invoice)s.")
                % {"certificate": cert.quantity.unit, "invoice": invoice.quantity.unit},
                values,
                "certificate.quantity.unit",
                "invoice.quantity.unit",
            )
        elif cert.quantity.value != invoice.quantity.value:
            yield _finding(
                "quantity_mismatch",
                Severity.ERROR,
                _("Box 9 states a quantity of %(certificate)s but the invoice %(invoice)s.")
                % {"certificate": cert.quantity.value, "invoice": invoice.quantity.value},
                values,
                "certificate.quantity.value",
                "invoice.quantity.value",
            )
    if cert.gross_weight_kg is not None:
        for message, path, weight in (
            (
                _(
                    "Box 9 states a gross weight of %(certificate)s kg but the invoice %(other)s kg."
                ),
                "invoice.gross_weight_kg",
                invoice.gross_weight_kg,
            ),
            (
                _("Box 9 states a gross weight of %(certificate)s kg but the B/L %(other)s kg."),
                "bill_of_lading.gross_weight_kg",
                bill.gross_weight_kg,
            ),
        ):
            if weight is not None and weight != cert.gross_weight_kg:
                yield _finding(
                    "gross_weight_mismatch",
                    Severity.ERROR,
                    message % {"certificate": cert.gross_weight_kg, "other": weight},
                    {"certificate.gross_weight_kg": str(cert.gross_weight_kg), path: str(weight)},
                    "certificate.gross_weight_kg",
                    path,
                )


def _check_invoice_reference(docs: _Documents) -> Iterator[Finding]:
    cert, invoice = docs.certificate, docs.invoice
    if "".join(_fold(cert.invoice_number).split()) != "".join(_fold(invoice.number).split()):
        yield _finding(
            "invoice_number_mismatch",
            Severity.ERROR,
            _("Box 10 cites invoice “%(certificate)s” but the invoice is numbered “%(invoice)s”.")
            % {"certificate": cert.invoice_number, "invoice": invoice.number},
            {"certificate.invoice_number": cert.invoice_number, "invoice.number": invoice.number},
            "certificate.invoice_number",
            "invoice.number",
        )
    if cert.invoice_date != invoice.date:
        yield _finding(
            "invoice_date_mismatch",
            Severity.ERROR,
            _("Box 10 dates the invoice %(certificate)s but the invoice is dated %(invoice)s.")
            % {"certificate": _iso(cert.invoice_date), "invoice": _iso(invoice.date)},
            {
                "certificate.invoice_date": _iso(cert.invoice_date),
                "invoice.date": _iso(invoice.date),
            },
            "certificate.invoice_date",
            "invoice.date",
        )


def _check_third_party_invoicing(docs: _Documents) -> Iterator[Finding]:
    cert, invoice = docs.certificate, docs.invoice
    if not docs.third_party_invoicing:
        if cert.third_party_invoicing:
            yield _finding(
                "third_party_invoicing_unneeded",
                Severity.WARNING,
                _(
                    "Box 13 “Third Party Invoicing” is ticked but the invoice comes from the exporting party."
                ),
                {
                    "invoice.seller_country": invoice.seller_country,
                    "certificate.exporter_country": cert.exporter_country,
                },
                "certificate.third_party_invoicing",
                "invoice.seller_country",
            )
        return
    invoicer = {
        "invoice.seller_name": invoice.seller_name,
        "invoice.seller_country": invoice.seller_country,
    }
    if not cert.third_party_invoicing:
        yield _finding(
            "third_party_invoicing_unmarked",
            Severity.ERROR,
            _(
                "The invoice is issued by a company in %(country)s, not in the exporting party: tick "
                "“Third Party Invoicing” in box 13."
            )
            % {"country": invoice.seller_country},
            {**invoicer, "certificate.exporter_country": cert.exporter_country},
            "certificate.third_party_invoicing",
            "invoice.seller_country",
        )
    name, country = cert.third_party_invoicer_name, cert.third_party_invoicer_country
    if not name or not country:
        yield _finding(
            "third_party_invoicer_missing",
            Severity.ERROR,
            _(
                "Box 7 must give the name and country of the invoicing company, %(name)s (%(country)s)."
            )
            % {"name": invoice.seller_name, "country": invoice.seller_country},
            invoicer,
            "certificate.third_party_invoicer_name",
            "certificate.third_party_invoicer_country",
        )
        return
    mismatched = [
        path
        for path, same in (
            ("certificate.third_party_invoicer_name", same_name(name, invoice.seller_name)),
            ("certificate.third_party_invoicer_country", country == invoice.seller_country),
        )
        if not same
    ]
    if mismatched:
        yield _finding(
            "third_party_invoicer_mismatch",
            Severity.ERROR,
            _(
                "Box 7 names the invoicing company %(certificate_name)s (%(certificate_country)s) but "
                "the invoice is issued by %(name)s (%(country)s)."
            )
            % {
                "certificate_name": name,
                "certificate_country": country,
                "name": invoice.seller_name,
                "country": invoice.seller_country,
            },
            {
                "certificate.third_party_invoicer_name": name,
                "certificate.third_party_invoicer_country": country,
                **invoicer,
            },
            *mismatched,
        )


@cache
def _english_country_name(code: str) -> str:
    return str(Locale("en").territories.get(code, ""))


def _contains_words(text: list[str], phrase: list[str]) -> bool:
    size = len(phrase)
    return size > 0 and any(text[i : i + size] == phrase for i in range(len(text) - size + 1))


def _route(
    prefix: str, loading: Port | None, transit: Sequence[Port], discharge: Port | None
) -> list[tuple[str, Port]]:
    ports: list[tuple[str, Port]] = []
    if loading is not None:
        ports.append((f"{prefix}.port_of_loading", loading))
    ports.extend((f"{prefix}.transit_ports.{i}", port) for i, port in enumerate(transit))
    if discharge is not None:
        ports.append((f"{prefix}.port_of_discharge", discharge))
    return ports


def _check_transit(docs: _Documents) -> Iterator[Finding]:
    cert, bill = docs.certificate, docs.bill
    route = _route(
        "bill_of_lading", bill.port_of_loading, bill.transit_ports, bill.port_of_discharge
    )
    outside = [(path, port) for path, port in route if port.country not in PARTIES]
    if not outside:
        return
    countries = list(dict.fromkeys(port.country for _path, port in outside))
    shown_ports = _route(
        "certificate", cert.port_of_loading, cert.transit_ports, cert.port_of_discharge
    )
    shown_countries = {port.country for _path, port in shown_ports}
    remarks = _words(cert.remarks)

    def shown(country: str) -> bool:
        # Names only: a bare code such as IN or TO cannot be told from a word of the remarks.
        names = [_english_country_name(country)] + [
            p.name for _path, p in outside if p.country == country
        ]
        return country in shown_countries or any(
            _contains_words(remarks, _words(name)) for name in names
        )

    hidden = [country for country in countries if not shown(country)]
    if hidden:
        yield _finding(
            "transit_not_shown",
            Severity.ERROR,
            _(
                "The B/L routes the goods through %(countries)s, outside ACFTA; show it in box 3 or in "
                "the remarks of box 13."
            )
            % {"countries": ", ".join(hidden)},
            {"countries": hidden},
            *[f"{path}.country" for path, port in outside if port.country in hidden],
            "certificate.transit_ports",
            "certificate.remarks",
        )
    if not (bill.through_bill or cert.transit_customs_documents):
        yield _finding(
            "transit_without_evidence",
            Severity.ERROR,
            _(
                "The goods pass through %(countries)s, outside ACFTA: a through bill of lading or customs "
                "documents of the transit country must prove they were not manipulated there."
            )
            % {"countries": ", ".join(countries)},
            {"countries": countries},
            "bill_of_lading.through_bill",
            "certificate.transit_customs_documents",
        )


def _check_dates(docs: _Documents) -> Iterator[Finding]:
    cert, invoice, bill = docs.certificate, docs.invoice, docs.bill
    shipped, shipped_field = bill.shipment_date, bill.shipment_date_field
    if invoice.date > shipped:
        gap = (invoice.date - shipped).days
        yield _finding(
            "dates_out_of_order",
            Severity.WARNING,
            ngettext(
                "The invoice is dated %(invoice)s, %(days)d day after the goods were shipped on "
                "%(shipped)s.",
                "The invoice is dated %(invoice)s, %(days)d days after the goods were shipped on "
                "%(shipped)s.",
                gap,
            )
            % {"invoice": _iso(invoice.date), "days": gap, "shipped": _iso(shipped)},
            {"invoice.date": _iso(invoice.date), shipped_field: _iso(shipped), "days": gap},
            "invoice.date",
            shipped_field,
        )
    if invoice.date > cert.issue_date:
        yield _finding(
            "invoice_after_certificate",
            Severity.WARNING,
            _("The invoice is dated %(invoice)s, after the certificate was issued on %(issued)s.")
            % {"invoice": _iso(invoice.date), "issued": _iso(cert.issue_date)},
            {"invoice.date": _iso(invoice.date), "certificate.issue_date": _iso(cert.issue_date)},
            "invoice.date",
            "certificate.issue_date",
        )
    late_days = working_days_after(
        shipped, cert.issue_date, holidays=docs.holidays, limit=ON_TIME_WORKING_DAYS
    )
    on_time = late_days <= ON_TIME_WORKING_DAYS
    issue_values = {"certificate.issue_date": _iso(cert.issue_date), shipped_field: _iso(shipped)}
    if not on_time and not cert.issued_retroactively:
        yield _finding(
            "issued_late_not_retroactive",
            Severity.ERROR,
            _(
                "The certificate was issued on %(issued)s, more than %(days)d working days after "
                "shipment on %(shipped)s: tick “Issued Retroactively” in box 13."
            )
            % {
                "issued": _iso(cert.issue_date),
                "days": ON_TIME_WORKING_DAYS,
                "shipped": _iso(shipped),
            },
            issue_values,
            "certificate.issued_retroactively",
            "certificate.issue_date",
            shipped_field,
        )
    latest = add_months(shipped, RETROACTIVE_MONTHS)
    if cert.issue_date > latest:
        yield _finding(
            "retroactive_too_late",
            Severity.ERROR,
            _(
                "The certificate was issued on %(issued)s; even retroactively it must be issued by "
                "%(latest)s, %(months)d months after shipment."
            )
            % {
                "issued": _iso(cert.issue_date),
                "latest": _iso(latest),
                "months": RETROACTIVE_MONTHS,
            },
            {**issue_values, "latest_issue_date": _iso(latest)},
            "certificate.issue_date",
            shipped_field,
        )
    if on_time and cert.issued_retroactively:
        yield _finding(
            "retroactive_unneeded",
            Severity.WARNING,
            _("“Issued Retroactively” is ticked but the certificate was issued on time."),
            issue_values,
            "certificate.issued_retroactively",
            "certificate.issue_date",
        )
    if docs.importation_date is not None:
        expiry = add_months(cert.issue_date, VALIDITY_MONTHS)
        if docs.importation_date > expiry:
            yield _finding(
                "certificate_expired",
                Severity.ERROR,
                _(
                    "The goods are imported on %(imported)s but the certificate issued on %(issued)s is "
                    "valid until %(expiry)s."
                )
                % {
                    "imported": _iso(docs.importation_date),
                    "issued": _iso(cert.issue_date),
                    "expiry": _iso(expiry),
                },
                {
                    "importation_date": _iso(docs.importation_date),
                    "certificate.issue_date": _iso(cert.issue_date),
                    "valid_until": _iso(expiry),
                },
                "importation_date",
                "certificate.issue_date",
            )


def _check_transport(docs: _Documents) -> Iterator[Finding]:
    cert, bill = docs.certificate, docs.bill
    shipped, shipped_field = bill.shipment_date, bill.shipment_date_field
    if cert.departure_date is not None and cert.departure_date != shipped:
        yield _finding(
            "departure_date_mismatch",
            Severity.WARNING,
            _("Box 3 gives the departure date %(certificate)s but the B/L %(shipped)s.")
            % {"certificate": _iso(cert.departure_date), "shipped": _iso(shipped)},
            {"certificate.departure_date": _iso(cert.departure_date), shipped_field: _iso(shipped)},
            "certificate.departure_date",
            shipped_field,
        )
    if cert.vessel_name and bill.vessel_name:
        ours, theirs = _plain(cert.vessel_name), _plain(bill.vessel_name)
        # Either side may add the voyage number ("EVER GIVEN V.123E"); one containing the other agrees.
        if not (
            _contains_words(ours.split(), theirs.split())
            or _contains_words(theirs.split(), ours.split())
        ):
            yield _finding(
                "vessel_mismatch",
                Severity.WARNING,
                _("Box 3 names the vessel “%(certificate)s” but the B/L “%(document)s”.")
                % {"certificate": cert.vessel_name, "document": bill.vessel_name},
                {
                    "certificate.vessel_name": cert.vessel_name,
                    "bill_of_lading.vessel_name": bill.vessel_name,
                },
                "certificate.vessel_name",
                "bill_of_lading.vessel_name",
            )
    if cert.port_of_discharge is not None:
        ours_port, theirs_port = cert.port_of_discharge, bill.port_of_discharge
        if ours_port.country != theirs_port.country or _plain(ours_port.name) != _plain(
            theirs_port.name
        ):
            yield _finding(
                "port_of_discharge_mismatch",
                Severity.WARNING,
                _("Box 3 gives the port of discharge %(certificate)s but the B/L %(document)s.")
                % {
                    "certificate": f"{ours_port.name} ({ours_port.country})",
                    "document": f"{theirs_port.name} ({theirs_port.country})",
                },
                {
                    "certificate.port_of_discharge": {
                        "name": ours_port.name,
                        "country": ours_port.country,
                    },
                    "bill_of_lading.port_of_discharge": {
                        "name": theirs_port.name,
                        "country": theirs_port.country,
                    },
                },
                "certificate.port_of_discharge",
                "bill_of_lading.port_of_discharge",
            )


_RULES: tuple[Callable[[_Documents], Iterator[Finding]], ...] = (
    _check_parties,
    _check_names,
    _check_goods,
    _check_criterion,
    _check_value_and_quantity,
    _check_invoice_reference,
    _check_third_party_invoicing,
    _check_transit,
    _check_dates,
    _check_transport,
)


def _criteria_list_message() -> str:
    return _("Give a list of origin criteria such as %(example)s.") % {"example": '["PE", "45%"]'}


def _criterion_message() -> str:
    return _("Write WO, PE, CTH, PSR or a percentage such as %(example)s.") % {"example": "40%"}


def _validated_criteria(criteria: Sequence[str] | None) -> tuple[str, ...] | None:
    if criteria is None:
        return None
    if isinstance(criteria, str) or not isinstance(criteria, Sequence):
        raise ValidationFailed.for_field("calculated_criteria", _criteria_list_message())
    errors = [
        FieldError(f"calculated_criteria.{index}", _criterion_message())
        for index, item in enumerate(criteria)
        if not isinstance(item, str) or parse_criterion(item) is None
    ]
    if errors:
        raise ValidationFailed(_("Some calculated criteria are not origin criteria."), errors)
    return tuple(item.strip().upper() for item in criteria)


def check_form_e(
    certificate: Certificate,
    invoice: Invoice,
    bill_of_lading: BillOfLading,
    *,
    calculated_criteria: Sequence[str] | None = None,
    importation_date: date | None = None,
    holidays: Collection[date] = (),
) -> FormECheck:
    """Every rule of this module's docstring over one certificate, its invoice and its B/L, in that
    order; ``calculated_criteria`` are what the origin calculator found the goods to meet (None: not
    computed), ``holidays`` the public holidays of the issuing party (weekends never count as working
    days). Raises ValidationFailed for a calculated criterion that is not one."""
    docs = _Documents(
        certificate=certificate,
        invoice=invoice,
        bill=bill_of_lading,
        criteria=_validated_criteria(calculated_criteria),
        importation_date=importation_date,
        holidays=frozenset(holidays),
    )
    return FormECheck(tuple(finding for rule in _RULES for finding in rule(docs)))


def check_form_e_input(documents: FormEInput) -> FormECheck:
    """``check_form_e`` over a parsed payload."""
    return check_form_e(
        documents.certificate,
        documents.invoice,
        documents.bill_of_lading,
        calculated_criteria=documents.calculated_criteria,
        importation_date=documents.importation_date,
        holidays=documents.holidays,
    )


# Parsing ------------------------------------------------------------------------------------------------

_MISSING = object()
_T = TypeVar("_T")
NAME_LIMIT = 300
TEXT_LIMIT = 5000
MAX_PORTS = 20
MAX_HOLIDAYS = 400


class _Reader:
    """Reads one JSON object field by field, collecting an error per bad field (paths under ``prefix``)."""

    def __init__(self, data: Any, prefix: str, errors: list[FieldError]) -> None:
        self.prefix = prefix
        self.errors = errors
        self.valid = isinstance(data, Mapping)
        self.data: Mapping[str, Any] = data if isinstance(data, Mapping) else {}
        if not self.valid:
            self.fail(None, _("Give an object."))

    def path(self, name: str | None) -> str:
        if not name:
            return self.prefix
        return f"{self.prefix}.{name}" if self.prefix else name

    def fail(self, name: str | None, message: str) -> None:
        self.errors.append(FieldError(self.path(name), message))

    def reject_unknown(self, known: Collection[str]) -> None:
        for name in sorted(set(self.data) - set(known), key=str):
            self.fail(str(name), _("Unknown field."))

    def raw(self, name: str, *, required: bool) -> Any:
        value = self.data.get(name, _MISSING)
        if value is _MISSING or value is None or (isinstance(value, str) and not value.strip()):
            if required and self.valid:
                self.fail(name, _("This field is required."))
            return _MISSING
        return value

    def text(self, name: str, *, required: bool = True, limit: int = NAME_LIMIT) -> str | None:
        value = self.raw(name, required=required)
        if value is _MISSING:
            return None
        if not isinstance(value, str) or len(value) > limit:
            self.fail(name, _("Give text of at most %(limit)d characters.") % {"limit": limit})
            return None
        return value.strip()

    def day(self, name: str, *, required: bool = True) -> date | None:
        return _parse_date(self.raw(name, required=required), self, name)

    def flag(self, name: str) -> bool:
        value = self.raw(name, required=False)
        if value is _MISSING:
            return False
        if not isinstance(value, bool):
            self.fail(name, _("Give true or false."))
            return False
        return value

    def country(self, name: str, *, required: bool = True) -> str | None:
        value = self.raw(name, required=required)
        if value is _MISSING:
            return None
        code = value.strip().upper() if isinstance(value, str) else ""
        if not _COUNTRY.match(code):
            self.fail(name, _("Give a two-letter ISO 3166 country code such as VN."))
            return None
        return code

    def hs_code(self, name: str, *, required: bool = True) -> str | None:
        value = self.raw(name, required=required)
        if value is _MISSING:
            return None
        code = re.sub(r"[\s.]", "", value) if isinstance(value, str) else ""
        if not _HS.match(code):
            self.fail(name, _("Give an HS code of 6 to 12 digits."))
            return None
        return code

    def weight(self, name: str) -> Decimal | None:
        value = self.raw(name, required=False)
        if value is _MISSING:
            return None
        return _parse_positive_decimal(value, self, name)

    def money(self, name: str) -> Money | None:
        value = self.raw(name, required=False)
        if value is _MISSING:
            return None
        reader = _Reader(value, self.path(name), self.errors)
        reader.reject_unknown(("amount", "currency"))
        amount = reader.raw("amount", required=True)
        currency = reader.raw("currency", required=True)
        ok = reader.valid
        if amount is not _MISSING and (type(amount) is not int or amount < 0):
            reader.fail(
                "amount", _("Give a whole, non-negative amount in the currency's minor unit.")
            )
            ok = False
        code = currency.strip().upper() if isinstance(currency, str) else ""
        if currency is not _MISSING and not _CURRENCY.match(code):
            reader.fail("currency", _("Give a three-letter ISO 4217 currency code such as USD."))
            ok = False
        if not ok or amount is _MISSING or currency is _MISSING:
            return None
        return Money(amount=amount, currency=code)

    def quantity(self, name: str) -> Quantity | None:
        value = self.raw(name, required=False)
        if value is _MISSING:
            return None
        reader = _Reader(value, self.path(name), self.errors)
        reader.reject_unknown(("value", "unit"))
        raw_value = reader.raw("value", required=True)
        unit = reader.text("unit", limit=20)
        amount = (
            None if raw_value is _MISSING else _parse_positive_decimal(raw_value, reader, "value")
        )
        if amount is None or unit is None:
            return None
        return Quantity(value=amount, unit=unit)

    def port(self, name: str, *, required: bool) -> Port | None:
        value = self.raw(name, required=required)
        if value is _MISSING:
            return None
        return _parse_port(value, self.path(name), self.errors)

    def ports(self, name: str) -> tuple[Port, ...]:
        value = self.raw(name, required=False)
        if value is _MISSING:
            return ()
        if not isinstance(value, list) or len(value) > MAX_PORTS:
            self.fail(name, _("Give a list of at most %(n)d ports.") % {"n": MAX_PORTS})
            return ()
        ports = [
            _parse_port(item, f"{self.path(name)}.{i}", self.errors) for i, item in enumerate(value)
        ]
        return tuple(port for port in ports if port is not None)


def _parse_port(value: Any, prefix: str, errors: list[FieldError]) -> Port | None:
    reader = _Reader(value, prefix, errors)
    reader.reject_unknown(("name", "country"))
    name = reader.text("name")
    country = reader.country("country")
    if name is None or country is None:
        return None
    return Port(name=name, country=country)


def _parse_date(value: Any, reader: _Reader, name: str) -> date | None:
    if value is _MISSING:
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    reader.fail(name, _("Give a date as YYYY-MM-DD."))
    return None


def _parse_positive_decimal(value: Any, reader: _Reader, name: str) -> Decimal | None:
    number: Decimal | None = None
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            number = None
    elif isinstance(value, str) and _DECIMAL.match(value.strip()):
        number = Decimal(value.strip())
    if number is None or not number.is_finite() or number <= 0:
        reader.fail(name, _("Give a positive number."))
        return None
    return number


CERTIFICATE_FIELDS = (
    "reference_number",
    "issue_date",
    "exporter_name",
    "exporter_country",
    "consignee_name",
    "consignee_country",
    "departure_date",
    "vessel_name",
    "port_of_loading",
    "transit_ports",
    "port_of_discharge",
    "goods_description",
    "hs_code",
    "third_party_invoicer_name",
    "third_party_invoicer_country",
    "origin_criterion",
    "gross_weight_kg",
    "quantity",
    "fob_value",
    "invoice_number",
    "invoice_date",
    "issued_retroactively",
    "third_party_invoicing",
    "remarks",
    "transit_customs_documents",
)
INVOICE_FIELDS = (
    "number",
    "date",
    "seller_name",
    "seller_country",
    "buyer_name",
    "goods_description",
    "hs_code",
    "quantity",
    "gross_weight_kg",
    "fob_value",
)
BILL_OF_LADING_FIELDS = (
    "number",
    "issue_date",
    "shipped_on_board_date",
    "shipper_name",
    "consignee_name",
    "notify_party_name",
    "vessel_name",
    "port_of_loading",
    "transit_ports",
    "port_of_discharge",
    "gross_weight_kg",
    "through_bill",
)
PAYLOAD_FIELDS = (
    "certificate",
    "invoice",
    "bill_of_lading",
    "calculated_criteria",
    "importation_date",
    "holidays",
)


def _read_certificate(data: Any, errors: list[FieldError], prefix: str) -> Certificate | None:
    r = _Reader(data, prefix, errors)
    r.reject_unknown(CERTIFICATE_FIELDS)
    parsed = {
        "reference_number": r.text("reference_number", required=False),
        "issue_date": r.day("issue_date"),
        "exporter_name": r.text("exporter_name"),
        "exporter_country": r.country("exporter_country"),
        "consignee_name": r.text("consignee_name"),
        "consignee_country": r.country("consignee_country"),
        "departure_date": r.day("departure_date", required=False),
        "vessel_name": r.text("vessel_name", required=False),
        "port_of_loading": r.port("port_of_loading", required=False),
        "transit_ports": r.ports("transit_ports"),
        "port_of_discharge": r.port("port_of_discharge", required=False),
        "goods_description": r.text("goods_description", limit=TEXT_LIMIT),
        "hs_code": r.hs_code("hs_code"),
        "third_party_invoicer_name": r.text("third_party_invoicer_name", required=False),
        "third_party_invoicer_country": r.country("third_party_invoicer_country", required=False),
        "origin_criterion": r.text("origin_criterion", limit=20),
        "gross_weight_kg": r.weight("gross_weight_kg"),
        "quantity": r.quantity("quantity"),
        "fob_value": r.money("fob_value"),
        "invoice_number": r.text("invoice_number", limit=100),
        "invoice_date": r.day("invoice_date"),
        "issued_retroactively": r.flag("issued_retroactively"),
        "third_party_invoicing": r.flag("third_party_invoicing"),
        "remarks": r.text("remarks", required=False, limit=TEXT_LIMIT) or "",
        "transit_customs_documents": r.flag("transit_customs_documents"),
    }
    return _build(Certificate, parsed, errors)


def _read_invoice(data: Any, errors: list[FieldError], prefix: str) -> Invoice | None:
    r = _Reader(data, prefix, errors)
    r.reject_unknown(INVOICE_FIELDS)
    parsed = {
        "number": r.text("number", limit=100),
        "date": r.day("date"),
        "seller_name": r.text("seller_name"),
        "seller_country": r.country("seller_country"),
        "buyer_name": r.text("buyer_name"),
        "goods_description": r.text("goods_description", limit=TEXT_LIMIT),
        "hs_code": r.hs_code("hs_code", required=False),
        "quantity": r.quantity("quantity"),
        "gross_weight_kg": r.weight("gross_weight_kg"),
        "fob_value": r.money("fob_value"),
    }
    return _build(Invoice, parsed, errors)


def _read_bill_of_lading(data: Any, errors: list[FieldError], prefix: str) -> BillOfLading | None:
    r = _Reader(data, prefix, errors)
    r.reject_unknown(BILL_OF_LADING_FIELDS)
    parsed = {
        "number": r.text("number", required=False, limit=100),
        "issue_date": r.day("issue_date"),
        "shipped_on_board_date": r.day("shipped_on_board_date", required=False),
        "shipper_name": r.text("shipper_name"),
        "consignee_name": r.text("consignee_name"),
        "notify_party_name": r.text("notify_party_name", required=False),
        "vessel_name": r.text("vessel_name", required=False),
        "port_of_loading": r.port("port_of_loading", required=True),
        "transit_ports": r.ports("transit_ports"),
        "port_of_discharge": r.port("port_of_discharge", required=True),
        "gross_weight_kg": r.weight("gross_weight_kg"),
        "through_bill": r.flag("through_bill"),
    }
    return _build(BillOfLading, parsed, errors)


def _build(kind: Callable[..., _T], parsed: dict[str, Any], errors: list[FieldError]) -> _T | None:
    """The dataclass when nothing failed so far; None otherwise (every missing or bad required value
    has added its error, so None never goes unexplained)."""
    if errors:
        return None
    return kind(**parsed)


def _raise_if_any(errors: list[FieldError]) -> None:
    if errors:
        raise ValidationFailed.for_fields(errors)


def certificate_from_dict(data: Any, *, prefix: str = "certificate") -> Certificate:
    """A Certificate from its JSON form; raises ValidationFailed naming each bad field."""
    errors: list[FieldError] = []
    certificate = _read_certificate(data, errors, prefix)
    _raise_if_any(errors)
    assert certificate is not None
    return certificate


def invoice_from_dict(data: Any, *, prefix: str = "invoice") -> Invoice:
    """An Invoice from its JSON form; raises ValidationFailed naming each bad field."""
    errors: list[FieldError] = []
    invoice = _read_invoice(data, errors, prefix)
    _raise_if_any(errors)
    assert invoice is not None
    return invoice


def bill_of_lading_from_dict(data: Any, *, prefix: str = "bill_of_lading") -> BillOfLading:
    """A BillOfLading from its JSON form; raises ValidationFailed naming each bad field."""
    errors: list[FieldError] = []
    bill = _read_bill_of_lading(data, errors, prefix)
    _raise_if_any(errors)
    assert bill is not None
    return bill


def form_e_from_dict(data: Any) -> FormEInput:
    """The documents of a pre-check from a JSON payload ``{"certificate": {…}, "invoice": {…},
    "bill_of_lading": {…}, "calculated_criteria": ["PE", "45%"] | null, "importation_date":
    "YYYY-MM-DD" | null, "holidays": ["YYYY-MM-DD", …]}``. Dates are ISO dates; money is
    ``{"amount": <integer in minor units, not negative>, "currency": "USD"}``; quantities
    ``{"value": "12.5", "unit": "PCS"}``; weights positive kilograms; countries ISO alpha-2; HS codes 6 to 12
    digits (dots and spaces ignored). Every bad field is reported at once, by its dotted path, in one
    ValidationFailed."""
    errors: list[FieldError] = []
    if not isinstance(data, Mapping):
        raise ValidationFailed.for_field("body", _("Give the documents as a JSON object."))
    top = _Reader(data, "", errors)
    top.reject_unknown(PAYLOAD_FIELDS)
    for name in ("certificate", "invoice", "bill_of_lading"):
        if data.get(name) is None:
            top.fail(name, _("This field is required."))
    certificate = (
        _read_certificate(data["certificate"], errors, "certificate")
        if data.get("certificate") is not None
        else None
    )
    invoice = (
        _read_invoice(data["invoice"], errors, "invoice")
        if data.get("invoice") is not None
        else None
    )
    bill = (
        _read_bill_of_lading(data["bill_of_lading"], errors, "bill_of_lading")
        if data.get("bill_of_lading") is not None
        else None
    )
    criteria: tuple[str, ...] | None = None
    raw_criteria = data.get("calculated_criteria")
    if raw_criteria is not None:
        if not isinstance(raw_criteria, list):
            top.fail("calculated_criteria", _criteria_list_message())
        else:
            try:
                criteria = _validated_criteria(raw_criteria)
            except ValidationFailed as failure:
                errors.extend(failure.errors)
    importation_date = top.day("importation_date", required=False)
    holidays: list[date] = []
    raw_holidays = data.get("holidays")
    if raw_holidays is not None:
        if not isinstance(raw_holidays, list) or len(raw_holidays) > MAX_HOLIDAYS:
            top.fail("holidays", _("Give a list of at most %(n)d dates.") % {"n": MAX_HOLIDAYS})
        else:
            holiday_reader = _Reader({}, "holidays", errors)
            for index, item in enumerate(raw_holidays):
                parsed = _parse_date(item, holiday_reader, str(index))
                if parsed is not None:
                    holidays.append(parsed)
    _raise_if_any(errors)
    assert certificate is not None and invoice is not None and bill is not None
    return FormEInput(
        certificate=certificate,
        invoice=invoice,
        bill_of_lading=bill,
        calculated_criteria=criteria,
        importation_date=importation_date,
        holidays=tuple(holidays),
    )
