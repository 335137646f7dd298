"""The office's catalogue input, checked whole: every problem at once, each with its field path and
a stable code (`docs/catalogue.md` lists them). Codes follow `docs/identifiers.md`: an occupation
code is `d-dd-dd-dd` in the 2015 or 2022 edition of the 职业分类大典."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from registry.catalogue import reference_data as catalogue
from registry.catalogue.model import Completeness
from registry.problems import Problem

MAX_NAME = 60
MAX_TITLE = 120
MAX_CONDITIONS = 2000
MAX_HOURS = 2000
MAX_DIRECTIONS = 50


# A code given by the office is stated as the catalogue stores one: edition, code, confirmed.
CodeInput = catalogue.OccupationCode


@dataclass(frozen=True)
class OccupationInput:
    """An occupation to add (everything but the directions required) or the fields of one to
    change (None: unchanged). `directions` replaces the list, in order."""

    name: str | None = None
    field: str | None = None
    codes: tuple[CodeInput, ...] | None = None
    directions: tuple[str, ...] | None = None
    directions_state: Completeness | None = None
    directions_expected: int | None = None


@dataclass(frozen=True)
class LevelInput:
    """One level of a standard: None where the official text is not yet entered."""

    level: int
    training_hours: int | None = None
    conditions: str | None = None


@dataclass(frozen=True)
class StandardInput:
    """A standard to add (title and occupations required) or the fields of one to change (None:
    unchanged); each level given replaces that level."""

    title: str | None = None
    occupations: tuple[str, ...] | None = None
    issued_by: str | None = None
    issued_on: dt.date | None = None
    confirmed: bool | None = None
    levels: tuple[LevelInput, ...] | None = None


def text(problems: list[Problem], where: str, value: str, limit: int) -> str:
    """`value` stripped; a problem when it is empty or longer than `limit`."""
    cleaned = value.strip()
    if not cleaned or len(cleaned) > limit:
        problems.append(
            Problem(where, "INVALID_TEXT", f"must be 1 to {limit} characters, got {len(cleaned)}")
        )
    return cleaned


def codes(problems: list[Problem], given: tuple[CodeInput, ...]) -> list[dict[str, object]]:
    """The codes as stored, one per edition, each well formed."""
    out: list[dict[str, object]] = []
    seen: set[str] = set()
    if not given:
        problems.append(Problem("codes", "CODES_REQUIRED", "give the code of at least one edition"))
    for i, c in enumerate(given):
        code = catalogue.normalise_occupation_code(c.code)
        if c.edition not in catalogue.EDITIONS:
            problems.append(
                Problem(f"codes[{i}].edition", "INVALID_EDITION", "the edition is 2015 or 2022")
            )
        elif c.edition in seen:
            problems.append(
                Problem(f"codes[{i}].edition", "DUPLICATE_EDITION", "one code per edition")
            )
        if not catalogue.OCCUPATION_CODE.match(code):
            problems.append(
                Problem(
                    f"codes[{i}].code",
                    "INVALID_OCCUPATION_CODE",
                    f"an occupation code looks like 2-02-38-01, got {code[:32]!r}",
                )
            )
        seen.add(c.edition)
        out.append({"edition": c.edition, "code": code, "confirmed": c.confirmed})
    return out


def directions(
    problems: list[Problem],
    names: tuple[str, ...],
    state: Completeness,
    expected: int | None,
) -> list[dict[str, object]]:
    """The directions as stored, consistent with the state the office gives them."""
    cleaned = [text(problems, f"directions[{i}]", n, MAX_NAME) for i, n in enumerate(names)]
    if len(set(cleaned)) != len(cleaned):
        problems.append(Problem("directions", "DUPLICATE_DIRECTION", "a direction is named twice"))
    if len(cleaned) > MAX_DIRECTIONS:
        problems.append(Problem("directions", "TOO_MANY_DIRECTIONS", f"at most {MAX_DIRECTIONS}"))
    if expected is not None and not 1 <= expected <= MAX_DIRECTIONS:
        problems.append(
            Problem("directionsExpected", "INVALID_COUNT", f"1 to {MAX_DIRECTIONS}, or none")
        )
    if not _consistent(len(cleaned), state, expected):
        problems.append(
            Problem(
                "directionsState",
                "DIRECTIONS_STATE_MISMATCH",
                f"{state.value} does not fit {len(cleaned)} direction(s)"
                + (f" of {expected}" if expected is not None else ""),
            )
        )
    return [{"name": n, "placeholder": False} for n in cleaned]


def _consistent(count: int, state: Completeness, expected: int | None) -> bool:
    # UNKNOWN: nothing entered; INCOMPLETE: some, fewer than known; COMPLETE: all there are
    # (none for a standard without directions).
    if state is Completeness.UNKNOWN:
        return count == 0
    if state is Completeness.INCOMPLETE:
        return count > 0 and (expected is None or count < expected)
    return expected is None or count == expected


def levels(problems: list[Problem], given: tuple[LevelInput, ...]) -> list[dict[str, object]]:
    """The levels given, as stored, each checked."""
    out: list[dict[str, object]] = []
    seen: set[int] = set()
    for i, lv in enumerate(given):
        if lv.level not in catalogue.LEVEL_CODES or lv.level in seen:
            problems.append(
                Problem(f"levels[{i}].level", "INVALID_LEVEL", "each of levels 1-3 at most once")
            )
        seen.add(lv.level)
        if lv.training_hours is not None and not 1 <= lv.training_hours <= MAX_HOURS:
            problems.append(
                Problem(f"levels[{i}].trainingHours", "INVALID_HOURS", f"1 to {MAX_HOURS}")
            )
        conditions = lv.conditions
        if conditions is not None:
            conditions = text(problems, f"levels[{i}].conditions", conditions, MAX_CONDITIONS)
        out.append(
            {"level": lv.level, "training_hours": lv.training_hours, "conditions": conditions}
        )
    return out


def issued_on(problems: list[Problem], day: dt.date | None, today: dt.date) -> str | None:
    if day is not None and day > today:
        problems.append(Problem("issuedOn", "DATE_IN_FUTURE", "a standard is issued by now"))
    return day.isoformat() if day is not None else None
