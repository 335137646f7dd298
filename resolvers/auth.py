"""Who is calling: the bearer token in `Authorization`, resolved once per request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from registry.access import tokens
from registry.access.auth import ANONYMOUS, Principal
from registry.access.policy import Decision
from resolvers.context import Context

_KEY = "principal"


async def principal(ctx: Context) -> Principal:
    cached = ctx.loaders.get(_KEY)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    header = ""
    if ctx.request is not None:
        header = ctx.request.headers.get("authorization", "")
    if not header:
        found = ANONYMOUS
    else:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise tokens.Unauthenticated("the Authorization header must be `Bearer <token>`")
        found = await tokens.authenticate(ctx.db, ctx.master_key, token.strip())
    ctx.loaders[_KEY] = found
    return found


async def permitted(
    ctx: Context, decide: Callable[[Principal, Any], Decision], action: Any
) -> Principal:
    """The caller, once its workflow's policy lets its role do `action` at all (`Forbidden`
    otherwise). Asked before any argument is parsed or validated: a caller who may not act
    learns that and nothing about its input (who before what)."""
    who = await principal(ctx)
    decide(who, action).require()
    return who
