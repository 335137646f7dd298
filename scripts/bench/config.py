"""Settings of a run: flags, each with an environment variable (BENCH_*) as its default."""

from __future__ import annotations

import argparse
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path

BENCHES = ("publish", "verify", "lookup", "lookup-scale", "submit-lookup")
SYNC_CHOICES = ("on", "off", "both")


@dataclass
class Config:
    budget_s: float = 840.0  # the whole run; the 1M seeding stops where the budget says
    connections: int = 32
    wrk_threads: int = 1
    lookup_count: int = 100_000
    lookup_seconds: float = 10.0
    lookup_rounds: int = 2
    warmup_seconds: float = 2.0
    scale_small: int = 10_000
    scale_large: int = 1_000_000
    scale_seconds: float = 8.0
    scale_rounds: int = 2
    templates: int = 40
    seed_chunk: int = 1000
    seed_in_flight: int = 2
    # "after": drop the certificates' secondary indexes while seeding and build them again
    # afterwards (timed as seeding); "before": keep them while inserting.
    seed_indexes: str = "after"
    # Documents/s assumed for that index build, to stop inserting in time for it, until a build
    # has been measured.
    seed_index_rate: float = 1500.0
    verify_count: int = 10_000
    verify_rounds: int = 2
    publish_results: int = 80_000
    batch_size: int = 200
    submit_sample: int = 1_000
    publish_seconds: float = 240.0  # publication stops after this; the rest is extrapolated
    pass_share: float = 1.0
    baseline_chunk: int = 1000
    # submit-lookup: look-ups from `contention_clients` threads, idle for `contention_seconds`,
    # then during one submission of `contention_rows` results; 0 binding threads: the app's
    # default (REGISTRY_BINDING_THREADS), another number to compare.
    contention_rows: int = 5000
    contention_clients: int = 4
    contention_seconds: float = 10.0
    contention_binding_threads: int = 0
    # The embedded server's fsync at every commit (issue 17 item 4): "on" as deployed, "off",
    # or "both": publish first on a server without it, then on one with it, in the same run.
    sync_on_commit: str = "on"
    only: tuple[str, ...] = BENCHES
    quick: bool = False
    profile_dir: Path | None = None
    output: Path | None = None
    keep: bool = False

    def settings_text(self) -> str:
        skip = {"only", "quick", "profile_dir", "output", "keep"}
        return ", ".join(f"{k}={v}" for k, v in asdict(self).items() if k not in skip)


QUICK = {
    "budget_s": 240.0,
    "lookup_count": 5_000,
    "lookup_seconds": 3.0,
    "lookup_rounds": 1,
    "warmup_seconds": 1.0,
    "scale_small": 2_000,
    "scale_large": 20_000,
    "scale_seconds": 3.0,
    "scale_rounds": 1,
    "templates": 20,
    "verify_count": 1_000,
    "verify_rounds": 1,
    "publish_results": 4_000,
    "submit_sample": 400,
    "publish_seconds": 60.0,
    "contention_seconds": 3.0,
}


def _env_name(name: str) -> str:
    return "BENCH_" + name.upper()


def parse(argv: list[str] | None = None, env: dict[str, str] | None = None) -> Config:
    env = dict(os.environ) if env is None else env
    parser = argparse.ArgumentParser(
        prog="scripts/bench/run",
        description="Run the benchmarks against a freshly seeded embedded database; print one "
        "JSON line per benchmark and write docs/benchmarks.md. Every setting below can also "
        "be given as BENCH_<NAME> in the environment (e.g. BENCH_LOOKUP_SECONDS=5).",
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run (about 3 minutes)")
    parser.add_argument(
        "--only", default=None, help=f"comma-separated subset of: {', '.join(BENCHES)}"
    )
    parser.add_argument(
        "--profile",
        dest="profile_dir",
        type=Path,
        default=None,
        help="also profile (py-spy) and write the profiles to this folder",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="the Markdown file to write (default docs/benchmarks.md; '-' to write none)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary data folder")
    defaults = Config()
    for f in fields(Config):
        if f.name in {"only", "quick", "profile_dir", "output", "keep"}:
            continue
        kind = type(getattr(defaults, f.name))
        parser.add_argument("--" + f.name.replace("_", "-"), type=kind, default=None)
    args = parser.parse_args(argv)

    quick = args.quick or env.get("BENCH_QUICK", "") not in ("", "0")
    values = {f.name: getattr(defaults, f.name) for f in fields(Config)}
    if quick:
        values.update(QUICK)
    for f in fields(Config):
        if f.name in {"only", "quick", "profile_dir", "output", "keep"}:
            continue
        kind = type(values[f.name])
        if (text := env.get(_env_name(f.name))) is not None and text != "":
            values[f.name] = kind(text)
        if (given := getattr(args, f.name)) is not None:
            values[f.name] = given
    only_text = args.only or env.get("BENCH_ONLY") or ",".join(BENCHES)
    only = tuple(b.strip() for b in only_text.split(",") if b.strip())
    unknown = [b for b in only if b not in BENCHES]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; choose from {BENCHES}")
    if values["seed_indexes"] not in ("before", "after"):
        parser.error(f"--seed-indexes is before or after, not {values['seed_indexes']!r}")
    if values["sync_on_commit"] not in SYNC_CHOICES:
        parser.error(
            f"--sync-on-commit is one of {', '.join(SYNC_CHOICES)}, not {values['sync_on_commit']!r}"
        )
    values.update(
        only=only,
        quick=quick,
        profile_dir=args.profile_dir or (Path(p) if (p := env.get("BENCH_PROFILE")) else None),
        output=args.output,
        keep=args.keep,
    )
    return Config(**values)
