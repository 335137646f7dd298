"""The trust bundle built from the real embedded database and checked by the real verifier:
listing boundaries (exclusive `until` in the registry, inclusive in the bundle), rotated keys,
revocation, sequence numbers and the reuse of a current bundle."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from typing import Any

import pytest

from credentials import (
    CertificateClaims,
    Level,
    MemoryBundleStore,
    PublicKey,
    SigningKey,
    Status,
    TrustBundle,
    Verdict,
    binding,
    issue_certificate,
    load_bundle,
    mod11_2_check,
    sign_proof,
    verify_credential,
)
from registry.access.auth import SYSTEM
from registry.catalogue import reference_data as catalogue
from registry.demo import directory as demo
from registry.institutions.model import from_document
from registry.settings import Settings
from registry.storage.collections import Collection
from registry.storage.db import Database
from registry.storage.transactions import in_transaction
from registry.trust import bundles as trust
from registry.trust import keystore, status_lists
from registry.trust.status_lists import StatusRef
from tests.factories import make_uscc

MASTER = hashlib.sha256(b"trust test master key").digest()
BASE = "https://registry.example.cn"
UTC = dt.UTC
AI = "2-02-10-09"  # 人工智能工程技术人员, 2015 edition (the registry's primary code)
AI_2022 = "2-02-38-01"
CARD = "11010519491231002X"
CHEAP = binding.BindingParams(opslimit=1, memlimit=8 * 1024)

A = make_uscc(201)  # listed 2025-01-10 until 2028-01-10 (exclusive); keys rotated
B = make_uscc(202)  # listed 2025-02-01 until 2026-02-01 (exclusive): the boundary case
C = make_uscc(203)  # suspended on the day it was listed: an empty period
D = make_uscc(204)  # never listed
NUMBERS = {A: "9001", B: "9002", C: "9003"}  # institution numbers (the demo takes 0001 up)
PREFIXES = {uscc: "35" + number for uscc, number in NUMBERS.items()}
KEY_START = dt.datetime(2025, 1, 10, 2, 0, tzinfo=UTC)
ROTATION = dt.datetime(2026, 6, 1, 0, 0, tzinfo=UTC)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def institution_doc(uscc: str, periods: list[tuple[str, str]], **extra: Any) -> dict[str, Any]:
    scope = [{"occupation": AI, "direction": None, "level": 1}]
    return {
        "_id": uscc,
        "name": f"测试评价中心{uscc[-4:]}",
        "kind": "EVALUATION",
        "province": "35",
        "status": "LISTED" if periods else "APPLIED",
        "scope": scope,
        "listings": [{"start": s, "until": u, "scope": scope, "ended": None} for s, u in periods],
        "revision": 1,
        **extra,
    }


@pytest.fixture(scope="module", autouse=True)
async def world(db: Database) -> None:
    await catalogue.seed_reference(db)
    await db.institutions.insert_many(
        [
            institution_doc(A, [("2025-01-10", "2028-01-10")], number=NUMBERS[A]),
            institution_doc(B, [("2025-02-01", "2026-02-01")], number=NUMBERS[B]),
            institution_doc(
                C, [("2025-03-01", "2025-03-01")], status="SUSPENDED", number=NUMBERS[C]
            ),
            institution_doc(D, []),
        ]
    )
    for uscc in (A, B):
        await keystore.rotate_institution_key(db, MASTER, uscc, by=SYSTEM, now=KEY_START)


async def root_keys(db: Database) -> list[PublicKey]:
    return [await keystore.root_public_key(db, MASTER)]


async def load(db: Database, document: dict[str, Any], store: Any = None) -> TrustBundle:
    return load_bundle(document, await root_keys(db), store=store)


async def allocate(db: Database, count: int = 1, owner: str = A) -> list[StatusRef]:
    return await in_transaction(
        db, lambda s: status_lists.allocate(db, count, owner=owner, session=s)
    )


def certificate(
    key: SigningKey, uscc: str, when: dt.datetime, ref: StatusRef, serial: int = 1
) -> dict[str, Any]:
    body = f"{PREFIXES[uscc]}{when.year % 100:02d}101{serial:06d}"
    claims = CertificateClaims(
        certificate_number="Z" + body + mod11_2_check(body),
        holder_name="张三",
        occupation_code=AI,
        occupation_name="人工智能工程技术人员",
        level=Level.JUNIOR,
        field_code="01",
        issuer_uscc=uscc,
        issuer_name="测试评价中心",
        valid_from=when,
    )
    return issue_certificate(
        claims,
        key,
        binding=binding.commit(CARD, params=CHEAP),
        status=status_lists.status_entry(BASE, ref),
        created=when,
    )


async def test_period_conversion_exclusive_to_inclusive() -> None:
    period = trust.bundle_period(
        {"start": "2025-01-10", "until": "2028-01-10", "scope": [{"occupation": AI, "level": 2}]}
    )
    assert period is not None
    assert (period.start, period.end) == (dt.date(2025, 1, 10), dt.date(2028, 1, 9))
    assert period.covers_date(dt.date(2028, 1, 9)) and not period.covers_date(dt.date(2028, 1, 10))
    assert period.scope[0].level == 2 and period.scope[0].direction is None
    one_day = trust.bundle_period({"start": "2025-01-10", "until": "2025-01-11", "scope": []})
    assert one_day is not None and one_day.start == one_day.end == dt.date(2025, 1, 10)
    assert trust.bundle_period({"start": "2025-01-10", "until": "2025-01-10", "scope": []}) is None


async def test_bundle_lists_every_institution_ever_listed(db: Database) -> None:
    document = await trust.build_bundle(db, MASTER, BASE, now=at("2026-01-15T00:00:00"))
    bundle = await load(db, document)
    assert set(bundle.institutions) == {f"urn:uscc:{u}" for u in (A, B, C)}
    assert bundle.institutions[f"urn:uscc:{C}"].listings == ()  # the empty period is left out
    a = bundle.institutions[f"urn:uscc:{A}"]
    assert a.kind == "EVALUATION" and a.province == "35" and a.name.startswith("测试评价中心")
    [key] = a.keys
    assert key.valid_from == KEY_START and key.valid_until is None
    # Occupations with both codes: a 2022 code in a certificate matches a 2015-coded scope.
    assert bundle.occupation(AI_2022) is bundle.occupation(AI)
    assert bundle.listed_on(a, dt.date(2026, 1, 15), AI_2022, 1)
    assert not bundle.listed_on(a, dt.date(2026, 1, 15), AI, 2)


@pytest.mark.parametrize(
    ("day", "listed"),
    [
        ("2025-01-31", False),  # the day before the first
        ("2025-02-01", True),  # the first day
        ("2026-01-31", True),  # the last day: exclusive `until` minus one
        ("2026-02-01", False),  # `until` itself
    ],
)
async def test_listing_boundary_days(db: Database, day: str, listed: bool) -> None:
    bundle = await load(
        db, await trust.latest_bundle(db, MASTER, BASE, now=at("2026-01-15T00:00:00"))
    )
    assert bundle.listed_on(f"urn:uscc:{B}", dt.date.fromisoformat(day), AI, 1) is listed


async def test_certificates_on_the_last_listed_day_and_the_day_after(db: Database) -> None:
    key = await keystore.institution_key(db, MASTER, B)
    ref_last, ref_after = await allocate(db, 2, owner=B)
    # China time: 15:59:59Z is 23:59:59 on 31 January; 16:00:00Z is already 1 February.
    last_day = certificate(key, B, at("2026-01-31T15:59:59"), ref_last, serial=11)
    day_after = certificate(key, B, at("2026-01-31T16:00:00"), ref_after, serial=12)
    now = at("2026-02-02T00:00:00")
    bundle = await load(db, await trust.build_bundle(db, MASTER, BASE, now=now))
    ok = verify_credential(last_day, bundle=bundle, now=now)
    assert ok.verdict is Verdict.VALID, ok.to_json()
    late = verify_credential(day_after, bundle=bundle, now=now)
    assert late.check("issuer_listed").code == "NOT_LISTED_ON_DATE"
    assert late.verdict is Verdict.INVALID


async def test_rotation_old_certificates_still_verify_new_bundle(db: Database) -> None:
    old_key = await keystore.institution_key(db, MASTER, A)
    before, after, newer = await allocate(db, 3)
    signed_before = certificate(old_key, A, at("2026-05-31T23:59:59"), before, serial=21)
    await keystore.rotate_institution_key(db, MASTER, A, by=SYSTEM, now=ROTATION)
    new_key = await keystore.institution_key(db, MASTER, A)
    assert new_key.public_key != old_key.public_key
    # The old key used at (or after) its retirement: what a stolen retired key would produce.
    signed_late = certificate(old_key, A, ROTATION, after, serial=22)
    signed_new = certificate(new_key, A, at("2026-06-01T00:00:00"), newer, serial=23)

    now = at("2026-06-02T00:00:00")
    bundle = await load(db, await trust.build_bundle(db, MASTER, BASE, now=now))
    keys = {k.public_key: k for k in bundle.institutions[f"urn:uscc:{A}"].keys}
    assert keys[old_key.public_key].valid_until == ROTATION
    assert keys[new_key.public_key].valid_from == ROTATION

    assert keys[old_key.public_key].log_size_at_retirement is not None
    report = verify_credential(signed_before, bundle=bundle, now=now)
    assert report.check("issuer_key").status is Status.PASS
    # Since issue 15 a retired key's credential needs its log inclusion (the credential file)
    # to be VALID: this one, made by hand outside the log, cannot be confirmed.
    assert report.verdict is Verdict.UNCONFIRMED, report.to_json()
    late = verify_credential(signed_late, bundle=bundle, now=now)
    assert late.check("issuer_key").status is Status.FAIL
    assert late.check("issuer_key").code == "KEY_RETIRED"
    assert verify_credential(signed_new, bundle=bundle, now=now).verdict is Verdict.VALID


async def test_revocation_reaches_a_bundle_issued_afterwards(db: Database) -> None:
    key = await keystore.institution_key(db, MASTER, A)
    [ref] = await allocate(db)
    cert = certificate(key, A, at("2026-07-01T02:00:00"), ref, serial=31)
    now = at("2026-07-02T00:00:00")
    before = await load(db, await trust.build_bundle(db, MASTER, BASE, now=now))
    assert verify_credential(cert, bundle=before, now=now).verdict is Verdict.VALID
    await in_transaction(db, lambda s: status_lists.set_revoked(db, ref, session=s))
    after = await load(db, await trust.latest_bundle(db, MASTER, BASE, now=now))
    assert after.sequence > before.sequence
    report = verify_credential(cert, bundle=after, now=now)
    assert report.check("status").code == "REVOKED"
    assert report.verdict is Verdict.INVALID


async def test_sequence_strictly_increases_and_load_bundle_accepts_each(db: Database) -> None:
    store = MemoryBundleStore()
    sequences = []
    for hour in range(3):
        document = await trust.build_bundle(db, MASTER, BASE, now=at(f"2026-08-01T0{hour}:00:00"))
        sequences.append((await load(db, document, store)).sequence)
    assert sequences == sorted(set(sequences))
    # Concurrent builds never share a sequence.
    built = await asyncio.gather(*(trust.build_bundle(db, MASTER, BASE) for _ in range(5)))
    concurrent = [b["sequence"] for b in built]
    assert len(set(concurrent)) == 5 and min(concurrent) > sequences[-1]


async def test_latest_bundle_is_reused_until_something_changes(db: Database) -> None:
    now = at("2026-09-01T00:00:00")
    first = await trust.latest_bundle(db, MASTER, BASE, now=now)
    again = await trust.latest_bundle(db, MASTER, BASE, now=now + dt.timedelta(minutes=5))
    assert again == first  # same document, same sequence
    # Too old: rebuilt even though nothing changed.
    aged = await trust.latest_bundle(db, MASTER, BASE, now=now + dt.timedelta(minutes=11))
    assert aged["sequence"] > first["sequence"]
    # A change to what a bundle states: a rotation.
    await keystore.rotate_institution_key(
        db, MASTER, B, by=SYSTEM, now=now + dt.timedelta(minutes=12)
    )
    rotated = await trust.latest_bundle(db, MASTER, BASE, now=now + dt.timedelta(minutes=13))
    assert rotated["sequence"] > aged["sequence"]
    assert len((await load(db, rotated)).institutions[f"urn:uscc:{B}"].keys) == 2
    # An institution change (its revision) makes a new bundle too.
    await db.institutions.update_one(
        {"_id": A}, {"$set": {"name": "新名称"}, "$inc": {"revision": 1}}
    )
    renamed = await trust.latest_bundle(db, MASTER, BASE, now=now + dt.timedelta(minutes=14))
    assert renamed["sequence"] > rotated["sequence"]
    assert (await load(db, renamed)).institutions[f"urn:uscc:{A}"].name == "新名称"


async def test_concurrent_latest_calls_share_one_new_bundle(db: Database) -> None:
    await allocate(db, 1)  # nothing visible changes: allocation is not in the published list
    [ref] = await allocate(db, 1)
    await in_transaction(db, lambda s: status_lists.set_revoked(db, ref, session=s))
    count = await db[Collection.TRUST_BUNDLES].count_documents({})
    results = await asyncio.gather(*(trust.latest_bundle(db, MASTER, BASE) for _ in range(6)))
    assert len({r["sequence"] for r in results}) == 1
    assert await db[Collection.TRUST_BUNDLES].count_documents({}) == count + 1


async def test_bundle_of_the_demo_directory_matches_the_registry(
    db: Database, settings: Settings
) -> None:
    """Every demo institution (walked through the real lifecycle, suspensions and removals
    included) is listed in the bundle on exactly the days the registry says it was."""
    await demo.seed_demo(db, settings)
    bundle = await load(db, await trust.build_bundle(db, MASTER, BASE))
    demo_ids = [inst.uscc for inst, _, _ in demo.demo_institutions()]
    docs = [
        d
        async for d in db.institutions.find(
            {"_id": {"$in": demo_ids}, "listings.0": {"$exists": True}}
        )
    ]
    assert len(docs) >= 15
    checked = 0
    for doc in docs:
        model = from_document(doc)
        found = bundle.institution(f"urn:uscc:{model.uscc}")
        assert found is not None
        for period in model.listings:
            for day in {
                period.start - dt.timedelta(days=1),
                period.start,
                period.until - dt.timedelta(days=1),
                period.until,
            }:
                assert bool(found.listings_on(day)) is (model.listed_on(day) is not None), (
                    model.uscc,
                    day,
                )
                checked += 1
    assert checked >= 60


# --- certificates tied to their issuer ----------------------------------------------------------


async def test_each_issuer_has_its_own_range_and_another_cannot_borrow_it(db: Database) -> None:
    """B signs, with its own valid key, a certificate carrying A's number and A's status index:
    the bundle says neither is B's, so it is INVALID, and revoking A's certificate does not
    turn B's copy into a revoked one of A."""
    [ref_a] = await allocate(db, owner=A)
    [ref_b] = await allocate(db, owner=B)
    assert ref_a.list_id != ref_b.list_id  # each institution allocates from its own lists
    # After both keys' rotations above: each key is valid at `when`.
    when, now = at("2026-10-01T02:00:00"), at("2026-10-02T00:00:00")
    genuine = certificate(await keystore.institution_key(db, MASTER, A), A, when, ref_a, 41)
    borrowed = certificate(await keystore.institution_key(db, MASTER, B), B, when, ref_a, 41)
    borrowed["credentialSubject"]["certificate"]["number"] = genuine["credentialSubject"][
        "certificate"
    ]["number"]
    borrowed["id"] = genuine["id"]
    key_b = await keystore.institution_key(db, MASTER, B)
    forged = sign_proof({k: v for k, v in borrowed.items() if k != "proof"}, key_b, created=when)
    bundle = await load(db, await trust.build_bundle(db, MASTER, BASE, now=now))
    a = bundle.institutions[f"urn:uscc:{A}"]
    assert a.number_prefix == PREFIXES[A]
    assert bundle.owns_status(a.id, status_lists.status_list_url(BASE, ref_a.list_id), ref_a.index)
    assert verify_credential(genuine, bundle=bundle, now=now).verdict is Verdict.VALID
    report = verify_credential(forged, bundle=bundle, now=now)
    assert report.check("proof").code == "PROOF_OK"
    assert report.check("issuer_listed").code == "NUMBER_NOT_ISSUERS"
    assert report.check("status").code == "STATUS_INDEX_NOT_ISSUERS"
    assert report.verdict is Verdict.INVALID
    await in_transaction(db, lambda s: status_lists.set_revoked(db, ref_a, session=s))
    after = await load(db, await trust.latest_bundle(db, MASTER, BASE, now=now))
    assert verify_credential(genuine, bundle=after, now=now).check("status").code == "REVOKED"
    copy = verify_credential(forged, bundle=after, now=now).check("status")
    assert copy.code == "STATUS_INDEX_NOT_ISSUERS"


