"""credentials._proof: what its mutation run showed unasserted. A failed verification keeps its
whole report (ok, code, message, the claimed key and `created`), for every failure after the
proof's options were read."""

from __future__ import annotations

from credentials._proof import ProofCheck, sign, verify
from tests.credentials._support import CREATED, issuer_key

CONTEXT = ["https://www.w3.org/ns/credentials/v2"]


def signed() -> dict:
    return sign({"@context": CONTEXT, "name": "张三"}, issuer_key(), created=CREATED)


def test_a_context_mismatch_reports_the_claimed_key_and_created() -> None:
    document = {**signed(), "@context": ["https://example.org/other"]}
    assert verify(document, issuer_key().public_key) == ProofCheck(
        False,
        "PROOF_CONTEXT_MISMATCH",
        "the document's @context does not start with the proof's @context",
        issuer_key().public_key.verification_method,
        CREATED,
    )


def test_an_invalid_signature_reports_the_claimed_key_and_created() -> None:
    document = {**signed(), "name": "李四"}
    assert verify(document, issuer_key().public_key) == ProofCheck(
        False,
        "PROOF_SIGNATURE_INVALID",
        "the signature does not match the document",
        issuer_key().public_key.verification_method,
        CREATED,
    )
