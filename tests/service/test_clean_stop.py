"""Clean stops (issue 17, item 5): Ctrl-C or SIGTERM stops `registry serve` and its embedded
database within 10 s while look-ups and a publication are running, leaves no process behind, and
the data directory serves again at once with the publication all there or not there at all. A
second Ctrl-C forces the stop (no waiting for requests in flight)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from registry.access.auth import Role
from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.storage.collections import Collection
from registry.storage.db import Database, make_client
from registry.storage.embedded import STATE_FILE, read_state
from tests.client import gql
from tests.factories import (
    MASTER_KEY_B64,
    listed_institution,
    make_tokens,
    make_uscc,
    passing_results,
)
from tests.service.served import Served, children, clean_env, running, secantus_pids

USCC = make_uscc(1705)
ROWS = 120
STOP_WITHIN_S = 10.0
SUBMIT = """mutation ($input: AssessmentBatchInput!) { submitAssessmentBatch(input: $input) {
  batch { id batchId } userErrors { code message } } }"""
STEP = """mutation ($id: String!) { %s(batchId: $id) { batch { status } userErrors { code } } }"""
READ = "{ occupations(first: 5) { nodes { code name } } fields { code } }"


@contextlib.asynccontextmanager
async def _database(data_dir: Path) -> AsyncIterator[Database]:
    running = read_state(data_dir)
    assert running is not None
    client = make_client(running.uri)
    try:
        yield client["dte_registry"]
    finally:
        await client.close()


async def _batch_ready_to_publish(url: str, db: Database) -> tuple[str, str, str]:
    """A batch of ROWS passing results, checked by CETTIC: (its id, its batchId, the office's
    token)."""
    await catalogue.seed_reference(db)
    await listed_institution(db, USCC, filed="2025-01-06")
    t = await make_tokens(
        db,
        {
            "inst": (Role.EVALUATION_INSTITUTION, USCC, None),
            "prov": (Role.PROVINCIAL_REVIEWER, None, "35"),
            "cettic": (Role.CETTIC_REVIEWER, None, None),
            "office": (Role.OFFICE_ADMIN, None, None),
        },
    )
    rows = passing_results(17, ROWS, "陈")
    exam = (clock.today() - dt.timedelta(days=5)).isoformat()
    async with httpx.AsyncClient(base_url=url, timeout=120) as http:
        submit_input = {"idempotencyKey": "clean-stop-1", "examDate": exam, "results": rows}
        batch = (await gql(http, t["inst"], SUBMIT, input=submit_input))["submitAssessmentBatch"][
            "batch"
        ]
        for token, step in [(t["prov"], "approveBatchProvince"), (t["cettic"], "checkBatchCettic")]:
            assert (await gql(http, token, STEP % step, id=batch["id"]))[step]["userErrors"] == []
    return batch["id"], batch["batchId"], t["office"]


async def _read_forever(url: str) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        while True:
            try:
                await http.post("/graphql", json={"query": READ})
            except httpx.HTTPError:
                await asyncio.sleep(0.05)


async def _publish(url: str, batch_id: str, office: str) -> Any:
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        with contextlib.suppress(httpx.HTTPError):
            return await http.post(
                "/graphql",
                json={"query": STEP % "publishBatch", "variables": {"id": batch_id}},
                headers={"authorization": f"Bearer {office}"},
            )
    return None


def _cancelled(line: str) -> bool:
    """Whether a JSON log line's traceback ends in a cancellation."""
    return line.rstrip().removesuffix('"}').removesuffix("\\n").endswith("CancelledError")


def _assert_nothing_left(
    served: Served, code: int, family: list[int], data_dir: Path, forced: bool
) -> None:
    log = served.log.read_text()
    assert code == 0, log
    # A forced stop cuts the requests in flight short: uvicorn logs each one's cancellation. No
    # other failure may show, and none at all in a graceful stop.
    failures = [
        line[-1500:]
        for line in log.splitlines()
        if "Traceback" in line and not (forced and _cancelled(line))
    ]
    assert failures == [], failures
    assert secantus_pids(data_dir) == []
    # multiprocessing's resource tracker (two workers) exits by itself once the supervisor has
    # gone: it may take a moment, still within the 10 s.
    deadline = time.monotonic() + 2
    while running(family) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert running(family) == []
    assert not (data_dir / STATE_FILE).exists()


