"""credentials.keys: Ed25519 keys, Multikey and did:key."""

from __future__ import annotations

import json
import pickle

import base58
import nacl.bindings
import nacl.signing
import pytest
from hypothesis import given
from hypothesis import strategies as st

from credentials.errors import KeyFormatError
from credentials.keys import PublicKey, SigningKey
from tests.credentials._support import VECTORS

P = 2**255 - 19
D = (-121665 * pow(121666, P - 2, P)) % P

VECTOR_KEYS = json.loads((VECTORS / "keyPair.json").read_text())
VECTOR_PUBLIC = VECTOR_KEYS["publicKeyMultibase"]
VECTOR_PRIVATE = VECTOR_KEYS["privateKeyMultibase"]

# All encodings of small-order points, as listed in the literature (e.g. "Taming the many
# EdDSAs", Chalkias et al. 2020): the 8 torsion points, then non-canonical encodings.
SMALL_ORDER = [
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
]


def _multikey(prefix: bytes, payload: bytes) -> str:
    return "z" + base58.b58encode(prefix + payload).decode()


def _code(call: object, *args: object) -> str:
    with pytest.raises(KeyFormatError) as info:
        call(*args)  # type: ignore[operator]
    return info.value.code


# --- the W3C key pair ---------------------------------------------------------------------


def test_vector_private_key_gives_vector_public_key() -> None:
    key = SigningKey.from_multibase(VECTOR_PRIVATE)
    assert key.public_key.multibase == VECTOR_PUBLIC
    assert key.private_multibase() == VECTOR_PRIVATE
    assert key.public_key == PublicKey.from_multibase(VECTOR_PUBLIC)


def test_did_key_forms() -> None:
    key = PublicKey.from_multibase(VECTOR_PUBLIC)
    assert key.did == f"did:key:{VECTOR_PUBLIC}"
    assert key.verification_method == f"did:key:{VECTOR_PUBLIC}#{VECTOR_PUBLIC}"
    assert PublicKey.from_did_key(key.did) == key
    assert PublicKey.from_verification_method(key.verification_method) == key


# --- round trips ----------------------------------------------------------------------------


@given(st.binary(min_size=32, max_size=32))
def test_multikey_round_trip(seed: bytes) -> None:
    key = SigningKey.from_seed(seed)
    public = key.public_key
    assert public.multibase.startswith("z6Mk")
    assert key.private_multibase().startswith("z3u2")
    assert PublicKey.from_multibase(public.multibase) == public
    assert PublicKey.from_bytes(public.raw) == public
    assert PublicKey.from_did_key(public.did) == public
    assert PublicKey.from_verification_method(public.verification_method) == public
    assert SigningKey.from_multibase(key.private_multibase()).seed == seed
    assert key.seed == seed
    # Independent decoding: base58btc of 0xed 0x01 + the key PyNaCl derives from the seed.
    raw = bytes(nacl.signing.SigningKey(seed).verify_key)
    assert base58.b58decode(public.multibase[1:]) == b"\xed\x01" + raw


@given(st.binary(min_size=32, max_size=32), st.binary(max_size=200))
def test_sign_and_verify(seed: bytes, message: bytes) -> None:
    key = SigningKey.from_seed(seed)
    signature = key.sign(message)
    assert len(signature) == 64
    assert key.public_key.verify(message, signature)
    assert not key.public_key.verify(message + b"x", signature)
    flipped = bytes([signature[0] ^ 1]) + signature[1:]
    assert not key.public_key.verify(message, flipped)


def test_verify_never_raises_on_bad_signatures() -> None:
    key = SigningKey.generate()
    good = key.sign(b"m")
    for bad in (b"", good[:63], good + b"\0", bytes(64), b"\xff" * 64, "z" * 64, None, 64):
        assert key.public_key.verify(b"m", bad) is False  # type: ignore[arg-type]
    other = SigningKey.generate().public_key
    assert other.verify(b"m", good) is False


def test_keys_compare_and_hash_by_value() -> None:
    a = SigningKey.generate().public_key
    b = PublicKey.from_multibase(a.multibase)
    c = SigningKey.generate().public_key
    assert a == b and hash(a) == hash(b)
    assert a != c
    assert len({a, b, c}) == 2
    assert a != a.raw


def test_signing_key_does_not_show_its_secret() -> None:
    key = SigningKey.from_multibase(VECTOR_PRIVATE)
    seed = key.seed
    for text in (repr(key), str(key), f"{key}"):
        assert VECTOR_PRIVATE not in text
        assert seed.hex() not in text
        assert repr(seed) not in text
        assert VECTOR_PUBLIC in text
    with pytest.raises(TypeError):
        pickle.dumps(key)


# --- refusals -------------------------------------------------------------------------------


def test_wrong_multibase_prefix() -> None:
    body = base58.b58encode(b"\xed\x01" + bytes(range(1, 33))).decode()
    for value in (body, "u" + body, "f" + body, "Z" + body, ""):
        assert _code(PublicKey.from_multibase, value) == "KEY_MULTIBASE_PREFIX"


