"""The audit chain: every write appends an entry; any later edit, removal or forgery is found."""

from __future__ import annotations

import json
from collections import Counter
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from harbor.core.actors import Actor
from harbor.core.audit import (
    GENESIS_HASH,
    canonical_json,
    compute_entry_hash,
    object_digest,
    record_audit,
    sha256_hex,
    verify_chain,
)
from harbor.core.models import AuditEntry, AuditHead
from harbor.directory import services
from harbor.directory.models import Membership, Organisation
from tests.factories import PASSWORD, actor_for

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("test")


def last_seq() -> int:
    entry = AuditEntry.objects.order_by("-seq").first()
    return entry.seq if entry else 0


def tamper(sql: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_every_directory_write_appends_its_entries() -> None:
    before = last_seq()

    mei = services.create_user(
        username="mei", email="mei@example.org", password=PASSWORD, actor=SYSTEM
    )
    jun = services.create_user(
        username="jun", email="jun@example.org", password=PASSWORD, actor=SYSTEM
    )
    organisation = services.create_organisation(
        actor=actor_for(mei), name="Bamboo", country="CN", kind="enterprise"
    )
    mei_actor = actor_for(mei)
    services.update_organisation(organisation, actor=mei_actor, website="https://bamboo.example.cn")
    services.request_verification(organisation, actor=mei_actor)
    services.set_verification(organisation, actor=SYSTEM, status="verified")
    invitation, raw = services.invite_member(
        organisation, actor=mei_actor, email="jun@example.org", role="editor"
    )
    membership = services.accept_invitation(raw, actor=actor_for(jun))
    services.change_member_role(membership, actor=mei_actor, role="admin")
    token, _raw = services.create_api_token(actor=mei_actor, name="ci")
    services.revoke_api_token(token, actor=mei_actor)
    second, _raw = services.invite_member(organisation, actor=mei_actor, email="x@example.org")
    services.revoke_invitation(second, actor=mei_actor)
    services.remove_member(Membership.objects.get(pk=membership.pk), actor=mei_actor)

    actions = list(AuditEntry.objects.filter(seq__gt=before).values_list("action", flat=True))
    assert actions == [
        "user.created",
        "user.created",
        "organisation.created",
        "membership.created",
        "organisation.updated",
        "organisation.verification_requested",
        "organisation.verification_set",
        "invitation.created",
        "invitation.accepted",
        "membership.created",
        "membership.updated",
        "api_token.created",
        "api_token.revoked",
        "invitation.created",
        "invitation.revoked",
        "membership.deleted",
    ]
    entries = AuditEntry.objects.filter(seq__gt=before)
    assert Counter(e.object_type for e in entries) == {
        "directory.user": 2,
        "directory.organisation": 4,
        "directory.membership": 4,
        "directory.invitation": 4,
        "directory.apitoken": 2,
    }
    assert [e.seq for e in entries] == list(range(before + 1, before + 17))
    assert invitation.pk
    report = verify_chain()
    assert report.ok
    assert report.checked == before + 16


def test_entries_link_by_hash_from_genesis() -> None:
    services.create_organisation(actor=SYSTEM, name="Linked", country="VN", kind="enterprise")

    entries = list(AuditEntry.objects.order_by("seq"))

    assert entries[0].seq == 1
    assert entries[0].prev_hash == GENESIS_HASH
    for previous, entry in pairwise(entries):
        assert entry.prev_hash == previous.entry_hash
        assert entry.entry_hash == compute_entry_hash(entry)
    head = AuditHead.objects.get(pk=1)
    assert (head.seq, head.entry_hash) == (entries[-1].seq, entries[-1].entry_hash)


def test_entry_records_actor_object_and_digest(owner) -> None:  # type: ignore[no-untyped-def]
    organisation = services.create_organisation(
        actor=actor_for(owner), name="Digest Co", country="MY", kind="research"
    )

    entry = AuditEntry.objects.get(action="organisation.created", object_id=str(organisation.pk))

    assert entry.actor_user_id == owner.pk
    assert entry.actor_label == "owner"
    assert entry.object_type == "directory.organisation"
    assert entry.digest == object_digest(Organisation.objects.get(pk=organisation.pk))
    assert entry.digest != sha256_hex("")
    assert entry.data == {}


def test_canonical_json_is_stable_and_keeps_unicode() -> None:
    assert canonical_json({"b": 1, "a": ["ไทย", None]}) == '{"a":["ไทย",null],"b":1}'
    assert sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_intact_chain_verifies_from_the_command(owner) -> None:  # type: ignore[no-untyped-def]
    out = StringIO()

    call_command("audit", "verify", stdout=out)

    assert out.getvalue().strip() == f"audit chain intact: {last_seq()} entries verified"


def test_editing_one_entry_breaks_the_chain_at_that_seq(owner) -> None:  # type: ignore[no-untyped-def]
    services.create_organisation(
        actor=actor_for(owner), name="Victim", country="VN", kind="enterprise"
    )
    target = AuditEntry.objects.get(action="organisation.created", actor_label="owner")
    count = AuditEntry.objects.count()

    tamper(
        "UPDATE core_auditentry SET data = %s WHERE seq = %s",
        [json.dumps({"forged": True}), target.seq],
    )

    report = verify_chain()
    assert not report.ok
    assert report.problem is not None
    assert report.problem.seq == target.seq
    assert report.problem.entry_id == target.pk
    assert report.problem.reason == "content does not match its hash"
    assert report.checked == target.seq - 1
    with pytest.raises(CommandError) as excinfo:
        call_command("audit", "verify")
    assert str(excinfo.value) == (
        f"audit chain broken at entry seq={target.seq} (id {target.pk}): content does not match its hash;"
        f" {target.seq - 1} entries before it are intact"
    )
    assert AuditEntry.objects.count() == count


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("action", "organisation.deleted"),
        ("actor_label", "someone-else"),
        ("object_id", "999"),
        ("digest", "0" * 64),
    ],
)
def test_editing_any_column_is_detected(owner, column: str, value: str) -> None:  # type: ignore[no-untyped-def]
    seq = last_seq() - 2

    tamper(f"UPDATE core_auditentry SET {column} = %s WHERE seq = %s", [value, seq])

    report = verify_chain()
    assert report.problem is not None
    assert (report.problem.seq, report.problem.reason) == (seq, "content does not match its hash")


