"""credentials.binding: what its mutation run showed unasserted. Each refusal carries its own
message (the cost cap it broke, the ID-number error), and every output length the format
allows is read back with its own padding."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import nacl.pwhash.argon2id
import pytest

from credentials.binding import BindingCheck, BindingParams, check, commit
from credentials.errors import BindingError
from tests.credentials._support import FAST_PARAMS, HOLDER_ID, make_id

SALT = bytes(range(16))
FAST = commit(HOLDER_ID, salt=SALT, params=FAST_PARAMS)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _with(**changes: Any) -> dict[str, Any]:
    return {**FAST, **changes}


def test_commit_passes_the_id_number_errors_code_and_message_on() -> None:
    with pytest.raises(BindingError) as info:
        commit("110105194912310021", params=FAST_PARAMS)
    assert (info.value.code, info.value.message) == (
        "ID_NUMBER_CHECK",
        "check character wrong (mistyped digit?)",
    )


def test_an_invalid_card_says_why_without_the_number() -> None:
    assert check(FAST, "123") == BindingCheck(
        False,
        "BINDING_CARD_INVALID",
        "card number not valid: ID number must have 18 characters, got 3",
    )


def test_a_mismatch_is_not_ok_and_says_so() -> None:
    other = make_id("110105", dt.date(1949, 12, 31), 3)
    assert check(FAST, other) == BindingCheck(
        False, "BINDING_MISMATCH", "the card number does not match the credential's holder"
    )


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"opslimit": 11}, ("BINDING_COST_REFUSED", "opslimit must be 1–10")),
        ({"memlimit": 4096}, ("BINDING_COST_REFUSED", "memlimit must be 8192 bytes – 256 MiB")),
        ({"memlimit": 8193}, ("BINDING_COST_REFUSED", "memlimit must be a whole number of KiB")),
        (
            {"opslimit": 5, "memlimit": 256 * 1024 * 1024},
            ("BINDING_COST_REFUSED", "opslimit × memlimit must not exceed 1024 MiB-passes"),
        ),
        (
            {"type": "Other"},
            ("BINDING_UNSUPPORTED", "holder binding type must be Argon2idCommitment"),
        ),
        (
            {"algorithm": "argon2i"},
            ("BINDING_UNSUPPORTED", "holder binding algorithm must be argon2id"),
        ),
        ({"salt": "AAAA"}, ("BINDING_MALFORMED", "salt must be 16 bytes in unpadded base64url")),
    ],
)
def test_each_refusal_says_what_is_wrong(
    changes: dict[str, Any], expected: tuple[str, str]
) -> None:
    result = check(_with(**changes), HOLDER_ID)
    assert (result.ok, result.code, result.message) == (False, *expected)


def test_a_binding_with_other_fields_names_the_fields_it_must_have() -> None:
    result = check(_with(extra=1), HOLDER_ID)
    assert (result.ok, result.code) == (False, "BINDING_MALFORMED")
    assert result.message == (
        "holder binding must have exactly the fields algorithm, digest, memlimit, opslimit, "
        "outputLength, parallelism, salt, type, version"
    )


@pytest.mark.parametrize("length", range(16, 65))
def test_every_output_length_from_16_to_64_is_read_back(length: int) -> None:
    # Each length has its own base64url padding (none, one or two '='), which is not written.
    digest = nacl.pwhash.argon2id.kdf(
        length, HOLDER_ID.encode("ascii"), SALT, opslimit=1, memlimit=8 * 1024
    )
    made = _with(outputLength=length, digest=_b64(digest))
    assert check(made, HOLDER_ID).code == "BINDING_OK"
    assert check(_with(outputLength=length, digest=_b64(bytes(length))), HOLDER_ID).code == (
        "BINDING_MISMATCH"
    )


def test_unusable_params_say_which_cap_they_break() -> None:
    with pytest.raises(BindingError) as info:
        BindingParams(11, 8 * 1024)
    assert (info.value.code, info.value.message) == ("BINDING_PARAMS", "opslimit must be 1–10")
