"""Exchange rates: bundled imports, the rate between two currencies on a day, conversions, operator rates.

The bundled ECB and H.10 files are imported once for the module (and removed afterwards); every test runs in
its own transaction on top of them. Expected figures are computed here from the published values with
fractions, independently of the code under test.
"""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Iterator
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harbor.core.actors import Actor
from harbor.core.audit import verify_chain
from harbor.core.errors import ErrorCode, HarborError, ValidationFailed
from harbor.core.jobs import run_job, start_job
from harbor.core.models import AuditEntry
from harbor.directory.models import User
from harbor.fx import importers, selectors, services
from harbor.fx.demo import load_demo_fx
from harbor.fx.errors import FxError, FxErrorCode
from harbor.fx.importers import ImportReport, import_bundled
from harbor.fx.models import ExchangeRate, RateSource
from tests.factories import actor_for

SYSTEM = Actor.system("tests")
DAY = date(2024, 5, 2)
# The ECB row of 2 May 2024 as published (foreign units per euro).
ECB_2024_05_02 = {
    "USD": "1.0698",
    "CNY": "7.7465",
    "IDR": "17302.04",
    "MYR": "5.0864",
    "PHP": "61.628",
    "SGD": "1.4538",
    "THB": "39.508",
}
ECB_COLUMNS = ("USD", "CNY", "IDR", "MYR", "PHP", "SGD", "THB")
FRED_SERIES = {"China", "Malaysia", "Singapore", "Thailand", "Euro"}


def ecb_rows() -> list[dict[str, str]]:
    with importers.BUNDLED_ECB.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def fred_rows() -> list[dict[str, str]]:
    with importers.BUNDLED_FRED.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["Country"] in FRED_SERIES]


def fred_value(country: str, day: str) -> str:
    return next(
        r["Exchange rate"] for r in fred_rows() if (r["Country"], r["Date"]) == (country, day)
    )


def ecb_cells() -> int:
    return sum(1 for row in ecb_rows() for code in ECB_COLUMNS if row[code] != "N/A")


def half_even(value: Fraction) -> int:
    """Round half to even, written out rather than trusting ``round``."""
    floor = value.numerator // value.denominator
    rest = value - floor
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and floor % 2 == 1):
        return floor + 1
    return floor


@pytest.fixture(scope="module")
def bundled(django_db_setup: Any, django_db_blocker: Any) -> Iterator[list[ImportReport]]:
    """The bundled files, imported once for this module; removed when it ends."""
    with django_db_blocker.unblock():
        reports = import_bundled(actor=SYSTEM)
    yield reports
    with django_db_blocker.unblock():
        ExchangeRate.objects.all().delete()
        RateSource.objects.all().delete()


@pytest.fixture
def rates(bundled: list[ImportReport], db: None) -> list[ImportReport]:
    return bundled


@pytest.fixture
def staff_actor(staff: User) -> Actor:
    return actor_for(staff)


def enter(actor: Actor, quote: str, rate: str, on: date, base: str = "USD") -> ExchangeRate:
    return services.enter_operator_rate(
        actor=actor, base=base, quote=quote, on=on, rate=Decimal(rate), note="test"
    )


# --- import ------------------------------------------------------------------------------------------


def test_bundled_import_stores_every_published_value_once(rates: list[ImportReport]) -> None:
    ecb, fred = rates
    expected_fred = sum(1 for row in fred_rows() if row["Exchange rate"])

    assert (ecb.source, ecb.read, ecb.created, ecb.updated) == ("ecb", ecb_cells(), ecb_cells(), 0)
    assert (fred.source, fred.read, fred.created, fred.updated) == (
        "fred-h10",
        expected_fred,
        expected_fred,
        0,
    )
    assert ExchangeRate.objects.filter(source_id="ecb").count() == ecb_cells()
    assert ExchangeRate.objects.filter(source_id="fred-h10").count() == expected_fred
    assert (ecb.first_date, ecb.last_date) == (date(1999, 1, 4), date(2026, 4, 13))


