"""Keys derived from the master key: one derivation, one purpose each.

BLAKE2b in keyed mode with the purpose as personalisation, so one secret (the master key) is all
an operator keeps, yet no derived key doubles as another (the ID-number look-up key never opens
a signing key, the token MAC key never encrypts anything).
"""

from __future__ import annotations

import hashlib

from registry.errors import ConfigurationError
from registry.settings import MASTER_KEY_BYTES


def subkey(master_key: bytes, purpose: bytes) -> bytes:
    """The 32-byte key for `purpose` (at most 16 bytes); `ConfigurationError` for a master key
    that is not 32 bytes."""
    if not isinstance(master_key, bytes) or len(master_key) != MASTER_KEY_BYTES:
        raise ConfigurationError(f"the master key must be {MASTER_KEY_BYTES} bytes")
    return hashlib.blake2b(
        b"", key=master_key, person=purpose.ljust(16, b"\0"), digest_size=32
    ).digest()
