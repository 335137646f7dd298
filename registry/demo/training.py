"""Demo training and supervision for `registry serve --demo`, after the demo certificates:

- training cohorts for the training institutions listed today (last year's and this year's),
  walked through the real submission, so trainees get P-numbered certificates and hours;
- the demo holder (`registry/demo/holder.py`: 张演示, with a card number that cannot be a real
  person's), trained at two institutions over two years: a newcomer queries
  `continuingEducation` with it, and `<data dir>/demo/ce-record-<year>.json` is that holder's
  record, signed, for `registry verify FILE --root-key <root key>` and the verifier page;
- employment rates reported by the training institutions;
- one supervision campaign: a roster, the announcement, the draw from a published seed, findings
  (one violation removes an institution through the directory's own transition), results.

Loaded once: a later start finds the marker and reuses the data.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
from pathlib import Path

from registry.access.auth import Principal, Role
from registry.access.personal import PersonalData
from registry.calendar import clock
from registry.demo import directory as demo
from registry.demo import holder
from registry.institutions.model import Institution, Kind, Status, Violation, from_document
from registry.reports import metrics
from registry.settings import Settings
from registry.storage.collections import Collection
from registry.storage.db import Database
from registry.supervision import campaigns, findings, roster
from registry.supervision.draw import DrawRules
from registry.training import export, submission
from registry.training.model import CreditStatus
from registry.training.validation import CohortInput, TraineeInput
from registry.trust import offline_root

log = logging.getLogger("registry.demo")
MARKER = "demo_training_v1"
DEMO_HOLDER = (holder.NAME, holder.CARD_NUMBER)
TRAINEES_PER_COHORT = 24
REQUIRED_HOURS = {1: 64.0, 2: 96.0, 3: 128.0}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志红文辉"
OFFICE = Principal(Role.OFFICE_ADMIN, "demo office", "demo-office")
SEED = "演示：2026 年第 1 期抽查，随机数种子 0371-5520-9184"


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(2), tzinfo=dt.UTC)  # 10:00 in Beijing


def _id_number(rng: random.Random) -> str:
    born = dt.date(1978, 1, 1) + dt.timedelta(days=rng.randint(0, 25 * 365))
    province = rng.choice(["11", "31", "35", "44"])
    return holder.fictitious_id_number(province, born, rng.randint(1, 999))


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


async def _listed(db: Database, kind: Kind, day: dt.date) -> list[Institution]:
    found = []
    async for doc in db[Collection.INSTITUTIONS].find(
        {"kind": kind.value, "status": Status.LISTED.value}
    ):
        inst = from_document(doc)
        if inst.listed_on(day) is not None:
            found.append(inst)
    return sorted(found, key=lambda i: i.uscc)


def _trainees(
    people: list[tuple[str, str]], required: float, rng: random.Random
) -> list[TraineeInput]:
    """One cohort's trainees: most attend and pass; the demo holder always does."""
    trainees = []
    for name, idn in people:
        holder = (name, idn) == DEMO_HOLDER
        attendance = 0.98 if holder else min(1.0, max(0.5, rng.gauss(0.93, 0.06)))
        # Below 85 % attendance a trainee falls short of the required hours.
        hours = required if attendance >= 0.85 else round(required * attendance)
        trainees.append(
            TraineeInput(
                name=name,
                id_number=idn,
                hours_attended=hours,
                attendance_rate=round(attendance, 3),
                assessment_passed=holder or rng.random() < 0.88,
            )
        )
    return trainees


