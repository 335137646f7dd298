"""The trust bundle: signed by a pinned root key, schema-checked, never rolled back, look-ups."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from credentials import _proof as proof
from credentials.bundle import (
    BundleError,
    FileBundleStore,
    Institution,
    ListingPeriod,
    MemoryBundleStore,
    ScopeEntry,
    StatusRange,
    build_bundle,
    load_bundle,
    sign_bundle,
)
from credentials.errors import CredentialError
from tests.credentials._support import (
    AI_2015,
    AI_2022,
    BIG_DATA,
    BUNDLE_ISSUED,
    ISSUER_A,
    ISSUER_B,
    ISSUER_C,
    KEY_SWITCH,
    NEW_KEY,
    OLD_KEY,
    OTHER_ROOT_KEY,
    OTHER_STATUS_URL,
    REVOKED_INDEX,
    ROOT_KEY,
    STATUS_URL,
    STRANGER_KEY,
    bundle_document,
    day,
    institutions,
    occupations,
    revocation_list,
    root_public,
)


@pytest.fixture(scope="module")
def document() -> dict:
    return bundle_document()


def test_a_signed_bundle_loads_with_its_pinned_root_key(document: dict) -> None:
    bundle = load_bundle(document, root_public())
    assert bundle.sequence == 7
    assert bundle.issued == BUNDLE_ISSUED
    assert bundle.root_key == ROOT_KEY.public_key
    assert set(bundle.institutions) == {ISSUER_A, ISSUER_B, ISSUER_C}


def test_the_document_carries_every_part_the_design_names(document: dict) -> None:
    assert {"issued", "sequence", "institutions", "occupations", "statusLists", "proof"} <= set(
        document
    )
    institution = document["institutions"][0]
    assert {
        "id",
        "name",
        "kind",
        "province",
        "listings",
        "keys",
        "numberPrefix",
        "statusRanges",
    } <= set(institution)
    assert institution["numberPrefix"] == "350001"
    assert institution["statusRanges"][0] == {
        "statusListCredential": STATUS_URL,
        "from": 0,
        "until": 100_000,
    }
    assert institution["keys"][0]["validUntil"] == "2025-01-01T00:00:00Z"  # retired, still there
    assert institution["keys"][1]["validUntil"] is None
    assert document["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    assert proof.verify(document, ROOT_KEY.public_key).ok


def test_one_of_several_pinned_keys_is_enough(document: dict) -> None:
    bundle = load_bundle(document, [OTHER_ROOT_KEY.public_key, ROOT_KEY.public_key])
    assert bundle.root_key == ROOT_KEY.public_key


def test_a_bundle_signed_by_a_key_that_is_not_pinned_is_refused() -> None:
    forged = bundle_document(root=STRANGER_KEY)
    with pytest.raises(BundleError) as info:
        load_bundle(forged, root_public())
    assert info.value.code == "BUNDLE_UNTRUSTED_KEY"


def test_a_forged_proof_claiming_the_root_key_is_refused(document: dict) -> None:
    forged = bundle_document(root=STRANGER_KEY)
    # Claim the real root key's verification method without its signature.
    forged["proof"]["verificationMethod"] = ROOT_KEY.public_key.verification_method
    with pytest.raises(BundleError) as info:
        load_bundle(forged, root_public())
    assert info.value.code == "BUNDLE_SIGNATURE_INVALID"


def test_no_pinned_key_means_no_trust(document: dict) -> None:
    with pytest.raises(BundleError) as info:
        load_bundle(document, [])
    assert info.value.code == "BUNDLE_NO_ROOT_KEY"


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d.__setitem__("sequence", 8),
        lambda d: d.__setitem__("issued", "2030-01-01T00:00:00Z"),
        lambda d: d["institutions"][0]["keys"][0].__setitem__("validUntil", None),
        lambda d: d["institutions"][0]["listings"][0].__setitem__("until", None),
        lambda d: d["institutions"][1].__setitem__("kind", "EVALUATION"),
        lambda d: d["statusLists"].clear(),
    ],
    ids=["sequence", "issued", "unretire-key", "extend-listing", "kind", "drop-status-lists"],
)
def test_any_edit_breaks_the_signature(document: dict, edit: Callable[[dict], None]) -> None:
    tampered = copy.deepcopy(document)
    edit(tampered)
    with pytest.raises(BundleError) as info:
        load_bundle(tampered, root_public())
    assert info.value.code == "BUNDLE_SIGNATURE_INVALID"


@pytest.mark.parametrize("value", [None, [], "bundle", 7])
def test_a_non_object_is_refused(value: object) -> None:
    with pytest.raises(BundleError) as info:
        load_bundle(value, root_public())
    assert info.value.code == "BUNDLE_NOT_OBJECT"


def test_an_unsigned_bundle_is_refused(document: dict) -> None:
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    with pytest.raises(BundleError) as info:
        load_bundle(unsigned, root_public())
    assert info.value.code == "BUNDLE_UNSIGNED"


def test_a_signed_but_schema_invalid_bundle_is_refused(document: dict) -> None:
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    unsigned["institutions"] = copy.deepcopy(unsigned["institutions"])
    unsigned["institutions"][0]["province"] = "Fujian"
    resigned = proof.sign(unsigned, ROOT_KEY, created=BUNDLE_ISSUED)
    with pytest.raises(BundleError) as info:
        load_bundle(resigned, root_public())
    assert info.value.code == "BUNDLE_SCHEMA"
    assert "province" in info.value.message


def test_schema_patterns_have_the_ecma_meaning_of_dollar(document: dict) -> None:
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    unsigned["institutions"] = copy.deepcopy(unsigned["institutions"])
    unsigned["institutions"][0]["id"] += "\n"
    resigned = proof.sign(unsigned, ROOT_KEY, created=BUNDLE_ISSUED)
    with pytest.raises(BundleError) as info:
        load_bundle(resigned, root_public())
    assert info.value.code == "BUNDLE_SCHEMA"


def test_build_bundle_refuses_what_a_verifier_would_refuse() -> None:
    broken = institutions()
    broken[0] = dataclasses.replace(broken[0], province="350")
    with pytest.raises(BundleError):
        build_bundle(
            issued=BUNDLE_ISSUED,
            sequence=1,
            institutions=broken,
            occupations=occupations(),
            status_lists={},
        )


def test_a_key_listed_twice_is_refused() -> None:
    a, b, _ = institutions()
    b = Institution(b.id, b.name, b.kind, b.province, b.listings, (*b.keys, a.keys[1]))
    with pytest.raises(BundleError) as info:
        build_bundle(
            issued=BUNDLE_ISSUED,
            sequence=1,
            institutions=[a, b],
            occupations=occupations(),
            status_lists={},
        )
    assert info.value.code == "BUNDLE_INVALID"


# --- rollback ---------------------------------------------------------------------------------


def test_a_lower_sequence_than_one_accepted_is_refused(tmp_path: Path) -> None:
    store = FileBundleStore(tmp_path / "state" / "seq.json")
    load_bundle(bundle_document(sequence=9), root_public(), store=store)
    assert store.highest_sequence(ROOT_KEY.public_key.multibase) == 9
    # A new process (new store object, same file) still remembers.
    again = FileBundleStore(tmp_path / "state" / "seq.json")
    with pytest.raises(BundleError) as info:
        load_bundle(bundle_document(sequence=8), root_public(), store=again)
    assert info.value.code == "BUNDLE_ROLLBACK"
    # The same bundle again, and a newer one, are fine; the store only moves up.
    load_bundle(bundle_document(sequence=9), root_public(), store=again)
    load_bundle(bundle_document(sequence=12), root_public(), store=again)
    assert again.highest_sequence(ROOT_KEY.public_key.multibase) == 12
    assert json.loads((tmp_path / "state" / "seq.json").read_text()) == {
        ROOT_KEY.public_key.multibase: 12
    }


def test_sequences_are_remembered_per_root_key() -> None:
    store = MemoryBundleStore()
    pinned = [ROOT_KEY.public_key, OTHER_ROOT_KEY.public_key]
    load_bundle(bundle_document(sequence=50), pinned, store=store)
    load_bundle(bundle_document(sequence=3, root=OTHER_ROOT_KEY), pinned, store=store)
    with pytest.raises(BundleError):
        load_bundle(bundle_document(sequence=49), pinned, store=store)


def test_a_refused_bundle_does_not_move_the_store() -> None:
    store = MemoryBundleStore()
    with pytest.raises(BundleError):
        load_bundle(bundle_document(sequence=100, root=STRANGER_KEY), root_public(), store=store)
    assert store.highest_sequence(STRANGER_KEY.public_key.multibase) is None
    assert store.highest_sequence(ROOT_KEY.public_key.multibase) is None


def test_a_corrupt_store_file_is_an_error_not_an_empty_store(tmp_path: Path) -> None:
    path = tmp_path / "seq.json"
    path.write_text("{not json")
    with pytest.raises(BundleError) as info:
        load_bundle(bundle_document(), root_public(), store=FileBundleStore(path))
    assert info.value.code == "BUNDLE_STORE"


# --- look-ups ---------------------------------------------------------------------------------


def test_key_lookup_gives_owner_and_window(document: dict) -> None:
    bundle = load_bundle(document, root_public())
    old = bundle.key(OLD_KEY.public_key.verification_method)
    assert old is not None and old.institution_id == ISSUER_A
    assert old.valid_until == KEY_SWITCH
    assert old.valid_at(KEY_SWITCH - dt.timedelta(seconds=1))
    assert not old.valid_at(KEY_SWITCH)  # validUntil is exclusive
    new = bundle.key(NEW_KEY.public_key.verification_method)
    assert new is not None and new.valid_until is None and new.valid_at(KEY_SWITCH)
    assert not new.valid_at(KEY_SWITCH - dt.timedelta(seconds=1))
    assert bundle.key(STRANGER_KEY.public_key.verification_method) is None


def test_institution_lookup(document: dict) -> None:
    bundle = load_bundle(document, root_public())
    a = bundle.institution(ISSUER_A)
    assert a is not None and a.kind == "EVALUATION" and a.province == "35"
    assert bundle.institution("urn:uscc:000000000000000000") is None


@pytest.mark.parametrize(
    ("date", "occupation", "level", "direction", "expected"),
    [
        ("2023-03-01", AI_2015, 1, None, True),  # first day listed
        ("2023-02-28", AI_2015, 1, None, False),  # the day before
        ("2025-12-31", AI_2015, 2, None, True),  # last day, inclusive
        ("2026-01-15", AI_2015, 1, None, False),  # the gap
        ("2026-03-01", AI_2015, 3, None, True),  # level 3 only in the second listing
        ("2025-06-01", AI_2015, 3, None, False),
        ("2025-06-01", AI_2022, 1, None, True),  # the 2022 code of the same occupation
        ("2025-06-01", AI_2015, 1, "计算机视觉产品实现", True),  # scope without direction: any
        ("2025-06-01", BIG_DATA, 1, "大数据分析", True),
        ("2025-06-01", BIG_DATA, 1, "其他方向", False),  # scope names a direction
        ("2025-06-01", "2-02-10-12", 1, None, False),  # cloud computing: never in scope
    ],
)
def test_listed_on(
    document: dict, date: str, occupation: str, level: int, direction: str | None, expected: bool
) -> None:
    bundle = load_bundle(document, root_public())
    assert bundle.listed_on(ISSUER_A, day(date), occupation, level, direction) is expected


def test_listed_on_for_unknown_institution(document: dict) -> None:
    bundle = load_bundle(document, root_public())
    assert not bundle.listed_on("urn:uscc:X", day("2025-06-01"), AI_2015, 1)


def test_status_list_by_url(document: dict) -> None:
    bundle = load_bundle(document, root_public())
    status_list = bundle.status_list(STATUS_URL)
    assert status_list.get(REVOKED_INDEX) and not status_list.get(REVOKED_INDEX + 1)
    with pytest.raises(CredentialError) as info:
        bundle.status_list(OTHER_STATUS_URL)
    assert info.value.code == "STATUS_LIST_MISSING"


def test_a_status_list_not_signed_by_a_root_key_is_not_used() -> None:
    document = bundle_document(status_lists={STATUS_URL: revocation_list(signer=STRANGER_KEY)})
    bundle = load_bundle(document, root_public())
    with pytest.raises(CredentialError) as info:
        bundle.status_list(STATUS_URL)
    assert info.value.code == "STATUS_LIST_UNTRUSTED_KEY"


def test_the_loaded_bundle_does_not_change_with_the_callers_document() -> None:
    document = bundle_document()
    bundle = load_bundle(document, root_public())
    document["statusLists"].clear()
    assert bundle.status_list(STATUS_URL).get(REVOKED_INDEX)


def test_scope_entry_levels_are_codes() -> None:
    period = ListingPeriod(day("2025-01-01"), None, (ScopeEntry(AI_2015, 2),))
    assert period.covers_date(day("2030-01-01"))
    document = sign_bundle(
        build_bundle(
            issued=BUNDLE_ISSUED,
            sequence=1,
            institutions=[
                Institution(ISSUER_A, "x", "EVALUATION", "35", (period,), ()),
            ],
            occupations=[],
            status_lists={},
        ),
        ROOT_KEY,
    )
    assert document["institutions"][0]["listings"][0]["scope"] == [
        {"occupation": AI_2015, "direction": None, "level": 2}
    ]
    assert load_bundle(document, root_public()).listed_on(ISSUER_A, day("2025-02-01"), AI_2015, 2)


def test_overlapping_listing_periods_are_all_considered() -> None:
    a = institutions()[0]
    overlapping = dataclasses.replace(
        a,
        listings=(
            ListingPeriod(day("2024-01-01"), None, (ScopeEntry(AI_2015, 1),)),
            ListingPeriod(day("2024-06-01"), day("2024-12-31"), (ScopeEntry(AI_2015, 2),)),
        ),
    )
    document = sign_bundle(
        build_bundle(
            issued=BUNDLE_ISSUED,
            sequence=1,
            institutions=[overlapping],
            occupations=occupations(),
            status_lists={},
        ),
        ROOT_KEY,
    )
    bundle = load_bundle(document, root_public())
    assert bundle.listed_on(ISSUER_A, day("2024-07-01"), AI_2015, 2)
    assert bundle.listed_on(ISSUER_A, day("2024-07-01"), AI_2015, 1)
    assert not bundle.listed_on(ISSUER_A, day("2025-07-01"), AI_2015, 2)


def test_a_status_list_must_sit_under_its_own_url() -> None:
    with pytest.raises(BundleError) as info:
        bundle_document(status_lists={OTHER_STATUS_URL: revocation_list()})
    assert info.value.code == "BUNDLE_INVALID"


# --- what ties a certificate to its issuer ----------------------------------------------------


def test_a_bundle_of_format_1_is_refused_even_when_signed() -> None:
    """Format 1 stated no number digits or status ranges: trusting it would let one
    institution's certificate pass as another's, so it is refused, not read leniently."""
    old = {k: v for k, v in bundle_document().items() if k != "proof"}
    old["formatVersion"] = 1
    for item in old["institutions"]:
        del item["numberPrefix"], item["statusRanges"]
    signed = sign_bundle(old, ROOT_KEY, created=BUNDLE_ISSUED)
    with pytest.raises(BundleError) as info:
        load_bundle(signed, root_public())
    assert info.value.code == "BUNDLE_FORMAT_UNSUPPORTED"


def test_two_institutions_sharing_a_status_index_is_refused() -> None:
    a, b, c = institutions()
    c = dataclasses.replace(c, status_ranges=(StatusRange(STATUS_URL, 99_999, 100_001),))
    with pytest.raises(BundleError) as info:
        build_bundle(
            issued=BUNDLE_ISSUED,
            sequence=1,
            institutions=[a, b, c],
            occupations=occupations(),
            status_lists={},
        )
    assert (info.value.code, STATUS_URL in info.value.message) == ("BUNDLE_INVALID", True)


def test_an_empty_status_range_is_refused() -> None:
    a, *others = institutions()
    a = dataclasses.replace(a, status_ranges=(StatusRange(STATUS_URL, 5, 5),))
    with pytest.raises(BundleError) as info:
        build_bundle(
            issued=BUNDLE_ISSUED,
            sequence=1,
            institutions=[a, *others],
            occupations=occupations(),
            status_lists={},
        )
    assert info.value.code == "BUNDLE_INVALID"


def test_the_bundle_answers_which_indices_are_whose(document: dict) -> None:
    bundle = load_bundle(document, root_public())
    assert bundle.owns_status(ISSUER_A, STATUS_URL, 0)
    assert bundle.owns_status(ISSUER_A, STATUS_URL, 99_999)
    assert not bundle.owns_status(ISSUER_A, STATUS_URL, 100_000)
    assert bundle.owns_status(ISSUER_C, STATUS_URL, 100_000)
    assert bundle.owns_status(ISSUER_C, STATUS_URL, 109_999)
    assert not bundle.owns_status(ISSUER_C, STATUS_URL, 110_000)
    assert bundle.owns_status(ISSUER_A, STATUS_URL, 110_000)
    assert not bundle.owns_status(ISSUER_B, STATUS_URL, 1000)  # a training institution: none
    assert not bundle.owns_status(ISSUER_C, OTHER_STATUS_URL, 1000)
    assert bundle.institutions[ISSUER_C].numbers("Z440002251010000015")
    assert not bundle.institutions[ISSUER_C].numbers("Z350001251010000015")
