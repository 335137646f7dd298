"""GraphQL types, queries and mutations of training records, continuing education and
institution metrics. Roles are enforced in `registry` (see registry/training/rules.py)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from resolvers import api
from resolvers import training as r
from resolvers.context import Context
from schema.catalogue import CODE_BY_LEVEL, LEVEL_BY_CODE, Level, Occupation
from schema.certificates import CertificateStatus
from schema.institutions import InstitutionKind
from schema.loaders import occupation_loader
from schema.payload import UserError, payload
from schema.personal import PERSONAL
from schema.relay import Connection, connection

Ctx = Info[Context, None]


@strawberry.type(description="A training certificate (培训合格证书, P number): public view.")
class TrainingCertificate:
    number: str
    holder_name: str
    institution_uscc: str
    occupation_code: str
    field_code: str
    direction: str | None
    level: Level
    hours: float = strawberry.field(
        description="Hours attended; they count as continuing education."
    )
    start_date: dt.date
    end_date: dt.date
    issued_at: dt.datetime
    status: CertificateStatus
    revoked_at: dt.datetime | None
    revocation_reason: str | None

    @strawberry.field
    async def occupation(self, info: Ctx) -> Occupation | None:
        found = await occupation_loader(info.context).load(self.occupation_code)
        return Occupation.from_domain(found) if found else None

    @classmethod
    def from_domain(cls, c: api.TrainingCertificate) -> TrainingCertificate:
        return cls(
            number=c.number,
            holder_name=c.holder_name,
            institution_uscc=c.institution,
            occupation_code=c.occupation,
            field_code=c.field,
            direction=c.direction,
            level=LEVEL_BY_CODE[c.level],
            hours=c.hours,
            start_date=c.start_date,
            end_date=c.end_date,
            issued_at=c.issued_at,
            status=CertificateStatus.REVOKED if c.revoked else CertificateStatus.VALID,
            revoked_at=c.revoked_at,
            revocation_reason=c.revocation_reason,
        )


@strawberry.type(description="One trainee of a cohort, as its institution and reviewers see it.")
class Trainee:
    row: int
    name: str
    hours_attended: float
    attendance_rate: float = strawberry.field(description="A fraction 0-1.")
    assessment_passed: bool
    completed: bool = strawberry.field(description="Required hours attended and assessment passed.")
    training_certificate: str | None


@strawberry.type(description="A training cohort (one course) as reported by its institution.")
class TrainingCohort:
    id: str
    institution_uscc: str
    province: str
    start_date: dt.date
    end_date: dt.date
    occupation_code: str
    direction: str | None
    level: Level
    required_hours: float
    submitted_at: dt.datetime
    trainee_count: int
    completed_count: int
    attendance_rate: float = strawberry.field(description="Mean attendance rate of the trainees.")

    @strawberry.field(description="The trainees in row order (never their ID numbers).")
    async def trainees(self, info: Ctx) -> list[Trainee]:
        return [
            Trainee(
                row=d["row"],
                name=d["name"],
                hours_attended=d["hours"],
                attendance_rate=d["attendance"],
                assessment_passed=d["assessment_passed"],
                completed=d["completed"],
                training_certificate=d.get("certificate"),
            )
            for d in await r.cohort_trainees(info.context, self.id)
        ]

    @classmethod
    def from_doc(cls, d: api.Document) -> TrainingCohort:
        return cls(
            id=d["_id"],
            institution_uscc=d["institution"],
            province=d["province"],
            start_date=dt.date.fromisoformat(d["start_date"]),
            end_date=dt.date.fromisoformat(d["end_date"]),
            occupation_code=d["occupation"],
            direction=d.get("direction"),
            level=LEVEL_BY_CODE[d["level"]],
            required_hours=d["required_hours"],
            submitted_at=d["submitted_at"],
            trainee_count=d["counts"]["trainees"],
            completed_count=d["counts"]["completed"],
            attendance_rate=d["attendance_mean"],
        )


@strawberry.type(description="One completion credited to a continuing-education year.")
class ContinuingEducationEntry:
    training_certificate: str
    institution_uscc: str
    occupation_code: str
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

    @classmethod
    def from_domain(cls, rec: api.CeRecord) -> ContinuingEducationRecord:
        return cls(
            holder_name=rec.holder_name,
            years=[
                ContinuingEducationYear(
                    year=y.year,
                    hours=y.hours,
                    entries=[
                        ContinuingEducationEntry(
                            training_certificate=e.certificate,
                            institution_uscc=e.institution,
                            occupation_code=e.occupation,
                            direction=e.direction,
                            level=LEVEL_BY_CODE[e.level],
                            hours=e.hours,
                            completed_on=e.completed_on,
                        )
                        for e in y.entries
                    ],
                )
                for y in rec.years
            ],
        )


@strawberry.type(description="The employment rate an institution reports, with its source.")
class EmploymentRate:
    year: int
    surveyed: int
    employed: int
    rate: float
    source: str
    reported_at: dt.datetime

    @classmethod
    def from_domain(cls, e: api.EmploymentReport) -> EmploymentRate:
        return cls(
            year=e.year,
            surveyed=e.surveyed,
            employed=e.employed,
            rate=e.rate,
            source=e.source,
            reported_at=e.reported_at,
        )


@strawberry.type(
    description="An institution's year (notice 六(二)): attendance, pass and employment rates."
)
class InstitutionMetrics:
    institution_uscc: str
    year: int
    kind: InstitutionKind  # type: ignore[valid-type]
    trainees: int
    completions: int
    completion_rate: float | None
    attendance_rate: float | None = strawberry.field(
        description="Mean attendance of the trainees of cohorts that ended in the year."
    )
    candidates: int = strawberry.field(
        description="Evaluation: its candidates; training: candidates citing its certificates "
        "(current results of published batches with an exam in the year)."
    )
    passes: int
    pass_rate: float | None
    employment: EmploymentRate | None = strawberry.field(
        description="Reported by the institution, with its source; null until reported."
    )

    @classmethod
    def from_domain(cls, m: api.InstitutionMetrics) -> InstitutionMetrics:
        return cls(
            institution_uscc=m.institution,
            year=m.year,
            kind=m.kind,
            trainees=m.trainees,
            completions=m.completions,
            completion_rate=m.completion_rate,
            attendance_rate=m.attendance_rate,
            candidates=m.candidates,
            passes=m.passes,
            pass_rate=m.pass_rate,
            employment=EmploymentRate.from_domain(m.employment) if m.employment else None,
        )


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
        return TrainingCertificate.from_domain(found) if found else None

    @strawberry.field(
        description="One cohort; for reviewers and the training institution that reported it."
    )
    async def training_cohort(self, info: Ctx, id: str) -> TrainingCohort | None:
        found = await r.cohort(info.context, id)
        return TrainingCohort.from_doc(found) if found else None

    @strawberry.field(
        description="Cohorts visible to the caller (reviewers: their scope; training institutions: their own)."
    )
    async def training_cohorts(
        self, info: Ctx, first: int = 20, after: str | None = None
    ) -> Connection[TrainingCohort]:
        return connection(await r.cohorts(info.context, first, after), TrainingCohort.from_doc)

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
        return ContinuingEducationRecord.from_domain(found)

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
        description="An institution's metrics for a year: attendance, pass and employment rates."
    )
    async def institution_metrics(self, info: Ctx, uscc: str, year: int) -> InstitutionMetrics:
        return InstitutionMetrics.from_domain(await r.institution_metrics(info.context, uscc, year))


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
            TrainingCohort.from_doc,
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
            TrainingCertificate.from_domain,
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
            EmploymentRate.from_domain,
        )
