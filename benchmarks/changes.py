"""Change-feed benchmark: records per second a reader pulls through ``GET /api/v1/changes`` (filtered by
the sharing policy at the sender), beside the naive baseline of pulling every change and filtering after.

    python benchmarks/changes.py --records 100000 [--database-url postgresql://…/bench]

Records are synthetic, written in bulk (a third public, a third for members, a third for one other
organisation); the reader is a verified member in Thailand.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from search import setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--page", type=int, default=1000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    os.environ.setdefault("HARBOR_DATA_DIR", tempfile.mkdtemp(prefix="harbor-bench-"))
    setup(args.database_url)

    from django.test import Client
    from django.utils import timezone
    from tqdm import tqdm

    from harbor.core.actors import Actor
    from harbor.directory import services as directory
    from harbor.reference.services import load_reference
    from harbor.sharing.models import ChangeEvent, Record, RecordAccess
    from harbor.sharing.policy import can_read, record_keys

    load_reference(actor=Actor.system("bench"))
    system = Actor.system("bench")
    owner = directory.create_organisation(
        actor=system, name="Publisher", country="VN", kind="government"
    )
    other = directory.create_organisation(
        actor=system, name="Other", country="ID", kind="enterprise"
    )
    reader_org = directory.create_organisation(
        actor=system, name="Reader", country="TH", kind="enterprise"
    )
    for organisation in (owner, other, reader_org):
        directory.set_verification(organisation, actor=system, status="verified")
    reader = directory.create_user(
        username="reader", email="r@example.org", password="bench-pass-2026", actor=system
    )
    directory.add_member(reader_org, actor=system, user=reader, role="viewer")
    _token, raw = directory.create_api_token(
        actor=directory.build_actor(reader, organisation=reader_org), name="bench"
    )

    now = timezone.now()
    audiences = ["public", "members", "organisations"]
    batch = 5000
    with tqdm(total=args.records, desc="writing records", unit="records") as bar:
        for start in range(0, args.records, batch):
            rows = [
                Record(
                    kind="notice",
                    status="published",
                    owner=owner,
                    home_country_id="VN",
                    original_language="en",
                    title={"en": f"Synthetic notice {i}"},
                    audience=audiences[i % 3],
                    audience_organisations=[other.pk] if i % 3 == 2 else [],
                    created_at=now,
                    updated_at=now,
                    published_at=now,
                )
                for i in range(start, min(args.records, start + batch))
            ]
            created = Record.objects.bulk_create(rows)
            RecordAccess.objects.bulk_create(
                [RecordAccess(record=r, key=key) for r in created for key in record_keys(r)]
            )
            ChangeEvent.objects.bulk_create(
                [
                    ChangeEvent(record=r, action="published", version=1, access_keys=record_keys(r))
                    for r in created
                ]
            )
            bar.update(len(rows))
    visible_expected = sum(1 for i in range(args.records) if i % 3 != 2)

    client = Client(headers={"Authorization": f"Bearer {raw}"})
    started = time.perf_counter()
    cursor, served = "", 0
    while True:
        body = client.get("/api/v1/changes", {"since": cursor, "limit": args.page}).json()
        served += sum(1 for item in body["items"] if item["record"])
        if body["next_cursor"] == cursor or not body["items"]:
            break
        cursor = body["next_cursor"]
    feed_seconds = time.perf_counter() - started
    assert served == visible_expected, (served, visible_expected)

    actor = directory.build_actor(reader, organisation=reader_org)
    started = time.perf_counter()
    naive = 0
    for event in (
        ChangeEvent.objects.select_related("record", "record__owner")
        .order_by("pk")
        .iterator(chunk_size=2000)
    ):
        if can_read(actor, record_keys(event.record)):
            naive += 1
    naive_seconds = time.perf_counter() - started
    assert naive == visible_expected

    print(
        f"\n## Change feed ({args.records:,} synthetic records, {visible_expected:,} readable by the reader)\n"
    )
    print("| path | records/s |")
    print("|---|---|")
    print(
        f"| `GET /api/v1/changes` (policy-filtered at the sender, serialised, pages of {args.page}) | {served / feed_seconds:,.0f} |"
    )
    print(
        f"| baseline: pull every change, then filter (no serialisation) | {naive / naive_seconds:,.0f} |"
    )


if __name__ == "__main__":
    main()
