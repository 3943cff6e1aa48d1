"""The trade and ICT glossary: loading, finding terms, translating with them, editing rights and the API."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from harbor.core.actors import Actor
from harbor.core.demo import demo_loaders
from harbor.core.errors import HarborError, ValidationFailed
from harbor.core.models import AuditEntry
from harbor.directory.models import Organisation, User
from harbor.language.glossary import (
    GLOSSARY_FILE,
    LANGUAGES,
    AppliedTerm,
    Glossary,
    GlossaryEntry,
    GlossaryMethod,
    find_terms,
    load_glossary,
    save_term,
    translate_with_glossary,
)
from harbor.language.models import GlossaryTerm
from tests.factories import actor_for, add_member, make_organisation, make_user

CONCEPTS = 80
TRADE_CONCEPTS = 51
ICT_CONCEPTS = 29
BASE = "/api/v1/language"


class Recorder:
    """A stand-in engine: records each batch and answers with ``answer`` applied to every text."""

    def __init__(self, answer: Callable[[str], str]) -> None:
        self.answer = answer
        self.batches: list[list[str]] = []

    def __call__(self, texts: list[str], *, source: str, target: str) -> list[str]:
        self.batches.append(list(texts))
        return [self.answer(text) for text in texts]


def upper(text: str) -> str:
    return text.upper()


def drop_placeholders(text: str) -> str:
    return re.sub(r"\s*ZXQ\d+", "", text).upper()


@pytest.fixture
def loaded(db: None) -> None:
    load_glossary(actor=Actor.system("tests"))


def term_payload(**changes: Any) -> dict[str, Any]:
    return {
        "key": "customs-seal",
        "domain": "trade",
        "terms": {"en": "customs seal", "vi": "niêm phong hải quan", "zh-hans": "海关封志"},
        "variants": {"en": ["customs seals"]},
        "notes": "A seal affixed by customs to a container or vehicle.",
        "source": "maintainers",
        **changes,
    }


# --- the bundled file ---------------------------------------------------------------------------------


def test_glossary_file_has_every_language_for_every_concept() -> None:
    with GLOSSARY_FILE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == CONCEPTS
    assert sum(row["domain"] == "trade" for row in rows) == TRADE_CONCEPTS
    assert sum(row["domain"] == "ict" for row in rows) == ICT_CONCEPTS
    assert len(LANGUAGES) == 12
    missing = [(row["key"], code) for row in rows for code in LANGUAGES if not row[code].strip()]
    assert missing == []
    dnt = sorted(row["key"] for row in rows if row["do_not_translate"] == "yes")
    assert dnt == [
        "5g",
        "acfta",
        "atiga",
        "cert",
        "cif",
        "csirt",
        "exw",
        "fob",
        "form-e",
        "hs",
        "incoterms",
        "rcep",
    ]


@pytest.mark.django_db
def test_loading_the_glossary_twice_changes_nothing_the_second_time() -> None:
    system = Actor.system("tests")

    first = load_glossary(actor=system)
    audited = AuditEntry.objects.filter(action="language.glossary_term.created").count()
    second = load_glossary(actor=system)

    assert first.as_dict() == {"created": CONCEPTS, "updated": 0, "unchanged": 0, "kept": 0}
    assert second.as_dict() == {"created": 0, "updated": 0, "unchanged": CONCEPTS, "kept": 0}
    assert GlossaryTerm.objects.count() == CONCEPTS
    assert GlossaryTerm.objects.filter(domain="ict").count() == ICT_CONCEPTS
    assert audited == CONCEPTS
    assert (
        AuditEntry.objects.filter(action__startswith="language.glossary_term").count() == CONCEPTS
    )
    bill = GlossaryTerm.objects.get(key="bill-of-lading")
    assert bill.terms["vi"] == "vận đơn"
    assert bill.terms["zh-hant"] == "提單"
    assert bill.variants["zh-hant"] == ["載貨證券"]
    assert bill.updated_by_id is None


def test_loading_keeps_a_concept_edited_on_the_platform(loaded: None, staff: User) -> None:
    save_term(
        actor=actor_for(staff),
        key="fob",
        domain="trade",
        terms={"en": "FOB", "zh-hans": "船上交货"},
        do_not_translate=True,
        notes="Edited by staff.",
    )

    report = load_glossary(actor=Actor.system("tests"))

    assert report.as_dict() == {"created": 0, "updated": 0, "unchanged": CONCEPTS - 1, "kept": 1}
    fob = GlossaryTerm.objects.get(key="fob")
    assert fob.terms == {"en": "FOB", "zh-hans": "船上交货"}
    assert fob.notes == "Edited by staff."
    assert fob.updated_by_id == staff.pk


def test_the_demo_loader_loads_the_glossary(db: None) -> None:
    loaders = dict(demo_loaders())

    lines = loaders["glossary"]()

    assert lines == [f"Glossary: {CONCEPTS} created, 0 updated, 0 unchanged, 0 kept as edited."]


def test_a_bad_row_in_a_glossary_file_names_its_key_and_fields(db: None, tmp_path: Path) -> None:
    path = tmp_path / "glossary.csv"
    path.write_text(
        "key,domain,do_not_translate,en,vi,notes,source\n"
        "good-term,trade,no,good term,thuật ngữ tốt,,\n"
        "Bad Key,trade,no,,thuật ngữ xấu,,\n",
        encoding="utf-8",
    )

    with pytest.raises(ValidationFailed) as raised:
        load_glossary(actor=Actor.system("tests"), path=path)

    assert str(raised.value.detail) == (
        "The glossary file has invalid fields for “Bad Key”: key, terms.en."
    )
    assert GlossaryTerm.objects.count() == 0


# --- finding terms ------------------------------------------------------------------------------------


def spans(text: str, source: str) -> list[tuple[str, int, int, str]]:
    return [(m.key, m.start, m.end, m.text) for m in find_terms(text, source)]


def test_find_terms_in_english_longest_first_case_insensitive(loaded: None) -> None:
    text = "The Bill of Lading, the FOB price and a cybersecurity incident reported to the CERT."
    assert spans(text, "en") == [
        ("bill-of-lading", 4, 18, "Bill of Lading"),
        ("fob", 24, 27, "FOB"),
        ("cybersecurity-incident", 40, 62, "cybersecurity incident"),
        ("cert", 79, 83, "CERT"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "FOBBING is not a term.",
        "The price was fob.",
        "Send the cert by mail.",
        "Download 5g of data.",
        "HSBC opened an account.",
        "The exporters met.",
    ],
)
def test_find_terms_respects_word_boundaries_and_acronym_case(loaded: None, text: str) -> None:
    assert spans(text, "en") == []


def test_find_terms_prefers_the_longer_concept_over_one_inside_it(loaded: None) -> None:
    assert spans("Data centre cybersecurity and cyber security incident.", "en") == [
        ("data-centre", 0, 11, "Data centre"),
        ("cybersecurity", 12, 25, "cybersecurity"),
        ("cybersecurity-incident", 30, 53, "cyber security incident"),
    ]


def test_find_terms_in_thai_matches_without_spaces(loaded: None) -> None:
    text = "ผู้ส่งออกต้องยื่นหนังสือรับรองถิ่นกำเนิดสินค้าและใบขนสินค้า ราคา FOB"
    assert spans(text, "th") == [
        ("exporter", 0, 9, "ผู้ส่งออก"),
        ("certificate-of-origin", 17, 46, "หนังสือรับรองถิ่นกำเนิดสินค้า"),
        ("customs-declaration", 49, 59, "ใบขนสินค้า"),
        ("fob", 65, 68, "FOB"),
    ]


def test_find_terms_in_chinese_longest_match_and_embedded_acronyms(loaded: None) -> None:
    text = "请提交原产地证书和提单，FOB价格；发生网络安全事件时联系CERT。"
    assert spans(text, "zh-hans") == [
        ("certificate-of-origin", 3, 8, "原产地证书"),
        ("bill-of-lading", 9, 11, "提单"),
        ("fob", 12, 15, "FOB"),
        ("cybersecurity-incident", 20, 26, "网络安全事件"),
        ("cert", 29, 33, "CERT"),
    ]


def test_find_terms_in_traditional_chinese_uses_its_own_terms(loaded: None) -> None:
    assert spans("請提交原產地證明書與載貨證券", "zh-hant") == [
        ("certificate-of-origin", 3, 9, "原產地證明書"),
        ("bill-of-lading", 10, 14, "載貨證券"),
    ]


def test_find_terms_in_vietnamese_recognises_the_english_form_of_a_kept_name(loaded: None) -> None:
    assert spans("Xin C/O mẫu E hoặc Form E cho vận đơn.", "vi") == [
        ("form-e", 4, 13, "C/O mẫu E"),
        ("form-e", 19, 25, "Form E"),
        ("bill-of-lading", 30, 37, "vận đơn"),
    ]


# --- translating with the glossary (pure: an in-memory glossary) -----------------------------------------

GLOSSARY = Glossary(
    [
        GlossaryEntry(
            "bill-of-lading",
            {"en": "bill of lading", "vi": "vận đơn", "th": "ใบตราส่งสินค้า", "zh-hans": "提单"},
        ),
        GlossaryEntry(
            "certificate-of-origin",
            {
                "en": "certificate of origin",
                "vi": "giấy chứng nhận xuất xứ",
                "zh-hans": "原产地证书",
            },
        ),
        GlossaryEntry("fob", {"en": "FOB"}, do_not_translate=True),
        GlossaryEntry("widget", {"en": "widget"}),
    ]
)


def test_placeholders_carry_the_terms_through_the_engine() -> None:
    engine = Recorder(upper)

    results = translate_with_glossary(
        ["Send the bill of lading and the FOB price.", "No terms here.", "Bill of lading due."],
        source="en",
        target="vi",
        translate_batch=engine,
        glossary=GLOSSARY,
    )

    assert engine.batches == [["Send the ZXQ1 and the ZXQ2 price.", "No terms here.", "ZXQ1 due."]]
    assert [result.text for result in results] == [
        "SEND THE vận đơn AND THE FOB PRICE.",
        "NO TERMS HERE.",
        "Vận đơn DUE.",
    ]
    assert [result.method for result in results] == [
        GlossaryMethod.PLACEHOLDERS,
        GlossaryMethod.PLAIN,
        GlossaryMethod.PLACEHOLDERS,
    ]
    assert results[0].applied == (
        AppliedTerm("bill-of-lading", "bill of lading", "vận đơn"),
        AppliedTerm("fob", "FOB", "FOB"),
    )
    assert results[1].applied == ()


def test_lost_placeholders_fall_back_to_translating_the_pieces_between_terms() -> None:
    engine = Recorder(drop_placeholders)

    results = translate_with_glossary(
        ["Send the bill of lading and the FOB price.", "No terms here."],
        source="en",
        target="vi",
        translate_batch=engine,
        glossary=GLOSSARY,
    )

    assert engine.batches == [
        ["Send the ZXQ1 and the ZXQ2 price.", "No terms here."],
        ["Send the", "and the", "price."],
    ]
    assert [result.text for result in results] == [
        "SEND THE vận đơn AND THE FOB PRICE.",
        "NO TERMS HERE.",
    ]
    assert results[0].method == GlossaryMethod.SPLIT
    assert results[1].method == GlossaryMethod.PLAIN


def test_a_duplicated_placeholder_also_falls_back() -> None:
    engine = Recorder(lambda text: f"{text} {text}".upper())

    [result] = translate_with_glossary(
        ["Submit the certificate of origin today."],
        source="en",
        target="th",
        translate_batch=engine,
        glossary=Glossary(
            [
                GlossaryEntry(
                    "certificate-of-origin",
                    {"en": "certificate of origin", "th": "หนังสือรับรองถิ่นกำเนิดสินค้า"},
                )
            ]
        ),
    )

    assert engine.batches == [["Submit the ZXQ1 today."], ["Submit the", "today."]]
    assert result.method == GlossaryMethod.SPLIT
    # Thai joins its own words without spaces but sets Latin words apart.
    assert result.text == "SUBMIT THE SUBMIT THE หนังสือรับรองถิ่นกำเนิดสินค้า TODAY. TODAY."


def test_chinese_output_drops_the_spaces_an_engine_puts_around_a_placeholder() -> None:
    answers = {"Submit the ZXQ1 and the ZXQ2 now.": "现在 提交 ZXQ1 和 ZXQ2 。"}
    engine = Recorder(lambda text: answers[text])

    [result] = translate_with_glossary(
        ["Submit the certificate of origin and the bill of lading now."],
        source="en",
        target="zh-hans",
        translate_batch=engine,
        glossary=GLOSSARY,
    )

    assert result.text == "现在 提交原产地证书和提单。"
    assert result.method == GlossaryMethod.PLACEHOLDERS


def test_a_source_holding_the_placeholder_token_is_split_at_once() -> None:
    engine = Recorder(upper)

    [result] = translate_with_glossary(
        ["Code ZXQ9 needs a bill of lading."],
        source="en",
        target="vi",
        translate_batch=engine,
        glossary=GLOSSARY,
    )

    assert engine.batches == [["Code ZXQ9 needs a"]]
    assert result.text == "CODE ZXQ9 NEEDS A vận đơn."
    assert result.method == GlossaryMethod.SPLIT


def test_a_concept_without_a_target_term_is_left_to_the_engine() -> None:
    engine = Recorder(upper)

    [result, empty] = translate_with_glossary(
        ["One widget.", "  "], source="en", target="vi", translate_batch=engine, glossary=GLOSSARY
    )

    assert engine.batches == [["One widget."]]
    assert (result.text, result.applied, result.method) == ("ONE WIDGET.", (), GlossaryMethod.PLAIN)
    assert empty.text == "  "


def test_translate_with_the_stored_glossary(loaded: None) -> None:
    [result] = translate_with_glossary(
        ["The consignee needs the HS code."],
        source="en",
        target="th",
        translate_batch=Recorder(drop_placeholders),
    )

    assert result.text == "THE ผู้รับตราส่ง NEEDS THE รหัส HS."
    assert [term.key for term in result.applied] == ["consignee", "hs-code"]


# --- editing rights -----------------------------------------------------------------------------------


def _member(organisation: Organisation, role: str) -> User:
    user = make_user()
    add_member(organisation, user, role)
    return user


@pytest.mark.parametrize("role", ["admin", "owner"])
def test_administrators_of_a_verified_organisation_edit_the_glossary(
    org: Organisation, role: str
) -> None:
    user = _member(org, role)

    term, created = save_term(actor=actor_for(user), **term_payload())

    assert created is True
    assert term.updated_by_id == user.pk
    entry = AuditEntry.objects.get(action="language.glossary_term.created", object_id=str(term.pk))
    assert entry.actor_user_id == user.pk
    assert entry.organisation_id == org.pk


def test_staff_edit_the_glossary_and_the_edit_is_audited(staff: User) -> None:
    actor = actor_for(staff)
    term, _created = save_term(actor=actor, **term_payload())

    again, created = save_term(
        actor=actor, **term_payload(terms={"en": "customs seal", "th": "ดวงตราศุลกากร"})
    )

    assert created is False
    assert again.pk == term.pk
    assert again.terms == {"en": "customs seal", "th": "ดวงตราศุลกากร"}
    assert again.variants == {"en": ["customs seals"]}
    updated = AuditEntry.objects.get(action="language.glossary_term.updated")
    assert updated.data == {"fields": ["terms"]}
    assert updated.actor_user_id == staff.pk


def test_saving_the_same_concept_unchanged_writes_nothing(staff: User) -> None:
    actor = actor_for(staff)
    save_term(actor=actor, **term_payload())

    _term, created = save_term(actor=actor, **term_payload())

    assert created is False
    assert AuditEntry.objects.filter(action__startswith="language.glossary_term").count() == 1


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("viewer", 403),
        ("editor", 403),
        ("unverified_admin", 403),
        ("no_organisation", 403),
        ("anonymous", 401),
    ],
)
def test_others_may_not_edit_the_glossary(org: Organisation, who: str, status: int) -> None:
    if who == "anonymous":
        actor = Actor.anonymous()
    elif who == "unverified_admin":
        user = make_user()
        make_organisation(owner=user, verified=False)
        actor = actor_for(user)
    elif who == "no_organisation":
        actor = actor_for(make_user())
    else:
        actor = actor_for(_member(org, who))

    with pytest.raises(HarborError) as raised:
        save_term(actor=actor, **term_payload())

    assert raised.value.http_status == status
    assert GlossaryTerm.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="language.").exists()


def test_invalid_concepts_name_every_bad_field(staff: User) -> None:
    with pytest.raises(ValidationFailed) as raised:
        save_term(
            actor=actor_for(staff),
            key="Bill of Lading",
            domain="law",
            terms={"vi": " ", "xx": "hello", "th": 5},
            variants={"fr": ["connaissement"]},
        )

    assert [error.field for error in raised.value.errors] == [
        "key",
        "domain",
        "terms.vi",
        "terms.xx",
        "terms.th",
        "terms.en",
        "variants.fr",
    ]


def test_a_form_belongs_to_one_concept_per_language(loaded: None, staff: User) -> None:
    with pytest.raises(ValidationFailed) as raised:
        save_term(
            actor=actor_for(staff), **term_payload(terms={"en": "customs seal", "vi": "Vận Đơn"})
        )

    assert [(e.field, e.message) for e in raised.value.errors] == [
        ("terms.vi", "“Vận Đơn” is already a term of the concept “bill-of-lading”.")
    ]


# --- API ----------------------------------------------------------------------------------------------


def test_anyone_lists_the_glossary_page_by_page(loaded: None) -> None:
    client = Client()

    first = client.get(f"{BASE}/glossary", {"domain": "ict", "limit": 20}).json()
    second = client.get(
        f"{BASE}/glossary", {"domain": "ict", "limit": 20, "cursor": first["next_cursor"]}
    ).json()

    keys = [item["key"] for item in first["items"] + second["items"]]
    assert len(keys) == ICT_CONCEPTS
    assert keys == list(
        GlossaryTerm.objects.filter(domain="ict").order_by("key").values_list("key", flat=True)
    )
    assert first["items"][0]["key"] == "5g"
    assert second["next_cursor"] is None


@pytest.mark.parametrize(
    ("query", "keys"),
    [
        ({"q": "vận đơn"}, ["bill-of-lading"]),
        ({"q": "提单"}, ["bill-of-lading"]),
        ({"q": "DATA CENTER"}, ["data-centre"]),
        ({"q": "cable", "domain": "ict"}, ["submarine-cable"]),
        ({"q": "cable", "domain": "trade"}, []),
    ],
)
def test_the_glossary_search_matches_keys_terms_and_variants(
    loaded: None, query: dict[str, str], keys: list[str]
) -> None:
    response = Client().get(f"{BASE}/glossary", query)

    assert response.status_code == 200
    assert [item["key"] for item in response.json()["items"]] == keys


def test_the_glossary_filters_by_language(staff: User) -> None:
    save_term(actor=actor_for(staff), **term_payload())
    save_term(
        actor=actor_for(staff),
        **term_payload(key="seal-only", terms={"en": "seal only"}, variants={}),
    )

    response = Client().get(f"{BASE}/glossary", {"lang": "VI"})

    assert [item["key"] for item in response.json()["items"]] == ["customs-seal"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"lang": "xx"}, "lang"),
        ({"domain": "law"}, "domain"),
        ({"limit": 0}, "limit"),
        ({"cursor": "nope"}, "cursor"),
    ],
)
def test_bad_glossary_queries_are_422_naming_the_field(
    db: None, query: dict[str, Any], field: str
) -> None:
    response = Client().get(f"{BASE}/glossary", query)

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]


def test_one_concept_by_key(loaded: None) -> None:
    found = Client().get(f"{BASE}/glossary/fob")
    missing = Client().get(f"{BASE}/glossary/no-such-term")

    assert found.status_code == 200
    assert found.json()["terms"]["th"] == "FOB"
    assert found.json()["do_not_translate"] is True
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


def test_an_administrator_creates_then_replaces_a_concept_through_the_api(
    api: Callable[..., Client], admin_member: User
) -> None:
    client = api(admin_member)

    created = client.post(f"{BASE}/glossary", term_payload(), content_type="application/json")
    replaced = client.post(
        f"{BASE}/glossary",
        term_payload(terms={"en": "customs seal", "id": "segel pabean"}, variants={}),
        content_type="application/json",
    )

    assert created.status_code == 201, created.content
    assert created.json()["terms"]["zh-hans"] == "海关封志"
    assert replaced.status_code == 200
    assert replaced.json()["terms"] == {"en": "customs seal", "id": "segel pabean"}
    assert replaced.json()["variants"] == {}


def test_staff_write_the_glossary_with_a_session(
    staff: User, session_client: Callable[..., Client]
) -> None:
    response = session_client(staff).post(
        f"{BASE}/glossary", term_payload(), content_type="application/json"
    )

    assert response.status_code == 201


def test_glossary_writes_need_a_signed_in_administrator(
    api: Callable[..., Client], viewer: User, admin_member: User
) -> None:
    anonymous = Client().post(f"{BASE}/glossary", term_payload(), content_type="application/json")
    member = api(viewer).post(f"{BASE}/glossary", term_payload(), content_type="application/json")
    read_only = api(admin_member, ["read"]).post(
        f"{BASE}/glossary", term_payload(), content_type="application/json"
    )

    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "not_authenticated")
    assert (member.status_code, member.json()["code"]) == (403, "forbidden")
    assert (read_only.status_code, read_only.json()["code"]) == (403, "forbidden")
    assert GlossaryTerm.objects.count() == 0


def test_glossary_write_validation_is_422_naming_each_field(
    api: Callable[..., Client], admin_member: User
) -> None:
    response = api(admin_member).post(
        f"{BASE}/glossary",
        term_payload(key="bad key", terms={"en": "", "xx": "term", "vi": "niêm phong"}),
        content_type="application/json",
    )

    assert response.status_code == 422
    body = response.json()
    assert [error["field"] for error in body["errors"]] == ["key", "terms.en", "terms.xx"]
    assert body["detail"] == "Some fields are invalid: key, terms.en, terms.xx."


def test_a_glossary_write_missing_required_fields_is_422(
    api: Callable[..., Client], admin_member: User
) -> None:
    response = api(admin_member).post(
        f"{BASE}/glossary", {"key": "customs-seal"}, content_type="application/json"
    )

    assert response.status_code == 422
    assert sorted(error["field"] for error in response.json()["errors"]) == ["domain", "terms"]