def test_importing_the_bundled_files_again_changes_nothing(rates: list[ImportReport]) -> None:
    rows_before = ExchangeRate.objects.count()
    audit_before = AuditEntry.objects.count()

    again = import_bundled(actor=SYSTEM)

    assert [(r.created, r.updated, r.unchanged) for r in again] == [
        (0, 0, rates[0].read),
        (0, 0, rates[1].read),
    ]
    assert ExchangeRate.objects.count() == rows_before
    assert AuditEntry.objects.count() == audit_before


def test_ecb_values_are_stored_exactly_as_published(rates: list[ImportReport]) -> None:
    published = next(row for row in ecb_rows() if row["Date"] == DAY.isoformat())
    stored = {
        rate.quote_id: rate.rate
        for rate in ExchangeRate.objects.filter(source_id="ecb", base_id="EUR", date=DAY)
    }

    assert {code: published[code] for code in ECB_COLUMNS} == ECB_2024_05_02
    assert stored == {code: Decimal(value) for code, value in ECB_2024_05_02.items()}


def test_ecb_cells_marked_not_available_are_skipped(rates: list[ImportReport]) -> None:
    first_cny = min(row["Date"] for row in ecb_rows() if row["CNY"] != "N/A")

    assert first_cny == "2005-04-01"
    assert ExchangeRate.objects.filter(source_id="ecb", quote_id="CNY").earliest("date").date == (
        date(2005, 4, 1)
    )


def test_fred_series_are_stored_as_foreign_units_per_dollar(rates: list[ImportReport]) -> None:
    china = ExchangeRate.objects.get(source_id="fred-h10", quote_id="CNY", date=date(2024, 5, 1))
    euro = ExchangeRate.objects.get(source_id="fred-h10", quote_id="EUR", date=date(2024, 5, 1))

    assert (china.base_id, china.rate) == ("USD", Decimal(fred_value("China", "2024-05-01")))
    assert (euro.base_id, euro.rate) == ("USD", Decimal(fred_value("Euro", "2024-05-01")))


def test_the_fred_euro_series_agrees_with_the_ecb_in_its_direction(
    rates: list[ImportReport],
) -> None:
    # The file's Euro column is euros per dollar (its README says the reverse): May 2024 averaged
    # 1.0812 dollars per euro at the ECB, and the file holds 0.9251.
    may = ExchangeRate.objects.filter(
        source_id="ecb", quote_id="USD", date__range=(date(2024, 5, 1), date(2024, 5, 31))
    )
    ecb_mean = sum(Fraction(r.rate) for r in may) / may.count()
    fred = ExchangeRate.objects.get(source_id="fred-h10", date=date(2024, 5, 1), quote_id="EUR")

    assert abs(Fraction(fred.rate) * ecb_mean - 1) < Fraction(1, 1000)


def ecb_file(tmp_path: Path, rows: list[str]) -> Path:
    """A file shaped as the ECB publishes it: zipped, every currency column, a trailing comma."""
    header = "Date,USD,JPY,BGN,CZK,GBP,CNY,IDR,MYR,PHP,SGD,THB,ZAR,"
    path = tmp_path / "eurofxref-hist.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("eurofxref-hist.csv", "\n".join([header, *rows]) + "\n")
    return path


def test_a_newer_ecb_file_adds_its_new_days_and_corrects_revised_values(
    rates: list[ImportReport], tmp_path: Path
) -> None:
    path = ecb_file(
        tmp_path,
        [
            "2026-04-14,1.1700,186.1,N/A,24.3,0.87,7.9900,20100.5,4.65,70.4,1.4920,37.800,19.4,",
            "2026-04-13,1.1684,186.75,N/A,24.378,0.87058,7.9827,20082.05,4.6444,70.356,1.4912,37.729,19.3849,",
        ],
    )
    before = ExchangeRate.objects.filter(source_id="ecb").count()
    out = StringIO()

    call_command("fx", "import", "--source", "ecb", str(path), stdout=out, verbosity=0)

    assert ExchangeRate.objects.filter(source_id="ecb").count() == before + 7
    assert ExchangeRate.objects.get(
        source_id="ecb", quote_id="THB", date=date(2026, 4, 13)
    ).rate == Decimal("37.729")
    assert ExchangeRate.objects.get(
        source_id="ecb", quote_id="IDR", date=date(2026, 4, 14)
    ).rate == Decimal("20100.5")
    assert out.getvalue().startswith(
        "ecb: 14 rates read (2026-04-13…2026-04-14), 7 created, 1 updated, 6 unchanged in "
    )
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry is not None
    assert (entry.action, entry.data["created"], entry.data["corrected"]) == (
        "fx.rates.imported",
        7,
        [["EUR", "THB", "2026-04-13"]],
    )
    assert verify_chain().ok


