"""The link between an assessment result and the training certificate it cites (notice 三(五):
candidates sit the assessment with the training certificate the standard requires).

`check_training_links` is called by assessment-batch validation with the clean rows: a cited
certificate must exist, belong to the same person (compared as keyed hashes), be for the same
occupation and level, and not be revoked; each failure is a per-row `Problem`, so the batch is
refused as a whole like any other input problem.

`missing_training` returns the rows that cite none and record no exemption reason: these are
flagged, not refused (some candidates qualify without the course, e.g. by experience).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from registry.access.personal import PersonalData
from registry.problems import Problem
from registry.storage.collections import Collection
from registry.storage.db import Database
from registry.training.model import TrainingCertificateStatus

MISSING = "TRAINING_CERTIFICATE_MISSING"


class ResultRow(Protocol):
    """What the check reads from `registry.certificates.validation.CleanResult`."""

    @property
    def row(self) -> int: ...
    @property
    def id_number(self) -> str: ...
    @property
    def occupation(self) -> str: ...
    @property
    def level(self) -> int: ...
    @property
    def training_certificate(self) -> str | None: ...


def _problem(row: ResultRow, code: str, message: str) -> Problem:
    return Problem(f"results[{row.row - 1}].trainingCertificate", code, f"row {row.row}: {message}")


async def check_training_links(
    db: Database, personal: PersonalData, rows: Sequence[ResultRow]
) -> list[Problem]:
    cited = sorted({r.training_certificate for r in rows if r.training_certificate})
    if not cited:
        return []
    found = {
        d["_id"]: d
        async for d in db[Collection.TRAINING_CERTIFICATES].find(
            {"_id": {"$in": cited}}, {"id_hash": 1, "occupation": 1, "level": 1, "status": 1}
        )
    }
    problems: list[Problem] = []
    for r in rows:
        number = r.training_certificate
        if not number:
            continue
        doc = found.get(number)
        if doc is None:
            problems.append(
                _problem(
                    r, "TRAINING_CERTIFICATE_NOT_FOUND", "no training certificate has this number"
                )
            )
        elif doc["id_hash"] != personal.lookup_hash(r.id_number):
            # Says nothing about whom it belongs to.
            problems.append(
                _problem(
                    r,
                    "TRAINING_CERTIFICATE_OTHER_PERSON",
                    "the training certificate belongs to someone else",
                )
            )
        elif doc["occupation"] != r.occupation or doc["level"] != r.level:
            problems.append(
                _problem(
                    r,
                    "TRAINING_CERTIFICATE_MISMATCH",
                    f"the training certificate is for occupation {doc['occupation']} level "
                    f"{doc['level']}, the result for {r.occupation} level {r.level}",
                )
            )
        elif doc["status"] == TrainingCertificateStatus.REVOKED:
            problems.append(
                _problem(r, "TRAINING_CERTIFICATE_REVOKED", "the training certificate was revoked")
            )
    return problems


def missing_training(rows: Sequence[ResultRow]) -> list[Problem]:
    """Flags (not refusals): rows without a training certificate and without an exemption reason.

    The exemption is read from `training_exemption` when the row has one (a field the assessment
    input may add); a row without that attribute counts as not exempt."""
    return [
        _problem(
            r,
            MISSING,
            "no training certificate cited and no exemption reason recorded; flagged for review",
        )
        for r in rows
        if not r.training_certificate and not (getattr(r, "training_exemption", None) or "").strip()
    ]
