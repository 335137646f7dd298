"""Server time of issue 15's long-list attack against `registry serve --demo`: a POST of
`statistics(groupBy: $g)` with 95,000 enum values (893 KB), beside the same query with two
values, as a ratio (the attack's median over the short request's), so that the figure means
something from one machine to the next.

Run from a worktree, on a quiet machine only: `.venv/bin/python -m scripts.bench.long_lists`.
Prints each request's status and code, median and worst `server-timing` of `ROUNDS` runs, and the
ratio; the figures go to docs/benchmarks.md ("The worst requests under the cost cap") by hand.
"""

from __future__ import annotations

import statistics
import tempfile
from dataclasses import dataclass

import httpx

from scripts.bench.first_after_change import PORT, serve_demo, wait_until_healthy

ROUNDS = 7
QUERY = "query ($g: [StatisticsDimension!]) { statistics(groupBy: $g) { trainees } }"
SHORT = ["YEAR", "PROVINCE"]
ATTACK = ["PROVINCE"] * 95_000


@dataclass(frozen=True)
class Timing:
    """One request's answers over the rounds: its status, code (of a refusal) and times (ms)."""

    status: int
    code: str | None
    times: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def _once(http: httpx.Client, values: list[str]) -> tuple[int, str | None, float]:
    response = http.post("/graphql", json={"query": QUERY, "variables": {"g": values}})
    errors = response.json().get("errors") or [{}]
    code = errors[0].get("extensions", {}).get("code") if response.status_code != 200 else None
    return response.status_code, code, float(response.headers["server-timing"].split("dur=")[1])


def measure(base_url: str, rounds: int = ROUNDS) -> dict[str, Timing]:
    """The short request and the attack, `rounds` times each, alternating."""
    found: dict[str, list[tuple[int, str | None, float]]] = {"short": [], "attack": []}
    with httpx.Client(base_url=base_url, timeout=120) as http:
        for _ in range(rounds):
            found["short"].append(_once(http, SHORT))
            found["attack"].append(_once(http, ATTACK))
    return {
        name: Timing(runs[-1][0], runs[-1][1], [t for _, _, t in runs])
        for name, runs in found.items()
    }


def main() -> None:
    data = tempfile.mkdtemp(prefix="long-lists-")
    server = serve_demo(data)
    base_url = f"http://127.0.0.1:{PORT}"
    try:
        wait_until_healthy(base_url)
        timings = measure(base_url)
        for name, timing in timings.items():
            print(
                f"{name}: {timing.status} {timing.code or ''} median {timing.median:.1f} ms, "
                f"worst {max(timing.times):.1f} ms",
                flush=True,
            )
        print(f"attack / short: {timings['attack'].median / timings['short'].median:.2f}")
    finally:
        server.terminate()
        server.wait(60)


if __name__ == "__main__":
    main()