def test_a_file_that_is_not_an_ecb_file_is_refused_naming_it(
    rates: list[ImportReport], tmp_path: Path
) -> None:
    path = tmp_path / "prices.csv"
    path.write_text("when,price\n2026-01-01,3\n", encoding="utf-8")

    with pytest.raises(CommandError) as excinfo:
        call_command("fx", "import", "--source", "ecb", str(path), verbosity=0)

    assert str(excinfo.value) == (
        "prices.csv is not an ECB reference-rate file (a Date column, then currencies). "
        "(file: prices.csv is not an ECB reference-rate file (a Date column, then currencies).)"
    )


def test_a_bad_value_names_its_line_and_column(rates: list[ImportReport], tmp_path: Path) -> None:
    path = ecb_file(tmp_path, ["2026-04-14,1.17,1,N/A,1,1,abc,1,1,1,1,1,1,"])

    with pytest.raises(ValidationFailed) as excinfo:
        importers.read_ecb(path)

    assert [e.as_dict() for e in excinfo.value.errors] == [
        {
            "field": "file",
            "message": "eurofxref-hist.zip:eurofxref-hist.csv, line 2, CNY: “abc” is not a usable rate.",
        }
    ]


def test_a_file_without_a_source_is_refused(rates: list[ImportReport], tmp_path: Path) -> None:
    with pytest.raises(
        CommandError, match=r"^name the source of FILE: --source ecb or --source fred$"
    ):
        call_command("fx", "import", str(tmp_path / "x.csv"), verbosity=0)


def test_the_import_job_runs_the_bundled_import_with_progress(
    rates: list[ImportReport], staff_actor: Actor
) -> None:
    job = start_job("fx.import", actor=staff_actor)

    finished = run_job(job.pk)

    total = rates[0].read + rates[1].read
    assert (finished.status, finished.progress, finished.total) == ("succeeded", total, total)
    assert finished.result == {
        "ecb": {"read": rates[0].read, "created": 0, "updated": 0},
        "fred-h10": {"read": rates[1].read, "created": 0, "updated": 0},
    }


def test_only_platform_staff_import_rates(rates: list[ImportReport], owner: User) -> None:
    with pytest.raises(HarborError) as excinfo:
        importers.import_fred(actor=actor_for(owner))

    assert excinfo.value.code == ErrorCode.FORBIDDEN


# --- rates and conversions ---------------------------------------------------------------------------


def test_a_published_pair_is_direct(rates: list[ImportReport]) -> None:
    conversion = selectors.convert(12345, "EUR", "USD", on=DAY)

    assert conversion.converted_minor == half_even(12345 * Fraction("1.0698")) == 13207
    rate = conversion.rate
    assert (rate.path, rate.value, rate.observed_on, rate.via) == (
        "direct",
        Decimal("1.0698"),
        DAY,
        [],
    )
    assert [s.code for s in rate.sources] == ["ecb"]


def test_the_reverse_of_a_published_pair_is_its_inverse(rates: list[ImportReport]) -> None:
    conversion = selectors.convert(10000, "usd", "eur", on=DAY)

    assert conversion.converted_minor == half_even(10000 / Fraction("1.0698")) == 9348
    assert (conversion.rate.path, conversion.rate.legs[0].inverted) == ("inverse", True)
    assert conversion.rate.value == Decimal("0.934754159656")


