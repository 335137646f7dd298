"""Submitting a large assessment batch in parts: open it, add its parts, close it.

Each step is its own mutation within the API's body limit and request timeout; the holder
bindings are computed by the service after the close (status BINDING, `bindingProgress`), so no
request waits for them. See docs/api.md, "A large batch, in parts"."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers import api
from resolvers import certificates as rc
from resolvers.context import Context
from schema.certificates import AssessmentBatch
from schema.convert import from_model, source
from schema.list_bounds import MaxItems
from schema.mutation import AssessmentBatchPayload, AssessmentResultInput
from schema.payload import UserError, payload

Ctx = Info[Context, None]


@strawberry.input(
    description="Opening a batch whose results come in parts: everything but the results."
)
class OpenAssessmentBatchInput:
    idempotency_key: str = strawberry.field(
        description="Chosen by the client (8-100 characters); the same key returns the same batch."
    )
    exam_date: dt.date = strawberry.field(description="The day of the exam.")
    result_count: int = strawberry.field(
        description="How many results the parts will carry in all (1-5,000); the close checks it."
    )
    late_reason: str | None = strawberry.field(
        default=None, description="Required when reported more than one month after the exam."
    )
    session: str | None = strawberry.field(
        default=None,
        description="The exam session the results are for (announceExamSession), checked when "
        "the batch is opened as for submitAssessmentBatch; each part's rows must then be "
        "candidates on its confirmed list (else CANDIDATE_NOT_CONFIRMED). Null for a batch that "
        "names no session.",
    )

    def to_domain(self) -> api.BatchHeader:
        return api.BatchHeader(
            self.idempotency_key, self.exam_date, self.result_count, self.late_reason, self.session
        )


@strawberry.type(description="One stored part of a batch submitted in parts.")
class AssessmentBatchPart:
    number: int = strawberry.field(description="The part's number, from 1.")
    first_row: int = strawberry.field(
        description="The batch row of the part's first result (rows count from 1 over the batch)."
    )
    result_count: int = source("size", description="The results the part holds.")


@strawberry.type(description="The answer to adding a part.")
class AssessmentBatchPartPayload:
    part: AssessmentBatchPart | None = strawberry.field(description="The part as stored.")
    batch: AssessmentBatch | None = strawberry.field(description="The batch, with its counts.")
    replayed: bool = strawberry.field(
        description="True when this part was already stored with the same content."
    )
    user_errors: list[UserError]


def _part(value: dict[str, api.Document]) -> dict[str, object]:
    """The payload's two values: the stored part and its batch."""
    return {
        "part": from_model(AssessmentBatchPart, value["part"]),
        "batch": AssessmentBatch.from_doc(value["batch"]),
    }


@strawberry.type
class BatchPartsMutation:
    @strawberry.mutation(
        description="Open a batch whose results come in parts (up to 5,000 results, 1,000 a "
        "part). Roles: EVALUATION_INSTITUTION (listed on the exam date)."
    )
    async def open_assessment_batch(
        self, info: Ctx, input: OpenAssessmentBatchInput
    ) -> AssessmentBatchPayload:
        return await payload(
            AssessmentBatchPayload,
            rc.open_batch(info.context, input.to_domain()),
            AssessmentBatch.from_doc,
        )

    @strawberry.mutation(
        description="Add part `part` (1, 2, … in order; at most 1,000 results) to an OPEN batch. "
        "The same part again answers the stored part; other content under its number is "
        "BATCH_PART_CONFLICT. Roles: the institution that opened it."
    )
    async def add_assessment_batch_part(
        self,
        info: Ctx,
        batch_id: str,
        part: int,
        results: Annotated[
            list[AssessmentResultInput],
            strawberry.argument(
                description=f"The part's results, in order (at most {api.MAX_PART_ROWS:,}).",
                directives=[MaxItems(count=api.MAX_PART_ROWS)],
            ),
        ],
    ) -> AssessmentBatchPartPayload:
        domain = [r.to_domain() for r in results]
        return await payload(
            AssessmentBatchPartPayload, rc.add_part(info.context, batch_id, part, domain), _part
        )

    @strawberry.mutation(
        description="Close an OPEN batch: checked as a whole, numbered, then BINDING until the "
        "service has bound every passing result (then SUBMITTED). Roles: the institution that "
        "opened it."
    )
    async def close_assessment_batch(self, info: Ctx, batch_id: str) -> AssessmentBatchPayload:
        return await payload(
            AssessmentBatchPayload, rc.close_batch(info.context, batch_id), AssessmentBatch.from_doc
        )
