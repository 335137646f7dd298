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
from schema import words
from schema.arguments import AfterArg, ReasonArg, UsccArg
from schema.catalogue import CODE_BY_LEVEL, Level, Occupation, occupation_as_issued
from schema.certificates import CertificateStatus
from schema.convert import from_model, source
from schema.cost import AGGREGATION
from schema.list_bounds import MaxItems
from schema.metrics import EmploymentRate, InstitutionMetrics
from schema.payload import UserError, payload, user_errors_field
from schema.personal import PERSONAL
from schema.policylinks import ON_ARG, PROVINCE_ARG, TrainingPolicyLinks, training_links
from schema.relay import Connection, connection

Ctx = Info[Context, None]


@strawberry.type(description="A training certificate (培训合格证书, P number): public view.")
class TrainingCertificate:
    number: str = strawberry.field(
        description="The training certificate number (P, province, institution, year, serial and check character)."
    )
    holder_name: str = strawberry.field(description=words.HOLDER_NAME)
    institution_uscc: str = source(
        "institution",
        description="The training institution, by its unified social credit code (统一社会信用代码).",
    )
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
    hours: float = strawberry.field(
        description="Hours attended; they count as continuing education."
    )
    start_date: dt.date = strawberry.field(description="First day of the course.")
    end_date: dt.date = strawberry.field(description="Last day of the course.")
    issued_at: dt.datetime = strawberry.field(
        description="When the cohort was reported and the certificate issued."
    )
    status: CertificateStatus = source("revoked", description="VALID, or REVOKED (never deleted).")
    revoked_at: dt.datetime | None = strawberry.field(
        description="When it was revoked; null while valid."
    )
    revocation_reason: str | None = strawberry.field(
        description="Why it was revoked; null while valid."
    )

    occupation: Occupation | None = strawberry.field(
        resolver=occupation_as_issued,
        description="The occupation as the catalogue stated it when the certificate was issued "
        "(a later edit leaves it unchanged; its `history` shows what changed since).",
    )

    @strawberry.field(
        description="What it brings under the notice's policies (五): whether it is of a kind "
        "that qualifies for a training subsidy, in the training institution's province unless "
        "another is named (docs/policy-links.md)."
    )
    async def policy_links(
        self,
        info: Ctx,
        province: Annotated[str | None, PROVINCE_ARG] = None,
        on: Annotated[dt.date | None, ON_ARG] = None,
    ) -> TrainingPolicyLinks:
        level = CODE_BY_LEVEL[self.level]
        return await training_links(
            info.context, self.number, self.occupation_code, level, province, on
        )


@strawberry.type(description="One trainee of a cohort, as its institution and reviewers see it.")
class Trainee:
    row: int = strawberry.field(description="The row's number in the cohort, from 1.")
    name: str = strawberry.field(description="The trainee's name.")
    hours_attended: float = source("hours", description="Hours attended (学时).")
    attendance_rate: float = source("attendance", description="A fraction 0-1.")
    assessment_passed: bool = strawberry.field(
        description="Whether the completion assessment (结业考核) was passed."
    )
    completed: bool = strawberry.field(description="Required hours attended and assessment passed.")
    training_certificate: str | None = source(
        "certificate",
        description="The training certificate issued on completion (P… number); null otherwise.",
    )


@strawberry.type(description="A training cohort (one course) as reported by its institution.")
class TrainingCohort:
    id: str = source("_id", description="The cohort's id (`coh_…`).")
    institution_uscc: str = source(
        "institution",
        description="The training institution, by its unified social credit code (统一社会信用代码).",
    )
    province: str = strawberry.field(description="The institution's province (GB/T 2260 code).")
    start_date: dt.date = strawberry.field(description="First day of the course.")
    end_date: dt.date = strawberry.field(
        description="Last day of the course: the year it counts in."
    )
    occupation_code: str = source(
        "occupation",
        description=words.OCCUPATION_CODE,
    )
    direction: str | None = strawberry.field(description=words.DIRECTION)
    level: Level = strawberry.field(description=words.LEVEL)
    required_hours: float = strawberry.field(
        description="The hours the national standard sets for this level (学时)."
    )
    submitted_at: dt.datetime = strawberry.field(description="When the institution reported it.")
    trainee_count: int = source("counts.trainees", description="Trainees reported.")
    completed_count: int = source(
        "counts.completed", description="Trainees who completed (each with a training certificate)."
    )
    attendance_rate: float = source(
        "attendance_mean", description="Mean attendance rate of the trainees."
    )

    @strawberry.field(description="The trainees in row order (never their ID numbers).")
    async def trainees(self, info: Ctx) -> list[Trainee]:
        return [from_model(Trainee, d) for d in await r.cohort_trainees(info.context, self.id)]


