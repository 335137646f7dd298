"""docs/printing.md's shell examples, run verbatim and in order against a running registry with
a published certificate: the command writes the PDF, curl downloads it, and its page, rendered
with pdftoppm, verifies with `registry verify`."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest_asyncio

from registry.settings import Settings
from registry.storage.db import Database
from tests.docs_examples import DEMO_ADDRESS
from tests.factories import (
    MASTER_KEY_B64,
    certificates_of_a_new_institution,
)
from tests.pdf import is_pdf
from tests.privacy import CAPTURED_BODIES

DOC = Path(__file__).parents[2] / "docs" / "printing.md"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def made(db: Database, settings: Settings) -> list[tuple[str, str, str]]:
    return await certificates_of_a_new_institution(db, settings, 1605, ["阿卜杜拉·买买提"])


def shell_blocks(server: str) -> list[str]:
    """The page's `bash` blocks (its `sh` ones would be tests/docs_examples.py's), the demo's
    address replaced by the test server's."""
    found = re.findall(r"^```bash\n(.*?)^```", DOC.read_text(encoding="utf-8"), re.S | re.M)
    return [DEMO_ADDRESS.sub(server, block) for block in found]


async def test_the_examples_of_docs_printing_md_run_verbatim(
    db: Database,
    settings: Settings,
    live_server: str,
    made: list[tuple[str, str, str]],
    tmp_path: Path,
) -> None:
    number, name, _ = made[0]
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "NUMBER": number,
        "NAME": name,
        "REGISTRY_MONGODB_URI": settings.mongodb_uri or "",
        "REGISTRY_DATABASE": db.name,
        "REGISTRY_DATA_DIR": str(settings.data_dir),
        "REGISTRY_MASTER_KEY": MASTER_KEY_B64,
        "REGISTRY_BASE_URL": settings.base_url,  # as the certificate was published
        "REGISTRY_BUNDLE_STATE": str(tmp_path / "bundle-state.json"),
    }
    blocks = shell_blocks(live_server)
    assert len(blocks) == 3
    for block in blocks:
        if "-o certificate.pdf" in block:
            (tmp_path / "certificate.pdf").unlink(missing_ok=True)  # each must write its own
        done = await asyncio.to_thread(
            subprocess.run,
            ["bash", "-euo", "pipefail", "-c", block],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout[-1500:] + "|||" + done.stderr[-1500:]
        if "registry verify" in block:
            assert "Verdict: VALID" in done.stdout
        else:
            pdf = (tmp_path / "certificate.pdf").read_bytes()
            CAPTURED_BODIES.append(pdf)
            assert is_pdf(pdf)
