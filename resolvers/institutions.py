"""Resolvers of the institution directories: thin calls into `registry.institutions`.

Domain problems (`Rejected`) come back as `userErrors` in the payload; a caller without the
right role or scope gets a top-level FORBIDDEN error; nothing changes in either case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from registry import catalogue, holidays, workdays
from registry.errors import Forbidden, NotFound, RegistryError
from registry.institutions import directory, lifecycle, reports
from registry.institutions.application import ApplicationInput
from registry.institutions.model import Institution, Violation
from registry.institutions.policy import decide
from registry.institutions.rules import Action
from registry.problems import Problem, Rejected
from resolvers.auth import principal
from resolvers.context import Context
from resolvers.errors import PublicError, public
from resolvers.pagination import check_first, decode_cursor, encode_cursor

CURSOR_KIND = "institution"
T = TypeVar("T")


@dataclass
class Outcome:
    institution: Institution | None = None
    problems: list[Problem] = field(default_factory=list)
    extra: str | None = None


@dataclass(frozen=True)
class InstitutionPage:
    items: list[tuple[str, Institution]]
    has_next_page: bool
    has_previous_page: bool
    filter: directory.DirectoryFilter


async def _run(work: Callable[[], Awaitable[Institution]]) -> Outcome:
    try:
        return Outcome(institution=await work())
    except Rejected as rejected:
        return Outcome(problems=list(rejected.problems))
    except (Forbidden, NotFound) as error:
        raise public(error) from None


async def resolve_occupation(ctx: Context, code: str | None) -> str | None:
    if code is None:
        return None
    occ = None
    if catalogue.OCCUPATION_CODE.match(code.strip()):
        occ = await catalogue.occupation(ctx.db, code)
    if occ is None:
        raise PublicError(
            f"{code[:32]!r} is not an occupation of the programme",
            "UNKNOWN_OCCUPATION",
            argument="occupation",
        )
    return occ.code


async def institutions(
    ctx: Context, f: directory.DirectoryFilter, *, first: int, after: str | None
) -> InstitutionPage:
    check_first(first)
    if f.search is not None and len(f.search) > 100:
        raise PublicError("`search` is limited to 100 characters", "INVALID_ARGUMENT")
    after_key = decode_cursor(CURSOR_KIND, after)
    viewer = await principal(ctx)
    items, more = await directory.page(ctx.db, f, limit=first, after=after_key, viewer=viewer)
    return InstitutionPage(
        items=[(encode_cursor(CURSOR_KIND, inst.uscc), inst) for inst in items],
        has_next_page=more,
        has_previous_page=after_key is not None,
        filter=f,
    )


async def total_count(ctx: Context, f: directory.DirectoryFilter) -> int:
    return await directory.count(ctx.db, f, viewer=await principal(ctx))


async def institution(ctx: Context, uscc: str) -> Institution | None:
    viewer = await principal(ctx)
    return await directory.get(ctx.db, "".join(uscc.split()).upper(), viewer=viewer)


async def may_review(ctx: Context) -> bool:
    """Whether the caller reviews applications (and so reads objections' texts)."""
    return decide(await principal(ctx), Action.READ_OBJECTION_TEXT).allowed


def listed_on(institution: Institution, day: dt.date) -> bool:
    """Was it on the directory on `day`? (the model's own rule)"""
    return institution.listed_on(day) is not None


async def apply(ctx: Context, application: ApplicationInput) -> Outcome:
    who = await principal(ctx)
    return await _run(lambda: lifecycle.apply(ctx.db, who, application))


async def resubmit(ctx: Context, application: ApplicationInput) -> Outcome:
    who = await principal(ctx)
    return await _run(lambda: lifecycle.resubmit(ctx.db, who, application))


async def renew(ctx: Context, application: ApplicationInput) -> Outcome:
    who = await principal(ctx)
    return await _run(lambda: lifecycle.renew(ctx.db, who, application))


async def step(ctx: Context, uscc: str, action: str, reason: str | None = None) -> Outcome:
    """recommend, passPreliminaryReview, approveAudit, returnApplication."""
    who = await principal(ctx)
    return await _run(lambda: lifecycle.simple(ctx.db, who, uscc, action, reason=reason))


async def start_publicity(ctx: Context, uscc: str, start: dt.date) -> Outcome:
    who = await principal(ctx)
    return await _run(lambda: lifecycle.start_publicity(ctx.db, who, uscc, start))


async def list_institution(ctx: Context, uscc: str) -> Outcome:
    who = await principal(ctx)
    return await _run(
        lambda: lifecycle.list_institution(ctx.db, who, uscc, master_key=ctx.master_key or None)
    )


async def suspend(ctx: Context, uscc: str, reason: str) -> Outcome:
    who = await principal(ctx)
    return await _run(lambda: lifecycle.suspend(ctx.db, who, uscc, reason))


async def reinstate(ctx: Context, uscc: str, reason: str) -> Outcome:
    who = await principal(ctx)
    return await _run(lambda: lifecycle.reinstate(ctx.db, who, uscc, reason))


async def remove(ctx: Context, uscc: str, violation: Violation, details: str) -> Outcome:
    who = await principal(ctx)
    return await _run(lambda: lifecycle.remove(ctx.db, who, uscc, violation, details))


async def expire(ctx: Context, uscc: str) -> Outcome:
    who = await principal(ctx)
    return await _run(lambda: lifecycle.expire(ctx.db, who, uscc))


async def lodge_objection(ctx: Context, uscc: str, text: str) -> Outcome:
    who = await principal(ctx)
    objection_id: list[str] = []

    async def work() -> Institution:
        inst, oid = await lifecycle.lodge_objection(ctx.db, who, uscc, text)
        objection_id.append(oid)
        return inst

    outcome = await _run(work)
    outcome.extra = objection_id[0] if objection_id else None
    return outcome


async def resolve_objection(
    ctx: Context, uscc: str, objection_id: str, upheld: bool, resolution: str
) -> Outcome:
    who = await principal(ctx)
    return await _run(
        lambda: lifecycle.resolve_objection(ctx.db, who, uscc, objection_id, upheld, resolution)
    )


@dataclass
class ReportOutcome:
    report: reports.AnnualReport | None = None
    problems: list[Problem] = field(default_factory=list)


async def submit_report(
    ctx: Context, kind: reports.ReportKind, year: int, people: int, sessions: int, text: str
) -> ReportOutcome:
    who = await principal(ctx)
    try:
        return ReportOutcome(
            report=await reports.submit(ctx.db, who, kind, year, people, sessions, text)
        )
    except Rejected as rejected:
        return ReportOutcome(problems=list(rejected.problems))
    except Forbidden as error:
        raise public(error) from None


async def set_holiday_arrangement(
    ctx: Context, year: int, holiday_dates: list[dt.date], workday_dates: list[dt.date]
) -> list[Problem]:
    who = await principal(ctx)
    try:
        decide(who, Action.SET_HOLIDAYS).require()
    except Forbidden as error:
        raise public(error) from None
    try:
        arrangement = workdays.YearArrangement(
            year=year, holidays=frozenset(holiday_dates), workdays=frozenset(workday_dates)
        )
        await holidays.set_arrangement(ctx.db, arrangement, who)
    except RegistryError as error:
        return [Problem(error.field, error.code, error.message)]
    return []
