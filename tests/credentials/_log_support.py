"""A small, real transparency-log world for the `in_log` tests: a log key the bundle lists, a
tree of leaves with the certificates' `certificate.published` leaves among them, checkpoints
signed by the log key, witnesses, and the credential files (envelopes) the registry hands out.
Nothing is mocked: every hash is computed, every note signed."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from credentials.bundle import BundleKey, Institution, LogEntry, build_bundle, sign_bundle
from credentials.keys import SigningKey
from credentials.transparency import (
    COSIGNATURE_V1,
    Checkpoint,
    NoteSigner,
    certificate_leaf,
    cosign,
    inclusion_path,
    leaf_hash,
    root_from_leaves,
)
from tests.credentials._support import (
    BUNDLE_ISSUED,
    KEY_SWITCH,
    OLD_KEY,
    ROOT_KEY,
    STATUS_URL,
    at,
    institutions,
    occupations,
    revocation_list,
)

ORIGIN = "dte-registry.cn/log"
LOG = NoteSigner(ORIGIN, SigningKey.from_seed(b"\x21" * 32))
OTHER_LOG = NoteSigner(ORIGIN, SigningKey.from_seed(b"\x22" * 32))  # same name, not in the bundle
WITNESS_1 = NoteSigner("witness.example/w1", SigningKey.from_seed(b"\x23" * 32), COSIGNATURE_V1)
WITNESS_2 = NoteSigner("witness.example/w2", SigningKey.from_seed(b"\x24" * 32), COSIGNATURE_V1)
LOG_ENTRY = LogEntry(ORIGIN, LOG.key, at("2023-01-01T00:00:00"))
RETIREMENT_SIZE = 10
"""The log's size when OLD_KEY was retired: its genuine leaves are at indexes 0-9."""
ENVELOPE = "dte-registry/credential-file/v1"


def filler(n: int, tag: str = "x") -> list[bytes]:
    """`n` other leaves (as another kind of entry would be): their leaf hashes."""
    return [leaf_hash(f'{{"kind":"{tag}","n":{i}}}'.encode()) for i in range(n)]


def log_institutions(
    *,
    retirement_size: int | None = RETIREMENT_SIZE,
    compromised: dt.datetime | None = None,
    compromise_size: int | None = None,
) -> list[Institution]:
    """The usual institutions, A's retired OLD_KEY carrying the log fields given."""
    out = []
    for institution in institutions():
        keys = tuple(
            replace(
                key,
                log_size_at_retirement=retirement_size,
                compromised_at=compromised,
                log_size_at_compromise=compromise_size,
            )
            if key.public_key == OLD_KEY.public_key
            else key
            for key in institution.keys
        )
        out.append(replace(institution, keys=keys))
    return out


def log_bundle_document(
    *,
    institution_list: list[Institution] | None = None,
    logs: Sequence[LogEntry] = (LOG_ENTRY,),
    witnesses: Sequence[NoteSigner] = (),
    issued: dt.datetime = BUNDLE_ISSUED,
) -> dict[str, Any]:
    """A bundle listing the log (and `witnesses`), signed by the root, issued at `issued`."""
    document = build_bundle(
        issued=issued,
        sequence=8,
        institutions=institution_list if institution_list is not None else log_institutions(),
        occupations=occupations(),
        status_lists={STATUS_URL: revocation_list()},
        logs=logs,
        witnesses=[w.key for w in witnesses],
    )
    return sign_bundle(document, ROOT_KEY, created=issued)


def checkpoint_note(hashes: Sequence[bytes], signer: NoteSigner = LOG, origin: str = ORIGIN) -> str:
    return signer.sign(Checkpoint(origin, len(hashes), root_from_leaves(hashes)).body())


def envelope(
    credential: dict[str, Any],
    hashes: Sequence[bytes],
    index: int,
    *,
    note: str | None = None,
) -> dict[str, Any]:
    """The credential file for `credential`, logged at `index` of the tree `hashes`."""
    proof = inclusion_path(index, hashes)
    return {
        "envelope": ENVELOPE,
        "credential": credential,
        "inclusion": {
            "leafIndex": index,
            "treeSize": len(hashes),
            "proof": [base64.b64encode(p).decode() for p in proof],
            "checkpoint": note if note is not None else checkpoint_note(hashes),
        },
    }


def logged(
    credential: dict[str, Any], index: int, size: int, **kwargs: Any
) -> tuple[dict[str, Any], list[bytes]]:
    """The envelope of `credential` at `index` of a tree of `size` leaves, and the tree."""
    hashes = filler(size)
    hashes[index] = leaf_hash(certificate_leaf(credential))
    return envelope(credential, hashes, index, **kwargs), hashes


def cosigned(note: str, *witnesses: NoteSigner, when: int = 1_764_000_000) -> str:
    for witness in witnesses:
        note = cosign(note, witness, when)
    return note


def digest(value: bytes) -> str:
    return hashlib.sha256(value).hexdigest()


__all__ = [
    "ENVELOPE",
    "KEY_SWITCH",
    "LOG",
    "LOG_ENTRY",
    "ORIGIN",
    "OTHER_LOG",
    "RETIREMENT_SIZE",
    "WITNESS_1",
    "WITNESS_2",
    "BundleKey",
    "checkpoint_note",
    "cosigned",
    "envelope",
    "filler",
    "log_bundle_document",
    "log_institutions",
    "logged",
]
