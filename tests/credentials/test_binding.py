"""credentials.binding: the Argon2id holder binding."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import nacl.pwhash.argon2id
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from credentials import binding
from credentials.binding import DEFAULT_PARAMS, BindingCheck, BindingParams, check, commit
from credentials.errors import BindingError
from tests.credentials._support import (
    FAST_PARAMS,
    HOLDER_ID,
    json_values,
    make_id,
    valid_id_numbers,
)

SALT = bytes(range(16))
FAST = commit(HOLDER_ID, salt=SALT, params=FAST_PARAMS)
OTHER_ID = make_id("110105", dt.date(1949, 12, 31), 3)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _with(**changes: Any) -> dict[str, Any]:
    out = dict(FAST)
    for name, value in changes.items():
        if value is ...:
            del out[name]
        else:
            out[name] = value
    return out


def test_shape_and_recorded_parameters() -> None:
    assert FAST == {
        "type": "Argon2idCommitment",
        "algorithm": "argon2id",
        "version": 19,
        "opslimit": 1,
        "memlimit": 8192,
        "parallelism": 1,
        "outputLength": 32,
        "salt": _b64(SALT),
        "digest": FAST["digest"],
    }
    assert len(base64.urlsafe_b64decode(FAST["digest"] + "=")) == 32


def test_digest_is_argon2id_of_the_normalised_number() -> None:
    # Computed straight through libsodium, so the format is reproducible by any Argon2id.
    expected = nacl.pwhash.argon2id.kdf(
        32, HOLDER_ID.encode("ascii"), SALT, opslimit=1, memlimit=8192
    )
    assert FAST["digest"] == _b64(expected)
    assert commit(HOLDER_ID.lower(), salt=SALT, params=FAST_PARAMS) == FAST


def test_salt_is_fresh_for_every_credential() -> None:
    a, b = commit(HOLDER_ID, params=FAST_PARAMS), commit(HOLDER_ID, params=FAST_PARAMS)
    assert a["salt"] != b["salt"] and a["digest"] != b["digest"]
    assert len(base64.urlsafe_b64decode(a["salt"] + "==")) == 16
    assert check(a, HOLDER_ID).ok and check(b, HOLDER_ID).ok


def test_the_id_number_is_not_in_the_binding() -> None:
    text = repr(commit(HOLDER_ID, params=FAST_PARAMS))
    assert HOLDER_ID not in text and HOLDER_ID[:14] not in text


def test_default_parameters_real_cost() -> None:
    assert (DEFAULT_PARAMS.opslimit, DEFAULT_PARAMS.memlimit) == (2, 24 * 1024 * 1024)
    made = commit(HOLDER_ID)
    assert made["opslimit"] == 2 and made["memlimit"] == 24 * 1024 * 1024
    assert check(made, HOLDER_ID) == BindingCheck(
        True, "BINDING_OK", "the card number matches the credential's holder"
    )
    assert check(made, OTHER_ID).code == "BINDING_MISMATCH"
    # The cost is real, not skipped: the digest is libsodium's Argon2id at exactly these
    # parameters (checked by recomputing it, not by timing it), and a cheaper run differs.
    salt = base64.urlsafe_b64decode(made["salt"] + "==")
    digest = base64.urlsafe_b64decode(made["digest"] + "==")
    real = nacl.pwhash.argon2id.kdf(32, HOLDER_ID.encode(), salt, opslimit=2, memlimit=24 << 20)
    cheap = nacl.pwhash.argon2id.kdf(32, HOLDER_ID.encode(), salt, opslimit=1, memlimit=8192)
    assert digest == real != cheap


def test_typed_forms_of_the_number_are_accepted() -> None:
    assert check(FAST, HOLDER_ID.lower()).ok
    assert check(FAST, " 110105 19491231 002x ").ok


@settings(max_examples=25, deadline=None)
@given(valid_id_numbers(), valid_id_numbers())
def test_accepts_the_right_card_and_rejects_any_other(holder: str, other: str) -> None:
    assume(holder != other)
    made = commit(holder, params=FAST_PARAMS)
    assert check(made, holder).code == "BINDING_OK"
    result = check(made, other)
    assert result.code == "BINDING_MISMATCH" and not result.ok


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 31), st.integers(1, 255))
def test_any_change_to_the_digest_is_a_mismatch(index: int, mask: int) -> None:
    digest = bytearray(base64.urlsafe_b64decode(FAST["digest"] + "="))
    digest[index] ^= mask
    assert check(_with(digest=_b64(bytes(digest))), HOLDER_ID).code == "BINDING_MISMATCH"


def test_salt_change_is_a_mismatch() -> None:
    assert check(_with(salt=_b64(bytes(16))), HOLDER_ID).code == "BINDING_MISMATCH"


@pytest.mark.parametrize(
    "card", ["", "123", "110105194912310021", "110105491231002", "11010519491331002X", None, 1]
)
def test_invalid_card_number_is_reported_distinctly(card: Any) -> None:
    result = check(FAST, card)
    assert result.code == "BINDING_CARD_INVALID" and not result.ok
    if isinstance(card, str) and len(card) > 5:
        assert card not in result.message


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"type": "Sha256Commitment"}, "BINDING_UNSUPPORTED"),
        ({"type": ...}, "BINDING_UNSUPPORTED"),
        ({"algorithm": "argon2i"}, "BINDING_UNSUPPORTED"),
        ({"version": 16}, "BINDING_UNSUPPORTED"),
        ({"version": True}, "BINDING_UNSUPPORTED"),
        ({"parallelism": 4}, "BINDING_UNSUPPORTED"),
        ({"parallelism": True}, "BINDING_UNSUPPORTED"),
        ({"outputLength": 8}, "BINDING_UNSUPPORTED"),
        ({"outputLength": 16}, "BINDING_MALFORMED"),  # digest is 32 bytes
        ({"outputLength": "32"}, "BINDING_MALFORMED"),
        ({"opslimit": "1"}, "BINDING_MALFORMED"),
        ({"opslimit": True}, "BINDING_MALFORMED"),
        ({"memlimit": 8192.0}, "BINDING_MALFORMED"),
        ({"salt": ...}, "BINDING_MALFORMED"),
        ({"extra": 1}, "BINDING_MALFORMED"),
        ({"salt": _b64(bytes(15))}, "BINDING_MALFORMED"),
        ({"salt": _b64(bytes(17))}, "BINDING_MALFORMED"),
        ({"salt": _b64(SALT) + "=="}, "BINDING_MALFORMED"),
        ({"salt": base64.b64encode(b"\xfb" * 16).decode()}, "BINDING_MALFORMED"),  # + and /
        ({"salt": _b64(SALT)[:-1] + "B"}, "BINDING_MALFORMED"),  # non-canonical last char
        ({"salt": 1234}, "BINDING_MALFORMED"),
        ({"digest": FAST["digest"][:-2]}, "BINDING_MALFORMED"),
        ({"digest": None}, "BINDING_MALFORMED"),
        ({"opslimit": 0}, "BINDING_COST_REFUSED"),
        ({"opslimit": 11}, "BINDING_COST_REFUSED"),
        ({"memlimit": 4096}, "BINDING_COST_REFUSED"),
        ({"memlimit": 512 * 1024 * 1024}, "BINDING_COST_REFUSED"),
        ({"memlimit": 8192 + 1}, "BINDING_COST_REFUSED"),
        ({"opslimit": 5, "memlimit": 256 * 1024 * 1024}, "BINDING_COST_REFUSED"),
        ({"opslimit": 10**18}, "BINDING_COST_REFUSED"),
    ],
)
def test_malformed_bindings(changes: dict[str, Any], code: str) -> None:
    result = check(_with(**changes), HOLDER_ID)
    assert (result.ok, result.code) == (False, code)


def test_hostile_cost_is_refused_before_any_work() -> None:
    hostile = _with(opslimit=10, memlimit=256 * 1024 * 1024)
    # Only the parameter check answers this code; had the work run, the answer would be a
    # match or a mismatch (and would take over a second).
    assert check(hostile, HOLDER_ID).code == "BINDING_COST_REFUSED"


def test_largest_accepted_cost_is_bounded() -> None:
    assert binding.MAX_OPSLIMIT * binding.MIN_MEMLIMIT <= binding.MAX_WORK
    assert BindingParams(4, 256 * 1024 * 1024).opslimit == 4  # exactly at the work cap
    with pytest.raises(BindingError):
        BindingParams(5, 256 * 1024 * 1024)


@pytest.mark.parametrize(
    ("ops", "mem"), [(0, 8192), (11, 8192), (1, 4096), (1, 10000), (True, 8192), (1, 8192.0)]
)
def test_binding_params_refuse_unusable_costs(ops: Any, mem: Any) -> None:
    with pytest.raises(BindingError) as info:
        BindingParams(ops, mem)
    assert info.value.code == "BINDING_PARAMS"


def test_commit_refuses_bad_input() -> None:
    with pytest.raises(BindingError) as info:
        commit("110105194912310021", params=FAST_PARAMS)
    assert info.value.code == "ID_NUMBER_CHECK"
    assert "110105194912310021" not in info.value.message
    for salt in (bytes(15), bytes(17), "x" * 16):
        with pytest.raises(BindingError) as info:
            commit(HOLDER_ID, salt=salt, params=FAST_PARAMS)  # type: ignore[arg-type]
        assert info.value.code == "BINDING_SALT"


@settings(max_examples=200)
@given(json_values(max_leaves=20), st.one_of(st.text(max_size=30), json_values(max_leaves=3)))
def test_check_never_raises(candidate: Any, card: Any) -> None:
    result = check(candidate, card)
    assert isinstance(result, BindingCheck)
    assert not result.ok


@settings(max_examples=100)
@given(
    st.fixed_dictionaries(
        {},
        optional={
            "opslimit": st.integers(-5, 20) | json_values(3),
            "memlimit": st.integers(0, 2**40) | json_values(3),
            "outputLength": st.integers(-1, 100) | json_values(3),
            "salt": st.text(max_size=30) | json_values(3),
            "digest": st.text(max_size=50) | json_values(3),
            "version": st.integers(0, 30) | json_values(3),
        },
    )
)
def test_check_never_raises_on_a_damaged_binding(changes: dict[str, Any]) -> None:
    assume(changes)
    result = check(_with(**changes), HOLDER_ID)
    assert isinstance(result, BindingCheck)
    if any(FAST[k] != v or type(FAST[k]) is not type(v) for k, v in changes.items()):
        assert not result.ok


def test_an_argon2id_failure_is_never_a_match() -> None:
    # Real Argon2id, made to fail for want of memory: the address space is capped just above
    # what the process uses, so the 256 MiB the binding asks for cannot be had.
    import resource

    made = {**commit(HOLDER_ID, params=FAST_PARAMS), "memlimit": 256 * 1024 * 1024}
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as statm:
        used = int(statm.read().split()[0]) * resource.getpagesize()
    resource.setrlimit(resource.RLIMIT_AS, (used + 64 * 1024 * 1024, hard))
    try:
        result = check(made, HOLDER_ID)
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    assert (result.ok, result.code) == (False, "BINDING_UNSUPPORTED")


# --- exact limits ---------------------------------------------------------------------------

KIB, MIB = 1024, 1024 * 1024


@pytest.mark.parametrize(
    ("ops", "mem"),
    [
        (1, 8 * KIB),  # libsodium's minimums
        (10, 8 * KIB),  # the most passes
        (1, 256 * MIB),  # the most memory
        (4, 256 * MIB),  # exactly the work cap: 1024 MiB-passes
        (5, 209715 * KIB),  # 1 KiB-pass under the work cap
    ],
)
def test_costs_up_to_each_cap_are_accepted(ops: int, mem: int) -> None:
    params = BindingParams(ops, mem)
    assert (params.opslimit, params.memlimit) == (ops, mem)


@pytest.mark.parametrize(
    ("ops", "mem"),
    [
        (11, 8 * KIB),
        (1, 256 * MIB + KIB),
        (5, 209716 * KIB),  # 4 KiB-passes over the work cap
        (0, 8 * KIB),
        (1, 7 * KIB),
        (-1, 8 * KIB),
        (1, 8 * KIB + 512),  # not a whole KiB
    ],
)
def test_costs_past_each_cap_are_refused(ops: int, mem: int) -> None:
    with pytest.raises(BindingError) as info:
        BindingParams(ops, mem)
    assert info.value.code == "BINDING_PARAMS"
    result = check(_with(opslimit=ops, memlimit=mem), HOLDER_ID)
    assert (result.ok, result.code) == (False, "BINDING_COST_REFUSED")


def test_the_most_passes_are_computed_and_match() -> None:
    made = commit(HOLDER_ID, salt=SALT, params=BindingParams(10, 8 * KIB))
    assert made["opslimit"] == 10
    expected = nacl.pwhash.argon2id.kdf(
        32, HOLDER_ID.encode("ascii"), SALT, opslimit=10, memlimit=8 * KIB
    )
    assert made["digest"] == _b64(expected)
    assert check(made, HOLDER_ID).code == "BINDING_OK"


@pytest.mark.parametrize("length", [16, 24, 64])
def test_any_output_length_from_16_to_64_bytes_is_checked(length: int) -> None:
    digest = nacl.pwhash.argon2id.kdf(
        length, HOLDER_ID.encode("ascii"), SALT, opslimit=1, memlimit=8 * KIB
    )
    made = _with(outputLength=length, digest=_b64(digest))
    assert check(made, HOLDER_ID) == BindingCheck(
        True, "BINDING_OK", "the card number matches the credential's holder"
    )
    assert check(made, OTHER_ID).code == "BINDING_MISMATCH"


@pytest.mark.parametrize("length", [15, 65, 0, -1])
def test_output_lengths_outside_16_to_64_are_unsupported(length: int) -> None:
    made = _with(outputLength=length, digest=_b64(bytes(max(length, 0))))
    assert check(made, HOLDER_ID).code == "BINDING_UNSUPPORTED"


def test_a_digest_spelled_with_a_final_x_is_read() -> None:
    # 24 bytes are 32 base64url characters without padding; any of them may come last.
    digest = "A" * 31 + "X"
    assert check(_with(outputLength=24, digest=digest), HOLDER_ID).code == "BINDING_MISMATCH"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"version": 19.0}, "BINDING_UNSUPPORTED"),
        ({"version": "19"}, "BINDING_UNSUPPORTED"),
        ({"parallelism": 1.0}, "BINDING_UNSUPPORTED"),
        ({"parallelism": 0}, "BINDING_UNSUPPORTED"),
        ({"memlimit": "8192"}, "BINDING_MALFORMED"),
        ({"outputLength": 32.0}, "BINDING_MALFORMED"),
        ({"outputLength": True}, "BINDING_MALFORMED"),
        ({"algorithm": ...}, "BINDING_MALFORMED"),
        ({"digest": ...}, "BINDING_MALFORMED"),
        ({"salt": "A"}, "BINDING_MALFORMED"),  # one character is never base64
        ({"salt": _b64(SALT) + "A"}, "BINDING_MALFORMED"),
        ({"salt": "=" + _b64(SALT)}, "BINDING_MALFORMED"),
        ({"digest": "A" * 201}, "BINDING_MALFORMED"),
        ({"digest": FAST["digest"] + "AAAA"}, "BINDING_MALFORMED"),
        ({"digest": FAST["digest"][:-1] + "B"}, "BINDING_MALFORMED"),  # non-canonical last char
    ],
)
def test_more_malformed_bindings(changes: dict[str, Any], code: str) -> None:
    result = check(_with(**changes), HOLDER_ID)
    assert (result.ok, result.code) == (False, code)


@pytest.mark.parametrize("binding_value", [None, [], "Argon2idCommitment", list(FAST.items())])
def test_a_binding_that_is_not_an_object_is_malformed(binding_value: Any) -> None:
    result = check(binding_value, HOLDER_ID)
    assert (result.ok, result.code) == (False, "BINDING_MALFORMED")


def test_commit_wants_binding_params() -> None:
    with pytest.raises(TypeError):
        commit(HOLDER_ID, params=(1, 8192))  # type: ignore[arg-type]


def test_a_missing_salt_is_drawn_at_random() -> None:
    made = commit(HOLDER_ID, salt=None, params=FAST_PARAMS)
    salt = base64.urlsafe_b64decode(made["salt"] + "==")
    assert len(salt) == 16 and salt != SALT
    assert check(made, HOLDER_ID).ok
