"""The chain from a pinned root key to the key that signed a trust bundle.

The root key can live on an offline machine. The service then signs bundles with a bundle key
that the root certified for a limited time: a `DteBundleKeyCertificate` (root key, bundle key,
validFrom, validUntil, signed by the root) carried in the bundle as `bundleKeyCertificate`. A
root is replaced with overlap: the old root signs a `DteRootRotation` naming the new one, carried
in the bundle's `rootRotations`, so that a verifier pinned to the old root trusts the new one.

A verifier (`trusted_roots`, then `bundle_signer`) trusts: the pinned roots; every root a trusted
root's rotation names (followed to any depth); a bundle key certified by a trusted root, for a
bundle issued inside the certificate's window and only while the window is still open at the
time of verification. Both times are checked: the issue time because a bundle the key signed
outside its certificate is not one the root vouched for; the verification time because `issued`
is written by the bundle key itself, so a stolen bundle key could backdate it — the certificate's
end is the last moment any bundle it certifies is trusted, whatever the bundle says.

The page's verifier (web/verifier/src/rootchain.js) applies the same rules in the same order
with the same codes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from credentials import _proof as proof
from credentials._timestamp import parse_rfc3339
from credentials.errors import CredentialError, KeyFormatError
from credentials.keys import PublicKey, SigningKey

CERTIFICATE_TYPE: Final = "DteBundleKeyCertificate"
ROTATION_TYPE: Final = "DteRootRotation"
CERTIFICATE_MEMBER: Final = "bundleKeyCertificate"
ROTATIONS_MEMBER: Final = "rootRotations"
MAX_ROTATIONS: Final = 64


class ChainError(CredentialError):
    """A certificate or rotation statement that does not hold; `code` says why."""


@dataclass(frozen=True, slots=True)
class Certificate:
    """A bundle key certified by a root key for [valid_from, valid_until)."""

    root_key: PublicKey
    bundle_key: PublicKey
    valid_from: dt.datetime
    valid_until: dt.datetime
    document: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Signer:
    """Who signed a bundle: `key`, trusted through the pinned root `anchor`; `certificate` when
    `key` is a certified bundle key rather than a root."""

    key: PublicKey
    anchor: PublicKey
    roots: tuple[PublicKey, ...]
    certificate: Certificate | None = None


def _ts(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def format_time(value: dt.datetime) -> str:
    """`value` as a certificate states its times: RFC 3339, whole seconds, UTC (`Z`)."""
    return _ts(value)


# --- issuing -------------------------------------------------------------------------------------


def certify(
    root: SigningKey, bundle_key: PublicKey, *, valid_from: dt.datetime, valid_until: dt.datetime
) -> dict[str, Any]:
    """A certificate by `root` that `bundle_key` may sign bundles issued in
    [valid_from, valid_until) (whole seconds, UTC)."""
    start, end = valid_from.replace(microsecond=0), valid_until.replace(microsecond=0)
    if end <= start:
        raise ValueError("a certificate's validUntil must be after its validFrom")
    body = {
        "type": CERTIFICATE_TYPE,
        "rootKey": root.public_key.multibase,
        "bundleKey": bundle_key.multibase,
        "validFrom": _ts(start),
        "validUntil": _ts(end),
    }
    return proof.sign(body, root, created=start)


def rotation(old_root: SigningKey, new_root: PublicKey, *, issued: dt.datetime) -> dict[str, Any]:
    """A statement by `old_root` that `new_root` is the registry's root key from `issued`."""
    body = {
        "type": ROTATION_TYPE,
        "oldRoot": old_root.public_key.multibase,
        "newRoot": new_root.multibase,
        "issued": _ts(issued.replace(microsecond=0)),
    }
    return proof.sign(body, old_root, created=issued.replace(microsecond=0))


# --- reading -------------------------------------------------------------------------------------


def _key(value: object) -> PublicKey:
    if not isinstance(value, str):
        raise ValueError("a key is not a Multikey string")
    try:
        return PublicKey.from_multibase(value)
    except KeyFormatError as exc:
        raise ValueError(exc.message) from None


