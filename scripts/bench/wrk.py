"""Running wrk and reading its output.

The Lua script (`lookup.lua`) prints a `BENCH_JSON {...}` line from its `done()` hook; that is
what is read. wrk's own text report (`--latency`) is parsed as a fallback and cross-check.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

SCRIPT = Path(__file__).with_name("lookup.lua")
_UNITS_US = {"us": 1.0, "ms": 1_000.0, "s": 1_000_000.0, "m": 60_000_000.0, "h": 3_600_000_000.0}
_DURATION = re.compile(r"^\s*(?P<value>[0-9]+(?:\.[0-9]+)?)\s*(?P<unit>us|ms|s|m|h)\s*$")


class WrkError(RuntimeError):
    pass


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    errors: dict[str, int] = field(default_factory=dict)
    p75_ms: float | None = None
    p90_ms: float | None = None

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def figures(self) -> dict[str, float | int]:
        return {
            "rps": round(self.rps, 1),
            "p50_ms": round(self.p50_ms, 2),
            "p99_ms": round(self.p99_ms, 2),
            "requests": self.requests,
            "errors": self.error_count,
        }


def duration_us(text: str) -> float:
    """wrk's human durations ('812.00us', '1.23ms', '2.01s', '1.50m') in microseconds."""
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group("value")) * _UNITS_US[match.group("unit")]


def parse_json_line(output: str) -> WrkResult | None:
    """The figures from the script's `BENCH_JSON` line, or None when there is none."""
    for line in output.splitlines():
        if line.startswith("BENCH_JSON "):
            data = json.loads(line[len("BENCH_JSON ") :])
            lat = data["latency_us"]
            return WrkResult(
                requests=int(data["requests"]),
                seconds=int(data["duration_us"]) / 1e6,
                p50_ms=lat["p50"] / 1000,
                p75_ms=lat["p75"] / 1000,
                p90_ms=lat["p90"] / 1000,
                p99_ms=lat["p99"] / 1000,
                mean_ms=lat["mean"] / 1000,
                max_ms=lat["max"] / 1000,
                errors={k: int(v) for k, v in data["errors"].items()},
            )
    return None


_REQUESTS = re.compile(r"^\s*(?P<n>\d+) requests in (?P<d>[0-9.]+(?:us|ms|s|m|h)),")
_PERCENTILE = re.compile(r"^\s*(?P<p>50|75|90|99)%\s+(?P<v>[0-9.]+(?:us|ms|s|m|h))\s*$")
_LATENCY = re.compile(
    r"^\s*Latency\s+(?P<avg>[0-9.]+(?:us|ms|s|m|h))\s+(?P<stdev>[0-9.]+(?:us|ms|s|m|h))\s+"
    r"(?P<max>[0-9.]+(?:us|ms|s|m|h))"
)
_SOCKET_ERRORS = re.compile(
    r"Socket errors: connect (?P<connect>\d+), read (?P<read>\d+), write (?P<write>\d+), "
    r"timeout (?P<timeout>\d+)"
)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses: (?P<n>\d+)")


def parse_text(output: str) -> WrkResult:
    """wrk's text report (run with `--latency`)."""
    requests = seconds = None
    percentiles: dict[str, float] = {}
    avg = peak = None
    errors = {"connect": 0, "read": 0, "write": 0, "status": 0, "timeout": 0}
    for line in output.splitlines():
        if m := _REQUESTS.match(line):
            requests = int(m.group("n"))
            seconds = duration_us(m.group("d")) / 1e6
        elif m := _PERCENTILE.match(line):
            percentiles[m.group("p")] = duration_us(m.group("v")) / 1000
        elif m := _LATENCY.match(line):
            avg = duration_us(m.group("avg")) / 1000
            peak = duration_us(m.group("max")) / 1000
        elif m := _SOCKET_ERRORS.search(line):
            errors.update({k: int(v) for k, v in m.groupdict().items()})
        elif m := _NON_2XX.search(line):
            errors["status"] = int(m.group("n"))
    if requests is None or seconds is None or "50" not in percentiles or "99" not in percentiles:
        raise WrkError("wrk output has no request count or latency distribution")
    return WrkResult(
        requests=requests,
        seconds=seconds,
        p50_ms=percentiles["50"],
        p75_ms=percentiles.get("75"),
        p90_ms=percentiles.get("90"),
        p99_ms=percentiles["99"],
        mean_ms=avg if avg is not None else percentiles["50"],
        max_ms=peak if peak is not None else percentiles["99"],
        errors=errors,
    )


def parse(output: str) -> WrkResult:
    return parse_json_line(output) or parse_text(output)


def command(
    url: str,
    bodies: Path,
    *,
    seconds: float,
    connections: int,
    threads: int,
    timeout_s: float = 10.0,
    wrk: str = "wrk",
) -> list[str]:
    threads = max(1, min(threads, connections))
    return [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        f"--timeout={max(1, round(timeout_s))}s",
        "--latency",
        "-s",
        str(SCRIPT),
        url,
        "--",
        str(bodies),
        str(threads),
    ]


def executable() -> str | None:
    return shutil.which("wrk")


def run(url: str, bodies: Path, *, seconds: float, connections: int, threads: int) -> WrkResult:
    exe = executable()
    if exe is None:
        raise WrkError("wrk is not installed (apt-get install -y wrk)")
    cmd = command(url, bodies, seconds=seconds, connections=connections, threads=threads, wrk=exe)
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=False)
    if done.returncode != 0:
        raise WrkError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout}")
    return parse(done.stdout)
