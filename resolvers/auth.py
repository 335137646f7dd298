"""Who is calling: the bearer token in `Authorization`, resolved once per request."""

from __future__ import annotations

from registry import tokens
from registry.auth import ANONYMOUS, Principal
from resolvers.context import Context
from resolvers.errors import PublicError

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
            raise PublicError(
                "the Authorization header must be `Bearer <token>`", "UNAUTHENTICATED"
            )
        try:
            found = await tokens.authenticate(ctx.db, token.strip())
        except tokens.Unauthenticated as error:
            raise PublicError(error.message, "UNAUTHENTICATED") from None
    ctx.loaders[_KEY] = found
    return found
