"""W3C Bitstring Status List v1.0: the revocation list and the credential that carries it.

A list is a bitstring of at least 131,072 entries (16 KiB, the spec's minimum, so that one index
says little about which credential it belongs to). Bit `i` is the `i`-th bit counted from the
left-most (most significant) bit of the first byte. A set bit means revoked. The published form is
GZIP, then multibase base64url without padding (prefix `u`).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import gzip
import re
import secrets
import zlib
from collections.abc import Iterable, Mapping
from typing import Any, Final, Protocol

from credentials import _proof as proof
from credentials.errors import CredentialError
from credentials.keys import SigningKey

MIN_ENTRIES: Final = 131_072
"""The spec's minimum length (16 KiB): smaller lists give holders too little herd privacy."""

MAX_ENTRIES: Final = 8 * 16 * 1024 * 1024
"""Decoding refuses more than 16 MiB of bitstring: a gzip bomb must not exhaust the verifier."""

MAX_ENCODED_CHARS: Final = 4 * 1024 * 1024
"""A real list of 16 MiB with random bits compresses to at most about this much text."""

_BASE64URL: Final = re.compile(r"[A-Za-z0-9_-]*")

STATUS_PURPOSE: Final = "revocation"
CREDENTIAL_TYPE: Final = "BitstringStatusListCredential"
SUBJECT_TYPE: Final = "BitstringStatusList"
ENTRY_TYPE: Final = "BitstringStatusListEntry"
VC_CONTEXT: Final = "https://www.w3.org/ns/credentials/v2"


class RandomSource(Protocol):
    """What `allocate_random_free_index` needs; the `secrets` module is one."""

    def randbelow(self, exclusive_upper_bound: int, /) -> int: ...


