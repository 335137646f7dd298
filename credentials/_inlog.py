"""The `in_log` check: is this credential in the registry's public transparency log, as the
inclusion proof of its credential file (the envelope) shows against a checkpoint signed by a
log key of the trust bundle? And the rule for credentials signed with a retired or compromised
key: only the log can show they were made before, so without it they are not confirmed.

The page makes the same check (web/verifier/src/inlog.js), with the same codes.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from credentials._memo import Memos
from credentials._merkle import HASH_BYTES, TransparencyError, leaf_hash, verify_inclusion
from credentials._note import verify_note
from credentials.bundle import BundleKey, LogEntry, TrustBundle
from credentials.report import Check, Status
from credentials.transparency import (
    Checkpoint,
    certificate_leaf,
    checkpoint_from_text,
    verify_cosignatures,
)

__all__ = ["ENVELOPE", "Inclusion", "check_in_log", "unwrap"]

ENVELOPE: Final = "dte-registry/credential-file/v1"
_MAX_INDEX: Final = 2**53 - 1  # an I-JSON integer: exact in every JSON reader, the page's too
_MAX_PROOF: Final = 64
_NAME: Final = "in_log"


@dataclass(frozen=True, slots=True)
class Inclusion:
    """The envelope's `inclusion` member, unparsed (`check_in_log` checks its shape)."""

    value: Any


def unwrap(value: Any) -> tuple[Any, Inclusion | None, str | None]:
    """(credential, inclusion, problem) of what was handed over: the envelope's parts, or a
    bare credential with no inclusion. `problem` names an envelope of another kind."""
    if not isinstance(value, dict) or "envelope" not in value:
        return value, None, None
    if value["envelope"] != ENVELOPE:
        return value, None, f"an envelope of an unknown kind (not {ENVELOPE})"
    inclusion = value.get("inclusion")
    return value.get("credential"), None if inclusion is None else Inclusion(inclusion), None


def _fail(code: str, message: str, details: dict[str, Any]) -> Check:
    return Check(_NAME, Status.FAIL, code, message, details)


def check_in_log(
    bundle: TrustBundle,
    doc: Mapping[str, Any],
    key: BundleKey | None,
    inclusion: Inclusion | None,
    now: dt.datetime,
    witnesses: int,
    memos: Memos | None = None,
    plain: bool = False,
) -> Check:
    """The `in_log` check of a credential whose proof verified (`key`: its bundle key).
    `memos`: the verifier's, where a checkpoint's signature check is remembered by its text;
    `plain`: the verifier's word that `doc` is plain JSON (`_jcs.canonicalize`)."""
    bound = key.log_bound if key is not None else None
    details: dict[str, Any] = {}
    if inclusion is None:
        if bound is not None:
            return _unconfirmed(bound[0], details)
        return Check(_NAME, Status.SKIPPED, "NOT_EVALUATED", "not evaluated: no inclusion proof")
    parsed = _parse(inclusion.value)
    if isinstance(parsed, str):
        return _fail(
            "LOG_ENVELOPE_MALFORMED", f"the inclusion proof is malformed: {parsed}", details
        )
    index, size, proof, note = parsed
    details.update(leafIndex=index, treeSize=size)
    checkpoint = _checkpoint(bundle, note, now, witnesses, details, memos)
    if isinstance(checkpoint, Check):
        return checkpoint
    details["origin"] = checkpoint.origin
    failed = _proof_check(doc, index, size, proof, checkpoint, details, plain)
    if failed is not None:
        return failed
    where = f"entry {index} of {size} in the log {checkpoint.origin}"
    if bound is not None:
        limit = bound[1]
        if limit is None:
            return _unconfirmed(bound[0], details)
        details["logSizeLimit"] = limit
        if index >= limit:
            what = "compromised" if bound[0] == "KEY_COMPROMISED" else "retired"
            message = f"{where}: logged after its key was {what} (size {limit} then)"
            return _fail(bound[0], message, details)
        where += ", logged before its key was retired or compromised"
    return Check(_NAME, Status.PASS, "IN_LOG", f"in the registry's public log: {where}", details)


def _unconfirmed(reason: str, details: dict[str, Any]) -> Check:
    what = "compromised" if reason == "KEY_COMPROMISED" else "retired"
    message = (
        f"signed with a key that is now {what}: cannot be confirmed offline — present the "
        "certificate file or look it up in the registry"
    )
    return Check(_NAME, Status.UNKNOWN, "LOG_CONFIRMATION_REQUIRED", message, details)


def _integer(value: Any) -> bool:
    return type(value) is int and 0 <= value <= _MAX_INDEX


def _hash(text: Any) -> bytes | None:
    if not isinstance(text, str) or len(text) != 44:
        return None
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == HASH_BYTES and base64.b64encode(raw).decode() == text else None


