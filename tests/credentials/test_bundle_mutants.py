"""The trust bundle's edges that its mutation run showed untested: time parsing and formatting,
the consistency checks and their codes, the sequence stores, the status list cache and the
look-ups. Every document is really signed by the registry root key."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
import os
import shutil
import tempfile
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from credentials import _proof as proof
from credentials.bundle import (
    BundleError,
    BundleKey,
    FileBundleStore,
    Institution,
    ListingPeriod,
    MemoryBundleStore,
    Occupation,
    ScopeEntry,
    build_bundle,
    china_date,
    format_timestamp,
    load_bundle,
    parse_timestamp,
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
    NEW_KEY,
    OLD_KEY,
    OTHER_ROOT_KEY,
    OTHER_STATUS_URL,
    ROOT_KEY,
    STATUS_URL,
    at,
    bundle_document,
    day,
    institutions,
    occupations,
    revocation_list,
    root_public,
)

CST = dt.timezone(dt.timedelta(hours=8))


def resigned(document: dict[str, Any], edit: Any) -> dict[str, Any]:
    """`document` with `edit` applied to a copy of its unsigned part, signed again by the root."""
    unsigned = copy.deepcopy({k: v for k, v in document.items() if k != "proof"})
    edit(unsigned)
    return proof.sign(unsigned, ROOT_KEY, created=BUNDLE_ISSUED)


def refusal(document: Any, **kwargs: Any) -> BundleError:
    with pytest.raises(BundleError) as info:
        load_bundle(document, root_public(), **kwargs)
    return info.value


# --- time ------------------------------------------------------------------------------------


def test_parse_timestamp_reads_an_offset_date_time() -> None:
    parsed = parse_timestamp("2026-11-26T16:00:00+08:00")
    assert parsed == dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.UTC)
    assert parsed.utcoffset() == dt.timedelta(hours=8)


class _Text(str):
    """A str subclass: parsed as its text, on the path that is not remembered."""


@pytest.mark.parametrize(
    "value",
    [
        None,
        20261126,
        "2026-11-26",  # a date, no time
        "2026-11-26 08:00:00+00:00",  # no T
        "2026-11-26T08:00:00",  # no offset
        "2026-11-26T08:00:00Z" + "0" * 45,  # over 64 characters
        _Text("2026-11-26T08:00:00"),
    ],
)
def test_parse_timestamp_refuses_what_is_not_an_offset_date_time(value: object) -> None:
    with pytest.raises(ValueError):
        parse_timestamp(value)


def test_parse_timestamp_takes_64_characters_and_a_str_subclass() -> None:
    text = "2026-11-26T08:00:00." + "0" * 38 + "+00:00"
    assert len(text) == 64
    assert parse_timestamp(text) == dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.UTC)
    assert parse_timestamp(_Text("2026-11-26T08:00:00Z")) == at("2026-11-26T08:00:00")


class _Instant(dt.datetime):
    """A datetime subclass: formatted on the path that is not remembered."""


@pytest.mark.parametrize("kind", [dt.datetime, _Instant])
def test_format_timestamp_writes_utc_with_a_z(kind: type[dt.datetime]) -> None:
    instant = kind(2026, 11, 26, 16, 30, 5, 999, tzinfo=CST)
    assert format_timestamp(instant) == "2026-11-26T08:30:05Z"


@pytest.mark.parametrize("kind", [dt.datetime, _Instant])
def test_format_timestamp_refuses_a_naive_datetime(kind: type[dt.datetime]) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        format_timestamp(kind(2026, 11, 26, 8, 0))


def test_china_date_is_the_calendar_day_in_utc_plus_8() -> None:
    assert china_date(at("2025-12-31T15:59:59")) == day("2025-12-31")
    assert china_date(at("2025-12-31T16:00:00")) == day("2026-01-01")


# --- the model --------------------------------------------------------------------------------


def test_a_scope_entry_covers_its_level_occupation_and_direction_only() -> None:
    def same(a: str, b: str) -> bool:
        return a == b

    entry = ScopeEntry(BIG_DATA, 2, "大数据分析")
    assert entry.covers(BIG_DATA, 2, "大数据分析", same)
    assert not entry.covers(BIG_DATA, 1, "大数据分析", same)
    assert not entry.covers(AI_2015, 2, "大数据分析", same)
    assert not entry.covers(BIG_DATA, 2, None, same)
    assert ScopeEntry(BIG_DATA, 2).covers(BIG_DATA, 2, "any", same)


def test_a_listing_period_covers_its_first_and_last_day() -> None:
    period = ListingPeriod(day("2025-01-01"), day("2025-01-31"))
    assert [period.covers_date(day(d)) for d in ("2024-12-31", "2025-01-01")] == [False, True]
    assert [period.covers_date(day(d)) for d in ("2025-01-31", "2025-02-01")] == [True, False]


# --- building and loading: each refusal's code ------------------------------------------------


def test_the_bundle_lists_each_part_as_built() -> None:
    document = bundle_document()
    assert document["type"] == "DteTrustBundle" and document["formatVersion"] == 2
    assert document["issued"] == "2026-11-25T00:00:00Z" and document["sequence"] == 7
    first = document["institutions"][0]["listings"][0]
    assert (first["from"], first["until"]) == ("2023-03-01", "2025-12-31")
    assert document["institutions"][0]["listings"][1]["until"] is None
    assert first["scope"][2] == {"occupation": BIG_DATA, "direction": "大数据分析", "level": 1}
    key = document["institutions"][0]["keys"][0]
    assert key["publicKeyMultibase"] == OLD_KEY.public_key.multibase
    assert key["validFrom"] == "2023-01-01T00:00:00Z"
    assert document["occupations"][0] == {
        "codes": [AI_2015, AI_2022],
        "name": "人工智能工程技术人员",
    }
    assert document["statusLists"] == {STATUS_URL: revocation_list()}


def test_build_bundle_says_which_schema_rule_fails() -> None:
    broken = institutions()
    broken[0] = dataclasses.replace(broken[0], province="350")
    with pytest.raises(BundleError) as info:
        build_bundle(
            issued=BUNDLE_ISSUED,
            sequence=1,
            institutions=broken,
            occupations=[],
            status_lists={},
        )
    assert info.value.code == "BUNDLE_SCHEMA"
    assert info.value.message.startswith(
        "bundle does not match its schema: /institutions/0/province"
    )


def test_a_schema_refusal_counts_the_problems_and_names_the_first() -> None:
    def two_problems(d: dict[str, Any]) -> None:
        d["institutions"][0]["province"] = "Fujian"
        d["institutions"][1]["province"] = "Beijing"

    error = refusal(resigned(bundle_document(), two_problems))
    assert error.code == "BUNDLE_SCHEMA"
    assert error.message.startswith("the bundle does not match its schema (2 problems): ")
    assert "/institutions/0/province" in error.message


def test_an_institution_listed_twice_is_refused() -> None:
    error = refusal(
        resigned(bundle_document(), lambda d: d["institutions"].append(d["institutions"][0]))
    )
    assert (error.code, error.message) == (
        "BUNDLE_INVALID",
        f"institution {ISSUER_A} is listed twice",
    )


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda d: d["institutions"][1]["listings"][0].update(until="2022-12-31"),
            "a listing period ends before it starts",
        ),
        (
            lambda d: d["institutions"][1]["keys"][0].update(validUntil="2023-01-01T00:00:00Z"),
            "a key's validUntil is not after its validFrom",
        ),
        (
            lambda d: d["institutions"][1]["keys"][0].update(
                verificationMethod=NEW_KEY.public_key.verification_method
            ),
            "verificationMethod does not name publicKeyMultibase",
        ),
        (
            lambda d: d["institutions"][1]["keys"][0].update(validFrom="2023-02-30T00:00:00Z"),
            None,
        ),
    ],
    ids=["listing-ends-before-it-starts", "key-ends-as-it-starts", "wrong-method", "no-such-day"],
)
def test_an_inconsistent_institution_is_refused_by_name(edit: Any, message: str | None) -> None:
    error = refusal(resigned(bundle_document(), edit))
    assert error.code == "BUNDLE_INVALID"
    assert error.message.startswith(f"institution {ISSUER_B}: ")
    if message is not None:
        assert error.message == f"institution {ISSUER_B}: {message}"


def test_a_bad_public_key_is_refused_with_the_key_errors_message() -> None:
    def bad_key(d: dict[str, Any]) -> None:
        d["institutions"][1]["keys"][0]["publicKeyMultibase"] = "z6Mkabc"

    error = refusal(resigned(bundle_document(), bad_key))
    assert error.code == "BUNDLE_INVALID"
    assert error.message == (
        f"institution {ISSUER_B}: public Multikey must start with multicodec 0xed01; "
        "this is multicodec prefix 0xd19b"
    )


def test_a_listing_of_one_day_and_a_key_of_one_second_are_consistent() -> None:
    def short(d: dict[str, Any]) -> None:
        d["institutions"][1]["listings"][0].update({"from": "2024-01-01", "until": "2024-01-01"})
        d["institutions"][1]["keys"][0]["validUntil"] = "2023-01-01T00:00:01Z"

    b = load_bundle(resigned(bundle_document(), short), root_public()).institution(ISSUER_B)
    assert b is not None
    assert b.listings_on(day("2024-01-01")) == b.listings
    assert b.keys[0].valid_until == at("2023-01-01T00:00:01")


def test_an_issued_time_that_is_no_date_is_refused() -> None:
    error = refusal(resigned(bundle_document(), lambda d: d.update(issued="2026-13-01T00:00:00Z")))
    assert error.code == "BUNDLE_INVALID"
    assert error.message == "the bundle's issued time is not a date-time"


def test_a_bundle_signed_by_no_pinned_key_names_its_signer() -> None:
    document = bundle_document(root=OTHER_ROOT_KEY)
    error = refusal(document)
    assert error.code == "BUNDLE_UNTRUSTED_KEY"
    method = OTHER_ROOT_KEY.public_key.verification_method
    assert error.message == f"it is signed by {method[:80]}, which is not a pinned root key"


def test_a_proof_that_does_not_verify_says_why() -> None:
    document = bundle_document()
    document["sequence"] = 8
    error = refusal(document)
    assert error.code == "BUNDLE_SIGNATURE_INVALID"
    assert error.message == (
        "the bundle's signature does not verify: the signature does not match the document"
    )


def test_the_loaded_bundle_keeps_what_was_verified() -> None:
    bundle = load_bundle(bundle_document(), [OTHER_ROOT_KEY.public_key, ROOT_KEY.public_key])
    assert bundle.pinned_root_keys == (OTHER_ROOT_KEY.public_key, ROOT_KEY.public_key)
    assert bundle.occupations == tuple(occupations())
    assert bundle.document == bundle_document()
    whole = load_bundle(
        resigned(bundle_document(), lambda d: d.update(sequence=7.0)), root_public()
    )
    assert whole.sequence == 7 and type(whole.sequence) is int
    a = bundle.institution(ISSUER_A)
    assert a == institutions()[0]
    assert bundle.key(OLD_KEY.public_key.verification_method) == a.keys[0]


# --- the sequence stores ----------------------------------------------------------------------


def test_the_memory_store_only_moves_up() -> None:
    store = MemoryBundleStore()
    assert store.highest_sequence("root") is None
    store.record_sequence("root", 5)
    store.record_sequence("root", 3)
    assert store.highest_sequence("root") == 5
    store.record_sequence("root", 6)
    assert store.highest_sequence("root") == 6
    assert store.highest_sequence("other") is None


def test_the_file_store_writes_sorted_indented_json_and_only_moves_up(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "seq.json"
    store = FileBundleStore(str(path))
    store.record_sequence("zz", 2)
    store.record_sequence("aa", 1)
    assert path.read_text("utf-8") == '{\n  "aa": 1,\n  "zz": 2\n}'
    before = path.stat().st_ino
    store.record_sequence("zz", 2)  # the same sequence: the file is not replaced
    store.record_sequence("zz", 1)
    assert path.stat().st_ino == before
    assert json.loads(path.read_text()) == {"aa": 1, "zz": 2}
    assert sorted(p.name for p in path.parent.iterdir()) == ["seq.json"]  # no temporary left
    store.record_sequence("first", 0)  # a sequence 0 for a new root key is remembered
    assert store.highest_sequence("first") == 0


def test_the_file_store_starts_empty_without_a_file(tmp_path: Path) -> None:
    assert FileBundleStore(tmp_path / "none.json").highest_sequence("root") is None


@pytest.mark.parametrize(
    "text",
    ["[1, 2]", '{"root": "3"}', '{"root": true}', '{"root": 3.0}', "", "null"],
)
def test_a_file_that_is_not_a_sequence_file_is_an_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "seq.json"
    path.write_text(text)
    with pytest.raises(BundleError) as info:
        FileBundleStore(path).highest_sequence("root")
    assert info.value.code == "BUNDLE_STORE"
    assert info.value.message == f"{path} is not a bundle sequence file"


def test_a_file_store_that_cannot_be_read_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(BundleError) as info:
        FileBundleStore(tmp_path).highest_sequence("root")  # a folder, not a file
    assert info.value.code == "BUNDLE_STORE"
    assert info.value.message == f"cannot read {tmp_path}: Is a directory"


def test_a_failed_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    store = FileBundleStore(tmp_path / "seq.json")
    with pytest.raises(TypeError, match="not JSON serializable"):
        # Compares with an int, so the write is tried, but JSON cannot hold it.
        store.record_sequence("root", Fraction(5, 2))  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_a_bundle_at_the_sequence_accepted_loads_and_a_lower_one_names_both() -> None:
    store = MemoryBundleStore()
    store.record_sequence(ROOT_KEY.public_key.multibase, 7)
    assert load_bundle(bundle_document(sequence=7), root_public(), store=store).sequence == 7
    error = refusal(bundle_document(sequence=6), store=store)
    assert error.code == "BUNDLE_ROLLBACK"
    assert error.message.startswith("bundle sequence 6 is lower than 7, already accepted")


def test_a_bundle_refused_after_its_signature_does_not_move_the_store() -> None:
    store = MemoryBundleStore()
    document = resigned(
        bundle_document(sequence=9), lambda d: d.update(issued="2026-13-01T00:00:00Z")
    )
    refusal(document, store=store)
    assert store.highest_sequence(ROOT_KEY.public_key.multibase) is None


# --- look-ups and the status list cache ------------------------------------------------------


def test_occupations_are_found_by_each_of_their_codes_first_listing_wins() -> None:
    twice = [*occupations(), Occupation((AI_2015, "9-99-99-99"), "another")]
    document = resigned(
        bundle_document(),
        lambda d: d.update(occupations=[{"codes": list(o.codes), "name": o.name} for o in twice]),
    )
    bundle = load_bundle(document, root_public())
    assert bundle.occupation(AI_2022) == occupations()[0]
    assert bundle.occupation(AI_2015) == occupations()[0]
    assert bundle.occupation("9-99-99-99") == twice[2]
    assert bundle.occupation("2-02-10-12") is None


def test_same_occupation_by_equal_codes_or_one_listed_occupation() -> None:
    bundle = load_bundle(bundle_document(), root_public())
    assert bundle.same_occupation("2-02-10-12", "2-02-10-12")  # unknown, but equal
    assert bundle.same_occupation(AI_2015, AI_2022) and bundle.same_occupation(AI_2022, AI_2015)
    assert not bundle.same_occupation(AI_2015, BIG_DATA)
    assert not bundle.same_occupation("2-02-10-12", AI_2015)


def test_scope_match_names_the_entry_and_listed_on_takes_an_institution() -> None:
    bundle = load_bundle(bundle_document(), root_public())
    a = bundle.institution(ISSUER_A)
    assert a is not None
    period = a.listings[0]
    assert bundle.scope_match(period, AI_2022, 2) == ScopeEntry(AI_2015, 2)
    assert bundle.scope_match(period, BIG_DATA, 1, "大数据分析") == period.scope[2]
    assert bundle.scope_match(period, AI_2015, 3) is None
    assert bundle.listed_on(a, day("2025-06-01"), AI_2015, 2)
    assert not bundle.listed_on(a, day("2025-06-01"), AI_2015, 3)
    b = bundle.institution(ISSUER_B)
    assert b is not None and b.kind == "TRAINING" and b.name == "北京示例培训学校"


def test_a_status_list_is_decoded_once_and_its_failure_remembered() -> None:
    bundle = load_bundle(bundle_document(), root_public())
    assert bundle.status_list(STATUS_URL) is bundle.status_list(STATUS_URL)
    with pytest.raises(CredentialError) as first:
        bundle.status_list(OTHER_STATUS_URL)
    with pytest.raises(CredentialError) as second:
        bundle.status_list(OTHER_STATUS_URL)
    assert second.value is first.value
    assert first.value.code == "STATUS_LIST_MISSING"
    assert first.value.message == f"the bundle has no status list {OTHER_STATUS_URL}"


def _with_list(edit: Any) -> Any:
    def apply(d: dict[str, Any]) -> None:
        edit(d["statusLists"][STATUS_URL])

    return load_bundle(resigned(bundle_document(), apply), root_public())


def test_a_status_list_under_another_id_is_not_used() -> None:
    # The bundle is signed as a whole; the list inside claims another URL.
    bundle = _with_list(lambda c: c.update(id=OTHER_STATUS_URL))
    with pytest.raises(CredentialError) as info:
        bundle.status_list(STATUS_URL)
    assert info.value.code == "STATUS_LIST_CREDENTIAL"


def test_a_status_list_whose_own_proof_fails_is_not_used() -> None:
    bundle = _with_list(lambda c: c.update(validUntil="2099-01-01T00:00:00Z"))
    with pytest.raises(CredentialError) as info:
        bundle.status_list(STATUS_URL)
    assert info.value.code == "STATUS_LIST_SIGNATURE"
    assert info.value.message == (
        "status list signature invalid: the signature does not match the document"
    )


def test_status_lists_must_be_objects_for_a_look_up() -> None:
    bundle = load_bundle(bundle_document(), root_public())
    assert bundle.status_list_credential(STATUS_URL) == revocation_list()
    assert bundle.status_list_credential(OTHER_STATUS_URL) is None


def test_a_status_lists_validity_is_read_from_the_list() -> None:
    bundle = _with_list(lambda c: c.update(validUntil="2026-12-25T00:00:00Z"))
    assert bundle.status_list_validity(STATUS_URL) == (BUNDLE_ISSUED, at("2026-12-25T00:00:00"))
    plain = load_bundle(bundle_document(), root_public())
    assert plain.status_list_validity(STATUS_URL) == (BUNDLE_ISSUED, None)
    assert plain.status_list_validity(OTHER_STATUS_URL) == (None, None)


def test_a_key_knows_its_verification_method() -> None:
    key = BundleKey(NEW_KEY.public_key, BUNDLE_ISSUED, None)
    assert key.verification_method == NEW_KEY.public_key.verification_method
    assert key.institution_id == ""
    owner = Institution(ISSUER_A, "x", "EVALUATION", "35")
    assert owner.listings == () and owner.keys == () and owner.listings_on(day("2025-01-01")) == ()


def test_a_problem_at_the_top_is_placed_at_slash_and_long_problems_are_cut() -> None:
    error = refusal(resigned(bundle_document(), lambda d: d.pop("occupations")))
    assert error.code == "BUNDLE_SCHEMA"
    assert error.message == (
        "the bundle does not match its schema (1 problems): /: 'occupations' is a required property"
    )

    def long_name(d: dict[str, Any]) -> None:
        d["institutions"][0]["province"] = "9" * 400

    error = refusal(resigned(bundle_document(), long_name))
    prefix = "the bundle does not match its schema (1 problems): "
    assert error.message.startswith(prefix + "/institutions/0/province: '999")
    assert len(error.message) == len(prefix) + 300


def test_the_file_store_writes_beside_its_file_on_another_file_system() -> None:
    # The temporary file is made in the store's folder, so the final rename never crosses
    # file systems (it would fail there, and it would not be atomic).
    if not os.path.isdir("/dev/shm"):
        pytest.skip("no /dev/shm here")
    folder = tempfile.mkdtemp(dir="/dev/shm")
    try:
        if os.stat(folder).st_dev == os.stat(tempfile.gettempdir()).st_dev:
            pytest.skip("/dev/shm is on the temporary folder's file system here")
        store = FileBundleStore(Path(folder) / "seq.json")
        store.record_sequence("root", 4)
        assert FileBundleStore(Path(folder) / "seq.json").highest_sequence("root") == 4
    finally:
        shutil.rmtree(folder)


def test_sign_bundle_signs_again_at_the_given_time() -> None:
    created = dt.datetime(2026, 11, 26, 16, 0, tzinfo=CST)
    again = sign_bundle(bundle_document(), OTHER_ROOT_KEY, created=created)
    assert again["proof"]["created"] == "2026-11-26T08:00:00Z"
    assert again["proof"]["verificationMethod"] == OTHER_ROOT_KEY.public_key.verification_method
    assert load_bundle(again, [OTHER_ROOT_KEY.public_key]).sequence == 7


@pytest.mark.parametrize(
    ("prefix", "number", "expected"),
    [
        ("350001", "Z350001251010000015", True),
        ("350001", "Z440002251010000015", False),
        ("350001", "\U0001f600350001251010000015", False),  # a non-ASCII first character
        ("350001", None, False),
        ("350001", 350001, False),
        (None, "Z350001251010000015", False),
        (None, None, False),
    ],
)
def test_a_number_carries_an_institutions_digits_at_positions_2_to_7(
    prefix: str | None, number: object, expected: bool
) -> None:
    institution = Institution(ISSUER_A, "x", "EVALUATION", "35", number_prefix=prefix)
    assert institution.numbers(number) is expected


def test_parse_timestamp_refuses_a_list_as_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse_timestamp(["2026-11-26T08:00:00Z"])
