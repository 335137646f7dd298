"""Error handling for the whole schema: every error gets a stable `extensions.code`, and any error
that is not a deliberate public one is masked and logged with the request id."""

from __future__ import annotations

import logging

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


class ErrorCodes(MaskErrors):
    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda e: not _is_public(e))

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        ctx = self.execution_context.context
        request_id = getattr(ctx, "request_id", None)
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

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [self._with_code(e) for e in super()._process_errors(errors)]

    @staticmethod
    def _with_code(error: GraphQLError) -> GraphQLError:
        extensions = dict(error.extensions or {})
        if "code" in extensions:
            return error
        original = error.original_error
        if isinstance(original, RegistryError):
            extensions["code"] = original.code
            if original.field:
                extensions["field"] = original.field
            message = original.message
        elif isinstance(error, GraphQLSyntaxError):
            extensions["code"] = "GRAPHQL_PARSE_FAILED"
            message = error.message
        else:
            extensions["code"] = "GRAPHQL_VALIDATION_FAILED"
            message = error.message
        return GraphQLError(
            message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            extensions=extensions,
        )