def parse_time(value: object) -> dt.datetime:
    """An RFC 3339 date-time of a certificate or statement; `ValueError` otherwise."""
    return _time(value)


def _time(value: object) -> dt.datetime:
    if not isinstance(value, str):
        raise ValueError("a time is not an RFC 3339 date-time")
    return parse_rfc3339(value)


def parse_certificate(document: object) -> Certificate:
    """The certificate's fields, without checking its proof; `ChainError` BUNDLE_CERT_INVALID."""
    try:
        if not isinstance(document, Mapping) or document.get("type") != CERTIFICATE_TYPE:
            raise ValueError(f"it is not a {CERTIFICATE_TYPE} object")
        root, key = _key(document.get("rootKey")), _key(document.get("bundleKey"))
        start, end = _time(document.get("validFrom")), _time(document.get("validUntil"))
        if end <= start:
            raise ValueError("its validUntil is not after its validFrom")
    except ValueError as exc:
        raise ChainError("BUNDLE_CERT_INVALID", f"the bundle key certificate: {exc}") from None
    return Certificate(root, key, start, end, document)


def parse_rotation(statement: object) -> tuple[PublicKey, PublicKey]:
    """(old root, new root) of a rotation statement, without checking its proof;
    `ChainError` BUNDLE_ROTATION_INVALID."""
    return _parse_rotation(statement)


def _parse_rotation(statement: object) -> tuple[PublicKey, PublicKey]:
    try:
        if not isinstance(statement, Mapping) or statement.get("type") != ROTATION_TYPE:
            raise ValueError(f"it is not a {ROTATION_TYPE} object")
        old, new = _key(statement.get("oldRoot")), _key(statement.get("newRoot"))
        _time(statement.get("issued"))
    except ValueError as exc:
        raise ChainError("BUNDLE_ROTATION_INVALID", f"a root rotation: {exc}") from None
    return old, new


def trusted_roots(
    document: Mapping[str, Any], pinned: tuple[PublicKey, ...]
) -> dict[str, tuple[PublicKey, PublicKey]]:
    """Each trusted root's verification method → (the root, the pinned root it descends from):
    the pinned roots and every root a trusted root's rotation in `document` names."""
    roots = {k.verification_method: (k, k) for k in pinned}
    statements = document.get(ROTATIONS_MEMBER, [])
    if not isinstance(statements, list) or len(statements) > MAX_ROTATIONS:
        raise ChainError(
            "BUNDLE_ROTATION_INVALID", f"rootRotations is not a list of at most {MAX_ROTATIONS}"
        )
    parsed = [_parse_rotation(s) for s in statements]
    pending = list(range(len(parsed)))
    while pending:
        # Passes in document order until nothing more is learnt: a chain may be listed in any order.
        followed = [i for i in pending if parsed[i][0].verification_method in roots]
        if not followed:
            break
        for i in followed:
            old, new = parsed[i]
            check = proof.verify(statements[i], old)
            if not check.ok:
                raise ChainError(
                    "BUNDLE_ROTATION_SIGNATURE",
                    f"a root rotation is not signed by the old root it names: {check.message}",
                )
            roots.setdefault(new.verification_method, (new, roots[old.verification_method][1]))
        pending = [i for i in pending if i not in followed]
    return roots


def check_certificate(
    cert: Certificate, roots: Mapping[str, tuple[PublicKey, PublicKey]]
) -> PublicKey:
    """The pinned root `cert` descends from, when a root of `roots` (from `trusted_roots`)
    signed it; `ChainError` otherwise. Its window and its key are the caller's to check."""
    root = roots.get(cert.root_key.verification_method)
    method = proof.verification_method_of(cert.document)
    if root is None or method != cert.root_key.verification_method:
        raise ChainError(
            "BUNDLE_CERT_UNTRUSTED_ROOT",
            "the bundle key certificate is not signed by a pinned root key or one it rotated to",
        )
    check = proof.verify(cert.document, cert.root_key)
    if not check.ok:
        raise ChainError(
            "BUNDLE_CERT_SIGNATURE", f"the bundle key certificate's signature: {check.message}"
        )
    return root[1]


