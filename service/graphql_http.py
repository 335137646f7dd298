"""GraphQL over HTTP, as the GraphQL-over-HTTP specification and the best public APIs do it.

One endpoint, `/graphql`, following the GraphQL-over-HTTP draft as it stands in 2026:

- Status codes for every client: 200 a result without errors, 294 a result with errors (`data`
  present, even null); a request error has no `data` and a 4xx: 400 a body that is not JSON or a
  document that does not parse, 422 a request that is not well formed, fails validation (or a
  limit), names no runnable operation, or has variables that cannot be coerced; 401/403, 405,
  406, 408, 413, 415, 429; 5xx only for the server's own failures.
- `application/graphql-response+json` when the client accepts it; a legacy client
  (`application/json`) gets the same statuses, and its 2xx answers as `application/json`.
- GET for queries (a mutation over GET is 405), with `Cache-Control` and a strong `ETag` on public
  reads, and 304 on `If-None-Match`; HEAD is a GET without the body (the same checks and the
  same charge: the query runs to know its headers). POST needs `Content-Type:
  application/json` (415 otherwise).
- A body limit (413), a body deadline (408), no batching, a request timeout, limits and cost
  checked on the parsed query before execution, rate limits by cost with `x-ratelimit-*`
  headers, persisted queries.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import logging
import re
from collections import OrderedDict
from functools import lru_cache
from typing import Any

import orjson
from graphql import DocumentNode, parse
from graphql.error import GraphQLSyntaxError
from pymongo.errors import PyMongoError
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from registry.access import tokens
from registry.access.auth import ANONYMOUS, Principal
from registry.errors import RegistryError
from resolvers.context import Context, RateLimitInfo
from schema.errors import INTERNAL, PARSE_FAILED, syntax_error_message, with_code
from schema.execution import Executor, Outcome
from schema.limits import Analysis, CostModel, LimitExceeded, analyse, prescan
from service.api_config import ApiConfig
from service.graphql_params import Params, from_body, from_query_string
from service.http_problem import HttpProblem
from service.media import GRAPHQL_RESPONSE, JSON, negotiate
from service.persisted import APQCache, is_sha256, load_manifest, sha256
from service.portal_routes import graphiql_page
from service.ratelimit import Allowances, Decision, WindowCounter, client_key
from service.request_body import read_body
from service.request_context import resolver_context

log = logging.getLogger("registry.graphql")

MAX_QUERY_CHARS = 20_000  # the full introspection query is 1,500
MAX_TOKENS = 1000  # ... and 163 tokens; the lexer is pure Python (~20 µs a token)
_SUGGESTION = re.compile(r" Did you mean .*\?$")
# The methods that read their parameters from the query string; Starlette adds HEAD to a GET
# route, and a HEAD is answered as its GET, without the body.
_READS = frozenset({"GET", "HEAD"})


@lru_cache(maxsize=1024)
def _parse(query: str) -> DocumentNode:
    return parse(query, max_tokens=MAX_TOKENS)


_ANALYSES: OrderedDict[tuple[str, str | None, int], Analysis] = OrderedDict()


def _analyse(
    query: str,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any],
    model: CostModel,
) -> Analysis:
    """`analyse`, remembered per query text and operation unless variables changed its figures."""
    key = (query, operation_name, id(model))
    known = _ANALYSES.get(key)
    if known is not None:
        _ANALYSES.move_to_end(key)
        return known
    analysis = analyse(document, operation_name, variables, model)
    if not analysis.reads_variables:
        _ANALYSES[key] = analysis
        if len(_ANALYSES) > 1024:
            _ANALYSES.popitem(last=False)
    return analysis


def _encode(body: dict[str, Any]) -> bytes:
    """The response body: orjson's bytes are the standard library's compact UTF-8 output for
    plain JSON, 20× faster on a certificate (67 µs against 3 µs, a tenth of a cached look-up)."""
    try:
        return orjson.dumps(body)
    except TypeError:
        # What orjson refuses: integers past 64 bits, lone surrogates (from `\ud800` escapes in a
        # request, echoed back). ASCII output escapes the surrogates instead of failing.
        return json.dumps(body, separators=(",", ":")).encode()


def _context(request: Request, principal: Principal, rate: Decision) -> Context:
    context = resolver_context(request)
    context.request = request
    context.rate_limit = RateLimitInfo(
        rate.limit,
        rate.cost,
        rate.used,
        rate.remaining,
        dt.datetime.fromtimestamp(rate.reset_at, dt.UTC),
    )
    context.loaders["principal"] = principal  # resolvers.auth reads it from here
    return context


class GraphQLEndpoint:
    def __init__(self, schema: Any, config: ApiConfig, allowances: Allowances) -> None:
        self.schema = schema
        self.executor = Executor(schema, introspection=config.introspection)
        # Read once from the schema: its types, the `@personal` markers (rate limit, no-store,
        # access log) and the `@cost` weights.
        self.cost_model = CostModel.of(schema._schema)
        self.config = config
        self.apq = APQCache()
        self.trusted = load_manifest(config.trusted_documents) if config.trusted_documents else {}
        # Shared with the pages (service/pages) and the printable certificate
        # (service/certificate_pdf.py): one allowance per client, whichever door.
        self.points = allowances.points
        self.personal = allowances.personal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            response = await self.handle(request)
        except ClientDisconnect:
            raise  # the client is gone: nothing to answer (service/middleware.py logs it)
        except Exception:
            # A failure of ours, not the client's: a GraphQL-shaped 500 with the request id, and
            # the traceback in the operator's log only.
            request_id = scope.get("state", {}).get("request_id")
            log.exception("internal error outside execution", extra={"request_id": request_id})
            problem = HttpProblem(
                500, INTERNAL, "Internal error; quote the request id when reporting it."
            )
            response = self._problem(request, problem, GRAPHQL_RESPONSE, None)
        await response(scope, receive, send)

    # --- request reading -------------------------------------------------------------------

    async def _params(self, request: Request) -> Params:
        if request.method in _READS:
            return from_query_string(request.query_params)
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != JSON:
            raise HttpProblem(
                415, "UNSUPPORTED_MEDIA_TYPE", "send the request as Content-Type: application/json"
            )
        raw = await read_body(request, self.config.max_body_bytes, self.config.body_timeout_s)
        return from_body(raw)

    def _resolve_query(self, request: Request, p: Params) -> str:
        client = request.headers.get("x-dte-client", "")
        if p.document_id is not None:
            query = self.trusted.get(p.document_id)
            if query is None:
                raise HttpProblem(
                    400,
                    "PERSISTED_QUERY_NOT_FOUND",
                    "unknown documentId: not in the trusted documents",
                )
            return query
        if client and client in self.config.trusted_only_clients:
            raise HttpProblem(
                400,
                "PERSISTED_QUERY_REQUIRED",
                f"client {client[:40]!r} may send only trusted documents (documentId)",
            )
        persisted = p.extensions.get("persistedQuery")
        if isinstance(persisted, dict):
            digest = persisted.get("sha256Hash")
            if persisted.get("version") != 1 or not is_sha256(digest):
                raise HttpProblem(
                    400, "BAD_REQUEST", "persistedQuery needs version 1 and a sha256Hash"
                )
            assert isinstance(digest, str)
            if p.query is None:
                found = self.apq.get(digest)
                if found is None:
                    raise HttpProblem(400, "PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")
                return found
            if sha256(p.query) != digest:
                raise HttpProblem(
                    400, "PERSISTED_QUERY_HASH_MISMATCH", "sha256Hash is not the hash of the query"
                )
            self.apq.put(digest, p.query)
        if p.query is None:
            raise HttpProblem(422, "BAD_REQUEST", "a `query` is required")
        if len(p.query) > MAX_QUERY_CHARS:
            raise HttpProblem(
                413, "QUERY_TOO_LARGE", f"a query is limited to {MAX_QUERY_CHARS} characters"
            )
        return p.query

    def _client_key(self, request: Request, principal: Principal) -> str:
        return client_key(request, principal.token_id, self.config.trust_forwarded_for)

    # --- the request -----------------------------------------------------------------------

    async def handle(self, request: Request) -> Response:
        media = negotiate(request.headers.get("accept"))
        if (
            request.method in _READS
            and "text/html" in request.headers.get("accept", "")
            and not request.query_params
        ):
            return graphiql_page(request)
        rate: Decision | None = None
        try:
            if media is None:
                raise HttpProblem(
                    406, "NOT_ACCEPTABLE", f"accept {GRAPHQL_RESPONSE} or {JSON} in the answer"
                )
            params = await self._params(request)
            query, document, analysis = self._prepare(request, params)
            state: Any = request.app.state
            principal = await self._principal(request, state)
            key = self._client_key(request, principal)
            rate = await self._spend(request, state, key, analysis)
            context = _context(request, principal, rate)
            outcome = await self._execute(query, document, params, context)
        except HttpProblem as problem:
            return self._problem(request, problem, media or JSON, problem.rate or rate)
        return self._result(request, outcome, media, rate, analysis.personal > 0, principal)

    def _prepare(self, request: Request, params: Params) -> tuple[str, DocumentNode, Analysis]:
        """The query text, its document and its analysis; a request error as HttpProblem."""
        query = self._resolve_query(request, params)
        try:
            prescan(query)
            document = _parse(query)
            analysis = _analyse(
                query, document, params.operation_name, params.variables, self.cost_model
            )
        except LimitExceeded as limit:
            raise HttpProblem(422, limit.code, limit.message, **limit.extensions) from None
        except GraphQLSyntaxError as error:
            raise HttpProblem(400, PARSE_FAILED, syntax_error_message(error)) from None
        if request.method in _READS and analysis.operation_type == "mutation":
            raise HttpProblem(
                405, "METHOD_NOT_ALLOWED", "mutations must be sent with POST", allow="POST"
            )
        return query, document, analysis

    async def _execute(
        self, query: str, document: DocumentNode, params: Params, context: Context
    ) -> Outcome:
        try:
            return await asyncio.wait_for(
                self.executor.execute(
                    query, document, params.variables, context, params.operation_name
                ),
                self.config.request_timeout_s,
            )
        except TimeoutError:
            raise HttpProblem(
                504,
                "TIMEOUT",
                f"the request took longer than {self.config.request_timeout_s} s",
            ) from None

    async def _spend(self, request: Request, state: Any, key: str, analysis: Analysis) -> Decision:
        """Charge the query's points (`Analysis.charge`), and each use of a `@personal` field
        (every alias, every fragment) to the personal allowance, in the count every process
        shares (`state.rate_windows`); THROTTLED (with the window that refused) when either is
        spent."""
        try:
            return await self._charge(request, state.rate_windows, key, analysis)
        except PyMongoError as error:
            # The shared count cannot be reached (the database stops, or is gone): refuse,
            # as the client may retry, rather than serve without a limit.
            raise HttpProblem(
                503, "UNAVAILABLE", "rate limits cannot be checked now; retry later"
            ) from error

    async def _charge(
        self, request: Request, windows: WindowCounter, key: str, analysis: Analysis
    ) -> Decision:
        rate = await self.points.spend(windows, key, max(1, analysis.charge))
        if not rate.allowed:
            raise HttpProblem(
                429,
                "THROTTLED",
                f"rate limit of {rate.limit} points per {self.config.rate_window_s} s exceeded",
                rate=rate,
            )
        if analysis.personal:
            # For the access log (a personal look-up happened, never what was looked up) and for
            # the middleware, which then sends no timing header.
            request.scope.setdefault("state", {})["personal"] = True
            personal = await self.personal.spend(windows, key, analysis.personal)
            if not personal.allowed:
                raise HttpProblem(
                    429,
                    "THROTTLED",
                    f"personal look-ups are limited to {personal.limit} per "
                    f"{self.config.rate_window_s} s, each use of a personal field counting "
                    f"(this request makes {analysis.personal})",
                    rate=personal,
                )
        return rate

    async def _principal(self, request: Request, state: Any) -> Principal:
        header = request.headers.get("authorization", "")
        if not header:
            return ANONYMOUS
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise HttpProblem(
                401, "UNAUTHENTICATED", "the Authorization header must be `Bearer <token>`"
            )
        try:
            return await tokens.authenticate(state.db, state.master_key, token.strip())
        except tokens.Unauthenticated as error:
            raise HttpProblem(401, "UNAUTHENTICATED", error.message) from None
        except RegistryError as error:
            raise HttpProblem(
                503, "UNAVAILABLE", "authentication is unavailable; retry later"
            ) from error

    # --- responses -------------------------------------------------------------------------

    def _headers(self, rate: Decision | None) -> dict[str, str]:
        if rate is None:
            return {}
        headers = {
            "x-ratelimit-limit": str(rate.limit),
            "x-ratelimit-remaining": str(rate.remaining),
            "x-ratelimit-used": str(rate.used),
            "x-ratelimit-reset": str(int(rate.reset_at)),
        }
        if not rate.allowed:
            headers["retry-after"] = str(rate.retry_after)
        return headers

    def _problem(
        self, request: Request, problem: HttpProblem, media: str, rate: Decision | None
    ) -> Response:
        """A request refused before execution: its status for every client, no `data`."""
        request_id = request.scope.get("state", {}).get("request_id")
        body = problem.errors(requestId=request_id)
        headers = {**self._headers(rate), "cache-control": "no-store"}
        if problem.allow is not None:
            headers["allow"] = problem.allow
        if problem.close:
            headers["connection"] = "close"
        return Response(
            json.dumps(body, ensure_ascii=False),
            problem.status,
            headers,
            # A 406 goes to a client that accepts neither GraphQL type: plain JSON is the best bet.
            media_type=f"{JSON if problem.status == 406 else _labelled(media, problem.status)}; "
            "charset=utf-8",
        )

    def _result(
        self,
        request: Request,
        outcome: Outcome,
        media: str,
        rate: Decision | None,
        personal: bool,
        principal: Principal,
    ) -> Response:
        result = outcome.result
        errors = [with_code(e) for e in result.errors or []]
        if not self.config.introspection:
            for error in errors:
                error["message"] = _SUGGESTION.sub("", error["message"])
        body: dict[str, Any] = {"data": result.data} if outcome.executed else {}
        if errors:
            body["errors"] = errors
        status = _status(outcome, errors)
        payload = _encode(body)
        headers = self._headers(rate)
        cacheable = (
            request.method in _READS and not errors and not personal and principal.role is None
        )
        if cacheable:
            etag = '"' + hashlib.sha256(payload).hexdigest()[:32] + '"'
            headers["etag"] = etag
            headers["cache-control"] = f"public, max-age={self.config.public_max_age_s}"
            headers["vary"] = "Accept, Authorization"
            if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
                return Response(status_code=304, headers=headers)
        else:
            headers["cache-control"] = "no-store" if personal or principal.role else "no-cache"
        media_type = f"{_labelled(media, status)}; charset=utf-8"
        return Response(payload, status, headers, media_type=media_type)


def _status(outcome: Outcome, errors: list[dict[str, Any]]) -> int:
    """GraphQL over HTTP: 200 data without errors, 294 data (even null) with errors; a request
    error (no data) 422, as for validation, an undeterminable operation or variable coercion."""
    if not outcome.executed:
        return 422
    return 294 if errors else 200


def _labelled(media: str, status: int) -> str:
    """The Content-Type of an answer: a legacy client's 2xx is `application/json`; everything
    else is declared a GraphQL response, so that a client can tell it from a proxy's error."""
    if media == JSON and 200 <= status < 300:
        return JSON
    return GRAPHQL_RESPONSE
