"""Importing trade data: tariff schedules (harbor and WITS layouts), rules, measures, taxes and regimes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from harbor.core.actors import Actor
from harbor.core.errors import HarborError, ValidationFailed
from harbor.core.jobs import run_job
from harbor.core.models import AuditEntry, JobStatus
from harbor.core.permissions import allowed
from harbor.directory.models import Organisation, User
from harbor.trade import permissions as perms
from harbor.trade.demo import load_demo_trade
from harbor.trade.importers import TariffOptions
from harbor.trade.models import (
    CustomsRegime,
    ImportTax,
    NonTariffMeasure,
    ProductRule,
    TariffLine,
    TariffSchedule,
)
from harbor.trade.services import (
    import_measures,
    import_rules,
    import_tariffs,
    save_measure,
    save_product_rule,
    start_trade_import,
)
from tests.factories import actor_for, add_member, make_organisation, make_user

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("tests")
HEADER = (
    "importer,agreement,nomenclature,code,description,rate_type,ad_valorem_percent,specific_amount,"
    "specific_currency,unit,valid_from,valid_to,legal_source,source_url\n"
)
SOURCE = "Customs Tariff Decree B.E. 2530"
TARIFFS = HEADER + (
    f"TH,MFN,AHTN2022,9403.60.90,Other wooden furniture,ad_valorem,20,,,,2025-01-01,,{SOURCE},https://www.customs.go.th/\n"
    f"TH,MFN,AHTN2022,610910,T-shirts of cotton,mixed_max,30,35.00,THB,kg,2025-01-01,,{SOURCE},https://www.customs.go.th/\n"
    f"TH,MFN,AHTN2022,090121,Coffee roasted,specific,,12.5,THB,kg,2025-01-01,2025-12-31,{SOURCE},https://www.customs.go.th/\n"
    f"TH,MFN,AHTN2022,851713,Smartphones,free,,,,,2025-01-01,,{SOURCE},https://www.customs.go.th/\n"
    "TH,ACFTA,HS2022,940360,Other wooden furniture,free,0,,,,2025-01-01,,ACFTA modality,\n"
)


def write(tmp_path: Path, text: str, name: str = "tariffs.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(report: Any) -> list[tuple[int, str, str]]:
    return [(p.row, p.field, p.message) for p in report.problems]


# --- the harbor layout -----------------------------------------------------------------------------------


def test_harbor_layout_imports_schedules_and_lines_with_exact_values(tmp_path: Path) -> None:
    report = import_tariffs(write(tmp_path, TARIFFS), actor=SYSTEM)

    assert report.problems == []
    assert report.imported is True
    assert dict(report.counts) == {"created": 5, "schedules_created": 2}
    mfn = TariffSchedule.objects.get(importer_id="TH", agreement="MFN")
    assert (mfn.nomenclature, mfn.valid_from, mfn.valid_to, mfn.is_sample) == (
        "AHTN2022",
        date(2025, 1, 1),
        None,
        False,
    )
    assert (mfn.legal_source, mfn.source_url) == (SOURCE, "https://www.customs.go.th/")
    assert mfn.title == "Thailand MFN tariff schedule from 2025-01-01"
    lines = {
        line.code: (
            line.hs6,
            line.rate_type,
            line.ad_valorem_percent,
            line.specific_amount,
            line.specific_currency,
            line.unit,
            line.valid_to,
        )
        for line in mfn.lines.all()
    }
    assert lines == {
        "94036090": ("940360", "ad_valorem", Decimal("20.000"), None, "", "", None),
        "610910": ("610910", "mixed_max", Decimal("30.000"), 3500, "THB", "kg", None),
        "090121": ("090121", "specific", None, 1250, "THB", "kg", date(2025, 12, 31)),
        "851713": ("851713", "free", None, None, "", "", None),
    }
    acfta_line = TariffLine.objects.get(schedule__agreement="ACFTA")
    assert (acfta_line.code, acfta_line.rate_type, acfta_line.ad_valorem_percent) == (
        "940360",
        "free",
        None,
    )
    assert report.schedules == [
        TariffSchedule.objects.get(agreement="ACFTA").pk,
        mfn.pk,
    ]


def test_importing_the_same_file_twice_changes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, TARIFFS)
    import_tariffs(path, actor=SYSTEM)
    lines = dict(TariffLine.objects.values_list("pk", "ad_valorem_percent"))
    audits = AuditEntry.objects.count()

    second = import_tariffs(path, actor=SYSTEM)

    assert dict(second.counts) == {"unchanged": 5}
    assert dict(TariffLine.objects.values_list("pk", "ad_valorem_percent")) == lines
    assert AuditEntry.objects.count() == audits


def test_reimporting_a_schedule_updates_changed_lines_and_removes_missing_ones(
    tmp_path: Path,
) -> None:
    import_tariffs(write(tmp_path, TARIFFS), actor=SYSTEM)
    edited = TARIFFS.replace("ad_valorem,20,", "ad_valorem,12.5,").replace(
        f"TH,MFN,AHTN2022,851713,Smartphones,free,,,,,2025-01-01,,{SOURCE},https://www.customs.go.th/\n",
        "",
    )

    report = import_tariffs(write(tmp_path, edited), actor=SYSTEM)

    assert dict(report.counts) == {
        "removed": 1,
        "schedules_updated": 1,
        "unchanged": 3,
        "updated": 1,
    }
    assert TariffLine.objects.get(code="94036090").ad_valorem_percent == Decimal("12.500")
    assert not TariffLine.objects.filter(code="851713").exists()
    audit = AuditEntry.objects.filter(action="trade.schedule.imported").last()
    assert audit is not None
    assert (audit.data["updated"], audit.data["removed"], audit.data["created"]) == (1, 1, 0)


def test_a_newer_schedule_ends_the_previous_one_the_day_before(tmp_path: Path) -> None:
    import_tariffs(write(tmp_path, TARIFFS), actor=SYSTEM)
    newer = TARIFFS.replace("2025-01-01", "2026-01-01").replace(",2025-12-31,", ",,")

    import_tariffs(write(tmp_path, newer, "2026.csv"), actor=SYSTEM)

    assert list(
        TariffSchedule.objects.filter(importer_id="TH", agreement="MFN")
        .order_by("valid_from")
        .values_list("valid_from", "valid_to")
    ) == [(date(2025, 1, 1), date(2025, 12, 31)), (date(2026, 1, 1), None)]


def test_schedule_from_column_holds_two_schedules_in_one_file(tmp_path: Path) -> None:
    text = (
        HEADER.rstrip("\n")
        + ",schedule_from\n"
        + f"CN,MFN,CN,0810600000,Durians,ad_valorem,20,,,,2025-01-01,,{SOURCE},,2025-01-01\n"
        + f"CN,MFN,CN,0810600000,Durians,ad_valorem,15,,,,2026-01-01,,{SOURCE},,2026-01-01\n"
    )

    report = import_tariffs(write(tmp_path, text), actor=SYSTEM, options=TariffOptions(sample=True))

    assert report.problems == []
    assert list(
        TariffSchedule.objects.order_by("valid_from").values_list(
            "valid_from", "valid_to", "nomenclature", "is_sample"
        )
    ) == [
        (date(2025, 1, 1), date(2025, 12, 31), "CN", True),
        (date(2026, 1, 1), None, "CN", True),
    ]


BAD = HEADER + (
    f"TH,MFN,HS2022,999999,Unknown,ad_valorem,5,,,,2025-01-01,,{SOURCE},\n"
    f"XX,MFN,HS2022,940360,Furniture,ad_valorem,5,,,,2025-01-01,,{SOURCE},\n"
    f"TH,MFN,HS2022,940350,Furniture,ad_valorem,-5,,,,2025-01-01,,{SOURCE},\n"
    f"TH,MFN,HS2022,940161,Seats,ad_valorem,5,,,,2025-13-01,,{SOURCE},\n"
    f"JP,ACFTA,HS2022,940360,Furniture,ad_valorem,5,,,,2025-01-01,,{SOURCE},\n"
    f"TH,MFN,HS2022,847130,Laptops,free,,,,,2025-01-01,,{SOURCE},\n"
)


def test_bad_rows_are_reported_with_row_field_and_message_and_nothing_is_imported(
    tmp_path: Path,
) -> None:
    report = import_tariffs(write(tmp_path, BAD), actor=SYSTEM)

    assert problems_of(report) == [
        (2, "code", "“999999” is not an HS 2022 subheading."),
        (3, "importer", "Unknown country code “XX”."),
        (4, "ad_valorem_percent", "A rate or amount cannot be negative."),
        (5, "valid_from", "“2025-13-01” is not a real date."),
        (6, "agreement", "JP is not a party of ACFTA."),
    ]
    assert report.imported is False
    assert TariffSchedule.objects.count() == 0
    assert TariffLine.objects.count() == 0


@pytest.mark.parametrize(
    ("cells", "field", "message"),
    [
        (
            "ad_valorem,,,,",
            "ad_valorem_percent",
            "A rate of type “ad_valorem” needs an ad valorem percentage.",
        ),
        (
            "ad_valorem,5,1.00,THB,kg",
            "specific_amount",
            "A rate of type “ad_valorem” has no specific part.",
        ),
        (
            "specific,,1.00,THB,",
            "unit",
            "Say per which unit the specific amount is charged (kg, l, u …).",
        ),
        (
            "specific,,1.00,,kg",
            "specific_currency",
            "Give the currency of the amount (ISO 4217 code).",
        ),
        ("specific,,1.00,XXX,kg", "specific_currency", "Unknown currency code “XXX”."),
        (
            "specific,,1.5,JPY,kg",
            "specific_amount",
            "JPY has 0 decimals: give the amount with at most 0.",
        ),
        ("free,5,,,", "ad_valorem_percent", "A free line has no percentage other than 0."),
        (
            'ad_valorem,"5,5",,,',
            "ad_valorem_percent",
            "Use a dot as the decimal separator, for example 12.5.",
        ),
        (
            "ad_valorem,5.1234,,,",
            "ad_valorem_percent",
            "Give a percentage up to 9999.999 with at most 3 decimals.",
        ),
        (
            "flat,5,,,",
            "rate_type",
            "“flat” is not one of: free, ad_valorem, specific, compound, mixed_max, excluded.",
        ),
    ],
)
def test_rate_type_must_agree_with_the_numbers(
    tmp_path: Path, cells: str, field: str, message: str
) -> None:
    text = HEADER + f"TH,MFN,HS2022,940360,Furniture,{cells},2025-01-01,,{SOURCE},\n"

    report = import_tariffs(write(tmp_path, text), actor=SYSTEM)

    assert (2, field, message) in problems_of(report)
    assert TariffLine.objects.count() == 0


@pytest.mark.parametrize(
    ("cells", "field", "message"),
    [
        ("HS2022,94036090", "code", "A line of the HS2022 nomenclature has 6 digits."),
        ("AHTN2022,9403609100", "code", "A line of the AHTN2022 nomenclature has 6 or 8 digits."),
        ("HS2022,9403", "code", "A tariff line code has 6 to 10 digits."),
    ],
)
def test_code_length_follows_the_nomenclature(
    tmp_path: Path, cells: str, field: str, message: str
) -> None:
    text = HEADER + f"TH,MFN,{cells},Furniture,ad_valorem,5,,,,2025-01-01,,{SOURCE},\n"

    report = import_tariffs(write(tmp_path, text), actor=SYSTEM)

    assert problems_of(report) == [(2, field, message)]


def test_dates_must_be_ordered_and_the_legal_source_named(tmp_path: Path) -> None:
    text = HEADER + "TH,MFN,HS2022,940360,Furniture,ad_valorem,5,,,,2025-06-01,2025-01-01,,\n"

    report = import_tariffs(write(tmp_path, text), actor=SYSTEM)

    assert problems_of(report) == [
        (2, "valid_to", "The end date is before the start date."),
        (2, "legal_source", "Name the instrument the rates come from."),
    ]
    # --legal-source names the instrument for rows that leave it empty.
    fixed = text.replace("2025-06-01,2025-01-01", "2025-01-01,2025-06-01")
    report = import_tariffs(
        write(tmp_path, fixed), actor=SYSTEM, options=TariffOptions(legal_source="Decree X")
    )
    assert report.problems == []
    assert TariffSchedule.objects.get().legal_source == "Decree X"


def test_rows_of_one_schedule_must_share_its_provenance_and_codes_are_unique(
    tmp_path: Path,
) -> None:
    text = HEADER + (
        f"TH,MFN,HS2022,940360,Furniture,ad_valorem,5,,,,2025-01-01,,{SOURCE},\n"
        f"TH,MFN,HS2022,940360,Furniture,ad_valorem,6,,,,2025-01-01,,{SOURCE},\n"
        "TH,MFN,HS2022,940350,Furniture,ad_valorem,6,,,,2025-01-01,,Another decree,\n"
    )

    report = import_tariffs(write(tmp_path, text), actor=SYSTEM)

    assert problems_of(report) == [
        (3, "code", "Line 940360 from 2025-01-01 is already in row 2."),
        (
            4,
            "legal_source",
            "Differs from row 2 of the same schedule; a schedule has one legal_source.",
        ),
    ]


def test_a_missing_or_unknown_column_is_a_header_problem(tmp_path: Path) -> None:
    text = HEADER.replace("rate_type", "rate").replace(",unit", ",units") + "\n"

    report = import_tariffs(write(tmp_path, text + "TH\n"), actor=SYSTEM)

    assert problems_of(report) == [
        (1, "rate_type", "The column is missing."),
        (1, "unit", "The column is missing."),
        (1, "rate", "Unknown column."),
        (1, "units", "Unknown column."),
    ]


def test_importer_and_agreement_options_guard_every_row(tmp_path: Path) -> None:
    report = import_tariffs(
        write(tmp_path, TARIFFS),
        actor=SYSTEM,
        options=TariffOptions(agreement="MFN", importer="VN"),
    )

    assert problems_of(report)[:2] == [
        (2, "importer", "The file is imported for VN but this row is for TH."),
        (3, "importer", "The file is imported for VN but this row is for TH."),
    ]
    assert (
        6,
        "agreement",
        "The file is imported for MFN but this row is for ACFTA.",
    ) in problems_of(report)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"\xff\xfe\x00a", "The file is not a CSV text file."),
        (b"caf\xe9,x\n", "The file is not UTF-8 text: save it as CSV UTF-8."),
    ],
)
def test_unreadable_files_raise_a_validation_error(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)

    with pytest.raises(HarborError) as raised:
        import_tariffs(path, actor=SYSTEM)

    assert str(raised.value.detail) == message
    assert raised.value.errors[0].field == "file"


# --- WITS / TRAINS ---------------------------------------------------------------------------------------

WITS = (
    "Nomen Code,Reporter,Reporter Name,Product,Product Name,Partner,Partner Name,Tariff Year,"
    "DutyType,Simple Average,Minimum Rate,Maximum Rate,Nbr of Total Lines\n"
    "H6,THA,Thailand,940360,Other wooden furniture,WLD,World,2024,MFN,20,20,20,2\n"
    "H6,THA,Thailand,940360,Other wooden furniture,CHN,China,2024,AHS,0,0,0,2\n"
    "H6,THA,Thailand,940360,Other wooden furniture,CHN,China,2024,PRF,0,0,0,2\n"
    "H6,THA,Thailand,940360,Other wooden furniture,WLD,World,2024,BND,30,30,30,2\n"
    "H6,THA,Thailand,851713,Smartphones,WLD,World,2024,MFN,2.5,0,5,3\n"
    "H6,THA,Thailand,81060,Durians,WLD,World,2024,MFN,40,40,40,1\n"
    "H6,THA,Thailand,94,Furniture (chapter total),WLD,World,2024,MFN,15,0,30,80\n"
)


def test_wits_download_maps_mfn_and_preferential_rates(tmp_path: Path) -> None:
    report = import_tariffs(
        write(tmp_path, WITS, "wits.csv"),
        actor=SYSTEM,
        options=TariffOptions(file_format="wits", agreement="ACFTA"),
    )

    assert report.problems == []
    assert [(w.row, w.field, w.message) for w in report.warnings] == [
        (3, "DutyType", "A PRF row for this product is used instead: row skipped."),
        (5, "DutyType", "Bound rates are not applied rates: row skipped."),
        (
            6,
            "Simple Average",
            "The national lines range from 0 % to 5 %; the simple average 2.5 % is imported.",
        ),
        (7, "Product", "A leading zero was restored: 081060."),
        (8, "Product", "Not a tariff line (an aggregate or a total): row skipped."),
    ]
    assert dict(report.counts) == {"created": 4, "schedules_created": 2}
    lines = sorted(
        TariffLine.objects.values_list(
            "schedule__agreement", "code", "rate_type", "ad_valorem_percent", "description"
        )
    )
    assert lines == [
        ("ACFTA", "940360", "free", None, "Other wooden furniture"),
        ("MFN", "081060", "ad_valorem", Decimal("40.000"), "Durians"),
        ("MFN", "851713", "ad_valorem", Decimal("2.500"), "Smartphones"),
        ("MFN", "940360", "ad_valorem", Decimal("20.000"), "Other wooden furniture"),
    ]
    schedule = TariffSchedule.objects.get(agreement="MFN")
    assert (schedule.importer_id, schedule.valid_from, schedule.nomenclature) == (
        "TH",
        date(2024, 1, 1),
        "HS2022",
    )
    assert schedule.legal_source == (
        "Tariff data reported to UNCTAD TRAINS, downloaded from WITS; tariff year 2024"
    )
    assert schedule.source_url == "https://wits.worldbank.org/"


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (
            {},
            [
                (
                    3,
                    "DutyType",
                    "Name the agreement these AHS rates belong to (for example --agreement ACFTA).",
                ),
                (
                    4,
                    "DutyType",
                    "Name the agreement these PRF rates belong to (for example --agreement ACFTA).",
                ),
            ],
        ),
        (
            {"agreement": "ATIGA"},
            [
                (3, "Partner", "CN is not a party of ATIGA."),
                (4, "Partner", "CN is not a party of ATIGA."),
            ],
        ),
        ({"agreement": "ACFTA", "importer": "VN"}, None),
    ],
)
def test_wits_preferential_rows_need_an_agreement_with_the_partner_as_party(
    tmp_path: Path, options: dict[str, str], expected: list[tuple[int, str, str]] | None
) -> None:
    report = import_tariffs(
        write(tmp_path, WITS, "wits.csv"),
        actor=SYSTEM,
        options=TariffOptions(file_format="wits", **options),
    )

    if expected is None:
        assert problems_of(report)[0] == (
            2,
            "Reporter",
            "The file is imported for VN but this row is for TH.",
        )
    else:
        assert problems_of(report) == expected
    assert TariffLine.objects.count() == 0


def test_wits_data_in_an_older_nomenclature_is_refused(tmp_path: Path) -> None:
    text = (
        WITS.split("\n")[0] + "\nH5,764,Thailand,940360,Furniture,WLD,World,2020,MFN,20,20,20,1\n"
    )

    report = import_tariffs(
        write(tmp_path, text, "wits.csv"), actor=SYSTEM, options=TariffOptions(file_format="wits")
    )

    assert problems_of(report) == [
        (2, "Nomen Code", "Only HS 2022 (H6) data can be imported; download the data in HS 2022.")
    ]


# --- permissions -----------------------------------------------------------------------------------------


@pytest.fixture
def th_agency(db: None) -> User:
    """The admin of a verified Thai government agency."""
    user = make_user("th_officer")
    agency = make_organisation(name="Thai Customs Office", country="TH", kind="government")
    add_member(agency, user, "admin")
    return user


@pytest.fixture
def vn_agency(db: None) -> User:
    user = make_user("vn_officer")
    agency = make_organisation(name="Viet Nam Customs Office", country="VN", kind="government")
    add_member(agency, user, "owner")
    return user


def test_permissions_allow_staff_and_the_importing_countrys_agency(
    staff: User, owner: User, org: Organisation, th_agency: User, vn_agency: User
) -> None:
    editor = make_user("th_editor")
    add_member(Organisation.objects.get(name="Thai Customs Office"), editor, "editor")
    actors = {
        "anonymous": Actor.anonymous(),
        "staff": actor_for(staff),
        "enterprise_owner": actor_for(owner),
        "th_agency_admin": actor_for(th_agency),
        "th_agency_editor": actor_for(editor),
        "vn_agency_owner": actor_for(vn_agency),
        "system": SYSTEM,
    }

    edit = {name: allowed(actor, perms.EDIT_TARIFFS, "TH") for name, actor in actors.items()}
    read = {name: allowed(actor, perms.VIEW_TRADE) for name, actor in actors.items()}
    rules = {name: allowed(actor, perms.EDIT_RULES, "ACFTA") for name, actor in actors.items()}

    assert edit == {
        "anonymous": False,
        "staff": True,
        "enterprise_owner": False,
        "th_agency_admin": True,
        "th_agency_editor": False,
        "vn_agency_owner": False,
        "system": True,
    }
    assert set(read.values()) == {True}
    assert rules == {**edit, "vn_agency_owner": True}


def test_an_unverified_agency_may_not_edit(db: None) -> None:
    user = make_user("pending_officer")
    agency = make_organisation(
        name="Pending Agency", country="TH", kind="government", verified=False
    )
    add_member(agency, user, "owner")

    assert allowed(actor_for(user), perms.EDIT_TARIFFS, "TH") is False


def test_import_is_refused_for_another_countrys_agency_and_allowed_for_its_own(
    tmp_path: Path, th_agency: User, vn_agency: User, owner: User, org: Organisation
) -> None:
    path = write(tmp_path, TARIFFS)

    with pytest.raises(HarborError) as refused:
        import_tariffs(path, actor=actor_for(vn_agency))
    with pytest.raises(HarborError) as member:
        import_tariffs(path, actor=actor_for(owner))
    with pytest.raises(HarborError) as anonymous:
        import_tariffs(path, actor=Actor.anonymous())

    assert (refused.value.code, refused.value.http_status) == ("forbidden", 403)
    assert member.value.code == "forbidden"
    assert anonymous.value.code == "not_authenticated"
    assert TariffSchedule.objects.count() == 0
    report = import_tariffs(path, actor=actor_for(th_agency))
    assert report.imported is True
    assert TariffSchedule.objects.count() == 2


# --- the command -----------------------------------------------------------------------------------------


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("trade", *args, stdout=out, stderr=err, verbosity=0)
    return out.getvalue(), err.getvalue()


def test_command_imports_tariffs_and_prints_the_counts(tmp_path: Path) -> None:
    out, err = run("import-tariffs", str(write(tmp_path, TARIFFS)), "--sample")

    assert out.strip() == "tariffs.csv: 5 rows read; 5 created, 2 schedules_created"
    assert err == ""
    assert set(TariffSchedule.objects.values_list("is_sample", flat=True)) == {True}


def test_command_exits_non_zero_listing_every_problem(tmp_path: Path) -> None:
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as failed:
        call_command(
            "trade",
            "import-tariffs",
            str(write(tmp_path, BAD)),
            stdout=out,
            stderr=err,
            verbosity=0,
        )

    assert failed.value.returncode == 1
    assert str(failed.value) == f"{tmp_path / 'tariffs.csv'}: 5 problems, nothing was imported"
    assert err.getvalue().splitlines() == [
        "row 2, code: “999999” is not an HS 2022 subheading.",
        "row 3, importer: Unknown country code “XX”.",
        "row 4, ad_valorem_percent: A rate or amount cannot be negative.",
        "row 5, valid_from: “2025-13-01” is not a real date.",
        "row 6, agreement: JP is not a party of ACFTA.",
    ]
    assert TariffSchedule.objects.count() == 0


def test_command_refuses_a_missing_file_clearly(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"missing\.csv: No such file\.$") as failed:
        run("import-tariffs", str(tmp_path / "missing.csv"))
    assert failed.value.returncode == 1


def test_command_imports_a_wits_file_for_an_agreement(tmp_path: Path) -> None:
    out, err = run(
        "import-tariffs",
        str(write(tmp_path, WITS, "wits.csv")),
        "--format",
        "wits",
        "--agreement",
        "ACFTA",
        "--legal-source",
        "Thai tariff via WITS",
    )

    assert out.strip() == "wits.csv: 7 rows read; 4 created, 2 schedules_created"
    assert (
        err.splitlines()[0]
        == "warning: row 3, DutyType: A PRF row for this product is used instead: row skipped."
    )
    assert set(TariffSchedule.objects.values_list("legal_source", flat=True)) == {
        "Thai tariff via WITS"
    }


# --- rules and measures ----------------------------------------------------------------------------------

RULES = (
    "agreement,hs_prefix,rule,note,valid_from,valid_to,legal_source,source_url\n"
    "ACFTA,9403,RVC(40) | CTH,,2025-01-01,,ACFTA rules of origin,https://asean.org/\n"
    'ACFTA,5208,"RVC(40) | CTH & SP(""dyeing"")",Woven cotton,2025-01-01,,ACFTA rules of origin,\n'
)


def test_rules_import_is_idempotent_and_validates_the_rule_language(tmp_path: Path) -> None:
    path = write(tmp_path, RULES, "rules.csv")

    first = import_rules(path, actor=SYSTEM, sample=True)
    second = import_rules(path, actor=SYSTEM, sample=True)

    assert (dict(first.counts), dict(second.counts)) == ({"created": 2}, {"unchanged": 2})
    assert sorted(
        ProductRule.objects.values_list("agreement", "hs_prefix", "rule", "is_sample")
    ) == [
        ("ACFTA", "5208", 'RVC(40) | CTH & SP("dyeing")', True),
        ("ACFTA", "9403", "RVC(40) | CTH", True),
    ]
    bad = RULES.replace("RVC(40) | CTH,", "RVC(40) || CTH,").replace("ACFTA,5208", "MFN,5208")
    report = import_rules(write(tmp_path, bad, "bad.csv"), actor=SYSTEM)
    assert [(p.row, p.field) for p in report.problems] == [(2, "rule"), (3, "agreement")]
    assert report.problems[1].message == (
        "MFN rates need no proof of origin: give a preferential agreement."
    )


MEASURES = (
    "importer,hs_prefix,measure_code,original_language,title.en,title.th,requirement.en,"
    "requirement.th,documents,agency,legal_basis,valid_from,valid_to,legal_source,source_url\n"
    "TH,0810,A83,th,Phytosanitary certificate,ใบรับรองสุขอนามัยพืช,Each consignment needs a "
    "phytosanitary certificate.,ผลไม้สดทุกรุ่นต้องมีใบรับรองสุขอนามัยพืช,Phytosanitary certificate;"
    " Import permit,Department of Agriculture,Plant Quarantine Act B.E. 2507,2025-01-01,,"
    "Plant Quarantine Act,https://www.doa.go.th/\n"
)


def test_measures_import_keeps_language_maps_and_documents(tmp_path: Path) -> None:
    report = import_measures(write(tmp_path, MEASURES, "measures.csv"), actor=SYSTEM)

    assert dict(report.counts) == {"created": 1}
    measure = NonTariffMeasure.objects.get()
    assert (measure.importer_id, measure.hs_prefix, measure.measure_code, measure.chapter) == (
        "TH",
        "0810",
        "A83",
        "A",
    )
    assert measure.title == {"en": "Phytosanitary certificate", "th": "ใบรับรองสุขอนามัยพืช"}
    assert measure.documents == ["Phytosanitary certificate", "Import permit"]
    assert measure.original_language == "th"


def test_a_measure_needs_its_original_language_and_a_known_code(tmp_path: Path) -> None:
    bad = MEASURES.replace("TH,0810,A83,th,", "TH,0810,Z9,lo,")

    report = import_measures(write(tmp_path, bad, "measures.csv"), actor=SYSTEM)

    assert problems_of(report) == [
        (2, "measure_code", "Give an UNCTAD measure code such as A14 or B31."),
        (2, "title.lo", "Give the title in the original language (lo)."),
        (2, "requirement.lo", "Give the requirement in the original language (lo)."),
    ]


# --- jobs ------------------------------------------------------------------------------------------------


def test_an_import_job_runs_with_progress_and_reports(
    th_agency: User, django_capture_on_commit_callbacks: Any
) -> None:
    actor = actor_for(th_agency)
    job = start_trade_import(
        actor=actor, kind="tariffs", filename="th.csv", content=TARIFFS.encode()
    )

    job = run_job(job.pk)

    assert (job.status, job.progress, job.total) == (JobStatus.SUCCEEDED, 5, 5)
    assert job.result["counts"] == {"created": 5, "schedules_created": 2}
    assert job.params["user_id"] == th_agency.pk
    assert TariffSchedule.objects.count() == 2
    assert not Path(job.params["path"]).exists()


def test_an_import_job_with_problems_fails_and_keeps_the_report(th_agency: User) -> None:
    job = start_trade_import(
        actor=actor_for(th_agency), kind="tariffs", filename="bad.csv", content=BAD.encode()
    )

    job = run_job(job.pk)

    assert job.status == JobStatus.FAILED
    assert job.error == "The file has 5 problems; nothing was imported."
    assert job.result["problem_count"] == 5
    assert job.result["problems"][0] == {
        "row": 2,
        "field": "code",
        "message": "“999999” is not an HS 2022 subheading.",
    }


def test_starting_an_import_needs_an_agency_or_staff(owner: User, org: Organisation) -> None:
    with pytest.raises(HarborError) as refused:
        start_trade_import(
            actor=actor_for(owner), kind="tariffs", filename="a.csv", content=TARIFFS.encode()
        )
    assert refused.value.code == "forbidden"


# --- sample data -----------------------------------------------------------------------------------------


def test_demo_loader_loads_every_sample_file_and_a_second_run_changes_nothing() -> None:
    first = load_demo_trade()
    counts = (
        TariffSchedule.objects.count(),
        TariffLine.objects.count(),
        ProductRule.objects.count(),
        NonTariffMeasure.objects.count(),
        ImportTax.objects.count(),
        CustomsRegime.objects.count(),
    )
    audits = AuditEntry.objects.count()

    second = load_demo_trade()

    assert all("not loaded" not in line for line in first), first
    assert counts == (13, 432, 13, 12, 12, 11)
    assert second == [
        "Trade sample data: sample-regimes.csv, 11 rows, 0 written.",
        "Trade sample data: sample-taxes.csv, 12 rows, 0 written.",
        "Trade sample data: sample-tariffs.csv, 398 rows, 0 written.",
        "Trade sample data: sample-rules.csv, 13 rows, 0 written.",
        "Trade sample data: sample-measures.csv, 12 rows, 0 written.",
        "Trade sample data: sample-tariffs-2026.csv, 34 rows, 0 written.",
    ]
    assert AuditEntry.objects.count() == audits
    assert set(TariffSchedule.objects.values_list("is_sample", flat=True)) == {True}
    assert all(
        source.startswith("Sample data for demonstration — not official rates.")
        for source in TariffSchedule.objects.values_list("legal_source", flat=True)
    )
    assert CustomsRegime.objects.filter(valuation_basis="CIF").count() == 11
    assert dict(ImportTax.objects.filter(kind="vat").values_list("country_id", "rate_percent")) == {
        "CN": Decimal("13.000"),
        "ID": Decimal("11.000"),
        "KH": Decimal("10.000"),
        "LA": Decimal("10.000"),
        "MM": Decimal("5.000"),
        "MY": Decimal("10.000"),
        "PH": Decimal("12.000"),
        "SG": Decimal("9.000"),
        "TH": Decimal("7.000"),
        "VN": Decimal("10.000"),
    }
    assert list(
        ImportTax.objects.filter(is_sample=True).values_list("kind", flat=True).order_by("kind")
    ) == [
        "excise",
        "fee",
    ]
    fee = ImportTax.objects.get(kind="fee")
    assert (fee.fixed_amount, fee.currency) == (20000, "VND")
    thai = TariffLine.objects.get(
        schedule__importer_id="TH",
        schedule__agreement="MFN",
        schedule__valid_from=date(2026, 1, 1),
        code="94036090",
    )
    assert thai.ad_valorem_percent == Decimal("10.000")
    compound = TariffLine.objects.get(rate_type="compound")
    assert (compound.code, compound.specific_amount, compound.specific_currency, compound.unit) == (
        "852872",
        15000,
        "CNY",
        "u",
    )
    specific = TariffLine.objects.get(rate_type="specific")
    assert (
        specific.schedule.importer_id,
        specific.specific_amount,
        specific.specific_currency,
    ) == (
        "MY",
        220,
        "MYR",
    )


def test_saving_one_rule_validates_each_field_and_checks_permission(
    staff: User, vn_agency: User
) -> None:
    with pytest.raises(ValidationFailed) as invalid:
        save_product_rule(
            actor=actor_for(staff),
            data={
                "agreement": "ACFTA",
                "hs_prefix": "9999",
                "rule": "RVC(",
                "valid_from": "x",
                "legal_source": "s",
            },
        )
    assert [error.field for error in invalid.value.errors] == ["hs_prefix", "rule", "valid_from"]
    with pytest.raises(HarborError) as refused:
        save_product_rule(
            actor=actor_for(vn_agency),
            data={
                "agreement": "XFTA",
                "hs_prefix": "9403",
                "rule": "CTH",
                "valid_from": "2025-01-01",
                "legal_source": "s",
            },
        )
    assert refused.value.code == "forbidden"

    rule = save_product_rule(
        actor=actor_for(vn_agency),
        data={
            "agreement": "ACFTA",
            "hs_prefix": "9403",
            "rule": "CTH",
            "valid_from": date(2025, 1, 1),
            "legal_source": "s",
        },
    )
    measure = save_measure(
        actor=actor_for(vn_agency),
        data={
            "importer": "VN",
            "hs_prefix": "94",
            "measure_code": "B31",
            "original_language": "vi",
            "title": {"vi": "Nhãn phụ", "en": "Supplementary label"},
            "requirement": {"vi": "Nhãn phụ bằng tiếng Việt."},
            "documents": ["Label sample"],
            "valid_from": "2025-01-01",
            "legal_source": "Decree 43/2017/ND-CP",
        },
    )
    assert (rule.agreement, rule.hs_prefix, rule.rule, rule.valid_from) == (
        "ACFTA",
        "9403",
        "CTH",
        date(2025, 1, 1),
    )
    assert (measure.title, measure.documents, measure.chapter) == (
        {"vi": "Nhãn phụ", "en": "Supplementary label"},
        ["Label sample"],
        "B",
    )