class StatusList:
    """A bitstring of revocation flags plus, in memory only, the indices already handed out.

    Allocation is not part of the published list (an allocated, unrevoked index is a 0 bit like a
    free one), so the registry persists it itself and passes it back in through `allocated`.
    """

    __slots__ = ("_allocated", "_bits", "_size")

    def __init__(self, size: int = MIN_ENTRIES, *, allocated: Iterable[int] = ()) -> None:
        if isinstance(size, bool) or not isinstance(size, int):
            raise CredentialError("STATUS_LIST_SIZE", "status list size must be an integer")
        if size < MIN_ENTRIES:
            raise CredentialError(
                "STATUS_LIST_LENGTH_ERROR",
                f"a status list needs at least {MIN_ENTRIES} entries, got {size}",
            )
        if size % 8:
            raise CredentialError("STATUS_LIST_SIZE", "status list size must be a multiple of 8")
        if size > MAX_ENTRIES:
            raise CredentialError("STATUS_LIST_TOO_LARGE", f"at most {MAX_ENTRIES} entries")
        self._size = size
        self._bits = bytearray(size // 8)
        self._allocated: set[int] = set()
        for index in allocated:
            self.mark_allocated(index)

    @classmethod
    def from_bytes(cls, data: bytes, *, allocated: Iterable[int] = ()) -> StatusList:
        status_list = cls(len(data) * 8, allocated=allocated)
        status_list._bits[:] = data
        return status_list

    def __len__(self) -> int:
        return self._size

    def __eq__(self, other: object) -> bool:
        # Equality is the published content; the allocation set is bookkeeping.
        return isinstance(other, StatusList) and self._bits == other._bits

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return f"StatusList(size={self._size}, revoked={self.count_set()})"

    def to_bytes(self) -> bytes:
        return bytes(self._bits)

    def _check_index(self, index: int) -> None:
        if isinstance(index, bool) or not isinstance(index, int):
            raise CredentialError("STATUS_LIST_RANGE", "status list index must be an integer")
        if not 0 <= index < self._size:
            raise CredentialError(
                "STATUS_LIST_RANGE", f"index {index} is outside the list (0..{self._size - 1})"
            )

    def get(self, index: int) -> bool:
        """True when the entry is set (revoked)."""
        self._check_index(index)
        return bool(self._bits[index >> 3] & (0x80 >> (index & 7)))

    def set(self, index: int, value: bool = True) -> None:
        self._check_index(index)
        mask = 0x80 >> (index & 7)
        if value:
            self._bits[index >> 3] |= mask
        else:
            self._bits[index >> 3] &= ~mask & 0xFF

    def count_set(self) -> int:
        return sum(byte.bit_count() for byte in self._bits)

    @property
    def allocated(self) -> frozenset[int]:
        return frozenset(self._allocated)

    def mark_allocated(self, index: int) -> None:
        self._check_index(index)
        self._allocated.add(index)

    def is_free(self, index: int) -> bool:
        return index not in self._allocated and not self.get(index)

    def allocate_random_free_index(self, rng: RandomSource = secrets) -> int:
        """Pick a uniformly random free index and mark it allocated.

        Random, not sequential, so that an index does not reveal the order of issue (the spec's
        privacy advice). Draws at random while the list is mostly free; when it fills up, picks
        among the remaining free indices so the call always ends.
        """
        for _ in range(64):
            index = rng.randbelow(self._size)
            if self.is_free(index):
                self._allocated.add(index)
                return index
        free = [i for i in range(self._size) if self.is_free(i)]
        if not free:
            raise CredentialError("STATUS_LIST_FULL", "no free index left in this status list")
        index = free[rng.randbelow(len(free))]
        self._allocated.add(index)
        return index

    def encode(self) -> str:
        """GZIP (mtime 0, so equal lists encode equally), then multibase base64url, no padding."""
        compressed = gzip.compress(bytes(self._bits), compresslevel=9, mtime=0)
        return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")

    @classmethod
    def decode(cls, encoded: str, *, max_entries: int = MAX_ENTRIES) -> StatusList:
        """Parse an `encodedList`; every failure is a `CredentialError` saying which step failed."""
        if not isinstance(encoded, str):
            raise CredentialError("STATUS_LIST_ENCODING", "encodedList must be a string")
        if not encoded.startswith("u"):
            raise CredentialError(
                "STATUS_LIST_ENCODING",
                "encodedList must be multibase base64url (prefix 'u')",
            )
        body = encoded[1:]
        if len(body) > MAX_ENCODED_CHARS:
            raise CredentialError("STATUS_LIST_TOO_LARGE", "encodedList is too long")
        # Strict alphabet: Python's decoder would otherwise skip stray characters silently.
        if not _BASE64URL.fullmatch(body) or len(body) % 4 == 1:
            raise CredentialError(
                "STATUS_LIST_ENCODING", "encodedList is not base64url without padding"
            )
        try:
            compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except (binascii.Error, ValueError):
            raise CredentialError(
                "STATUS_LIST_ENCODING", "encodedList is not valid base64url"
            ) from None
        limit = max_entries // 8
        # wbits 16+MAX_WBITS: gzip framing only; a bare zlib or deflate stream is not the format.
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            data = inflater.decompress(compressed, limit + 1)
        except zlib.error as exc:
            raise CredentialError(
                "STATUS_LIST_GZIP", f"encodedList is not valid GZIP: {exc}"
            ) from None
        if len(data) > limit or inflater.unconsumed_tail:
            raise CredentialError(
                "STATUS_LIST_TOO_LARGE",
                f"the bitstring inflates to more than {limit} bytes; refused (decompression bomb?)",
            )
        if not inflater.eof:
            raise CredentialError("STATUS_LIST_GZIP", "encodedList GZIP stream is truncated")
        if inflater.unused_data:
            raise CredentialError("STATUS_LIST_GZIP", "unexpected data after the GZIP stream")
        if len(data) * 8 < MIN_ENTRIES:
            raise CredentialError(
                "STATUS_LIST_LENGTH_ERROR",
                f"the bitstring has {len(data) * 8} entries, fewer than the minimum {MIN_ENTRIES}",
            )
        return cls.from_bytes(data)


def _timestamp(value: dt.datetime) -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        raise CredentialError("STATUS_LIST_TIME", "timestamps must be timezone-aware")
    return value.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def status_list_credential(
    list_id_url: str,
    status_list: StatusList,
    issuer: str | Mapping[str, Any],
    key: SigningKey,
    *,
    valid_from: dt.datetime,
    valid_until: dt.datetime | None = None,
) -> dict[str, Any]:
    """A signed `BitstringStatusListCredential` (eddsa-jcs-2022) for `status_list`.

    `valid_until`, when given, tells verifiers when to stop trusting this snapshot: the list only
    says who was revoked as of `valid_from`.
    """
    if valid_until is not None and valid_until <= valid_from:
        raise CredentialError("STATUS_LIST_TIME", "validUntil must be after validFrom")
    document: dict[str, Any] = {
        "@context": [VC_CONTEXT],
        "id": list_id_url,
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "issuer": issuer if isinstance(issuer, str) else dict(issuer),
        "validFrom": _timestamp(valid_from),
    }
    if valid_until is not None:
        document["validUntil"] = _timestamp(valid_until)
    document["credentialSubject"] = {
        "id": f"{list_id_url}#list",
        "type": SUBJECT_TYPE,
        "statusPurpose": STATUS_PURPOSE,
        "encodedList": status_list.encode(),
    }
    return proof.sign(document, key, created=valid_from)


def parse_status_list_credential(
    document: Any, *, expected_purpose: str = STATUS_PURPOSE
) -> StatusList:
    """The list inside a status list credential, after the structural checks of the spec.

    It does not check the proof: the caller knows which key must have signed it.
    """
    if not isinstance(document, Mapping):
        raise CredentialError("STATUS_LIST_CREDENTIAL", "status list credential is not an object")
    types = document.get("type")
    if not isinstance(types, list) or CREDENTIAL_TYPE not in types:
        raise CredentialError(
            "STATUS_LIST_CREDENTIAL", f"status list credential type lacks {CREDENTIAL_TYPE}"
        )
    subject = document.get("credentialSubject")
    if not isinstance(subject, Mapping) or subject.get("type") != SUBJECT_TYPE:
        raise CredentialError(
            "STATUS_LIST_CREDENTIAL", f"credentialSubject must be a {SUBJECT_TYPE}"
        )
    purposes = subject.get("statusPurpose")
    purpose_list = purposes if isinstance(purposes, list) else [purposes]
    if expected_purpose not in purpose_list:
        # The spec's STATUS_VERIFICATION_ERROR: the entry and the list disagree on what a bit means.
        raise CredentialError(
            "STATUS_VERIFICATION_ERROR",
            f"status list purpose is {purposes!r}; the credential's entry says "
            f"{expected_purpose!r}",
        )
    encoded = subject.get("encodedList")
    if not isinstance(encoded, str):
        raise CredentialError("STATUS_LIST_ENCODING", "encodedList must be a string")
    return StatusList.decode(encoded)
