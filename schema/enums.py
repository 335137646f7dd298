"""GraphQL enums with a description on the type and on every value: the domain's enums wrapped
(`described`; strawberry's `enum()` takes no descriptions for the values of an enum it wraps),
and the schema's own (`with_values`, a class decorator)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum
from typing import TypeVar

import strawberry

E = TypeVar("E", bound=type[Enum])


def described(cls: E, name: str, description: str, values: Mapping[str, str]) -> E:
    """`cls` as the GraphQL enum `name`; `values` describes each value, every one of them (a
    value added to the enum without a description fails here, at import)."""
    strawberry.enum(cls, name=name, description=description)  # `cls`, with its definition
    definition = getattr(cls, "__strawberry_definition__")  # noqa: B009 — set by strawberry
    names = {v.name for v in definition.values}
    if names != set(values):
        raise ValueError(f"{name}: describe exactly {sorted(names)}, not {sorted(values)}")
    for value in definition.values:
        value.description = values[value.name]
    return cls


def with_values(description: str, values: Mapping[str, str]) -> Callable[[E], E]:
    """The class decorator for an enum declared in the schema: `described` under its own name."""

    def decorate(cls: E) -> E:
        described(cls, cls.__name__, description, values)
        return cls

    return decorate
