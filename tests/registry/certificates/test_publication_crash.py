"""Killing the process (SIGKILL) in the middle of a publication leaves the batch either fully
published or not at all, with the statistics' counters and the transparency log agreeing with
the data; publishing again completes it."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import sys
import textwrap
import time

from credentials.transparency import NoteKey
from registry.access.auth import Principal, Role
from registry.access.personal import PersonalData
from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.certificates import publication, review
from registry.certificates.submission import submit
from registry.certificates.validation import BatchInput, ResultInput
from registry.reports import rebuild, statistics
from registry.settings import Settings
from registry.storage.db import Database
from registry.transparency import checkpoints, checks
from tests.factories import listed_institution, make_id_number, make_uscc

USCC = make_uscc(600)
ROWS = 300

PUBLISHER = textwrap.dedent(
    """
    import asyncio, sys
    from registry.access.auth import Principal, Role
    from registry.certificates import publication
    from registry.storage.db import make_client

    async def main(uri, name, batch, key_hex, base_url):
        db = make_client(uri)[name]
        office = Principal(Role.OFFICE_ADMIN, "o", "crash-office")
        print("publishing", flush=True)
        await publication.publish(db, office, batch, master_key=bytes.fromhex(key_hex), base_url=base_url)
        print("published", flush=True)

    asyncio.run(main(*sys.argv[1:]))
    """
)


async def test_sigkill_during_publication_is_all_or_nothing(
    db: Database, settings: Settings, mongodb_uri: str
) -> None:
    await catalogue.seed_reference(db)
    await listed_institution(db, USCC, filed="2025-01-06")
    rng = random.Random(60)
    rows = [
        ResultInput(f"考生{i}", make_id_number(rng), "2-02-38-01", 1, 90, 90) for i in range(ROWS)
    ]
    me = Principal(Role.EVALUATION_INSTITUTION, "t", "crash-inst", institution=USCC)
    exam = clock.today() - dt.timedelta(days=3)
    outcome = await submit(
        db, me, BatchInput("crash-batch-01", exam, rows), PersonalData(settings.master_key())
    )
    bid = outcome.batch["_id"]
    await review.approve_province(
        db, Principal(Role.PROVINCIAL_REVIEWER, "p", "cp", province="35"), bid
    )
    await review.check_cettic(db, Principal(Role.CETTIC_REVIEWER, "c", "cc"), bid)

    killed_mid_way = False
    for delay in (0.05,):
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            PUBLISHER,
            mongodb_uri,
            db.name,
            bid,
            settings.master_key().hex(),
            settings.base_url,
            stdout=asyncio.subprocess.PIPE,
        )
        assert process.stdout is not None
        assert (await process.stdout.readline()).strip() == b"publishing"
        time.sleep(delay)  # noqa: ASYNC251 — block the loop on purpose: nothing else may run
        process.kill()
        await process.wait()
        published = await db.certificates.count_documents({"batch": bid, "status": "PUBLISHED"})
        status = (await db.batches.find_one({"_id": bid}))["status"]  # type: ignore[index]
        assert (published, status) in {(0, "CETTIC_CHECKED"), (ROWS, "PUBLISHED")}, (
            published,
            status,
        )
        killed_mid_way = status == "CETTIC_CHECKED"
        # The counters moved with the data or not at all: they agree with a recount.
        assert await rebuild.check(db) == []
        # The log and the database agree after the kill: the leaves went with the certificates.
        report = await checks.verify_log(db, await log_key(db, settings))
        assert report.ok and report.certificates == published, report.problems
        break  # one kill: its orphaned transaction holds its writes until the server expires it
    assert killed_mid_way, "the publication finished before the first kill; the test proved nothing"

    # The killed client's transaction stays open on the server until it expires (about 60 s,
    # like mongod's transactionLifetimeLimitSeconds); publishing again waits for it, then completes.
    office = Principal(Role.OFFICE_ADMIN, "o", "crash-office")
    done = await publication.publish(
        db, office, bid, master_key=settings.master_key(), base_url=settings.base_url
    )
    assert done["status"] == "PUBLISHED"
    certs = [c async for c in db.certificates.find({"batch": bid})]
    assert len(certs) == ROWS and all(
        c["status"] == "PUBLISHED" and c["credential"]["proof"] for c in certs
    )
    indices = {(c["status_ref"]["list_id"], c["status_ref"]["index"]) for c in certs}
    assert len(indices) == ROWS  # every credential its own status bit
    assert await rebuild.check(db) == []
    [totals] = await statistics.aggregate(db, [])
    assert (totals.counts["candidates"], totals.counts["certificates_issued"]) == (ROWS, ROWS)
    report = await checks.verify_log(db, await log_key(db, settings))
    assert report.ok and report.certificates == ROWS, report.problems


async def log_key(db: Database, settings: Settings) -> NoteKey:
    return await checkpoints.note_key(db, settings.master_key(), settings.base_url)
