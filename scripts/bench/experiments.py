"""Experiments behind the proposals in docs/benchmarks.md (not part of the timed run).

    .venv/bin/python -m scripts.bench.experiments writes [--count N] [--batch B] [--rounds R]
    .venv/bin/python -m scripts.bench.experiments explain [--count N]

`writes`: the floor of publication on the embedded database. The same N published certificates
(clones of ones published through the real path, each batch from one template), batch by batch
in one transaction each: the certificate insert alone, then with publication's read of the
batch's results, then with the statistics' counters as the store moves them; and the publish
benchmark's baseline (`insert_many`, 1,000 a statement). The rungs take turns on each ~1,000
documents, so the database's drift over a round falls on all alike; `--rounds R` repeats the
whole on fresh collections and keeps each rung's best. Signing is left out (the documents are
made beforehand), so only the database's share is compared.

`explain`: the plans the embedded database picks for the certificate queries on the hot paths
(look-ups), to show each runs on an index.

`credentials`: microseconds per credential issued and verified, with the fast paths of
`credentials/` (docs/benchmarks.md) switched off ("before") and on ("after"), alternating. The
verifier's skipped copy of unchanged checks (`_Run._guard`) cannot be switched off and is in both.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import math
import secrets
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection

from registry.certificates import publication
from registry.reports import counters
from registry.settings import Settings
from registry.storage.collections import Collection
from registry.storage.db import Database, Document, make_client
from registry.storage.embedded import EmbeddedServer
from registry.storage.indexes import INDEXES, create_indexes
from scripts.bench import seed
from scripts.bench.benches import log


@dataclass(frozen=True)
class Target:
    """Where one step of the ladder writes its certificates (fresh for each step and round)."""

    db: Database
    certificates: AsyncCollection[Document]


Step = Callable[[Target, list[Document], AsyncClientSession], Awaitable[None]]


async def insert_certificates(t: Target, docs: list[Document], session: AsyncClientSession) -> None:
    """Publication's certificate insert: the batch's documents in its chunks, in order."""
    step = publication.INSERT_CHUNK
    for k in range(0, len(docs), step):
        await t.certificates.insert_many(docs[k : k + step], ordered=True, session=session)


async def read_results(t: Target, docs: list[Document], session: AsyncClientSession) -> None:
    """Publication's own read of the batch's numbered results."""
    rows = await publication.numbered_results(t.db, docs[0]["batch"], session)
    assert len(rows) == len(docs), (len(rows), len(docs))


async def count(t: Target, docs: list[Document], session: AsyncClientSession) -> None:
    """The statistics' counters moved by the published certificates, as the store moves them
    (persons found and inserted, the groups' `$inc`)."""
    await counters.move(t.db, Collection.CERTIFICATES, [], docs, session)


# Each step adds one thing publication must do in its transaction that the baseline does not.
LADDER: dict[str, list[Step]] = {
    "certificates, one transaction a batch": [insert_certificates],
    "+ the batch's results read": [read_results, insert_certificates],
    "+ the statistics' counters": [read_results, insert_certificates, count],
}


def _batches(cloner: seed.Cloner, count: int, batch: int) -> list[Document]:
    """`count` clones, `batch` a batch, each batch cloned from one template (as a real batch
    comes from one institution and session, and counts in a few statistics groups)."""
    n = len(cloner.templates)
    out: list[Document] = []
    for i in range(count):
        b, j = divmod(i, batch)
        clone = cloner.make((b // n) * n * batch + j * n + b % n)
        out.append({**clone, "batch": f"exp-batch-{b:05d}"})
    return out


def _result_row(template: Document, doc: Document, row: int) -> Document:
    """A numbered result row as publication finds it, for the certificate `doc`."""
    return {
        **template,
        "_id": f"{doc['batch']}:1:{row}",
        "batch": doc["batch"],
        "row": row,
        "current": True,
        "certificate": doc["_id"],
        "name": doc["name"],
        "id_hash": doc["id_hash"],
        "binding": doc["binding"],
    }


@contextlib.asynccontextmanager
async def _database(templates: int = 20) -> AsyncIterator[tuple[Database, seed.Cloner]]:
    """A fresh embedded server (fsync at commit, as deployed) with the registry's indexes,
    the demo and `templates` certificates published through the real path to clone; yields the
    database and the cloner."""
    folder = Path(tempfile.mkdtemp(prefix="dte-bench-exp-"))
    server = EmbeddedServer(folder / "embedded")
    await server.start()
    client = make_client(server.uri)
    try:
        settings = Settings.from_env(
            {
                "REGISTRY_DATA_DIR": str(folder / "data"),
                "REGISTRY_MONGODB_URI": server.uri,
                "REGISTRY_DATABASE": "exp",
                "REGISTRY_MASTER_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
            }
        )
        db = client["exp"]
        await create_indexes(db)
        cloner = seed.Cloner(await seed.real_certificates(db, settings, templates))
        yield db, cloner
    finally:
        await client.close()
        await server.stop()
        shutil.rmtree(folder, ignore_errors=True)


Rung = Callable[[Target, list[Document], int], Awaitable[None]]


async def _baseline(t: Target, docs: list[Document], batch: int) -> None:
    """The publish benchmark's baseline: insert_many of the documents, 1,000 a statement, no
    transaction."""
    for k in range(0, len(docs), 1000):
        await t.certificates.insert_many(docs[k : k + 1000], ordered=False)


def _transactions(steps: list[Step]) -> Rung:
    """`steps` over each batch of the documents, one transaction a batch."""

    async def rung(t: Target, docs: list[Document], batch: int) -> None:
        for k in range(0, len(docs), batch):
            chunk = docs[k : k + batch]

            async def work(session: AsyncClientSession, chunk: list[Document] = chunk) -> None:
                for step in steps:
                    await step(t, chunk, session)

            async with t.db.client.start_session() as session:
                await session.with_transaction(work)

    return rung


async def _round(
    db: Database, rungs: dict[str, Rung], docs: list[Document], batch: int
) -> dict[str, float]:
    """Seconds each rung spends on all of `docs`, the rungs taking turns on each group of about
    1,000 documents (whole batches), in an order that rotates: the database's drift over the
    round (its checkpoints, its growing files) falls on every rung alike."""
    group = batch * max(1, round(1000 / batch))
    targets = {name: Target(db, db[f"exp_{k}_certificates"]) for k, name in enumerate(rungs)}
    for t in targets.values():
        await t.certificates.drop()
        await t.certificates.create_indexes(INDEXES[Collection.CERTIFICATES])
    for counted in (Collection.STATISTICS, Collection.STATISTICS_PERSONS):
        await db[counted].drop()  # every holder new, as in the benchmark
    spent = dict.fromkeys(rungs, 0.0)
    names = list(rungs)
    for n, start in enumerate(range(0, len(docs), group)):
        part = docs[start : start + group]
        for name in names[n % len(names) :] + names[: n % len(names)]:
            started = time.perf_counter()
            await rungs[name](targets[name], part, batch)
            spent[name] += time.perf_counter() - started
    for t in targets.values():
        assert await t.certificates.count_documents({}) == len(docs)
    return spent


async def writes(count: int, batch: int, *, rounds: int = 1) -> list[dict[str, Any]]:
    """The floor of publication on this database: the same published documents inserted one
    batch per transaction, then with the batch's results read, then with the statistics'
    counters, each against the publish benchmark's baseline, all taking turns in each round
    (each rung's best of `rounds`). Signing, the log, the audit entry, the key, the status list,
    the batch's transition and the checkpoint come on top of the last rung."""
    rungs: dict[str, Rung] = {"baseline insert_many": _baseline}
    rungs.update({name: _transactions(steps) for name, steps in LADDER.items()})
    best: dict[str, float] = {}
    async with _database() as (db, cloner):
        docs = _batches(cloner, count, batch)
        template = await db[Collection.RESULTS].find_one({"certificate": {"$ne": None}})
        assert template is not None
        rows = [_result_row(template, d, i % batch) for i, d in enumerate(docs)]
        for k in range(0, len(rows), 1000):
            await db[Collection.RESULTS].insert_many(rows[k : k + 1000], ordered=False)
        for r in range(rounds):
            spent = await _round(db, rungs, docs, batch)
            log(f"writes: round {r + 1}: " + "; ".join(f"{n} {s:.2f} s" for n, s in spent.items()))
            for name, s in spent.items():
                best[name] = min(best.get(name, 1e9), s)
    baseline = best["baseline insert_many"]
    return [
        {
            "rung": name,
            "seconds": round(s, 2),
            "ms_per_batch": round(s / math.ceil(count / batch) * 1000, 1),
            "baseline_over_rung": round(baseline / s, 3),
        }
        for name, s in best.items()
    ]


async def explain(count: int) -> list[dict[str, Any]]:
    """The plans of the certificate queries on the hot paths, on `count` clones."""
    from registry.certificates.lookup import PUBLIC_STATES

    rows: list[dict[str, Any]] = []
    async with _database() as (db, cloner):
        await seed.insert_clones(db, cloner, 0, count)
        sample = cloner.make(count // 2)
        queries: dict[str, tuple[Document, Any]] = {
            "by_number before 3b30f82 {_id, status}": (
                {"_id": sample["_id"], "status": {"$in": PUBLIC_STATES}},
                None,
            ),
            "by_number {_id}": ({"_id": sample["_id"]}, None),
            "lookup.by_holder": (
                {"id_hash": sample["id_hash"], "status": {"$in": PUBLIC_STATES}},
                [("_id", 1)],
            ),
        }
        for name, (query, sort) in queries.items():
            cursor = db.certificates.find(query)
            if sort:
                cursor = cursor.sort(sort)
            plan = await cursor.explain()
            winning = plan.get("queryPlanner", {}).get("winningPlan", {})
            stats = plan.get("executionStats", {})
            # What the plan costs when run: the mean of 100 finds, each for another clone.
            started = time.perf_counter()
            for k in range(100):
                other = cloner.make((count // 100) * k)
                shaped = {
                    key: (other[key] if key in ("_id", "id_hash", "batch") else value)
                    for key, value in query.items()
                }
                await db.certificates.find_one(shaped)
            mean_ms = (time.perf_counter() - started) / 100 * 1000
            rows.append(
                {
                    "query": name,
                    "winningPlan": _plan_text(winning),
                    "keysExamined": stats.get("totalKeysExamined"),
                    "docsExamined": stats.get("totalDocsExamined"),
                    "returned": stats.get("nReturned"),
                    "find_one_mean_ms": round(mean_ms, 2),
                }
            )
    return rows


def _plan_text(stage: Any) -> str:
    if not isinstance(stage, dict):
        return str(stage)
    name = str(stage.get("stage", "?"))
    if "indexName" in stage:
        name += f"({stage['indexName']})"
    inner = stage.get("inputStage")
    return name if inner is None else f"{name} <- {_plan_text(inner)}"


def credentials_costs(count: int) -> list[dict[str, Any]]:
    """Microseconds per credential for issuing (build, schema check, sign) and for verifying,
    with this tree's fast paths (JCS via the standard encoder, the schema's fast acceptance, the
    local base58 decoder) on and off, alternating in one process."""
    from unittest import mock

    import base58

    # Switching the fast paths off reaches into the private modules on purpose: only this
    # experiment does, to measure what they are worth.
    from credentials import (
        PublicKey,
        _acceptance,
        _multibase,
        binding,
        certificate,
        issue_certificate,
        load_bundle,
        verify_credential,
    )
    from credentials import _jcs as jcs
    from tests.credentials import _support as samples
    from tests.credentials import _support as support

    bundle = load_bundle(support.bundle_document(), support.root_public())

    credential = support.issue()
    holder = binding.commit(samples.HOLDER_ID, salt=samples.FIXED_SALT, params=samples.FAST_PARAMS)
    claims, key = samples.sample_claims(), samples.issuer_key()

    def issue_once() -> None:
        issue_certificate(
            claims, key, binding=holder, status=samples.SAMPLE_STATUS, created=samples.CREATED
        )

    def verify_once() -> None:
        verify_credential(credential, bundle=bundle, now=support.NOW)

    def timed(fn: Callable[[], None]) -> float:
        started = time.perf_counter()
        for _ in range(count):
            fn()
        return (time.perf_counter() - started) / count * 1e6

    def slow() -> Any:
        stack = contextlib.ExitStack()
        stack.enter_context(mock.patch.object(jcs, "is_plain_json", lambda value: False))
        stack.enter_context(mock.patch.object(certificate, "is_plain_json", lambda v: False))
        stack.enter_context(mock.patch.object(_acceptance, "accepts", lambda doc, **_: False))
        stack.enter_context(
            mock.patch.object(_multibase, "decode", lambda text: bytes(base58.b58decode(text)))
        )
        stack.enter_context(
            mock.patch.object(
                PublicKey,
                "multibase",
                property(lambda key: "z" + base58.b58encode(b"\xed\x01" + key.raw).decode()),
            )
        )
        return stack

    def validate_once() -> None:
        certificate.validate_certificate(credential)

    def canonicalize_once() -> None:
        jcs.canonicalize(credential)

    operations: dict[str, Callable[[], None]] = {
        "issue_certificate": issue_once,
        "verify_credential": verify_once,
        "validate_certificate": validate_once,
        "jcs.canonicalize": canonicalize_once,
    }
    rows: dict[str, dict[str, list[float]]] = {
        name: {"before": [], "after": []} for name in operations
    }
    for _ in range(3):
        for name, fn in operations.items():
            with slow():
                rows[name]["before"].append(timed(fn))
            rows[name]["after"].append(timed(fn))
    return [
        {
            "operation": name,
            "before_us": round(min(v["before"]), 1),
            "after_us": round(min(v["after"]), 1),
            "speedup": round(min(v["before"]) / min(v["after"]), 2),
        }
        for name, v in rows.items()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("experiment", choices=["writes", "explain", "credentials"])
    parser.add_argument("--count", type=int, default=4000)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=1, help="writes: alternated rounds")
    args = parser.parse_args()
    if args.experiment == "credentials":
        for line in credentials_costs(min(args.count, 2000)):
            print(line, flush=True)
        return
    run = (
        writes(args.count, args.batch, rounds=args.rounds)
        if args.experiment == "writes"
        else explain(args.count)
    )
    for row in asyncio.run(run):
        print(row, flush=True)


if __name__ == "__main__":
    main()
