"""Resolvers of exam sessions and registrations: thin calls into `registry.exams`."""

from __future__ import annotations

from registry.exams import cancellation, confirmation, registrations, sessions
from registry.exams.confirmation import Decision
from registry.exams.registrations import RegistrationInput
from registry.exams.sessions import SessionInput
from registry.storage.db import Document
from resolvers.auth import principal
from resolvers.context import Context
from resolvers.outcome import Outcome
from resolvers.pagination import Page, check_first, decode_cursor, page

CURSOR_KIND = "examSession"


async def announce(ctx: Context, spec: SessionInput) -> Outcome[Document]:
    created = await sessions.announce(ctx.db, await principal(ctx), spec)
    return Outcome(created.document, replayed=created.replayed)


async def register(ctx: Context, spec: RegistrationInput) -> Outcome[Document]:
    who = await principal(ctx)
    created = await registrations.register(ctx.db, who, spec, ctx.personal_data())
    return Outcome(created.document, replayed=created.replayed)


async def confirm(ctx: Context, session_id: str, decisions: list[Decision]) -> Outcome[Document]:
    who = await principal(ctx)
    return Outcome(await confirmation.confirm_list(ctx.db, who, session_id, decisions))


async def cancel(ctx: Context, registration_id: str, reason: str) -> Outcome[Document]:
    who = await principal(ctx)
    done = await cancellation.cancel(ctx.db, who, registration_id, reason)
    return Outcome(done.document, replayed=done.replayed)


async def session(ctx: Context, session_id: str) -> Document | None:
    return await confirmation.session(ctx.db, session_id)


async def registrations_of(ctx: Context, session_id: str) -> list[Document]:
    return await confirmation.registrations_of(ctx.db, await principal(ctx), session_id)


async def sessions_of(
    ctx: Context, institution: str | None, first: int, after: str | None
) -> Page[Document]:
    check_first(first)
    after_key = decode_cursor(CURSOR_KIND, after)
    docs, more = await confirmation.sessions_page(ctx.db, institution, limit=first, after=after_key)
    return page(
        CURSOR_KIND,
        docs,
        lambda d: str(d["_id"]),
        more=more,
        after=after_key,
        count=lambda: confirmation.count_sessions(ctx.db, institution),
    )
