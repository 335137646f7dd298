"""The cost of the `in_log` check (issue 15): what a credential file's inclusion proof adds to
verifying a certificate. Measured inside the verify bench on the same credentials, each placed
in a log of 2**16 entries (a proof of 16 hashes, as for a registry of that size) under one
checkpoint signed by the registry's own log key (the one the trust bundle lists), so the files
are what the registry hands out and the bundle trusts them:

- `files_per_s`, `files_over_bare`: `Verifier(bundle).verify` of the credential files against
  the same verifier on the bare credentials, alternated, best round of each: the whole cost of
  the check as an employer's batch verification pays it (the checkpoint's signature is checked
  once per verifier, `credentials._inlog`);
- `in_log_checks_per_s`, `in_log_share_of_verify`: the check's steps alone, as the verifier
  takes them — the checkpoint note's signature once, then per credential the leaf (JCS and
  SHA-256 of the whole credential) and the RFC 9162 walk up the proof — and their time over the
  verify bench's subject.

Not run on the shared development machine (docs/benchmarks.md says where it was measured).
"""

from __future__ import annotations

import base64
import datetime as dt
import time
from collections.abc import Sequence
from typing import Any

from credentials import Verdict, Verifier
from credentials.bundle import TrustBundle
from credentials.transparency import (
    Checkpoint,
    NoteSigner,
    certificate_leaf,
    checkpoint_from_text,
    leaf_hash,
    node_hash,
    verify_inclusion,
    verify_note,
)

LOG_BITS = 16
ENVELOPE = "dte-registry/credential-file/v1"


def _levels(leaves: list[bytes]) -> list[list[bytes]]:
    """Every level of a perfect tree (len(leaves) a power of two), leaves first."""
    levels = [leaves]
    while len(levels[-1]) > 1:
        below = levels[-1]
        levels.append([node_hash(below[i], below[i + 1]) for i in range(0, len(below), 2)])
    return levels


def _path(levels: list[list[bytes]], index: int) -> list[bytes]:
    return [level[(index >> depth) ^ 1] for depth, level in enumerate(levels[:-1])]


def _files(
    credentials: Sequence[dict[str, Any]], signer: NoteSigner
) -> tuple[str, list[tuple[int, dict[str, Any], list[bytes]]]]:
    """The signed checkpoint, and (index, credential, proof) of each credential in the tree."""
    size = 1 << LOG_BITS
    stride = max(1, size // max(1, len(credentials)))
    leaves = [leaf_hash(b'{"kind":"bench","n":%d}' % i) for i in range(size)]
    placed = []
    for n, credential in enumerate(credentials[:size]):
        leaves[n * stride] = leaf_hash(certificate_leaf(credential))
        placed.append((n * stride, credential))
    levels = _levels(leaves)
    note = signer.sign(Checkpoint(signer.key.name, size, levels[-1][0]).body())
    return note, [(index, credential, _path(levels, index)) for index, credential in placed]


def _envelope(note: str, index: int, credential: dict[str, Any], proof: list[bytes]) -> Any:
    inclusion = {
        "leafIndex": index,
        "treeSize": 1 << LOG_BITS,
        "proof": [base64.b64encode(h).decode("ascii") for h in proof],
        "checkpoint": note,
    }
    return {"envelope": ENVELOPE, "credential": credential, "inclusion": inclusion}


def _verified(bundle: TrustBundle, values: Sequence[Any], now: dt.datetime) -> tuple[float, int]:
    started = time.perf_counter()
    verifier = Verifier(bundle)
    valid = sum(verifier.verify(v, now=now).verdict is Verdict.VALID for v in values)
    return time.perf_counter() - started, valid


def proof_check_cost(
    credentials: Sequence[dict[str, Any]],
    verify_s: float,
    *,
    bundle: TrustBundle,
    signer: NoteSigner,
    now: dt.datetime,
    rounds: int = 2,
) -> dict[str, Any]:
    """The figures of the module docstring; `verify_s`: the verify bench's subject time for the
    same credentials; `signer`: the registry's log key under the log's origin."""
    note, placed = _files(credentials, signer)
    files = [_envelope(note, index, credential, proof) for index, credential, proof in placed]
    bare = [credential for _, credential, _ in placed]
    files_s, bare_s, in_log = float("inf"), float("inf"), 0
    for _ in range(rounds):
        bare_s = min(bare_s, _verified(bundle, bare, now)[0])
        elapsed, found = _verified(bundle, files, now)
        files_s, in_log = min(files_s, elapsed), found
    started = time.perf_counter()
    text, _ = verify_note(note, [signer.key])  # once per checkpoint, as the verifier does
    checkpoint = checkpoint_from_text(text)
    for index, credential, proof in placed:
        leaf = leaf_hash(certificate_leaf(credential))
        verify_inclusion(leaf, index, checkpoint.size, proof, checkpoint.root_hash)
    elapsed = time.perf_counter() - started
    n = len(placed)
    return {
        "log_size": 1 << LOG_BITS,
        "proof_hashes": LOG_BITS,
        "files_valid": in_log,
        "files_per_s": round(n / files_s, 1) if files_s else None,
        "files_over_bare": round(files_s / bare_s, 3) if bare_s else None,
        "in_log_checks_per_s": round(n / elapsed, 1) if elapsed else None,
        "in_log_share_of_verify": round(elapsed / verify_s, 3) if verify_s else None,
    }
