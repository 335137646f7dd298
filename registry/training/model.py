"""What the training workflow stores: cohorts (no states: a cohort is reported once), training
certificates (ISSUED → REVOKED) and continuing-education credits (ACTIVE → REVOKED, following
their certificate), the actions on them and where each record lives."""

from __future__ import annotations

from enum import StrEnum

from registry.access.auth import Role
from registry.storage.collections import Collection
from registry.storage.kind import Kind
from registry.storage.transitions import TransitionTable, transition


class TrainingCertificateStatus(StrEnum):
    ISSUED = "ISSUED"
    REVOKED = "REVOKED"


class CreditStatus(StrEnum):
    ACTIVE = "ACTIVE"
    REVOKED = "REVOKED"


class TrainingAction(StrEnum):
    """Every action on training records; the values of the writes are their audit names."""

    SUBMIT_COHORT = "submitCohort"
    REVOKE_CERTIFICATE = "revokeCertificate"
    REPORT_EMPLOYMENT = "reportEmploymentRate"
    VIEW_COHORT = "viewCohort"
    LIST_COHORTS = "listCohorts"
    # A continuing-education record by the ID number alone (without the holder's name).
    HOURS_BY_ID_NUMBER = "hoursByIdNumber"


CERTIFICATE_MOVES: TransitionTable[TrainingAction, TrainingCertificateStatus] = TransitionTable(
    "training certificate",
    [
        transition(
            TrainingAction.REVOKE_CERTIFICATE,
            [TrainingCertificateStatus.ISSUED],
            TrainingCertificateStatus.REVOKED,
            {Role.TRAINING_INSTITUTION, Role.OFFICE_ADMIN},
            "the issuing training institution, or the office for any, revokes with a reason",
            reason=True,
        )
    ],
)

COHORT = Kind(
    collection=Collection.TRAINING_COHORTS,
    entity="cohort",
    audit_prefix="training",
    not_found_code="COHORT_NOT_FOUND",
    id_field="cohortId",
)
TRAINING_CERTIFICATE = Kind(
    collection=Collection.TRAINING_CERTIFICATES,
    entity="training_certificate",
    audit_prefix="training",
    not_found_code="TRAINING_CERTIFICATE_NOT_FOUND",
    id_field="number",
    transition_field="number",
)
