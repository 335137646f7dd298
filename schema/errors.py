"""The one place where errors become what a client sees.

`SHOWN` is the table (after httpx's `_exceptions.py` and `map_exceptions`): for each kind of domain
error, whether a mutation reports it as `userErrors` in its payload (nothing was changed) and which
argument a top-level error is about. Resolvers raise domain errors and never catch them to
translate; `user_problems` (for mutation payloads, `schema/payload.py`) and `present` (for
top-level errors, on every result) read this table and nothing else does.

Errors not in the table are internal: masked, and logged with the request id. Errors of the
request itself (parse, validation, no operation to run, variable coercion: those raised before
execution) are the client's, each with its code and the request id (`request_error`,
`validation_error`, `syntax_error_message`), and none repeats a value the client sent.

A domain message may name the value it refuses ("'X' is not an occupation"), which helps with a
code; but a client that typed an ID number into the wrong field must not get it back. Domain
errors and problems withhold it where they are made (`registry/errors.py`); `present` withholds it
from every other message leaving here too (GraphQL's own errors, raised on purpose), with the same
rule (`credentials.withhold_id_numbers`).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError, VariableDefinitionNode, print_ast
from graphql.error import GraphQLSyntaxError
from strawberry.extensions import MaskErrors

from resolvers import api

log = logging.getLogger("registry.graphql")

INTERNAL = "INTERNAL_SERVER_ERROR"
BAD_USER_INPUT = "BAD_USER_INPUT"  # a variable the schema cannot coerce (wrong type, range, enum)
PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
# No operation, or none by the name given, or several and no name: GetOperation() failed.
OPERATION_UNDETERMINED = "OPERATION_RESOLUTION_FAILURE"
# A token's text at the end of a syntax error ("Expected Name, found Int '110101…'.").
_TOKEN_TEXT = re.compile(r"\b(Int|Float|String|BlockString) '.*'(\.?)$", re.DOTALL)


@dataclass(frozen=True)
class Shown:
    """How one kind of domain error is shown."""

    user_error: bool = False  # in a mutation: `userErrors` in the payload, not a top-level error
    argument: str | None = None  # top-level: the argument it is about (when the error can't say)
    field_is_argument: bool = False  # top-level: the error's `field` names the argument


# Looked up along the error's class hierarchy: the most specific entry wins.
SHOWN: dict[type[BaseException], Shown] = {
    api.ArgumentError: Shown(),  # names its own argument
    api.Rejected: Shown(user_error=True, field_is_argument=True),
    api.CertificateNumberError: Shown(user_error=True, argument="number"),
    api.IdNumberError: Shown(argument="idNumber"),  # its message never repeats the number
    api.InvalidInput: Shown(user_error=True),
    api.Forbidden: Shown(),
    api.NotFound: Shown(),
    api.Unauthenticated: Shown(),
    api.RegistryError: Shown(),
}


def shown(error: BaseException | None) -> Shown | None:
    """The table's entry for this error; None for an internal error."""
    for kind in type(error).__mro__:
        found = SHOWN.get(kind)
        if found is not None:
            return found
    return None


def user_problems(error: BaseException) -> tuple[api.Problem, ...] | None:
    """The `userErrors` a mutation answers for `error`; None when it is a top-level error."""
    how = shown(error)
    if how is None or not how.user_error:
        return None
    if isinstance(error, api.Rejected):
        return error.problems
    field = getattr(error, "field", None) or how.argument
    return (api.Problem(field, _code(error), _message(error)),)


def _code(error: BaseException) -> str:
    return str(getattr(error, "code", INTERNAL))


def _message(error: BaseException) -> str:
    return str(getattr(error, "message", error))


def _extensions(error: BaseException, how: Shown) -> dict[str, Any]:
    extensions: dict[str, Any] = {"code": _code(error)}
    field = getattr(error, "field", None)
    if isinstance(error, api.ArgumentError):
        if error.argument:
            extensions["argument"] = error.argument
        extensions.update(error.details)
    elif how.argument:
        extensions["argument"] = how.argument
    elif how.field_is_argument and field:
        extensions["argument"] = field
    elif field:
        extensions["field"] = field
    return extensions


