"""Who may move an institution from which state to which: the one table the lifecycle, the
policy (`registry.institutions.policy`) and the docs (`docs/api.md`) all follow."""

from __future__ import annotations

from enum import StrEnum

from registry.access.auth import INSTITUTION_ROLES, Role
from registry.institutions.model import Status
from registry.storage.transitions import TransitionTable, transition

S = Status
OFFICE = frozenset({Role.OFFICE_ADMIN})
INSTITUTIONS = INSTITUTION_ROLES
# Whoever reviews an application at some step: they may return it, and read objections.
REVIEWERS = frozenset({Role.PROVINCIAL_REVIEWER, Role.CETTIC_REVIEWER, Role.OFFICE_ADMIN})
# Who recommends (notice 四(四)): a provincial department, an industry ministry's HR office, or
# the office for ministry-level bodies. Which one an application goes to is its route
# (`registry.institutions.policy.recommender_of`).
RECOMMENDERS = frozenset({Role.PROVINCIAL_REVIEWER, Role.MINISTRY_RECOMMENDER, Role.OFFICE_ADMIN})


class Action(StrEnum):
    """Everything a caller may ask of the directories; the values are the audit log's names."""

    # Moves of the table below
    RESUBMIT = "resubmit"
    RECOMMEND = "recommend"
    PASS_PRELIMINARY_REVIEW = "passPreliminaryReview"  # noqa: S105 (not a password)
    APPROVE_AUDIT = "approveAudit"
    RECORD_STEERING_DECISION = "recordSteeringDecision"
    START_PUBLICITY = "startPublicity"
    LIST = "list"
    RETURN_APPLICATION = "returnApplication"
    SUSPEND = "suspend"
    REINSTATE = "reinstate"
    REMOVE = "remove"
    EXPIRE = "expire"
    RENEW = "renew"
    # Other writes
    APPLY = "apply"
    LODGE_OBJECTION = "lodgeObjection"
    RESOLVE_OBJECTION = "resolveObjection"
    SUBMIT_REPORT = "submitReport"
    CHANGE_FEES = "changeFees"
    ROTATE_KEY = "rotateKey"
    COMPROMISE_KEY = "compromiseKey"
    SET_HOLIDAYS = "setHolidayArrangement"
    # Reads
    VIEW = "view"
    BROWSE = "browse"
    READ_OBJECTION_TEXT = "readObjectionText"
    VIEW_OVERDUE_REPORTS = "viewOverdueReports"


A = Action

TABLE: TransitionTable[Action, Status] = TransitionTable(
    "institution",
    [
        transition(
            A.RESUBMIT,
            {S.RETURNED},
            S.APPLIED,
            INSTITUTIONS,
            "the institution corrects a returned application",
        ),
        transition(
            A.RECOMMEND,
            {S.APPLIED},
            S.RECOMMENDED,
            RECOMMENDERS,
            "the application's recommender: the provincial HR department of its province, the "
            "HR office of its sector's ministry, or the office for ministry-level bodies",
        ),
        transition(
            A.PASS_PRELIMINARY_REVIEW,
            {S.RECOMMENDED},
            S.PRELIMINARY_PASSED,
            {Role.CETTIC_REVIEWER},
            "CETTIC's expert review passes it",
        ),
        transition(
            A.APPROVE_AUDIT,
            {S.PRELIMINARY_PASSED},
            S.AUDITED,
            OFFICE,
            "the office audits the preliminary result",
        ),
        transition(
            A.RECORD_STEERING_DECISION,
            {S.AUDITED},
            S.STEERING_CONFIRMED,
            OFFICE,
            "the office records the steering group's decision to include it (报工程指导协调小组确定)",
        ),
        transition(
            A.START_PUBLICITY,
            {S.STEERING_CONFIRMED},
            S.PUBLICIZED,
            OFFICE,
            "publicity of 15 working days begins",
        ),
        transition(
            A.LIST,
            {S.PUBLICIZED},
            S.LISTED,
            OFFICE,
            "after the publicity, with every objection resolved, listed for 3 years",
        ),
        transition(
            A.RETURN_APPLICATION,
            {
                S.APPLIED,
                S.RECOMMENDED,
                S.PRELIMINARY_PASSED,
                S.AUDITED,
                S.STEERING_CONFIRMED,
                S.PUBLICIZED,
            },
            S.RETURNED,
            REVIEWERS | RECOMMENDERS,
            "the reviewer of the current step returns it",
            reason=True,
        ),
        transition(
            A.SUSPEND,
            {S.LISTED},
            S.SUSPENDED,
            {Role.OFFICE_ADMIN, Role.PROVINCIAL_REVIEWER},
            "supervision suspends a listed institution",
            reason=True,
        ),
        transition(
            A.REINSTATE,
            {S.SUSPENDED},
            S.LISTED,
            OFFICE,
            "the office lifts a suspension within the validity period",
            reason=True,
        ),
        transition(
            A.REMOVE,
            {S.LISTED, S.SUSPENDED},
            S.REMOVED,
            OFFICE,
            "removal for a violation of section 六(三)",
            reason=True,
        ),
        transition(
            A.EXPIRE, {S.LISTED}, S.EXPIRED, OFFICE, "records the end of the 3-year validity"
        ),
        transition(
            A.RENEW,
            {S.LISTED, S.EXPIRED},
            S.APPLIED,
            INSTITUTIONS,
            "the institution applies again for a new period",
        ),
    ],
)

# Which reviewer owns the step an application is at; only that reviewer (or the office) may
# return it from there. At APPLIED it is the application's recommender, whoever that is
# (`registry.institutions.policy.recommender_of`).
STEP_OWNER: dict[Status, Role] = {
    S.RECOMMENDED: Role.CETTIC_REVIEWER,
    S.PRELIMINARY_PASSED: Role.OFFICE_ADMIN,
    S.AUDITED: Role.OFFICE_ADMIN,
    S.STEERING_CONFIRMED: Role.OFFICE_ADMIN,
    S.PUBLICIZED: Role.OFFICE_ADMIN,
}
