"""`registry serve` as a real process for tests: started with an environment of its own,
waited for until `/readyz` answers, stopped by a signal."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import free_port

REGISTRY = str(Path(sys.executable).parent / "registry")


def clean_env(**settings: str) -> dict[str, str]:
    """This process's environment without any REGISTRY_ setting, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    env.update(settings)
    return env


def secantus_pids(data_dir: Path) -> list[int]:
    """The SecantusDB servers running on `data_dir`."""
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            if b"secantusd-py" in cmdline and str(data_dir).encode() in cmdline:
                pids.append(int(proc.name))
    return pids


def children(pid: int) -> list[int]:
    """Every process descended from `pid`."""
    found: list[int] = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[1]) == pid:
                found += [int(proc.name), *children(int(proc.name))]
    return found


def running(pids: list[int]) -> list[str]:
    """Those of `pids` still running (a zombie awaiting its reaper is not), with their command
    lines."""
    found = []
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
        except (OSError, IndexError):
            continue
        if state != "Z":
            found.append(f"{pid} {state} {cmdline.decode(errors='replace')[:200]}")
    return found


class Served:
    """One `registry serve` process on a free port, its standard error in `log`."""

    def __init__(self, folder: Path, env: dict[str, str], *args: str) -> None:
        self.port = free_port()
        self.log = folder / f"serve-{self.port}.log"
        env = {**env, "REGISTRY_PORT": str(self.port)}
        env.setdefault("XDG_CONFIG_HOME", str(folder / "config"))  # a generated master key
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [REGISTRY, "serve", *args], env=env, stdout=subprocess.DEVNULL, stderr=log
            )
        self.url = f"http://127.0.0.1:{self.port}"

    def wait_ready(self, within: float = 90) -> Served:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if httpx.get(self.url + "/readyz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError("registry serve did not become ready: " + self.log.read_text())

    def stop(self, sig: int = signal.SIGTERM, within: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=within)

    def kill(self) -> None:
        """Never leave a process behind, even when a test failed."""
        for pid in children(self.process.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