def _cohort(
    inst: Institution, index: int, n: int, end: dt.date, rng: random.Random
) -> CohortInput | None:
    """Cohort `n` of training institution number `index`, ending on `end`; None when the
    institution was not listed then."""
    period = inst.listed_on(end)
    if period is None:
        return None
    entry = period.scope[(index + n) % len(period.scope)]
    required = REQUIRED_HOURS[entry.level]
    people = [(_name(rng), _id_number(rng)) for _ in range(TRAINEES_PER_COHORT)]
    if index < 2:
        people[0] = DEMO_HOLDER  # the demo holder trains at the first two institutions
    return CohortInput(
        idempotency_key=f"demo-cohort-{inst.uscc}-{end.isoformat()}",
        start_date=end - dt.timedelta(days=45),
        end_date=end,
        occupation=entry.occupation,
        direction=entry.direction,
        level=entry.level,
        required_hours=required,
        trainees=_trainees(people, required, rng),
    )


async def _employment(
    db: Database, me: Principal, inst: Institution, rng: random.Random, today: dt.date
) -> None:
    """Last year's employment rate, for an institution listed at the end of last year."""
    if inst.listed_on(dt.date(today.year - 1, 12, 31)) is None:
        return
    surveyed = rng.randint(120, 400)
    await metrics.report_employment(
        db,
        me,
        today.year - 1,
        surveyed,
        int(surveyed * rng.uniform(0.7, 0.95)),
        "结业学员电话回访（演示数据）",
        now=_at(dt.date(today.year, 1, 15)),
    )


async def _cohorts(db: Database, personal: PersonalData, rng: random.Random, today: dt.date) -> int:
    """Last year's and this year's cohorts of every listed training institution, with their
    employment rates; the number of cohorts."""
    made = 0
    trainers = await _listed(db, Kind.TRAINING, today)
    for index, inst in enumerate(trainers):
        me = Principal(Role.TRAINING_INSTITUTION, "demo", "demo-inst", institution=inst.uscc)
        ends = [dt.date(today.year - 1, 11, 20), today - dt.timedelta(days=20)]
        for n, end in enumerate(ends):
            spec = _cohort(inst, index, n, end, rng)
            if spec is not None:
                await submission.submit(db, me, spec, personal, now=_at(end + dt.timedelta(days=3)))
                made += 1
        await _employment(db, me, inst, rng, today)
    return made


async def _roster(db: Database) -> None:
    provinces = ["11", "31", "33", "35", "44", "51"]
    for i in range(10):
        await roster.add(
            db,
            OFFICE,
            name=f"检查员{i + 1:02d}（演示）",
            province=provinces[i % len(provinces)],
            badge=f"DEMO-{i + 1:04d}",
        )


def _campaign(today: dt.date, announced: dt.date) -> campaigns.CampaignInput:
    rules = DrawRules(
        kinds=("TRAINING", "EVALUATION"),
        provinces=(),
        listed_on=announced,
        sample_size=5,
        inspectors_per_institution=2,
        avoid_same_province=True,
    )
    return campaigns.CampaignInput(
        idempotency_key="demo-campaign-0001",
        title=f"{today.year} 年数字技术工程师培育项目培训评价机构“双随机、一公开”抽查（演示）",
        year=today.year,
        seed_source="公告后次日的公开随机数（演示）",
        rules=rules,
        seed_not_before=_at(announced + dt.timedelta(days=1)),
    )


# What the demo finds: the violator is removed, the deficient institution must rectify, the
# rest comply: (outcome, action, details, violation).
_FINDINGS = {
    "violator": (
        findings.Outcome.VIOLATION,
        findings.Action.REMOVE,
        "招生简章承诺“包过、不过退费”，经调查核实（演示）",
        Violation.EXAGGERATED_RESULTS,
    ),
    "deficient": (
        findings.Outcome.DEFICIENT,
        findings.Action.RECTIFY,
        "学员考勤记录不完整，限期一个月整改（演示）",
        None,
    ),
    "compliant": (findings.Outcome.COMPLIANT, findings.Action.NONE, "", None),
}


def _finding(
    campaign_id: str, uscc: str, violator: str | None, deficient: str | None
) -> findings.FindingInput:
    which = "violator" if uscc == violator else "deficient" if uscc == deficient else "compliant"
    outcome, action, details, violation = _FINDINGS[which]
    return findings.FindingInput(campaign_id, uscc, outcome, action, details, violation)


