"""Error handling for the whole schema: every error gets a stable `extensions.code`, and any error
that is not a deliberate public one is masked and logged with the request id."""

from __future__ import annotations

import logging
from typing import Any

from graphql import GraphQLError
from graphql.error import GraphQLSyntaxError
from strawberry.extensions import MaskErrors

from registry.errors import RegistryError

log = logging.getLogger("registry.graphql")

INTERNAL = "INTERNAL_SERVER_ERROR"


def _is_public(error: GraphQLError) -> bool:
    original = error.original_error
    if original is None:
        return True  # parse and validation errors: about the query, safe to show
    if isinstance(original, GraphQLError):
        return True  # raised deliberately by a resolver (PublicError)
    return isinstance(original, RegistryError)


class ErrorMasking(MaskErrors):
    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda e: not _is_public(e))

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        return _anonymise(error, getattr(self.execution_context.context, "request_id", None))


def _anonymise(error: GraphQLError, request_id: str | None) -> GraphQLError:
    log.error(
        "internal error in %s",
        ".".join(str(p) for p in error.path or []) or "operation",
        exc_info=error.original_error,
        extra={"request_id": request_id},
    )
    return GraphQLError(
        message="Internal error; quote the request id when reporting it.",
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": INTERNAL, "requestId": request_id},
    )


def mask(errors: list[GraphQLError], request_id: str | None) -> list[GraphQLError]:
    """What `ErrorMasking` does to a result's errors, for callers that execute without it."""
    return [e if _is_public(e) else _anonymise(e, request_id) for e in errors]


def with_code(error: GraphQLError) -> dict[str, Any]:
    """The error as sent to the client, always with `extensions.code`.

    Applied to every error of a response (parse errors never reach schema extensions)."""
    formatted: dict[str, Any] = dict(error.formatted)
    extensions = dict(formatted.get("extensions") or {})
    if "code" not in extensions:
        original = error.original_error
        if isinstance(original, RegistryError):
            extensions["code"] = original.code
            if original.field:
                extensions["field"] = original.field
        elif isinstance(error, GraphQLSyntaxError) or error.message.startswith("Syntax Error"):
            extensions["code"] = "GRAPHQL_PARSE_FAILED"
        elif original is None:
            extensions["code"] = "GRAPHQL_VALIDATION_FAILED"
        else:
            extensions["code"] = INTERNAL
    formatted["extensions"] = extensions
    return formatted
