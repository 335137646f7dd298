"""The confirmed list as a results batch reads it: a batch that names its exam session carries
only the candidates the institution confirmed for it (notice 三(六)); every other row is refused
with the reason (not registered, refused at confirmation and why, or still undecided).

Called by the one row check of batches (`registry.certificates.validation.check_batch`); a batch
that names no session is checked as before."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from registry.access.personal import PersonalData
from registry.exams.model import REGISTRATION, SESSION, RegistrationStatus, SessionStatus
from registry.intake.rows import Adds, Problems
from registry.storage.db import Database, Document

NOT_CONFIRMED = "CANDIDATE_NOT_CONFIRMED"


@dataclass
class Roster:
    """One session's registrations by keyed hash of the ID number."""

    session: Document
    personal: PersonalData
    by_hash: dict[str, Document] = field(default_factory=dict)

    def check(
        self, checks: Adds, id_number: str, occupation: str, direction: str | None, level: int
    ) -> None:
        """Problems of one row against the session: its occupation, direction and level, and
        the candidate on the confirmed list."""
        s = self.session
        if (occupation, direction, level) != (s["occupation"], s["direction"], s["level"]):
            checks.add(
                "occupation",
                "SESSION_MISMATCH",
                f"the session is for occupation {s['occupation']}, direction "
                f"{s['direction'] or '-'}, level {s['level']}",
            )
        found = self.by_hash.get(self.personal.lookup_hash(id_number))
        if found is None:
            checks.add("idNumber", NOT_CONFIRMED, "the candidate is not registered for the session")
        elif found["status"] == RegistrationStatus.REFUSED:
            checks.add(
                "idNumber", NOT_CONFIRMED, f"the registration was refused: {found['refusal']}"
            )
        elif found["status"] == RegistrationStatus.CANCELLED:
            checks.add(
                "idNumber",
                NOT_CONFIRMED,
                f"the registration was cancelled: {found['cancellation']}",
            )
        elif found["status"] != RegistrationStatus.CONFIRMED:
            checks.add("idNumber", NOT_CONFIRMED, "the registration was never confirmed")


async def load(
    db: Database,
    checks: Problems,
    institution: str | None,
    session_id: str,
    exam_date: dt.date,
    personal: PersonalData,
) -> Roster | None:
    """The session's roster, or None with the batch's problem added (unknown or another
    institution's session alike, a list not confirmed, another exam date)."""
    session = await db[SESSION.collection].find_one({"_id": session_id.strip()})
    if session is None or session["institution"] != institution:
        checks.add("session", SESSION.not_found_code, "no exam session of yours has this id")
        return None
    if session["status"] != SessionStatus.LIST_CONFIRMED:
        checks.add(
            "session",
            "SESSION_LIST_NOT_CONFIRMED",
            "the session's registration list is not confirmed",
        )
        return None
    if session["exam_date"] != exam_date.isoformat():
        checks.add(
            "examDate",
            "SESSION_DATE_MISMATCH",
            f"the session's exam date is {session['exam_date']}",
        )
    cursor = db[REGISTRATION.collection].find(
        {"session": session["_id"]}, {"id_hash": 1, "status": 1, "refusal": 1, "cancellation": 1}
    )
    roster = Roster(session, personal)
    async for doc in cursor:
        # A person's registration that counts: the one not cancelled, if any (one at a time).
        held = roster.by_hash.get(doc["id_hash"])
        if held is None or held["status"] == RegistrationStatus.CANCELLED:
            roster.by_hash[doc["id_hash"]] = doc
    return roster
