"""What the assessment workflow stores and which moves it allows: the states of a batch and of a
certificate, their actions, the two transition tables and where each record lives.

A batch: SUBMITTED → PROVINCE_APPROVED (provincial HR department of the institution's province)
→ CETTIC_CHECKED → PUBLISHED (office), or RETURNED with reasons by the reviewer of the current
step, then corrected and resubmitted by the institution. Results waiting for review (with the
certificate number and holder binding allocated at submission) stay on the batch's `results`
rows; `certificates` holds only published (and later revoked) certificates.
"""

from __future__ import annotations

from enum import StrEnum

from registry.access.auth import Role
from registry.storage.collections import Collection
from registry.storage.store import Kind
from registry.storage.transitions import TransitionTable, transition


class BatchStatus(StrEnum):
    SUBMITTED = "SUBMITTED"
    PROVINCE_APPROVED = "PROVINCE_APPROVED"
    CETTIC_CHECKED = "CETTIC_CHECKED"
    PUBLISHED = "PUBLISHED"
    RETURNED = "RETURNED"


class BatchAction(StrEnum):
    """Every action on batches; the moves' values are their audit and history names."""

    SUBMIT = "submit"
    RESUBMIT = "resubmit"
    APPROVE_PROVINCE = "approveProvince"
    CHECK_CETTIC = "checkCettic"
    RETURN = "return"
    PUBLISH = "publish"
    VIEW = "viewBatch"
    LIST = "listBatches"


class CertificateStatus(StrEnum):
    PUBLISHED = "PUBLISHED"
    REVOKED = "REVOKED"


class CertificateAction(StrEnum):
    REVOKE = "revoke"


REVIEWERS = frozenset({Role.PROVINCIAL_REVIEWER, Role.CETTIC_REVIEWER, Role.OFFICE_ADMIN})

BATCH_MOVES: TransitionTable[BatchAction, BatchStatus] = TransitionTable(
    "batch",
    [
        # No source: a submission creates the batch (through idempotent creation).
        transition(
            BatchAction.SUBMIT,
            [],
            BatchStatus.SUBMITTED,
            {Role.EVALUATION_INSTITUTION},
            "the institution submits the results of one exam",
        ),
        transition(
            BatchAction.APPROVE_PROVINCE,
            [BatchStatus.SUBMITTED],
            BatchStatus.PROVINCE_APPROVED,
            {Role.PROVINCIAL_REVIEWER},
            "the provincial HR department of the institution's province approves",
        ),
        transition(
            BatchAction.CHECK_CETTIC,
            [BatchStatus.PROVINCE_APPROVED],
            BatchStatus.CETTIC_CHECKED,
            {Role.CETTIC_REVIEWER},
            "CETTIC checks",
        ),
        transition(
            BatchAction.PUBLISH,
            [BatchStatus.CETTIC_CHECKED],
            BatchStatus.PUBLISHED,
            {Role.OFFICE_ADMIN},
            "the office publishes: every passing result becomes a signed certificate",
        ),
        transition(
            BatchAction.RETURN,
            [BatchStatus.SUBMITTED, BatchStatus.PROVINCE_APPROVED, BatchStatus.CETTIC_CHECKED],
            BatchStatus.RETURNED,
            REVIEWERS,
            "the reviewer of the current step (or the office at any step) returns it with reasons",
            reason=True,
        ),
        transition(
            BatchAction.RESUBMIT,
            [BatchStatus.RETURNED],
            BatchStatus.SUBMITTED,
            {Role.EVALUATION_INSTITUTION},
            "the institution that submitted it resubmits the corrected results",
        ),
    ],
)

CERTIFICATE_MOVES: TransitionTable[CertificateAction, CertificateStatus] = TransitionTable(
    "certificate",
    [
        transition(
            CertificateAction.REVOKE,
            [CertificateStatus.PUBLISHED],
            CertificateStatus.REVOKED,
            {Role.EVALUATION_INSTITUTION, Role.OFFICE_ADMIN},
            "the issuing institution, or the office for any, revokes with a reason",
            reason=True,
        )
    ],
)

BATCH = Kind(
    collection=Collection.BATCHES,
    entity="batch",
    audit_prefix="batch",
    not_found_code="BATCH_NOT_FOUND",
    id_field="batchId",
    transition_field="batchId",
)
CERTIFICATE = Kind(
    collection=Collection.CERTIFICATES,
    entity="certificate",
    audit_prefix="certificate",
    not_found_code="CERTIFICATE_NOT_FOUND",
    id_field="number",
    transition_field="number",
)