def test_two_member_currencies_cross_through_the_euro_on_one_source(
    rates: list[ImportReport],
) -> None:
    conversion = selectors.convert(100000, "CNY", "THB", on=DAY)

    expected = half_even(100000 * Fraction("39.508") / Fraction("7.7465"))
    assert conversion.converted_minor == expected == 510011
    assert (conversion.amount_text, conversion.converted_text) == ("1000.00", "5100.11")
    rate = conversion.rate
    assert (rate.path, rate.via, rate.path_label) == ("cross", ["EUR"], "cross via EUR")
    assert [(leg.base, leg.quote, leg.source.code, leg.inverted) for leg in rate.legs] == [
        ("CNY", "EUR", "ecb", True),
        ("EUR", "THB", "ecb", False),
    ]


def test_a_daily_ecb_cross_is_preferred_to_a_monthly_fred_direct_rate(
    rates: list[ImportReport],
) -> None:
    rate = selectors.get_rate("USD", "CNY", on=DAY)

    assert (rate.path, [s.code for s in rate.sources]) == ("cross", ["ecb"])
    assert rate.exact == Fraction("7.7465") / Fraction("1.0698")


def test_when_the_ecb_is_stale_the_fed_answers(rates: list[ImportReport]) -> None:
    within = selectors.get_rate("EUR", "USD", on=date(2026, 4, 20))
    after = selectors.get_rate("EUR", "USD", on=date(2026, 4, 21))

    assert (within.sources[0].code, within.observed_on) == ("ecb", date(2026, 4, 13))
    assert (after.sources[0].code, after.observed_on) == ("fred-h10", date(2026, 4, 1))
    assert (after.path, after.exact) == ("inverse", 1 / Fraction(fred_value("Euro", "2026-04-01")))


def test_a_rate_older_than_its_source_allows_is_refused(rates: list[ImportReport]) -> None:
    assert selectors.get_rate("EUR", "USD", on=date(2026, 7, 16)).observed_on == date(2026, 6, 1)

    with pytest.raises(FxError) as monthly:
        selectors.get_rate("EUR", "USD", on=date(2026, 7, 17))
    with pytest.raises(FxError) as daily:
        selectors.get_rate("IDR", "EUR", on=date(2026, 4, 21))

    assert (monthly.value.code, monthly.value.http_status) == (FxErrorCode.STALE_RATE, 404)
    assert str(monthly.value.detail) == (
        "No recent rate for EUR on 2026-07-17: the latest is of 2026-06-01 (Federal Reserve H.10 "
        "foreign exchange rates (monthly, via FRED)), older than the 45 days allowed."
    )
    assert str(daily.value.detail) == (
        "No recent rate for IDR on 2026-04-21: the latest is of 2026-04-13 (ECB euro foreign "
        "exchange reference rates), older than the 7 days allowed."
    )


def test_the_brunei_dollar_follows_the_singapore_dollar_by_the_peg(
    rates: list[ImportReport],
) -> None:
    par = selectors.get_rate("BND", "SGD", on=DAY)
    brunei = selectors.convert(10000, "BND", "THB", on=DAY)
    singapore = selectors.convert(10000, "SGD", "THB", on=DAY)

    assert (par.exact, par.path, [s.code for s in par.sources]) == (Fraction(1), "direct", ["peg"])
    assert brunei.converted_minor == singapore.converted_minor
    assert brunei.converted_minor == half_even(10000 * Fraction("39.508") / Fraction("1.4538"))
    assert [s.code for s in brunei.rate.sources] == ["peg", "ecb"]
    assert brunei.rate.via == ["SGD", "EUR"]
    assert not ExchangeRate.objects.filter(base_id="BND").exists()
    assert not ExchangeRate.objects.filter(quote_id="BND").exists()


def test_the_same_currency_is_the_identity(rates: list[ImportReport]) -> None:
    conversion = selectors.convert(123, "VND", "VND", on=DAY)

    assert (conversion.converted_minor, conversion.rate.path, conversion.rate.legs) == (
        123,
        "identity",
        (),
    )


def test_the_dong_without_an_operator_rate_is_a_clear_error(rates: list[ImportReport]) -> None:
    with pytest.raises(FxError) as excinfo:
        selectors.convert(100000, "VND", "THB", on=DAY)

    assert excinfo.value.code == FxErrorCode.NO_RATE
    assert str(excinfo.value.detail) == (
        "No rate for VND on or before 2024-05-02: enter an operator rate."
    )


