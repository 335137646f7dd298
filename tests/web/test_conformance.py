"""The conformance corpus (tests/vectors/conformance/): the Python verifier and the page's
verifier give the same verdict and the same status and code for every check, case by case.

The page's side runs here in Node three times: with WebCrypto's Ed25519, with the fallback
library, and with no WebCrypto at all; tests/web/test_browser.py runs it again inside Chromium."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from credentials import BundleError, MemoryBundleStore, PublicKey, load_bundle, verify_credential
from service.verify_cli import Unreadable, read_credential

from .conftest import CORPUS, PAGE, ROOT, node

MANIFEST = json.loads((CORPUS / "manifest.json").read_text("utf-8"))
CASES = {case["id"]: case for case in MANIFEST["cases"]}
BUNDLE_CASES = {case["id"]: case for case in MANIFEST["bundles"]}
ROOT_KEY = PublicKey.from_multibase(MANIFEST["rootKey"])


def python_result(case: dict[str, Any]) -> dict[str, Any]:
    from credentials import parse_timestamp

    try:
        credential = read_credential(str(CORPUS / case["input"]))
    except Unreadable:
        return {"unreadable": True}
    document = json.loads((CORPUS / case["bundle"]).read_text("utf-8"))
    bundle = load_bundle(document, [ROOT_KEY])
    report = verify_credential(
        credential, bundle=bundle, card_number=case["card"], now=parse_timestamp(case["now"])
    )
    return {
        "verdict": report.verdict.value,
        "checks": [
            {"name": c.name, "status": c.status.value, "code": c.code} for c in report.checks
        ],
    }


def expected(case: dict[str, Any]) -> dict[str, Any]:
    want = case["expected"]
    if want.get("unreadable"):
        return {"unreadable": True}
    return {"verdict": want["verdict"], "checks": want["checks"]}


def comparable(result: dict[str, Any]) -> dict[str, Any]:
    if result.get("unreadable"):
        return {"unreadable": True}
    return {"verdict": result["verdict"], "checks": result["checks"]}


def test_the_corpus_is_current(tmp_path: Path) -> None:
    """The committed corpus is what the generator writes now (it is deterministic)."""
    out = tmp_path / "corpus"
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_conformance_corpus.py"), str(out)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    written = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(CORPUS) for p in CORPUS.rglob("*") if p.is_file())
    assert written == committed
    stale = [str(p) for p in written if (out / p).read_bytes() != (CORPUS / p).read_bytes()]
    assert stale == [], f"regenerate: .venv/bin/python scripts/make_conformance_corpus.py ({stale})"


def test_the_corpus_covers_what_the_issue_asks() -> None:
    codes = {case["expected"].get("code") for case in CASES.values()}
    verdicts = {case["expected"].get("verdict") for case in CASES.values()}
    assert {"VALID", "INVALID", "STATUS_UNKNOWN"} <= verdicts
    assert {
        "PROOF_SIGNATURE_INVALID",  # tampered
        "REVOKED",
        "KEY_NOT_ISSUERS",  # wrong issuer
        "NOT_LISTED_ON_DATE",
        "OUT_OF_SCOPE",
        "KEY_RETIRED",
        "BINDING_MISMATCH",
        "NOT_A_JSON_OBJECT",  # malformed
    } <= codes
    assert any(c["card"] and c["expected"].get("verdict") == "VALID" for c in CASES.values())
    assert any(c["expected"].get("unreadable") for c in CASES.values())


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_python_verifier(case_id: str) -> None:
    case = CASES[case_id]
    assert python_result(case) == expected(case)


@pytest.mark.parametrize("case_id", sorted(BUNDLE_CASES))
def test_python_bundle_loading(case_id: str) -> None:
    case = BUNDLE_CASES[case_id]
    store = MemoryBundleStore()
    if case["highestSequence"] is not None:
        store.record_sequence(ROOT_KEY.multibase, case["highestSequence"])
    document = json.loads((CORPUS / case["file"]).read_text("utf-8"))
    outcome: dict[str, Any]
    try:
        load_bundle(document, [ROOT_KEY], store=store)
        outcome = {"accepted": True, "code": None}
    except BundleError as exc:
        outcome = {"accepted": False, "code": exc.code}
    assert outcome == case["expected"]


def run_node(*flags: str) -> dict[str, Any]:
    result = subprocess.run(
        [node(), "tools/corpus.mjs", str(CORPUS), *flags],
        cwd=PAGE,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    output: dict[str, Any] = json.loads(result.stdout)
    return output


@pytest.fixture(scope="module", params=["webcrypto", "noble", "no-subtle"])
def node_results(request: pytest.FixtureRequest) -> dict[str, Any]:
    """webcrypto: as in current browsers; noble: the fallback Ed25519; no-subtle: a page on plain
    http, where browsers give no crypto.subtle at all."""
    return run_node(*([] if request.param == "webcrypto" else [f"--{request.param}"]))


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_page_verifier_in_node(case_id: str, node_results: dict[str, Any]) -> None:
    assert comparable(node_results["cases"][case_id]) == expected(CASES[case_id])


@pytest.mark.parametrize("case_id", sorted(BUNDLE_CASES))
def test_page_bundle_loading_in_node(case_id: str, node_results: dict[str, Any]) -> None:
    assert node_results["bundles"][case_id] == BUNDLE_CASES[case_id]["expected"]


def test_node_unit_tests() -> None:
    """`npm test`: the corpus again from Node's test runner, inflate against zlib, strict JSON."""
    result = subprocess.run(
        [node(), "--test", "test/"],
        cwd=PAGE,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


TIME_FREE = sorted(
    case_id
    for case_id, case in CASES.items()
    if case["expected"].get("unreadable")
    or (
        case["expected"]["firstProblem"] in ("input", "proof", "issuer_key", "issuer_listed")
        and case["expected"]["code"] != "ISSUED_IN_FUTURE"
    )
)


@pytest.mark.parametrize("case_id", TIME_FREE)
def test_registry_verify_command(
    case_id: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`registry verify` itself on the cases whose outcome does not depend on today's date (the
    command verifies at the current time; the corpus is fixed in November 2026)."""
    from click.testing import CliRunner

    from service.verify_cli import verify_command

    case = CASES[case_id]
    monkeypatch.setenv("REGISTRY_BUNDLE_STATE", str(tmp_path / "sequences.json"))
    args = [str(CORPUS / case["input"]), "--bundle", str(CORPUS / case["bundle"])]
    args += ["--root-key", MANIFEST["rootKey"], "--json"]
    if case["card"]:
        args += ["--card", case["card"]]
    result = CliRunner().invoke(verify_command, args)
    if case["expected"].get("unreadable"):
        assert result.exit_code == 2
        return
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["verdict"] == case["expected"]["verdict"]
    checks = [{k: c[k] for k in ("name", "status", "code")} for c in report["checks"]]
    first = next(i for i, c in enumerate(checks) if c["status"] == "FAIL")
    assert checks[: first + 1] == case["expected"]["checks"][: first + 1]
