"""GraphQL types of assessment batches and certificates."""

from __future__ import annotations

import base64
import datetime as dt
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from resolvers import api
from resolvers import certificates as rc
from resolvers.context import Context
from resolvers.global_ids import to_global_id
from schema import words
from schema.catalogue import CODE_BY_LEVEL, Level, Occupation, occupation_as_issued
from schema.convert import from_model, private_source, source
from schema.enums import with_values
from schema.node import Node
from schema.policylinks import ON_ARG, PROVINCE_ARG, CertificatePolicyLinks, certificate_links


@with_values(
    "Whether a certificate stands.",
    {
        "VALID": "Published and not revoked.",
        "REVOKED": "Revoked (撤销) with a reason; never deleted.",
    },
)
class CertificateStatus(Enum):
    VALID = "VALID"
    REVOKED = "REVOKED"

    @classmethod
    def _missing_(cls, revoked: object) -> CertificateStatus | None:
        # From the domain's `revoked` flag, so `from_model` converts it like any enum value.
        return (cls.REVOKED if revoked else cls.VALID) if isinstance(revoked, bool) else None


@with_values(
    "Where an assessment batch is in its review.",
    {
        "OPEN": "Opened for results in parts; not reviewable until it is closed.",
        "BINDING": "Closed; the service is computing the holder bindings (`bindingProgress`).",
        "EXPIRED": "Not closed within 24 hours of opening; its parts were deleted.",
        "SUBMITTED": "Submitted by the institution; waits for its province.",
        "PROVINCE_APPROVED": "Approved by the provincial HR department (省级人社部门).",
        "CETTIC_CHECKED": "Checked by CETTIC (中国就业培训技术指导中心).",
        "PUBLISHED": "Published by the office: its certificates are public and signed.",
        "RETURNED": "Returned with a reason; waits for the institution to resubmit.",
    },
)
class BatchStatus(Enum):
    OPEN = "OPEN"
    BINDING = "BINDING"
    EXPIRED = "EXPIRED"
    SUBMITTED = "SUBMITTED"
    PROVINCE_APPROVED = "PROVINCE_APPROVED"
    CETTIC_CHECKED = "CETTIC_CHECKED"
    PUBLISHED = "PUBLISHED"
    RETURNED = "RETURNED"


@strawberry.type(
    description="Where a certificate sits in the registry's public transparency log: an RFC 9162 "
    "inclusion proof against a signed checkpoint (C2SP tlog-checkpoint); see docs/transparency.md."
)
class LogInclusion:
    leaf_index: int = strawberry.field(description="The index of the certificate's leaf.")
    tree_size: int = strawberry.field(description="The size of the tree the checkpoint states.")
    proof: list[str] = strawberry.field(
        description="The inclusion proof's hashes, base64, nearest the leaf first."
    )
    checkpoint: str = strawberry.field(
        description="The signed checkpoint (a signed note, as served at /log/checkpoint)."
    )


def _inclusion(found: api.LogInclusionProof | None) -> LogInclusion | None:
    if found is None:
        return None
    shown = found.to_json()
    return LogInclusion(
        leaf_index=found.leaf_index,
        tree_size=found.tree_size,
        proof=shown["proof"],
        checkpoint=found.checkpoint,
    )


@strawberry.type(
    description="A published professional technical level certificate (专业技术等级证书), public view."
)
class Certificate:
    number: str = strawberry.field(
        description="The certificate number (证书编号): Z, province, institution, year, level, serial and check character."
    )
    holder_name: str = strawberry.field(description=words.HOLDER_NAME)
    occupation_code: str = source(
        "occupation",
        description=words.OCCUPATION_CODE,
    )
    field_code: str = source(
        "field",
        description=words.FIELD_CODE,
    )
    direction: str | None = strawberry.field(description=words.DIRECTION)
    level: Level = strawberry.field(description=words.LEVEL)
    issuer_uscc: str = source(
        "issuer",
        description="The evaluating institution that issued and signed it (谁评价、谁发证), by its unified social credit code (统一社会信用代码, 18 characters).",
    )
    exam_date: dt.date = strawberry.field(description="The date of the assessment (考核日期).")
    issued_at: dt.datetime = strawberry.field(
        description="When the office published it and the institution's key signed it."
    )
    status: CertificateStatus = source("revoked", description="VALID, or REVOKED (never deleted).")
    revoked_at: dt.datetime | None = strawberry.field(
        description="When it was revoked; null while valid."
    )
    revocation_reason: str | None = strawberry.field(
        description="Why it was revoked; null while valid."
    )
    credential_doc: strawberry.Private[dict[str, Any]] = private_source("credential")

    credential: JSON = strawberry.field(
        resolver=lambda root: root.credential_doc,
        description="The signed W3C credential (eddsa-jcs-2022); verify it offline with the trust bundle.",
    )
    occupation: Occupation | None = strawberry.field(
        resolver=occupation_as_issued,
        description="The occupation as the catalogue stated it when the certificate was issued "
        "(a later edit leaves it unchanged; its `history` shows what changed since).",
    )

    @strawberry.field(
        description="The certificate's inclusion proof in the public transparency log, against "
        "the latest checkpoint; null when it is not in the log."
    )
    async def inclusion(self, info: Info[Context, None]) -> LogInclusion | None:
        return _inclusion(await rc.inclusion(info.context, self.number))

    @strawberry.field(
        description="The credential file to hand to a verifier: `{envelope, credential, "
        "inclusion}` (dte-registry/credential-file/v1), the inclusion beside the signed "
        "credential, outside what its signature covers."
    )
    async def credential_file(self, info: Info[Context, None]) -> JSON:
        found = await rc.inclusion(info.context, self.number)
        return rc.credential_file(self.credential_doc, found)  # type: ignore[return-value]

    @strawberry.field(
        description="How it counts under the notice's policies (五): toward professional titles "
        "for its level, in the issuing institution's province unless another is named "
        "(docs/policy-links.md)."
    )
    async def policy_links(
        self,
        info: Info[Context, None],
        province: Annotated[str | None, PROVINCE_ARG] = None,
        on: Annotated[dt.date | None, ON_ARG] = None,
    ) -> CertificatePolicyLinks:
        level = CODE_BY_LEVEL[self.level]
        return await certificate_links(info.context, self.number, level, province, on)

    @strawberry.field(description="The credential as `DTE1:` text for a QR code.")
    def qr_text(self) -> str:
        return api.qr_text(self.credential_doc)

    @strawberry.field(description="The QR code as SVG.")
    def qr_svg(self) -> str:
        return api.qr_svg(self.credential_doc)

    @strawberry.field(description="The QR code as a PNG, base64.")
    def qr_png_base64(self) -> str:
        return base64.b64encode(api.qr_png(self.credential_doc)).decode()


