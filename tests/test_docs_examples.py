"""Every example of the documentation runs as it stands against the demo (issue 16, item 4): the
examples are found by their language and marker (`tests/docs_examples.py`), so a new one is run
without being listed here. A GraphQL example must answer without errors; a shell or Python
example must exit 0 and print what its comments say."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from registry.calendar import clock
from registry.demo import holder
from registry.settings import Settings
from registry.storage.db import Database
from tests.demo_site import small_demo
from tests.docs_examples import DEMO_ADDRESS, ROOT, Example, examples, expected_output

EXAMPLES = examples()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def demo_site(db: Database, settings: Settings) -> AsyncIterator[str]:
    """The demo as `registry serve --demo` makes it (fewer certificates), on a real socket."""
    async with small_demo(db, settings) as url:
        yield url


def demo_tokens(settings: Settings) -> dict[str, str]:
    saved = json.loads((settings.data_dir / "demo" / "tokens.json").read_text())
    return {role: entry["token"] for role, entry in saved.items()}


def demo_certificate(settings: Settings) -> dict[str, str]:
    """Number and name of the demo holder's certificate, as the demo printed them."""
    saved = json.loads((settings.data_dir / "demo" / "holder.json").read_text(encoding="utf-8"))
    return {"name": saved["name"], "number": saved["number"]}


def demo_training_certificate(settings: Settings) -> dict[str, str]:
    """Number and name of one of the demo holder's training certificates, from the record the
    demo wrote (`ce-record-<year>.json`)."""
    [record] = sorted((settings.data_dir / "demo").glob("ce-record-*.json"))[-1:]
    subject = json.loads(record.read_text(encoding="utf-8"))["credentialSubject"]
    entries = subject["continuingEducation"]["entries"]
    return {"name": holder.NAME, "number": entries[0]["trainingCertificate"]}


def variables_of(example: Example, settings: Settings) -> dict[str, Any]:
    if example.markers.get("variables") == "demo-certificate":
        return demo_certificate(settings)
    if example.markers.get("variables") == "demo-training-certificate":
        return demo_training_certificate(settings)
    if example.markers.get("variables") == "demo-today":
        return {"today": clock.today().isoformat()}
    return example.variables or {}


async def run_graphql(example: Example, url: str, settings: Settings) -> None:
    headers = {}
    if "as" in example.markers:
        headers["authorization"] = f"Bearer {demo_tokens(settings)[example.markers['as']]}"
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        response = await http.post(
            "/graphql",
            json={"query": example.text, "variables": variables_of(example, settings)},
            headers=headers,
        )
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, (example.id, body)
    payloads = [v for v in body["data"].values() if isinstance(v, dict)]
    assert all(not p.get("userErrors") for p in payloads), (example.id, body)
    # A look-up that finds nothing (null) is an example that no longer shows anything.
    assert all(v is not None for v in body["data"].values()), (example.id, body)


async def run_program(example: Example, url: str, top: Path | None = None) -> str:
    """Run a shell or Python example in a child process (awaited: the server answers it from
    this event loop), in `top` (a checkout whose `var/` is the demo's data directory); its
    output."""
    text = DEMO_ADDRESS.sub(url, example.text)
    command = ["bash", "-euo", "pipefail", "-c", text]
    if example.language == "python":
        command = [sys.executable, "-c", text]
    child = await asyncio.create_subprocess_exec(
        *command, cwd=top, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(child.communicate(), 120)
    assert child.returncode == 0, (example.id, out.decode()[-2000:], err.decode()[-2000:])
    return out.decode()


def test_the_examples_are_found() -> None:
    # The runner would pass vacuously if it found nothing: the pages' examples are there.
    ids = {(e.page, e.language) for e in EXAMPLES}
    assert {("api.md", "graphql"), ("api.md", "sh"), ("README.md", "sh")} <= ids
    assert ("open-data.md", "python") in ids
    # api.md: five GraphQL examples and two shell ones (the submission is a shell example: its
    # exam date is today's, which a GraphQL text cannot say).
    assert sum(e.page == "api.md" and e.language == "graphql" for e in EXAMPLES) >= 5
    assert sum(e.page == "api.md" and e.language == "sh" for e in EXAMPLES) >= 2


@pytest.fixture(scope="module")
def checkout(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where shell and Python examples run: like the top of the repository after `./scripts/run`,
    its `var/` the demo's data directory (`var/demo/tokens.json`, ...)."""
    top = tmp_path_factory.mktemp("checkout")
    (top / "var").symlink_to(settings.data_dir)
    (top / ".venv").symlink_to(ROOT / ".venv")
    return top


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
async def test_example_runs(
    example: Example, demo_site: str, settings: Settings, checkout: Path
) -> None:
    if example.language == "graphql":
        await run_graphql(example, demo_site, settings)
        return
    output = await run_program(example, demo_site, checkout)
    if example.language != "sh":
        return
    for pieces in expected_output(example.text):
        for piece in pieces:
            assert piece in output, (example.id, piece, output[-2000:])


async def test_a_wrong_example_fails() -> None:
    # The shell check compares output: an example whose comment says otherwise must fail.
    wrong = Example("x.md", 1, "sh", {}, "echo something else\n# no such output\n")
    output = await run_program(wrong, "http://127.0.0.1:1")
    assert any(piece not in output for pieces in expected_output(wrong.text) for piece in pieces)
