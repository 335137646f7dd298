"""The resolvers' `Context` of one request, from the app's state: what `/graphql` and the pages
(`service/pages/`) both hand to `resolvers/`, so the two doors cannot differ in what the domain
is given (database, settings, personal-data keys, the shared look-up cache)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from resolvers.context import Context


def resolver_context(request: Request) -> Context:
    """A fresh context for `request` (its own DataLoaders); the caller sets what only it knows
    (the request for bearer tokens, the rate-limit window)."""
    state: Any = request.app.state
    return Context(
        db=state.db,
        settings=state.settings,
        request_id=request.scope.get("state", {}).get("request_id", ""),
        master_key=state.master_key,
        personal=state.personal,
        certificates=getattr(state, "certificates", None),
    )
