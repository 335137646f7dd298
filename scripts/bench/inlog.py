"""The cost of the `in_log` check (issue 15): what a credential file's inclusion proof adds to
verifying a certificate. Measured inside the verify bench on the same credentials, each placed
in a log of 2**16 entries (a proof of 16 hashes, as for a registry of that size) under one
checkpoint signed by a fresh log key: per credential, the checkpoint note's Ed25519 signature,
its parse, the certificate's leaf (JCS and SHA-256 of the whole credential) and the RFC 9162
walk up the proof — exactly the steps of `credentials._inlog`, minus the report.

Not run on the shared development machine (docs/benchmarks.md says where it was measured).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from credentials import SigningKey
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


def _levels(leaves: list[bytes]) -> list[list[bytes]]:
    """Every level of a perfect tree (len(leaves) a power of two), leaves first."""
    levels = [leaves]
    while len(levels[-1]) > 1:
        below = levels[-1]
        levels.append([node_hash(below[i], below[i + 1]) for i in range(0, len(below), 2)])
    return levels


def _path(levels: list[list[bytes]], index: int) -> list[bytes]:
    return [level[(index >> depth) ^ 1] for depth, level in enumerate(levels[:-1])]


def proof_check_cost(credentials: Sequence[dict[str, Any]], verify_s: float) -> dict[str, Any]:
    """The in_log steps for each credential, timed; `verify_s`: the full verification's time
    for the same credentials, to state the share the proof check would add."""
    size = 1 << LOG_BITS
    stride = max(1, size // max(1, len(credentials)))
    leaves = [leaf_hash(b'{"kind":"bench","n":%d}' % i) for i in range(size)]
    placed = []
    for n, credential in enumerate(credentials[:size]):
        leaves[n * stride] = leaf_hash(certificate_leaf(credential))
        placed.append((n * stride, credential))
    levels = _levels(leaves)
    signer = NoteSigner("bench.dte-registry.cn/log", SigningKey.generate())
    note = signer.sign(Checkpoint(signer.key.name, size, levels[-1][0]).body())
    files = [(index, credential, _path(levels, index)) for index, credential in placed]
    keys = [signer.key]
    started = time.perf_counter()
    for index, credential, proof in files:
        text, _ = verify_note(note, keys)
        checkpoint = checkpoint_from_text(text)
        leaf = leaf_hash(certificate_leaf(credential))
        verify_inclusion(leaf, index, checkpoint.size, proof, checkpoint.root_hash)
    elapsed = time.perf_counter() - started
    n = len(files)
    return {
        "log_size": size,
        "proof_hashes": LOG_BITS,
        "in_log_checks_per_s": round(n / elapsed, 1) if elapsed else None,
        "in_log_share_of_verify": round(elapsed / verify_s, 3) if verify_s else None,
    }
