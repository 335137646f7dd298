"""docs/transparency.md: the Python example of the verifier half runs verbatim, against the
conformance corpus's bundle and logged certificate file, and prints what the page says."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "transparency.md"
CORPUS = ROOT / "tests" / "vectors" / "conformance"


def _python_block(heading: str) -> str:
    text = DOC.read_text("utf-8")
    section = text[text.index(heading) :]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match is not None
    return match.group(1)


def test_the_credential_file_example_runs_verbatim(tmp_path: Path) -> None:
    shutil.copy(CORPUS / "bundle.json", tmp_path / "bundle.json")
    shutil.copy(CORPUS / "manifest.json", tmp_path / "manifest.json")
    shutil.copy(CORPUS / "cases" / "in-log.json", tmp_path / "certificate-file.json")
    (tmp_path / "example.py").write_text(_python_block("## Checking a credential file in Python"))
    result = subprocess.run(
        [sys.executable, "example.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["PASS IN_LOG 12", "dte-registry.cn/log True"]
