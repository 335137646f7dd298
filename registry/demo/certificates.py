"""Demo certificates for `registry serve --demo`: about 600 published certificates by default
(`REGISTRY_DEMO_CERTIFICATES` asks for more or fewer; 1 % revoked) from the evaluation
institutions listed today, walked through the real submission, review and publication, one of
them the demo holder's (`registry/demo/holder.py`); then the files a newcomer verifies offline,
in `<data dir>/demo/`.

Submission computes an Argon2id binding per passing result (~30 ms of one core each): seeding
runs before the service answers anyone, so the bindings take every core then
(`submission.seeding_pool`). `progress` is told as it goes; later starts reuse the data.

What the other demo modules and the benchmarks use of it is public: `issuers` (who may report
results today), `demo_results` (fictitious results within an institution's scope) and
`publish_batch` (a batch walked through submission, review and publication).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import random
from collections.abc import Callable
from pathlib import Path

from credentials import qr
from registry.access.auth import Principal, Role
from registry.access.personal import PersonalData
from registry.calendar import clock
from registry.certificates import publication, review, revocation, submission
from registry.certificates.model import CertificateStatus
from registry.certificates.validation import BatchInput, ResultInput
from registry.demo import directory, holder
from registry.institutions.model import Institution, Kind, Status, from_document
from registry.settings import Settings
from registry.storage.collections import Collection
from registry.storage.db import Database, Document
from registry.transparency import inclusion as log_inclusion
from registry.trust import bundles as trust
from registry.trust import offline_root

MARKER = "demo_certificates_v1"
TARGET_PASSING = 600
PASS_RATE = 0.85
REVOKED_SHARE = 0.01
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志红文辉鹏飞宇浩然欣怡子涵梓萱俊杰"

Progress = Callable[[int, int], None]
OFFICE = Principal(Role.OFFICE_ADMIN, "demo office", "demo-office")


def _id_number(rng: random.Random, province: str) -> str:
    born = dt.date(1975, 1, 1) + dt.timedelta(days=rng.randint(0, 27 * 365))
    return holder.fictitious_id_number(province, born, rng.randint(1, 999))


def _at(day: dt.date, days_later: int) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=days_later), dt.time(2), tzinfo=dt.UTC)


def _score(rng: random.Random, mean: float) -> float:
    return float(max(0, min(100, round(rng.gauss(mean, 11)))))


async def issuers(db: Database, today: dt.date) -> list[Institution]:
    """The evaluation institutions listed on `today` for at least 45 days."""
    found = []
    async for doc in db[Collection.INSTITUTIONS].find(
        {"kind": Kind.EVALUATION.value, "status": Status.LISTED.value}
    ):
        inst = from_document(doc)
        period = inst.listed_on(today)
        if period is not None and (today - period.start).days >= 45:
            found.append(inst)
    return found


def demo_results(
    inst: Institution, today: dt.date, count: int, rng: random.Random
) -> list[ResultInput]:
    """`count` results within the institution's scope, most of them passing."""
    period = inst.listed_on(today)
    assert period is not None
    rows = []
    for i in range(count):
        entry = period.scope[i % len(period.scope)]
        good = rng.random() < PASS_RATE + 0.05
        rows.append(
            ResultInput(
                name=rng.choice(SURNAMES)
                + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
                id_number=_id_number(rng, inst.province),
                occupation=entry.occupation,
                level=entry.level,
                direction=entry.direction,
                theory_score=_score(rng, 78 if good else 52),
                skill_score=_score(rng, 80 if good else 70),
            )
        )
    return rows


async def publish_batch(
    db: Database,
    settings: Settings,
    master: bytes,
    inst: Institution,
    batch: BatchInput,
) -> list[str]:
    """Submit, review and publish one batch as its institution and reviewers would; the
    numbers of its certificates."""
    exam = batch.exam_date
    me = Principal(Role.EVALUATION_INSTITUTION, "demo", "demo-inst", institution=inst.uscc)
    prov = Principal(Role.PROVINCIAL_REVIEWER, "demo", "demo-prov", province=inst.province)
    cettic = Principal(Role.CETTIC_REVIEWER, "demo cettic", "demo-cettic")
    outcome = await submission.submit(db, me, batch, PersonalData(master), now=_at(exam, 7))
    bid = outcome.batch["_id"]
    await review.approve_province(db, prov, bid, now=_at(exam, 9))
    await review.check_cettic(db, cettic, bid, now=_at(exam, 11))
    await publication.publish(db, OFFICE, bid, master_key=master, base_url=settings.base_url)
    return [c["_id"] async for c in db[Collection.CERTIFICATES].find({"batch": bid}, {"_id": 1})]