def test_an_operator_rate_joins_the_published_ones(
    rates: list[ImportReport], staff_actor: Actor
) -> None:
    enter(staff_actor, "VND", "25400", date(2024, 5, 1))

    direct = selectors.convert(1000, "USD", "VND", on=DAY)
    crossed = selectors.convert(10000, "CNY", "VND", on=DAY)

    assert direct.converted_minor == 254000
    assert (direct.rate.observed_on, [s.code for s in direct.rate.sources]) == (
        date(2024, 5, 1),
        ["operator"],
    )
    # 100.00 CNY: yuan to euro and euro to dollar from the ECB of 2 May, dollar to dong from the operator.
    expected = half_even(10000 / Fraction("7.7465") * Fraction("1.0698") * 25400 / Fraction(100))
    assert crossed.converted_minor == expected == 350777
    assert crossed.rate.via == ["EUR", "USD"]
    assert [s.code for s in crossed.rate.sources] == ["ecb", "operator"]
    assert crossed.rate.observed_on == date(2024, 5, 1)


@pytest.mark.parametrize(("rate", "expected"), [("25450", 254), ("25350", 254), ("25451", 255)])
def test_conversions_round_half_to_even_at_the_quote_minor_unit(
    rates: list[ImportReport], staff_actor: Actor, rate: str, expected: int
) -> None:
    enter(staff_actor, "VND", rate, date(2024, 6, 3))

    # One US cent: 254.5, 253.5 and 254.51 dong; the dong has no minor unit.
    assert selectors.convert(1, "USD", "VND", on=date(2024, 6, 3)).converted_minor == expected


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(amount=st.integers(min_value=-(10**12), max_value=10**12))
def test_any_amount_converts_as_decimal_arithmetic_does(
    rates: list[ImportReport], amount: int
) -> None:
    expected = (Decimal(amount) * Decimal("1.0698")).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)

    assert selectors.convert(amount, "EUR", "USD", on=DAY).converted_minor == int(expected)


def test_an_amount_beyond_the_limit_names_the_amount(rates: list[ImportReport]) -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        selectors.convert(10**15 + 1, "EUR", "USD", on=DAY)

    assert [e.field for e in excinfo.value.errors] == ["amount"]


# --- operator rates -----------------------------------------------------------------------------------


def test_staff_enter_an_operator_rate_and_it_is_audited(
    rates: list[ImportReport], staff: User, staff_actor: Actor
) -> None:
    created = services.enter_operator_rate(
        actor=staff_actor,
        base="usd",
        quote="lak",
        on=date(2024, 5, 1),
        rate="21350.5",
        note="Bank of the Lao PDR reference rate",
    )

    stored = ExchangeRate.objects.get(pk=created.pk)
    assert (stored.source_id, stored.base_id, stored.quote_id, stored.rate) == (
        "operator",
        "USD",
        "LAK",
        Decimal("21350.5"),
    )
    assert (stored.entered_by_id, stored.note) == (staff.pk, "Bank of the Lao PDR reference rate")
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry is not None
    assert (entry.action, entry.object_id, entry.actor_user_id, entry.data) == (
        "fx.operator_rate.entered",
        str(created.pk),
        staff.pk,
        {"rate": "21350.5"},
    )


def test_entering_the_same_day_again_corrects_it_and_unchanged_writes_nothing(
    rates: list[ImportReport], staff_actor: Actor
) -> None:
    first = enter(staff_actor, "KHR", "4010", date(2024, 5, 1))
    corrected = enter(staff_actor, "KHR", "4012", date(2024, 5, 1))
    audit_after_correction = AuditEntry.objects.count()
    enter(staff_actor, "KHR", "4012", date(2024, 5, 1))

    assert corrected.pk == first.pk
    assert ExchangeRate.objects.get(pk=first.pk).rate == Decimal("4012")
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry is not None
    assert (entry.action, entry.data) == (
        "fx.operator_rate.corrected",
        {"rate": "4012", "previous": "4010"},
    )
    assert AuditEntry.objects.count() == audit_after_correction


