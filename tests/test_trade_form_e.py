"""Form E pre-check: every rule on a clean set of documents and on the same set with one defect, name and
description normalisation, the date boundaries, and the parsing of JSON payloads."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harbor.core.errors import ValidationFailed
from harbor.trade.form_e import (
    BillOfLading,
    Certificate,
    Finding,
    FormECheck,
    Invoice,
    Money,
    Port,
    Quantity,
    Severity,
    add_months,
    check_form_e,
    check_form_e_input,
    description_overlap,
    description_words,
    form_e_from_dict,
    normalise_name,
    parse_criterion,
    same_name,
    working_days_after,
)

HAI_PHONG = Port(name="Hai Phong", country="VN")
LAEM_CHABANG = Port(name="Laem Chabang", country="TH")
HONG_KONG = Port(name="Hong Kong", country="HK")
SHIPPED = date(2024, 3, 4)  # a Monday
CRITERIA = ["45%", "CTH"]


def certificate(**changes: Any) -> Certificate:
    """Hanoi Ceramics (VN) to Siam Home Retail (TH): ceramic plates, issued the day after shipment."""
    clean = Certificate(
        reference_number="VN-TH 24/01/00123",
        issue_date=date(2024, 3, 5),
        exporter_name="Hanoi Ceramics Co., Ltd.",
        exporter_country="VN",
        consignee_name="Siam Home Retail Public Company Limited",
        consignee_country="TH",
        departure_date=SHIPPED,
        vessel_name="WAN HAI 305",
        port_of_loading=HAI_PHONG,
        port_of_discharge=LAEM_CHABANG,
        goods_description="500 CARTONS OF CERAMIC DINNER PLATES",
        hs_code="69120010",
        origin_criterion="45%",
        gross_weight_kg=Decimal("5000"),
        quantity=Quantity(value=Decimal("12000"), unit="PCS"),
        fob_value=Money(amount=4_250_000, currency="USD"),
        invoice_number="HC-2024-031",
        invoice_date=date(2024, 3, 1),
    )
    return replace(clean, **changes)


def invoice(**changes: Any) -> Invoice:
    clean = Invoice(
        number="HC-2024-031",
        date=date(2024, 3, 1),
        seller_name="HANOI CERAMICS COMPANY LIMITED",
        seller_country="VN",
        buyer_name="Siam Home Retail PCL",
        goods_description="Ceramic dinner plates, 27 cm, white",
        hs_code="691200",
        quantity=Quantity(value=Decimal("12000.0"), unit="pcs"),
        gross_weight_kg=Decimal("5000.00"),
        fob_value=Money(amount=4_250_000, currency="USD"),
    )
    return replace(clean, **changes)


def bill(**changes: Any) -> BillOfLading:
    clean = BillOfLading(
        number="WHLC0241234567",
        issue_date=SHIPPED,
        shipped_on_board_date=SHIPPED,
        shipper_name="Hanoi Ceramics Co Ltd",
        consignee_name="SIAM HOME RETAIL PUBLIC CO., LTD.",
        vessel_name="WAN HAI 305 V.S112",
        port_of_loading=HAI_PHONG,
        port_of_discharge=LAEM_CHABANG,
        gross_weight_kg=Decimal("5000.000"),
    )
    return replace(clean, **changes)


def run(
    cert: dict[str, Any] | None = None,
    inv: dict[str, Any] | None = None,
    bl: dict[str, Any] | None = None,
    **options: Any,
) -> FormECheck:
    options.setdefault("calculated_criteria", CRITERIA)
    options.setdefault("importation_date", date(2024, 3, 12))
    return check_form_e(
        certificate(**(cert or {})), invoice(**(inv or {})), bill(**(bl or {})), **options
    )


def summary(result: FormECheck) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(f.code, str(f.severity), f.fields) for f in result.findings]


# The clean set ------------------------------------------------------------------------------------------


def test_clean_documents_have_no_findings() -> None:
    result = run()

    assert result.findings == ()
    assert result.ok is True
    assert result.as_dict() == {
        "ok": True,
        "counts": {"error": 0, "warning": 0, "info": 0},
        "findings": [],
    }


def test_without_calculated_criteria_box_8_is_only_reported_as_not_verified() -> None:
    result = run(calculated_criteria=None)

    assert summary(result) == [
        ("criterion_not_verified", "info", ("certificate.origin_criterion",))
    ]
    assert result.ok is True


# One defect, one finding --------------------------------------------------------------------------------

MERCHANT = "certificate.exporter_name"
BUYER = "certificate.consignee_name"

DEFECTS: list[
    tuple[str, dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any], list[Any]]
] = [
    (
        "exporter outside ACFTA",
        {"exporter_country": "HK"},
        {"seller_country": "HK"},
        {},
        {},
        [("exporter_country_not_party", "error", ("certificate.exporter_country",))],
    ),
    (
        "consignee outside ACFTA",
        {"consignee_country": "JP"},
        {},
        {},
        {},
        [("consignee_country_not_party", "error", ("certificate.consignee_country",))],
    ),
    (
        "exporter and consignee in one country",
        {"consignee_country": "VN"},
        {},
        {},
        {},
        [
            (
                "countries_not_distinct",
                "error",
                ("certificate.exporter_country", "certificate.consignee_country"),
            )
        ],
    ),
    (
        "invoice seller differs",
        {},
        {"seller_name": "Hanoi Trading Co., Ltd."},
        {},
        {},
        [("exporter_mismatch", "error", (MERCHANT, "invoice.seller_name"))],
    ),
    (
        "B/L shipper differs",
        {},
        {},
        {"shipper_name": "Vinatrans Logistics JSC"},
        {},
        [("exporter_mismatch", "error", (MERCHANT, "bill_of_lading.shipper_name"))],
    ),
    (
        "invoice buyer differs",
        {},
        {"buyer_name": "Bangkok Home Retail Co., Ltd."},
        {},
        {},
        [("consignee_mismatch", "error", (BUYER, "invoice.buyer_name"))],
    ),
    (
        "B/L consignee differs",
        {},
        {},
        {"consignee_name": "Siam Warehouse Co., Ltd."},
        {},
        [("consignee_mismatch", "error", (BUYER, "bill_of_lading.consignee_name"))],
    ),
    (
        "to-order B/L notifies someone else",
        {},
        {},
        {
            "consignee_name": "TO ORDER OF KASIKORNBANK",
            "notify_party_name": "Thai Freight Co., Ltd.",
        },
        {},
        [("consignee_mismatch", "error", (BUYER, "bill_of_lading.notify_party_name"))],
    ),
    (
        "descriptions share a third of their words",
        {},
        {"goods_description": "Ceramic bowls, glazed, 15 cm"},
        {},
        {},
        [
            (
                "description_mismatch",
                "warning",
                ("certificate.goods_description", "invoice.goods_description"),
            )
        ],
    ),
    (
        "descriptions share no word",
        {},
        {"goods_description": "Stainless steel cutlery"},
        {},
        {},
        [
            (
                "description_mismatch",
                "error",
                ("certificate.goods_description", "invoice.goods_description"),
            )
        ],
    ),
    (
        "HS subheading differs",
        {},
        {"hs_code": "691110"},
        {},
        {},
        [("hs_code_mismatch", "error", ("certificate.hs_code", "invoice.hs_code"))],
    ),
    (
        "box 8 unreadable",
        {"origin_criterion": "RVC40"},
        {},
        {},
        {},
        [("criterion_format", "error", ("certificate.origin_criterion",))],
    ),
    (
        "box 8 percentage over 100",
        {"origin_criterion": "140%"},
        {},
        {},
        {},
        [("criterion_format", "error", ("certificate.origin_criterion",))],
    ),
    (
        "box 8 below 40 %",
        {"origin_criterion": "35%"},
        {},
        {},
        {"calculated_criteria": ["35%"]},
        [("rvc_below_threshold", "error", ("certificate.origin_criterion",))],
    ),
    (
        "box 8 percentage above the calculated one",
        {"origin_criterion": "50%"},
        {},
        {},
        {},
        [("criterion_inconsistent", "error", ("certificate.origin_criterion",))],
    ),
    (
        "box 8 code the calculation did not find",
        {"origin_criterion": "PE"},
        {},
        {},
        {},
        [("criterion_inconsistent", "error", ("certificate.origin_criterion",))],
    ),
    (
        "box 8 when the calculation found nothing",
        {},
        {},
        {},
        {"calculated_criteria": []},
        [("criterion_inconsistent", "error", ("certificate.origin_criterion",))],
    ),
    (
        "percentage criterion without FOB",
        {"fob_value": None},
        {},
        {},
        {},
        [("fob_missing", "error", ("certificate.fob_value", "certificate.origin_criterion"))],
    ),
    (
        "FOB in another currency",
        {},
        {"fob_value": Money(amount=4_250_000, currency="EUR")},
        {},
        {},
        [
            (
                "currency_mismatch",
                "error",
                ("certificate.fob_value.currency", "invoice.fob_value.currency"),
            )
        ],
    ),
    (
        "FOB one cent apart",
        {},
        {"fob_value": Money(amount=4_250_001, currency="USD")},
        {},
        {},
        [("fob_mismatch", "error", ("certificate.fob_value.amount", "invoice.fob_value.amount"))],
    ),
    (
        "invoice without FOB",
        {},
        {"fob_value": None},
        {},
        {},
        [("fob_not_verified", "info", ("certificate.fob_value",))],
    ),
    (
        "quantity differs",
        {},
        {"quantity": Quantity(value=Decimal("11999"), unit="PCS")},
        {},
        {},
        [("quantity_mismatch", "error", ("certificate.quantity.value", "invoice.quantity.value"))],
    ),
    (
        "quantity in another unit",
        {},
        {"quantity": Quantity(value=Decimal("12000"), unit="SETS")},
        {},
        {},
        [
            (
                "quantity_unit_mismatch",
                "warning",
                ("certificate.quantity.unit", "invoice.quantity.unit"),
            )
        ],
    ),
    (
        "gross weight differs from the invoice",
        {},
        {"gross_weight_kg": Decimal("5001")},
        {},
        {},
        [
            (
                "gross_weight_mismatch",
                "error",
                ("certificate.gross_weight_kg", "invoice.gross_weight_kg"),
            )
        ],
    ),
    (
        "gross weight differs from the B/L",
        {},
        {},
        {"gross_weight_kg": Decimal("4999.5")},
        {},
        [
            (
                "gross_weight_mismatch",
                "error",
                ("certificate.gross_weight_kg", "bill_of_lading.gross_weight_kg"),
            )
        ],
    ),
    (
        "box 10 cites another invoice number",
        {"invoice_number": "HC-2024-032"},
        {},
        {},
        {},
        [("invoice_number_mismatch", "error", ("certificate.invoice_number", "invoice.number"))],
    ),
    (
        "box 10 cites another invoice date",
        {"invoice_date": date(2024, 2, 29)},
        {},
        {},
        {},
        [("invoice_date_mismatch", "error", ("certificate.invoice_date", "invoice.date"))],
    ),
    (
        "third-party invoice, box 13 not ticked",
        {"third_party_invoicer_name": "Pacific Trading Ltd", "third_party_invoicer_country": "HK"},
        {"seller_name": "Pacific Trading Limited", "seller_country": "HK"},
        {},
        {},
        [
            (
                "third_party_invoicing_unmarked",
                "error",
                ("certificate.third_party_invoicing", "invoice.seller_country"),
            )
        ],
    ),
    (
        "third-party invoice, box 7 silent",
        {"third_party_invoicing": True},
        {"seller_name": "Pacific Trading Limited", "seller_country": "HK"},
        {},
        {},
        [
            (
                "third_party_invoicer_missing",
                "error",
                (
                    "certificate.third_party_invoicer_name",
                    "certificate.third_party_invoicer_country",
                ),
            )
        ],
    ),
    (
        "third-party invoice, box 7 names another company",
        {
            "third_party_invoicing": True,
            "third_party_invoicer_name": "Pacific Holdings Ltd",
            "third_party_invoicer_country": "HK",
        },
        {"seller_name": "Pacific Trading Limited", "seller_country": "HK"},
        {},
        {},
        [("third_party_invoicer_mismatch", "error", ("certificate.third_party_invoicer_name",))],
    ),
    (
        "invoice from another party, box 7 gives the wrong country",
        {
            "third_party_invoicing": True,
            "third_party_invoicer_name": "Lion Sourcing Pte Ltd",
            "third_party_invoicer_country": "MY",
        },
        {"seller_name": "Lion Sourcing Pte. Ltd.", "seller_country": "SG"},
        {},
        {},
        [
            (
                "third_party_invoicer_mismatch",
                "error",
                ("certificate.third_party_invoicer_country",),
            )
        ],
    ),
    (
        "third-party invoicing ticked for the exporter's own invoice",
        {"third_party_invoicing": True},
        {},
        {},
        {},
        [
            (
                "third_party_invoicing_unneeded",
                "warning",
                ("certificate.third_party_invoicing", "invoice.seller_country"),
            )
        ],
    ),
    (
        "transit through Hong Kong shown, no evidence",
        {"transit_ports": (HONG_KONG,)},
        {},
        {"transit_ports": (HONG_KONG,)},
        {},
        [
            (
                "transit_without_evidence",
                "error",
                ("bill_of_lading.through_bill", "certificate.transit_customs_documents"),
            )
        ],
    ),
    (
        "transit through Hong Kong on a through B/L, not shown",
        {},
        {},
        {"transit_ports": (HONG_KONG,), "through_bill": True},
        {},
        [
            (
                "transit_not_shown",
                "error",
                (
                    "bill_of_lading.transit_ports.0.country",
                    "certificate.transit_ports",
                    "certificate.remarks",
                ),
            )
        ],
    ),
    (
        "loaded in Hong Kong with customs documents, not shown",
        {"transit_customs_documents": True},
        {},
        {"port_of_loading": HONG_KONG},
        {},
        [
            (
                "transit_not_shown",
                "error",
                (
                    "bill_of_lading.port_of_loading.country",
                    "certificate.transit_ports",
                    "certificate.remarks",
                ),
            )
        ],
    ),
    (
        "invoice dated after shipment",
        {"invoice_date": date(2024, 3, 5)},
        {"date": date(2024, 3, 5)},
        {},
        {},
        [
            (
                "dates_out_of_order",
                "warning",
                ("invoice.date", "bill_of_lading.shipped_on_board_date"),
            )
        ],
    ),
    (
        "invoice dated after shipment, B/L without on-board date",
        {"invoice_date": date(2024, 3, 5)},
        {"date": date(2024, 3, 5)},
        {"shipped_on_board_date": None},
        {},
        [("dates_out_of_order", "warning", ("invoice.date", "bill_of_lading.issue_date"))],
    ),
    (
        "invoice dated after the certificate",
        {"issue_date": date(2024, 3, 1), "invoice_date": date(2024, 3, 2)},
        {"date": date(2024, 3, 2)},
        {},
        {},
        [("invoice_after_certificate", "warning", ("invoice.date", "certificate.issue_date"))],
    ),
    (
        "issued 4 working days after shipment",
        {"issue_date": date(2024, 3, 8)},
        {},
        {},
        {},
        [
            (
                "issued_late_not_retroactive",
                "error",
                (
                    "certificate.issued_retroactively",
                    "certificate.issue_date",
                    "bill_of_lading.shipped_on_board_date",
                ),
            )
        ],
    ),
    (
        "retroactive, one day past 12 months",
        {"issue_date": date(2025, 3, 5), "issued_retroactively": True},
        {},
        {},
        {"importation_date": None},
        [
            (
                "retroactive_too_late",
                "error",
                ("certificate.issue_date", "bill_of_lading.shipped_on_board_date"),
            )
        ],
    ),
    (
        "retroactive mark on a certificate issued on time",
        {"issued_retroactively": True},
        {},
        {},
        {},
        [
            (
                "retroactive_unneeded",
                "warning",
                ("certificate.issued_retroactively", "certificate.issue_date"),
            )
        ],
    ),
    (
        "imported one day after 12 months of validity",
        {},
        {},
        {},
        {"importation_date": date(2025, 3, 6)},
        [("certificate_expired", "error", ("importation_date", "certificate.issue_date"))],
    ),
    (
        "box 3 departure date differs",
        {"departure_date": date(2024, 3, 3)},
        {},
        {},
        {},
        [
            (
                "departure_date_mismatch",
                "warning",
                ("certificate.departure_date", "bill_of_lading.shipped_on_board_date"),
            )
        ],
    ),
    (
        "box 3 vessel differs",
        {"vessel_name": "EVER GIVEN"},
        {},
        {},
        {},
        [("vessel_mismatch", "warning", ("certificate.vessel_name", "bill_of_lading.vessel_name"))],
    ),
    (
        "box 3 port of discharge differs",
        {"port_of_discharge": Port(name="Bangkok", country="TH")},
        {},
        {},
        {},
        [
            (
                "port_of_discharge_mismatch",
                "warning",
                ("certificate.port_of_discharge", "bill_of_lading.port_of_discharge"),
            )
        ],
    ),
]


@pytest.mark.parametrize(
    ("cert", "inv", "bl", "options", "expected"),
    [case[1:] for case in DEFECTS],
    ids=[case[0] for case in DEFECTS],
)
def test_one_defect_gives_exactly_its_finding(
    cert: dict[str, Any],
    inv: dict[str, Any],
    bl: dict[str, Any],
    options: dict[str, Any],
    expected: list[tuple[str, str, tuple[str, ...]]],
) -> None:
    result = run(cert, inv, bl, **options)

    assert summary(result) == expected
    assert result.ok is (expected[0][1] != "error")


def test_finding_reports_both_values_and_a_message() -> None:
    result = run(inv={"buyer_name": "Bangkok Home Retail Co., Ltd."})

    assert result.findings == (
        Finding(
            "consignee_mismatch",
            Severity.ERROR,
            ("certificate.consignee_name", "invoice.buyer_name"),
            "Box 2 names the consignee “Siam Home Retail Public Company Limited” but the invoice "
            "buyer is “Bangkok Home Retail Co., Ltd.”.",
            {
                "certificate.consignee_name": "Siam Home Retail Public Company Limited",
                "invoice.buyer_name": "Bangkok Home Retail Co., Ltd.",
            },
        ),
    )


def test_as_dict_is_json_ready() -> None:
    result = run(
        inv={"fob_value": Money(amount=4_250_000, currency="EUR")}, calculated_criteria=None
    )

    payload = json.loads(json.dumps(result.as_dict()))

    assert payload == {
        "ok": False,
        "counts": {"error": 1, "warning": 0, "info": 1},
        "findings": [
            {
                "code": "criterion_not_verified",
                "severity": "info",
                "fields": ["certificate.origin_criterion"],
                "message": "Box 8 was not compared with the origin calculation: none was given.",
                "values": {"certificate.origin_criterion": "45%"},
            },
            {
                "code": "currency_mismatch",
                "severity": "error",
                "fields": ["certificate.fob_value.currency", "invoice.fob_value.currency"],
                "message": "Box 9 states the FOB value in USD but the invoice in EUR.",
                "values": {
                    "certificate.fob_value": {"amount": 4250000, "currency": "USD"},
                    "invoice.fob_value": {"amount": 4250000, "currency": "EUR"},
                },
            },
        ],
    }


# Variants that stay clean -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cert", "inv", "bl", "options"),
    [
        pytest.param({}, {"hs_code": "69120090"}, {}, {}, id="HS differs beyond six digits"),
        pytest.param({}, {"hs_code": None}, {}, {}, id="invoice without HS code"),
        pytest.param(
            {},
            {"goods_description": "Ceramic mugs"},
            {},
            {},
            id="descriptions share half their words",
        ),
        pytest.param({"origin_criterion": "40%"}, {}, {}, {}, id="box 8 below the calculated RVC"),
        pytest.param(
            {"origin_criterion": "45.0 %"}, {}, {}, {}, id="box 8 equal to the calculated RVC"
        ),
        pytest.param({"origin_criterion": "cth"}, {}, {}, {}, id="box 8 code in any case"),
        pytest.param(
            {"origin_criterion": "CTH", "fob_value": None}, {}, {}, {}, id="CTH without FOB"
        ),
        pytest.param({"invoice_number": " hc-2024-031"}, {}, {}, {}, id="invoice number case"),
        pytest.param(
            {},
            {},
            {"consignee_name": "TO ORDER OF KASIKORNBANK", "notify_party_name": "Siam Home Retail"},
            {},
            id="to-order B/L notifying the consignee",
        ),
        pytest.param(
            {}, {}, {"consignee_name": "To Order"}, {}, id="to-order B/L without notify party"
        ),
        pytest.param(
            {
                "third_party_invoicing": True,
                "third_party_invoicer_name": "PACIFIC TRADING LTD",
                "third_party_invoicer_country": "HK",
            },
            {"seller_name": "Pacific Trading Limited", "seller_country": "HK"},
            {},
            {},
            id="third-party invoicing declared",
        ),
        pytest.param(
            {"transit_ports": (HONG_KONG,)},
            {},
            {"transit_ports": (HONG_KONG,), "through_bill": True},
            {},
            id="transit shown in box 3 on a through B/L",
        ),
        pytest.param(
            {"remarks": "TRANSHIPMENT AT HONG KONG", "transit_customs_documents": True},
            {},
            {"transit_ports": (HONG_KONG,)},
            {},
            id="transit in the remarks with transit customs documents",
        ),
        pytest.param(
            {"remarks": "Via Taiwan", "transit_customs_documents": True},
            {},
            {"transit_ports": (Port(name="Kaohsiung", country="TW"),)},
            {},
            id="transit country named in English",
        ),
        pytest.param(
            {},
            {},
            {"transit_ports": (Port(name="Singapore", country="SG"),)},
            {},
            id="transit through another party",
        ),
        pytest.param(
            {"issue_date": date(2024, 3, 7)}, {}, {}, {}, id="issued on the third working day"
        ),
        pytest.param(
            {"issue_date": date(2024, 2, 20), "invoice_date": date(2024, 2, 19)},
            {"date": date(2024, 2, 19)},
            {},
            {},
            id="issued before shipment",
        ),
        pytest.param(
            {"issue_date": date(2024, 3, 8)},
            {},
            {},
            {"holidays": [date(2024, 3, 6)]},
            id="a holiday does not count",
        ),
        pytest.param(
            {"issue_date": date(2025, 3, 4), "issued_retroactively": True},
            {},
            {},
            {"importation_date": date(2025, 3, 10)},
            id="retroactive exactly 12 months after shipment",
        ),
        pytest.param(
            {}, {}, {}, {"importation_date": date(2025, 3, 5)}, id="imported on the last valid day"
        ),
        pytest.param(
            {"departure_date": None, "vessel_name": None, "port_of_discharge": None},
            {},
            {},
            {},
            id="box 3 blank",
        ),
    ],
)
def test_acceptable_variants_stay_clean(
    cert: dict[str, Any], inv: dict[str, Any], bl: dict[str, Any], options: dict[str, Any]
) -> None:
    assert summary(run(cert, inv, bl, **options)) == []


# Findings that come together ----------------------------------------------------------------------------


def test_third_party_invoice_with_nothing_declared() -> None:
    result = run(inv={"seller_name": "Pacific Trading Limited", "seller_country": "HK"})

    assert [f.code for f in result.findings] == [
        "third_party_invoicing_unmarked",
        "third_party_invoicer_missing",
    ]
    assert result.findings[0].values == {
        "invoice.seller_name": "Pacific Trading Limited",
        "invoice.seller_country": "HK",
        "certificate.exporter_country": "VN",
    }


def test_undeclared_transit_through_a_non_party_needs_both_showing_and_evidence() -> None:
    result = run(bl={"transit_ports": (HONG_KONG, Port(name="Kaohsiung", country="TW"))})

    assert summary(result) == [
        (
            "transit_not_shown",
            "error",
            (
                "bill_of_lading.transit_ports.0.country",
                "bill_of_lading.transit_ports.1.country",
                "certificate.transit_ports",
                "certificate.remarks",
            ),
        ),
        (
            "transit_without_evidence",
            "error",
            ("bill_of_lading.through_bill", "certificate.transit_customs_documents"),
        ),
    ]
    assert result.findings[0].values == {"countries": ["HK", "TW"]}


def test_country_code_alone_in_the_remarks_does_not_show_the_transit() -> None:
    # "IN" is also a word: a code is not taken as a mention.
    result = run(
        cert={"remarks": "TRANSHIPPED IN COLOMBO", "transit_customs_documents": True},
        bl={"transit_ports": (Port(name="Nhava Sheva", country="IN"),)},
    )

    assert [f.code for f in result.findings] == ["transit_not_shown"]


def test_late_without_retroactive_mark_beyond_a_year_gives_both_errors() -> None:
    result = run(cert={"issue_date": date(2025, 3, 5)}, importation_date=None)

    assert [f.code for f in result.findings] == [
        "issued_late_not_retroactive",
        "retroactive_too_late",
    ]
    assert result.findings[1].values["latest_issue_date"] == "2025-03-04"


def test_description_warning_reports_the_overlap() -> None:
    result = run(inv={"goods_description": "Ceramic bowls, glazed, 15 cm"})

    assert result.findings[0].values["overlap_percent"] == 33
    assert result.findings[0].message == (
        "Box 7 and the invoice describe the goods differently: 33 % of the words match."
    )


def test_criterion_inconsistent_lists_the_calculation() -> None:
    result = run(cert={"origin_criterion": "50%"})

    assert result.findings[0].values == {
        "certificate.origin_criterion": "50%",
        "calculated_criteria": ["45%", "CTH"],
    }


# Working days, shipped on a Friday ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("issued", "late"),
    [
        (date(2024, 3, 1), False),  # the day of shipment
        (date(2024, 3, 3), False),  # the Sunday after
        (date(2024, 3, 6), False),  # Wednesday: the third working day
        (date(2024, 3, 7), True),  # Thursday: the fourth
    ],
)
def test_working_days_skip_the_weekend(issued: date, late: bool) -> None:
    friday = date(2024, 3, 1)
    result = run(
        cert={"issue_date": issued, "departure_date": friday, "invoice_date": date(2024, 2, 28)},
        inv={"date": date(2024, 2, 28)},
        bl={"issue_date": friday, "shipped_on_board_date": friday},
    )

    assert [f.code for f in result.findings] == (["issued_late_not_retroactive"] if late else [])


def test_working_days_after_counts_up_to_the_limit_only() -> None:
    assert working_days_after(date(2024, 3, 4), date(2024, 3, 7), limit=3) == 3
    assert working_days_after(date(2024, 3, 4), date(2024, 3, 4), limit=3) == 0
    assert working_days_after(date(2024, 3, 4), date(2099, 1, 1), limit=3) == 4
    assert (
        working_days_after(date(2024, 3, 4), date(2024, 3, 8), holidays={date(2024, 3, 5)}, limit=3)
        == 3
    )


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2024, 3, 4), 12, date(2025, 3, 4)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 12, 15), 1, date(2025, 1, 15)),
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_leap_day_shipment_may_be_issued_retroactively_until_the_end_of_february() -> None:
    leap = date(2024, 2, 29)
    cert: dict[str, Any] = {
        "departure_date": leap,
        "issued_retroactively": True,
        "invoice_date": leap,
    }
    inv: dict[str, Any] = {"date": leap}
    bl: dict[str, Any] = {"issue_date": leap, "shipped_on_board_date": leap}

    on_time = run(cert | {"issue_date": date(2025, 2, 28)}, inv, bl, importation_date=None)
    too_late = run(cert | {"issue_date": date(2025, 3, 1)}, inv, bl, importation_date=None)

    assert on_time.findings == ()
    assert [f.code for f in too_late.findings] == ["retroactive_too_late"]


# Names, descriptions, criteria ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Hanoi Ceramics Co., Ltd.", "HANOI CERAMICS COMPANY LIMITED"),
        ("Hanoi Ceramics Co.,Ltd", "hanoi  ceramics"),
        ("PT Maju Jaya Tbk", "Maju Jaya, PT"),
        ("Lion Sourcing Pte. Ltd.", "LION SOURCING PTE LTD"),
        ("Kedai Emas (M) Sdn. Bhd.", "Kedai Emas Sdn Bhd"),
        ("Siam Home Retail Public Company Limited", "Siam Home Retail PCL"),
        ("Saigon Textile JSC", "Saigon Textile Joint Stock Company"),
        ("Công ty TNHH Gốm Hà Nội", "GOM HA NOI CO., LTD"),
        ("Guangzhou Light Industry Corp.", "Guangzhou Light Industry Corporation"),
        ("Smith & Sons Inc.", "SMITH AND SONS, INC"),
        ("ＡＢＣ Trading Co., Ltd.", "ABC Trading"),
    ],
)
def test_names_equal_after_normalisation(first: str, second: str) -> None:
    assert same_name(first, second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Hanoi Ceramics Co., Ltd.", "Hanoi Ceramic Co., Ltd."),
        ("Pacific Trading Ltd", "Pacific Holdings Ltd"),
        ("Company Limited Holdings", "Holdings"),
        ("ก่อสร้าง", "กอสราง"),  # Thai marks are letters of the word, not accents
    ],
)
def test_names_that_differ(first: str, second: str) -> None:
    assert not same_name(first, second)


def test_name_made_of_legal_forms_keeps_one_word() -> None:
    assert normalise_name("Company Limited") == "company"


_FORM_WORDS = frozenset(
    [
        "co",
        "company",
        "ltd",
        "limited",
        "corp",
        "corporation",
        "inc",
        "incorporated",
        "llc",
        "plc",
        "pcl",
        "jsc",
        "pte",
        "bhd",
        "berhad",
        "sdn",
        "sendirian",
        "pt",
        "tbk",
        "public",
        "joint",
        "stock",
        "private",
        "pvt",
        "cong",
        "ty",
        "tnhh",
        "phan",
        "cv",
        "m",
    ]
)
_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8).filter(
    lambda word: word not in _FORM_WORDS
)
_FORMS = st.sampled_from(
    ["Co., Ltd.", "Company Limited", "LIMITED", "Corp.", "Inc", "Pte. Ltd.", "Sdn. Bhd.", "JSC", ""]
)


@given(words=st.lists(_WORD, min_size=1, max_size=4), first=_FORMS, second=_FORMS)
def test_legal_forms_and_case_never_make_two_names_differ(
    words: list[str], first: str, second: str
) -> None:
    base = " ".join(words)

    assert same_name(f"{base} {first}", f"{base.upper()}, {second}")


def test_description_words_leave_out_numbers_packages_and_plurals() -> None:
    assert description_words("500 CARTONS OF CERAMIC DINNER PLATES, HS 6912.00 ***") == {
        "ceramic",
        "dinner",
        "plate",
    }
    assert description_words("Boxes of batteries") == {"battery"}


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("CERAMIC DINNER PLATES", "Ceramic dinner plates, 27 cm, white", Fraction(1)),
        ("CERAMIC DINNER PLATES", "Ceramic bowls, glazed, 15 cm", Fraction(1, 3)),
        ("CERAMIC DINNER PLATES", "Stainless steel cutlery", Fraction(0)),
        ("100 CARTONS", "Ceramic plates", Fraction(0)),
        ("1234", "1234", Fraction(1)),
    ],
)
def test_description_overlap(first: str, second: str, expected: Fraction) -> None:
    assert description_overlap(first, second) == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("WO", "WO"),
        (" pe ", "PE"),
        ("CTH", "CTH"),
        ("PSR", "PSR"),
        ("40%", Decimal(40)),
        ("40.5 %", Decimal("40.5")),
        ("100%", Decimal(100)),
        ("101%", None),
        ("RVC 40%", None),
        ("40", None),
        ("CC", None),
    ],
)
def test_parse_criterion(written: str, expected: str | Decimal | None) -> None:
    assert parse_criterion(written) == expected


def test_check_refuses_a_calculated_criterion_that_is_not_one() -> None:
    with pytest.raises(ValidationFailed) as failure:
        run(calculated_criteria=["PE", "forty"])

    assert [e.field for e in failure.value.errors] == ["calculated_criteria.1"]


def test_check_refuses_a_string_for_the_calculated_criteria() -> None:
    with pytest.raises(ValidationFailed) as failure:
        run(calculated_criteria="CTH")

    assert [e.field for e in failure.value.errors] == ["calculated_criteria"]


# Parsing ------------------------------------------------------------------------------------------------


def payload() -> dict[str, Any]:
    """The clean documents as the API receives them."""
    return {
        "certificate": {
            "reference_number": "VN-TH 24/01/00123",
            "issue_date": "2024-03-05",
            "exporter_name": "Hanoi Ceramics Co., Ltd.",
            "exporter_country": "vn",
            "consignee_name": "Siam Home Retail Public Company Limited",
            "consignee_country": "TH",
            "departure_date": "2024-03-04",
            "vessel_name": "WAN HAI 305",
            "port_of_loading": {"name": "Hai Phong", "country": "VN"},
            "port_of_discharge": {"name": "Laem Chabang", "country": "TH"},
            "goods_description": "500 CARTONS OF CERAMIC DINNER PLATES",
            "hs_code": "6912.00.10",
            "origin_criterion": "45%",
            "gross_weight_kg": 5000,
            "quantity": {"value": "12000", "unit": "PCS"},
            "fob_value": {"amount": 4250000, "currency": "usd"},
            "invoice_number": "HC-2024-031",
            "invoice_date": "2024-03-01",
        },
        "invoice": {
            "number": "HC-2024-031",
            "date": "2024-03-01",
            "seller_name": "HANOI CERAMICS COMPANY LIMITED",
            "seller_country": "VN",
            "buyer_name": "Siam Home Retail PCL",
            "goods_description": "Ceramic dinner plates, 27 cm, white",
            "hs_code": "6912.00",
            "quantity": {"value": 12000.0, "unit": "pcs"},
            "gross_weight_kg": "5000.00",
            "fob_value": {"amount": 4250000, "currency": "USD"},
        },
        "bill_of_lading": {
            "number": "WHLC0241234567",
            "issue_date": "2024-03-04",
            "shipped_on_board_date": "2024-03-04",
            "shipper_name": "Hanoi Ceramics Co Ltd",
            "consignee_name": "SIAM HOME RETAIL PUBLIC CO., LTD.",
            "vessel_name": "WAN HAI 305 V.S112",
            "port_of_loading": {"name": "Hai Phong", "country": "VN"},
            "transit_ports": [],
            "port_of_discharge": {"name": "Laem Chabang", "country": "TH"},
            "gross_weight_kg": "5000.000",
        },
        "calculated_criteria": ["45%", "cth"],
        "importation_date": "2024-03-12",
        "holidays": ["2024-03-06"],
    }


def test_payload_parses_into_the_clean_documents() -> None:
    documents = form_e_from_dict(payload())

    assert documents.certificate == certificate()
    assert documents.invoice == invoice()
    assert documents.bill_of_lading == bill()
    assert documents.calculated_criteria == ("45%", "CTH")
    assert documents.importation_date == date(2024, 3, 12)
    assert documents.holidays == (date(2024, 3, 6),)
    assert check_form_e_input(documents).findings == ()


def _with(path: str, value: Any) -> dict[str, Any]:
    data = payload()
    *parents, name = path.split(".")
    target: Any = data
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if value is _DELETE:
        del target[name]
    else:
        target[name] = value
    return data


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "fields"),
    [
        ("certificate.exporter_name", _DELETE, ["certificate.exporter_name"]),
        ("certificate.exporter_name", "  ", ["certificate.exporter_name"]),
        ("invoice.buyer_name", None, ["invoice.buyer_name"]),
        ("certificate.issue_date", "2024-02-30", ["certificate.issue_date"]),
        ("certificate.issue_date", "05/03/2024", ["certificate.issue_date"]),
        ("invoice.date", "20240301", ["invoice.date"]),
        ("invoice.fob_value", {"amount": -1, "currency": "USD"}, ["invoice.fob_value.amount"]),
        ("invoice.fob_value", {"amount": 42500.5, "currency": "USD"}, ["invoice.fob_value.amount"]),
        ("invoice.fob_value", {"amount": True, "currency": "USD"}, ["invoice.fob_value.amount"]),
        ("invoice.fob_value", {"amount": 1, "currency": "US"}, ["invoice.fob_value.currency"]),
        ("invoice.fob_value", {"amount": 1}, ["invoice.fob_value.currency"]),
        ("certificate.fob_value", "USD 42500", ["certificate.fob_value"]),
        ("certificate.consignee_country", "THA", ["certificate.consignee_country"]),
        ("invoice.seller_country", "V1", ["invoice.seller_country"]),
        ("certificate.hs_code", "6912", ["certificate.hs_code"]),
        ("invoice.hs_code", "6912.0A", ["invoice.hs_code"]),
        ("certificate.gross_weight_kg", -5, ["certificate.gross_weight_kg"]),
        ("certificate.gross_weight_kg", "NaN", ["certificate.gross_weight_kg"]),
        ("certificate.quantity", {"value": "0", "unit": "PCS"}, ["certificate.quantity.value"]),
        ("certificate.issued_retroactively", "yes", ["certificate.issued_retroactively"]),
        ("certificate.colour", "red", ["certificate.colour"]),
        (
            "bill_of_lading.transit_ports",
            [{"name": "Hong Kong", "country": "HKG"}],
            ["bill_of_lading.transit_ports.0.country"],
        ),
        ("bill_of_lading.port_of_loading", _DELETE, ["bill_of_lading.port_of_loading"]),
        ("bill_of_lading", "B/L", ["bill_of_lading"]),
        ("invoice", _DELETE, ["invoice"]),
        ("calculated_criteria", ["PE", "RVC40"], ["calculated_criteria.1"]),
        ("calculated_criteria", "PE", ["calculated_criteria"]),
        ("importation_date", "soon", ["importation_date"]),
        ("holidays", ["2024-03-06", "6 March"], ["holidays.1"]),
        ("surprise", 1, ["surprise"]),
    ],
)
def test_payload_errors_name_the_field(path: str, value: Any, fields: list[str]) -> None:
    with pytest.raises(ValidationFailed) as failure:
        form_e_from_dict(_with(path, value))

    assert [e.field for e in failure.value.errors] == fields
    assert failure.value.code == "validation_error"


def test_payload_reports_every_bad_field_at_once() -> None:
    data = _with("certificate.issue_date", "yesterday")
    data["invoice"]["fob_value"] = {"amount": -100, "currency": "dollars"}
    del data["bill_of_lading"]["shipper_name"]

    with pytest.raises(ValidationFailed) as failure:
        form_e_from_dict(data)

    assert [e.field for e in failure.value.errors] == [
        "certificate.issue_date",
        "invoice.fob_value.amount",
        "invoice.fob_value.currency",
        "bill_of_lading.shipper_name",
    ]
    assert str(failure.value.detail) == (
        "Some fields are invalid: certificate.issue_date, invoice.fob_value.amount, "
        "invoice.fob_value.currency, bill_of_lading.shipper_name."
    )


def test_payload_that_is_not_an_object_names_the_body() -> None:
    with pytest.raises(ValidationFailed) as failure:
        form_e_from_dict(["certificate"])

    assert [e.field for e in failure.value.errors] == ["body"]


def test_optional_fields_may_be_left_out() -> None:
    data = payload()
    for name in (
        "reference_number",
        "departure_date",
        "vessel_name",
        "port_of_loading",
        "port_of_discharge",
        "gross_weight_kg",
        "quantity",
        "fob_value",
    ):
        del data["certificate"][name]
    for name in ("hs_code", "quantity", "gross_weight_kg", "fob_value"):
        del data["invoice"][name]
    for name in (
        "number",
        "shipped_on_board_date",
        "vessel_name",
        "transit_ports",
        "gross_weight_kg",
    ):
        del data["bill_of_lading"][name]
    for name in ("calculated_criteria", "importation_date", "holidays"):
        del data[name]

    documents = form_e_from_dict(data)

    assert documents.certificate.fob_value is None
    assert documents.invoice.hs_code is None
    assert documents.bill_of_lading.shipment_date == date(2024, 3, 4)
    assert documents.calculated_criteria is None
    assert [f.code for f in check_form_e_input(documents).findings] == [
        "criterion_not_verified",
        "fob_missing",
    ]


def test_invoice_after_shipment_reports_the_gap() -> None:
    one_day = run({"invoice_date": date(2024, 3, 5)}, {"date": date(2024, 3, 5)})
    two_days = run(
        {"issue_date": date(2024, 3, 6), "invoice_date": date(2024, 3, 6)},
        {"date": date(2024, 3, 6)},
    )

    assert one_day.findings[0].message == (
        "The invoice is dated 2024-03-05, 1 day after the goods were shipped on 2024-03-04."
    )
    assert two_days.findings[0].values == {
        "invoice.date": "2024-03-06",
        "bill_of_lading.shipped_on_board_date": "2024-03-04",
        "days": 2,
    }
