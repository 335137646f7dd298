"""What every mutation resolver returns: one generic outcome."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from registry.problems import Problem

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """The value a mutation produced (None when it was refused), whether it answers an earlier
    identical request (`replayed`), and the problems that refused it.

    Resolvers fill `value` and `replayed`; `problems` is filled where domain errors are turned into
    user errors (`schema/errors.py`), so no resolver catches them itself."""

    value: T | None = None
    replayed: bool = False
    problems: tuple[Problem, ...] = ()
