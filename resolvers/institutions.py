"""Resolvers of the institution directories: thin calls into `registry.institutions`.

Mutations return an `Outcome`; domain errors pass through untouched and are shown by
`schema/errors.py` (problems as `userErrors`, a caller without the right role or scope as a
top-level FORBIDDEN error); nothing changes in either case.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from registry.calendar import clock, holidays, workdays
from registry.catalogue import reference_data as catalogue
from registry.institutions import directory, fees, lifecycle, obligations, reports, sectors
from registry.institutions.application import ApplicationInput, FeeInput
from registry.institutions.model import Institution, Violation
from registry.institutions.policy import decide
from registry.institutions.rules import Action
from resolvers.auth import principal
from resolvers.context import Context
from resolvers.errors import ArgumentError
from resolvers.outcome import Outcome
from resolvers.pagination import Page, check_first, decode_cursor, page

CURSOR_KIND = "institution"


@dataclass(frozen=True)
class LodgedObjection:
    institution: Institution
    objection_id: str


async def resolve_occupation(ctx: Context, code: str | None) -> str | None:
    if code is None:
        return None
    occ = None
    if catalogue.OCCUPATION_CODE.match(code.strip()):
        occ = await catalogue.occupation(ctx.db, code)
    if occ is None:
        raise ArgumentError(
            f"{code[:32]!r} is not an occupation of the programme",
            "UNKNOWN_OCCUPATION",
            argument="occupation",
        )
    return occ.code


async def institutions(
    ctx: Context, f: directory.DirectoryFilter, *, first: int, after: str | None
) -> Page[Institution]:
    check_first(first)
    if f.search is not None and len(f.search) > 100:
        raise ArgumentError("`search` is limited to 100 characters", "INVALID_ARGUMENT")
    after_key = decode_cursor(CURSOR_KIND, after)
    viewer = await principal(ctx)
    items, more = await directory.page(ctx.db, f, limit=first, after=after_key, viewer=viewer)
    return page(
        CURSOR_KIND,
        items,
        lambda inst: inst.uscc,
        more=more,
        after=after_key,
        count=lambda: directory.count(ctx.db, f, viewer=viewer),
    )


async def institution(ctx: Context, uscc: str) -> Institution | None:
    viewer = await principal(ctx)
    return await directory.get(ctx.db, "".join(uscc.split()).upper(), viewer=viewer)


async def may_review(ctx: Context) -> bool:
    """Whether the caller reviews applications (and so reads objections' texts)."""
    return decide(await principal(ctx), Action.READ_OBJECTION_TEXT).allowed


def overdue_reports(
    institution: Institution, stored: list[reports.AnnualReport]
) -> list[obligations.OverdueReport]:
    """The institution's annual reports overdue today (public, derived: never stored)."""
    return obligations.overdue(institution, stored, clock.today())


async def overdue_queue(ctx: Context) -> list[obligations.OverdueReport]:
    """The caller's queue of overdue annual reports (office: all; province: its own)."""
    return await obligations.queue(ctx.db, await principal(ctx), clock.today())


def listed_on(institution: Institution, day: dt.date) -> bool:
    """Was it on the directory on `day`? (the model's own rule)"""
    return institution.listed_on(day) is not None


async def apply(ctx: Context, application: ApplicationInput) -> Outcome[Institution]:
    who = await principal(ctx)
    return Outcome(await lifecycle.apply(ctx.db, who, application))


async def resubmit(ctx: Context, application: ApplicationInput) -> Outcome[Institution]:
    who = await principal(ctx)
    return Outcome(await lifecycle.resubmit(ctx.db, who, application))


async def renew(ctx: Context, application: ApplicationInput) -> Outcome[Institution]:
    who = await principal(ctx)
    return Outcome(await lifecycle.renew(ctx.db, who, application))


async def _step(ctx: Context, uscc: str, action: str, reason: str | None) -> Outcome[Institution]:
    who = await principal(ctx)
    return Outcome(await lifecycle.simple(ctx.db, who, uscc, action, reason=reason))


async def recommend(ctx: Context, uscc: str) -> Outcome[Institution]:
    return await _step(ctx, uscc, "recommend", None)


async def pass_preliminary_review(ctx: Context, uscc: str) -> Outcome[Institution]:
    return await _step(ctx, uscc, "passPreliminaryReview", None)


async def approve_audit(ctx: Context, uscc: str) -> Outcome[Institution]:
    return await _step(ctx, uscc, "approveAudit", None)


async def record_steering_decision(
    ctx: Context, uscc: str, decided_on: dt.date, reference: str
) -> Outcome[Institution]:
    who = await principal(ctx)
    return Outcome(
        await lifecycle.record_steering_decision(ctx.db, who, uscc, decided_on, reference)
    )


def sector_name(code: str | None) -> str | None:
    """The name of sector `code` (its ministry's HR office), None for none."""
    found = sectors.sector(code)
    return found.name if found else None


async def return_application(ctx: Context, uscc: str, reason: str) -> Outcome[Institution]:
    return await _step(ctx, uscc, "returnApplication", reason)


async def start_publicity(
    ctx: Context, uscc: str, start: dt.date, announcement: str | None
) -> Outcome[Institution]:
    who = await principal(ctx)
    return Outcome(
        await lifecycle.start_publicity(ctx.db, who, uscc, start, announcement=announcement)
    )


async def list_institution(ctx: Context, uscc: str) -> Outcome[Institution]:
    who = await principal(ctx)
    return Outcome(
        await lifecycle.list_institution(ctx.db, who, uscc, master_key=ctx.master_key or None)
    )


async def suspend(ctx: Context, uscc: str, reason: str) -> Outcome[Institution]:
    who = await principal(ctx)
    return Outcome(await lifecycle.suspend(ctx.db, who, uscc, reason))


async def reinstate(ctx: Context, uscc: str, reason: str) -> Outcome[Institution]:
    who = await principal(ctx)
    return Outcome(await lifecycle.reinstate(ctx.db, who, uscc, reason))


async def remove(
    ctx: Context, uscc: str, violation: Violation, details: str
) -> Outcome[Institution]:
    who = await principal(ctx)
    return Outcome(await lifecycle.remove(ctx.db, who, uscc, violation, details))


async def expire(ctx: Context, uscc: str) -> Outcome[Institution]:
    who = await principal(ctx)
    return Outcome(await lifecycle.expire(ctx.db, who, uscc))


async def lodge_objection(ctx: Context, uscc: str, text: str) -> Outcome[LodgedObjection]:
    who = await principal(ctx)
    inst, objection_id = await lifecycle.lodge_objection(ctx.db, who, uscc, text)
    return Outcome(LodgedObjection(inst, objection_id))


async def resolve_objection(
    ctx: Context, uscc: str, objection_id: str, upheld: bool, resolution: str
) -> Outcome[Institution]:
    who = await principal(ctx)
    return Outcome(
        await lifecycle.resolve_objection(ctx.db, who, uscc, objection_id, upheld, resolution)
    )


async def submit_report(
    ctx: Context, kind: reports.ReportKind, year: int, people: int, sessions: int, text: str
) -> Outcome[reports.AnnualReport]:
    who = await principal(ctx)
    return Outcome(await reports.submit(ctx.db, who, kind, year, people, sessions, text))


async def change_fees(
    ctx: Context,
    uscc: str,
    schedule: list[FeeInput],
    effective_from: dt.date,
    note: str | None,
) -> Outcome[Institution]:
    who = await principal(ctx)
    return Outcome(await fees.change_fees(ctx.db, who, uscc, schedule, effective_from, note))


async def set_holiday_arrangement(
    ctx: Context, year: int, holiday_dates: list[dt.date], workday_dates: list[dt.date]
) -> Outcome[workdays.YearArrangement]:
    who = await principal(ctx)
    decide(who, Action.SET_HOLIDAYS).require()
    arrangement = workdays.YearArrangement(
        year=year, holidays=frozenset(holiday_dates), workdays=frozenset(workday_dates)
    )
    await holidays.set_arrangement(ctx.db, arrangement, who)
    return Outcome(arrangement)
