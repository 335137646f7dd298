"""credentials.proof decodes proof values without the base58 package, byte for byte alike."""

from __future__ import annotations

import base58
from hypothesis import example, given
from hypothesis import strategies as st

from credentials import proof


@given(st.binary(max_size=80))
@example(b"")
@example(b"\0" * 5)
@example(b"\0\0\x01" + b"\xff" * 61)
def test_b58decode_matches_the_package(raw: bytes) -> None:
    text = base58.b58encode(raw).decode("ascii")
    assert proof._b58decode(text) == base58.b58decode(text) == raw


@given(st.text(alphabet=proof._B58_ALPHABET, max_size=100))
def test_b58decode_matches_the_package_on_any_text(text: str) -> None:
    assert proof._b58decode(text) == bytes(base58.b58decode(text))


@given(st.binary(min_size=64, max_size=64))
def test_proof_values_round_trip(signature: bytes) -> None:
    assert proof.decode_proof_value(proof.encode_proof_value(signature)) == signature