def present(error: GraphQLError, request_id: str | None) -> GraphQLError:
    """The error as the client may see it: a domain error by the table, a request error as it is,
    anything else masked (and logged); whatever may be an ID number withheld from its message."""
    shown_error = _present(error, request_id)
    withheld = api.withhold_id_numbers(shown_error.message)
    if withheld == shown_error.message:
        return shown_error
    return _rebuilt(shown_error, withheld, dict(shown_error.extensions or {}))


def _present(error: GraphQLError, request_id: str | None) -> GraphQLError:
    original = error.original_error
    if original is None or (error.extensions or {}).get("code"):
        return error  # parse and validation errors, or already presented
    if not error.path:
        # Only the request's variables fail before a field runs: a value the schema cannot
        # coerce (wrong type, out of range, unknown enum value) is the client's, not our failure.
        return request_error(error, request_id)
    how = shown(original)
    if how is not None:
        return _rebuilt(error, _message(original), _extensions(original, how))
    if isinstance(original, GraphQLError):
        return error  # a GraphQL error raised on purpose: its message is meant for the client
    return _anonymise(error, request_id)


def request_error(error: GraphQLError, request_id: str | None) -> GraphQLError:
    """An error raised before execution (GetOperation, CoerceVariableValues) as the client sees
    it: a variable's is `BAD_USER_INPUT` without its value, the operation's
    `OPERATION_RESOLUTION_FAILURE`; both carry the request id."""
    node = error.nodes[0] if error.nodes else None
    if isinstance(node, VariableDefinitionNode) or error.original_error is not None:
        code, message = BAD_USER_INPUT, _coercion_message(error)
    else:
        code, message = OPERATION_UNDETERMINED, error.message
    return _rebuilt(error, message, {"code": code, "requestId": request_id})


def validation_error(error: GraphQLError, request_id: str | None) -> GraphQLError:
    """A validation error with its code and the request id (its message never quotes a value:
    `schema/quiet_values.py`)."""
    return _rebuilt(error, error.message, {"code": VALIDATION_FAILED, "requestId": request_id})


def syntax_error_message(error: GraphQLSyntaxError) -> str:
    """The parser's message without the text of the token it refused (it may be an ID number)."""
    return _TOKEN_TEXT.sub(r"\1\2", error.message)


def _coercion_message(error: GraphQLError) -> str:
    """Which variable and which type, without the value: it may be an ID number."""
    node = error.nodes[0] if error.nodes else None
    if isinstance(node, VariableDefinitionNode):
        return (
            f"Variable '${node.variable.name.value}' does not hold a valid {print_ast(node.type)}"
        )
    return "a variable does not hold a valid value of its type"


def _rebuilt(error: GraphQLError, message: str, extensions: dict[str, Any]) -> GraphQLError:
    return GraphQLError(
        message=message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=extensions,
    )


def _anonymise(error: GraphQLError, request_id: str | None) -> GraphQLError:
    log.error(
        "internal error in %s",
        ".".join(str(p) for p in error.path or []) or "operation",
        exc_info=error.original_error,
        extra={"request_id": request_id},
    )
    return _rebuilt(
        error,
        "Internal error; quote the request id when reporting it.",
        {"code": INTERNAL, "requestId": request_id},
    )


def mask(errors: list[GraphQLError], request_id: str | None) -> list[GraphQLError]:
    """Every error of a result as the client may see it (see `present`)."""
    return [present(e, request_id) for e in errors]


class ErrorMasking(MaskErrors):
    """`present` for strawberry's own `Schema.execute` (the HTTP endpoint calls `mask`)."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda e: True)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        return present(error, getattr(self.execution_context.context, "request_id", None))


def with_code(error: GraphQLError) -> dict[str, Any]:
    """The error as sent to the client, always with `extensions.code`.

    Applied to every error of a response (parse errors never reach schema extensions)."""
    formatted: dict[str, Any] = dict(error.formatted)
    extensions = dict(formatted.get("extensions") or {})
    if "code" not in extensions:
        if isinstance(error, GraphQLSyntaxError) or error.message.startswith("Syntax Error"):
            extensions["code"] = PARSE_FAILED
        elif error.original_error is None or not error.path:
            # Validation, including a literal a custom scalar refuses (it carries the scalar's
            # exception): about the query, not an internal failure.
            extensions["code"] = VALIDATION_FAILED
        else:
            extensions["code"] = INTERNAL
    formatted["extensions"] = extensions
    return formatted