@strawberry.type(description="One completion credited to a continuing-education year.")
class ContinuingEducationEntry:
    training_certificate: str = source(
        "certificate", description="The training certificate (P… number) the hours come from."
    )
    institution_uscc: str = source(
        "institution",
        description="The training institution, by its unified social credit code (统一社会信用代码).",
    )
    occupation_code: str = source(
        "occupation",
        description=words.OCCUPATION_CODE,
    )
    direction: str | None = strawberry.field(description=words.DIRECTION)
    level: Level = strawberry.field(description=words.LEVEL)
    hours: float = strawberry.field(description="Hours credited (继续教育学时).")
    completed_on: dt.date = strawberry.field(
        description="The course's last day: the year it counts for."
    )


@strawberry.type(description="The hours of one year (they count for that year, nationwide).")
class ContinuingEducationYear:
    year: int = strawberry.field(description="The calendar year.")
    hours: float = strawberry.field(description="Hours credited that year.")
    entries: list[ContinuingEducationEntry] = strawberry.field(
        description="The completions credited that year."
    )


@strawberry.type(description="A person's continuing-education hours from the programme, per year.")
class ContinuingEducationRecord:
    holder_name: str | None = strawberry.field(
        description="As the training institutions recorded it; null when nothing was found."
    )
    years: list[ContinuingEducationYear] = strawberry.field(
        description="Each year with hours, oldest first."
    )


@strawberry.input(description="One trainee. The ID number is stored encrypted and never shown.")
class TraineeRowInput:
    name: str = strawberry.field(description="The trainee's name as on the ID card.")
    id_number: str = strawberry.field(
        description="The 18-character resident ID number (公民身份号码); stored encrypted, never shown."
    )
    hours_attended: float = strawberry.field(description="Hours attended (学时).")
    attendance_rate: float = strawberry.field(description="A fraction 0-1 (0.95 for 95 %).")
    assessment_passed: bool = strawberry.field(description="The completion assessment (结业考核).")


@strawberry.input(description="A training cohort: one course of one occupation, direction, level.")
class TrainingCohortInput:
    idempotency_key: str = strawberry.field(
        description="Chosen by the client (8-100 characters); the same key returns the first result."
    )
    start_date: dt.date = strawberry.field(description="First day of the course.")
    end_date: dt.date = strawberry.field(
        description="Last day of the course (the institution must be listed on it)."
    )
    occupation: str = strawberry.field(description="Occupation code, either edition.")
    level: Level = strawberry.field(description=words.LEVEL)
    required_hours: float = strawberry.field(description="The hours the national standard sets.")
    trainees: list[TraineeRowInput] = strawberry.field(
        description="One row per trainee.", directives=[MaxItems(count=api.MAX_TRAINEES)]
    )
    direction: str | None = strawberry.field(
        default=None,
        description=words.DIRECTION,
    )

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


@strawberry.type(description="What reporting a training cohort answers.")
class TrainingCohortPayload:
    cohort: TrainingCohort | None = strawberry.field(
        description="The cohort as stored; null when nothing was stored."
    )
    replayed: bool = strawberry.field(
        description="True when this answers an earlier identical request."
    )
    user_errors: list[UserError] = user_errors_field()


@strawberry.type(description="What a change to a training certificate answers.")
class TrainingCertificatePayload:
    certificate: TrainingCertificate | None = strawberry.field(
        description="The training certificate after the change; null on a problem."
    )
    user_errors: list[UserError] = user_errors_field()


@strawberry.type(description="What reporting an employment rate answers.")
class EmploymentRatePayload:
    employment: EmploymentRate | None = strawberry.field(
        description="The report as stored; null on a problem."
    )
    user_errors: list[UserError] = user_errors_field()


