"""Demo data for `registry serve --demo`: the reference catalogue, about 30 institutions in every
state of the lifecycle across 10 provinces, three of them applying through an industry sector
(notice 四(四)) (walked through the real lifecycle functions with
back-dated clocks, so their histories, audit entries and listing periods are genuine), and one
token per role written to `<data dir>/demo/tokens.json`.

Loaded once: a later start finds the marker and reuses the data.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from registry.access import tokens
from registry.access.auth import SYSTEM, Principal, Role
from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.institutions import lifecycle
from registry.institutions.application import ApplicationInput, FeeInput, ScopeInput
from registry.institutions.model import Kind, Status, Violation
from registry.intake.identifiers import uscc_check_character
from registry.settings import Settings
from registry.storage.collections import Collection
from registry.storage.db import Database

log = logging.getLogger("registry.demo")
MARKER = "demo_v1"

# (province code, region code for the USCC, city name)
PROVINCES = [
    ("11", "110108", "北京"),
    ("12", "120104", "天津"),
    ("31", "310115", "上海"),
    ("32", "320102", "南京"),
    ("33", "330106", "杭州"),
    ("35", "350102", "福州"),
    ("37", "370102", "济南"),
    ("42", "420106", "武汉"),
    ("44", "441900", "东莞"),
    ("51", "510107", "成都"),
]
SCOPES: list[list[tuple[str, str | None, int]]] = [
    [("2-02-10-09", "计算机视觉产品实现", 1), ("2-02-10-09", "自然语言及语音处理产品实现", 2)],
    [
        ("2-02-10-11", "大数据分析", 1),
        ("2-02-10-11", "大数据分析", 2),
        ("2-02-10-11", "大数据分析", 3),
    ],
    [("2-02-10-12", "云计算运维", 1), ("2-02-10-12", "云计算运维", 2)],
    [("2-02-10-10", "物联网嵌入式开发", 1), ("2-02-10-10", "物联网边缘计算系统应用开发", 2)],
    [("2-02-07-13", None, 1), ("2-02-07-13", None, 2)],
    [("2-02-10-15", None, 1), ("2-02-10-13", None, 1)],
]
# Final state, and how many days before the day the demo is seeded the application was filed:
# the plan moves with the calendar, so whenever the demo is first started its history looks the
# same. Listing follows about 70 days after filing and lasts three years, so the LISTED ones filed
# more than about 1,165 days ago have lapsed (still LISTED in the store, read as expired). The
# first one is the institution the demo's tokens act for (evaluation and training): listed about
# 330 days ago, so it can issue certificates and its listing covers the next two years.
PLAN: list[tuple[Status, int]] = [
    (Status.LISTED, 400),
    (Status.LISTED, 1375),
    (Status.LISTED, 1177),
    (Status.LISTED, 1019),
    (Status.LISTED, 915),
    (Status.LISTED, 754),
    (Status.LISTED, 642),
    (Status.LISTED, 572),
    (Status.LISTED, 474),
    (Status.LISTED, 369),
    (Status.LISTED, 306),
    (Status.LISTED, 229),
    (Status.EXPIRED, 1846),
    (Status.EXPIRED, 1704),
    (Status.SUSPENDED, 1006),
    (Status.REMOVED, 1307),
    (Status.PUBLICIZED, 51),
    (Status.AUDITED, 86),
    (Status.PRELIMINARY_PASSED, 76),
    (Status.RECOMMENDED, 58),
    (Status.APPLIED, 46),
    (Status.RETURNED, 124),
]
# Evaluation institutions that apply through sector MIIT's ministry HR office (notice 四(四)),
# all with the intelligent-manufacturing scope (field 06, within the sector): one listed, one
# the steering group has decided on, one waiting for the ministry's recommendation. Planned after
# the others, so that the codes of the others stay as they were.
SECTOR = "MIIT"
SECTOR_SCOPE = 4  # the index in SCOPES of 智能制造
SECTOR_PLAN: list[tuple[Status, int]] = [
    (Status.LISTED, 700),
    (Status.STEERING_CONFIRMED, 80),
    (Status.APPLIED, 30),
]
# The meeting the demo's steering group decides in: no real meeting's number.
STEERING_REFERENCE = "工程指导协调小组会议纪要（演示）"


@dataclass(frozen=True)
class DemoInstitution:
    uscc: str
    name: str
    kind: Kind
    province: str
    sector: str | None = None


def demo_uscc(n: int, region: str) -> str:
    # "DTE" in the organisation-code part: a pattern no registration authority issues, so a demo
    # code never names a real organisation.
    body = f"91{region}DTE{n:05d}0"
    return body + uscc_check_character(body)


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(2, 0), tzinfo=dt.UTC)  # 10:00 in Beijing


def _application(inst: DemoInstitution, rng: random.Random, scope_index: int) -> ApplicationInput:
    return ApplicationInput(
        uscc=inst.uscc,
        name=inst.name,
        kind=inst.kind,
        province=inst.province,
        contact_person=rng.choice(["王老师", "李老师", "张老师", "陈老师", "刘老师"]),
        contact_phone=f"0{rng.randint(10, 99)}-{rng.randint(10000000, 99999999)}",
        contact_email=f"contact{inst.uscc[-5:].lower()}@example.cn",
        experience_years=rng.randint(5, 20),
        yearly_count=rng.randint(2000, 12000),
        registered_in_china=True,
        scope=[
            ScopeInput(o, lv, d)
            for o, d, lv in SCOPES[SECTOR_SCOPE if inst.sector else scope_index % len(SCOPES)]
        ],
        sector=inst.sector,
        fees=[
            FeeInput(
                "培训费" if inst.kind is Kind.TRAINING else "考核费",
                float(rng.choice([600, 800, 1200, 1800])),
                "人次",
            )
        ],
    )


# The review steps before publicity: action, who takes it, days after the previous step, and the
# state an institution that stops there is left in.
_REVIEW_STEPS = (
    ("recommend", "province", 10, Status.RECOMMENDED),
    ("passPreliminaryReview", "cettic", 12, Status.PRELIMINARY_PASSED),
    ("approveAudit", "office", 10, Status.AUDITED),
)


async def _end_listing(
    db: Database,
    inst: DemoInstitution,
    target: Status,
    listed_on: dt.date,
    prov: Principal,
    office: Principal,
) -> None:
    """Take a listed institution on to `target` when that is an end of listing."""
    if target is Status.EXPIRED:
        await lifecycle.expire(
            db, office, inst.uscc, now=_at(clock.add_years(listed_on, 3) + dt.timedelta(days=2))
        )
    elif target is Status.SUSPENDED:
        await lifecycle.suspend(
            db,
            prov,
            inst.uscc,
            "考核视频资料缺失，暂停整改",
            now=_at(listed_on + dt.timedelta(days=400)),
        )
    elif target is Status.REMOVED:
        await lifecycle.remove(
            db,
            office,
            inst.uscc,
            Violation.EXAGGERATED_RESULTS,
            "招生宣传中承诺“包过、不过退费”",
            now=_at(listed_on + dt.timedelta(days=300)),
        )


async def _walk(
    db: Database,
    inst: DemoInstitution,
    target: Status,
    filed: dt.date,
    rng: random.Random,
    index: int,
    actors: dict[str, Principal],
) -> None:
    """Take a demo institution through the lifecycle, as its reviewers would, up to `target`."""
    me = actors["evaluation" if inst.kind is Kind.EVALUATION else "training"]
    me = Principal(me.role, me.name, me.token_id, institution=inst.uscc)
    prov = Principal(Role.PROVINCIAL_REVIEWER, "demo", "demo-prov", province=inst.province)
    office = actors["office"]
    recommender = prov
    if inst.sector:
        recommender = Principal(Role.MINISTRY_RECOMMENDER, "demo", "demo-ministry", sector=SECTOR)
    reviewers = {"province": recommender, "cettic": actors["cettic"], "office": office}
    await lifecycle.apply(db, me, _application(inst, rng, index), now=_at(filed))
    if target is Status.RETURNED:
        reason = "年培训规模证明材料不完整，请补充"
        now = _at(filed + dt.timedelta(days=9))
        await lifecycle.simple(db, prov, inst.uscc, "returnApplication", reason=reason, now=now)
    if target in (Status.APPLIED, Status.RETURNED):
        return
    day = filed
    for action, reviewer, days, reached in _REVIEW_STEPS:
        day += dt.timedelta(days=days)
        await lifecycle.simple(db, reviewers[reviewer], inst.uscc, action, now=_at(day))
        if target is reached:
            return
    day += dt.timedelta(days=3)
    await lifecycle.record_steering_decision(
        db, office, inst.uscc, day, STEERING_REFERENCE, now=_at(day)
    )
    if target is Status.STEERING_CONFIRMED:
        return
    day += dt.timedelta(days=2)
    pub = await lifecycle.start_publicity(db, office, inst.uscc, day, now=_at(day))
    if target is Status.PUBLICIZED:
        return
    assert pub.publicity_end is not None
    listed_on = pub.publicity_end + dt.timedelta(days=3)
    await lifecycle.list_institution(db, office, inst.uscc, now=_at(listed_on))
    await _end_listing(db, inst, target, listed_on, prov, office)


def demo_institutions(
    today: dt.date | None = None,
) -> list[tuple[DemoInstitution, Status, dt.date]]:
    """Every demo institution with its final state and the day it applied, for a demo seeded on
    `today` (default: today). The first evaluation and the first training institution are the
    ones the demo's tokens act for (`token_institutions`)."""
    day = today or clock.today()
    out = []
    n = 0
    for kind in (Kind.EVALUATION, Kind.TRAINING):
        for i, (status, days_before) in enumerate(PLAN):
            if kind is Kind.TRAINING and i % 3 == 2:
                continue  # a few fewer training institutions, for unequal counts
            n += 1
            prov, region, city = PROVINCES[
                (i + (3 if kind is Kind.TRAINING else 0)) % len(PROVINCES)
            ]
            label = "数字技术评价中心" if kind is Kind.EVALUATION else "数字技术培训学院"
            brand = ["启明", "致远", "博纳", "恒信", "卓越", "天工", "云帆"][n % 7]
            name = f"{city}{brand}{label}（演示）"
            out.append(
                (
                    DemoInstitution(demo_uscc(n, region), name, kind, prov),
                    status,
                    day - dt.timedelta(days=days_before),
                )
            )
    for i, (status, days_before) in enumerate(SECTOR_PLAN):
        n += 1
        prov, region, city = PROVINCES[(i + 6) % len(PROVINCES)]
        name = f"{city}智造数字技术评价中心{i + 1}（演示）"
        inst = DemoInstitution(demo_uscc(n, region), name, Kind.EVALUATION, prov, SECTOR)
        out.append((inst, status, day - dt.timedelta(days=days_before)))
    return out


