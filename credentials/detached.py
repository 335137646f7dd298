"""Checking a detached signature the registry publishes beside a file (the open directory data).

The document (`Ed25519DetachedSignature`) holds the file's path (`signs`), its SHA-256, the
signing key (`publicKeyMultibase`), the Ed25519 signature over the file's exact bytes, and the
chain from the registry's root to that key as the trust bundle carries it
(`bundleKeyCertificate`, `rootRotations`: `credentials.rootchain`). A reader pinned only to the
root checks it offline. The signature states no time, so a bundle key's certificate must be valid
at the time of checking (`rootchain.registry_signer` with the check's time for both).

The page's verifier (web/verifier/src/detached.js) applies the same rules in the same order
with the same codes.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from typing import Final

from credentials import rootchain
from credentials.errors import CredentialError, KeyFormatError
from credentials.keys import PublicKey

__all__ = ["SIGNATURE_TYPE", "DetachedSignatureError", "verify_detached"]

SIGNATURE_TYPE: Final = "Ed25519DetachedSignature"


class DetachedSignatureError(CredentialError):
    """A detached signature that does not hold; `code` says why (a `rootchain` code when the
    chain to the root does not)."""


def _parse(document: object) -> tuple[Mapping[str, object], PublicKey, bytes]:
    try:
        if not isinstance(document, Mapping) or document.get("type") != SIGNATURE_TYPE:
            raise ValueError(f"it is not an {SIGNATURE_TYPE} object")
        if not isinstance(document.get("sha256"), str):
            raise ValueError("sha256 is not a string")
        key_text, signature = document.get("publicKeyMultibase"), document.get("signature")
        if not isinstance(key_text, str) or not isinstance(signature, str):
            raise ValueError("publicKeyMultibase or signature is not a string")
        key = PublicKey.from_multibase(key_text)
        raw = base64.b64decode(signature, validate=True)
    except (ValueError, binascii.Error, KeyFormatError) as exc:
        message = exc.message if isinstance(exc, KeyFormatError) else str(exc)
        raise DetachedSignatureError("DETACHED_INVALID", f"the signature: {message}") from None
    return document, key, raw


def verify_detached(
    body: bytes, document: object, pinned: Sequence[PublicKey], *, now: dt.datetime
) -> rootchain.Signer:
    """Who signed `body` for the registry, trusted through a pinned root; raises
    `DetachedSignatureError` (DETACHED_INVALID, DETACHED_DIGEST, DETACHED_SIGNATURE or the
    chain's code) when it does not hold."""
    signature, key, raw = _parse(document)
    if signature["sha256"] != hashlib.sha256(body).hexdigest():
        raise DetachedSignatureError(
            "DETACHED_DIGEST",
            "the file is not the one signed (its SHA-256 differs): fetch both again",
        )
    try:
        signer = rootchain.registry_signer(
            signature, key.verification_method, tuple(pinned), signed_at=now, now=now
        )
    except rootchain.ChainError as exc:
        raise DetachedSignatureError(exc.code, exc.message) from None
    if not key.verify(body, raw):
        raise DetachedSignatureError("DETACHED_SIGNATURE", "the signature does not match the file")
    return signer
