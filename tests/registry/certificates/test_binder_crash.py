"""Killing the binder (SIGKILL) in the middle of a batch's bindings loses nothing and redoes
nothing: a new binder resumes with the rows still unbound, every row ends bound exactly once
(the bindings written before the kill untouched), and the batch becomes SUBMITTED."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import sys
import textwrap

from credentials import binding
from registry.access.auth import Principal, Role
from registry.access.personal import PersonalData
from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.certificates import binder, parts, review
from registry.certificates.parts import BatchHeader
from registry.certificates.validation import ResultInput
from registry.settings import Settings
from registry.storage.db import Database
from tests.factories import listed_institution, make_id_number, make_uscc

USCC = make_uscc(830)
ROWS = 160

BINDER = textwrap.dedent(
    """
    import asyncio, sys
    from registry.access.personal import PersonalData
    from registry.certificates import binder
    from registry.storage.db import make_client

    async def main(uri, name, batch, key_hex, run):
        db = make_client(uri)[name]
        done = await binder.bind_batch(
            db, PersonalData(bytes.fromhex(key_hex)), batch, run=run,
            on_chunk=lambda n: print("bound", n, flush=True),
        )
        print("finished", done, flush=True)

    asyncio.run(main(*sys.argv[1:]))
    """
)


async def start_binder(
    mongodb_uri: str, db: Database, bid: str, settings: Settings, run: str
) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        BINDER,
        mongodb_uri,
        db.name,
        bid,
        settings.master_key().hex(),
        run,
        stdout=asyncio.subprocess.PIPE,
    )


async def closed_batch(db: Database, personal: PersonalData) -> str:
    await catalogue.seed_reference(db)
    await listed_institution(db, USCC, filed="2025-01-06")
    me = Principal(Role.EVALUATION_INSTITUTION, "i", "crash-binder", institution=USCC)
    rng = random.Random(83)
    rows = [
        ResultInput(f"考生{i}", make_id_number(rng), "2-02-38-01", 1, 90, 90) for i in range(ROWS)
    ]
    exam = clock.today() - dt.timedelta(days=3)
    opened = await parts.open_batch(db, me, BatchHeader("crash-binder-01", exam, ROWS))
    bid = str(opened.batch["_id"])
    for number in (1, 2):
        half = rows[(number - 1) * ROWS // 2 : number * ROWS // 2]
        await parts.add_part(db, me, bid, number, half, personal)
    assert (await parts.close_batch(db, me, bid, personal)).batch["status"] == "BINDING"
    return bid


async def test_sigkill_during_binding_resumes_and_binds_each_row_once(
    db: Database, settings: Settings, mongodb_uri: str
) -> None:
    personal = PersonalData(settings.master_key())
    bid = await closed_batch(db, personal)
    first = await start_binder(mongodb_uri, db, bid, settings, "first")
    assert first.stdout is not None
    while not (await first.stdout.readline()).startswith(b"bound"):
        pass  # let it write at least one chunk
    first.kill()
    await first.wait()

    rows = {r["_id"]: r async for r in db.results.find({"batch": bid})}
    before = {k: r["binding"] for k, r in rows.items() if r["binding"] is not None}
    assert 0 < len(before) < ROWS, "the kill came before any write or after the last"
    assert (await review.load(db, bid))["status"] == "BINDING"

    second = await start_binder(mongodb_uri, db, bid, settings, "second")
    out, _ = await second.communicate()
    assert second.returncode == 0
    assert out.splitlines()[-1] == f"finished {ROWS - len(before)}".encode()

    after = {r["_id"]: r async for r in db.results.find({"batch": bid})}
    assert len(after) == ROWS and all(r["binding"] is not None for r in after.values())
    # What the first binder wrote is untouched; the second bound only the rest.
    assert {k: after[k]["binding"] for k in before} == before
    assert {k for k, r in after.items() if r["bound_by"] == "second"} == set(after) - set(before)
    for row in random.Random(1).sample(list(after.values()), 8):
        assert binding.check(row["binding"], personal.decrypt(row["id_enc"])).ok
    batch = await review.load(db, bid)
    assert batch["status"] == "SUBMITTED"
    assert await binder.progress(db, batch) == (ROWS, ROWS)
