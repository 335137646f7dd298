"""The server under test, run as its own process: the registry's app exactly as `registry serve`
builds it (same middleware, logging, uvicorn settings), plus one extra route, `POST /bench/bare`,
the baseline: a bare Starlette handler that reads the same request body, runs the same
`find_one` (same filter, projection and status check as `registry.certificates.lookup.by_number`)
and answers the same JSON as the GraphQL query in `QUERY`, without GraphQL.

    REGISTRY_MONGODB_URI=URI REGISTRY_MASTER_KEY=KEY \
        python -m scripts.bench.server --database NAME --port PORT --data-dir DIR
"""

from __future__ import annotations

import argparse
from typing import Any

import uvicorn
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from registry.certificates import numbers
from registry.certificates.lookup import PUBLIC_STATES
from registry.intake.names import name_key
from registry.settings import Settings

BARE_PATH = "/bench/bare"
CACHED_PATH = "/bench/cached"
QUERY = (
    "query Certificate($number: String!, $holderName: String!) {"
    " certificate(number: $number, holderName: $holderName) {"
    " number holderName occupationCode fieldCode direction level issuerUscc examDate issuedAt"
    " status revokedAt revocationReason credential } }"
)
_LEVELS = {1: "JUNIOR", 2: "INTERMEDIATE", 3: "SENIOR"}
_PROJECTION = {"id_hash": 0, "batch": 0}  # as registry.certificates.lookup


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None else None


async def bare(request: Request) -> JSONResponse:
    body = await request.json()
    variables = body["variables"]
    try:
        value = str(numbers.parse(variables["number"]))
    except numbers.CertificateNumberError as error:
        return JSONResponse({"data": None, "errors": [{"message": error.message}]})
    db = request.app.state.db
    doc = await db.certificates.find_one({"_id": value}, _PROJECTION)
    if doc is None or doc["status"] not in PUBLIC_STATES:
        return JSONResponse({"data": {"certificate": None}})
    if name_key(doc["name"]) != name_key(variables["holderName"]):
        return JSONResponse({"data": {"certificate": None}})
    return JSONResponse(_answer(doc))


# The proposal measured by the "cached" figure: published certificates rendered once and kept
# by number (the holder's name checked on every hit); revocation must drop the entry. Here the
# cache is unbounded and never invalidated: it measures the ceiling of the idea, all hits.
_RENDERED: dict[str, tuple[str, bytes]] = {}


async def cached(request: Request) -> Response:
    body = await request.json()
    variables = body["variables"]
    try:
        value = str(numbers.parse(variables["number"]))
    except numbers.CertificateNumberError as error:
        return JSONResponse({"data": None, "errors": [{"message": error.message}]})
    hit = _RENDERED.get(value)
    if hit is None:
        doc = await request.app.state.db.certificates.find_one({"_id": value}, _PROJECTION)
        if doc is None or doc["status"] not in PUBLIC_STATES:
            return JSONResponse({"data": {"certificate": None}})
        hit = (name_key(doc["name"]), bytes(JSONResponse(_answer(doc)).body))
        _RENDERED[value] = hit
    name, rendered = hit
    if name != name_key(variables["holderName"]):
        return JSONResponse({"data": {"certificate": None}})
    return Response(rendered, media_type="application/json")


def _answer(doc: dict[str, Any]) -> dict[str, Any]:
    revocation = doc.get("revocation") or {}
    return {
        "data": {
            "certificate": {
                "number": doc["_id"],
                "holderName": doc["name"],
                "occupationCode": doc["occupation"],
                "fieldCode": doc["field"],
                "direction": doc.get("direction"),
                "level": _LEVELS[doc["level"]],
                "issuerUscc": doc["institution"],
                "examDate": doc["exam_date"],
                "issuedAt": _iso(doc["published_at"]),
                "status": "REVOKED" if doc["status"] == "REVOKED" else "VALID",
                "revokedAt": _iso(revocation.get("at")),
                "revocationReason": revocation.get("reason"),
                "credential": doc["credential"],
            }
        }
    }


_ENV = "BENCH_SERVER_ARGS"


def factory() -> Any:
    """The app, built from the arguments `main` put in the environment (also what each worker
    process calls when there are several)."""
    import json
    import os

    from service.app import create_app
    from service.logs import configure_logging

    args = json.loads(os.environ[_ENV])
    settings = Settings.from_env(
        {
            "REGISTRY_MONGODB_URI": args["uri"],
            "REGISTRY_DATABASE": args["database"],
            "REGISTRY_DATA_DIR": args["data_dir"],
            "REGISTRY_MASTER_KEY": args["master_key"],
            "REGISTRY_PORT": str(args["port"]),
        }
    )
    configure_logging(args["log_level"])  # as `registry serve` (default level info)
    app = create_app(settings)
    app.router.routes.append(Route(BARE_PATH, bare, methods=["POST"]))
    app.router.routes.append(Route(CACHED_PATH, cached, methods=["POST"]))
    return app


def main() -> None:
    import json
    import os

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--log-level", default="info")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    args = parser.parse_args()
    secrets = {  # from the environment: a command line is readable by every user (`ps`)
        "uri": os.environ["REGISTRY_MONGODB_URI"],
        "master_key": os.environ["REGISTRY_MASTER_KEY"],
    }
    os.environ[_ENV] = json.dumps({**vars(args), **secrets})
    # The same uvicorn settings as `registry serve` (service/cli.py).
    settings: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": args.port,
        "log_config": None,
        "access_log": False,
        "lifespan": "on",
        "timeout_graceful_shutdown": 10,
    }
    if args.workers > 1:
        uvicorn.run("scripts.bench.server:factory", factory=True, workers=args.workers, **settings)
    else:
        uvicorn.Server(uvicorn.Config(factory(), **settings)).run()


if __name__ == "__main__":
    main()
