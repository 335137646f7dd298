"""The registry's transparency log as a verifier sees it: Merkle proofs (RFC 9162 §2.1), signed
notes and checkpoints (C2SP signed-note, tlog-checkpoint), witness cosignatures (C2SP
tlog-cosignature, Ed25519 cosignature/v1), and the one log leaf a verifier recomputes from a
credential (`certificate_leaf`).

Everything here is offline and pure; every refusal is a `TransparencyError` (a
`CredentialError`) with a stable code. The registry uses the same functions when it logs, so
the leaf it appends and the leaf a verifier expects are one function.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from credentials._jcs import canonicalize
from credentials._merkle import (
    HASH_BYTES,
    MAX_TREE_SIZE,
    TransparencyError,
    consistency_path,
    inclusion_path,
    leaf_hash,
    node_hash,
    root_from_leaves,
    verify_consistency,
    verify_inclusion,
)
from credentials._note import (
    COSIGNATURE_V1,
    ED25519,
    NoteKey,
    NoteSigner,
    Signature,
    b64decode,
    parse_vkey,
    split_note,
    verify_note,
)
from credentials.errors import CanonicalizationError

__all__ = [
    "COSIGNATURE_V1",
    "ED25519",
    "HASH_BYTES",
    "MAX_TREE_SIZE",
    "Checkpoint",
    "Cosignature",
    "NoteKey",
    "NoteSigner",
    "TransparencyError",
    "certificate_leaf",
    "checkpoint_from_text",
    "consistency_path",
    "cosign",
    "cosignature_message",
    "inclusion_path",
    "leaf_hash",
    "node_hash",
    "parse_checkpoint",
    "parse_vkey",
    "root_from_leaves",
    "verify_consistency",
    "verify_cosignature",
    "verify_cosignatures",
    "verify_inclusion",
    "verify_note",
]

_SIZE: Final = re.compile(r"0|[1-9][0-9]{0,19}")
_MAX_TIMESTAMP: Final = 2**63 - 1


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A log's tree head: origin, tree size, root hash, and optional extension lines."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def body(self) -> str:
        """The tlog-checkpoint note text (origin, size, base64 root, extensions; each + "\\n")."""
        root = base64.b64encode(self.root_hash).decode("ascii")
        lines = [self.origin, str(self.size), root, *self.extensions]
        return "".join(line + "\n" for line in lines)


def checkpoint_from_text(text: str) -> Checkpoint:
    """The checkpoint a note text states (its form checked; no signature involved)."""
    code = "CHECKPOINT_MALFORMED"
    lines = text.split("\n")
    if lines[-1] != "" or len(lines) < 4 or "" in lines[:-1]:
        raise TransparencyError(code, "a checkpoint has origin, size and root lines, none empty")
    origin, size, root, *extensions = lines[:-1]
    if not _SIZE.fullmatch(size) or int(size) > MAX_TREE_SIZE:
        raise TransparencyError(code, "the tree size is a decimal within 0..2**64-1")
    root_hash = b64decode(root, code, "the root hash")
    if len(root_hash) != HASH_BYTES:
        raise TransparencyError(code, f"the root hash is {HASH_BYTES} bytes")
    return Checkpoint(origin, int(size), root_hash, tuple(extensions))


def parse_checkpoint(note: str | bytes, keys: Iterable[NoteKey]) -> Checkpoint:
    """The checkpoint of a signed note that one of `keys` signed (`verify_note`'s codes), its
    text in the tlog-checkpoint form (`CHECKPOINT_MALFORMED` otherwise)."""
    text, _signers = verify_note(note, tuple(keys))
    return checkpoint_from_text(text)


# --- cosignatures (tlog-cosignature, Ed25519 cosignature/v1) ------------------------------------


@dataclass(frozen=True, slots=True)
class Cosignature:
    """A verified witness cosignature: the witness key and the time it states."""

    key: NoteKey
    timestamp: int


def cosignature_message(body: str, timestamp: int) -> bytes:
    """What a cosignature/v1 signs: the header line, the time line, the checkpoint text."""
    if isinstance(timestamp, bool) or not 0 <= timestamp <= _MAX_TIMESTAMP:
        raise TransparencyError("COSIGNATURE_TIME_INVALID", "a timestamp is within 0..2**63-1")
    return f"cosignature/v1\ntime {timestamp}\n{body}".encode()


def cosign(note: str, signer: NoteSigner, timestamp: int) -> str:
    """`note` (a signed checkpoint) with one more line: `signer`'s cosignature at `timestamp`.

    The caller checks the checkpoint first (its log signature, consistency with what the
    witness saw before): a cosignature states that it did."""
    if signer.key.signature_type != COSIGNATURE_V1:
        raise TransparencyError("NOTE_SIGNER_TYPE", "a cosignature needs a cosigner key (0x04)")
    text, _signatures = split_note(note)
    checkpoint_from_text(text)
    sig = signer.signature(cosignature_message(text, timestamp))
    stamped = Signature(sig.name, sig.key_id, timestamp.to_bytes(8, "big") + sig.signature)
    return note + stamped.line()


def verify_cosignatures(note: str, witnesses: Iterable[NoteKey]) -> list[Cosignature]:
    """The valid cosignatures on `note` by keys of `witnesses` (type 0x04), one per witness.

    Lines by other keys are ignored; a line by a listed witness that does not verify refuses
    the note (`COSIGNATURE_INVALID`), as signed-note asks for a known key's bad signature.
    Nothing here checks the log's own signature: `parse_checkpoint` does."""
    text, signatures = split_note(note)
    known = {(k.name, k.key_id): k for k in witnesses if k.signature_type == COSIGNATURE_V1}
    found: dict[NoteKey, Cosignature] = {}
    for sig in signatures:
        key = known.get((sig.name, sig.key_id))
        if key is None or key in found:
            continue
        found[key] = _verify_one(text, key, sig.signature)
    return list(found.values())


def _verify_one(text: str, key: NoteKey, data: bytes) -> Cosignature:
    if len(data) != 8 + 64:
        raise TransparencyError(
            "COSIGNATURE_INVALID", f"the cosignature of {key.name} is malformed"
        )
    timestamp = int.from_bytes(data[:8], "big")
    if timestamp > _MAX_TIMESTAMP or not key.public_key.verify(
        cosignature_message(text, timestamp), data[8:]
    ):
        raise TransparencyError(
            "COSIGNATURE_INVALID", f"the cosignature of {key.name} does not verify"
        )
    return Cosignature(key, timestamp)


def verify_cosignature(note: str, witness: NoteKey) -> Cosignature:
    """The cosignature of `witness` on `note`; `COSIGNATURE_MISSING` when it has none."""
    found = verify_cosignatures(note, (witness,))
    if not found:
        raise TransparencyError("COSIGNATURE_MISSING", f"no cosignature by {witness.name}")
    return found[0]


# --- the certificate's log leaf ------------------------------------------------------------------

CERTIFICATE_PUBLISHED: Final = "certificate.published"


def certificate_leaf(credential: Mapping[str, Any], *, plain: bool = False) -> bytes:
    """The canonical bytes (RFC 8785) of the `certificate.published` leaf of a signed
    certificate credential: number, issuer id, proof.verificationMethod, statusListIndex, and
    "sha256:" + hex SHA-256 of the JCS of the whole credential, proof included. Raises
    `TransparencyError` (`LOG_LEAF_UNAVAILABLE`) when the credential lacks one of them.
    `plain=True` is the caller's word that the credential is plain JSON (`_jcs.canonicalize`):
    the verifier has walked it already, so the canonical forms skip their own walks."""
    try:
        record = {
            "kind": CERTIFICATE_PUBLISHED,
            "number": _string(credential["credentialSubject"]["certificate"]["number"]),
            "issuer": _string(credential["issuer"]["id"]),
            "verificationMethod": _string(credential["proof"]["verificationMethod"]),
            "statusListIndex": _string(credential["credentialStatus"]["statusListIndex"]),
            "credentialDigest": "sha256:"
            + hashlib.sha256(canonicalize(credential, plain=plain)).hexdigest(),
        }
    except (KeyError, TypeError, CanonicalizationError):
        raise TransparencyError(
            "LOG_LEAF_UNAVAILABLE", "the credential lacks a field its log entry is made of"
        ) from None
    return canonicalize(record, plain=plain)


def _string(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value
