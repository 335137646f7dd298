"""Experiments behind the proposals in docs/benchmarks.md (not part of the timed run).

    .venv/bin/python -m scripts.bench.experiments writes [--count N] [--batch B]
    .venv/bin/python -m scripts.bench.experiments explain [--count N]

`writes`: how the embedded database takes publication's writes. The same N pending certificates
(clones of ones published through the real path) become the same final documents, batch by
batch in one transaction each, by several strategies; plus the insert_many baseline. Signing is
left out (the documents are prepared beforehand), so only the database's share is compared.
`--others M` adds M more pending certificates (other batches) to every collection, as in the
benchmark, where all 80,000 are pending at first; `--rounds R` repeats everything on fresh
collections, alternating the order (forward, backward, ...), and keeps each strategy's best;
`--profile DIR` records the database process with py-spy during each strategy.

`explain`: the plans the embedded database picks for the certificate queries on the hot paths
(look-ups, publication), to show each runs on an index.

`credentials`: microseconds per credential issued and verified, with the fast paths of
`credentials/` (docs/benchmarks.md) switched off ("before") and on ("after"), alternating. The
verifier's skipped copy of unchanged checks (`_Run._guard`) cannot be switched off and is in both.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import secrets
import shutil
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from pymongo import ReplaceOne, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection

from registry.settings import Settings
from registry.storage.collections import Collection
from registry.storage.db import Document, make_client
from registry.storage.embedded import EmbeddedServer
from registry.storage.indexes import INDEXES, create_indexes
from scripts.bench import seed
from scripts.bench.benches import Profiler, log

_PUBLISHED_FIELDS = ("status", "published_at", "credential", "status_ref")
Strategy = Callable[
    [AsyncCollection[Document], list[Document], AsyncClientSession], Awaitable[None]
]


def _pending(doc: Document) -> Document:
    out = {k: v for k, v in doc.items() if k not in _PUBLISHED_FIELDS}
    out["status"] = "PENDING"
    return out


async def update_id_and_status(
    coll: AsyncCollection[Document], docs: list[Document], session: AsyncClientSession
) -> None:
    """What publication did before delete + insert (one UpdateOne per certificate)."""
    result = await coll.bulk_write(
        [
            UpdateOne(
                {"_id": d["_id"], "status": "PENDING"},
                {"$set": {k: d[k] for k in _PUBLISHED_FIELDS}},
            )
            for d in docs
        ],
        ordered=False,
        session=session,
    )
    assert result.modified_count == len(docs)


async def update_id_only(
    coll: AsyncCollection[Document], docs: list[Document], session: AsyncClientSession
) -> None:
    await coll.bulk_write(
        [
            UpdateOne({"_id": d["_id"]}, {"$set": {k: d[k] for k in _PUBLISHED_FIELDS}})
            for d in docs
        ],
        ordered=False,
        session=session,
    )


async def replace(
    coll: AsyncCollection[Document], docs: list[Document], session: AsyncClientSession
) -> None:
    result = await coll.bulk_write(
        [ReplaceOne({"_id": d["_id"], "status": "PENDING"}, d) for d in docs],
        ordered=False,
        session=session,
    )
    assert result.modified_count == len(docs)


async def delete_then_insert(
    coll: AsyncCollection[Document], docs: list[Document], session: AsyncClientSession
) -> None:
    deleted = await coll.delete_many(
        {"_id": {"$in": [d["_id"] for d in docs]}, "status": "PENDING"}, session=session
    )
    assert deleted.deleted_count == len(docs)
    await coll.insert_many(docs, ordered=True, session=session)


async def delete_batch_then_insert(
    coll: AsyncCollection[Document], docs: list[Document], session: AsyncClientSession
) -> None:
    """What publication does now: one delete_many of the batch's PENDING documents (the
    `batch_status` index, two equalities to match), its count checked, then one insert_many of
    the published ones."""
    deleted = await coll.delete_many(
        {"batch": docs[0]["batch"], "status": "PENDING"}, session=session
    )
    assert deleted.deleted_count == len(docs)
    await coll.insert_many(docs, ordered=True, session=session)


async def delete_id_then_insert(
    coll: AsyncCollection[Document], docs: list[Document], session: AsyncClientSession
) -> None:
    deleted = await coll.delete_many({"_id": {"$in": [d["_id"] for d in docs]}}, session=session)
    assert deleted.deleted_count == len(docs)
    await coll.insert_many(docs, ordered=True, session=session)


STRATEGIES: dict[str, Strategy] = {
    "update {_id, status} (before)": update_id_and_status,
    "update {_id}": update_id_only,
    "replace {_id, status}": replace,
    "delete_many {_id $in, status} + insert_many": delete_then_insert,
    "delete_many {_id $in} + insert_many": delete_id_then_insert,
    "delete_many {batch, status} + insert_many (now)": delete_batch_then_insert,
}


async def writes(
    count: int,
    batch: int,
    *,
    others: int = 0,
    rounds: int = 1,
    profile: Path | None = None,
    only: str | None = None,
) -> list[dict[str, Any]]:
    folder = Path(tempfile.mkdtemp(prefix="dte-bench-exp-"))
    server = EmbeddedServer(folder / "embedded")
    await server.start()
    client = make_client(server.uri)
    profiler = Profiler(profile)
    best: dict[str, float] = {}
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
        cloner = seed.Cloner(await seed.real_certificates(db, settings, 20))
        # Every `batch` certificates make one batch, as publication writes them.
        final = [{**cloner.make(i), "batch": f"exp-batch-{i // batch:05d}"} for i in range(count)]
        bystanders = [
            _pending({**cloner.make(count + i), "batch": f"exp-other-{i // batch:05d}"})
            for i in range(others)
        ]
        names = [n for n in STRATEGIES if only is None or only in n]
        for r in range(rounds):
            order = names if r % 2 == 0 else names[::-1]
            for name in order:
                coll = db[f"exp_{r}_{names.index(name)}"]
                await coll.create_indexes(INDEXES[Collection.CERTIFICATES])
                everything = [_pending(d) for d in final] + bystanders
                for k in range(0, len(everything), 2000):
                    await coll.insert_many(everything[k : k + 2000], ordered=False)
            base = db[f"exp_{r}_baseline"]
            await base.create_indexes(INDEXES[Collection.CERTIFICATES])
            if bystanders:
                await base.insert_many(bystanders, ordered=False)
            started = time.perf_counter()
            await base.insert_many(final, ordered=False)
            baseline = time.perf_counter() - started
            best["insert_many (baseline)"] = min(best.get("insert_many (baseline)", 1e9), baseline)
            log(f"writes: round {r + 1}: baseline insert_many {count} in {baseline:.2f} s")
            for name in order:
                coll = db[f"exp_{r}_{names.index(name)}"]
                with profiler.record(f"writes-{names.index(name)}", {"database": server.pid}):
                    started = time.perf_counter()
                    for k in range(0, count, batch):
                        chunk = final[k : k + batch]

                        async def work(
                            session: AsyncClientSession,
                            chunk: list[Document] = chunk,
                            strategy: Strategy = STRATEGIES[name],
                            coll: AsyncCollection[Document] = coll,
                        ) -> None:
                            await strategy(coll, chunk, session)

                        async with client.start_session() as session:
                            await session.with_transaction(work)
                    spent = time.perf_counter() - started
                published = await coll.count_documents({"status": "PUBLISHED"})
                assert published == count, (name, published)
                best[name] = min(best.get(name, 1e9), spent)
                log(
                    f"writes: round {r + 1}: {name}: {spent:.2f} s "
                    f"({baseline / spent:.2f} of the baseline's speed)"
                )
                await coll.drop()
            await base.drop()
    finally:
        await client.close()
        await server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    baseline_best = best.pop("insert_many (baseline)")
    rows: list[dict[str, Any]] = [
        {"strategy": "insert_many (baseline)", "seconds": round(baseline_best, 2)}
    ]
    for name, spent in best.items():
        rows.append(
            {
                "strategy": name,
                "seconds": round(spent, 2),
                "baseline_over_strategy": round(baseline_best / spent, 3),
            }
        )
    return rows


async def explain(count: int) -> list[dict[str, Any]]:
    """The plans of the certificate queries on the hot paths, on `count` clones."""
    from registry.certificates.lookup import PUBLIC_STATES

    folder = Path(tempfile.mkdtemp(prefix="dte-bench-exp-"))
    server = EmbeddedServer(folder / "embedded")
    await server.start()
    client = make_client(server.uri)
    rows: list[dict[str, Any]] = []
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
        cloner = seed.Cloner(await seed.real_certificates(db, settings, 20))
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
            "publication pending": ({"batch": sample["batch"], "status": "PENDING"}, None),
            "publication update": ({"_id": sample["_id"], "status": "PENDING"}, None),
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
    finally:
        await client.close()
        await server.stop()
        shutil.rmtree(folder, ignore_errors=True)
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
    parser.add_argument("--others", type=int, default=0, help="writes: more pending certificates")
    parser.add_argument("--rounds", type=int, default=1, help="writes: alternated rounds")
    parser.add_argument("--only", help="writes: the strategies whose name contains this text")
    parser.add_argument("--profile", type=Path, help="writes: py-spy the database into DIR")
    args = parser.parse_args()
    if args.experiment == "credentials":
        for line in credentials_costs(min(args.count, 2000)):
            print(line, flush=True)
        return
    run = (
        writes(
            args.count,
            args.batch,
            others=args.others,
            rounds=args.rounds,
            profile=args.profile,
            only=args.only,
        )
        if args.experiment == "writes"
        else explain(args.count)
    )
    for row in asyncio.run(run):
        print(row, flush=True)


if __name__ == "__main__":
    main()
