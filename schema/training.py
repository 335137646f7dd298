"""GraphQL types, queries and mutations of training records, continuing education and
institution metrics. Roles are enforced in `registry` (see registry/training/policy.py)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from resolvers import api
from resolvers import training as r
from resolvers.context import Context
from schema.catalogue import CODE_BY_LEVEL, Level, Occupation, occupation_of
from schema.certificates import CertificateStatus
from schema.convert import from_model, source
from schema.cost import AGGREGATION
from schema.metrics import EmploymentRate, InstitutionMetrics
from schema.payload import UserError, payload
from schema.personal import PERSONAL
from schema.relay import Connection, connection

Ctx = Info[Context, None]


@strawberry.type(description="A training certificate (培训合格证书, P number): public view.")
class TrainingCertificate:
    number: str
    holder_name: str
    institution_uscc: str = source("institution")
    occupation_code: str = source("occupation")
    field_code: str = source("field")
    direction: str | None
    level: Level
    hours: float = strawberry.field(
        description="Hours attended; they count as continuing education."
    )
    start_date: dt.date
    end_date: dt.date
    issued_at: dt.datetime
    status: CertificateStatus = source("revoked")
    revoked_at: dt.datetime | None
    revocation_reason: str | None

    occupation: Occupation | None = strawberry.field(resolver=occupation_of)


@strawberry.type(description="One trainee of a cohort, as its institution and reviewers see it.")
class Trainee:
    row: int
    name: str
    hours_attended: float = source("hours")
    attendance_rate: float = source("attendance", description="A fraction 0-1.")
    assessment_passed: bool
    completed: bool = strawberry.field(description="Required hours attended and assessment passed.")
    training_certificate: str | None = source("certificate")


@strawberry.type(description="A training cohort (one course) as reported by its institution.")
class TrainingCohort:
    id: str = source("_id")
    institution_uscc: str = source("institution")
    province: str
    start_date: dt.date
    end_date: dt.date
    occupation_code: str = source("occupation")
    direction: str | None
    level: Level
    required_hours: float
    submitted_at: dt.datetime
    trainee_count: int = source("counts.trainees")
    completed_count: int = source("counts.completed")
    attendance_rate: float = source(
        "attendance_mean", description="Mean attendance rate of the trainees."
    )

    @strawberry.field(description="The trainees in row order (never their ID numbers).")
    async def trainees(self, info: Ctx) -> list[Trainee]:
        return [from_model(Trainee, d) for d in await r.cohort_trainees(info.context, self.id)]


@strawberry.type(description="One completion credited to a continuing-education year.")
class ContinuingEducationEntry:
    training_certificate: str = source("certificate")
    institution_uscc: str = source("institution")
    occupation_code: str = source("occupation")
    direction: str | None
    level: Level
    hours: float
    completed_on: dt.date


@strawberry.type(description="The hours of one year (they count for that year, nationwide).")
class ContinuingEducationYear:
    year: int
    hours: float
    entries: list[ContinuingEducationEntry]


@strawberry.type(description="A person's continuing-education hours from the programme, per year.")
class ContinuingEducationRecord:
    holder_name: str | None = strawberry.field(
        description="As the training institutions recorded it; null when nothing was found."
    )
    years: list[ContinuingEducationYear]


@strawberry.input(description="One trainee. The ID number is stored encrypted and never shown.")
class TraineeRowInput:
    name: str
    id_number: str
    hours_attended: float
    attendance_rate: float = strawberry.field(description="A fraction 0-1 (0.95 for 95 %).")
    assessment_passed: bool = strawberry.field(description="The completion assessment (结业考核).")


@strawberry.input(description="A training cohort: one course of one occupation, direction, level.")
class TrainingCohortInput:
    idempotency_key: str = strawberry.field(
        description="Chosen by the client (8-100 characters); the same key returns the first result."
    )
    start_date: dt.date
    end_date: dt.date
    occupation: str = strawberry.field(description="Occupation code, either edition.")
    level: Level
    required_hours: float = strawberry.field(description="The hours the national standard sets.")
    trainees: list[TraineeRowInput]
    direction: str | None = None

    def to_domain(self) -> api.CohortInput:
        return api.CohortInput(
            idempotency_key=self.idempotency_key,
            start_date=self.start_date,
            end_date=self.end_date,
            occupation=self.occupation,
            level=CODE_BY_LEVEL[self.level],
            required_hours=self.required_hours,
            direction=self.direction,
            trainees=[
                api.TraineeInput(
                    name=t.name,
                    id_number=t.id_number,
                    hours_attended=t.hours_attended,
                    attendance_rate=t.attendance_rate,
                    assessment_passed=t.assessment_passed,
                )
                for t in self.trainees
            ],
        )


@strawberry.type
class TrainingCohortPayload:
    cohort: TrainingCohort | None
    replayed: bool = strawberry.field(
        description="True when this answers an earlier identical request."
    )
    user_errors: list[UserError]


@strawberry.type
class TrainingCertificatePayload:
    certificate: TrainingCertificate | None
    user_errors: list[UserError]


@strawberry.type
class EmploymentRatePayload:
    employment: EmploymentRate | None
    user_errors: list[UserError]


@strawberry.type
class TrainingQuery:
    @strawberry.field(
        directives=[PERSONAL],
        description="A training certificate by number and holder's name; null when not found "
        "(unknown and another name answer the same).",
    )
    async def training_certificate(
        self, info: Ctx, number: str, holder_name: str
    ) -> TrainingCertificate | None:
        found = await r.training_certificate(info.context, number, holder_name)
        return from_model(TrainingCertificate, found) if found else None

    @strawberry.field(
        description="One cohort; for reviewers and the training institution that reported it."
    )
    async def training_cohort(self, info: Ctx, id: str) -> TrainingCohort | None:
        found = await r.cohort(info.context, id)
        return from_model(TrainingCohort, found) if found else None

    @strawberry.field(
        description="Cohorts visible to the caller (reviewers: their scope; training institutions: their own)."
    )
    async def training_cohorts(
        self, info: Ctx, first: int = 20, after: str | None = None
    ) -> Connection[TrainingCohort]:
        return connection(await r.cohorts(info.context, first, after), TrainingCohort)

    @strawberry.field(
        directives=[PERSONAL],
        description="Continuing-education hours per year, by ID number and name (rate limited); "
        "reviewers may leave out the name. A wrong name answers an empty record.",
    )
    async def continuing_education(
        self,
        info: Ctx,
        id_number: str,
        holder_name: str | None = None,
        year: Annotated[int | None, strawberry.argument(description="Only this year.")] = None,
    ) -> ContinuingEducationRecord:
        found = await r.continuing_education(info.context, id_number, holder_name, year)
        return from_model(ContinuingEducationRecord, found)

    @strawberry.field(
        directives=[PERSONAL],
        description="A year's continuing-education record as a signed credential (eddsa-jcs-2022, "
        "registry root key; `registry verify FILE --key <root key>`). Same access as "
        "continuingEducation; error NO_HOURS for a year without hours.",
    )
    async def continuing_education_credential(
        self, info: Ctx, id_number: str, year: int, holder_name: str | None = None
    ) -> JSON:
        return await r.ce_credential(  # type: ignore[return-value]
            info.context, id_number, holder_name, year
        )

    @strawberry.field(
        directives=[AGGREGATION],
        description="An institution's metrics for a year: attendance, pass and employment rates.",
    )
    async def institution_metrics(self, info: Ctx, uscc: str, year: int) -> InstitutionMetrics:
        return from_model(InstitutionMetrics, await r.institution_metrics(info.context, uscc, year))


@strawberry.type
class TrainingMutation:
    @strawberry.mutation(
        description="Report a training cohort; completers get a training certificate (P number) "
        "and continuing-education hours. Roles: TRAINING_INSTITUTION (listed on the end date, in scope)."
    )
    async def submit_training_cohort(
        self, info: Ctx, input: TrainingCohortInput
    ) -> TrainingCohortPayload:
        return await payload(
            TrainingCohortPayload,
            r.submit_cohort(info.context, input.to_domain()),
            TrainingCohort,
        )

    @strawberry.mutation(
        description="Revoke a training certificate with a reason (its hours leave the CE record). "
        "Roles: the issuing TRAINING_INSTITUTION, OFFICE_ADMIN."
    )
    async def revoke_training_certificate(
        self, info: Ctx, number: str, reason: str
    ) -> TrainingCertificatePayload:
        return await payload(
            TrainingCertificatePayload,
            r.revoke(info.context, number, reason),
            TrainingCertificate,
        )

    @strawberry.mutation(
        description="Report the year's employment rate with its source. Roles: the institution "
        "itself (TRAINING_INSTITUTION, EVALUATION_INSTITUTION), once on the directory."
    )
    async def report_employment_rate(
        self, info: Ctx, year: int, surveyed: int, employed: int, source: str
    ) -> EmploymentRatePayload:
        return await payload(
            EmploymentRatePayload,
            r.report_employment(info.context, year, surveyed, employed, source),
            EmploymentRate,
        )
