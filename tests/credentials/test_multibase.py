"""credentials._multibase decodes base58btc without the base58 package, byte for byte alike."""

from __future__ import annotations

import base58
from hypothesis import example, given
from hypothesis import strategies as st

from credentials import _multibase, _proof


@given(st.binary(max_size=80))
@example(b"")
@example(b"\0" * 5)
@example(b"\0\0\x01" + b"\xff" * 61)
def test_decode_matches_the_package(raw: bytes) -> None:
    text = base58.b58encode(raw).decode("ascii")
    assert _multibase.decode(text) == base58.b58decode(text) == raw
    assert _multibase.encode(raw) == "z" + text


@given(st.text(alphabet=_multibase.ALPHABET, max_size=100))
def test_decode_matches_the_package_on_any_text(text: str) -> None:
    assert _multibase.decode(text) == bytes(base58.b58decode(text))


def test_the_alphabet_is_bitcoins() -> None:
    assert _multibase.ALPHABET == base58.BITCOIN_ALPHABET.decode("ascii")


@given(st.binary(min_size=64, max_size=64))
def test_proof_values_round_trip(signature: bytes) -> None:
    assert _proof.decode_proof_value(_proof.encode_proof_value(signature)) == signature
