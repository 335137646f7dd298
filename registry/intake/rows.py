"""Checking an uploaded batch (assessment results, training cohorts): problems named by row and
field, the text cells no spreadsheet may read as a formula, the two columns every row has (the
person's name and ID number), and the checks both kinds of batch share: idempotency key, the
institution's listing on the day, row count, occupation, direction, level, listed scope, numbers
and duplicate rows."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import unicodedata
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Protocol

from registry.catalogue import reference_data as catalogue
from registry.institutions.model import Institution, Kind, ListingPeriod
from registry.intake.identifiers import IdNumberError, normalise_id_number
from registry.intake.names import normalise_name
from registry.problems import ID_NUMBER_FIELD, Problem, id_number_out_of_place
from registry.storage.db import Database

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

MAX_NAME = 50
# What a spreadsheet takes for the start of a formula (OWASP "CSV injection"): a stored
# `=HYPERLINK(...)` would run in every export the registry or a reader makes of it.
FORMULA_STARTS = frozenset("=+-@\t\r")


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


def formula_like(text: str) -> bool:
    """Whether a spreadsheet could read `text` as a formula: it begins with `= + - @`, a tab or
    a carriage return, as given or once NFKC-normalised and stripped of leading spaces (how the
    registry stores it: a full-width `＝` or a leading space would become a plain `=`)."""
    stored = unicodedata.normalize("NFKC", text).lstrip()
    return text[:1] in FORMULA_STARTS or stored[:1] in FORMULA_STARTS


def neutralised(text: str) -> str:
    """`text` as a spreadsheet cell that is never run as a formula: prefixed with an apostrophe
    when `formula_like`, the rule the input side refuses with (OWASP "CSV injection")."""
    return "'" + text if formula_like(text) else text


def camel(name: str) -> str:
    """The API's name of an input field: `id_number` -> `idNumber`."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def text_cells(item: DataclassInstance) -> Iterator[tuple[str, str]]:
    """(API field name, value) of every text field of an input dataclass, read from its fields
    so that a column added later is covered without being listed anywhere."""
    for spec in dataclasses.fields(item):
        value = getattr(item, spec.name)
        if isinstance(value, str):
            yield camel(spec.name), value


# Metadata of an input field that is an identifier the registry never shows (an idempotency
# key, a session's id): not searched for an ID number, since a client's key may be a 19-digit
# snowflake id, and a retry with its key must replay, not be refused.
OPAQUE: Final = {"opaque": True}


def _opaque(item: DataclassInstance) -> set[str]:
    return {camel(spec.name) for spec in dataclasses.fields(item) if spec.metadata.get("opaque")}


def check_text_cells(checks: Adds, item: DataclassInstance) -> None:
    """Every text field of `item` is refused when a spreadsheet would take it for a formula
    (`FORMULA_TEXT`), and every one but the ID number's and the `OPAQUE` identifiers when it
    holds what may be an ID number (`ID_NUMBER_OUT_OF_PLACE`: a swapped column would publish it
    as a name, a direction, a reason). Never repeats the value: the cell may hold an ID number."""
    unsearched = {ID_NUMBER_FIELD, *_opaque(item)}
    for name, value in text_cells(item):
        if formula_like(value):
            checks.add(
                name,
                "FORMULA_TEXT",
                f"{name} begins with a character a spreadsheet reads as a formula "
                "(= + - @, a tab or a carriage return); remove it",
            )
        if name not in unsearched and (wrong := id_number_out_of_place(name, value)):
            checks.add(name, wrong.code, wrong.message)


def start_row(collection: str, index: int, item: DataclassInstance) -> RowProblems:
    """The problems of one uploaded row, starting with its text cells (`check_text_cells`): every
    row check begins here, so no kind of batch can skip the formula rule."""
    checks = RowProblems(collection, index)
    check_text_cells(checks, item)
    return checks


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
        row.add(ID_NUMBER_FIELD, error.code, error.message)  # messages never repeat the number
    return clean_name, clean_id


# --- The checks every uploaded batch shares (assessment results, training cohorts) ------------


class Adds(Protocol):
    """Where a check reports: a row (`RowProblems`) or the batch as a whole (`Problems`)."""

    def add(self, field_name: str, code: str, message: str) -> None: ...


