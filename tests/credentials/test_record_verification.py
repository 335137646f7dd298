"""`verify_ce_record`'s own promises beyond the differential run's records
(tests/web/test_differential.py holds it to the page's record.js case by case): a bug in the
chain's check is a VERIFIER_ERROR report, never an exception or a pass."""

from __future__ import annotations

import datetime as dt

import pytest

from credentials import SigningKey, rootchain, sign_proof, verify_ce_record
from credentials.report import Status

ROOT = SigningKey.from_seed(bytes([0x71]) * 32)
NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
RECORD = {
    "type": ["VerifiableCredential", "ContinuingEducationRecord"],
    "issuer": {"id": "urn:dte:registry"},
}


def test_a_genuine_record_is_valid() -> None:
    record = sign_proof(RECORD, ROOT, created=NOW - dt.timedelta(days=1))
    report = verify_ce_record(record, [ROOT.public_key], now=NOW)
    assert (report.valid, report.code, report.binding.status) == (True, None, Status.SKIPPED)


def test_a_failure_inside_the_check_is_reported_not_raised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object, **kwargs: object) -> rootchain.Signer:
        raise RuntimeError("a bug")

    monkeypatch.setattr(rootchain, "credential_signer", broken)
    record = sign_proof(RECORD, ROOT, created=NOW - dt.timedelta(days=1))
    report = verify_ce_record(record, [ROOT.public_key], card_number="x", now=NOW)
    assert (report.valid, report.code, report.signer) == (False, "VERIFIER_ERROR", None)
    assert "a bug" in report.message and report.binding.status is Status.SKIPPED