@pytest.mark.parametrize(
    ("signals", "workers"),
    [((signal.SIGTERM,), "1"), ((signal.SIGINT,), "2"), ((signal.SIGINT, signal.SIGINT), "1")],
    ids=["SIGTERM", "Ctrl-C, two workers", "Ctrl-C twice"],
)
async def test_a_signal_under_load_stops_everything_in_time_and_leaves_all_or_nothing(
    tmp_path: Path, signals: tuple[int, ...], workers: str
) -> None:
    data_dir = tmp_path / "var"
    env = clean_env(
        REGISTRY_DATA_DIR=str(data_dir),
        REGISTRY_MASTER_KEY=MASTER_KEY_B64,
        REGISTRY_REQUEST_TIMEOUT="120",  # a busy shared machine: the set-up must not time out
    )
    served = Served(tmp_path, env, *(("--workers", workers) if workers != "1" else ()))
    try:
        await asyncio.to_thread(served.wait_ready)
        async with _database(data_dir) as db:
            batch_id, batch_name, office = await _batch_ready_to_publish(served.url, db)
        family = [served.process.pid, *children(served.process.pid)]
        readers = [asyncio.create_task(_read_forever(served.url)) for _ in range(6)]
        publication = asyncio.create_task(_publish(served.url, batch_id, office))
        await asyncio.sleep(0.3)  # the look-ups and the publication are under way
        started = time.monotonic()
        for sig in signals:
            served.process.send_signal(sig)
            await asyncio.sleep(0.2)
        code = await asyncio.to_thread(served.process.wait, 30)
        took = time.monotonic() - started
        for task in readers:
            task.cancel()
        await asyncio.gather(*readers, publication, return_exceptions=True)
        print(f"stopped after {took:.1f} s")
        assert took < STOP_WITHIN_S, f"stopped after {took:.1f} s"
        _assert_nothing_left(served, code, family, data_dir, forced=len(signals) > 1)

        again = Served(tmp_path, env)
        try:
            await asyncio.to_thread(again.wait_ready, 30)  # the directory is reusable at once
            async with _database(data_dir) as db:
                batch = await db[Collection.BATCHES].find_one({"_id": batch_name})
                assert batch is not None
                written = await db[Collection.CERTIFICATES].count_documents({"batch": batch_name})
            assert (batch["status"], written) in {("CETTIC_CHECKED", 0), ("PUBLISHED", ROWS)}
            assert again.stop(signal.SIGTERM) == 0
        finally:
            again.kill()
    finally:
        served.kill()


async def test_a_request_in_flight_at_the_signal_is_answered_and_its_connection_closed(
    tmp_path: Path,
) -> None:
    """The stop signal reaches the app (service/stopping.py) as well as the server: a request
    still sending its body when SIGTERM comes is answered, with `Connection: close`."""
    env = clean_env(REGISTRY_DATA_DIR=str(tmp_path / "var"), REGISTRY_MASTER_KEY=MASTER_KEY_B64)
    served = Served(tmp_path, env)
    try:
        await asyncio.to_thread(served.wait_ready)
        body = json.dumps({"query": READ}).encode()
        head = (
            b"POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
            b"content-length: %d\r\n\r\n" % len(body)
        )
        reader, writer = await asyncio.open_connection("127.0.0.1", served.port)
        writer.write(head + body[:5])
        await writer.drain()
        await asyncio.sleep(0.3)  # the request is in the app, waiting for the rest of its body
        served.process.send_signal(signal.SIGTERM)
        await asyncio.sleep(0.5)
        writer.write(body[5:])
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), 10)  # until the server closes
        writer.close()
        lines = answer.partition(b"\r\n\r\n")[0].decode().lower().split("\r\n")
        assert lines[0] == "http/1.1 200 ok", answer[:300]
        assert "connection: close" in lines
        assert await asyncio.to_thread(served.process.wait, 10) == 0
        assert "Traceback" not in served.log.read_text()
    finally:
        served.kill()
