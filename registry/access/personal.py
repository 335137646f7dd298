"""Personal data at rest (PIPL): the ID number is stored only encrypted, and found only through a
keyed hash.

Both keys are derived from the master key with BLAKE2b in keyed mode and distinct personalisation,
so one secret (REGISTRY_MASTER_KEY) is all an operator keeps, yet the look-up key never doubles as
the encryption key. An HMAC, not a plain hash: without the key, the 10^10-odd plausible ID numbers
cannot be hashed and matched against a stolen database.
"""

from __future__ import annotations

import hashlib
import hmac

import nacl.secret
import nacl.utils

from credentials import normalise_id_number
from registry.access.subkeys import subkey


class PersonalData:
    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != 32:
            raise ValueError("master key must be 32 bytes")
        self._lookup_key = subkey(master_key, b"dte-idn-lookup")
        self._box = nacl.secret.SecretBox(subkey(master_key, b"dte-idn-encrypt"))

    def __repr__(self) -> str:
        return "PersonalData(<keys hidden>)"

    def lookup_hash(self, id_number: str) -> str:
        """Keyed hash of the normalised number; raises `IdNumberError` for an invalid one."""
        value = normalise_id_number(id_number)
        return hmac.new(self._lookup_key, value.encode(), hashlib.sha256).hexdigest()

    def encrypt(self, id_number: str) -> bytes:
        return bytes(self._box.encrypt(normalise_id_number(id_number).encode()))

    def decrypt(self, blob: bytes) -> str:
        return self._box.decrypt(blob).decode()
