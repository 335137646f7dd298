"""The demo's first start (issue 16, item 7): `registry serve --demo` on a fresh data directory,
timed from the command until `/healthz` answers, with the CPU seconds the service process and
its embedded database spent by then. The goal is at most 30 s on the 2-core machine; on a shared
machine the wall time grows with the load (printed), the CPU seconds much less.

    .venv/bin/python -m scripts.bench.first_start                  # the default demo
    .venv/bin/python -m scripts.bench.first_start --certificates 2000

Prints one JSON line. Not a test (no timed tests): the figure goes to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REGISTRY = str(Path(sys.executable).parent / "registry")
TICK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of `pid` and of its children it has reaped, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / TICK


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def measure(certificates: int | None) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="first-start-") as tmp:
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
        env.update(
            REGISTRY_DATA_DIR=f"{tmp}/var", REGISTRY_PORT=str(port), XDG_CONFIG_HOME=f"{tmp}/cfg"
        )
        if certificates is not None:
            env["REGISTRY_DEMO_CERTIFICATES"] = str(certificates)
        started = time.monotonic()
        served = subprocess.Popen(
            [REGISTRY, "serve", "--demo"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            while True:
                if served.poll() is not None:
                    raise SystemExit("registry serve --demo exited before it was ready")
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).is_success:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.2)
            wall = time.monotonic() - started
            cpu = _cpu_seconds(served.pid) + sum(_cpu_seconds(c) for c in _children(served.pid))
        finally:
            served.send_signal(signal.SIGINT)
            served.wait(timeout=60)
    return {
        "bench": "first-start",
        "certificates": certificates or "default",
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu, 1),
        "cores": os.cpu_count(),
        "load_1min": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--certificates", type=int, default=None)
    print(json.dumps(measure(parser.parse_args().certificates)), flush=True)


if __name__ == "__main__":
    main()
