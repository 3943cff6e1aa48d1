"""The trade API: HS nomenclature, tariffs, rules, the origin calculator and landed cost, with the bad
input each must refuse by naming the field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from harbor.trade.choices import RateType, TaxBase, TaxKind, ValuationBasis
from harbor.trade.models import (
    CustomsRegime,
    ImportTax,
    NonTariffMeasure,
    ProductRule,
    TariffLine,
    TariffSchedule,
)

pytestmark = pytest.mark.django_db

START = date(2024, 1, 1)
SOURCE = "Test schedule (sample data)"


def _schedule(importer: str, agreement: str) -> TariffSchedule:
    return TariffSchedule.objects.create(
        importer_id=importer,
        agreement=agreement,
        title=f"{importer} {agreement}",
        legal_source=SOURCE,
        is_sample=True,
        valid_from=START,
    )


def _line(schedule: TariffSchedule, code: str, rate_type: str, **values: Any) -> TariffLine:
    return TariffLine.objects.create(
        schedule=schedule, code=code, hs6=code[:6], rate_type=rate_type, valid_from=START, **values
    )


@pytest.fixture
def thai_furniture() -> None:
    """Thailand: wooden furniture 9403.60 at 20 % MFN and free under ACFTA; VAT 7 % on value plus duty."""
    _line(_schedule("TH", "MFN"), "940360", RateType.AD_VALOREM, ad_valorem_percent=Decimal(20))
    _line(_schedule("TH", "ACFTA"), "940360", RateType.FREE)
    CustomsRegime.objects.create(
        country_id="TH", valuation_basis=ValuationBasis.CIF, legal_source="Customs Act B.E. 2560"
    )
    ImportTax.objects.create(
        country_id="TH",
        kind=TaxKind.VAT,
        name="VAT",
        rate_percent=Decimal(7),
        base=TaxBase.VALUE_PLUS_DUTY,
        legal_source="Revenue Code",
        valid_from=START,
    )


def _post(path: str, body: dict[str, Any]) -> Any:
    return Client().post(path, body, content_type="application/json")


def _fields(response: Any) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


def test_hs_search_by_code_prefix_lists_the_heading_and_its_subheadings() -> None:
    response = Client().get("/api/v1/trade/hs", {"q": "9403"})

    assert response.status_code == 200
    codes = [entry["code"] for entry in response.json()]
    assert codes[0] == "9403"
    assert "940360" in codes
    assert all(code.startswith("9403") for code in codes)


def test_hs_search_by_word_finds_subheadings_by_their_description() -> None:
    codes = [e["code"] for e in Client().get("/api/v1/trade/hs", {"q": "durians"}).json()]

    assert "081060" in codes


def test_hs_detail_carries_ancestors_children_and_titles_in_the_reader_language() -> None:
    response = Client().get("/api/v1/trade/hs/9403", HTTP_ACCEPT_LANGUAGE="en")

    body = response.json()
    assert body["display_code"] == "94.03"
    assert [parent["code"] for parent in body["ancestors"]] == ["94"]
    assert "940360" in [child["code"] for child in body["children"]]
    assert body["section"] == "XX"


def test_hs_detail_of_an_unknown_code_is_404_and_a_malformed_one_422() -> None:
    assert Client().get("/api/v1/trade/hs/999999").status_code == 404
    malformed = Client().get("/api/v1/trade/hs/94x3")
    assert malformed.status_code == 422
    assert _fields(malformed) == ["code"]


@pytest.mark.usefixtures("thai_furniture")
def test_tariffs_lists_each_agreement_with_its_rate_and_provenance() -> None:
    response = Client().get(
        "/api/v1/trade/tariffs", {"importer": "th", "hs": "9403.60", "date": "2025-03-01"}
    )

    assert response.status_code == 200
    lines = {line["agreement"]: line for line in response.json()["lines"]}
    assert lines["MFN"]["rate"] == "20%"
    assert lines["ACFTA"]["rate"] == "free"
    assert lines["MFN"]["legal_source"] == SOURCE
    assert lines["MFN"]["is_sample"] is True


@pytest.mark.usefixtures("thai_furniture")
def test_tariffs_before_a_schedule_starts_are_empty() -> None:
    response = Client().get(
        "/api/v1/trade/tariffs", {"importer": "TH", "hs": "940360", "date": "2023-12-31"}
    )

    assert response.json()["lines"] == []


def test_tariffs_for_an_unknown_country_name_the_importer() -> None:
    response = Client().get("/api/v1/trade/tariffs", {"importer": "XX", "hs": "940360"})

    assert response.status_code == 422
    assert _fields(response) == ["importer"]


def test_origin_rule_is_the_product_specific_one_when_there_is_one() -> None:
    ProductRule.objects.create(
        agreement="ACFTA",
        hs_prefix="61",
        rule="RVC(40) | CC",
        legal_source=SOURCE,
        valid_from=START,
    )

    specific = Client().get("/api/v1/trade/rules", {"agreement": "acfta", "hs": "610910"}).json()
    general = Client().get("/api/v1/trade/rules", {"agreement": "ACFTA", "hs": "940360"}).json()

    assert (specific["rule"], specific["product_specific"]) == ("RVC(40) | CC", True)
    assert (general["rule"], general["product_specific"]) == ("WO | PE | RVC(40) | CTH", False)


ORIGIN = {
    "hs_code": "940360",
    "fob_value": 100_000,
    "currency": "CNY",
    "agreement": "ACFTA",
    "exporter": "CN",
    "importer": "TH",
    "materials": [
        {"description": "Sawn oak", "hs_code": "440791", "value": 60_000, "origin_country": "US"},
        {
            "description": "Screws",
            "hs_code": "731815",
            "value": 5_000,
            "origin_country": "CN",
            "originating": True,
        },
    ],
}


def test_origin_answers_the_verdict_and_form_e_boxes() -> None:
    response = _post("/api/v1/trade/origin", ORIGIN)

    assert response.status_code == 200
    body = response.json()
    assert body["originating"] is True
    # Sawn wood (4407) becomes furniture (9403): the heading changes; RVC is 40 % exactly.
    assert body["certificate"]["origin_criterion"] in {"40%", "CTH"}
    assert body["certificate"]["fob_value"] == 100_000
    assert body["rvc"]["vnm"] == 60_000


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"hs_code": "999999"}, "hs_code"),
        ({"currency": "XYZ"}, "currency"),
        ({"agreement": "NAFTA"}, "agreement"),
        ({"exporter": "US"}, "exporter"),
        ({"fob_value": -5}, "fob_value"),
    ],
)
def test_origin_refuses_bad_input_naming_the_field(change: dict[str, Any], field: str) -> None:
    response = _post("/api/v1/trade/origin", {**ORIGIN, **change})

    assert response.status_code == 422
    assert field in _fields(response)
    assert response["Content-Type"] == "application/problem+json"


def test_origin_refuses_an_unknown_material_code_and_non_numeric_values() -> None:
    unknown = {**ORIGIN, "materials": [{**ORIGIN["materials"][0], "hs_code": "123456"}]}
    words = {**ORIGIN, "materials": [{**ORIGIN["materials"][0], "value": "sixty"}]}

    assert _fields(_post("/api/v1/trade/origin", unknown)) == ["materials[0].hs_code"]
    response = _post("/api/v1/trade/origin", words)
    assert response.status_code == 422
    assert _fields(response) == ["materials.0.value"]


def test_origin_refuses_materials_worth_more_than_the_fob_value() -> None:
    heavy = {**ORIGIN, "materials": [{**ORIGIN["materials"][0], "value": 100_001}]}

    response = _post("/api/v1/trade/origin", heavy)

    assert response.status_code == 422
    assert _fields(response) == ["materials"]


LANDED = {
    "hs_code": "940360",
    "importer": "TH",
    "exporter": "CN",
    "currency": "THB",
    "fob_value": 100_000_000,
    "freight": 5_000_000,
    "insurance": 1_000_000,
    "date": "2025-03-01",
}


@pytest.mark.usefixtures("thai_furniture")
def test_landed_cost_sets_mfn_and_acfta_side_by_side() -> None:
    response = _post("/api/v1/trade/landed-cost", LANDED)

    assert response.status_code == 200
    body = response.json()
    assert body["valuation_basis"] == "CIF"
    assert body["customs_value"] == 106_000_000
    options = {option["agreement"]: option for option in body["options"]}
    # MFN: duty 20 % of 106,000,000; VAT 7 % of 127,200,000.
    assert options["MFN"]["duty"] == 21_200_000
    assert options["MFN"]["taxes"] == 8_904_000
    assert options["MFN"]["landed_cost"] == 136_104_000
    # ACFTA: free; VAT 7 % of 106,000,000.
    assert options["ACFTA"]["duty"] == 0
    assert options["ACFTA"]["landed_cost"] == 113_420_000
    assert options["ACFTA"]["saving"] == 22_684_000
    assert options["ACFTA"]["origin_rule"] == "WO | PE | RVC(40) | CTH"
    assert list(options) == ["MFN", "ACFTA", "RCEP"]
    assert options["RCEP"]["available"] is False
    assert body["best"] == "ACFTA"


@pytest.mark.usefixtures("thai_furniture")
def test_landed_cost_closes_an_agreement_when_the_bill_of_materials_fails_origin() -> None:
    failing = {
        **LANDED,
        "currency": "THB",
        "materials": [
            {
                "description": "Veneer",
                "hs_code": "940391",
                "value": 70_000_000,
                "origin_country": "US",
            }
        ],
    }

    response = _post("/api/v1/trade/landed-cost", failing)
    assert response.status_code == 200, response.json()
    options = {o["agreement"]: o for o in response.json()["options"]}

    assert options["ACFTA"]["origin_verdict"] is False
    assert options["ACFTA"]["available"] is False


def test_landed_cost_with_a_specific_duty_needs_the_quantity() -> None:
    schedule = _schedule("VN", "MFN")
    _line(
        schedule,
        "08045010",
        RateType.SPECIFIC,
        specific_amount=500,
        specific_currency="VND",
        unit="kg",
    )

    missing = _post(
        "/api/v1/trade/landed-cost",
        {**LANDED, "importer": "VN", "hs_code": "08045010", "currency": "VND", "fob_value": 1_000},
    )
    given = _post(
        "/api/v1/trade/landed-cost",
        {
            **LANDED,
            "importer": "VN",
            "hs_code": "08045010",
            "currency": "VND",
            "fob_value": 1_000,
            "freight": 0,
            "insurance": 0,
            "quantity": "12.5",
        },
    )

    assert missing.status_code == 422
    assert _fields(missing) == ["quantity"]
    mfn = given.json()["options"][0]
    assert (mfn["agreement"], mfn["duty"]) == ("MFN", 6_250)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"hs_code": "999999"}, "hs_code"),
        ({"currency": "ABC"}, "currency"),
        ({"importer": "XX"}, "importer"),
        ({"fob_value": -1}, "fob_value"),
        ({"agreements": ["NAFTA"]}, "agreements[0]"),
    ],
)
def test_landed_cost_refuses_bad_input_naming_the_field(change: dict[str, Any], field: str) -> None:
    response = _post("/api/v1/trade/landed-cost", {**LANDED, **change})

    assert response.status_code == 422
    assert field in _fields(response)


def test_measures_cover_the_codes_under_their_prefix() -> None:
    NonTariffMeasure.objects.create(
        importer_id="TH",
        hs_prefix="0810",
        measure_code="A14",
        chapter="A",
        title={"en": "Phytosanitary certificate"},
        requirement={"en": "A phytosanitary certificate from the exporting country."},
        legal_source=SOURCE,
        is_sample=True,
        valid_from=START,
    )

    found = Client().get("/api/v1/trade/measures", {"importer": "TH", "hs": "081060"}).json()
    other = Client().get("/api/v1/trade/measures", {"importer": "TH", "hs": "080450"}).json()

    assert [(m["measure_code"], m["chapter_name"]) for m in found] == [
        ("A14", "Sanitary and phytosanitary measures")
    ]
    assert other == []


def test_form_e_check_flags_a_consignee_that_differs_from_the_invoice() -> None:
    from tests.test_trade_form_e import payload

    clean = payload()
    changed = payload()
    changed["invoice"]["buyer_name"] = "Bangkok Trading Co., Ltd."

    ok = _post("/api/v1/trade/form-e/check", clean)
    flagged = _post("/api/v1/trade/form-e/check", changed)

    assert (ok.status_code, ok.json()["ok"], ok.json()["findings"]) == (200, True, [])
    assert flagged.json()["ok"] is False
    assert [f["code"] for f in flagged.json()["findings"]] == ["consignee_mismatch"]


def test_form_e_check_names_a_bad_date() -> None:
    from tests.test_trade_form_e import payload

    bad = payload()
    bad["certificate"]["issue_date"] = "05/03/2024"

    response = _post("/api/v1/trade/form-e/check", bad)

    assert response.status_code == 422
    assert _fields(response) == ["certificate.issue_date"]


@pytest.mark.usefixtures("thai_furniture")
def test_landed_cost_converts_the_declared_value_with_the_ecb_cross_rate() -> None:
    from fractions import Fraction

    from harbor.core.actors import Actor
    from harbor.fx.importers import import_ecb

    import_ecb(actor=Actor.system("tests"))
    shipment = {**LANDED, "currency": "CNY", "fob_value": 10_000_000, "freight": 0, "insurance": 0}

    response = _post("/api/v1/trade/landed-cost", {**shipment, "date": "2024-05-02"})

    # ECB, 2 May 2024: 1 EUR = 7.7465 CNY = 39.508 THB; 100,000.00 CNY in THB, half to even.
    expected = round(Fraction(10_000_000) * Fraction("39.508") / Fraction("7.7465"))
    body = response.json()
    assert body["customs_value"] == expected
    assert body["conversion"]["observed_on"] == "2024-05-02"
    assert body["conversion"]["path"] == "cross via EUR"
    assert body["conversion"]["sources"] == ["ECB euro foreign exchange reference rates"]


def test_landed_cost_without_a_recent_rate_names_the_date() -> None:
    response = _post(
        "/api/v1/trade/landed-cost", {**LANDED, "currency": "CNY", "date": "2030-01-01"}
    )

    assert response.status_code == 422
    assert _fields(response) == ["date"]


TARIFF_CSV = (
    "importer,agreement,nomenclature,code,description,rate_type,ad_valorem_percent,specific_amount,"
    "specific_currency,unit,valid_from,valid_to,legal_source,source_url\n"
    "VN,MFN,HS2022,940360,Wooden furniture,ad_valorem,25,,,,2025-01-01,,Test tariff (sample),\n"
)


def test_staff_import_a_tariff_file_through_the_api_as_a_job(
    session_client: Any,
    staff: Any,
    settings: Any,
    tmp_path: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from harbor.core.jobs import run_job

    settings.DATA_DIR = tmp_path
    with django_capture_on_commit_callbacks(execute=False):
        response = session_client(staff).post(
            "/api/v1/trade/imports",
            {"file": SimpleUploadedFile("vn.csv", TARIFF_CSV.encode()), "sample": "true"},
        )

    assert response.status_code == 202, response.content
    job = run_job(response.json()["job_id"])
    assert job.status == "succeeded", job.log
    line = TariffLine.objects.get(schedule__importer_id="VN", code="940360")
    assert (line.ad_valorem_percent, line.schedule.is_sample) == (Decimal(25), True)


def test_importing_trade_data_is_refused_to_members_and_anonymous_callers(
    api: Any, outsider: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    def upload(client: Any) -> Any:
        return client.post(
            "/api/v1/trade/imports", {"file": SimpleUploadedFile("vn.csv", TARIFF_CSV.encode())}
        )

    assert upload(api(outsider)).status_code == 403
    assert upload(api(None)).status_code == 401
    assert TariffLine.objects.filter(schedule__importer_id="VN").count() == 0


def test_importing_trade_data_names_a_bad_kind(session_client: Any, staff: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = session_client(staff).post(
        "/api/v1/trade/imports",
        {"file": SimpleUploadedFile("vn.csv", TARIFF_CSV.encode()), "kind": "prices"},
    )

    assert response.status_code == 422
    assert _fields(response) == ["kind"]


@pytest.mark.usefixtures("thai_furniture")
def test_a_national_code_is_priced_by_its_own_line_or_by_the_subheading_line_it_refines() -> None:
    mfn = TariffSchedule.objects.get(importer_id="TH", agreement="MFN")
    _line(mfn, "94036090", RateType.AD_VALOREM, ad_valorem_percent=Decimal(10))

    body = _post("/api/v1/trade/landed-cost", {**LANDED, "hs_code": "9403.60.90"}).json()

    options = {option["agreement"]: option for option in body["options"]}
    assert (options["MFN"]["line_code"], options["MFN"]["rate_text"]) == ("94036090", "10%")
    assert (options["ACFTA"]["line_code"], options["ACFTA"]["available"]) == ("940360", True)
    assert options["ACFTA"]["duty"] == 0
