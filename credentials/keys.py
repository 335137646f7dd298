"""Ed25519 keys (PyNaCl) and their Multikey / did:key forms.

A public key is written as a Multikey: `z` (multibase base58btc) + base58(0xed 0x01 + 32 key bytes),
which always starts `z6Mk`. Its did:key is `did:key:<multikey>` and the verification method used
in proofs is `did:key:<multikey>#<multikey>`. A private key is `z` + base58(0x80 0x26 + 32-byte
seed), starting `z3u2`.

Every parser raises `KeyFormatError` with a stable code saying what is wrong; none echoes a
private key back.
"""

from __future__ import annotations

import re
from typing import Final, NoReturn

import nacl.bindings
import nacl.exceptions
import nacl.signing

from credentials import _multibase
from credentials.errors import KeyFormatError

__all__ = ["PublicKey", "SigningKey"]

_PUBLIC_PREFIX: Final = b"\xed\x01"  # multicodec ed25519-pub (0xed) as an unsigned varint
_PRIVATE_PREFIX: Final = b"\x80\x26"  # multicodec ed25519-priv (0x1300) as an unsigned varint
_KEY_BYTES: Final = 32
_SIGNATURE_BYTES: Final = 64
_DID_KEY: Final = "did:key:"
_BASE58BTC: Final = re.compile(r"[1-9A-HJ-NP-Za-km-z]+")
# base58 decoding is quadratic; a Multikey is ~48 characters, so anything much longer is junk.
_MAX_MULTIBASE_CHARS: Final = 128

# Other multicodec prefixes people paste by mistake, named so the error says what was given.
_KNOWN_PREFIXES: Final = {
    b"\x80\x26": "an Ed25519 private key (0x1300)",
    b"\xec\x01": "an X25519 public key (0xec)",
    b"\xe7\x01": "a secp256k1 public key (0xe7)",
    b"\x80\x24": "a P-256 public key (0x1200)",
    b"\x81\x24": "a P-384 public key (0x1201)",
    b"\xeb\x01": "a BLS12-381 G2 public key (0xeb)",
}

# Every encoding of a point of small order (the 8 torsion points, then the non-canonical
# encodings y >= p or x = 0 with the sign bit set). A signature under such a key can be made
# to verify for many messages, so these keys are refused outright.
_SMALL_ORDER_ENCODINGS: Final = frozenset(
    bytes.fromhex(h)
    for h in (
        "0100000000000000000000000000000000000000000000000000000000000000",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000080",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
        "0100000000000000000000000000000000000000000000000000000000000080",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    )
)
_P: Final = 2**255 - 19


def _decode_base58btc(value: object, what: str) -> bytes:
    if not isinstance(value, str):
        raise KeyFormatError("KEY_TYPE", f"{what} must be a string")
    if not value.startswith("z"):
        raise KeyFormatError(
            "KEY_MULTIBASE_PREFIX",
            f"{what} must be multibase base58btc, starting with 'z'",
        )
    body = value[1:]
    if len(body) > _MAX_MULTIBASE_CHARS:
        raise KeyFormatError("KEY_LENGTH", f"{what} is far too long for an Ed25519 key")
    if not _BASE58BTC.fullmatch(body):
        raise KeyFormatError("KEY_BASE58", f"{what} contains characters outside base58btc")
    return _multibase.decode(body)


def _split_multicodec(data: bytes, expected: bytes, what: str) -> bytes:
    prefix = data[:2]
    if prefix != expected:
        known = _KNOWN_PREFIXES.get(prefix)
        found = f"{known}" if known else f"multicodec prefix 0x{prefix.hex() or '(none)'}"
        raise KeyFormatError(
            "KEY_MULTICODEC",
            f"{what} must start with multicodec 0x{expected.hex()}; this is {found}",
        )
    key = data[2:]
    if len(key) != _KEY_BYTES:
        raise KeyFormatError(
            "KEY_LENGTH", f"{what} must hold {_KEY_BYTES} key bytes, found {len(key)}"
        )
    return key


def _check_public_point(raw: bytes) -> None:
    y = int.from_bytes(raw, "little") & ((1 << 255) - 1)
    if raw in _SMALL_ORDER_ENCODINGS:
        raise KeyFormatError(
            "KEY_SMALL_ORDER", "Ed25519 public key is a small-order point and is refused"
        )
    if y >= _P:
        raise KeyFormatError("KEY_NON_CANONICAL", "Ed25519 public key is not canonically encoded")
    # libsodium also refuses points off the curve and points with a torsion component; an
    # honestly generated key (seed * base point) is never either.
    if not nacl.bindings.crypto_core_ed25519_is_valid_point(raw):
        raise KeyFormatError(
            "KEY_INVALID_POINT",
            "Ed25519 public key is not a point of the prime-order subgroup",
        )


