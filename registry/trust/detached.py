"""Detached signatures of published files, by the key that signs for the registry.

A file the registry publishes for other systems to import (the open directory data) is signed
as it is served: Ed25519 over the exact bytes of the file, by the key `offline_root.signer`
names — the root itself on one machine, the bundle key the offline root certified once the root
is off the server — and the document carries the chain from the root to that key (the
certificate and the rotations, as the trust bundle does), so a reader who pinned only the root
checks the file with nothing else (`credentials.verify_detached`). The document names the key
and the file's SHA-256, so a reader can also tell that it holds the file the signature is about.
"""

from __future__ import annotations

import base64
import hashlib

from credentials.detached import SIGNATURE_TYPE
from registry.calendar import clock
from registry.storage.db import Database, Document
from registry.trust import offline_root

__all__ = ["SIGNATURE_TYPE", "sign"]


async def sign(db: Database, master_key: bytes, body: bytes, signed: str) -> Document:
    """The detached signature of `body`, the file served at path `signed`;
    `SigningCertificateExpired` when the bundle key's certificate is not valid now."""
    signer = await offline_root.signer(db, master_key, now=clock.now())
    return {
        "type": SIGNATURE_TYPE,
        "signs": signed,
        "sha256": hashlib.sha256(body).hexdigest(),
        "publicKeyMultibase": signer.key.public_key.multibase,
        "signature": base64.b64encode(signer.key.sign(body)).decode("ascii"),
        **signer.chain(),
    }
