"""Detached signatures of published files under the registry root key.

A file the registry publishes for other systems to import (the open directory data) is signed
as it is served: Ed25519 over the exact bytes of the file, by the same root key that signs the
trust bundle and the status lists, so a reader who pinned that key for verifying certificates
can check the file too, with nothing else. The signature document names the key and the
file's SHA-256, so a reader can also tell that it holds the file the signature is about.
"""

from __future__ import annotations

import base64
import hashlib

from registry.storage.db import Database, Document
from registry.trust import keystore

SIGNATURE_TYPE = "Ed25519DetachedSignature"


async def sign(db: Database, master_key: bytes, body: bytes, signed: str) -> Document:
    """The detached signature of `body`, the file served at path `signed`."""
    root = await keystore.root_key(db, master_key)
    return {
        "type": SIGNATURE_TYPE,
        "signs": signed,
        "sha256": hashlib.sha256(body).hexdigest(),
        "publicKeyMultibase": root.public_key.multibase,
        "signature": base64.b64encode(root.sign(body)).decode("ascii"),
    }
