"""Resolvers of training records, continuing education and institution metrics: thin calls into
`registry.training` and `registry.reports.metrics`.

Mutations return an `Outcome`; domain errors pass through and are shown by `schema/errors.py`
(problems as `userErrors`, a caller without the right role or scope as a top-level FORBIDDEN
error); nothing changes in either case. The personal look-ups are rate limited by the API-wide
limiter for fields marked personal (`schema/personal.py`).
"""

from __future__ import annotations

from typing import Any

from registry.reports import metrics
from registry.storage.db import Document
from registry.training import certificates, export, hours, submission
from registry.training.validation import CohortInput
from resolvers.auth import principal
from resolvers.context import Context
from resolvers.outcome import Outcome
from resolvers.pagination import Page, check_first, decode_cursor, page

CURSOR_KIND = "cohort"


async def submit_cohort(ctx: Context, cohort: CohortInput) -> Outcome[Document]:
    who = await principal(ctx)
    outcome = await submission.submit(ctx.db, who, cohort, ctx.personal_data())
    return Outcome(outcome.cohort, replayed=outcome.replayed)


async def revoke(
    ctx: Context, number: str, reason: str
) -> Outcome[certificates.TrainingCertificate]:
    who = await principal(ctx)
    return Outcome(await certificates.revoke(ctx.db, who, number, reason))


async def training_certificate(
    ctx: Context, number: str, holder_name: str
) -> certificates.TrainingCertificate | None:
    return await certificates.by_number(ctx.db, number, holder_name)


async def cohort(ctx: Context, cid: str) -> Document | None:
    return await certificates.cohort(ctx.db, await principal(ctx), cid)


async def cohorts(ctx: Context, first: int, after: str | None) -> Page[Document]:
    check_first(first)
    after_key = decode_cursor(CURSOR_KIND, after)
    who = await principal(ctx)
    docs, more = await certificates.cohorts(ctx.db, who, limit=first, after=after_key)
    return page(
        CURSOR_KIND,
        docs,
        lambda d: str(d["_id"]),
        more=more,
        after=after_key,
        count=lambda: certificates.count_cohorts(ctx.db, who),
    )


async def cohort_trainees(ctx: Context, cid: str) -> list[Document]:
    return await submission.cohort_trainees(ctx.db, cid)


async def continuing_education(
    ctx: Context, id_number: str, holder_name: str | None, year: int | None
) -> hours.CeRecord:
    who = await principal(ctx)
    return await hours.record(ctx.db, ctx.personal_data(), who, id_number, holder_name, year=year)


async def ce_credential(
    ctx: Context, id_number: str, holder_name: str | None, year: int
) -> dict[str, Any]:
    who = await principal(ctx)
    return await export.ce_credential(
        ctx.db, ctx.master_key, ctx.personal_data(), who, id_number, holder_name, year
    )


async def institution_metrics(ctx: Context, uscc: str, year: int) -> metrics.InstitutionMetrics:
    return await metrics.institution_metrics(ctx.db, "".join(uscc.split()).upper(), year)


async def report_employment(
    ctx: Context, year: int, surveyed: int, employed: int, source: str
) -> Outcome[metrics.EmploymentReport]:
    who = await principal(ctx)
    return Outcome(await metrics.report_employment(ctx.db, who, year, surveyed, employed, source))
