"""docs/transparency.md runs: the log half's worked example (every `pycon` block, verbatim)
against a demo (a smaller one: 40 certificates) served by the real app on a loopback port, with
the demo's files exported as `registry serve --demo` exports them; and the verifier half's Python
example, verbatim, against the conformance corpus's bundle and logged certificate file."""

from __future__ import annotations

import asyncio
import doctest
import io
import re
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from click.testing import CliRunner

from registry.demo import certificates as demo_certificates
from registry.demo import directory as demo
from registry.settings import Settings
from registry.storage.db import Database
from service.verify_cli import verify_command
from tests.conftest import serving

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


def example() -> str:
    """The page's `pycon` blocks, in order, as one doctest text."""
    lines = DOC.read_text(encoding="utf-8").splitlines()
    out: list[str] = []
    inside = False
    for line in lines:
        if line == "```pycon":
            inside = True
        elif inside and line == "```":
            inside = False
        elif inside:
            out.append(line)
    return "\n".join(out) + "\n"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def demo_site(db: Database, settings: Settings) -> AsyncIterator[str]:
    from service.app import create_app

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REGISTRY_DEMO_CERTIFICATES", "40")
        await demo.seed_demo(db, settings)
        await demo_certificates.seed_certificates(db, settings)
    await demo_certificates.export_files(db, settings)
    async with serving(create_app(settings, db=db)) as url:
        yield url


async def test_the_worked_example_runs_verbatim_against_the_demo(
    demo_site: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = example()
    assert "verify_inclusion(" in text and "/log/checkpoint" in text
    monkeypatch.setenv("REGISTRY_URL", demo_site)
    monkeypatch.setenv("REGISTRY_DATA_DIR", str(settings.data_dir))
    test = doctest.DocTestParser().get_doctest(text, {}, "transparency.md", str(DOC), 0)
    output = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    # The example uses blocking httpx calls: run it off the loop that serves them.
    await asyncio.to_thread(runner.run, test, out=output.write)
    assert runner.failures == 0, output.getvalue()
    assert runner.tries >= 20


async def test_the_readmes_first_step_verifies_a_demo_credential_file_with_its_proof(
    demo_site: str, settings: Settings, db: Database
) -> None:
    """README: `registry verify var/demo/certificate-<number>.json --bundle … --root-key …` on
    the demo's credential file, now the envelope: VALID, its log inclusion checked."""
    folder = settings.data_dir / "demo"
    path = sorted(folder.glob("certificate-*.json"))[0]
    root = (folder / "root-key.txt").read_text().strip()
    args = [str(path), "--bundle", str(folder / "bundle.json"), "--root-key", root]
    result = await asyncio.to_thread(CliRunner().invoke, verify_command, args)
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if "in_log" in x)
    assert line.startswith("[ OK ]"), result.output
