"""W3C Bitstring Status List v1.0: bit order, encoding, decoding limits, allocation, credential."""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import random
import zlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credentials import _proof as proof
from credentials.errors import CredentialError
from credentials.keys import SigningKey
from credentials.status_list import (
    MIN_ENTRIES,
    StatusList,
    parse_status_list_credential,
    status_list_credential,
)

SIZES = st.sampled_from([MIN_ENTRIES, MIN_ENTRIES + 8, 2 * MIN_ENTRIES])


def _b64(data: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class SeededRandom:
    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def randbelow(self, n: int) -> int:
        return self._random.randrange(n)


def test_default_size_is_the_spec_minimum() -> None:
    assert len(StatusList()) == 131_072
    assert StatusList().to_bytes() == bytes(16 * 1024)


@pytest.mark.parametrize("size", [0, 8, MIN_ENTRIES - 8])
def test_lists_below_the_minimum_are_refused(size: int) -> None:
    with pytest.raises(CredentialError) as info:
        StatusList(size)
    assert info.value.code == "STATUS_LIST_LENGTH_ERROR"


def test_size_must_be_whole_bytes() -> None:
    with pytest.raises(CredentialError):
        StatusList(MIN_ENTRIES + 3)


@pytest.mark.parametrize(
    ("index", "byte", "value"),
    [(0, 0, 0x80), (1, 0, 0x40), (7, 0, 0x01), (8, 1, 0x80), (MIN_ENTRIES - 1, 16383, 0x01)],
)
def test_index_zero_is_the_left_most_bit_of_the_first_byte(
    index: int, byte: int, value: int
) -> None:
    status_list = StatusList()
    status_list.set(index)
    raw = status_list.to_bytes()
    assert raw[byte] == value
    assert sum(raw) == value


def test_spec_example_encoded_list_decodes_to_all_zero() -> None:
    # The example encodedList of the Recommendation (16 KiB of zeros).
    example = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
    decoded = StatusList.decode(example)
    assert len(decoded) == MIN_ENTRIES
    assert decoded.count_set() == 0


@given(size=SIZES, indices=st.lists(st.integers(0, MIN_ENTRIES - 1), max_size=60))
def test_set_get_agrees_with_a_set_model(size: int, indices: list[int]) -> None:
    status_list = StatusList(size)
    model: set[int] = set()
    for i, index in enumerate(indices):
        value = i % 3 != 2  # mostly set, sometimes clear again
        status_list.set(index, value)
        if value:
            model.add(index)
        else:
            model.discard(index)
    assert {i for i in set(indices) if status_list.get(i)} == model
    assert status_list.count_set() == len(model)


@settings(max_examples=60, deadline=None)
@given(size=SIZES, indices=st.sets(st.integers(0, MIN_ENTRIES - 1), max_size=200))
def test_encode_decode_round_trip(size: int, indices: set[int]) -> None:
    status_list = StatusList(size)
    for index in indices:
        status_list.set(index)
    encoded = status_list.encode()
    assert encoded.startswith("u")
    assert "=" not in encoded and "+" not in encoded and "/" not in encoded
    decoded = StatusList.decode(encoded)
    assert decoded == status_list
    assert len(decoded) == size
    assert {i for i in indices if decoded.get(i)} == indices
    # GZIP per RFC 1952, readable by any gzip implementation.
    raw = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
    assert gzip.decompress(raw) == status_list.to_bytes()


def test_encoding_is_deterministic() -> None:
    a, b = StatusList(), StatusList()
    a.set(5)
    b.set(5)
    assert a.encode() == b.encode()


@pytest.mark.parametrize("index", [-1, MIN_ENTRIES, 10**12])
def test_out_of_range_index(index: int) -> None:
    with pytest.raises(CredentialError) as info:
        StatusList().get(index)
    assert info.value.code == "STATUS_LIST_RANGE"


@pytest.mark.parametrize(
    ("encoded", "code"),
    [
        ("z" + _b64(gzip.compress(bytes(16384)))[1:], "STATUS_LIST_ENCODING"),
        ("", "STATUS_LIST_ENCODING"),
        ("u!!!!", "STATUS_LIST_ENCODING"),
        (_b64(gzip.compress(bytes(16384))) + "==", "STATUS_LIST_ENCODING"),
        (_b64(b"definitely not gzip"), "STATUS_LIST_GZIP"),
        (_b64(zlib.compress(bytes(16384))), "STATUS_LIST_GZIP"),
        (_b64(gzip.compress(bytes(16384))[:-12]), "STATUS_LIST_GZIP"),
        (_b64(gzip.compress(bytes(16384)) + b"junk"), "STATUS_LIST_GZIP"),
        (_b64(gzip.compress(bytes(16383))), "STATUS_LIST_LENGTH_ERROR"),
        (_b64(gzip.compress(bytes(100))), "STATUS_LIST_LENGTH_ERROR"),
        (_b64(gzip.compress(bytes(17 * 1024 * 1024))), "STATUS_LIST_TOO_LARGE"),
    ],
    ids=[
        "base58-prefix",
        "empty",
        "not-base64url",
        "padded",
        "not-gzip",
        "zlib-not-gzip",
        "truncated",
        "trailing-data",
        "one-byte-short",
        "tiny",
        "bomb",
    ],
)
def test_decode_errors_are_clear(encoded: str, code: str) -> None:
    with pytest.raises(CredentialError) as info:
        StatusList.decode(encoded)
    assert info.value.code == code
    assert info.value.message


def test_decode_refuses_a_bomb_without_inflating_it() -> None:
    bomb = _b64(gzip.compress(bytes(200 * 1024 * 1024)))
    assert len(bomb) < 400_000  # the point: tiny on the wire
    with pytest.raises(CredentialError) as info:
        StatusList.decode(bomb)
    assert info.value.code == "STATUS_LIST_TOO_LARGE"


def test_random_allocation_avoids_revoked_and_allocated_indices() -> None:
    rng = SeededRandom(1)
    status_list = StatusList(allocated=range(0, MIN_ENTRIES, 2))
    status_list.set(1)
    seen = set()
    for _ in range(500):
        index = status_list.allocate_random_free_index(rng)
        assert index % 2 == 1 and index != 1
        assert index not in seen
        seen.add(index)
    assert status_list.allocated >= seen


def test_random_allocation_is_spread_over_the_list() -> None:
    status_list = StatusList()
    picks = [status_list.allocate_random_free_index() for _ in range(200)]
    assert len(set(picks)) == 200
    # Sequential allocation would keep every pick in the first few hundred entries.
    assert max(picks) > MIN_ENTRIES // 2


def test_allocation_finds_the_last_free_indices_then_reports_full() -> None:
    free = {17, 65_000, MIN_ENTRIES - 1}
    status_list = StatusList(allocated=(i for i in range(MIN_ENTRIES) if i not in free))
    got = {status_list.allocate_random_free_index(SeededRandom(2)) for _ in range(3)}
    assert got == free
    with pytest.raises(CredentialError) as info:
        status_list.allocate_random_free_index()
    assert info.value.code == "STATUS_LIST_FULL"


def test_status_list_credential_is_signed_and_well_formed() -> None:
    key = SigningKey.from_seed(bytes(range(32)))
    status_list = StatusList()
    status_list.set(42)
    start = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    url = "https://registry.example/status/1"
    credential = status_list_credential(
        url,
        status_list,
        "https://registry.example/",
        key,
        valid_from=start,
        valid_until=start + dt.timedelta(days=7),
    )
    assert credential["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert credential["id"] == url
    assert credential["validFrom"] == "2026-11-01T00:00:00Z"
    assert credential["validUntil"] == "2026-11-08T00:00:00Z"
    subject = credential["credentialSubject"]
    assert subject["type"] == "BitstringStatusList"
    assert subject["statusPurpose"] == "revocation"
    assert subject["id"] != url  # the spec: the subject is the list, not the credential
    assert proof.verify(credential, key.public_key).ok
    parsed = parse_status_list_credential(credential)
    assert parsed.get(42) and not parsed.get(41)
    other = SigningKey.from_seed(bytes(32))
    assert not proof.verify(credential, other.public_key).ok


def test_status_list_credential_purpose_must_match() -> None:
    key = SigningKey.from_seed(bytes(range(32)))
    credential = status_list_credential(
        "https://registry.example/status/1",
        StatusList(),
        "https://registry.example/",
        key,
        valid_from=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    )
    with pytest.raises(CredentialError) as info:
        parse_status_list_credential(credential, expected_purpose="suspension")
    assert info.value.code == "STATUS_VERIFICATION_ERROR"


def test_status_list_credential_needs_aware_times() -> None:
    with pytest.raises(CredentialError):
        status_list_credential(
            "https://registry.example/status/1",
            StatusList(),
            "https://registry.example/",
            SigningKey.from_seed(bytes(32)),
            valid_from=dt.datetime(2026, 11, 1),
        )


# --- what each failure is called, and the bits and bytes exactly --------------------------------


def _code(call: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(CredentialError) as info:
        call(*args, **kwargs)  # type: ignore[operator]
    return info.value.code


@pytest.mark.parametrize("size", ["131072", 131072.0, True, None])
def test_a_size_that_is_not_an_integer_is_refused_by_code(size: object) -> None:
    assert _code(StatusList, size) == "STATUS_LIST_SIZE"


def test_size_codes_and_bounds() -> None:
    from credentials.status_list import MAX_ENTRIES

    assert _code(StatusList, MIN_ENTRIES + 3) == "STATUS_LIST_SIZE"
    assert _code(StatusList, MAX_ENTRIES + 8) == "STATUS_LIST_TOO_LARGE"
    assert len(StatusList(MAX_ENTRIES)) == MAX_ENTRIES


@pytest.mark.parametrize("index", ["1", 1.0, True, None])
def test_an_index_that_is_not_an_integer_is_refused_by_code(index: object) -> None:
    assert _code(StatusList().get, index) == "STATUS_LIST_RANGE"
    assert _code(StatusList().set, index) == "STATUS_LIST_RANGE"


def test_setting_bit_7_marks_bit_7_only_and_clearing_one_bit_keeps_its_byte() -> None:
    status_list = StatusList()
    status_list.set(7)
    assert [status_list.get(i) for i in range(8)] == [False] * 7 + [True]
    for index in range(8, 16):
        status_list.set(index)
    status_list.set(11, False)
    assert status_list.to_bytes()[:2] == bytes([0x01, 0xEF])
    assert status_list.count_set() == 8


def test_from_bytes_keeps_the_allocated_indices() -> None:
    status_list = StatusList.from_bytes(bytes(MIN_ENTRIES // 8), allocated=[3, 9])
    assert status_list.allocated == frozenset({3, 9})
    assert not status_list.is_free(3) and status_list.is_free(4)


def test_lists_are_equal_only_to_lists_with_the_same_bits() -> None:
    a, b = StatusList(), StatusList()
    assert a == b and a != "not a list" and a != StatusList(MIN_ENTRIES + 8)
    b.set(1)
    assert a != b


def test_equal_lists_encode_equally_whenever_and_at_the_highest_compression() -> None:
    a = StatusList()
    a.set(5)
    raw = base64.urlsafe_b64decode(a.encode()[1:] + "==")
    assert raw[4:8] == bytes(4)  # gzip MTIME 0: no time in the encoding
    assert raw[8] == 2  # XFL 2: compressed with level 9
    assert a.encode() == StatusList.from_bytes(a.to_bytes()).encode()


def test_decode_codes_for_a_non_string_and_a_long_body() -> None:
    from credentials.status_list import MAX_ENCODED_CHARS

    assert _code(StatusList.decode, b"uH4s") == "STATUS_LIST_ENCODING"
    assert _code(StatusList.decode, "u" + "A" * (MAX_ENCODED_CHARS + 1)) == "STATUS_LIST_TOO_LARGE"
    # Exactly at the limit the body is read, and found not to be GZIP.
    assert _code(StatusList.decode, "u" + "A" * MAX_ENCODED_CHARS) == "STATUS_LIST_GZIP"


def test_a_body_one_past_a_base64_quantum_is_refused_as_unpadded_base64url() -> None:
    with pytest.raises(CredentialError) as info:
        StatusList.decode("uAAAAA")
    assert info.value.code == "STATUS_LIST_ENCODING"
    assert "padding" in info.value.message


def test_the_size_limit_is_exact() -> None:
    entries = MIN_ENTRIES + 8
    encoded = StatusList(entries).encode()
    assert len(StatusList.decode(encoded, max_entries=entries)) == entries
    # One byte more than the limit is refused, even when the stream ends right there.
    assert _code(StatusList.decode, encoded, max_entries=entries - 8) == "STATUS_LIST_TOO_LARGE"


def test_the_bomb_is_refused_without_inflating_it() -> None:
    import tracemalloc

    bomb = _b64(gzip.compress(bytes(200 * 1024 * 1024)))
    tracemalloc.start()
    try:
        assert _code(StatusList.decode, bomb) == "STATUS_LIST_TOO_LARGE"
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 40 * 1024 * 1024  # the cap (16 MiB) and the input, not 200 MiB


class _NoOffset(dt.tzinfo):
    def utcoffset(self, when: dt.datetime | None) -> dt.timedelta | None:
        return None


def _credential(**changes: object) -> dict[str, object]:
    arguments: dict[str, object] = {
        "valid_from": dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    }
    arguments.update(changes)
    return status_list_credential(
        "https://registry.example/status/1",
        StatusList(),
        arguments.pop("issuer", "https://registry.example/"),  # type: ignore[arg-type]
        SigningKey.from_seed(bytes(32)),
        **arguments,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("tz", [None, _NoOffset()])
def test_credential_times_must_be_aware_by_code(tz: dt.tzinfo | None) -> None:
    naive = dt.datetime(2026, 11, 1, tzinfo=tz)
    assert _code(_credential, valid_from=naive) == "STATUS_LIST_TIME"


def test_valid_until_must_be_after_valid_from() -> None:
    start = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    assert _code(_credential, valid_from=start, valid_until=start) == "STATUS_LIST_TIME"


def test_the_credential_names_its_context_issuer_and_signing_time() -> None:
    issuer = {"id": "https://registry.example/", "name": "registry"}
    credential = _credential(issuer=issuer)
    assert credential["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert credential["issuer"] == issuer and credential["issuer"] is not issuer
    assert credential["proof"]["created"] == credential["validFrom"]  # type: ignore[index]


def _with(credential: dict[str, object], path: tuple[str, ...], value: object) -> dict[str, Any]:
    import copy

    changed: Any = copy.deepcopy(credential)
    target = changed
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return changed


@pytest.mark.parametrize(
    ("path", "value", "code"),
    [
        (("type",), "BitstringStatusListCredential", "STATUS_LIST_CREDENTIAL"),
        (("type",), ["VerifiableCredential"], "STATUS_LIST_CREDENTIAL"),
        (("credentialSubject",), "BitstringStatusList", "STATUS_LIST_CREDENTIAL"),
        (("credentialSubject", "type"), "StatusList", "STATUS_LIST_CREDENTIAL"),
        (("credentialSubject", "encodedList"), None, "STATUS_LIST_ENCODING"),
        (("credentialSubject", "statusPurpose"), "revocationx", "STATUS_VERIFICATION_ERROR"),
    ],
)
def test_a_malformed_status_list_credential_is_refused_by_code(
    path: tuple[str, ...], value: object, code: str
) -> None:
    assert _code(parse_status_list_credential, _with(_credential(), path, value)) == code


def test_a_status_list_credential_is_an_object_and_its_purposes_may_be_a_list() -> None:
    assert _code(parse_status_list_credential, ["not", "an", "object"]) == "STATUS_LIST_CREDENTIAL"
    both = _with(
        _credential(), ("credentialSubject", "statusPurpose"), ["suspension", "revocation"]
    )
    assert len(parse_status_list_credential(both)) == MIN_ENTRIES
    assert _code(parse_status_list_credential, _credential(), expected_purpose="revoc") == (
        "STATUS_VERIFICATION_ERROR"
    )