def _certified(
    document: Mapping[str, Any], method: str, roots: dict[str, tuple[PublicKey, PublicKey]]
) -> tuple[Certificate, PublicKey]:
    """The certificate that makes `method` a bundle key of a trusted root, and its anchor."""
    cert = parse_certificate(document[CERTIFICATE_MEMBER])
    anchor = check_certificate(cert, roots)
    if cert.bundle_key.verification_method != method:
        raise ChainError(
            "BUNDLE_CERT_WRONG_KEY",
            "the bundle key certificate certifies another key than the signer",
        )
    return cert, anchor


def check_window(cert: Certificate, issued: dt.datetime, now: dt.datetime) -> None:
    """`ChainError` unless the document (bundle, record, signature) was signed inside the
    certificate's window and the window is still open `now`."""
    if issued < cert.valid_from:
        raise ChainError(
            "BUNDLE_CERT_NOT_YET_VALID", "it was signed before its key's certificate starts"
        )
    if issued >= cert.valid_until:
        raise ChainError("BUNDLE_CERT_EXPIRED", "it was signed after its key's certificate expired")
    if now >= cert.valid_until:
        raise ChainError(
            "BUNDLE_CERT_EXPIRED",
            "the bundle key's certificate has expired: get a copy signed under a current one",
        )


def bundle_signer(
    document: Mapping[str, Any], method: str, pinned: tuple[PublicKey, ...]
) -> Signer:
    """Who may have signed `document` under verification method `method`: a trusted root, or a
    bundle key certified by one (its window still to be checked with `check_window`); the
    signature itself is the caller's to verify. `ChainError` when no one trusted is named."""
    roots = trusted_roots(document, pinned)
    every = tuple(k for k, _ in roots.values())
    if method in roots:
        root, anchor = roots[method]
        return Signer(root, anchor, every)
    if CERTIFICATE_MEMBER not in document:
        raise ChainError(
            "BUNDLE_UNTRUSTED_KEY",
            f"it is signed by {method[:80]}, which is not a pinned root key",
        )
    cert, anchor = _certified(document, method, roots)
    return Signer(cert.bundle_key, anchor, every, cert)


# --- what the registry signs outside the bundle --------------------------------------------------


def registry_signer(
    document: Mapping[str, Any],
    method: str,
    pinned: tuple[PublicKey, ...],
    *,
    signed_at: dt.datetime,
    now: dt.datetime,
) -> Signer:
    """Who may have signed `document` for the registry (a detached signature, a
    continuing-education record) under `method`, by the chain it carries: the same rule as a
    bundle's (`bundle_signer`, then `check_window` with `signed_at` for the bundle's issue time).
    The signature itself is the caller's to verify. `ChainError` when no one trusted is named."""
    signer = bundle_signer(document, method, pinned)
    if signer.certificate is not None:
        check_window(signer.certificate, signed_at, now)
    return signer


def credential_signer(
    credential: Mapping[str, Any], pinned: tuple[PublicKey, ...], *, now: dt.datetime
) -> Signer:
    """The registry's key that signed `credential` (its proof's verificationMethod, at its proof's
    `created`), trusted through the chain the credential carries, its proof verified;
    `ChainError` otherwise (`REGISTRY_PROOF` when the proof does not hold)."""
    found = proof.proof_of(credential)
    method = proof.verification_method_of(credential)
    created = found.get("created") if found is not None else None
    try:
        signed_at = _time(created)
    except ValueError:
        signed_at = None
    if method is None or signed_at is None:
        raise ChainError(
            "REGISTRY_PROOF", "the credential has no proof with a verificationMethod and created"
        )
    signer = registry_signer(credential, method, pinned, signed_at=signed_at, now=now)
    check = proof.verify(credential, signer.key)
    if not check.ok:
        raise ChainError("REGISTRY_PROOF", f"the credential's proof: {check.message}")
    return signer
