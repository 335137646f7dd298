"""Input problems reported together: each names the field (a path such as `scope[2].level` or
`results[17].idNumber`), a stable code and what is wrong. The API returns them as `userErrors`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from registry.errors import RegistryError


@dataclass(frozen=True)
class Problem:
    field: str | None
    code: str
    message: str


class Rejected(RegistryError):
    """A request refused as a whole, with every problem found; nothing was stored."""

    code = "REJECTED"

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        first = self.problems[0] if self.problems else Problem(None, "REJECTED", "rejected")
        super().__init__(first.message, code=first.code, field=first.field)


def reject(field: str | None, code: str, message: str) -> Rejected:
    return Rejected([Problem(field, code, message)])
