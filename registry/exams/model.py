"""What the exam workflow stores: sessions an evaluation institution announces (ANNOUNCED →
LIST_CONFIRMED) and the candidates registered for them (REGISTERED → CONFIRMED | REFUSED at the
list's confirmation, or CANCELLED before it when the candidate withdraws), the actions on them
and where each record lives."""

from __future__ import annotations

from enum import StrEnum

from registry.access.auth import Role
from registry.storage.collections import Collection
from registry.storage.store import Kind
from registry.storage.transitions import TransitionTable, transition


class SessionStatus(StrEnum):
    ANNOUNCED = "ANNOUNCED"
    LIST_CONFIRMED = "LIST_CONFIRMED"


class RegistrationStatus(StrEnum):
    REGISTERED = "REGISTERED"
    CONFIRMED = "CONFIRMED"
    REFUSED = "REFUSED"
    CANCELLED = "CANCELLED"  # withdrawn before the list was confirmed; the place is freed


class ExamAction(StrEnum):
    """Every action on exam records; the values of the writes are their audit names."""

    ANNOUNCE = "announceSession"
    REGISTER = "registerCandidate"
    CONFIRM_LIST = "confirmList"
    CONFIRM = "confirmRegistration"
    REFUSE = "refuseRegistration"
    CANCEL = "cancelRegistration"
    VIEW = "viewSession"


EVALUATOR = frozenset({Role.EVALUATION_INSTITUTION})

SESSION_MOVES: TransitionTable[ExamAction, SessionStatus] = TransitionTable(
    "exam session",
    [
        transition(
            ExamAction.CONFIRM_LIST,
            [SessionStatus.ANNOUNCED],
            SessionStatus.LIST_CONFIRMED,
            EVALUATOR,
            "the institution confirms the registration list (报考名单), deciding every candidate",
        )
    ],
)

REGISTRATION_MOVES: TransitionTable[ExamAction, RegistrationStatus] = TransitionTable(
    "registration",
    [
        transition(
            ExamAction.CONFIRM,
            [RegistrationStatus.REGISTERED],
            RegistrationStatus.CONFIRMED,
            EVALUATOR,
            "the candidate meets the conditions and is on the confirmed list",
        ),
        transition(
            ExamAction.REFUSE,
            [RegistrationStatus.REGISTERED],
            RegistrationStatus.REFUSED,
            EVALUATOR,
            "the candidate does not meet the conditions; the reason is recorded",
            reason=True,
        ),
        transition(
            ExamAction.CANCEL,
            [RegistrationStatus.REGISTERED],
            RegistrationStatus.CANCELLED,
            EVALUATOR,
            "the candidate withdraws before the list is confirmed; the place is freed and the "
            "reason recorded",
            reason=True,
        ),
    ],
)

SESSION = Kind(
    collection=Collection.EXAM_SESSIONS,
    entity="exam_session",
    audit_prefix="exams",
    not_found_code="EXAM_SESSION_NOT_FOUND",
    id_field="session",
)
REGISTRATION = Kind(
    collection=Collection.EXAM_REGISTRATIONS,
    entity="exam_registration",
    audit_prefix="exams",
    not_found_code="REGISTRATION_NOT_FOUND",
    id_field="registration",
)
