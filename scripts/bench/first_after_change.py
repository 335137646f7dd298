"""Server time of the first `statistics` and the first `programmeProgress` after a change of the
data, against `registry serve --demo` (adapted from the worst-requests script of issue 14).

Run from a worktree: `.venv/bin/python -m scripts.bench.first_after_change`. Each round revokes a
published certificate as the office (the change), then asks one of the two queries and reads its
`server-timing`. Prints one line a round; the figures go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
from pymongo import MongoClient

from registry.storage.embedded import read_state

PORT = int(os.environ.get("PORT", "8771"))
ROUNDS = 3
STATS = "{ statistics(groupBy: [YEAR, PROVINCE]) { year province trainees candidates certificatesIssued } }"
PROGRESS = "{ programmeProgress { year people share } }"
REVOKE = (
    'mutation {{ revokeCertificate(number: "{}", reason: "计时") {{ userErrors {{ code }} }} }}'
)


def serve_demo(data: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "REGISTRY_DATA_DIR": data,
        "REGISTRY_PORT": str(PORT),
        "REGISTRY_RATE_LIMIT": "1000000000",
        "REGISTRY_PERSONAL_LOOKUPS": "1000000000",
        "REGISTRY_MASTER_KEY_FILE": data + ".key",
    }
    log = Path(data + ".log").open("w")  # kept open for the server's whole life
    return subprocess.Popen(
        [".venv/bin/registry", "serve", "--demo"], env=env, stdout=subprocess.DEVNULL, stderr=log
    )


def _numbers(data: str, count: int) -> list[str]:
    state = read_state(Path(data))
    assert state is not None
    client: MongoClient[dict[str, object]] = MongoClient(state.uri)
    db = client[os.environ.get("REGISTRY_DATABASE", "dte_registry")]
    found = db.certificates.find({"status": "PUBLISHED"}, {"_id": 1}).limit(count)
    return [str(d["_id"]) for d in found]


def _timed(http: httpx.Client, query: str, token: str | None = None) -> float:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = http.post("/graphql", json={"query": query}, headers=headers)
    assert response.status_code == 200 and "errors" not in response.json(), response.text[:300]
    return float(response.headers["server-timing"].split("dur=")[1])


def wait_until_healthy(base_url: str) -> None:
    """Until the demo answers `/healthz` (seeding it takes a while), ten minutes at most."""
    with httpx.Client(base_url=base_url, timeout=10) as http:
        for _ in range(1200):
            try:
                if http.get("/healthz").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)


def main() -> None:
    data = tempfile.mkdtemp(prefix="first-after-change-")
    server = serve_demo(data)
    http = httpx.Client(base_url=f"http://127.0.0.1:{PORT}", timeout=120)
    try:
        wait_until_healthy(f"http://127.0.0.1:{PORT}")
        office = json.loads((Path(data) / "demo" / "tokens.json").read_text())["OFFICE_ADMIN"]
        numbers = iter(_numbers(data, 2 * ROUNDS))
        for k in range(ROUNDS):
            _timed(http, REVOKE.format(next(numbers)), office["token"])
            stats, again = _timed(http, STATS), _timed(http, STATS)
            _timed(http, REVOKE.format(next(numbers)), office["token"])
            progress = _timed(http, PROGRESS)
            print(
                f"round {k}: first statistics {stats:.1f} ms (then {again:.1f} ms), "
                f"first programmeProgress {progress:.1f} ms",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(60)


if __name__ == "__main__":
    main()
