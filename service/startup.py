"""A start-up the registry refuses says why in one line, not in a traceback.

Starlette answers a lifespan start-up that raised with the formatted traceback, and uvicorn logs
that as the reason it stops. When the failure is the registry's own refusal (a `RegistryError`:
a database a restore left unfinished, a data directory in use), the traceback buries a sentence
written for the operator; this middleware sends the sentence, with its stable code, instead.
Any other exception keeps its traceback: it is a defect, to be read whole.
"""

from __future__ import annotations

import sys

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from registry.errors import RegistryError


def refusal_line(error: RegistryError) -> str:
    """What the log says when the registry refuses to start."""
    return f"the registry cannot start ({error.code}): {error.message}"


class StartupRefusalMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            # Starlette sends the failure from within its `except` block: the error is current.
            error = sys.exc_info()[1]
            if message["type"] == "lifespan.startup.failed" and isinstance(error, RegistryError):
                message = {**message, "message": refusal_line(error)}
            await send(message)

        await self.app(scope, receive, sending)
