"""RFC 9162 §2.1 Merkle tree hashing, proofs and their verification (SHA-256).

The reference functions (`root_from_leaves`, `inclusion_path`, `consistency_path`) follow the
RFC's recursive definitions (MTH, PATH, PROOF/SUBPROOF) over a list of leaf hashes: right for
tests and small trees; the registry computes its proofs from stored tiles. The two verifiers
are the RFC's §2.1.3.2 and §2.1.4.2 algorithms, with the size and length checks the RFC leaves
to the caller (index below size, 32-byte hashes, sizes at most 2**64 - 1, as a checkpoint's).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Final

from credentials.errors import CredentialError

__all__ = [
    "HASH_BYTES",
    "MAX_TREE_SIZE",
    "TransparencyError",
    "consistency_path",
    "inclusion_path",
    "leaf_hash",
    "node_hash",
    "root_from_leaves",
    "verify_consistency",
    "verify_inclusion",
]

HASH_BYTES: Final = 32
# A tree size is a uint64 in every format that carries one (tlog-checkpoint, tlog-tiles, RFC
# 9162's TreeHead); anything larger is no size, and refusing it bounds the verifiers' loops.
MAX_TREE_SIZE: Final = 2**64 - 1
# A proof has at most one hash per level of a tree of MAX_TREE_SIZE leaves (plus one for a
# consistency proof); longer lists are refused before any hashing.
_MAX_PROOF_HASHES: Final = 65
_EMPTY_ROOT: Final = hashlib.sha256(b"").digest()


class TransparencyError(CredentialError):
    """A transparency-log object (proof, note, checkpoint, key) that must not be trusted."""


def leaf_hash(data: bytes) -> bytes:
    """SHA-256(0x00 ‖ data): the hash of one log entry."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 ‖ left ‖ right): the hash of an interior node."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1): where MTH splits a tree of n leaves."""
    return 1 << ((n - 1).bit_length() - 1)


def root_from_leaves(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH(D[n]) over leaf hashes already computed; SHA-256("") for the empty tree."""
    n = len(leaf_hashes)
    if n == 0:
        return _EMPTY_ROOT
    if n == 1:
        return leaf_hashes[0]
    k = _split(n)
    return node_hash(root_from_leaves(leaf_hashes[:k]), root_from_leaves(leaf_hashes[k:]))


def inclusion_path(index: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]): the audit path of leaf `index`, leaf side first (RFC 9162 §2.1.3.1)."""
    n = len(leaf_hashes)
    if not 0 <= index < n:
        raise TransparencyError("INCLUSION_INDEX_INVALID", f"leaf {index} is not in a tree of {n}")
    return _path(index, leaf_hashes)


def _path(m: int, d: Sequence[bytes]) -> list[bytes]:
    n = len(d)
    if n == 1:
        return []
    k = _split(n)
    if m < k:
        return [*_path(m, d[:k]), root_from_leaves(d[k:])]
    return [*_path(m - k, d[k:]), root_from_leaves(d[:k])]


def consistency_path(old_size: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) between the tree of the first `old_size` leaves and the whole list
    (RFC 9162 §2.1.4.1); empty when `old_size` is 0 or the whole size (`verify_consistency`
    refuses old size 0 all the same)."""
    n = len(leaf_hashes)
    if not 0 <= old_size <= n:
        raise TransparencyError(
            "CONSISTENCY_SIZE_INVALID", f"old size {old_size} is not within 0..{n}"
        )
    if old_size in (0, n):
        return []
    return _subproof(old_size, leaf_hashes, True)


def _subproof(m: int, d: Sequence[bytes], whole: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if whole else [root_from_leaves(d)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, d[:k], whole), root_from_leaves(d[k:])]
    return [*_subproof(m - k, d[k:], False), root_from_leaves(d[:k])]


