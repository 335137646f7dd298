"""The publicity (公示) of an audited institution: when it may start, how long the registry takes
objections, and why a listing waits for its end.

One window, counted once: 15 working days from the later of the announced start and the day the
registry records the publicity, so the registry takes objections on every day of a window that
holds 15 working days, even when the announcement was made elsewhere earlier. The window's days are the
calendar module's working days (`registry.calendar.workdays`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from registry.calendar import clock, workdays
from registry.institutions.model import PUBLICITY_WORKING_DAYS, Status
from registry.institutions.rules import Action
from registry.problems import Problem, Rejected, reject
from registry.storage.db import Document

MAX_ANNOUNCEMENT = 200


def audited_on(doc: Document) -> dt.date:
    """The China day of the record's last audit approval."""
    approvals = [h["at"] for h in doc.get("history", []) if h["action"] == Action.APPROVE_AUDIT]
    return clock.china_date(approvals[-1])


def decided_on(doc: Document) -> dt.date | None:
    """The day the steering group decided to include the record, as the office recorded it;
    None for a record that never had the step (publicized before it existed)."""
    steering = doc.get("steering")
    return dt.date.fromisoformat(steering["decided_on"]) if steering else None


def check_decision_day(doc: Document, day: dt.date, today: dt.date) -> None:
    """The steering group's decision `day` for the audited record `doc`: not before its audit
    approval (`BEFORE_AUDIT`), not after `today` (`DATE_IN_FUTURE`)."""
    audited = audited_on(doc)
    if day < audited:
        raise reject(
            "decidedOn",
            "BEFORE_AUDIT",
            f"the audit was approved on {audited.isoformat()}; the steering group's decision "
            f"cannot precede it (asked {day.isoformat()})",
        )
    if day > today:
        raise reject("decidedOn", "DATE_IN_FUTURE", "a decision cannot be recorded in advance")


def _start_problems(doc: Document, start: dt.date, recorded: dt.date) -> list[Problem]:
    audited = audited_on(doc)
    if start < audited:
        return [
            Problem(
                "startDate",
                "BEFORE_AUDIT",
                f"the audit was approved on {audited.isoformat()}; the publicity cannot start "
                f"before it (asked {start.isoformat()})",
            )
        ]
    decided = decided_on(doc)
    if decided is not None and start < decided:
        return [
            Problem(
                "startDate",
                "BEFORE_STEERING_DECISION",
                f"the steering group decided on {decided.isoformat()}; the publicity cannot "
                f"start before it (asked {start.isoformat()})",
            )
        ]
    if start > recorded:
        return [Problem("startDate", "DATE_IN_FUTURE", "the publicity cannot start in the future")]
    return []


def _reference_problems(start: dt.date, recorded: dt.date, text: str | None) -> list[Problem]:
    if start < recorded and not text:
        return [
            Problem(
                "announcementReference",
                "ANNOUNCEMENT_REQUIRED",
                f"a publicity that started before today ({recorded.isoformat()}) needs the "
                "reference of its announcement (where and when it was published)",
            )
        ]
    if text and len(text) > MAX_ANNOUNCEMENT:
        return [
            Problem(
                "announcementReference",
                "TOO_LONG",
                f"an announcement reference is limited to {MAX_ANNOUNCEMENT} characters",
            )
        ]
    return []


def checked_start(
    doc: Document, start: dt.date, recorded: dt.date, reference: str | None
) -> str | None:
    """The announcement's reference as stored, once `start` is allowed for the record `doc`:
    not before its audit approval (`BEFORE_AUDIT`) nor the steering group's decision
    (`BEFORE_STEERING_DECISION`), not after `recorded` (`DATE_IN_FUTURE`),
    and before `recorded` only with a reference (`ANNOUNCEMENT_REQUIRED`). Every problem at once."""
    text = reference.strip() if reference else None
    problems = _start_problems(doc, start, recorded) + _reference_problems(start, recorded, text)
    if problems:
        raise Rejected(problems)
    return text


def window(
    start: dt.date,
    recorded: dt.date,
    arrangements: Mapping[int, workdays.YearArrangement],
    reference: str | None,
) -> Document:
    """The publicity as stored: its announced start, the day the registry recorded it, and the
    last day (inclusive) of the 15 working days counted from the later of the two."""
    period = workdays.add_working_days(
        max(start, recorded), PUBLICITY_WORKING_DAYS, arrangements=arrangements
    )
    return {
        "start": start.isoformat(),
        "recorded": recorded.isoformat(),
        "end": period.end.isoformat(),
        "provisional": period.provisional,
        "announcement": reference,
    }


def running_filter(today: dt.date) -> Document:
    """`running` as a MongoDB filter: the records whose publicity takes objections on `today`."""
    return {"status": Status.PUBLICIZED.value, "publicity.end": {"$gte": today.isoformat()}}


def running(doc: Document, today: dt.date) -> Document:
    """The publicity taking objections on `today`: `NOT_IN_PUBLICITY` when the record is not in
    publicity, `PUBLICITY_ENDED` after its last day."""
    publicity: Document = doc.get("publicity") or {}
    if doc["status"] != Status.PUBLICIZED or not publicity.get("end"):
        raise reject(
            "uscc",
            "NOT_IN_PUBLICITY",
            f"objections are taken during the publicity only; the institution is {doc['status']}",
        )
    if today.isoformat() > publicity["end"]:
        raise reject(
            "uscc",
            "PUBLICITY_ENDED",
            f"the publicity ended on {publicity['end']}; objections were taken until that day",
        )
    return publicity


def check_over(doc: Document, today: dt.date) -> None:
    """`PUBLICITY_RUNNING`, `OBJECTIONS_OPEN` or `OBJECTION_UPHELD` unless it may be listed."""
    publicity = doc.get("publicity") or {}
    end = dt.date.fromisoformat(publicity["end"])
    if today <= end:
        raise reject(
            "status",
            "PUBLICITY_RUNNING",
            f"the publicity runs until {end.isoformat()} inclusive; list it after that",
        )
    objections = doc.get("objections", [])
    still_open = [o["id"] for o in objections if o.get("resolved_on") is None]
    if still_open:
        raise reject(
            "objections",
            "OBJECTIONS_OPEN",
            f"{len(still_open)} objection(s) must be resolved first: " + ", ".join(still_open),
        )
    if any(o.get("upheld") for o in objections if o.get("period") == publicity.get("start")):
        raise reject(
            "objections",
            "OBJECTION_UPHELD",
            "an objection was upheld during this publicity; return the application instead",
        )
