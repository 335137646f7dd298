"""`registry serve` as a user runs it: a real process, the embedded database as its child,
Ctrl-C, SIGTERM, a restart that keeps the data, and a second server refused."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pymongo
import pytest

from registry.storage.embedded import read_state
from tests.conftest import free_port
from tests.service.served import REGISTRY, secantus_pids


def _env(data_dir: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    env.update(
        REGISTRY_DATA_DIR=str(data_dir), REGISTRY_PORT=str(port), REGISTRY_DEMO_CERTIFICATES="40"
    )
    env["XDG_CONFIG_HOME"] = str(data_dir.parent / "config")  # the generated master key goes here
    return env


def _master_key_file(data_dir: Path) -> Path:
    return data_dir.parent / "config" / "dte-registry" / "master.key"


class Served:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.log = data_dir.parent / f"serve-{self.port}.log"
        self.process = subprocess.Popen(
            [REGISTRY, "serve", "--demo"],
            env=_env(data_dir, self.port),
            stdout=subprocess.DEVNULL,
            stderr=open(self.log, "wb"),
        )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if httpx.get(self.url + "/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError("registry serve did not become ready: " + self.log.read_text())

    def stop(self, sig: int) -> int:
        self.process.send_signal(sig)
        return self.process.wait(timeout=30)

    def db_uri(self) -> str:
        running = read_state(self.data_dir)
        assert running is not None
        return running.uri


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "var"
    yield path
    for pid in secantus_pids(path):  # never leave a server behind, even on failure
        os.kill(pid, signal.SIGKILL)


def _occupation_name(url: str, code: str) -> str:
    query = "query ($c: String!) { occupation(code: $c) { name } }"
    body = httpx.post(url + "/graphql", json={"query": query, "variables": {"c": code}}).json()
    return str(body["data"]["occupation"]["name"])


def test_serve_stop_restart_keeps_data_and_leaves_nothing_behind(data_dir: Path) -> None:
    served = Served(data_dir)
    assert _occupation_name(served.url, "2-02-38-01") == "人工智能工程技术人员"
    assert _occupation_name(served.url, "2-02-10-09") == "人工智能工程技术人员"
    with pymongo.MongoClient(served.db_uri()) as client:
        client.dte_registry.lifecycle_marker.insert_one({"_id": "kept", "n": 42})
    key = _master_key_file(data_dir).read_text()
    assert not (data_dir / "master.key").exists()  # not beside the database files
    assert "generated a new master key" in served.log.read_text()

    # A second server on the same data directory fails at once, with a message.
    started = time.monotonic()
    second = subprocess.run(
        [REGISTRY, "serve"], env=_env(data_dir, free_port()), capture_output=True, timeout=30
    )
    assert second.returncode == 1
    assert b"already using the data directory" in second.stderr
    assert b"Traceback" not in second.stderr
    assert time.monotonic() - started < 15

    # Other commands use the running server instead of starting one.
    seeded = subprocess.run(
        [REGISTRY, "seed", "reference"], env=_env(data_dir, 1), capture_output=True, timeout=60
    )
    assert seeded.returncode == 0, seeded.stderr
    assert b"occupations: 0 inserted, 10 already present" in seeded.stdout

    assert served.stop(signal.SIGINT) == 0  # Ctrl-C
    assert secantus_pids(data_dir) == []
    assert not (data_dir / "embedded.json").exists()

    again = Served(data_dir)
    with pymongo.MongoClient(again.db_uri()) as client:
        assert client.dte_registry.lifecycle_marker.find_one({"_id": "kept"}) == {
            "_id": "kept",
            "n": 42,
        }
    assert _master_key_file(data_dir).read_text() == key
    assert "generated a new master key" not in again.log.read_text()
    assert again.stop(signal.SIGTERM) == 0
    assert secantus_pids(data_dir) == []


def test_seed_starts_a_server_for_its_duration_when_none_runs(data_dir: Path) -> None:
    result = subprocess.run(
        [REGISTRY, "seed", "reference"], env=_env(data_dir, 1), capture_output=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert b"occupations: 10 inserted" in result.stdout
    assert secantus_pids(data_dir) == []
    assert not (data_dir / "embedded.json").exists()


def test_bad_port_is_a_clear_error(data_dir: Path) -> None:
    env = _env(data_dir, 1)
    env["REGISTRY_PORT"] = "eighty"
    result = subprocess.run([REGISTRY, "serve"], env=env, capture_output=True, timeout=30)
    assert result.returncode == 1
    assert b"REGISTRY_PORT must be a port number" in result.stderr
    assert b"Traceback" not in result.stderr


def test_bad_api_setting_is_a_clear_error(data_dir: Path) -> None:
    env = _env(data_dir, free_port())
    env["REGISTRY_RATE_LIMIT"] = "lots"
    result = subprocess.run([REGISTRY, "serve"], env=env, capture_output=True, timeout=30)
    assert result.returncode == 1
    assert b"REGISTRY_RATE_LIMIT must be a whole number" in result.stderr
    assert b"Traceback" not in result.stderr
