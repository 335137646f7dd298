"""`--only submit-lookup`: public look-ups while a 5,000-row batch is submitted (issue 14, item 9).

The app runs in its own process (as `registry serve`), against the demo directory. A few client
threads send public certificate look-ups (a valid number that is not published: the parse, the
rate limits and one database read, as a cache miss) back to back, first with nothing else
running (idle), then while one evaluation institution submits a batch of `contention_rows`
results over GraphQL, each passing result costing an Argon2id binding. The batch goes the way
docs/api.md gives for a large batch, within the API's default limits (1 MiB bodies, 10 s
requests): opened, sent in parts of `PART_ROWS`, closed, and bound by the service's binder; the
submission ends when the batch is SUBMITTED. The figure is the look-up p99 during the
submission against idle; the target is at most 2×.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from registry.access import tokens
from registry.access.auth import SYSTEM, Role
from registry.calendar import clock
from registry.demo import certificates as demo_certificates
from registry.demo import directory as demo
from registry.settings import Settings
from registry.storage.db import Database
from registry.storage.indexes import create_indexes
from schema.catalogue import LEVEL_BY_CODE
from scripts.bench import seed
from scripts.bench.benches import AppServer, _rows, log
from scripts.bench.config import Config
from scripts.bench.report import Result, ratio

LOOKUP = "query ($n: String!, $h: String!) { certificate(number: $n, holderName: $h) { number } }"
OPEN = (
    "mutation ($i: OpenAssessmentBatchInput!) { openAssessmentBatch(input: $i) "
    "{ batch { batchId } userErrors { code message } } }"
)
PART = (
    "mutation ($id: String!, $n: Int!, $r: [AssessmentResultInput!]!) "
    "{ addAssessmentBatchPart(batchId: $id, part: $n, results: $r) { userErrors { code message } } }"
)
CLOSE = (
    "mutation ($id: String!) { closeAssessmentBatch(batchId: $id) "
    "{ batch { status } userErrors { code message } } }"
)
STATE = "query ($id: String!) { assessmentBatch(id: $id) { status } }"
PART_ROWS = 1000
POLL_S = 1.0
UNKNOWN = "Z350001261010000015"  # well formed, never published


def _post(url: str, body: dict[str, Any], token: str | None = None) -> Any:
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, json.dumps(body).encode(), headers)
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.loads(answer.read())


def _field(url: str, token: str, query: str, **variables: Any) -> dict[str, Any]:
    """The one field a request answers; `RuntimeError` on errors or userErrors."""
    answer = _post(url, {"query": query, "variables": variables}, token)
    found = next(iter((answer.get("data") or {}).values()), None)
    if answer.get("errors") or found is None or found.get("userErrors"):
        raise RuntimeError(json.dumps(answer, ensure_ascii=False)[:300])
    result: dict[str, Any] = found
    return result


def submit_in_parts(url: str, token: str, batch: dict[str, Any]) -> str:
    """Open `batch`, send it in parts, close it, and wait for the binder: its final status."""
    graphql = url + "/graphql"
    rows = batch["results"]
    header = {k: v for k, v in batch.items() if k != "results"} | {"resultCount": len(rows)}
    bid = _field(graphql, token, OPEN, i=header)["batch"]["batchId"]
    for start in range(0, len(rows), PART_ROWS):
        part = rows[start : start + PART_ROWS]
        _field(graphql, token, PART, id=bid, n=start // PART_ROWS + 1, r=part)
    _field(graphql, token, CLOSE, id=bid)
    while (status := _field(graphql, token, STATE, id=bid)["status"]) == "BINDING":
        time.sleep(POLL_S)
    return str(status)


class LookupLoad:
    """`clients` threads sending look-ups back to back until stopped; keeps every latency."""

    def __init__(self, url: str, clients: int) -> None:
        self.url = url + "/graphql"
        self.clients = clients
        self.latencies: list[float] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def _client(self) -> None:
        body = {"query": LOOKUP, "variables": {"n": UNKNOWN, "h": "张三"}}
        while not self._stop.is_set():
            started = time.perf_counter()
            _post(self.url, body)
            spent = time.perf_counter() - started
            with self._lock:
                self.latencies.append(spent)

    def run_for(self, seconds: float) -> list[float]:
        return self.run_while(lambda: time.sleep(seconds))

    def run_while(self, work: Any) -> list[float]:
        """Look-ups while `work()` runs (in this thread); the latencies measured meanwhile."""
        self.latencies, self._stop = [], threading.Event()
        threads = [threading.Thread(target=self._client) for _ in range(self.clients)]
        for t in threads:
            t.start()
        try:
            work()
        finally:
            self._stop.set()
            for t in threads:
                t.join()
        return list(self.latencies)


def _unique(rows: list[Any]) -> list[Any]:
    """One row per candidate, occupation and level (random ID numbers can repeat)."""
    seen: set[tuple[str, str, int]] = set()
    kept = []
    for r in rows:
        key = (r.id_number, r.occupation, r.level)
        if key not in seen:
            seen.add(key)
            kept.append(r)
    return kept


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def _institution(db: Database, settings: Settings, rows: int) -> tuple[str, dict[str, Any]]:
    """The demo directory, a token of a listed evaluation institution and its batch input."""
    await create_indexes(db)
    with seed.stdout_to_stderr():
        await demo.seed_demo(db, settings)
    today = clock.today()
    inst = (await demo_certificates.issuers(db, today))[0]
    period = inst.listed_on(today)
    assert period is not None
    token, _ = await tokens.create_token(
        db,
        settings.master_key(),
        role=Role.EVALUATION_INSTITUTION,
        name="bench contention",
        institution=inst.uscc,
        province=None,
        created_by=SYSTEM,
    )
    exam = today - dt.timedelta(days=15)
    results = [
        {
            "name": r.name,
            "idNumber": r.id_number,
            "occupation": r.occupation,
            "direction": r.direction,
            "level": LEVEL_BY_CODE[r.level].name,
            "theoryScore": r.theory_score,
            "skillScore": r.skill_score,
        }
        for r in _unique(_rows(random.Random(14), inst.province, list(period.scope), 2 * rows, 1.0))
    ][:rows]
    batch = {"idempotencyKey": f"bench-contention-{rows}", "examDate": exam.isoformat()}
    return token, {**batch, "results": results}


async def submit_lookup(
    db: Database, uri: str, settings: Settings, cfg: Config, folder: Path, master_b64: str
) -> Result:
    token, batch = await _institution(db, settings, cfg.contention_rows)
    # The API's default limits: the batch goes in parts, its bindings computed by the binder.
    extra = {}
    if cfg.contention_binding_threads:
        extra["REGISTRY_BINDING_THREADS"] = str(cfg.contention_binding_threads)
    server = AppServer(uri, settings, folder, master_b64, extra_env=extra)
    try:
        server.wait_ready()
        load = LookupLoad(server.url, cfg.contention_clients)
        load.run_for(cfg.warmup_seconds)
        idle = load.run_for(cfg.contention_seconds)
        load_idle = os.getloadavg()[0]
        log(f"submit-lookup: idle p99 {percentile(idle, 0.99) * 1000:.1f} ms; submitting")
        answer: dict[str, Any] = {}
        started = time.perf_counter()

        def submit() -> None:
            try:
                answer["status"] = submit_in_parts(server.url, token, batch)
            except (OSError, urllib.error.HTTPError, RuntimeError) as error:
                # Still report the look-ups measured meanwhile.
                answer["error"] = str(error)

        during = load.run_while(submit)
        submit_s = time.perf_counter() - started
        loads = (load_idle, os.getloadavg()[0])
    finally:
        server.stop()
    return _result(cfg, idle, during, submit_s, answer, loads)


def _result(
    cfg: Config,
    idle: list[float],
    during: list[float],
    submit_s: float,
    answer: dict[str, Any],
    loads: tuple[float, float] = (0.0, 0.0),
) -> Result:
    """The figures; `loads`: the machine's 1-minute load average after idle and after the
    submission (the machine is shared: a figure without its load says little)."""
    submitted = answer.get("status") == "SUBMITTED"
    idle_p99, during_p99 = percentile(idle, 0.99), percentile(during, 0.99)
    r = ratio(during_p99, idle_p99)
    notes = [f"binding threads: {cfg.contention_binding_threads or 'default (half the cores)'}"]
    if not submitted:
        notes.append(f"the submission failed: {json.dumps(answer, ensure_ascii=False)[:300]}")
    return Result(
        "submit-lookup",
        {
            "rows": cfg.contention_rows,
            "submit_s": round(submit_s, 1),
            "lookups_idle": len(idle),
            "lookups_during": len(during),
            "idle_p50_ms": round(percentile(idle, 0.5) * 1000, 2),
            "idle_p99_ms": round(idle_p99 * 1000, 2),
            "during_p50_ms": round(percentile(during, 0.5) * 1000, 2),
            "during_p99_ms": round(during_p99 * 1000, 2),
            "load_idle": round(loads[0], 1),
            "load_during": round(loads[1], 1),
            "cores": os.cpu_count(),
        },
        r,
        "look-up p99 during a 5,000-row submission ≤ 2× idle",
        submitted and r is not None and r <= 2.0,
        notes,
    )