def _parse(value: Any) -> tuple[int, int, list[bytes], str] | str:
    """The inclusion's leaf index, tree size, proof hashes and checkpoint, or what is wrong."""
    if not isinstance(value, dict):
        return "not an object"
    index, size, proof, note = (
        value.get(k) for k in ("leafIndex", "treeSize", "proof", "checkpoint")
    )
    if not (
        isinstance(index, int) and _integer(index) and isinstance(size, int) and _integer(size)
    ):
        return "leafIndex and treeSize are integers within 0..2**53-1"
    if not isinstance(proof, list) or len(proof) > _MAX_PROOF:
        return f"proof is a list of at most {_MAX_PROOF} hashes"
    hashes = [_hash(p) for p in proof]
    if any(h is None for h in hashes):
        return "every proof element is a 32-byte hash in standard base64"
    if not isinstance(note, str):
        return "checkpoint is the signed note's text"
    return index, size, [h for h in hashes if h is not None], note


@dataclass(frozen=True, slots=True)
class _Trust:
    """What a checkpoint note is worth against the bundle's logs valid now: the checkpoint, or
    why it is refused (code, message, the details it adds); the witnesses counted, if asked."""

    checkpoint: Checkpoint | None
    code: str = ""
    message: str = ""
    extra: tuple[tuple[str, str], ...] = ()
    witnesses: int | None = None


def _trust(bundle: TrustBundle, note: str, logs: list[LogEntry], witnesses: int) -> _Trust:
    """The signature checks of `note` (the log's, and the witnesses' when `witnesses`)."""
    try:
        text, signers = verify_note(note, [log.key for log in logs])
        checkpoint = checkpoint_from_text(text)
    except TransparencyError as exc:
        message = f"the checkpoint is not one of a log the bundle trusts now: {exc.message}"
        return _Trust(None, "LOG_CHECKPOINT_UNTRUSTED", message, (("reason", exc.code),))
    if not any(log.key in signers and log.origin == checkpoint.origin for log in logs):
        message = "the checkpoint's origin is not the origin of the log whose key signed it"
        return _Trust(None, "LOG_CHECKPOINT_UNTRUSTED", message, (("reason", "LOG_ORIGIN"),))
    if not witnesses:
        return _Trust(checkpoint)
    try:
        return _Trust(checkpoint, witnesses=len(verify_cosignatures(note, bundle.witnesses)))
    except TransparencyError as exc:
        return _Trust(None, "LOG_COSIGNATURE_INVALID", exc.message)


def _checkpoint(
    bundle: TrustBundle,
    note: str,
    now: dt.datetime,
    witnesses: int,
    details: dict[str, Any],
    memos: Memos | None,
) -> Checkpoint | Check:
    """The checkpoint, signed by a log key of the bundle valid now for its origin, with the
    witnesses asked for; or the failed check.

    Its signatures are checked once per verifier (`memos`): remembered by the note's exact
    text, which logs of the bundle are valid now and whether witnesses are counted, so N
    credential files under one checkpoint pay one Ed25519 check, and a note that differs in
    any character is checked afresh. A `Verifier` never outlives its bundle."""
    valid = tuple(n for n, log in enumerate(bundle.logs) if log.valid_at(now))
    logs = [bundle.logs[n] for n in valid]
    if memos is None or type(note) is not str:  # a str subclass could fake equality
        trust = _trust(bundle, note, logs, witnesses)
    else:
        key = (note, valid, witnesses > 0)
        trust = memos.remember("checkpoint", key, lambda: _trust(bundle, note, logs, witnesses))
    if trust.checkpoint is None:
        return _fail(trust.code, trust.message, {**details, **dict(trust.extra)})
    if trust.witnesses is not None:
        details["witnesses"] = trust.witnesses
        if trust.witnesses < witnesses:
            message = f"{trust.witnesses} valid witness cosignature(s), {witnesses} required"
            return _fail("LOG_WITNESSES_MISSING", message, details)
    return trust.checkpoint


def _proof_length(index: int, size: int) -> int:
    """How many hashes an inclusion proof of leaf `index` in a tree of `size` has."""
    inner = (index ^ (size - 1)).bit_length()
    return inner + bin(index >> inner).count("1")


def _proof_check(
    doc: Mapping[str, Any],
    index: int,
    size: int,
    proof: list[bytes],
    checkpoint: Checkpoint,
    details: dict[str, Any],
    plain: bool,
) -> Check | None:
    """None when the proof puts this credential's leaf at `index` under the checkpoint's root."""
    if size != checkpoint.size:
        message = f"treeSize {size} is not the checkpoint's size {checkpoint.size}"
        return _fail("LOG_PROOF_INVALID", message, details)
    if index >= size or len(proof) != _proof_length(index, size):
        message = f"not a proof of entry {index} in a tree of {size} (wrong index or length)"
        return _fail("LOG_PROOF_INVALID", message, details)
    try:
        leaf = leaf_hash(certificate_leaf(doc, plain=plain))
        verify_inclusion(leaf, index, size, proof, checkpoint.root_hash)
    except TransparencyError:
        message = f"log entry {index} is not this credential (the proof leads elsewhere)"
        return _fail("LOG_LEAF_MISMATCH", message, details)
    return None