def test_forging_an_entry_with_a_fresh_hash_breaks_the_next_link(owner) -> None:  # type: ignore[no-untyped-def]
    seq = last_seq() - 1
    entry = AuditEntry.objects.get(seq=seq)
    entry.action = "rewritten"
    forged_hash = compute_entry_hash(entry)

    tamper(
        "UPDATE core_auditentry SET action = %s, entry_hash = %s WHERE seq = %s",
        ["rewritten", forged_hash, seq],
    )

    report = verify_chain()
    assert report.problem is not None
    assert (report.problem.seq, report.problem.reason) == (seq + 1, "previous hash does not match")


def test_deleting_an_entry_is_detected(owner) -> None:  # type: ignore[no-untyped-def]
    seq = last_seq() - 3
    tamper("DELETE FROM core_auditentry WHERE seq = %s", [seq])

    report = verify_chain()

    assert report.problem is not None
    assert (report.problem.seq, report.problem.entry_id, report.problem.reason) == (
        seq,
        None,
        "entry missing",
    )
    with pytest.raises(
        CommandError, match=rf"^audit chain broken at entry seq={seq}: entry missing;"
    ):
        call_command("audit", "verify")


def test_deleting_the_last_entry_is_detected(owner) -> None:  # type: ignore[no-untyped-def]
    seq = last_seq()
    tamper("DELETE FROM core_auditentry WHERE seq = %s", [seq])

    report = verify_chain()

    assert report.problem is not None
    assert (report.problem.seq, report.problem.reason) == (
        seq,
        "chain was truncated after its last entry",
    )
    assert report.checked == seq - 1
    with pytest.raises(CommandError, match=rf"seq={seq}: chain was truncated"):
        call_command("audit", "verify")


def test_deleting_the_last_entries_and_the_head_is_detected(owner) -> None:  # type: ignore[no-untyped-def]
    seq = last_seq()
    tamper("DELETE FROM core_auditentry WHERE seq >= %s", [seq - 1])
    tamper("DELETE FROM core_audithead", [])

    report = verify_chain()

    assert report.problem is not None
    assert (report.problem.seq, report.problem.reason) == (seq - 2, "chain head is missing")


def test_an_empty_chain_verifies() -> None:
    tamper("DELETE FROM core_auditentry", [])
    tamper("DELETE FROM core_audithead", [])

    report = verify_chain()

    assert (report.ok, report.checked) == (True, 0)
    with transaction.atomic():
        entry = record_audit(
            SYSTEM,
            "organisation.created",
            Organisation.objects.create(
                slug="first", name="First", country_id="VN", kind="enterprise"
            ),
        )
    assert (entry.seq, entry.prev_hash) == (1, GENESIS_HASH)
    assert verify_chain().ok


def test_a_failed_write_leaves_no_entry(owner) -> None:  # type: ignore[no-untyped-def]
    before = last_seq()

    with pytest.raises(RuntimeError), transaction.atomic():
        organisation = services.create_organisation(
            actor=SYSTEM, name="Rolled back", country="VN", kind="cert"
        )
        raise RuntimeError(organisation.slug)

    assert last_seq() == before
    assert AuditHead.objects.get(pk=1).seq == before
    assert verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_record_audit_outside_a_transaction_raises() -> None:
    organisation = Organisation.objects.create(
        slug="loose", name="Loose", country_id="VN", kind="enterprise"
    )
    before = AuditEntry.objects.count()

    with pytest.raises(RuntimeError, match="must run inside the transaction"):
        record_audit(SYSTEM, "organisation.created", organisation)

    assert AuditEntry.objects.count() == before
    with transaction.atomic():
        entry = record_audit(SYSTEM, "organisation.created", organisation)
    assert entry.seq == before + 1
    assert verify_chain().ok
