"""The Starlette application: every route is listed here.

| route       | what                                              |
| ----------- | ------------------------------------------------- |
| `/graphql`  | the GraphQL API (GraphiQL in a browser); see `service/graphql_http.py` |
| `/healthz`  | the process is up                                 |
| `/readyz`   | the database answers                              |
| `/metrics`  | Prometheus metrics, for operators (`REGISTRY_METRICS_TOKEN`) |
| `/bundle.json`, `/status/{id}`, `/root-key` | trust bundle, status lists, root key (cached) |
| `/contexts/dte-v1.jsonld`, `/schemas/{name}` | the credential's context and JSON Schemas |
| `/stats`    | public statistics page, server-rendered SVG charts (5 min, ETag) |
| `/verify`, `/verify/sw.js` | the offline verifier page and its service worker |
| `/schema.graphql`, `/graphiql/{asset}` | the schema (SDL) and GraphiQL's bundled files (service/portal_routes.py) |
| `/open-data/v1/...` | the directories as signed downloads and their change feed (docs/open-data.md) |
| `/`, `/lookup…`, `/institutions…`, `/occupations`, `/standards`, `/campaigns…` | the public pages (`service/pages/`, [docs/pages.md](../docs/pages.md)) |
| `/certificate.pdf` | the printable certificate, by number and holder's name (GET or POST; no-store; [docs/printing.md](../docs/printing.md)) |
| `/log/checkpoint`, `/log/tile/...` | the transparency log (C2SP tlog-tiles), see `service/log_routes.py` |

Starlette adds HEAD to every GET route (a HEAD is answered as the GET, without the body), except
where a route takes it off (`/certificate.pdf`). Where no route answers, the app does, in one
place (`EXCEPTION_HANDLERS`): an unknown address is 404 `NOT_FOUND` (the pages' problem page for
a browser), a method the route does not take 405 `METHOD_NOT_ALLOWED` with `Allow`, and a
failure of ours no route caught 500 `INTERNAL_SERVER_ERROR`, each as the service's plain-JSON
problem with the request id. A route's own 404 with its own code
(`LOG_TILE_NOT_FOUND`, the open data's `NOT_FOUND`) is its own answer and stays so.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any, Final

from rich.progress import Progress
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from registry.access.personal import PersonalData
from registry.certificates import binder
from registry.certificates.lookup import LookupCache
from registry.demo import certificates as demo_certificates
from registry.demo import directory as demo
from registry.demo import exams as demo_exams
from registry.demo import holder as demo_holder
from registry.demo import obligations as demo_obligations
from registry.demo import training as demo_training
from registry.reports import rebuild
from registry.settings import Settings
from registry.storage.db import Database, is_ready, open_database
from schema.build import build_schema, sdl
from schema.errors import INTERNAL
from service import (
    certificate_pdf,
    log_routes,
    open_data_routes,
    pages,
    portal_routes,
    public_routes,
    stats_page,
    verifier_routes,
)
from service.api_config import ApiConfig
from service.graphql_http import GraphQLEndpoint
from service.http_problem import HttpProblem
from service.metrics import MetricsEndpoint
from service.middleware import RequestContextMiddleware
from service.pages.answers import problem_page
from service.rate_windows import MongoWindows
from service.ratelimit import Allowances
from service.security import SecurityHeadersMiddleware
from service.startup import StartupRefusalMiddleware
from service.stopping import StoppingMiddleware, StopWatch

log = logging.getLogger("registry.service")


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    if await is_ready(request.app.state.db):
        return JSONResponse({"status": "ready"})
    return JSONResponse({"status": "database unavailable"}, status_code=503)


def _request_id(request: Request) -> str | None:
    found = request.scope.get("state", {}).get("request_id")
    return found if isinstance(found, str) else None


async def not_found(request: Request, error: Exception) -> Response:
    """No route at this address: 404 `NOT_FOUND`, the pages' problem page for a browser (a GET
    that accepts HTML), else the plain-JSON problem. The address is not repeated back."""
    if request.method in {"GET", "HEAD"} and "text/html" in request.headers.get("accept", ""):
        return problem_page(request, 404, "NOT_FOUND")
    problem = HttpProblem(404, "NOT_FOUND", "nothing is served at this address")
    return problem.response(requestId=_request_id(request))


async def method_not_allowed(request: Request, error: Exception) -> Response:
    """The route does not take this method: 405 `METHOD_NOT_ALLOWED`, `Allow` naming the ones
    it takes (as the router found them)."""
    headers = error.headers if isinstance(error, HTTPException) else None
    # The router joins a set: sorted, the header is the same in every process.
    allow = ", ".join(sorted(m.strip() for m in (headers or {}).get("Allow", "").split(",")))
    problem = HttpProblem(
        405, "METHOD_NOT_ALLOWED", f"this address takes only {allow}", allow=allow
    )
    return problem.response(requestId=_request_id(request))


async def internal_error(request: Request, error: Exception) -> Response:
    """A failure of ours no route caught: 500 `INTERNAL_SERVER_ERROR` as the plain-JSON problem
    with the request id, never Starlette's bare text; the traceback goes to the log only
    (Starlette raises the error on to the server after this answer)."""
    request_id = _request_id(request)
    problem = HttpProblem(500, INTERNAL, "Internal error; quote the request id when reporting it.")
    response = problem.response(requestId=request_id)
    if request_id is not None:  # outside the middleware that adds it to every other answer
        response.headers["x-request-id"] = request_id
    return response


EXCEPTION_HANDLERS: Final = {404: not_found, 405: method_not_allowed, Exception: internal_error}


async def load_demo(database: Database, settings: Settings) -> None:
    report = await demo.seed_demo(database, settings)
    with Progress(transient=True) as progress:
        task = progress.add_task("publishing demo certificates", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        published = await demo_certificates.seed_certificates(database, settings, advance)
    folder = await demo_certificates.export_files(database, settings)
    number = await demo_certificates.holder_certificate(database)
    print(demo_holder.describe(number, folder), flush=True)  # on purpose: try `verify --card`
    training = await demo_training.load(database, settings)
    obligations = await demo_obligations.seed_reports(database)
    # Last, after the directory and certificates: a session, its confirmed list and its results.
    exam_session = await demo_exams.seed_exam_session(database, settings)
    log.info(
        "demo data ready",
        extra={
            "inserted": report,
            "certificates_published": published,
            "files": str(folder),
            "training": training,
            "obligations": obligations,
            "exam_session": exam_session,
        },
    )


async def _stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


Lifespan = Callable[[Starlette], contextlib.AbstractAsyncContextManager[None]]


def _background(
    stack: contextlib.AsyncExitStack, name: str, work: Coroutine[Any, Any, Any]
) -> None:
    """Run `work` as a task named `name` until the app stops (`stack` closes)."""
    stack.push_async_callback(_stop, asyncio.create_task(work, name=name))


def _lifespan(
    settings: Settings,
    api: ApiConfig,
    db: Database | None,
    demo_data: bool,
    exclusive: bool,
    watch: StopWatch,
) -> Lifespan:
    """Start-up and shut-down: keys, the database (opened here unless `db` is given; the
    embedded server started here when `exclusive`, else joined), the statistics' counters
    (rebuilt when absent or of an older layout), the certificate cache and its change-stream
    follower, the binder of batches closed in parts (`api.binder`), the demo data when asked
    for; the stop signals watched (`watch`) while it serves."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.master_key = settings.master_key()
        app.state.personal = PersonalData(app.state.master_key)
        app.state.sdl = sdl() if api.introspection else None  # /schema.graphql
        async with contextlib.AsyncExitStack() as stack:
            # First: a stop signal during a long start-up is seen too; put back last.
            watch.install()
            stack.callback(watch.uninstall)
            database = (
                db
                if db is not None
                else await stack.enter_async_context(open_database(settings, exclusive=exclusive))
            )
            app.state.db = database
            if await rebuild.ensure(database):
                log.info("statistics counters rebuilt (absent or of an older layout)")
            app.state.rate_windows = MongoWindows(database)
            cache: LookupCache = LookupCache(api.lookup_cache_entries)
            app.state.certificates = cache
            _background(stack, "certificate-cache", cache.follow(database))
            if api.binder:
                _background(stack, "binder", binder.run(database, app.state.personal))
            if demo_data:
                await load_demo(database, settings)
            # The first checkpoint (and the log key, on first start) before serving: nothing
            # writes behind the first requests' backs; then one every hour.
            await log_routes.sign_checkpoint(database, settings)
            _background(stack, "log-checkpoints", log_routes.sign_periodically(database, settings))
            log.info("registry ready", extra={"graphql": f"{settings.base_url}/graphql"})
            yield
        log.info("registry stopped")

    return lifespan