async def test_certificates_of_a_list_made_before_owners_keep_verifying(db: Database) -> None:
    """Migration: a list without an owner (made before issue 14) takes no new certificates,
    and each index its certificates hold is stated as its issuer's own one-index range."""
    legacy = {
        "_id": "900",
        "seq": 900,
        "size": status_lists.LIST_SIZE,
        "bits": bytes(status_lists.LIST_SIZE // 8),
        "allocated": bytes(status_lists.LIST_SIZE // 8),
        "allocated_count": 3,
        "revision": 0,
    }
    await db[Collection.STATUS_LISTS].insert_one(legacy)
    held = [(A, 7), (A, 8), (B, 9), (A, 11)]
    await db[Collection.CERTIFICATES].insert_many(
        [
            {
                "_id": f"legacy-{index}",
                "institution": uscc,
                "status_ref": {"list_id": "900", "index": index},
            }
            for uscc, index in held
        ]
    )
    url = status_lists.status_list_url(BASE, "900")
    when, now = at("2026-10-01T02:00:00"), at("2026-10-02T00:00:00")
    bundle = await load(db, await trust.build_bundle(db, MASTER, BASE, now=now))
    ranges = {
        (r.start, r.end)
        for r in bundle.institutions[f"urn:uscc:{A}"].status_ranges
        if r.status_list == url
    }
    assert ranges == {(7, 9), (11, 12)}
    assert [
        (r.start, r.end)
        for r in bundle.institutions[f"urn:uscc:{B}"].status_ranges
        if r.status_list == url
    ] == [(9, 10)]
    key_a = await keystore.institution_key(db, MASTER, A)
    old = certificate(key_a, A, when, StatusRef("900", 8), 51)
    assert verify_credential(old, bundle=bundle, now=now).verdict is Verdict.VALID
    not_held = certificate(key_a, A, when, StatusRef("900", 9), 52)
    report = verify_credential(not_held, bundle=bundle, now=now)
    assert report.check("status").code == "STATUS_INDEX_NOT_ISSUERS"
    fresh = await allocate(db, 5, owner=A)
    assert {ref.list_id for ref in fresh}.isdisjoint({"900"})
