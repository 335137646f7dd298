"""Two verifiers, one verdict (issue 14, item 16): every hostile input of tests/web/hostile.py
goes through the Python verifier and through the page's verifier in Node (one process for all
of them), and the verdict, the description (whose credential it names, issue 16 item 5) and every
check's status and code must be the same: zero differences.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from credentials import (
    BundleError,
    DetachedSignatureError,
    MemoryBundleStore,
    PublicKey,
    is_ce_record,
    load_bundle,
    parse_timestamp,
    verify_ce_record,
    verify_credential,
    verify_detached,
)
from service.verify_cli import Unreadable, read_credential

from .conftest import PAGE, node
from .hostile import CLASSES, hostile_inputs, write_corpus

CHAIN_VERDICTS = {
    "certified": None,
    "certified-older": "BUNDLE_ROLLBACK",
    "uncertified": "BUNDLE_UNTRUSTED_KEY",
    "expired-now": "BUNDLE_CERT_EXPIRED",
    "expired-at-issue": "BUNDLE_CERT_EXPIRED",
    "ends-at-issue": "BUNDLE_CERT_EXPIRED",
    "not-yet-valid": "BUNDLE_CERT_NOT_YET_VALID",
    "other-root": "BUNDLE_CERT_UNTRUSTED_ROOT",
    "wrong-key": "BUNDLE_CERT_WRONG_KEY",
    "forged-root": "BUNDLE_CERT_UNTRUSTED_ROOT",
    "stretched": "BUNDLE_CERT_SIGNATURE",
    "cert-null": "BUNDLE_CERT_INVALID",
    "cert-list": "BUNDLE_CERT_INVALID",
    "cert-number": "BUNDLE_CERT_INVALID",
    "cert-empty": "BUNDLE_CERT_INVALID",
    "cert-bad-bundleKey": "BUNDLE_CERT_INVALID",
    "cert-bad-validFrom": "BUNDLE_CERT_INVALID",
    "rotated": None,
    "rotated-twice-backwards": None,
    "rotated-then-certified": None,
    "rotation-missing": "BUNDLE_UNTRUSTED_KEY",
    "rotation-forged": "BUNDLE_ROTATION_SIGNATURE",
    "rotation-foreign": "BUNDLE_UNTRUSTED_KEY",
    "rotations-null": "BUNDLE_ROTATION_INVALID",
    "rotations-object": "BUNDLE_ROTATION_INVALID",
    "rotations-strings": "BUNDLE_ROTATION_INVALID",
}

DETACHED_VERDICTS = {
    "root": None,
    "certified": None,
    "uncertified": "BUNDLE_UNTRUSTED_KEY",
    "expired-now": "BUNDLE_CERT_EXPIRED",
    "not-yet-valid": "BUNDLE_CERT_NOT_YET_VALID",
    "other-root": "BUNDLE_CERT_UNTRUSTED_ROOT",
    "wrong-key": "BUNDLE_CERT_WRONG_KEY",
    "stretched": "BUNDLE_CERT_SIGNATURE",
    "cert-null": "BUNDLE_CERT_INVALID",
    "rotated": None,
    "rotated-then-certified": None,
    "rotation-forged": "BUNDLE_ROTATION_SIGNATURE",
    "rotations-null": "BUNDLE_ROTATION_INVALID",
    "digest-of-another-file": "DETACHED_DIGEST",
    "signature-of-another-file": "DETACHED_SIGNATURE",
    "type-other": "DETACHED_INVALID",
    "not-an-object": "DETACHED_INVALID",
    "sha256-number": "DETACHED_INVALID",
    "key-not-multikey": "DETACHED_INVALID",
    "key-missing": "DETACHED_INVALID",
    "signature-not-base64": "DETACHED_INVALID",
    "signature-unpadded": "DETACHED_INVALID",
    "signature-short": "DETACHED_SIGNATURE",
    "signature-null": "DETACHED_INVALID",
}

RECORD_VERDICTS = {
    "root": None,
    "certified": None,
    "uncertified": "BUNDLE_UNTRUSTED_KEY",
    "expired-now": "BUNDLE_CERT_EXPIRED",
    "signed-after-expiry": "BUNDLE_CERT_EXPIRED",
    "signed-before-start": "BUNDLE_CERT_NOT_YET_VALID",
    "other-root": "BUNDLE_CERT_UNTRUSTED_ROOT",
    "rotated-then-certified": None,
    "changed": "REGISTRY_PROOF",
    "no-proof": "REGISTRY_PROOF",
    "created-not-a-time": "REGISTRY_PROOF",
    "proof-set": "REGISTRY_PROOF",
    "not-an-object": "REGISTRY_PROOF",
    # Checked with a card number: the binding only once the chain and the proof hold.
    "bound-right-card": None,
    "bound-certified-right-card": None,
    "bound-wrong-card": "BINDING_MISMATCH",
    "bound-not-a-card": "BINDING_CARD_INVALID",
    "unbound-with-card": "NO_HOLDER_BINDING",
    "bound-changed-wrong-card": "REGISTRY_PROOF",
    "also-a-certificate": None,
    "type-a-string": None,
}


def python_records(folder: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    root = PublicKey.from_multibase(manifest["rootKey"])
    out: dict[str, Any] = {}
    for entry in manifest["records"]:
        record = json.loads((folder / entry["file"]).read_text("utf-8"))
        now = parse_timestamp(entry["now"])
        report = verify_ce_record(record, (root,), card_number=entry.get("card"), now=now)
        binding = [report.binding.status.value, report.binding.code]
        out[entry["id"]] = {
            "accepted": report.valid,
            "code": report.code,
            "binding": binding,
            "routed": is_ce_record(record),
        }
    return out


def python_detached(folder: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    root = PublicKey.from_multibase(manifest["rootKey"])
    out: dict[str, Any] = {}
    for entry in manifest["detached"]:
        body = (folder / entry["file"]).read_bytes()
        signature = json.loads((folder / entry["signature"]).read_text("utf-8"))
        try:
            verify_detached(body, signature, [root], now=parse_timestamp(entry["now"]))
            out[entry["id"]] = {"accepted": True, "code": None}
        except DetachedSignatureError as exc:
            out[entry["id"]] = {"accepted": False, "code": exc.code}
    return out


def python_results(folder: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    root = PublicKey.from_multibase(manifest["rootKey"])
    bundle = load_bundle(json.loads((folder / "bundle.json").read_text("utf-8")), [root])
    out: dict[str, Any] = {}
    for case in manifest["cases"]:
        try:
            credential = read_credential(str(folder / case["input"]))
        except Unreadable:
            out[case["id"]] = {"unreadable": True}
            continue
        report = verify_credential(credential, bundle=bundle, now=parse_timestamp(case["now"]))
        checks = [{"name": c.name, "status": c.status.value, "code": c.code} for c in report.checks]
        description = report.description.to_dict() if report.description is not None else None
        out[case["id"]] = {
            "verdict": report.verdict.value,
            "description": description,
            "checks": checks,
        }
    for entry in manifest["bundles"]:
        document = json.loads((folder / entry["file"]).read_text("utf-8"))
        store = MemoryBundleStore()  # what was accepted before, under the pinned root
        if entry.get("highestSequence") is not None:
            store.record_sequence(root.multibase, entry["highestSequence"])
        try:
            load_bundle(document, [root], now=parse_timestamp(entry["now"]), store=store)
            out[entry["id"]] = {"accepted": True, "code": None}
        except BundleError as exc:
            out[entry["id"]] = {"accepted": False, "code": exc.code}
    return {**out, **python_detached(folder, manifest), **python_records(folder, manifest)}


def page_results(folder: Path) -> dict[str, Any]:
    result = subprocess.run(
        [node(), "tools/corpus.mjs", str(folder)],
        cwd=PAGE,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    output = json.loads(result.stdout)
    cases: dict[str, Any] = output["cases"]
    out = {key: {k: v for k, v in value.items() if k != "reason"} for key, value in cases.items()}
    return {**out, **output["bundles"], **output["detached"], **output["records"]}


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any]]:
    folder = tmp_path_factory.mktemp("hostile")
    manifest = write_corpus(hostile_inputs(), folder)
    return python_results(folder, manifest), page_results(folder)


def test_the_generator_covers_every_class_and_is_deterministic() -> None:
    first, second = hostile_inputs(), hostile_inputs()
    assert [(h.id, h.data) for h in first] == [(h.id, h.data) for h in second]
    ids = [h.id for h in first]
    assert len(ids) == len(set(ids))
    assert {i.split(".")[0] for i in ids} == set(CLASSES)


def test_the_bundle_chain_cases_are_judged_as_designed(
    both: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    """Not only alike: the accepted ones are the good chains, each refusal has its code."""
    python, _ = both
    verdicts = {
        k.removeprefix("chain."): v["code"] for k, v in python.items() if k.startswith("chain.")
    }
    assert verdicts == CHAIN_VERDICTS


def test_the_detached_signature_cases_are_judged_as_designed(
    both: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    """The open data's signatures and the continuing-education records: the good chains
    accepted, each refusal with its code."""
    python, _ = both
    verdicts = {
        k.removeprefix("detached."): v["code"]
        for k, v in python.items()
        if k.startswith("detached.")
    }
    assert verdicts == DETACHED_VERDICTS
    records = {
        k.removeprefix("record."): v["code"] for k, v in python.items() if k.startswith("record.")
    }
    assert records == RECORD_VERDICTS
    # Which documents are checked as records at all (the page's and `registry verify`'s routing).
    routed = {k for k, v in python.items() if k.startswith("record.") and v["routed"]}
    assert routed == {f"record.{k}" for k in RECORD_VERDICTS} - {
        "record.not-an-object",
        "record.also-a-certificate",
        "record.type-a-string",
    }


def test_both_verifiers_agree_on_every_hostile_input(
    both: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    python, page = both
    assert python.keys() == page.keys()
    differences = {key: (python[key], page[key]) for key in python if python[key] != page[key]}
    summary = json.dumps(differences, indent=1)[:6000]
    assert differences == {}, f"{len(differences)} of {len(python)} differ:\n{summary}"
