"""credentials._memo: what a `Verifier` remembers, by which keys, within which bounds.

The memo layer's own fast tests (the verifier's reports through it are in
test_verifier_batch.py): each key holds exactly what its check reads, a remembered answer is
computed once and handed out as a copy, and no memo grows past its limit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from types import MappingProxyType
from typing import Any

import pytest

from credentials import _memo
from credentials._memo import Memos, fresh, get, issuer_id, issuer_key_key, issuer_listed_key
from credentials.report import Check, Status

VM = "did:key:z6MkA#z6MkA"
WHEN = "2026-11-26T08:00:00Z"
NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)


class Counted:
    """A compute function that answers `value` and counts its calls."""

    def __init__(self, value: Any = "answer") -> None:
        self.value = value
        self.calls = 0

    def __call__(self) -> Any:
        self.calls += 1
        return self.value


def a_check(**details: Any) -> Check:
    return Check("issuer_listed", Status.PASS, "ISSUER_LISTED", "listed", details)


def credential(**overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "issuer": {"id": "urn:uscc:A", "name": "x"},
        "validFrom": "2026-11-26T00:00:00Z",
        "credentialSubject": {
            "certificate": {
                "number": "Z35000125101000001X",
                "occupation": {"code": "2-02-10-09", "name": "n"},
                "level": {"code": 1, "name": "初级"},
                "direction": "计算机视觉产品实现",
            }
        },
        "proof": {"verificationMethod": VM, "created": WHEN},
    }
    doc.update(overrides)
    return doc


# --- reading a credential ----------------------------------------------------------------------


def test_get_follows_a_path_of_objects() -> None:
    doc = {"a": {"b": {"c": 3}}, "m": MappingProxyType({"k": "v"})}
    assert get(doc, "a", "b", "c") == 3
    assert get(doc, "m", "k") == "v"
    assert get(doc) is doc
    assert get(doc, "a", "x") is None
    assert get(doc, "a", "b", "c", "d") is None  # 3 is no object
    assert get([doc], "a") is None
    assert get(None, "a") is None


@pytest.mark.parametrize(
    ("issuer", "expected"),
    [
        ("urn:uscc:A", "urn:uscc:A"),
        ({"id": "urn:uscc:A", "name": "x"}, "urn:uscc:A"),
        (MappingProxyType({"id": "urn:uscc:A"}), "urn:uscc:A"),
        ({"id": 5}, None),
        ({"name": "x"}, None),
        (5, None),
        (None, None),
        (["urn:uscc:A"], None),
    ],
)
def test_issuer_id_is_the_issuer_or_its_id_when_a_string(issuer: Any, expected: Any) -> None:
    assert issuer_id({"issuer": issuer}) == expected


def test_a_credential_without_an_issuer_has_no_issuer_id() -> None:
    assert issuer_id({}) is None


def test_the_issuer_key_key_is_method_issuer_created_and_valid_from() -> None:
    assert issuer_key_key(credential()) == (VM, "urn:uscc:A", WHEN, "2026-11-26T00:00:00Z")
    odd = credential(validFrom=20261126, proof={"verificationMethod": 5, "created": 5})
    assert issuer_key_key(odd) == (None, "urn:uscc:A", None, None)
    assert issuer_key_key({}) == (None, None, None, None)


def test_the_issuer_listed_key_holds_each_field_the_check_reads_in_order() -> None:
    assert issuer_listed_key(credential()) == (
        "urn:uscc:A",
        "Z350001",  # the number's province and institution digits, all the check reads of it
        "2-02-10-09",
        1,
        "初级",
        "计算机视觉产品实现",
        WHEN,
        "2026-11-26T00:00:00Z",
    )
    assert issuer_listed_key({}) == (None,) * 8


class Text(str):
    pass


@pytest.mark.parametrize(
    ("certificate", "expected"),
    [
        # A value of another type than the check reads counts as absent.
        ({"occupation": {"code": Text("2-02-10-09")}}, (None, None, None, None)),
        ({"level": {"code": True, "name": 1}}, (None, None, None, None)),
        ({"level": {"code": 1.0}}, (None, None, None, None)),
        ({"level": {"code": 3, "name": "高级"}, "direction": 7}, (None, 3, "高级", None)),
        ({"direction": Text("x")}, (None, None, None, None)),
        ({"number": Text("Z350001")}, (None, None, None, None)),
        ({"number": 35000125}, (None, None, None, None)),
    ],
)
def test_the_issuer_listed_key_takes_exact_types_only(
    certificate: dict[str, Any], expected: tuple[Any, ...]
) -> None:
    doc = credential(credentialSubject={"certificate": certificate})
    assert issuer_listed_key(doc)[2:6] == expected
    assert issuer_listed_key(doc)[1] is None


def test_issuance_reads_created_and_valid_from_as_exact_strings() -> None:
    doc = credential(validFrom=Text(WHEN), proof={"verificationMethod": VM, "created": Text(WHEN)})
    assert issuer_listed_key(doc)[6:] == (None, None)
    assert issuer_key_key(credential(proof="x"))[2] is None


# --- fresh copies --------------------------------------------------------------------------------


def test_fresh_copies_the_check_and_each_dict_in_its_details() -> None:
    listing = {"from": "2023-03-01"}
    codes = ["a"]
    original = a_check(listing=listing, codes=codes, day="2025-06-01")
    copy = fresh(original)
    assert copy == original and copy is not original
    assert copy.details is not original.details
    assert copy.details["listing"] == listing and copy.details["listing"] is not listing
    assert copy.details["codes"] is codes  # not a dict: shared, as the reports never edit lists
    assert (copy.name, copy.status, copy.code, copy.message) == (
        "issuer_listed",
        Status.PASS,
        "ISSUER_LISTED",
        "listed",
    )
    copy.details["listing"]["from"] = "edited"
    assert original.details["listing"] == {"from": "2023-03-01"}


# --- remembering ---------------------------------------------------------------------------------


def test_a_remembered_answer_is_computed_once_per_memo_and_key() -> None:
    memos, compute = Memos(), Counted()
    assert memos.size("m") == 0
    assert memos.remember("m", "k", compute) == "answer"
    assert memos.remember("m", "k", compute) == "answer"
    assert compute.calls == 1 and memos.size("m") == 1
    memos.remember("m", "other", compute)
    memos.remember("n", "k", compute)  # the same key in another memo is another entry
    assert compute.calls == 3 and (memos.size("m"), memos.size("n")) == (2, 1)


def test_a_none_answer_is_not_remembered() -> None:
    memos, compute = Memos(), Counted(None)
    assert memos.remember("m", "k", compute) is None
    assert memos.remember("m", "k", compute) is None
    assert compute.calls == 2


def test_a_full_memo_computes_new_keys_and_keeps_the_old_ones() -> None:
    memos, compute = Memos(limit=2), Counted()
    for key in ("a", "b", "c", "c", "a"):
        memos.remember("m", key, compute)
    assert compute.calls == 4  # "c" twice, past the limit; "a" remembered
    assert memos.size("m") == 2 and memos.limit == 2


def test_a_memo_of_one_entry_remembers_its_first_key() -> None:
    memos, compute = Memos(limit=1), Counted()
    memos.remember("m", "a", compute)
    memos.remember("m", "a", compute)
    memos.remember("m", "b", compute)
    assert compute.calls == 2 and memos.size("m") == 1


def test_memos_remember_up_to_the_default_limit() -> None:
    memos, compute = Memos(), Counted()
    assert memos.limit == _memo.LIMIT == 4096
    for key in range(4097):
        memos.remember("m", key, compute)
    memos.remember("m", 4095, compute)
    memos.remember("m", 4096, compute)
    assert memos.size("m") == 4096 and compute.calls == 4098


def test_a_limit_of_zero_remembers_nothing() -> None:
    memos = Memos(limit=0)
    value = Counted()
    memos.remember("m", "k", value)
    memos.remember("m", "k", value)
    checks = Counted(a_check())
    memos.issuer_key("k", False, checks)
    memos.issuer_key("k", False, checks)
    ages = Counted()
    memos.as_of(NOW, ages)
    memos.as_of(NOW, ages)
    assert (value.calls, checks.calls, ages.calls) == (2, 2, 2)
    assert memos.size("m") == memos.size("issuer_key") == 0


def test_a_remembered_check_is_handed_out_as_a_copy() -> None:
    memos, compute = Memos(), Counted(a_check(listing={"from": "2023-03-01"}))
    first = memos.check("issuer_listed", "k", compute)
    second = memos.check("issuer_listed", "k", compute)
    assert first == second == compute.value and compute.calls == 1
    assert first is not second and first.details["listing"] is not second.details["listing"]


def test_a_remembered_check_is_kept_per_memo_and_key() -> None:
    memos = Memos()
    first = memos.check("issuer_listed", "k1", lambda: a_check(n=1))
    other_key = memos.check("issuer_listed", "k2", lambda: a_check(n=2))
    other_memo = memos.check("proof_key", "k1", lambda: a_check(n=3))
    assert [c.details["n"] for c in (first, other_key, other_memo)] == [1, 2, 3]
    assert (memos.size("issuer_listed"), memos.size("proof_key")) == (2, 1)


def _issuer_key(memos: Memos, key: str, future: bool, compute: Callable[[], Check]) -> Check:
    return memos.issuer_key(key, future, compute)


def test_the_issuer_key_check_is_computed_again_when_signed_in_the_future_changes() -> None:
    memos, compute = Memos(), Counted(a_check(listing={"a": 1}))
    first = _issuer_key(memos, "k", False, compute)
    second = _issuer_key(memos, "k", False, compute)
    assert compute.calls == 1 and first == second and first is not second
    assert first.details["listing"] is not second.details["listing"]
    _issuer_key(memos, "k", True, compute)
    _issuer_key(memos, "k", True, compute)
    assert compute.calls == 2 and memos.size("issuer_key") == 1
    _issuer_key(memos, "k", False, compute)
    assert compute.calls == 3 and memos.size("issuer_key") == 1


def test_a_full_issuer_key_memo_still_follows_the_future_flag_of_its_keys() -> None:
    memos, compute = Memos(limit=1), Counted(a_check())
    _issuer_key(memos, "k", False, compute)
    _issuer_key(memos, "k", True, compute)  # replaced in place although the memo is full
    _issuer_key(memos, "k", True, compute)
    assert compute.calls == 2
    _issuer_key(memos, "other", False, compute)
    _issuer_key(memos, "other", False, compute)  # no room: computed each time
    assert compute.calls == 4 and memos.size("issuer_key") == 1


def test_the_issuer_key_memo_counts_its_own_entries() -> None:
    memos, compute = Memos(limit=2), Counted(a_check())
    memos.remember("issuer_listed", "x", compute)
    for key in ("a", "b", "c", "a", "b"):
        _issuer_key(memos, key, False, compute)
    assert memos.size("issuer_key") == 2 and compute.calls == 4


def test_the_bundle_age_is_remembered_for_the_last_instant_only() -> None:
    memos, compute = Memos(), Counted()
    later = NOW + dt.timedelta(seconds=1)
    for now in (NOW, NOW, later, later, NOW):
        assert memos.as_of(now, compute) == "answer"
    assert compute.calls == 3


def test_the_bundle_age_answered_is_the_one_for_the_instant_asked() -> None:
    memos = Memos()
    later = NOW + dt.timedelta(seconds=1)
    for now in (NOW, later, later, NOW):
        assert memos.as_of(now, now.isoformat) == now.isoformat()
