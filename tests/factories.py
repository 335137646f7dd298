"""Test data builders: valid identifiers and applications (no real organisation's codes)."""

from __future__ import annotations

import base64
import random
from typing import Any

from credentials import mod11_2_check
from registry.access.auth import Principal, Role
from registry.intake.identifiers import uscc_check_character

OFFICE = Principal(Role.OFFICE_ADMIN, "t", "t-office")

# The master key of every test `Settings` (tests/conftest.py): tokens the tests make carry MACs
# under it, so the app under test accepts them.
MASTER_KEY_B64 = "dGVzdC1tYXN0ZXIta2V5LTMyLWJ5dGVzLWxvbmchISE="
MASTER_KEY = base64.b64decode(MASTER_KEY_B64)


def make_uscc(n: int, region: str = "350100") -> str:
    # "DTE" in the organisation-code part: a pattern no registration authority issues, so a
    # demo or test code never names a real organisation.
    body = f"91{region}DTE{n:05d}"[:16] + "0"
    return body + uscc_check_character(body)


# Every ID number the tests make, so that tests/service/test_privacy.py can look for them in every
# response body and log line of the run.
GENERATED_ID_NUMBERS: set[str] = set()


def make_id_number(rng: random.Random, region: str = "350102", year: int | None = None) -> str:
    year = year or rng.randint(1970, 2003)
    body = f"{region}{year:04d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    number = body + mod11_2_check(body)
    GENERATED_ID_NUMBERS.add(number)
    return number


def application(
    uscc: str, *, kind: str = "EVALUATION", province: str = "35", **changes: Any
) -> dict[str, Any]:
    base: dict[str, Any] = {
        "uscc": uscc,
        "name": f"测试评价机构{uscc[-4:]}",
        "kind": kind,
        "province": province,
        "contactPerson": "王老师",
        "contactPhone": "0591-12345678",
        "contactEmail": "office@example.cn",
        "experienceYears": 8,
        "yearlyCount": 3500,
        "registeredInChina": True,
        "scope": [
            {"occupation": "2-02-38-01", "level": "JUNIOR", "direction": "计算机视觉产品实现"},
            {"occupation": "2-02-10-11", "level": "INTERMEDIATE"},
        ],
        "fees": [{"item": "考核费", "amountYuan": 800, "unit": "人次"}],
    }
    base.update(changes)
    return base


def application_input(uscc: str, scope: list[tuple[str, str | None, int]], **changes: Any) -> Any:
    """The domain's `ApplicationInput` of an eligible evaluation institution of Fujian (35) for
    `scope` (occupation, direction, level), with `changes` to its fields."""
    from registry.institutions.application import ApplicationInput, FeeInput, ScopeInput
    from registry.institutions.model import Kind

    fields: dict[str, Any] = {
        "uscc": uscc,
        "name": f"测试机构{uscc[-6:]}",
        "kind": Kind.EVALUATION,
        "province": "35",
        "contact_person": "王老师",
        "contact_phone": "0591-12345678",
        "experience_years": 6,
        "yearly_count": 5000,
        "registered_in_china": True,
        "scope": [ScopeInput(o, lv, d) for o, d, lv in scope],
        "fees": [FeeInput("考核费", 800.0)],
    }
    return ApplicationInput(**(fields | changes))


def _at(day: Any) -> Any:
    import datetime as dt

    return dt.datetime.combine(day, dt.time(2), tzinfo=dt.UTC)  # 10:00 that day in China


async def audited_institution(
    db: Any,
    uscc: str,
    audited_on: Any,
    *,
    province: str = "35",
    kind: str = "EVALUATION",
    scope: list[tuple[str, str | None, int]] | None = None,
    sector: str | None = None,
    steering: bool = True,
    **application: Any,
) -> Any:
    """An institution walked through the real lifecycle, with back-dated clocks, past its audit:
    applied 3 days before `audited_on` (through `sector`'s ministry when given, else its
    province), one review step a day, the audit approved that day and, with `steering` (the
    default), the steering group's decision recorded the same day (STEERING_CONFIRMED: its
    publicity may start); without it the record stays AUDITED. `application`: more fields of its
    `ApplicationInput`, e.g. `priority`."""
    import datetime as dt

    from registry.institutions import lifecycle
    from registry.institutions.model import Kind

    role = Role.EVALUATION_INSTITUTION if kind == "EVALUATION" else Role.TRAINING_INSTITUTION
    me = Principal(role, "t", "t-inst", institution=uscc)
    prov = Principal(Role.PROVINCIAL_REVIEWER, "t", "t-prov", province=province)
    cettic = Principal(Role.CETTIC_REVIEWER, "t", "t-cettic")
    entries = scope or [
        ("2-02-10-09", None, 1),
        ("2-02-10-09", None, 2),
        ("2-02-10-11", "大数据分析", 3),
    ]
    day = audited_on - dt.timedelta(days=3)
    app = application_input(
        uscc, entries, kind=Kind(kind), province=province, sector=sector, **application
    )
    if sector is not None:
        prov = Principal(Role.MINISTRY_RECOMMENDER, "t", "t-ministry", sector=sector)
    await lifecycle.apply(db, me, app, now=_at(day))
    await lifecycle.simple(db, prov, uscc, "recommend", now=_at(day + dt.timedelta(days=1)))
    await lifecycle.simple(
        db, cettic, uscc, "passPreliminaryReview", now=_at(day + dt.timedelta(days=2))
    )
    audited = await lifecycle.simple(db, OFFICE, uscc, "approveAudit", now=_at(audited_on))
    if not steering:
        return audited
    return await lifecycle.record_steering_decision(
        db, OFFICE, uscc, audited_on, STEERING_REFERENCE, now=_at(audited_on)
    )