@strawberry.type(description="One result of a batch, as reviewers see it (never the ID number).")
class AssessmentResult:
    row: int = strawberry.field(description="The row's number in the batch, from 1.")
    name: str = strawberry.field(description="The candidate's name.")
    occupation_code: str = source(
        "occupation",
        description=words.OCCUPATION_CODE,
    )
    direction: str | None = strawberry.field(description=words.DIRECTION)
    level: Level = strawberry.field(description=words.LEVEL)
    theory_score: float = source("theory", description="The theory score (理论知识考试), 0-100.")
    skill_score: float = source(
        "skill", description="The practical skill score (专业能力考核), 0-100."
    )
    passed: bool = strawberry.field(description="Both scores at least 60.")
    training_certificate: str | None = strawberry.field(
        description="The training certificate (P… number) the candidate cited, if any."
    )
    certificate_number: str | None = source(
        "certificate",
        description="The certificate number allocated to a passing result; null for a failed one.",
    )


@strawberry.type(description="How far the holder bindings of a batch's passing results are.")
class BindingProgress:
    bound: int = strawberry.field(description="Passing results bound so far.")
    total: int = strawberry.field(description="Passing results to bind (0 until the close).")


@strawberry.type(description="One step of a batch's review.")
class BatchEvent:
    at: dt.datetime = strawberry.field(description="When the step happened.")
    action: str = strawberry.field(
        description="The step: submit, approveProvince, checkCettic, return, resubmit or publish."
    )
    from_status: str | None = source("from", description="The status before the step.")
    to_status: str = source("to", description="The status after the step.")
    reason: str | None = strawberry.field(description="The reason given (returns), else null.")


@strawberry.type(
    description="An assessment batch (考核批次) and where it is in the review pipeline."
)
class AssessmentBatch(Node):
    batch_id: str = source(
        "_id", description="The raw batch id (`bat_…`); mutations take this or `id`."
    )
    institution_uscc: str = source(
        "institution",
        description="The evaluation institution that submitted it, by its unified social credit code (统一社会信用代码, 18 characters).",
    )
    province: str = strawberry.field(
        description="The institution's province (GB/T 2260 code): its provincial department approves the batch."
    )
    exam_date: dt.date = strawberry.field(description="The date of the assessment.")
    submitted_at: dt.datetime = strawberry.field(description="When it was (last) submitted.")
    status: BatchStatus = strawberry.field(description="Where the batch is in the review pipeline.")
    late: bool = strawberry.field(description="Reported more than one month after the exam.")
    late_reason: str | None = strawberry.field(
        description="Why it was reported more than one month after the exam; null otherwise."
    )
    result_count: int = source("counts.results", description="Results in the batch.")
    passed_count: int = source(
        "counts.passed", description="Passing results (each with a certificate number)."
    )
    failed_count: int = source("counts.failed", description="Failing results.")
    history: list[BatchEvent] = strawberry.field(
        description="Every step of its review, oldest first."
    )
    expected_results: int | None = source(
        "expected", description="A batch in parts: the results announced when it was opened."
    )
    received_parts: int | None = source(
        "received.parts", description="A batch in parts: the parts stored so far."
    )
    received_results: int | None = source(
        "received.rows", description="A batch in parts: the results its stored parts hold."
    )
    expires_at: dt.datetime | None = strawberry.field(
        description="An OPEN batch: when it expires unless it is closed before."
    )
    session: str | None = strawberry.field(
        description="The exam session whose confirmed candidates the batch reports; null when it "
        "names none."
    )

    @strawberry.field(
        description="Holder bindings computed of the passing results: all of them once the batch "
        "is SUBMITTED, counting up while it is BINDING."
    )
    async def binding_progress(self, info: Info[Context, None]) -> BindingProgress:
        bound, total = await rc.binding_progress(info.context, self.batch_id)
        return BindingProgress(bound=bound, total=total)

    @strawberry.field(description="The current results, in row order.")
    async def results(self, info: Info[Context, None]) -> list[AssessmentResult]:
        return [
            from_model(AssessmentResult, d)
            for d in await rc.batch_results(info.context, self.batch_id)
        ]

    @classmethod
    def from_doc(cls, d: api.Document) -> AssessmentBatch:
        return from_model(cls, d, id=strawberry.ID(to_global_id("AssessmentBatch", d["_id"])))
