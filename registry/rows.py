"""Checking the rows of a batch (assessment results, trainees): problems named by row and field,
and the two columns every row has, the person's name and ID number."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from registry.identifiers import IdNumberError, normalise_id_number
from registry.problems import Problem

MAX_NAME = 50


def normalise_name(name: str) -> str:
    """NFKC, inner whitespace collapsed: how names are compared in look-ups."""
    return " ".join(unicodedata.normalize("NFKC", name or "").split())


@dataclass
class RowProblems:
    """The problems of one row: `results[16].idNumber`, "row 17: …"."""

    collection: str
    index: int
    problems: list[Problem] = field(default_factory=list)

    def add(self, field_name: str, code: str, message: str) -> None:
        self.problems.append(
            Problem(
                f"{self.collection}[{self.index}].{field_name}",
                code,
                f"row {self.index + 1}: {message}",
            )
        )


def check_person(row: RowProblems, name: str, id_number: str) -> tuple[str, str]:
    """The normalised name and ID number ("" where invalid, with the problem added)."""
    clean_name = normalise_name(name)
    if not clean_name:
        row.add("name", "REQUIRED", "the name is required")
    elif len(clean_name) > MAX_NAME or any(
        unicodedata.category(c).startswith("C") for c in clean_name
    ):
        row.add("name", "INVALID_NAME", f"the name must be 1-{MAX_NAME} printable characters")
    clean_id = ""
    try:
        clean_id = normalise_id_number(id_number)
    except IdNumberError as error:
        row.add("idNumber", error.code, error.message)  # messages never repeat the number
    return clean_name, clean_id
