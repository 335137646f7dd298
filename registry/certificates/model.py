"""What the assessment workflow stores and which moves it allows: the states of a batch and of a
certificate, their actions, the two transition tables and where each record lives.

A batch submitted in one request: SUBMITTED → PROVINCE_APPROVED (provincial HR department of the institution's province)
→ CETTIC_CHECKED → PUBLISHED (office), or RETURNED with reasons by the reviewer of the current
step, then corrected and resubmitted by the institution. Results waiting for review (with the
certificate number and holder binding allocated at submission) stay on the batch's `results`
rows; `certificates` holds only published (and later revoked) certificates.

A large batch is submitted in parts (`parts.py`): OPEN (parts arrive; nothing reviewable, no
result rows yet) → BINDING when the institution closes it (validated as a whole, numbered; the
service's binder computes the holder bindings, `binder.py`) → SUBMITTED when every passing row is
bound, and then the same review as above. An OPEN batch not closed within `OPEN_HOURS` EXPIRES.
"""

from __future__ import annotations

from enum import StrEnum

from registry.access.auth import Role
from registry.storage.collections import Collection
from registry.storage.kind import Kind
from registry.storage.transitions import TransitionTable, transition


class BatchStatus(StrEnum):
    OPEN = "OPEN"
    BINDING = "BINDING"
    EXPIRED = "EXPIRED"
    SUBMITTED = "SUBMITTED"
    PROVINCE_APPROVED = "PROVINCE_APPROVED"
    CETTIC_CHECKED = "CETTIC_CHECKED"
    PUBLISHED = "PUBLISHED"
    RETURNED = "RETURNED"


class BatchAction(StrEnum):
    """Every action on batches; the moves' values are their audit and history names."""

    SUBMIT = "submit"
    OPEN = "open"
    ADD_PART = "addPart"
    CLOSE = "close"
    BIND = "bind"
    EXPIRE = "expire"
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


# How long an OPEN batch waits for its parts and its closing before it expires.
OPEN_HOURS = 24
# No role asks for these moves: the service makes them (its binder, its expiry sweep).
SERVICE_ONLY: frozenset[Role] = frozenset()

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
            BatchAction.OPEN,
            [],
            BatchStatus.OPEN,
            {Role.EVALUATION_INSTITUTION},
            "the institution opens a large batch, saying how many results its parts will carry",
        ),
        # Stays OPEN: parts are stored by number (idempotent), never as a move of the batch; the
        # row says who may add them and from which state.
        transition(
            BatchAction.ADD_PART,
            [BatchStatus.OPEN],
            BatchStatus.OPEN,
            {Role.EVALUATION_INSTITUTION},
            "the institution adds a part of the results (numbered from 1, in order)",
        ),
        transition(
            BatchAction.CLOSE,
            [BatchStatus.OPEN],
            BatchStatus.BINDING,
            {Role.EVALUATION_INSTITUTION},
            "the institution closes it: validated as a whole, numbered, bindings begin",
        ),
        transition(
            BatchAction.BIND,
            [BatchStatus.BINDING],
            BatchStatus.SUBMITTED,
            SERVICE_ONLY,
            "the service has bound every passing result: the batch is ready for review",
        ),
        transition(
            BatchAction.EXPIRE,
            [BatchStatus.OPEN],
            BatchStatus.EXPIRED,
            SERVICE_ONLY,
            f"an open batch not closed within {OPEN_HOURS} hours of opening expires",
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
# One part of a batch submitted in parts: `_id` is the batch's id and the part's number.
BATCH_PART = Kind(
    collection=Collection.BATCH_PARTS,
    entity="batch part",
    audit_prefix="batch",
    not_found_code="BATCH_PART_NOT_FOUND",
    id_field="part",
    entity_key="batch",
)
CERTIFICATE = Kind(
    collection=Collection.CERTIFICATES,
    entity="certificate",
    audit_prefix="certificate",
    not_found_code="CERTIFICATE_NOT_FOUND",
    id_field="number",
    transition_field="number",
)