async def seed_certificates(
    db: Database, settings: Settings, progress: Progress | None = None
) -> int:
    """Publish the demo certificates once; returns how many were published now."""
    if await db[Collection.DEMO_STATE].find_one({"_id": MARKER}):
        return 0
    master = settings.master_key()
    rng = random.Random(80000)  # noqa: S311 (reproducible demo data, not secrets)
    today = clock.today()
    reporting = await issuers(db, today)
    if not reporting:
        return 0
    # REGISTRY_DEMO_CERTIFICATES makes the demo smaller (tests) or larger (load trials).
    target = int(os.environ.get("REGISTRY_DEMO_CERTIFICATES", TARGET_PASSING))
    rows_each = max(1, math.ceil(target / PASS_RATE / len(reporting) / 2))
    done, total = 0, rows_each * 2 * len(reporting)
    published: list[str] = []
    token_institution = directory.token_institutions()[0].uscc
    # Seeding runs before the service answers anyone: the bindings may take every core.
    with submission.seeding_pool(os.cpu_count() or 1):
        for inst in reporting:
            for days_ago in (40, 15):
                exam = today - dt.timedelta(days=days_ago)
                rows = demo_results(inst, today, rows_each, rng)
                if inst.uscc == token_institution and days_ago == 40:
                    rows[0] = holder.as_holder(rows[0])  # the demo holder always passes
                batch = BatchInput(f"demo-{inst.uscc}-{exam.isoformat()}", exam, rows)
                published += await publish_batch(db, settings, master, inst, batch)
                done += len(rows)
                if progress:
                    progress(done, total)
    kept = await holder_certificate(db)
    others = [n for n in published if n != kept]
    for number in rng.sample(others, max(1, int(len(published) * REVOKED_SHARE))):
        await revocation.revoke(db, OFFICE, number, "演示：证书信息有误，已撤销")
    await db[Collection.DEMO_STATE].insert_one(
        {"_id": MARKER, "at": clock.now(), "published": len(published)}
    )
    return len(published)


async def holder_certificate(db: Database) -> str | None:
    """The number of the demo holder's certificate (published by `seed_certificates`)."""
    doc = await db[Collection.CERTIFICATES].find_one(
        {"name": holder.NAME, "status": CertificateStatus.PUBLISHED}, {"_id": 1}, sort=[("_id", 1)]
    )
    return None if doc is None else str(doc["_id"])


def _write_credential(out: Path, stem: str, doc: Document, file: Document) -> None:
    (out / f"{stem}.json").write_text(
        json.dumps(file, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    (out / f"{stem}.png").write_bytes(qr.to_png(doc["credential"]))


async def _picks(db: Database) -> list[Document]:
    """The holder's certificate, then three more published ones and one revoked."""
    found = [
        d
        async for d in db[Collection.CERTIFICATES]
        .find({"status": CertificateStatus.PUBLISHED, "name": {"$ne": holder.NAME}})
        .sort("_id", 1)
        .limit(3)
    ]
    found += [
        d
        async for d in db[Collection.CERTIFICATES]
        .find({"status": CertificateStatus.REVOKED})
        .sort("_id", 1)
        .limit(1)
    ]
    number = await holder_certificate(db)
    mine = await db[Collection.CERTIFICATES].find_one({"_id": number}) if number else None
    return ([mine] if mine else []) + found


async def export_files(db: Database, settings: Settings) -> Path:
    """The trust bundle, the root key, a few credential files (the envelope of
    docs/transparency.md: credential and inclusion proof) and QR PNGs (the demo holder's as
    `holder-certificate.json` / `.png`, with `holder.json` naming its holder), and a README."""
    out = settings.data_dir / "demo"
    out.mkdir(parents=True, exist_ok=True)
    master = settings.master_key()
    bundle = await trust.latest_bundle(db, master, settings.base_url)
    (out / "bundle.json").write_text(
        json.dumps(bundle, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    root = (await offline_root.root_to_pin(db, master)).key.multibase
    (out / "root-key.txt").write_text(root + "\n")
    lines = [
        "Demo certificates. Verify offline, e.g.:",
        f"  registry verify {out}/<file> --bundle {out}/bundle.json --root-key {root}",
        "",
    ]
    for doc in await _picks(db):
        revoked = doc["status"] == CertificateStatus.REVOKED
        stem = f"{'revoked' if revoked else 'certificate'}-{doc['_id']}"
        if doc["name"] == holder.NAME:
            stem = "holder-certificate"
            (out / "holder.json").write_text(
                json.dumps(
                    {"name": holder.NAME, "cardNumber": holder.CARD_NUMBER, "number": doc["_id"]},
                    ensure_ascii=False,
                ),
                encoding="utf-8",
            )
        # The credential file as the registry hands it out: the envelope with its inclusion.
        found = await log_inclusion.of_certificate(db, master, settings.base_url, doc["_id"])
        _write_credential(out, stem, doc, log_inclusion.envelope(doc["credential"], found))
        lines.append(
            f"{stem}.json / .png  holder {doc['name']}  number {doc['_id']}  ({doc['status']})"
        )
    (out / "README.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out
