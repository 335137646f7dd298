"""The parameters of a GraphQL-over-HTTP request, and whether the request is well formed.

GraphQL over HTTP (draft, "Request Parameters" and "Status Codes"): a body that is not JSON is
400; JSON that is not a well-formed request (not an object, `query` missing or not a string,
`operationName` not a string, `variables` or `extensions` not a map; `null` counts as absent)
is 422. JSON nested deeper than `MAX_JSON_DEPTH` is refused as 400 before anything walks it
(it would exhaust Python's recursion limit: a 500 and a traceback); so is JSON holding text that
is not valid Unicode (`service/client_text.py`), in the body and in a GET's parameters alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from service.client_text import may_hold_surrogate, unicode_json, unicode_text
from service.http_problem import HttpProblem

MAX_JSON_DEPTH = 64  # the deepest input of the schema is 4 levels; lists of them 6


@dataclass
class Params:
    query: str | None
    variables: dict[str, Any]
    operation_name: str | None
    extensions: dict[str, Any]
    document_id: str | None


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Whether `value` nests containers deeper than `limit` (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in children)
    return False


def loads(text: str | bytes, what: str, *, status: int) -> Any:
    """JSON text as a value; `status` (400 for a body, 422 for a parameter) when it is not JSON
    or nests too deeply; 400 when a string in it is not valid Unicode."""
    try:
        value = json.loads(text)
    except RecursionError:
        value = None
        deep = True
    except ValueError:
        raise HttpProblem(status, "BAD_REQUEST", f"{what} is not valid JSON") from None
    else:
        deep = _depth_exceeds(value, MAX_JSON_DEPTH)
    if deep:
        raise HttpProblem(
            status, "BAD_REQUEST", f"{what} nests deeper than {MAX_JSON_DEPTH} levels"
        )
    if may_hold_surrogate(text):  # else no string of it can hold one: no walk
        unicode_json(value, what)
    return value


def _map(value: Any, name: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise HttpProblem(422, "BAD_REQUEST", f"`{name}` must be a JSON object (a map)")
    return value


def _string(value: Any, name: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise HttpProblem(422, "BAD_REQUEST", f"`{name}` must be a string")
    return value


def from_query_string(params: Any) -> Params:
    """A GET request's parameters (the empty string is the same as absent)."""

    def text(name: str) -> str | None:
        value = params.get(name)
        return None if value is None else unicode_text(value, f"`{name}`")

    def json_map(name: str) -> dict[str, Any]:
        text = params.get(name)
        if not text:
            return {}
        return _map(loads(text, f"`{name}`", status=422), name)

    return Params(
        query=text("query"),
        variables=json_map("variables"),
        operation_name=text("operationName") or None,
        extensions=json_map("extensions"),
        document_id=text("documentId") or None,
    )


def from_body(raw: bytes) -> Params:
    """A POST request's JSON body as parameters."""
    body = loads(raw, "the body", status=400)
    if isinstance(body, list):
        raise HttpProblem(
            422, "BATCHING_NOT_SUPPORTED", "send one operation per request (batching is off)"
        )
    if not isinstance(body, dict):
        raise HttpProblem(422, "BAD_REQUEST", "the body must be a JSON object")
    return Params(
        query=_string(body.get("query"), "query"),
        variables=_map(body.get("variables"), "variables"),
        operation_name=_string(body.get("operationName"), "operationName") or None,
        extensions=_map(body.get("extensions"), "extensions"),
        document_id=_string(body.get("documentId"), "documentId"),
    )