def test_a_member_who_is_not_staff_may_not_enter_a_rate(
    rates: list[ImportReport], owner: User
) -> None:
    count = ExchangeRate.objects.filter(source_id="operator").count()

    with pytest.raises(HarborError) as excinfo:
        enter(actor_for(owner), "MMK", "2100", date(2024, 5, 1))

    assert (excinfo.value.code, excinfo.value.http_status) == (ErrorCode.FORBIDDEN, 403)
    assert ExchangeRate.objects.filter(source_id="operator").count() == count


def test_an_anonymous_caller_may_not_enter_a_rate(rates: list[ImportReport]) -> None:
    with pytest.raises(HarborError) as excinfo:
        enter(Actor.anonymous(), "MMK", "2100", date(2024, 5, 1))

    assert (excinfo.value.code, excinfo.value.http_status) == (ErrorCode.NOT_AUTHENTICATED, 401)


def test_operator_rate_fields_are_checked_together(
    rates: list[ImportReport], staff_actor: Actor
) -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        services.enter_operator_rate(
            actor=staff_actor, base="BND", quote="XQQ", on=date(2999, 1, 1), rate="0", note=""
        )

    assert [e.as_dict() for e in excinfo.value.errors] == [
        {"field": "quote", "message": "“XQQ” is not an ISO 4217 currency code."},
        {
            "field": "rate",
            "message": "Give a positive rate with at most 12 digits before and 12 after the point.",
        },
        {"field": "date", "message": "A rate cannot be entered for a future day."},
    ]


def test_the_pegged_currency_cannot_be_entered(
    rates: list[ImportReport], staff_actor: Actor
) -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        enter(staff_actor, "THB", "26", date(2024, 5, 1), base="BND")

    assert [e.as_dict() for e in excinfo.value.errors] == [
        {
            "field": "base",
            "message": "BND is fixed at par with SGD; its rates follow from the peg.",
        }
    ]


# --- demo ---------------------------------------------------------------------------------------------


def test_the_demo_adds_sample_operator_rates_once(rates: list[ImportReport]) -> None:
    load_demo_fx()
    audit = AuditEntry.objects.count()
    second = load_demo_fx()

    samples = ExchangeRate.objects.filter(source_id="operator")
    assert samples.count() == 24
    assert {r.quote_id for r in samples} == {"VND", "KHR", "LAK", "MMK"}
    assert samples.get(quote_id="VND", date=date(2026, 3, 1)).note == (
        "Sample rate for the demo, not a published figure. Real VND rates come from the "
        "State Bank of Vietnam."
    )
    assert second[-1].endswith(": 0 added")
    assert AuditEntry.objects.count() == audit
    assert selectors.convert(100, "USD", "VND", on=date(2026, 3, 15)).converted_minor == 26000


# --- command ------------------------------------------------------------------------------------------


def test_the_rate_command_prints_rate_path_source_and_date(rates: list[ImportReport]) -> None:
    out = StringIO()

    call_command(
        "fx", "rate", "--base", "CNY", "--quote", "THB", "--date", "2024-05-02", stdout=out
    )

    assert out.getvalue().splitlines() == [
        "1 CNY = 5.10010972697 THB on 2024-05-02 (observed 2024-05-02), cross via EUR",
        "  CNY→EUR 0.129090557026  (EUR/CNY 7.7465 inverted, 2024-05-02, "
        "ECB euro foreign exchange reference rates)",
        "  EUR→THB 39.508  (EUR/THB 39.508, 2024-05-02, ECB euro foreign exchange reference rates)",
        "  Source: European Central Bank, euro foreign exchange reference rates.",
    ]


def test_the_rate_command_reports_a_missing_rate(rates: list[ImportReport]) -> None:
    with pytest.raises(CommandError, match=r"^No rate for KHR on or before 2024-05-02: enter"):
        call_command("fx", "rate", "--base", "KHR", "--quote", "THB", "--date", "2024-05-02")


# --- API ----------------------------------------------------------------------------------------------

