"""Resolvers of policy links (notice 五): thin calls into `registry.policylinks`.

A certificate's links are answered for the province of its issuing institution (the digits of
its number) unless the client names another: title recognition and subsidies are the business of
the province where the holder applies, which the registry does not know and does not ask."""

from __future__ import annotations

import datetime as dt

from registry.access import tokens
from registry.calendar import clock
from registry.certificates import numbers
from registry.policylinks import answers, editing
from registry.policylinks.editing import Recorded, SubsidyRuleInput, TitleLinkInput
from registry.policylinks.model import Topic
from registry.storage.db import Document
from resolvers.auth import principal
from resolvers.context import Context
from resolvers.errors import ArgumentError
from resolvers.outcome import Outcome


def checked_province(asked: str) -> str:
    """`asked`, or UNKNOWN_PROVINCE when it is no province code."""
    if asked not in tokens.province_codes():
        raise ArgumentError(
            "province is a two-digit code (GB/T 2260)", "UNKNOWN_PROVINCE", argument="province"
        )
    return asked


def province_of(number: str, asked: str | None) -> str:
    """The province a certificate's links answer for: `asked` when given, else the issuing
    institution's, from the certificate's number."""
    return numbers.parse(number).province if asked is None else checked_province(asked)


def _outcome(recorded: Recorded) -> Outcome[Document]:
    shown = answers.with_current(recorded.record, clock.today())
    return Outcome(shown, replayed=recorded.replayed)


async def set_title_link(ctx: Context, spec: TitleLinkInput) -> Outcome[Document]:
    return _outcome(await editing.set_title_link(ctx.db, await principal(ctx), spec))


async def set_subsidy_rule(ctx: Context, spec: SubsidyRuleInput) -> Outcome[Document]:
    return _outcome(await editing.set_subsidy_rule(ctx.db, await principal(ctx), spec))


async def records(ctx: Context, topic: Topic, province: str | None) -> list[Document]:
    if province is not None:
        checked_province(province)
    return await answers.records(ctx.db, topic, clock.today(), province)


async def title_link(
    ctx: Context, number: str, level: int, province: str | None, on: dt.date | None
) -> answers.TitleLink | None:
    where = province_of(number, province)
    return await answers.title_link(ctx.db, level, where, on or clock.today())


async def subsidy(
    ctx: Context,
    number: str,
    occupation: str,
    level: int,
    province: str | None,
    on: dt.date | None,
) -> answers.Subsidy | None:
    where = province_of(number, province)
    return await answers.subsidy(ctx.db, occupation, level, where, on or clock.today())
