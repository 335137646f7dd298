"""`registry verify` for what the registry itself signs, against the pinned root alone:

    registry verify CE-RECORD.json --root-key MULTIBASE [--card ID] [--json]
    registry verify FILE --signature FILE.sig --root-key MULTIBASE [--json]

A continuing-education record and a detached signature of the open data carry the chain from
the root to the key that signed them (`credentials.rootchain`), so nothing but the pinned root is
needed: no bundle, no network. Exit 0 when the chain, the signature (and the holder binding, when
a card number is given) hold; 1 otherwise, with the reason's code; 2 when a file is unreadable.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any, Final

import click

from credentials import (
    DetachedSignatureError,
    PublicKey,
    format_timestamp,
    printable,
    rootchain,
    verify_ce_record,
    verify_detached,
)

__all__ = ["check_detached", "check_record"]

EXIT_VALID: Final = 0
EXIT_INVALID: Final = 1


def _signer(signer: rootchain.Signer) -> dict[str, Any]:
    out: dict[str, Any] = {"key": signer.key.multibase, "root": signer.anchor.multibase}
    if signer.certificate is not None:
        out["certifiedUntil"] = format_timestamp(signer.certificate.valid_until)
    return out


def _signer_line(found: Mapping[str, Any]) -> str:
    if "certifiedUntil" in found:
        return (
            f"Signed for the registry by bundle key {found['key']}, certified by the pinned "
            f"root {found['root']} until {found['certifiedUntil']}"
        )
    return f"Signed for the registry by the root {found['key']} (pinned: {found['root']})"


def _emit(result: dict[str, Any], lines: list[str], as_json: bool) -> int:
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
    else:
        click.echo("\n".join(printable(line) for line in lines))
    return EXIT_VALID if result["valid"] else EXIT_INVALID


def _refused(code: str, message: str, as_json: bool) -> int:
    result = {"valid": False, "code": code, "message": message}
    # The verifier's own failure says nothing about the document: not "not valid".
    word = "NOT VERIFIED" if code == "VERIFIER_ERROR" else "NOT VALID"
    return _emit(result, [f"{word}: {message} ({code})"], as_json)


def check_record(credential: Any, roots: list[PublicKey], card: str | None, as_json: bool) -> int:
    """A continuing-education record against the pinned roots alone (`verify_ce_record`)."""
    report = verify_ce_record(credential, roots, card_number=card, now=dt.datetime.now(dt.UTC))
    if report.signer is None:
        return _refused(str(report.code), report.message, as_json)
    binding = report.binding
    found = _signer(report.signer)
    result = {"valid": report.valid, "code": report.code, "signer": found}
    result["holderBinding"] = {"status": binding.status.value, "code": binding.code}
    lines = [_signer_line(found), f"holder_binding: {binding.status.value} {binding.message}"]
    lines.append(
        f"VALID: {report.message}"
        if report.valid
        else f"NOT VALID: {report.message} ({report.code})"
    )
    return _emit(result, lines, as_json)


def check_detached(body: bytes, signature: Any, roots: list[PublicKey], as_json: bool) -> int:
    """A file and its detached signature against the pinned roots alone."""
    try:
        signer = verify_detached(body, signature, roots, now=dt.datetime.now(dt.UTC))
    except DetachedSignatureError as exc:
        return _refused(exc.code, exc.message, as_json)
    found = _signer(signer)
    signs = signature.get("signs") if isinstance(signature, dict) else None
    result = {"valid": True, "code": None, "signer": found, "signs": signs}
    lines = [
        _signer_line(found),
        # `signs` is the signature document's own word, outside what is signed: named, not vouched.
        f"VALID: this file is exactly as the registry signed it (the signature file names "
        f"{printable(str(signs))[:200]})",
    ]
    return _emit(result, lines, as_json)