ECB_SOURCE = {
    "code": "ecb",
    "name": "ECB euro foreign exchange reference rates",
    "url": "https://www.ecb.europa.eu/stats/policy_and_exchange_rates/"
    "euro_reference_exchange_rates/html/index.en.html",
    "licence": "ECB reuse with source acknowledged",
    "attribution": "Source: European Central Bank, euro foreign exchange reference rates.",
    "frequency": "daily",
    "max_age_days": 7,
    "priority": 10,
}


def test_api_rate_shows_path_observations_and_sources(rates: list[ImportReport]) -> None:
    response = Client().get("/api/v1/fx/rates?base=CNY&quote=THB&date=2024-05-02")

    assert response.status_code == 200
    assert response.json() == {
        "base": "CNY",
        "quote": "THB",
        "requested_date": "2024-05-02",
        "observed_date": "2024-05-02",
        "rate": "5.10010972697",
        "path": "cross",
        "via": ["EUR"],
        "path_label": "cross via EUR",
        "legs": [
            {
                "base": "CNY",
                "quote": "EUR",
                "rate": "0.129090557026",
                "stored_rate": "7.7465",
                "inverted": True,
                "observed_date": "2024-05-02",
                "source": "ecb",
            },
            {
                "base": "EUR",
                "quote": "THB",
                "rate": "39.508",
                "stored_rate": "39.508",
                "inverted": False,
                "observed_date": "2024-05-02",
                "source": "ecb",
            },
        ],
        "sources": [ECB_SOURCE],
    }


def test_api_convert_gives_minor_units_and_decimals(rates: list[ImportReport]) -> None:
    response = Client().get("/api/v1/fx/convert?amount=100000&base=CNY&quote=THB&date=2024-05-02")

    assert response.status_code == 200
    body = response.json()
    assert {k: v for k, v in body.items() if k != "rate"} == {
        "base": "CNY",
        "quote": "THB",
        "amount": 100000,
        "converted": 510011,
        "amount_decimal": "1000.00",
        "converted_decimal": "5100.11",
        "base_minor_unit": 2,
        "quote_minor_unit": 2,
    }
    assert (body["rate"]["rate"], body["rate"]["observed_date"]) == ("5.10010972697", "2024-05-02")


def test_api_an_unknown_currency_is_a_422_naming_the_field(rates: list[ImportReport]) -> None:
    response = Client().get("/api/v1/fx/rates?base=XYZ&quote=thb&date=2024-05-02")

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert (body["code"], body["detail"]) == ("validation_error", "Some fields are invalid: base.")
    assert body["errors"] == [
        {"field": "base", "message": "“XYZ” is not an ISO 4217 currency code."}
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("amount=100&base=EUR&quote=ZZZ&date=2024-05-02", "quote"),
        ("amount=1.5&base=EUR&quote=USD&date=2024-05-02", "amount"),
        ("amount=100&base=EUR&quote=USD&date=2024-13-01", "date"),
        ("amount=100&quote=USD", "base"),
    ],
)
def test_api_convert_names_each_bad_field(
    rates: list[ImportReport], query: str, field: str
) -> None:
    response = Client().get(f"/api/v1/fx/convert?{query}")

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_api_a_missing_rate_is_a_404_problem(rates: list[ImportReport]) -> None:
    response = Client().get("/api/v1/fx/convert?amount=100&base=LAK&quote=THB&date=2024-05-02")

    assert response.status_code == 404
    body = response.json()
    assert (body["code"], body["detail"]) == (
        "fx_no_rate",
        "No rate for LAK on or before 2024-05-02: enter an operator rate.",
    )


def test_api_sources_list_licences_and_spans(rates: list[ImportReport]) -> None:
    response = Client().get("/api/v1/fx/sources")

    assert response.status_code == 200
    sources = response.json()
    assert [s["code"] for s in sources] == ["peg", "ecb", "fred-h10", "operator"]
    ecb = sources[1]
    assert ecb == {
        **ECB_SOURCE,
        "rate_count": ecb_cells(),
        "first_date": "1999-01-04",
        "latest_date": "2026-04-13",
    }
    assert sources[2]["licence"] == "ODC-PDDL-1.0"
    assert (sources[0]["rate_count"], sources[0]["latest_date"]) == (0, None)