def _routes(api: ApiConfig, allowances: Allowances) -> list[BaseRoute]:
    return [
        Route(
            "/graphql",
            GraphQLEndpoint(build_schema(introspection=api.introspection), api, allowances),
            methods=["GET", "POST"],
        ),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", MetricsEndpoint(api.metrics_token).respond),
        *public_routes.routes,
        *log_routes.routes,
        *stats_page.routes,
        *verifier_routes.routes,
        *open_data_routes.routes,
        *portal_routes.routes,
        *certificate_pdf.routes,
        *pages.routes,
    ]


def _middleware(settings: Settings, api: ApiConfig, watch: StopWatch) -> list[Middleware]:
    return [
        Middleware(StartupRefusalMiddleware),
        Middleware(RequestContextMiddleware),
        Middleware(SecurityHeadersMiddleware, https=settings.base_url.startswith("https://")),
        Middleware(
            CORSMiddleware,
            allow_origins=list(api.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["authorization", "content-type", "x-request-id", "x-dte-client"],
            expose_headers=[
                "x-request-id",
                "etag",
                "retry-after",
                "x-ratelimit-limit",
                "x-ratelimit-remaining",
                "x-ratelimit-used",
                "x-ratelimit-reset",
            ],
            max_age=600,
        ),
        Middleware(StoppingMiddleware, watch=watch),
    ]


def create_app(
    settings: Settings,
    *,
    demo_data: bool = False,
    db: Database | None = None,
    api: ApiConfig | None = None,
    exclusive: bool = True,
) -> Starlette:
    """The app. Pass `db` to use an already open database (tests); otherwise the lifespan opens
    it, starting the embedded server when no MongoDB URI is configured (`exclusive`: the data
    directory must be free) or joining the one running for it (not `exclusive`: a worker of
    `registry serve --workers N`)."""
    api = api or ApiConfig.from_env()
    allowances = Allowances.of(api.rate_points, api.personal_lookups, api.rate_window_s)
    watch = StopWatch()
    app = Starlette(
        routes=_routes(api, allowances),
        middleware=_middleware(settings, api, watch),
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=_lifespan(settings, api, db, demo_data, exclusive, watch),
    )
    # The pages and the printable certificate spend from the same allowances as /graphql
    # (service/pages/context.py).
    app.state.api = api
    app.state.allowances = allowances
    app.state.stop_watch = watch  # whether a stop signal came (service/stopping.py)
    return app


def worker_app() -> Starlette:
    """One worker of `registry serve --workers N` (uvicorn's factory): the settings from the
    environment, the database the supervisor started."""
    return create_app(Settings.from_env(), exclusive=False)
