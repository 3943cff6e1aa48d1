"""Translation memory: who may remember, exact and fuzzy lookups, the ranking of units, and the API."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import pytest
from django.test import Client

from harbor.core.actors import Actor
from harbor.core.errors import HarborError, ValidationFailed
from harbor.core.models import AuditEntry
from harbor.directory.models import Organisation, User
from harbor.language.choices import MatchKind, TranslationOrigin
from harbor.language.memory import (
    length_window,
    lookup,
    lookup_many,
    normalise_segment,
    record_uses,
    remember,
)
from harbor.language.models import TranslationUnit
from tests.factories import actor_for, add_member, make_organisation, make_user

pytestmark = pytest.mark.django_db

BASE = "/api/v1/language"
FRIDAY = "Submit the bill of lading by Friday."
FRIDAY_VI = "Nộp vận đơn trước thứ Sáu."


def remember_as(user: User, source_text: str, target_text: str, **kwargs: Any) -> TranslationUnit:
    pair = {"source": "en", "target": "vi", **kwargs}
    unit, _created = remember(source_text, target_text, actor=actor_for(user), **pair)
    return unit


@pytest.fixture
def unverified_member(db: None) -> User:
    user = make_user("unverified")
    make_organisation(owner=user, name="Pending Traders", country="MY", verified=False)
    return user


# --- remembering --------------------------------------------------------------------------------------


def test_a_member_of_a_verified_organisation_remembers_a_translation(
    viewer: User, org: Organisation
) -> None:
    unit, created = remember(
        "  Submit the bill of lading\u00a0 by   Friday. ",
        f" {FRIDAY_VI} ",
        source="EN",
        target="vi",
        actor=actor_for(viewer),
    )

    assert created is True
    assert unit.source_text == FRIDAY
    assert unit.source_hash == hashlib.sha256(FRIDAY.encode()).hexdigest()
    assert unit.source_length == 36
    assert unit.target_text == FRIDAY_VI
    assert (unit.source_language, unit.target_language) == ("en", "vi")
    assert unit.origin == TranslationOrigin.HUMAN
    assert (unit.organisation_id, unit.organisation_verified, unit.approved_by_id) == (
        org.pk,
        True,
        viewer.pk,
    )
    entry = AuditEntry.objects.get(action="language.translation_unit.created")
    assert (entry.object_id, entry.actor_user_id, entry.data) == (
        str(unit.pk),
        viewer.pk,
        {"source": "en", "target": "vi"},
    )


def test_remembering_the_same_segment_again_corrects_the_organisation_unit(
    viewer: User, owner: User
) -> None:
    first = remember_as(viewer, FRIDAY, "Nộp vận đơn vào thứ Sáu.")

    corrected, created = remember(
        FRIDAY,
        FRIDAY_VI,
        source="en",
        target="vi",
        actor=actor_for(owner),
        origin=TranslationOrigin.MACHINE_APPROVED,
    )

    assert created is False
    assert corrected.pk == first.pk
    assert (corrected.target_text, corrected.origin, corrected.approved_by_id) == (
        FRIDAY_VI,
        "machine_approved",
        owner.pk,
    )
    assert TranslationUnit.objects.count() == 1
    assert AuditEntry.objects.filter(action="language.translation_unit.updated").count() == 1


def test_each_organisation_keeps_its_own_unit(viewer: User, outsider: User) -> None:
    remember_as(viewer, FRIDAY, FRIDAY_VI)
    remember_as(outsider, FRIDAY, "Gửi vận đơn trước thứ Sáu.")

    assert TranslationUnit.objects.count() == 2


def test_staff_without_an_organisation_remember_for_the_platform(staff: User) -> None:
    unit = remember_as(staff, FRIDAY, FRIDAY_VI)

    assert (unit.organisation_id, unit.organisation_verified) == (None, False)


@pytest.mark.parametrize(
    ("who", "status"), [("unverified", 403), ("loner", 403), ("anonymous", 401)]
)
def test_others_may_not_remember(unverified_member: User, who: str, status: int) -> None:
    actor = {
        "unverified": lambda: actor_for(unverified_member),
        "loner": lambda: actor_for(make_user("loner")),
        "anonymous": Actor.anonymous,
    }[who]()

    with pytest.raises(HarborError) as raised:
        remember(FRIDAY, FRIDAY_VI, source="en", target="vi", actor=actor)

    assert raised.value.http_status == status
    assert TranslationUnit.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="language.").exists()


def test_invalid_translations_name_every_bad_field(viewer: User) -> None:
    with pytest.raises(ValidationFailed) as raised:
        remember(" ", "x" * 5001, source="xx", target="vi", actor=actor_for(viewer), origin="robot")

    assert [error.field for error in raised.value.errors] == [
        "source",
        "source_text",
        "target_text",
        "origin",
    ]


def test_the_target_language_must_differ_from_the_source(viewer: User) -> None:
    with pytest.raises(ValidationFailed) as raised:
        remember(FRIDAY, FRIDAY, source="en", target="EN", actor=actor_for(viewer))

    assert [error.field for error in raised.value.errors] == ["target"]


# --- lookups ------------------------------------------------------------------------------------------


def test_an_exact_lookup_ignores_spacing_and_unicode_composition(viewer: User) -> None:
    unit = remember_as(
        viewer, "Nộp vận đơn.", "Submit the bill of lading.", source="vi", target="en"
    )
    decomposed = "  No\u0323\u0302p  va\u0323\u0302n đơn. "

    found = lookup(decomposed, source="vi", target="en")

    assert found is not None
    assert (found.unit.pk, found.score, found.kind, found.exact) == (
        unit.pk,
        Fraction(100),
        MatchKind.EXACT,
        True,
    )


def test_a_fuzzy_lookup_scores_exactly(viewer: User) -> None:
    unit = remember_as(viewer, FRIDAY, FRIDAY_VI)

    monday = lookup("Submit the bill of lading by Monday.", source="en", target="vi")
    tuesday = lookup("Submit bills of lading by Tuesday.", source="en", target="vi")
    no_fuzzy = lookup("Submit the bill of lading by Monday.", source="en", target="vi", fuzzy=False)

    assert monday is not None
    assert (monday.unit.pk, monday.score, monday.kind) == (
        unit.pk,
        Fraction(275, 3),
        MatchKind.FUZZY,
    )
    assert tuesday is None
    assert no_fuzzy is None


def test_a_score_of_exactly_the_threshold_matches(viewer: User) -> None:
    remember_as(viewer, "harbor0001", "cảng0001")

    at_ninety = lookup("harbor0002", source="en", target="vi")
    above = lookup("harbor0002", source="en", target="vi", threshold=91)

    assert at_ninety is not None
    assert at_ninety.score == Fraction(90)
    assert above is None


def test_fuzzy_candidates_are_within_twenty_percent_of_the_length(viewer: User) -> None:
    remember_as(viewer, "abcdefghij", "ten letters")

    def score(text: str) -> Fraction | None:
        found = lookup(text, source="en", target="vi", threshold=50)
        return found.score if found is not None else None

    assert length_window(10) == (8, 12)
    assert score("abcdefghijkl") == Fraction(1000, 11)
    assert score("abcdefghijklm") is None
    assert score("abcdefghi") == Fraction(1800, 19)
    assert score("abcdefg") is None


def test_language_pairs_do_not_mix(viewer: User) -> None:
    remember_as(viewer, FRIDAY, FRIDAY_VI)

    assert lookup(FRIDAY, source="en", target="th") is None
    assert lookup(FRIDAY, source="vi", target="en") is None
    assert lookup(FRIDAY_VI, source="vi", target="en") is None
    assert lookup(FRIDAY, source="en", target="vi") is not None


def test_an_exact_match_prefers_the_verified_organisation(viewer: User, staff: User) -> None:
    verified = remember_as(viewer, FRIDAY, FRIDAY_VI)
    remember_as(
        staff, FRIDAY, "Gửi vận đơn trước thứ Sáu."
    )  # later, but not a verified organisation

    found = lookup(FRIDAY, source="en", target="vi")

    assert found is not None
    assert found.unit.pk == verified.pk


def test_among_verified_units_the_most_recent_human_translation_wins(
    viewer: User, outsider: User
) -> None:
    remember_as(viewer, FRIDAY, "Bản cũ.")
    newer = remember_as(outsider, FRIDAY, FRIDAY_VI)
    found = lookup(FRIDAY, source="en", target="vi")
    assert found is not None
    assert found.unit.pk == newer.pk

    machine = remember_as(outsider, FRIDAY, "Máy dịch.", origin=TranslationOrigin.MACHINE_APPROVED)
    found = lookup(FRIDAY, source="en", target="vi")
    assert found is not None
    assert found.unit.pk != machine.pk
    assert found.unit.target_text == "Bản cũ."


def test_a_near_tie_goes_to_the_verified_organisation(viewer: User, staff: User) -> None:
    remember_as(staff, "Submit the bill of lading on Friday.", "nhân viên")  # 94.44
    verified = remember_as(viewer, "Submit a bill of lading by Friday.", "thành viên")  # 94.29

    found = lookup(FRIDAY, source="en", target="vi")

    assert found is not None
    assert (found.unit.pk, found.score) == (verified.pk, Fraction(660, 7))


def test_a_clearly_better_score_beats_the_verified_organisation(viewer: User, staff: User) -> None:
    better = remember_as(staff, "Submit the bill of lading on Friday.", "nhân viên")  # 94.44
    remember_as(viewer, "Submit the bill of lading by Monday.", "thành viên")  # 91.67

    found = lookup(FRIDAY, source="en", target="vi")

    assert found is not None
    assert (found.unit.pk, found.score) == (better.pk, Fraction(850, 9))


def test_lookup_many_finds_exact_matches_in_one_query(
    viewer: User, django_assert_num_queries: Any
) -> None:
    friday = remember_as(viewer, FRIDAY, FRIDAY_VI)
    invoice = remember_as(viewer, "Attach the commercial invoice.", "Đính kèm hóa đơn thương mại.")

    with django_assert_num_queries(1):
        found = lookup_many(
            ["Attach the commercial invoice.", "Unknown sentence.", "", FRIDAY],
            source="en",
            target="vi",
        )

    assert [match.unit.pk if match else None for match in found] == [
        invoice.pk,
        None,
        None,
        friday.pk,
    ]


def test_lookup_many_queries_once_per_five_hundred_segments(
    viewer: User, django_assert_num_queries: Any
) -> None:
    friday = remember_as(viewer, FRIDAY, FRIDAY_VI)
    texts = [f"Sentence number {number}." for number in range(500)] + [FRIDAY]

    with django_assert_num_queries(2):
        found = lookup_many(texts, source="en", target="vi")

    assert [index for index, match in enumerate(found) if match is not None] == [500]
    assert found[500] is not None
    assert found[500].unit.pk == friday.pk


def test_lookup_many_adds_fuzzy_matches_when_asked(viewer: User) -> None:
    friday = remember_as(viewer, FRIDAY, FRIDAY_VI)

    [found] = lookup_many(
        ["Submit the bill of lading by Monday."], source="en", target="vi", fuzzy=True
    )

    assert found is not None
    assert (found.unit.pk, found.kind, found.score) == (
        friday.pk,
        MatchKind.FUZZY,
        Fraction(275, 3),
    )


def test_record_uses_counts_each_unit_once(viewer: User) -> None:
    unit = remember_as(viewer, FRIDAY, FRIDAY_VI)

    assert record_uses([unit, unit.pk]) == 1
    record_uses([unit])

    unit.refresh_from_db()
    assert unit.uses == 2


def test_normalise_segment_collapses_space_and_composes() -> None:
    assert normalise_segment(" a\tb\u00a0\u00a0c\n") == "a b c"
    assert normalise_segment("Vie\u0302\u0323t") == "Việt"


# --- API ----------------------------------------------------------------------------------------------


def post_unit(client: Client, **changes: Any) -> Any:
    body = {"source": "en", "target": "vi", "source_text": FRIDAY, "target_text": FRIDAY_VI}
    return client.post(f"{BASE}/memory", {**body, **changes}, content_type="application/json")


def test_remember_and_look_up_through_the_api(
    api: Callable[..., Client], viewer: User, org: Organisation
) -> None:
    client = api(viewer)

    created = post_unit(client)
    corrected = post_unit(client, target_text="Nộp vận đơn trước ngày thứ Sáu.")
    exact = client.get(f"{BASE}/memory/lookup", {"text": FRIDAY, "source": "en", "target": "vi"})
    fuzzy = client.get(
        f"{BASE}/memory/lookup",
        {"text": "Submit the bill of lading by Monday.", "source": "en", "target": "vi"},
    )
    none = client.get(f"{BASE}/memory/lookup", {"text": "Other.", "source": "en", "target": "vi"})

    assert created.status_code == 201, created.content
    assert created.json()["organisation"] == org.slug
    assert corrected.status_code == 200
    assert corrected.json()["id"] == created.json()["id"]
    assert exact.status_code == 200
    assert exact.json()["match"]["kind"] == "exact"
    assert exact.json()["match"]["score"] == 100.0
    assert exact.json()["match"]["unit"]["target_text"] == "Nộp vận đơn trước ngày thứ Sáu."
    assert (fuzzy.json()["match"]["kind"], fuzzy.json()["match"]["score"]) == ("fuzzy", 91.67)
    assert none.json() == {"match": None}


def test_memory_api_needs_a_signed_in_member_of_a_verified_organisation(
    api: Callable[..., Client], unverified_member: User
) -> None:
    anonymous_write = post_unit(Client())
    anonymous_read = Client().get(
        f"{BASE}/memory/lookup", {"text": FRIDAY, "source": "en", "target": "vi"}
    )
    unverified = post_unit(api(unverified_member))

    assert (anonymous_write.status_code, anonymous_write.json()["code"]) == (
        401,
        "not_authenticated",
    )
    assert anonymous_read.status_code == 401
    assert (unverified.status_code, unverified.json()["code"]) == (403, "forbidden")
    assert TranslationUnit.objects.count() == 0


def test_memory_api_validation_names_each_field(api: Callable[..., Client], viewer: User) -> None:
    client = api(viewer)

    write = post_unit(client, source="xx", target_text=" ", origin="robot")
    same = post_unit(client, target="en")
    read = client.get(
        f"{BASE}/memory/lookup", {"text": " ", "source": "en", "target": "vi", "min_score": 20}
    )
    read_pair = client.get(
        f"{BASE}/memory/lookup", {"text": FRIDAY, "source": "en", "target": "qq"}
    )

    assert write.status_code == 422
    assert [e["field"] for e in write.json()["errors"]] == ["source", "target_text", "origin"]
    assert [e["field"] for e in same.json()["errors"]] == ["target"]
    assert [e["field"] for e in read.json()["errors"]] == ["text", "min_score"]
    assert [e["field"] for e in read_pair.json()["errors"]] == ["target"]


def test_a_member_of_a_verified_organisation_of_any_role_remembers(
    api: Callable[..., Client], org: Organisation
) -> None:
    editor = make_user("editor")
    add_member(org, editor, "editor")

    response = post_unit(api(editor))

    assert response.status_code == 201
