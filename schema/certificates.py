"""GraphQL types of assessment batches and certificates."""

from __future__ import annotations

import base64
import datetime as dt
from enum import Enum
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from resolvers import api
from resolvers import certificates as rc
from resolvers.context import Context
from resolvers.global_ids import to_global_id
from schema.catalogue import LEVEL_BY_CODE, Level, Occupation
from schema.loaders import occupation_loader
from schema.node import Node


@strawberry.enum
class CertificateStatus(Enum):
    VALID = "VALID"
    REVOKED = "REVOKED"


@strawberry.enum
class BatchStatus(Enum):
    SUBMITTED = "SUBMITTED"
    PROVINCE_APPROVED = "PROVINCE_APPROVED"
    CETTIC_CHECKED = "CETTIC_CHECKED"
    PUBLISHED = "PUBLISHED"
    RETURNED = "RETURNED"


@strawberry.type(description="A published professional technical level certificate (public view).")
class Certificate:
    number: str
    holder_name: str
    occupation_code: str
    field_code: str
    direction: str | None
    level: Level
    issuer_uscc: str
    exam_date: dt.date
    issued_at: dt.datetime
    status: CertificateStatus
    revoked_at: dt.datetime | None
    revocation_reason: str | None
    credential_doc: strawberry.Private[dict[str, Any]]

    @strawberry.field(
        description="The signed W3C credential (eddsa-jcs-2022); verify it offline with the trust bundle."
    )
    def credential(self) -> JSON:
        return self.credential_doc  # type: ignore[return-value]

    @strawberry.field
    async def occupation(self, info: Info[Context, None]) -> Occupation | None:
        found = await occupation_loader(info.context).load(self.occupation_code)
        return Occupation.from_domain(found) if found else None

    @strawberry.field(description="The credential as `DTE1:` text for a QR code.")
    def qr_text(self) -> str:
        return api.qr_text(self.credential_doc)

    @strawberry.field(description="The QR code as SVG.")
    def qr_svg(self) -> str:
        return api.qr_svg(self.credential_doc)

    @strawberry.field(description="The QR code as a PNG, base64.")
    def qr_png_base64(self) -> str:
        return base64.b64encode(api.qr_png(self.credential_doc)).decode()

    @classmethod
    def from_domain(cls, c: api.PublicCertificate) -> Certificate:
        return cls(
            number=c.number,
            holder_name=c.holder_name,
            occupation_code=c.occupation,
            field_code=c.field,
            direction=c.direction,
            level=LEVEL_BY_CODE[c.level],
            issuer_uscc=c.issuer,
            exam_date=c.exam_date,
            issued_at=c.issued_at,
            status=CertificateStatus.REVOKED if c.revoked else CertificateStatus.VALID,
            revoked_at=c.revoked_at,
            revocation_reason=c.revocation_reason,
            credential_doc=c.credential,
        )


@strawberry.type(description="One result of a batch, as reviewers see it (never the ID number).")
class AssessmentResult:
    row: int
    name: str
    occupation_code: str
    direction: str | None
    level: Level
    theory_score: float
    skill_score: float
    passed: bool
    training_certificate: str | None
    certificate_number: str | None


@strawberry.type
class BatchEvent:
    at: dt.datetime
    action: str
    from_status: str | None
    to_status: str
    reason: str | None


@strawberry.type(
    description="An assessment batch (考核批次) and where it is in the review pipeline."
)
class AssessmentBatch(Node):
    batch_id: str = strawberry.field(
        description="The raw batch id (`bat_…`); mutations take this or `id`."
    )
    institution_uscc: str
    province: str
    exam_date: dt.date
    submitted_at: dt.datetime
    status: BatchStatus
    late: bool = strawberry.field(description="Reported more than one month after the exam.")
    late_reason: str | None
    result_count: int
    passed_count: int
    failed_count: int
    history: list[BatchEvent]

    @strawberry.field(description="The current results, in row order.")
    async def results(self, info: Info[Context, None]) -> list[AssessmentResult]:
        return [
            AssessmentResult(
                row=d["row"],
                name=d["name"],
                occupation_code=d["occupation"],
                direction=d.get("direction"),
                level=LEVEL_BY_CODE[d["level"]],
                theory_score=d["theory"],
                skill_score=d["skill"],
                passed=d["passed"],
                training_certificate=d.get("training_certificate"),
                certificate_number=d.get("certificate"),
            )
            for d in await rc.batch_results(info.context, self.batch_id)
        ]

    @classmethod
    def from_doc(cls, d: api.Document) -> AssessmentBatch:
        return cls(
            id=strawberry.ID(to_global_id("AssessmentBatch", d["_id"])),
            batch_id=d["_id"],
            institution_uscc=d["institution"],
            province=d["province"],
            exam_date=dt.date.fromisoformat(d["exam_date"]),
            submitted_at=d["submitted_at"],
            status=BatchStatus(d["status"]),
            late=d["late"],
            late_reason=d.get("late_reason"),
            result_count=d["counts"]["results"],
            passed_count=d["counts"]["passed"],
            failed_count=d["counts"]["failed"],
            history=[
                BatchEvent(
                    at=h["at"],
                    action=h["action"],
                    from_status=h.get("from"),
                    to_status=h["to"],
                    reason=h.get("reason"),
                )
                for h in d["history"]
            ],
        )
