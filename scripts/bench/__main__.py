"""`python -m scripts.bench` (what `scripts/bench/run` execs): run the benchmarks."""

from __future__ import annotations

import asyncio
import base64
import logging
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

from registry.settings import Settings
from registry.storage.db import make_client
from registry.storage.embedded import EmbeddedServer
from scripts.bench import benches, config, contention, report, wrk
from scripts.bench.benches import log

ROOT = Path(__file__).resolve().parents[2]


def _settings(folder: Path, uri: str, database: str, master_b64: str) -> Settings:
    return Settings.from_env(
        {
            "REGISTRY_DATA_DIR": str(folder / "data"),
            "REGISTRY_MONGODB_URI": uri,
            "REGISTRY_DATABASE": database,
            "REGISTRY_MASTER_KEY": master_b64,
        }
    )


def _emit(result: report.Result, results: list[report.Result]) -> None:
    results.append(result)
    print(result.json_line(), flush=True)


async def _publish_without_sync(
    folder: Path, cfg: config.Config, master_b64: str, profiler: benches.Profiler
) -> report.Result:
    """The publish benchmark on a server of its own without the fsync at commit (the same
    settings otherwise), for `--sync-on-commit both`: its ratio beside the deployed one's."""
    server = EmbeddedServer(folder / "embedded-nosync", sync_on_commit=False)
    await server.start()
    client = make_client(server.uri)
    try:
        settings = _settings(folder, server.uri, "bench_publish_nosync", master_b64)
        _, result = await benches.publish(
            client[settings.database], settings, cfg, profiler, server.pid, report=True
        )
    finally:
        await client.close()
        await server.stop()
    assert result is not None
    result.figures["sync_on_commit"] = False
    result.bench = "publish-sync-off"
    result.notes.append("the embedded server without --sync-on-commit (no fsync at commit)")
    return result


async def run(cfg: config.Config) -> list[report.Result]:
    started = time.monotonic()
    deadline = started + cfg.budget_s
    folder = Path(tempfile.mkdtemp(prefix="dte-bench-"))
    log(f"data in {folder}; benchmarks: {', '.join(cfg.only)}; budget {cfg.budget_s:.0f} s")
    master_b64 = base64.b64encode(secrets.token_bytes(32)).decode()
    profiler = benches.Profiler(cfg.profile_dir)
    results: list[report.Result] = []
    if cfg.sync_on_commit == "both" and "publish" in cfg.only:
        off_profiler = benches.Profiler(cfg.profile_dir and cfg.profile_dir / "sync-off")
        _emit(await _publish_without_sync(folder, cfg, master_b64, off_profiler), results)
    server = EmbeddedServer(folder / "embedded", sync_on_commit=cfg.sync_on_commit != "off")
    await server.start()
    client = make_client(server.uri)
    try:
        if "publish" in cfg.only or "verify" in cfg.only:
            settings = _settings(folder, server.uri, "bench_publish", master_b64)
            published, result = await benches.publish(
                client[settings.database],
                settings,
                cfg,
                profiler,
                server.pid,
                report="publish" in cfg.only,
            )
            if result is not None:
                result.figures["sync_on_commit"] = cfg.sync_on_commit != "off"
                _emit(result, results)
            if "verify" in cfg.only:
                _emit(await benches.verify(published, cfg, profiler), results)
        if "lookup" in cfg.only or "lookup-scale" in cfg.only:
            settings = _settings(folder, server.uri, "bench_lookup", master_b64)
            for result in await benches.lookups(
                client[settings.database],
                server.uri,
                settings,
                cfg,
                folder,
                master_b64,
                profiler,
                server.pid,
                deadline,
            ):
                _emit(result, results)
        if "submit-lookup" in cfg.only:
            settings = _settings(folder, server.uri, "bench_contention", master_b64)
            _emit(
                await contention.submit_lookup(
                    client[settings.database], server.uri, settings, cfg, folder, master_b64
                ),
                results,
            )
    finally:
        await client.close()
        await server.stop()
        if cfg.keep:
            log(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return results


def main(argv: list[str] | None = None) -> int:
    cfg = config.parse(argv)
    if wrk.executable() is None and ({"lookup", "lookup-scale"} & set(cfg.only)):
        print(
            "wrk is not installed: apt-get install -y wrk (scripts/bench/run does it)",
            file=sys.stderr,
        )
        return 2
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    started = time.monotonic()
    results = asyncio.run(run(cfg))
    seconds = time.monotonic() - started
    log(f"total run time {seconds:.0f} s")
    if cfg.output is None or str(cfg.output) != "-":
        path = cfg.output or ROOT / "docs" / "benchmarks.md"
        generated = report.markdown(
            results,
            report.machine(ROOT),
            {
                "mode": "quick" if cfg.quick else "full",
                "seconds": seconds,
                "settings": cfg.settings_text(),
            },
        )
        report.write_markdown(path, generated)
        log(f"wrote {path}")
    return 0 if all(r.met for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