def _check_hash(value: object, what: str, code: str) -> bytes:
    if not isinstance(value, bytes) or len(value) != HASH_BYTES:
        raise TransparencyError(code, f"{what} must be a {HASH_BYTES}-byte hash")
    return value


def _check_size(value: object, what: str, code: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_TREE_SIZE:
        raise TransparencyError(code, f"{what} must be an integer within 0..2**64-1")
    return value


def _check_proof(proof: Sequence[bytes], code: str) -> list[bytes]:
    if len(proof) > _MAX_PROOF_HASHES:
        raise TransparencyError(code, f"a proof has at most {_MAX_PROOF_HASHES} hashes")
    return [_check_hash(p, "every proof element", code) for p in proof]


def verify_inclusion(
    leaf: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Return when `proof` shows the leaf hash `leaf` at `index` in the tree of `tree_size`
    leaves whose root is `root` (RFC 9162 §2.1.3.2); raise `TransparencyError` with code
    `INCLUSION_PROOF_INVALID` otherwise."""
    code = "INCLUSION_PROOF_INVALID"
    _check_size(index, "the leaf index", code)
    _check_size(tree_size, "the tree size", code)
    hashes = _check_proof(proof, code)
    r = _check_hash(leaf, "the leaf hash", code)
    _check_hash(root, "the root hash", code)
    if index >= tree_size:
        raise TransparencyError(code, f"leaf {index} is not in a tree of {tree_size}")
    fn, sn = index, tree_size - 1
    for p in hashes:
        if sn == 0:
            raise TransparencyError(code, "the proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise TransparencyError(code, "the proof is shorter than the tree is deep")
    if r != root:
        raise TransparencyError(code, "the proof does not lead to the root hash")


def verify_consistency(
    old_size: int, new_size: int, proof: Sequence[bytes], old_root: bytes, new_root: bytes
) -> None:
    """Return when `proof` shows the tree of `old_size` leaves (root `old_root`) is a prefix of
    the tree of `new_size` leaves (root `new_root`) (RFC 9162 §2.1.4.2; equal sizes need equal
    roots and an empty proof; `old_size` 0 is refused, a proof from the empty tree proving
    nothing); raise `TransparencyError` with code `CONSISTENCY_PROOF_INVALID` otherwise."""
    code = "CONSISTENCY_PROOF_INVALID"
    _check_size(old_size, "the old size", code)
    _check_size(new_size, "the new size", code)
    hashes = _check_proof(proof, code)
    _check_hash(old_root, "the old root", code)
    _check_hash(new_root, "the new root", code)
    if old_size > new_size:
        raise TransparencyError(code, f"old size {old_size} is larger than new size {new_size}")
    if old_size == 0:
        # As transparency-dev/merkle: every tree extends the empty one, so such a proof says
        # nothing, and a caller relying on it has a mistake to find.
        raise TransparencyError(code, "a consistency proof from the empty tree proves nothing")
    if old_size == new_size:
        if hashes:
            raise TransparencyError(code, "this proof must be empty")
        if old_root != new_root:
            raise TransparencyError(code, "two trees of one size have different roots")
        return
    fr, sr, sn = _consistency_walk(old_size, new_size, hashes, old_root, code)
    if sn != 0:
        raise TransparencyError(code, "the proof is shorter than the tree is deep")
    if fr != old_root or sr != new_root:
        raise TransparencyError(code, "the proof does not lead to both roots")


def _consistency_walk(
    old_size: int, new_size: int, hashes: list[bytes], old_root: bytes, code: str
) -> tuple[bytes, bytes, int]:
    """Steps 1-6 of RFC 9162 §2.1.4.2 for 0 < old_size < new_size: (fr, sr, sn)."""
    if not hashes:
        raise TransparencyError(code, "the proof is empty")
    if old_size & (old_size - 1) == 0:
        hashes = [old_root, *hashes]
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = hashes[0]
    for c in hashes[1:]:
        if sn == 0:
            raise TransparencyError(code, "the proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr, sr, sn
