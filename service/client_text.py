"""Text from a client is valid Unicode, or the request is refused where it is read: 400
`BAD_REQUEST`, never a failure deep inside (a lone surrogate cannot be hashed, encoded for the
database or written to a PDF: it was a 500, or `INTERNAL_SERVER_ERROR` from a resolver).

Where such text comes from: a JSON `\\ud800` escape, which Python's JSON reader turns into a
lone UTF-16 surrogate (and the bytes ED A0 80 too: it decodes bytes with `surrogatepass`);
bytes that are not UTF-8 in a form, a note, or a form's percent escapes. `unicode_text` is the
one rule; every reader of client text calls it: request JSON (`service/graphql_params.py`,
`/graphql` by POST and GET), forms (`form_fields`: the pages, `/certificate.pdf`), the
witness's note (`/log/cosignature`). A path or a query string never holds a surrogate:
Starlette replaces what is not UTF-8 in them with U+FFFD.
"""

from __future__ import annotations

import re
from typing import Any, Final
from urllib.parse import parse_qsl

from service.http_problem import HttpProblem

NOT_UNICODE: Final = (
    "holds text that is not valid Unicode (a lone surrogate such as \\ud800, or bytes that "
    "are not UTF-8)"
)


def unicode_text(text: str | bytes, what: str) -> str:
    """`text` as a str of valid Unicode: bytes decoded as UTF-8, a str checked for lone
    surrogates; else HttpProblem 400 `BAD_REQUEST` saying that `what` holds text that is not."""
    try:
        if isinstance(text, bytes):
            return text.decode("utf-8")  # strict: refuses encoded surrogates too
        if not text.isascii():
            text.encode("utf-8")  # a str holds only unpaired surrogates: each one fails here
        return text
    except UnicodeError:
        raise HttpProblem(400, "BAD_REQUEST", f"{what} {NOT_UNICODE}") from None


# What a JSON text must hold for a lone surrogate to come out of it: a `\\uD800`-`\\uDFFF`
# escape, or the UTF-8-style bytes of one (ED A0-BF), which the JSON reader lets through; or a
# NUL byte, which only UTF-16 and UTF-32 texts hold (the JSON reader detects them too), whose
# escapes this pattern cannot see.
_SURROGATE_SOURCE: Final = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]|\x00")


def may_hold_surrogate(json_text: str | bytes) -> bool:
    """Whether the JSON text `json_text` can decode to a string with a lone surrogate: when it
    cannot (nearly every request), its value need not be walked (`unicode_json`)."""
    raw = json_text if isinstance(json_text, bytes) else json_text.encode("utf-8", "surrogatepass")
    return _SURROGATE_SOURCE.search(raw) is not None


def unicode_json(value: Any, what: str) -> None:
    """Returns when every string in the JSON value `value`, its keys included, is valid
    Unicode; else HttpProblem as `unicode_text`. Iterative: any depth, no recursion."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            unicode_text(item, what)
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def form_fields(raw: bytes, what: str = "the form") -> dict[str, str]:
    """The fields of an `application/x-www-form-urlencoded` body (the last value of each),
    every name and value valid Unicode, percent escapes included; else HttpProblem as
    `unicode_text`."""
    # `surrogateescape` keeps an escaped byte that is not UTF-8 as a lone surrogate, which
    # the rule then refuses (the default would put U+FFFD in its place, silently).
    pairs = parse_qsl(unicode_text(raw, what), keep_blank_values=True, errors="surrogateescape")
    for name, value in pairs:
        unicode_text(name, what)
        unicode_text(value, what)
    return dict(pairs)