def test_not_base58btc() -> None:
    for value in ("z6Mk0OIl", "z6Mk rJV", "z6Mk\n", "z", "z６Mk"):
        assert _code(PublicKey.from_multibase, value) == "KEY_BASE58"


def test_wrong_multicodec_prefix() -> None:
    raw = SigningKey.generate().public_key.raw
    for prefix in (b"\xec\x01", b"\xe7\x01", b"\x80\x24", b"\xed\x00", b"\x01\xed", b""):
        assert _code(PublicKey.from_multibase, _multikey(prefix, raw)) == "KEY_MULTICODEC"


def test_private_key_given_as_public_key_is_named() -> None:
    with pytest.raises(KeyFormatError) as info:
        PublicKey.from_multibase(VECTOR_PRIVATE)
    assert info.value.code == "KEY_MULTICODEC"
    assert "private key" in info.value.message
    assert VECTOR_PRIVATE not in info.value.message
    assert _code(SigningKey.from_multibase, VECTOR_PUBLIC) == "KEY_MULTICODEC"


@pytest.mark.parametrize("length", [0, 1, 31, 33, 64])
def test_wrong_length(length: int) -> None:
    payload = bytes([9]) * length
    assert _code(PublicKey.from_multibase, _multikey(b"\xed\x01", payload)) == "KEY_LENGTH"
    assert _code(SigningKey.from_multibase, _multikey(b"\x80\x26", payload)) == "KEY_LENGTH"
    assert _code(PublicKey.from_bytes, payload) == "KEY_LENGTH"
    assert _code(SigningKey.from_seed, payload) == "KEY_LENGTH"


def test_far_too_long_is_refused_before_decoding() -> None:
    assert _code(PublicKey.from_multibase, "z" + "2" * 10_000) == "KEY_LENGTH"


def test_non_strings_are_refused() -> None:
    for value in (None, 1, b"z6Mk", ["z6Mk"]):
        assert _code(PublicKey.from_multibase, value) == "KEY_TYPE"
        assert _code(PublicKey.from_did_key, value) == "KEY_TYPE"
        assert _code(PublicKey.from_verification_method, value) == "KEY_TYPE"
    assert _code(PublicKey.from_bytes, "x" * 32) == "KEY_TYPE"
    assert _code(SigningKey.from_seed, bytearray(32)) == "KEY_TYPE"


@pytest.mark.parametrize("encoding", SMALL_ORDER)
def test_small_order_points_are_refused(encoding: str) -> None:
    raw = bytes.fromhex(encoding)
    assert _code(PublicKey.from_bytes, raw) == "KEY_SMALL_ORDER"
    assert _code(PublicKey.from_multibase, _multikey(b"\xed\x01", raw)) == "KEY_SMALL_ORDER"


def _on_curve(y: int) -> bool:
    """Whether some x satisfies -x² + y² = 1 + d·x²·y² (Euler's criterion on x²)."""
    u, v = (y * y - 1) % P, (D * y * y + 1) % P
    x2 = u * pow(v, P - 2, P) % P
    return x2 == 0 or pow(x2, (P - 1) // 2, P) == 1


def test_point_not_on_the_curve_is_refused() -> None:
    y = next(y for y in range(2, 100) if not _on_curve(y))
    raw = y.to_bytes(32, "little")
    assert _code(PublicKey.from_bytes, raw) == "KEY_INVALID_POINT"


def test_non_canonical_encoding_is_refused() -> None:
    # y = p + 2 (only representable because 2**255 - 19 < 2**255): not the canonical y = 2.
    raw = (P + 2).to_bytes(32, "little")
    assert _code(PublicKey.from_bytes, raw) == "KEY_NON_CANONICAL"


def test_key_with_a_torsion_component_is_refused() -> None:
    honest = SigningKey.generate().public_key.raw
    torsion = bytes.fromhex(SMALL_ORDER[4])
    mixed = nacl.bindings.crypto_core_ed25519_add(honest, torsion)
    assert _code(PublicKey.from_bytes, mixed) == "KEY_INVALID_POINT"


def test_did_key_format_errors() -> None:
    key = SigningKey.generate().public_key
    other = SigningKey.generate().public_key
    assert _code(PublicKey.from_did_key, key.multibase) == "KEY_DID_FORMAT"
    assert _code(PublicKey.from_did_key, "did:web:" + key.multibase) == "KEY_DID_FORMAT"
    assert _code(PublicKey.from_did_key, key.verification_method) == "KEY_DID_FORMAT"
    assert _code(PublicKey.from_verification_method, key.did) == "KEY_DID_FORMAT"
    assert _code(PublicKey.from_verification_method, f"{key.did}#{other.multibase}") == (
        "KEY_FRAGMENT_MISMATCH"
    )
    assert _code(PublicKey.from_verification_method, f"{key.did}#key-1") == (
        "KEY_FRAGMENT_MISMATCH"
    )
    assert _code(PublicKey.from_verification_method, f"{key.did}#") == "KEY_FRAGMENT_MISMATCH"