@dataclass
class Problems:
    """The problems of the batch as a whole (its key, dates, institution, row count)."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, field_name: str | None, code: str, message: str) -> None:
        self.problems.append(Problem(field_name, code, message))


@dataclass(frozen=True)
class Listing:
    """How one kind of batch names its institution and date in problems."""

    kind: Kind
    not_kind: tuple[str, str]  # code and message when the institution is not of `kind`
    date_field: str
    not_listed_code: str


def check_key(checks: Problems, raw: str | None) -> str:
    """The idempotency key stripped (its problem added when it is not 8-100 characters)."""
    key = (raw or "").strip()
    if not 8 <= len(key) <= 100:
        checks.add(
            "idempotencyKey", "INVALID_IDEMPOTENCY_KEY", "idempotencyKey must have 8-100 characters"
        )
    return key


def check_listing(
    checks: Problems, institution: Institution | None, listing: Listing, day: dt.date
) -> ListingPeriod | None:
    """The institution's listing period on `day`, or None with the problem added."""
    if institution is None or institution.kind is not listing.kind:
        checks.add(None, *listing.not_kind)
        return None
    period = institution.listed_on(day)
    if period is None:
        checks.add(
            listing.date_field,
            listing.not_listed_code,
            f"the institution was not on the directory on {day.isoformat()}",
        )
    return period


def check_count(checks: Problems, name: str, count: int, limit: int, what: tuple[str, str]) -> bool:
    """Whether the row count is within `limit` (a problem added when it is 0 or over it).
    `what`: the batch and its rows, e.g. ("batch", "result")."""
    if count == 0:
        checks.add(name, "REQUIRED", f"a {what[0]} needs at least one {what[1]}")
    if count > limit:
        checks.add(name, "TOO_MANY", f"a {what[0]} is limited to {limit} {what[1]}s; split it")
        return False
    return True


class Occupations:
    """Occupations by the code a row gives, each looked up once per batch."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._found: dict[str, catalogue.Occupation | None] = {}

    async def get(self, raw: str | None) -> catalogue.Occupation | None:
        code = (raw or "").strip()
        if code not in self._found:
            valid = catalogue.OCCUPATION_CODE.match(code)
            self._found[code] = await catalogue.occupation(self._db, code) if valid else None
        return self._found[code]


def check_occupation(
    checks: Adds, occupation: catalogue.Occupation | None, raw: str | None, direction: str | None
) -> None:
    """The occupation exists and, when given, the direction is one of it."""
    if occupation is None:
        code = (raw or "").strip()
        checks.add(
            "occupation",
            "UNKNOWN_OCCUPATION",
            f"{code[:32]!r} is not an occupation of the programme",
        )
    elif direction is not None and direction not in {d.name for d in occupation.directions}:
        checks.add(
            "direction",
            "UNKNOWN_DIRECTION",
            f"{direction[:40]!r} is not a direction of {occupation.name}",
        )


def check_level(checks: Adds, level: object) -> bool:
    if level not in (1, 2, 3):
        checks.add("level", "INVALID_LEVEL", "level must be 1 初级, 2 中级 or 3 高级")
        return False
    return True


def in_scope(period: ListingPeriod, occupation: str, direction: str | None, level: int) -> bool:
    # A scope entry without a direction covers every direction of the occupation at that level.
    return any(
        s.occupation == occupation and s.level == level and s.direction in (None, direction)
        for s in period.scope
    )


def check_scope(
    checks: Adds,
    period: ListingPeriod | None,
    occupation: catalogue.Occupation | None,
    direction: str | None,
    level: int,
) -> None:
    """The occupation, direction and level are in the institution's listed scope (checked only
    when all of them are known and valid)."""
    if occupation is None or period is None or level not in (1, 2, 3):
        return
    if not in_scope(period, occupation.code, direction, level):
        checks.add(
            "occupation",
            "OUT_OF_SCOPE",
            f"{occupation.name} level {level}"
            + (f" ({direction})" if direction else "")
            + " is not in the institution's listed scope",
        )


def number(value: object) -> float | None:
    """A finite number (never a bool), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    result = float(value)
    return result if math.isfinite(result) else None


@dataclass
class Duplicates:
    """The first row of each key seen; a later row with the same key gets `code`."""

    code: str
    what: str
    seen: dict[Hashable, int] = field(default_factory=dict)

    def check(self, checks: RowProblems, key: Hashable) -> None:
        row = checks.index + 1
        if key in self.seen:
            checks.add("idNumber", self.code, f"{self.what} is already in row {self.seen[key]}")
        else:
            self.seen[key] = row


def duplicates_across(
    duplicates: Duplicates, collection: str, keys: Iterable[tuple[int, Hashable]]
) -> list[Problem]:
    """The repeated keys among rows each checked already (a batch's parts, checked by
    `start_row` and the rest as they came): `keys` gives each row's index in the whole batch and
    its key, in row order."""
    found: list[Problem] = []
    for index, key in keys:
        checks = RowProblems(collection, index)
        duplicates.check(checks, key)
        found += checks.problems
    return found
