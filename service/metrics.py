"""Prometheus metrics: request counts and latencies per route (route templates, not raw paths,
so a scanner cannot blow up the label set), and the look-up cache's counters.

Served to operators only, with `Authorization: Bearer <REGISTRY_METRICS_TOKEN>`: the look-up
cache grows only when a look-up names a number that exists, so its counters, seen before and after
a look-up, would tell the public what the look-up's answer does not (docs/api.md, "What a look-up
reveals"). Without the setting `/metrics` is off (404).
"""

from __future__ import annotations

import hmac

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import Response

REGISTRY = CollectorRegistry()
REQUESTS = Counter(
    "registry_http_requests",
    "HTTP requests served",
    ["method", "route", "status"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "registry_http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)


def observe(method: str, route: str, status: int, seconds: float) -> None:
    REQUESTS.labels(method, route, str(status)).inc()
    LATENCY.labels(method, route).observe(seconds)


def _cache_lines(request: Request) -> bytes:
    """The look-up cache's counters (kept by the cache itself, one per app)."""
    cache = getattr(request.app.state, "certificates", None)
    if cache is None:
        return b""
    s = cache.stats()
    rows = [
        ("registry_lookup_cache_live", "gauge", "1 while the change stream keeps it", int(s.live)),
        ("registry_lookup_cache_entries", "gauge", "certificates held", s.entries),
        ("registry_lookup_cache_hits_total", "counter", "look-ups answered from memory", s.hits),
        ("registry_lookup_cache_misses_total", "counter", "look-ups that read", s.misses),
        ("registry_lookup_cache_evictions_total", "counter", "numbers changed", s.evictions),
        ("registry_lookup_cache_resets_total", "counter", "times it was emptied", s.resets),
    ]
    return "".join(
        f"# HELP {name} {text}\n# TYPE {name} {kind}\n{name} {value}\n"
        for name, kind, text, value in rows
    ).encode()


class MetricsEndpoint:
    """`/metrics` for the bearer of `token`; 404 to anyone else and when `token` is None, so the
    route's existence says nothing either."""

    def __init__(self, token: str | None) -> None:
        self._expected = f"Bearer {token}".encode() if token else None

    def allows(self, request: Request) -> bool:
        given = request.headers.get("authorization", "").encode("latin-1", "replace")
        return self._expected is not None and hmac.compare_digest(given, self._expected)

    async def respond(self, request: Request) -> Response:
        if not self.allows(request):
            return Response(b"Not Found", 404, {"cache-control": "no-store"})
        return Response(
            generate_latest(REGISTRY) + _cache_lines(request),
            media_type=CONTENT_TYPE_LATEST,
            headers={"cache-control": "no-store"},
        )
