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

from credentials import PublicKey, load_bundle, parse_timestamp, verify_credential
from service.verify_cli import Unreadable, read_credential

from .conftest import PAGE, node
from .hostile import CLASSES, hostile_inputs, write_corpus


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
    return out


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
    cases: dict[str, Any] = json.loads(result.stdout)["cases"]
    return {key: {k: v for k, v in value.items() if k != "reason"} for key, value in cases.items()}


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


def test_both_verifiers_agree_on_every_hostile_input(
    both: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    python, page = both
    assert python.keys() == page.keys()
    differences = {key: (python[key], page[key]) for key in python if python[key] != page[key]}
    summary = json.dumps(differences, indent=1)[:6000]
    assert differences == {}, f"{len(differences)} of {len(python)} differ:\n{summary}"
