"""The W3C eddsa-jcs-2022 test vectors (vc-di-eddsa Recommendation), every intermediate value."""

from __future__ import annotations

import json
from typing import Any

import pytest

from credentials import _proof as proof
from credentials.keys import PublicKey, SigningKey
from tests.credentials._support import VECTORS


def _text(name: str) -> str:
    return (VECTORS / name).read_text("utf-8").strip()


def _bytes(name: str) -> bytes:
    # The .txt vectors are exact bytes; none ends with a newline.
    data = (VECTORS / name).read_bytes()
    assert not data.endswith(b"\n")
    return data


@pytest.fixture(scope="module")
def signed() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(_text("signedJCS.json"))
    return loaded


@pytest.fixture(scope="module")
def unsigned(signed: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in signed.items() if k != "proof"}


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return SigningKey.from_multibase(json.loads(_text("keyPair.json"))["privateKeyMultibase"])


@pytest.fixture(scope="module")
def options(unsigned: dict[str, Any], key: SigningKey) -> dict[str, Any]:
    created = json.loads(_text("proofConfigJCS.json"))["created"]
    return proof.proof_options(unsigned, key.public_key.verification_method, created=created)


def test_proof_configuration(options: dict[str, Any]) -> None:
    assert options == json.loads(_text("proofConfigJCS.json"))


def test_canonical_proof_config(options: dict[str, Any]) -> None:
    assert proof.canonical_proof_config(options) == _bytes("proofCanonJCS.txt")


def test_canonical_document(unsigned: dict[str, Any]) -> None:
    assert proof.canonical_document(unsigned) == _bytes("canonDocJCS.txt")


def test_hashes(options: dict[str, Any], unsigned: dict[str, Any]) -> None:
    config = proof.canonical_proof_config(options)
    document = proof.canonical_document(unsigned)
    assert proof.proof_config_hash(config).hex() == _text("proofHashJCS.txt")
    assert proof.document_hash(document).hex() == _text("docHashJCS.txt")
    combined = proof.hash_data(config, document)
    assert combined.hex() == _text("combinedHashJCS.txt")
    assert combined[:32] == proof.proof_config_hash(config)  # proof config hash comes first


def test_signature(options: dict[str, Any], unsigned: dict[str, Any], key: SigningKey) -> None:
    data = proof.hash_data(
        proof.canonical_proof_config(options), proof.canonical_document(unsigned)
    )
    signature = key.sign(data)
    assert signature.hex() == _text("sigHexJCS.txt")
    assert proof.encode_proof_value(signature) == _text("sigBTC58JCS.txt")
    assert proof.decode_proof_value(_text("sigBTC58JCS.txt")).hex() == _text("sigHexJCS.txt")


def test_signed_document_verifies(signed: dict[str, Any], key: SigningKey) -> None:
    public = PublicKey.from_multibase(json.loads(_text("keyPair.json"))["publicKeyMultibase"])
    assert public == key.public_key
    check = proof.verify(signed, public)
    assert check == proof.ProofCheck(
        True, "PROOF_OK", "proof verified", public.verification_method, "2023-02-24T23:36:38Z"
    )
    assert signed["proof"]["proofValue"] == _text("sigBTC58JCS.txt")


def test_signing_reproduces_the_signed_vector(
    signed: dict[str, Any], unsigned: dict[str, Any], key: SigningKey
) -> None:
    again = proof.sign(unsigned, key, created="2023-02-24T23:36:38Z")
    assert again["proof"]["proofValue"] == signed["proof"]["proofValue"]
    assert again == signed
    assert json.dumps(again) == json.dumps(signed)  # same member order too


def test_vector_rejected_under_another_key(signed: dict[str, Any]) -> None:
    other = SigningKey.from_seed(bytes(32)).public_key
    assert proof.verify(signed, other).code == "PROOF_KEY_MISMATCH"
    relabelled = {
        **signed,
        "proof": {**signed["proof"], "verificationMethod": other.verification_method},
    }
    assert proof.verify(relabelled, other).code == "PROOF_SIGNATURE_INVALID"