@strawberry.type
class TrainingQuery:
    @strawberry.field(
        directives=[PERSONAL],
        description="A training certificate by number and holder's name; null when not found "
        "(unknown and another name answer the same).",
    )
    async def training_certificate(
        self,
        info: Ctx,
        number: Annotated[
            str, strawberry.argument(description="The training certificate number (P…).")
        ],
        holder_name: Annotated[
            str,
            strawberry.argument(description=words.HOLDER_NAME),
        ],
    ) -> TrainingCertificate | None:
        found = await r.training_certificate(info.context, number, holder_name)
        return from_model(TrainingCertificate, found) if found else None

    @strawberry.field(
        description="One cohort; for reviewers and the training institution that reported it."
    )
    async def training_cohort(
        self,
        info: Ctx,
        id: Annotated[str, strawberry.argument(description="The cohort's id (`coh_…`).")],
    ) -> TrainingCohort | None:
        found = await r.cohort(info.context, id)
        return from_model(TrainingCohort, found) if found else None

    @strawberry.field(
        description="Cohorts visible to the caller (reviewers: their scope; training institutions: their own)."
    )
    async def training_cohorts(
        self,
        info: Ctx,
        first: Annotated[
            int, strawberry.argument(description="How many items to return, at most 100.")
        ] = 20,
        after: AfterArg = None,
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
        id_number: Annotated[
            str,
            strawberry.argument(
                description="The 18-character resident ID number (公民身份号码); never stored or logged in clear."
            ),
        ],
        holder_name: Annotated[
            str | None,
            strawberry.argument(description=words.HOLDER_NAME),
        ] = None,
        year: Annotated[int | None, strawberry.argument(description="Only this year.")] = None,
    ) -> ContinuingEducationRecord:
        found = await r.continuing_education(info.context, id_number, holder_name, year)
        return from_model(ContinuingEducationRecord, found)

    @strawberry.field(
        directives=[PERSONAL],
        description="A year's continuing-education record as a signed credential (eddsa-jcs-2022, "
        "signed for the registry by its root key, or by the bundle key the offline root certified, "
        "the record then carrying the chain; `registry verify FILE --root-key <root key>`). Same "
        "access as continuingEducation; error NO_HOURS for a year without hours, "
        "ROOT_CERTIFICATE_EXPIRED while the registry's signing certificate has run out.",
    )
    async def continuing_education_credential(
        self,
        info: Ctx,
        id_number: Annotated[
            str,
            strawberry.argument(
                description="The 18-character resident ID number (公民身份号码); never stored or logged in clear."
            ),
        ],
        year: Annotated[
            int, strawberry.argument(description="The year whose hours the credential states.")
        ],
        holder_name: Annotated[
            str | None,
            strawberry.argument(description=words.HOLDER_NAME),
        ] = None,
    ) -> JSON:
        return await r.ce_credential(  # type: ignore[return-value]
            info.context, id_number, holder_name, year
        )

    @strawberry.field(
        directives=[AGGREGATION],
        description="An institution's metrics for a year: attendance, pass and employment rates.",
    )
    async def institution_metrics(
        self,
        info: Ctx,
        uscc: UsccArg,
        year: Annotated[int, strawberry.argument(description="The year measured (2021 or later).")],
    ) -> InstitutionMetrics:
        return from_model(InstitutionMetrics, await r.institution_metrics(info.context, uscc, year))


@strawberry.type
class TrainingMutation:
    @strawberry.mutation(
        description="Report a training cohort; completers get a training certificate (P number) "
        "and continuing-education hours. Roles: TRAINING_INSTITUTION (listed on the end date, in scope)."
    )
    async def submit_training_cohort(
        self,
        info: Ctx,
        input: Annotated[
            TrainingCohortInput,
            strawberry.argument(
                description="The whole input; every problem in it comes back at once as `userErrors`."
            ),
        ],
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
        self,
        info: Ctx,
        number: Annotated[
            str, strawberry.argument(description="The training certificate number (P…).")
        ],
        reason: ReasonArg,
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
        self,
        info: Ctx,
        year: Annotated[int, strawberry.argument(description="The year it covers.")],
        surveyed: Annotated[
            int, strawberry.argument(description="People surveyed (at least one).")
        ],
        employed: Annotated[
            int, strawberry.argument(description="Of those, employed or self-employed (就业创业).")
        ],
        source: Annotated[
            str,
            strawberry.argument(
                description="Where the figure comes from, e.g. 结业学员电话回访 (1-500 characters)."
            ),
        ],
    ) -> EmploymentRatePayload:
        return await payload(
            EmploymentRatePayload,
            r.report_employment(info.context, year, surveyed, employed, source),
            EmploymentRate,
        )
