"""`registry serve`: one process, or several workers as one registry.

One process (`--workers 1`, the default) opens the database in the app's lifespan, starting the
embedded server as its child. With `--workers N` the command starts the embedded server once,
in this process (the supervisor), loads the demo data if asked, and then runs N uvicorn worker
processes on one listening socket; each worker joins the running server through
`embedded.json` (or connects to `REGISTRY_MONGODB_URI`). Rate limits, the look-up cache's
invalidation, numbering and the trust bundle are shared through the database, so N workers —
or N machines on one MongoDB — are one registry.

Stopping, within 10 s (`docs/operations.md`): on Ctrl-C or SIGTERM the server stops accepting,
lets requests in flight finish for up to `GRACEFUL_S`, cancels what is left (a transaction cut
short is rolled back by the database: all or nothing), and stops the embedded database last,
which has `DATABASE_STOP_S` before it is killed (every acknowledged commit is in its fsynced
log already). A second Ctrl-C skips the wait for requests in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import uvicorn

from registry.settings import Settings
from registry.storage.db import open_database
from registry.storage.embedded import DATABASE_STOP_S, EmbeddedServer
from service.app import load_demo

GRACEFUL_S = 5  # requests in flight may finish for this long after a stop signal
assert GRACEFUL_S + DATABASE_STOP_S < 10  # the promise: everything stopped within 10 s


@dataclass(frozen=True)
class Listen:
    host: str
    port: int
    log_level: str

    def uvicorn(self) -> dict[str, Any]:
        """The uvicorn settings both ways of serving share."""
        return {
            "host": self.host,
            "port": self.port,
            "log_config": None,
            "access_log": False,  # service/middleware.py writes the access line
            # The client's address is the connection's: uvicorn would take X-Forwarded-For from
            # any loopback peer, so a local caller could name itself anew at every request and
            # dodge its allowances. The registry reads the header itself, only where the
            # deployment says a proxy sets it (REGISTRY_TRUST_FORWARDED_FOR).
            "proxy_headers": False,
            "lifespan": "on",
            "timeout_graceful_shutdown": GRACEFUL_S,
        }


def serve_one(app: Any, listen: Listen) -> bool:
    """Serve `app` in this process until a stop signal; whether it started."""
    server = uvicorn.Server(uvicorn.Config(app, **listen.uvicorn()))
    server.run()
    return server.started


def serve_workers(settings: Settings, workers: int, listen: Listen, demo: bool) -> None:
    """Serve with `workers` processes sharing one database, started here once when embedded."""
    with _database_in_background(settings, demo):
        uvicorn.run("service.app:worker_app", factory=True, workers=workers, **listen.uvicorn())


@contextlib.contextmanager
def _database_in_background(settings: Settings, demo: bool) -> Iterator[None]:
    """The embedded server (when no URI is configured) running for the block, on an event loop
    of its own thread; the demo data loaded before the block starts."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="embedded-database", daemon=True)
    thread.start()

    def run(coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result()

    server = EmbeddedServer(settings.data_dir) if settings.embedded else None
    try:
        if server is not None:
            run(server.start())
        if demo:
            run(_load_demo(settings))
        yield
    finally:
        if server is not None:
            run(server.stop())
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()


async def _load_demo(settings: Settings) -> None:
    async with open_database(settings) as db:
        await load_demo(db, settings)