# The meeting the tests' steering group decides in (no real meeting's number).
STEERING_REFERENCE = "工程指导协调小组（测试）会议纪要"


async def listed_institution(
    db: Any,
    uscc: str,
    *,
    province: str = "35",
    kind: str = "EVALUATION",
    filed: str = "2024-01-10",
    scope: list[tuple[str, str | None, int]] | None = None,
    **application: Any,
) -> Any:
    """An institution walked through the real lifecycle, with back-dated clocks, to LISTED: filed
    on `filed`, audited and the steering group's decision recorded 3 days later, its publicity
    started the next day, listed after it."""
    import datetime as dt

    from registry.institutions import lifecycle

    audited_on = dt.date.fromisoformat(filed) + dt.timedelta(days=3)
    await audited_institution(
        db, uscc, audited_on, province=province, kind=kind, scope=scope, **application
    )
    start = audited_on + dt.timedelta(days=1)
    pub = await lifecycle.start_publicity(db, OFFICE, uscc, start, now=_at(start))
    return await lifecycle.list_institution(
        db, OFFICE, uscc, now=_at(pub.publicity_end + dt.timedelta(days=1))
    )


async def make_tokens(db: Any, specs: dict[str, tuple[Any, ...]]) -> dict[str, str]:
    """A bearer token for each label: `specs` maps it to (role, institution, province) or
    (role, institution, province, sector)."""
    from registry.access import tokens
    from registry.access.auth import SYSTEM

    out = {}
    for label, (role, institution, province, *sector) in specs.items():
        out[label], _ = await tokens.create_token(
            db,
            MASTER_KEY,
            role=role,
            name=label,
            institution=institution,
            province=province,
            sector=sector[0] if sector else None,
            created_by=SYSTEM,
        )
    return out


async def workflow_tokens(db: Any, uscc: str, province: str = "35") -> dict[str, str]:
    """Tokens for a batch's four steps: "inst" (evaluation institution `uscc`), "prov" (the
    reviewer of `province`), "cettic" and "office"."""
    from registry.access.auth import Role

    return await make_tokens(
        db,
        {
            "inst": (Role.EVALUATION_INSTITUTION, uscc, None),
            "prov": (Role.PROVINCIAL_REVIEWER, None, province),
            "cettic": (Role.CETTIC_REVIEWER, None, None),
            "office": (Role.OFFICE_ADMIN, None, None),
        },
    )


async def published_certificates(
    db: Any, settings: Any, uscc: str, names: list[str], *, key: str, seed: str = "published"
) -> list[tuple[str, str, str]]:
    """Certificates published through the real workflow (submitted by `uscc`, which must be a
    listed evaluation institution of province 35, approved, checked, published and signed):
    (number, name, ID number) for each name, in order. `key` is the batch's idempotency key."""
    import datetime as dt

    from registry.access.personal import PersonalData
    from registry.calendar import clock
    from registry.certificates import publication, review, submission
    from registry.certificates.validation import BatchInput, ResultInput

    rng = random.Random(seed)
    people = [(name, make_id_number(rng)) for name in names]
    results = [ResultInput(name, idn, "2-02-38-01", 1, 90, 85) for name, idn in people]
    me = Principal(Role.EVALUATION_INSTITUTION, "t", f"tok-{key}", institution=uscc)
    batch = BatchInput(key, clock.today() - dt.timedelta(days=3), results)
    outcome = await submission.submit(db, me, batch, PersonalData(settings.master_key()))
    bid = outcome.batch["_id"]
    await review.approve_province(
        db, Principal(Role.PROVINCIAL_REVIEWER, "p", "p", province="35"), bid
    )
    await review.check_cettic(db, Principal(Role.CETTIC_REVIEWER, "c", "c"), bid)
    await publication.publish(
        db, OFFICE, bid, master_key=settings.master_key(), base_url=settings.base_url
    )
    rows = db.results.find({"batch": bid, "current": True}).sort("row", 1)
    numbers = [r["certificate"] async for r in rows]
    return [(n, name, idn) for n, (name, idn) in zip(numbers, people, strict=True)]


async def certificates_of_a_new_institution(
    db: Any, settings: Any, n: int, names: list[str]
) -> list[tuple[str, str, str]]:
    """The reference catalogue seeded, evaluation institution `make_uscc(n)` listed, and one
    certificate published for each name (`published_certificates`)."""
    from registry.catalogue import reference_data as catalogue

    uscc = make_uscc(n)
    await catalogue.seed_reference(db)
    await listed_institution(db, uscc, filed="2025-01-06")
    return await published_certificates(db, settings, uscc, names, key=f"batch-{n}", seed=uscc)


async def published_batch(db: Any, settings: Any, uscc: str, name: str, rows: int) -> None:
    """`rows` certificates of `uscc` published in one batch named `name` (holders 考生0, …)."""
    holders = [f"考生{i}" for i in range(rows)]
    await published_certificates(db, settings, uscc, holders, key=name, seed=name)


def passing_results(seed: int, count: int, surname: str = "王") -> list[dict[str, Any]]:
    """`count` passing rows of an assessment batch (junior 2-02-38-01), their ID numbers drawn
    from `seed`, named `<surname><k>`."""
    rng = random.Random(seed)
    return [
        {
            "name": f"{surname}{k}",
            "idNumber": make_id_number(rng),
            "occupation": "2-02-38-01",
            "level": "JUNIOR",
            "theoryScore": 80,
            "skillScore": 80,
        }
        for k in range(count)
    ]
