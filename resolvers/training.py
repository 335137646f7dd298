"""Resolvers of training records, continuing education and institution metrics: thin calls into
`registry.training` and `registry.metrics`.

Domain problems come back as `userErrors`; a caller without the right role or scope gets a
top-level FORBIDDEN error; nothing changes in either case. The personal look-ups (ID number and
name) are rate limited by the API-wide limiter for personal look-ups (service/graphql_http.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from registry import metrics
from registry.certificates.numbers import CertificateNumberError
from registry.db import Document
from registry.errors import Forbidden, NotFound
from registry.identifiers import IdNumberError
from registry.problems import Problem, Rejected
from registry.training import certificates, export, hours, submission
from registry.training.validation import CohortInput
from resolvers.auth import principal
from resolvers.context import Context
from resolvers.errors import PublicError, public
from resolvers.pagination import check_first, decode_cursor, encode_cursor

CURSOR_KIND = "cohort"
T = TypeVar("T")


@dataclass
class CohortOutcome:
    cohort: Document | None = None
    replayed: bool = False
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Outcome:
    value: Any = None
    problems: list[Problem] = field(default_factory=list)


async def _run(work: Callable[[], Awaitable[T]]) -> Outcome:
    try:
        return Outcome(value=await work())
    except Rejected as rejected:
        return Outcome(problems=list(rejected.problems))
    except CertificateNumberError as error:
        return Outcome(problems=[Problem(error.field or "number", error.code, error.message)])
    except (Forbidden, NotFound) as error:
        raise public(error) from None


async def submit_cohort(ctx: Context, cohort: CohortInput) -> CohortOutcome:
    who = await principal(ctx)
    try:
        outcome = await submission.submit(ctx.db, who, cohort, ctx.personal_data())
    except Rejected as rejected:
        return CohortOutcome(problems=list(rejected.problems))
    except Forbidden as error:
        raise public(error) from None
    return CohortOutcome(cohort=outcome.cohort, replayed=outcome.replayed)


async def revoke(ctx: Context, number: str, reason: str) -> Outcome:
    who = await principal(ctx)
    return await _run(lambda: certificates.revoke(ctx.db, who, number, reason))


async def training_certificate(
    ctx: Context, number: str, holder_name: str
) -> certificates.TrainingCertificate | None:
    try:
        return await certificates.by_number(ctx.db, number, holder_name)
    except CertificateNumberError as error:
        raise PublicError(error.message, error.code, argument="number") from None


async def cohort(ctx: Context, cid: str) -> Document | None:
    return await certificates.cohort(ctx.db, await principal(ctx), cid)


async def cohorts(
    ctx: Context, first: int, after: str | None
) -> tuple[list[tuple[str, Document]], bool, bool]:
    check_first(first)
    after_key = decode_cursor(CURSOR_KIND, after)
    try:
        docs, more = await certificates.cohorts(
            ctx.db, await principal(ctx), limit=first, after=after_key
        )
    except Forbidden as error:
        raise public(error) from None
    return [(encode_cursor(CURSOR_KIND, d["_id"]), d) for d in docs], more, after_key is not None


async def cohort_trainees(ctx: Context, cid: str) -> list[Document]:
    return await submission.cohort_trainees(ctx.db, cid)


def _personal_error(error: IdNumberError) -> PublicError:
    # The message says what is wrong without repeating the number.
    return PublicError(error.message, error.code, argument="idNumber")


async def continuing_education(
    ctx: Context, id_number: str, holder_name: str | None, year: int | None
) -> hours.CeRecord:
    who = await principal(ctx)
    try:
        return await hours.record(
            ctx.db, ctx.personal_data(), who, id_number, holder_name, year=year
        )
    except IdNumberError as error:
        raise _personal_error(error) from None
    except Rejected as rejected:
        first = rejected.problems[0]
        raise PublicError(first.message, first.code, argument=first.field) from None


async def ce_credential(
    ctx: Context, id_number: str, holder_name: str | None, year: int
) -> dict[str, Any]:
    who = await principal(ctx)
    try:
        return await export.ce_credential(
            ctx.db, ctx.master_key, ctx.personal_data(), who, id_number, holder_name, year
        )
    except IdNumberError as error:
        raise _personal_error(error) from None
    except Rejected as rejected:
        first = rejected.problems[0]
        raise PublicError(first.message, first.code, argument=first.field) from None


async def institution_metrics(ctx: Context, uscc: str, year: int) -> metrics.InstitutionMetrics:
    try:
        return await metrics.institution_metrics(ctx.db, "".join(uscc.split()).upper(), year)
    except Rejected as rejected:
        first = rejected.problems[0]
        raise PublicError(first.message, first.code, argument=first.field) from None
    except NotFound as error:
        raise public(error) from None


async def report_employment(
    ctx: Context, year: int, surveyed: int, employed: int, source: str
) -> Outcome:
    who = await principal(ctx)
    return await _run(
        lambda: metrics.report_employment(ctx.db, who, year, surveyed, employed, source)
    )