def token_institutions() -> tuple[DemoInstitution, DemoInstitution]:
    """The evaluation and the training institution the demo's tokens act for (listed today)."""
    planned = [inst for inst, _, _ in demo_institutions()]
    return (
        next(d for d in planned if d.kind is Kind.EVALUATION),
        next(d for d in planned if d.kind is Kind.TRAINING),
    )


async def _still_work(db: Database, settings: Settings, saved: dict[str, Any]) -> bool:
    try:
        for entry in saved.values():
            await tokens.authenticate(db, settings.master_key(), entry["token"])
    except tokens.Unauthenticated:
        return False
    return True


async def _demo_tokens(db: Database, settings: Settings) -> dict[str, str]:
    """One token per role, kept in `<data dir>/demo/tokens.json` (reused while they still work)."""
    path = settings.data_dir / "demo" / "tokens.json"
    if path.exists():
        saved = json.loads(path.read_text())
        # Reused when every role has one (a file of a version with fewer roles does not) and
        # every one still authenticates.
        if set(saved) == {role.value for role in Role} and await _still_work(db, settings, saved):
            return {k: v["token"] for k, v in saved.items()}
        log.warning("demo tokens in %s no longer work; creating new ones", path)
    evaluation, training = token_institutions()
    specs = {
        Role.OFFICE_ADMIN: (None, None, None),
        Role.CETTIC_REVIEWER: (None, None, None),
        Role.PROVINCIAL_REVIEWER: (None, evaluation.province, None),
        Role.EVALUATION_INSTITUTION: (evaluation.uscc, None, None),
        Role.TRAINING_INSTITUTION: (training.uscc, None, None),
        Role.MINISTRY_RECOMMENDER: (None, None, SECTOR),
    }
    out: dict[str, dict[str, str | None]] = {}
    for role, (inst, prov, sector) in specs.items():
        label = role.value  # the saved file and the demo's page name tokens by role
        text, _ = await tokens.create_token(
            db,
            settings.master_key(),
            role=role,
            name=f"demo {label.lower()}",
            institution=inst,
            province=prov,
            sector=sector,
            created_by=SYSTEM,
        )
        out[label] = {"token": text, "institution": inst, "province": prov, "sector": sector}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=2, ensure_ascii=False))
    path.chmod(0o600)
    return {k: str(v["token"]) for k, v in out.items()}


