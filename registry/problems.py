"""Input problems reported together: each names the field (a path such as `scope[2].level` or
`results[17].idNumber`), a stable code and what is wrong. The API returns them as `userErrors`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from credentials import holds_id_number, withhold_id_numbers
from registry.errors import RegistryError


@dataclass(frozen=True)
class Problem:
    field: str | None
    code: str
    message: str

    def __post_init__(self) -> None:
        # A message may name the value it refuses: never an ID number (registry/errors.py).
        object.__setattr__(self, "message", withhold_id_numbers(self.message))


class Rejected(RegistryError):
    """A request refused as a whole, with every problem found; nothing was stored."""

    code = "REJECTED"

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        first = self.problems[0] if self.problems else Problem(None, "REJECTED", "rejected")
        super().__init__(first.message, code=first.code, field=first.field)


def reject(field: str | None, code: str, message: str) -> Rejected:
    return Rejected([Problem(field, code, message)])


# The one field an ID number belongs in, wherever a person is entered.
ID_NUMBER_FIELD = "idNumber"


def id_number_out_of_place(field: str, text: str) -> Problem | None:
    """`ID_NUMBER_OUT_OF_PLACE` when `text`, entered in `field`, holds what may be an ID number:
    a name, a direction or a reason is kept and may be shown or published; a person's number
    must never be (a swapped column, a number typed into the wrong box)."""
    if not holds_id_number(text):
        return None
    return Problem(
        field,
        "ID_NUMBER_OUT_OF_PLACE",
        f"{field} holds what may be an ID number; an ID number belongs in {ID_NUMBER_FIELD} only",
    )
