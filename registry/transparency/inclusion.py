"""A certificate's inclusion proof against the latest checkpoint, and the credential file (the
envelope) that carries it beside the signed credential, outside what the signature covers."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from registry.storage.db import Database
from registry.transparency import checkpoints, reads

ENVELOPE: Final = "dte-registry/credential-file/v1"


@dataclass(frozen=True)
class Inclusion:
    """Leaf `leaf_index` is in the tree of `tree_size` leaves that `checkpoint` (a signed note)
    states, by `proof` (RFC 9162 §2.1.3, nearest the leaf first)."""

    leaf_index: int
    tree_size: int
    proof: tuple[bytes, ...]
    checkpoint: str

    def to_json(self) -> dict[str, Any]:
        return {
            "leafIndex": self.leaf_index,
            "treeSize": self.tree_size,
            "proof": [base64.b64encode(h).decode("ascii") for h in self.proof],
            "checkpoint": self.checkpoint,
        }


async def of_certificate(
    db: Database, master_key: bytes, base_url: str, number: str
) -> Inclusion | None:
    """The inclusion of certificate `number` in the latest checkpoint (signed now when the log
    grew past it); None when the certificate is not in the log."""
    index = await reads.certificate_leaf_index(db, number)
    if index is None:
        return None
    signed = await checkpoints.current(db, master_key, base_url)
    if signed.size <= index:  # logged after the latest was read: sign one that covers it
        signed = await checkpoints.sign(db, master_key, base_url)
    proof = await reads.inclusion_proof(db, index, signed.size)
    return Inclusion(index, signed.size, tuple(proof), signed.note)


def envelope(credential: Mapping[str, Any], inclusion: Inclusion | None) -> dict[str, Any]:
    """The credential file: the signed credential unchanged, and its inclusion when known."""
    out: dict[str, Any] = {"envelope": ENVELOPE, "credential": dict(credential)}
    if inclusion is not None:
        out["inclusion"] = inclusion.to_json()
    return out