async def seed_demo(db: Database, settings: Settings) -> dict[str, int]:
    report = await catalogue.seed_reference(db)
    counts = dict(report.inserted)
    marker = await db[Collection.DEMO_STATE].find_one({"_id": MARKER})
    if marker is None:
        # Seeded with the notice's date: the same demo every time (not a secret, hence S311).
        rng = random.Random(20211008)  # noqa: S311
        actors = {
            "office": Principal(Role.OFFICE_ADMIN, "demo office", "demo-office"),
            "cettic": Principal(Role.CETTIC_REVIEWER, "demo cettic", "demo-cettic"),
            "evaluation": Principal(Role.EVALUATION_INSTITUTION, "demo", "demo-inst"),
            "training": Principal(Role.TRAINING_INSTITUTION, "demo", "demo-inst"),
        }
        made = 0
        for index, (inst, status, filed) in enumerate(demo_institutions()):
            if await db[Collection.INSTITUTIONS].find_one({"_id": inst.uscc}, {"_id": 1}) is None:
                await _walk(db, inst, status, filed, rng, index, actors)
                made += 1
        counts["institutions"] = made
        await db[Collection.DEMO_STATE].insert_one({"_id": MARKER, "at": clock.now()})
    demo_tokens = await _demo_tokens(db, settings)
    print_tokens(demo_tokens, settings.data_dir / "demo" / "tokens.json")
    return counts


def print_tokens(demo_tokens: dict[str, str], path: Path) -> None:
    # Demo tokens are printed on purpose: a newcomer tries mutations in GraphiQL at once.
    lines = [f"  {role:<24} Bearer {token}" for role, token in demo_tokens.items()]
    text = "\n".join(lines)
    print(f"demo tokens (also in {path}):\n{text}", flush=True)