async def _supervision(db: Database, today: dt.date, keep: set[str]) -> str | None:
    """One campaign; `keep` are institutions the demo tokens act for (never removed)."""
    await _roster(db)
    announced = today - dt.timedelta(days=12)
    campaign, _ = await campaigns.announce(
        db, OFFICE, _campaign(today, announced), now=_at(announced)
    )
    drawn = await campaigns.draw_campaign(
        db, OFFICE, campaign.id, SEED, now=_at(announced + dt.timedelta(days=1))
    )
    assert drawn.selection is not None
    selected = [a.uscc for a in drawn.selection]
    violator = next((u for u in selected if u not in keep), None)
    deficient = next((u for u in selected if u not in keep and u != violator), None)
    for uscc in selected:
        spec = _finding(campaign.id, uscc, violator, deficient)
        await findings.record(db, OFFICE, spec, now=_at(today - dt.timedelta(days=5)))
    await campaigns.publish_results(
        db,
        OFFICE,
        campaign.id,
        f"抽查 {len(selected)} 家机构：1 家退出目录，1 家限期整改，其余未发现问题（演示）",
        now=_at(today - dt.timedelta(days=2)),
    )
    return campaign.id


async def export_record(db: Database, settings: Settings) -> Path | None:
    """The demo holder's latest year as a signed credential file, with how to verify it."""
    out = settings.data_dir / "demo"
    out.mkdir(parents=True, exist_ok=True)
    master = settings.master_key()
    personal = PersonalData(master)
    name, idn = DEMO_HOLDER
    years = sorted(
        {
            d["year"]
            async for d in db[Collection.CE_CREDITS].find(
                {"id_hash": personal.lookup_hash(idn), "status": CreditStatus.ACTIVE}, {"year": 1}
            )
        }
    )
    if not years:
        return None
    path = out / f"ce-record-{years[-1]}.json"
    credential = await export.ce_credential(db, master, personal, OFFICE, idn, name, years[-1])
    path.write_text(json.dumps(credential, ensure_ascii=False, indent=2), encoding="utf-8")
    root = (await offline_root.root_to_pin(db, master)).key.multibase
    (out / "README-training.txt").write_text(
        "Demo continuing-education record (signed for the registry; checked against the root key\n"
        "alone, or dropped on the verifier page at /verify):\n"
        f"  registry verify {path} --root-key {root}\n"
        f"  registry verify {path} --root-key {root} --card {idn}   # also the holder binding\n"
        f"Holder {name}, demo ID number {idn} (fictitious: registry/demo/holder.py).\n"
        'GraphQL: { continuingEducation(idNumber: "...", holderName: "...") '
        "{ years { year hours } } }\n",
        encoding="utf-8",
    )
    return path


async def seed_training(db: Database, settings: Settings) -> dict[str, object]:
    """Load the demo training and supervision once; returns what was made."""
    if await db[Collection.DEMO_STATE].find_one({"_id": MARKER}):
        return {}
    personal = PersonalData(settings.master_key())
    rng = random.Random(71)  # noqa: S311 (reproducible demo data, not secrets)
    today = clock.today()
    made = await _cohorts(db, personal, rng, today)
    # The institutions the demo tokens act for are never the one removed.
    keep = {inst.uscc for inst in demo.token_institutions()}
    campaign = await _supervision(db, today, keep)
    await db[Collection.DEMO_STATE].insert_one({"_id": MARKER, "at": clock.now(), "cohorts": made})
    return {"cohorts": made, "campaign": campaign}


async def load(db: Database, settings: Settings) -> dict[str, object]:
    """The demo hook: seed once, then (every start) write the demo holder's signed record."""
    made = await seed_training(db, settings)
    path = await export_record(db, settings)
    log.info("demo training ready", extra={"made": made, "ce_record": str(path)})
    return made
