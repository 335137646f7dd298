"""Profiles: py-spy (sampling, attached to a process by pid) and a summary of its output.

`py-spy record --format raw` writes collapsed stacks, one line per distinct stack:
`frame;frame;...;frame COUNT`, outermost first, each frame `function (file:line)`. The summary
gives each function's self share (samples where it is the innermost frame) and total share
(samples where it is anywhere on the stack), which is what the report quotes.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")


@dataclass(frozen=True)
class Row:
    function: str
    self_share: float
    total_share: float


def frame_name(frame: str, *, keep_line: bool = False) -> str:
    """`function (path/to/module.py:123)` as `function (module.py)`, shortened for a report."""
    match = _FRAME.match(frame.strip())
    if match is None:
        return frame.strip()
    path = match.group("file")
    parts = path.replace("\\", "/").split("/")
    # Keep the package folder for context: site-packages/strawberry/x.py -> strawberry/x.py.
    short = "/".join(parts[-2:]) if len(parts) >= 2 else path
    line = match.group("line")
    suffix = f":{line}" if keep_line and line else ""
    return f"{match.group('func')} ({short}{suffix})"


def parse_collapsed(text: str) -> list[tuple[list[str], int]]:
    stacks = []
    for raw in text.splitlines():
        line = raw.rstrip()
        if not line:
            continue
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        stacks.append((stack.split(";"), int(count)))
    return stacks


def summarise(text: str, *, top: int = 25, include: str | None = None) -> tuple[int, list[Row]]:
    """(total samples, rows by total share) from collapsed stacks. `include` keeps only the
    samples whose stack mentions that text (e.g. one thread or one entry point)."""
    stacks = parse_collapsed(text)
    if include is not None:
        stacks = [(s, n) for s, n in stacks if any(include in f for f in s)]
    total = sum(n for _, n in stacks)
    own: Counter[str] = Counter()
    anywhere: Counter[str] = Counter()
    for frames, n in stacks:
        names = [frame_name(f) for f in frames]
        if names:
            own[names[-1]] += n
        for name in set(names):
            anywhere[name] += n
    if total == 0:
        return 0, []
    rows = [Row(name, own[name] / total, count / total) for name, count in anywhere.items()]
    rows.sort(key=lambda r: (-r.total_share, -r.self_share, r.function))
    return total, rows[:top]


def top_self(text: str, *, top: int = 15) -> tuple[int, list[Row]]:
    total, rows = summarise(text, top=10_000)
    rows.sort(key=lambda r: (-r.self_share, r.function))
    return total, rows[:top]


def format_rows(total: int, rows: list[Row]) -> str:
    lines = [f"{total} samples", f"{'self':>6} {'total':>6}  function"]
    lines += [f"{r.self_share:6.1%} {r.total_share:6.1%}  {r.function}" for r in rows]
    return "\n".join(lines)


def py_spy() -> str | None:
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


def start_py_spy(
    pid: int, seconds: float, out: Path, *, rate: int = 200
) -> subprocess.Popen[bytes]:
    exe = py_spy()
    if exe is None:
        raise RuntimeError("py-spy is not installed: .venv/bin/pip install py-spy")
    return subprocess.Popen(
        [
            exe,
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(max(1, round(seconds))),
            "--rate",
            str(rate),
            "--format",
            "raw",
            "--nonblocking",
            "--output",
            str(out),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
