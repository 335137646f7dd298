"""Content coding of the registry's static files (GraphiQL, the verifier page, the pages' style
sheet, the schema, the JSON files of offline verification): gzip for a client that accepts it.

Chosen here, in the one function every static route answers through
(`service.public_routes.cached_response`), rather than with Starlette's `GZipMiddleware`:

- each body is compressed once (level 9) and kept by its ETag, not again on every request as the
  middleware would (GraphiQL's script is megabytes; two cores are shared);
- only these public, cacheable files are compressed: the middleware would also compress
  personal look-up answers, where compression beside attacker-chosen text is a length oracle
  (BREACH);
- the ETag stays the SHA-256 of the plain bytes, so a conditional GET answers 304 whatever coding
  the cached copy has (`Vary: Accept-Encoding` keeps the two apart in caches; no Range requests
  are served, so a tag shared by the two codings cannot mix their bytes).

Brotli would be smaller still, but no maintained brotli library is in the environment; gzip only.
"""

from __future__ import annotations

import gzip
from collections import OrderedDict
from typing import Final

__all__ = ["MIN_SIZE", "accepts_gzip", "encode"]

MIN_SIZE: Final = 1024  # below this the gzip header and the CPU are not worth it
_KEPT: Final = 64  # compressed bodies kept (by ETag), the oldest dropped first
_kept: OrderedDict[str, bytes] = OrderedDict()


def _quality(parameters: list[str]) -> float:
    """The `q` weight of one Accept-Encoding element (1 when absent, 0 when unreadable)."""
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                weight = float(value.strip())
            except ValueError:
                return 0.0
            return weight if 0.0 <= weight <= 1.0 else 0.0
    return 1.0


def accepts_gzip(header: str) -> bool:
    """Whether an `Accept-Encoding` value (RFC 9110 §12.5.3) accepts gzip: named (or as
    `x-gzip`) with a non-zero weight, or not named and `*` with a non-zero weight."""
    named: float | None = None
    star: float | None = None
    for element in header.split(","):
        coding, *parameters = element.split(";")
        coding = coding.strip().lower()
        if coding in ("gzip", "x-gzip"):
            named = max(named or 0.0, _quality(parameters))
        elif coding == "*":
            star = _quality(parameters)
    if named is not None:
        return named > 0
    return star is not None and star > 0


def encode(body: bytes, etag: str, accept_encoding: str) -> tuple[bytes, dict[str, str]]:
    """The body to send and the headers its coding adds: gzip (compressed once per ETag) when
    the client accepts it and the body is large enough, else the plain body. Both carry
    `Vary: Accept-Encoding`."""
    headers = {"Vary": "Accept-Encoding"}
    if len(body) < MIN_SIZE or not accepts_gzip(accept_encoding):
        return body, headers
    compressed = _kept.get(etag)
    if compressed is None:
        # mtime 0: the same body always compresses to the same bytes.
        compressed = gzip.compress(body, 9, mtime=0)
        _kept[etag] = compressed
        while len(_kept) > _KEPT:
            _kept.popitem(last=False)
    else:
        _kept.move_to_end(etag)
    if len(compressed) >= len(body):
        return body, headers
    return compressed, {**headers, "Content-Encoding": "gzip"}
