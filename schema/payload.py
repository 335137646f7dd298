"""Mutation payloads, made one way: every mutation answers `payload(PayloadType, resolver call,
present)`.

A payload type declares its value field(s), `userErrors`, and `replayed` if its mutation is
idempotent by key; `payload` fills them from the resolver's generic `Outcome`, turning domain
errors into `userErrors` by the table in `schema/errors.py`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from functools import cache
from typing import Any, TypeVar, cast

import strawberry

from resolvers.api import Outcome
from schema.convert import converter, from_model
from schema.errors import user_problems

P = TypeVar("P")
T = TypeVar("T")

_FRAME = frozenset({"user_errors", "replayed"})


@strawberry.type(description="A problem with the input or the record's state; nothing was changed.")
class UserError:
    field: str | None = strawberry.field(
        description="Path of the input field, e.g. `scope[2].level`."
    )
    message: str = strawberry.field(description="What is wrong, for a person to read.")
    code: str = strawberry.field(
        description="Stable machine code of the problem (docs/api.md lists them)."
    )


def user_errors_field() -> Any:
    """The `userErrors` field every payload declares, with its one description."""
    return strawberry.field(
        description="The problems with the input or the record's state, each with its field and "
        "code; empty when the mutation succeeded (then nothing else needs checking)."
    )


@cache
def _value_fields(cls: Any) -> tuple[tuple[str, ...], bool]:
    names = [f.python_name for f in cls.__strawberry_definition__.fields]
    return tuple(n for n in names if n not in _FRAME), "replayed" in names


async def payload(
    cls: type[P], work: Awaitable[Outcome[T]], present: type | Callable[[T], Any] = lambda v: v
) -> P:
    """Await the resolver and answer its payload: the value presented (`present` is a GraphQL
    type, filled by `from_model`, or a function) in the value field (a mapping of field to value
    when the payload has several), `replayed` where the payload has it, and
    the problems as `userErrors`. An error the table does not show as user errors propagates
    as a top-level error."""
    try:
        outcome = await work
    except Exception as error:
        problems = user_problems(error)
        if problems is None:
            raise
        outcome = Outcome(problems=problems)
    names, replayed = _value_fields(cast(Hashable, cls))
    values: dict[str, Any] = dict.fromkeys(names)
    if outcome.value is not None and names:
        shown = converter(present)(outcome.value)
        values.update(shown if len(names) > 1 else {names[0]: shown})
    if replayed:
        values["replayed"] = outcome.replayed
    errors = [from_model(UserError, p) for p in outcome.problems]
    return cast(Callable[..., P], cls)(**values, user_errors=errors)
