"""Fixtures for the verifier page: its build, Node.js, Chromium and Playwright.

Nothing here skips. The page, its conformance run and the browser tests are part of the product,
so a machine without Node.js, the npm dependencies, Chromium or Playwright fails with a message
saying how to get them (`scripts/setup-browser.sh` installs all of them where it can).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "web" / "verifier"
CORPUS = ROOT / "tests" / "vectors" / "conformance"
ARTIFACTS = ROOT / "test-artifacts" / "verifier-page"
SETUP = "run scripts/setup-browser.sh (as root it also installs Debian's chromium with apt-get)"

# Flags that work for Debian's Chromium in containers and CI; no first-run or background traffic.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def node() -> str:
    found = shutil.which("node")
    if found is None:
        pytest.fail(f"Node.js 20+ is needed for the verifier page: install it, then {SETUP}")
    if not (PAGE / "node_modules" / "esbuild").is_dir():
        pytest.fail(f"the verifier page's npm dependencies are not installed: {SETUP}")
    return found


def build_page(out: Path, env: dict[str, str] | None = None) -> Path:
    """Build the page into `out` with the locked dependencies (about a second)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DTE_VERIFIER_")}
    result = subprocess.run(
        [node(), "build.mjs", str(out)],
        cwd=PAGE,
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"the page does not build:\n{result.stdout}\n{result.stderr}")
    return out


@pytest.fixture(scope="session")
def built_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh build of the current sources, served to the browser tests."""
    return build_page(tmp_path_factory.mktemp("page"))


@pytest.fixture(scope="session")
def serve_fresh_build(built_page: Path) -> Any:
    """Point the /verify routes at the fresh build for the whole run."""
    from service.verifier_routes import PAGE_DIR_ENV

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(PAGE_DIR_ENV, str(built_page))
        yield built_page


def chromium_path() -> str:
    candidates = [os.environ.get("DTE_CHROMIUM"), "/usr/bin/chromium"]
    candidates += [shutil.which(n) for n in ("chromium", "chromium-browser")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail(f"Chromium not found (looked for $DTE_CHROMIUM and /usr/bin/chromium): {SETUP}")


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def playwright() -> AsyncIterator[Any]:
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        pytest.fail("the Python package `playwright` is missing: install the [dev] extras")
    async with async_playwright() as instance:
        yield instance


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser(playwright: Any) -> AsyncIterator[Any]:
    launched = await playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
    try:
        yield launched
    finally:
        await launched.close()


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name


def with_verifier_routes(app: Any) -> Any:
    """The app with the page's routes, unless service/app.py already mounts them."""
    from service import verifier_routes

    if not any(getattr(route, "path", None) == "/verify" for route in app.routes):
        app.router.routes.extend(verifier_routes.routes)
    return app
