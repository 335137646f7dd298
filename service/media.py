"""Which media type a GraphQL response is sent as, from the request's `Accept` header
(GraphQL over HTTP, "Body" and "Status Codes"; RFC 9110 content negotiation)."""

from __future__ import annotations

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
_SPECIFIC = {GRAPHQL_RESPONSE: 2, JSON: 1}  # on a tie of q, the GraphQL media type wins
_WILDCARDS = ("*/*", "application/*")


def _q(parameters: list[str]) -> float:
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                return max(0.0, min(1.0, float(value.strip())))
            except ValueError:
                return 0.0
    return 1.0


def negotiate(accept: str | None) -> str | None:
    """The media type to answer in, or None when `accept` allows neither (406).

    No header: `application/json` (a legacy client). A type named explicitly beats a wildcard;
    a wildcard alone (`*/*`) gets `application/json`, the type every client reads."""
    if accept is None or not accept.strip():
        return JSON
    best: tuple[float, int, str] | None = None
    for item in accept.split(","):
        media, *parameters = item.split(";")
        media = media.strip().lower()
        q = _q(parameters)
        if q <= 0:
            continue
        if media in _SPECIFIC:
            candidate = (q, _SPECIFIC[media], media)
        elif media in _WILDCARDS:
            candidate = (q, 0, JSON)
        else:
            continue
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return best[2] if best else None
