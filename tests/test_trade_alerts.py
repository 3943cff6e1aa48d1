"""Change alerts: tariff, rule and measure changes published as regulation records to subscribers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harbor.core.actors import Actor
from harbor.directory.models import Organisation, User
from harbor.sharing.models import InboxItem, Record
from harbor.sharing.subscriptions import create_subscription, list_inbox_for
from harbor.trade.alerts import TRADE_DESK_SLUG, format_code, publish_schedule_changes
from harbor.trade.demo import load_demo_trade
from harbor.trade.importers import TariffOptions
from harbor.trade.services import import_measures, import_rules, import_tariffs
from tests.factories import actor_for, add_member, make_organisation, make_user

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("tests")
HEADER = (
    "importer,agreement,nomenclature,code,description,rate_type,ad_valorem_percent,specific_amount,"
    "specific_currency,unit,valid_from,valid_to,legal_source,source_url\n"
)
SOURCE = "Customs Tariff Decree B.E. 2530"
URL = "https://www.customs.go.th/"
ACFTA_PARTIES = ["BN", "CN", "ID", "KH", "LA", "MM", "MY", "PH", "SG", "TH", "VN"]
# Subheadings that exist in HS 2022, for schedules with many lines.
SUBHEADINGS = [
    "080390", "080450", "081060", "081090", "090111", "090121", "090411", "400121", "400122",
    "401110", "441231", "441873", "441899", "610910", "611020", "620342", "620462", "640399",
    "640411", "730890", "732393", "841510", "845011", "847130", "850440", "851713", "852872",
]  # fmt: skip


def schedule(
    lines: list[tuple[str, str]], *, start: str, importer: str = "TH", agreement: str = "MFN"
) -> str:
    """A harbor-layout file: (code, percent or "free") per line."""
    rows = []
    for code, rate in lines:
        kind, percent = ("free", "") if rate == "free" else ("ad_valorem", rate)
        rows.append(
            f"{importer},{agreement},AHTN2022,{code},Line {code},{kind},{percent},,,,{start},,{SOURCE},{URL}\n"
        )
    return HEADER + "".join(rows)


FURNITURE_2025 = [("94036090", "20"), ("94036010", "20"), ("85171300", "free")]
FURNITURE_2026 = [("94036090", "10"), ("94036010", "20"), ("85171300", "free")]


@pytest.fixture
def load(tmp_path: Path, django_capture_on_commit_callbacks: Any) -> Callable[..., list[Record]]:
    """Import a tariff file and run the after-commit alerts; the records it published."""

    def run(text: str, *, actor: Actor = SYSTEM, sample: bool = False) -> list[Record]:
        before = set(Record.objects.values_list("pk", flat=True))
        path = tmp_path / "tariffs.csv"
        path.write_text(text, encoding="utf-8")
        with django_capture_on_commit_callbacks(execute=True):
            report = import_tariffs(path, actor=actor, options=TariffOptions(sample=sample))
        assert report.problems == []
        return list(Record.objects.exclude(pk__in=before).order_by("pk"))

    return run


def test_a_subscription_by_heading_and_country_receives_a_thai_furniture_rate_change(
    owner: User, org: Organisation, load: Callable[..., list[Record]]
) -> None:
    # Given a Vietnamese member following duties on HS 9403 in Thailand,
    subscriber = actor_for(owner)
    subscription = create_subscription(
        actor=subscriber,
        data={"name": "Thai furniture duties", "hs_prefixes": ["9403"], "countries": ["TH"]},
    )
    fruit = create_subscription(
        actor=subscriber, data={"name": "Thai fruit", "hs_prefixes": ["0810"], "countries": ["TH"]}
    )
    load(schedule(FURNITURE_2025, start="2025-01-01"))

    # when Thailand's 2026 schedule lowers the duty on other wooden furniture,
    published = load(schedule(FURNITURE_2026, start="2026-01-01"))

    # then one regulation record announces the change and reaches the subscriber's inbox.
    assert len(published) == 1
    record = published[0]
    assert record.title["en"] == "Tariff change: Thailand MFN duty on 9403.60.90 from 20% to 10%"
    assert record.summary["en"] == (
        "Tariff change: Thailand MFN duty on 9403.60.90 from 20% to 10%, from 2026-01-01. "
        "Line 94036090"
    )
    assert (record.kind, record.status, record.audience, record.original_language) == (
        "regulation",
        "published",
        "public",
        "en",
    )
    assert (record.hs_codes, record.countries, record.topics) == (["940360"], ["TH"], ["tariffs"])
    assert record.effective_date.isoformat() == "2026-01-01"
    assert record.links == [{"url": URL, "label": "Source"}]
    assert record.owner.slug == TRADE_DESK_SLUG
    assert record.is_demo is False
    assert "Legal source: Customs Tariff Decree B.E. 2530" in record.body["en"]
    inbox = list_inbox_for(subscriber)
    assert [(item.subscription_id, item.record_id) for item in inbox.filter(record=record)] == [
        (subscription.pk, record.pk)
    ]
    assert not InboxItem.objects.filter(subscription=fruit).exists()


def test_alerts_wait_for_the_commit(
    tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    path = tmp_path / "tariffs.csv"
    path.write_text(schedule(FURNITURE_2025, start="2025-01-01"), encoding="utf-8")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        import_tariffs(path, actor=SYSTEM)
    assert Record.objects.count() == 0

    for callback in callbacks:
        callback()
    assert Record.objects.count() == 1


def test_a_first_schedule_is_announced_as_one_record_listing_its_lines(
    load: Callable[..., list[Record]],
) -> None:
    published = load(schedule(FURNITURE_2025, start="2025-01-01"))

    assert len(published) == 1
    record = published[0]
    assert record.title["en"] == "New tariff schedule: Thailand MFN from 2025-01-01 (3 lines)"
    assert record.summary["en"] == "3 tariff lines: 3 added, 0 removed, 0 changed."
    assert record.body["en"].splitlines()[2:5] == [
        "- 8517.13.00: - → free Line 85171300",
        "- 9403.60.10: - → 20% Line 94036010",
        "- 9403.60.90: - → 20% Line 94036090",
    ]
    assert record.hs_codes == ["851713", "940360"]


def test_up_to_twenty_changes_publish_one_record_each(load: Callable[..., list[Record]]) -> None:
    load(schedule(FURNITURE_2025, start="2025-01-01"))
    changed = [("94036090", "15"), ("94036010", "free"), ("94035000", "25")]

    published = load(schedule(changed, start="2026-01-01"))

    assert [record.title["en"] for record in published] == [
        "Tariff line removed: Thailand MFN 8517.13.00 (was free)",
        "New tariff line: Thailand MFN 9403.50.00 at 25%",
        "Tariff change: Thailand MFN duty on 9403.60.10 from 20% to free",
        "Tariff change: Thailand MFN duty on 9403.60.90 from 20% to 15%",
    ]


def test_more_than_twenty_changes_publish_one_record_listing_them(
    load: Callable[..., list[Record]],
) -> None:
    load(schedule([(code, "10") for code in SUBHEADINGS], start="2025-01-01"))

    published = load(schedule([(code, "5") for code in SUBHEADINGS], start="2026-01-01"))

    assert len(published) == 1
    record = published[0]
    assert record.title["en"] == (
        "Tariff schedule update: Thailand MFN from 2026-01-01 (27 lines changed)"
    )
    assert record.summary["en"] == "27 tariff lines: 0 added, 0 removed, 27 changed."
    listed = [line for line in record.body["en"].splitlines() if line.startswith("- ")]
    assert len(listed) == 27
    assert listed[0] == "- 0803.90: 10% → 5% Line 080390"
    assert record.hs_codes == SUBHEADINGS


def test_running_an_import_again_publishes_nothing_twice(
    load: Callable[..., list[Record]],
) -> None:
    load(schedule(FURNITURE_2025, start="2025-01-01"))
    assert len(load(schedule(FURNITURE_2026, start="2026-01-01"))) == 1

    assert load(schedule(FURNITURE_2026, start="2026-01-01")) == []
    assert Record.objects.count() == 2


def test_the_same_changes_are_never_published_twice(
    tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    path = tmp_path / "tariffs.csv"
    path.write_text(schedule(FURNITURE_2025, start="2025-01-01"), encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        import_tariffs(path, actor=SYSTEM)
    # After commit: the cached trade tables are forgotten, then the alerts are published.
    assert len(callbacks) == 2
    publish = callbacks[1]

    publish()
    publish()

    assert Record.objects.count() == 1


def test_a_preferential_change_concerns_every_party(load: Callable[..., list[Record]]) -> None:
    load(schedule([("940360", "5")], start="2025-01-01", agreement="ACFTA"))

    published = load(schedule([("940360", "free")], start="2026-01-01", agreement="ACFTA"))

    assert [(r.title["en"], r.countries, r.topics) for r in published] == [
        (
            "Tariff change: Thailand ACFTA duty on 9403.60 from 5% to free",
            ACFTA_PARTIES,
            ["tariffs", "acfta"],
        )
    ]


def test_sample_changes_are_labelled_as_sample(load: Callable[..., list[Record]]) -> None:
    load(schedule(FURNITURE_2025, start="2025-01-01"), sample=True)

    published = load(schedule(FURNITURE_2026, start="2026-01-01"), sample=True)

    record = published[0]
    assert record.title["en"] == (
        "Sample data: Tariff change: Thailand MFN duty on 9403.60.90 from 20% to 10%"
    )
    assert record.summary["en"].endswith("Sample data for demonstration, not official figures.")
    assert record.is_demo is True
    assert record.topics == ["tariffs", "sample-data"]


def test_loading_an_older_schedule_publishes_nothing(load: Callable[..., list[Record]]) -> None:
    load(schedule(FURNITURE_2026, start="2026-01-01"))

    assert load(schedule(FURNITURE_2025, start="2025-01-01")) == []


def test_an_agency_publishes_alerts_as_itself_and_the_platform_as_the_trade_desk(
    load: Callable[..., list[Record]],
) -> None:
    officer = make_user("th_officer")
    agency = make_organisation(name="Thai Customs Office", country="TH", kind="government")
    add_member(agency, officer, "admin")

    by_agency = load(schedule(FURNITURE_2025, start="2025-01-01"), actor=actor_for(officer))
    by_platform = load(schedule(FURNITURE_2026, start="2026-01-01"))

    assert [record.owner_id for record in by_agency] == [agency.pk]
    desk = Organisation.objects.get(slug=TRADE_DESK_SLUG)
    assert [record.owner_id for record in by_platform] == [desk.pk]
    assert (desk.name, desk.country_id, desk.kind, desk.verification) == (
        "Information Harbor trade desk",
        "ID",
        "research",
        "verified",
    )


RULES = (
    "agreement,hs_prefix,rule,valid_from,legal_source\n"
    "ACFTA,9403,RVC(40) | CTH,2025-01-01,ACFTA rules of origin\n"
)


def test_a_new_or_changed_product_rule_is_published_to_the_agreements_parties(
    tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    path = tmp_path / "rules.csv"
    path.write_text(RULES, encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        import_rules(path, actor=SYSTEM)
    path.write_text(RULES.replace("CTH", "CTSH"), encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        import_rules(path, actor=SYSTEM)

    records = list(Record.objects.order_by("pk"))
    assert [(r.title["en"], r.hs_codes, r.countries, r.topics) for r in records] == [
        (
            "Rule of origin: ACFTA 9403: RVC(40) | CTH",
            ["9403"],
            ACFTA_PARTIES,
            ["rules-of-origin", "acfta"],
        ),
        (
            "Rule of origin changed: ACFTA 9403 from RVC(40) | CTH to RVC(40) | CTSH",
            ["9403"],
            ACFTA_PARTIES,
            ["rules-of-origin", "acfta"],
        ),
    ]


def test_a_new_measure_is_published_to_its_importer(
    tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    path = tmp_path / "measures.csv"
    path.write_text(
        "importer,hs_prefix,measure_code,original_language,title.en,requirement.en,valid_from,"
        "legal_source\n"
        "TH,0810,A83,en,Phytosanitary certificate,Each consignment needs one.,2025-01-01,"
        "Plant Quarantine Act\n",
        encoding="utf-8",
    )
    with django_capture_on_commit_callbacks(execute=True):
        import_measures(path, actor=SYSTEM, sample=True)
        import_measures(path, actor=SYSTEM, sample=True)

    record = Record.objects.get()
    assert record.title["en"] == (
        "Sample data: Import requirement: Thailand A83 for 0810: Phytosanitary certificate"
    )
    assert (record.hs_codes, record.countries, record.topics) == (
        ["0810"],
        ["TH"],
        ["non-tariff-measures", "sample-data"],
    )


def test_publishing_without_changes_publishes_nothing() -> None:
    assert publish_schedule_changes([], actor=SYSTEM) == []


@pytest.mark.parametrize(
    ("code", "printed"),
    [
        ("94", "94"),
        ("9403", "9403"),
        ("940360", "9403.60"),
        ("94036090", "9403.60.90"),
        ("0810600000", "0810.60.00.00"),
    ],
)
def test_codes_are_printed_as_in_schedules(code: str, printed: str) -> None:
    assert format_code(code) == printed


def test_demo_loader_publishes_the_sample_2026_changes_once(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        load_demo_trade()
    titles = sorted(Record.objects.values_list("title__en", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        load_demo_trade()

    assert titles == [
        "Sample data: Tariff change: Thailand MFN duty on 8703.80 from 80% to 40%",
        "Sample data: Tariff change: Thailand MFN duty on 9403.60.90 from 20% to 10%",
    ]
    assert Record.objects.count() == 2
    assert set(Record.objects.values_list("is_demo", flat=True)) == {True}