class PublicKey:
    """An Ed25519 public key, checked on construction (length, canonical, not small order)."""

    __slots__ = ("_multibase", "_raw", "_verify_key")

    def __init__(self, raw: bytes) -> None:
        if not isinstance(raw, bytes):
            raise KeyFormatError("KEY_TYPE", "Ed25519 public key must be bytes")
        if len(raw) != _KEY_BYTES:
            raise KeyFormatError(
                "KEY_LENGTH", f"Ed25519 public key must be {_KEY_BYTES} bytes, got {len(raw)}"
            )
        _check_public_point(raw)
        self._raw = raw
        self._verify_key = nacl.signing.VerifyKey(raw)
        self._multibase: str | None = None  # computed once: every proof compares against it

    @classmethod
    def from_bytes(cls, raw: bytes) -> PublicKey:
        return cls(raw)

    @classmethod
    def from_multibase(cls, value: str) -> PublicKey:
        """Parse a Multikey `z6Mk…` (base58btc, multicodec 0xed01, 32 bytes)."""
        data = _decode_base58btc(value, "public Multikey")
        return cls(_split_multicodec(data, _PUBLIC_PREFIX, "public Multikey"))

    @classmethod
    def from_did_key(cls, did: str) -> PublicKey:
        """Parse `did:key:z6Mk…` (a DID, without fragment)."""
        if not isinstance(did, str):
            raise KeyFormatError("KEY_TYPE", "did:key must be a string")
        if not did.startswith(_DID_KEY):
            raise KeyFormatError("KEY_DID_FORMAT", "a did:key identifier starts with 'did:key:'")
        if "#" in did:
            raise KeyFormatError(
                "KEY_DID_FORMAT",
                "this has a '#fragment', so it is a verification method id, not a DID",
            )
        return cls.from_multibase(did[len(_DID_KEY) :])

    @classmethod
    def from_verification_method(cls, vm: str) -> PublicKey:
        """Parse `did:key:z6Mk…#z6Mk…`; the fragment must repeat the key, as did:key defines."""
        if not isinstance(vm, str):
            raise KeyFormatError("KEY_TYPE", "verification method must be a string")
        did, sep, fragment = vm.partition("#")
        if not sep:
            raise KeyFormatError(
                "KEY_DID_FORMAT", "a did:key verification method ends with '#<multikey>'"
            )
        key = cls.from_did_key(did)
        if fragment != key.multibase:
            raise KeyFormatError(
                "KEY_FRAGMENT_MISMATCH",
                "the '#fragment' of a did:key verification method must equal its key",
            )
        return key

    @property
    def raw(self) -> bytes:
        return self._raw

    @property
    def multibase(self) -> str:
        if self._multibase is None:
            self._multibase = _multibase.encode(_PUBLIC_PREFIX + self._raw)
        return self._multibase

    @property
    def did(self) -> str:
        return _DID_KEY + self.multibase

    @property
    def verification_method(self) -> str:
        mb = self.multibase
        return f"{_DID_KEY}{mb}#{mb}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        """True when `signature` is a valid Ed25519 signature of `message`; never raises for a
        bad signature (wrong length, wrong type, forged)."""
        if not isinstance(message, bytes):
            raise TypeError("message must be bytes")
        if not isinstance(signature, bytes) or len(signature) != _SIGNATURE_BYTES:
            return False
        try:
            self._verify_key.verify(message, signature)
        except (nacl.exceptions.BadSignatureError, ValueError):
            return False
        return True

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PublicKey):
            return NotImplemented
        return self._raw == other._raw

    def __hash__(self) -> int:
        return hash((PublicKey, self._raw))

    def __repr__(self) -> str:
        return f"PublicKey({self.multibase!r})"


class SigningKey:
    """An Ed25519 private key. Its repr shows only the public key."""

    __slots__ = ("_key", "_public")

    def __init__(self, seed: bytes) -> None:
        if not isinstance(seed, bytes):
            raise KeyFormatError("KEY_TYPE", "Ed25519 seed must be bytes")
        if len(seed) != _KEY_BYTES:
            raise KeyFormatError(
                "KEY_LENGTH", f"Ed25519 seed must be {_KEY_BYTES} bytes, got {len(seed)}"
            )
        self._key = nacl.signing.SigningKey(seed)
        self._public = PublicKey(bytes(self._key.verify_key))

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(bytes(nacl.signing.SigningKey.generate()))

    @classmethod
    def from_seed(cls, seed: bytes) -> SigningKey:
        return cls(seed)

    @classmethod
    def from_multibase(cls, value: str) -> SigningKey:
        """Parse a private Multikey `z3u2…` (base58btc, multicodec 0x8026, 32-byte seed)."""
        data = _decode_base58btc(value, "private Multikey")
        return cls(_split_multicodec(data, _PRIVATE_PREFIX, "private Multikey"))

    @property
    def seed(self) -> bytes:
        """The 32-byte secret seed, for encrypted storage. Handle as a secret."""
        return bytes(self._key)

    def private_multibase(self) -> str:
        """The private Multikey `z3u2…`. Handle as a secret."""
        return _multibase.encode(_PRIVATE_PREFIX + self.seed)

    @property
    def public_key(self) -> PublicKey:
        return self._public

    def sign(self, message: bytes) -> bytes:
        """The 64-byte Ed25519 (pure EdDSA) signature of `message`."""
        if not isinstance(message, bytes):
            raise TypeError("message must be bytes")
        return bytes(self._key.sign(message).signature)

    def __repr__(self) -> str:
        return f"SigningKey(public_key={self._public.multibase!r})"

    def __reduce__(self) -> NoReturn:
        # Pickling would write the seed somewhere unplanned; storage goes through `.seed`.
        raise TypeError("SigningKey cannot be pickled; store its seed encrypted instead")
