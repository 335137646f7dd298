"""The Mutation root. Each mutation's roles are enforced in `registry` (see docs/api.md); its
payload carries `userErrors` for input and state problems."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers import api
from resolvers import certificates as rc
from resolvers import institutions as r
from resolvers.context import Context
from schema import words
from schema.arguments import ReasonArg, UsccArg
from schema.catalogue import CODE_BY_LEVEL, Level
from schema.certificates import AssessmentBatch, Certificate
from schema.directory_enums import InstitutionKind, PriorityBasis, Violation
from schema.institutions import AnnualReport, Institution, ReportKind
from schema.list_bounds import MaxItems
from schema.payload import UserError, payload, user_errors_field

Ctx = Info[Context, None]


@strawberry.type(description="What a change to an institution answers.")
class InstitutionPayload:
    institution: Institution | None = strawberry.field(
        description="The institution after the change; null on a problem."
    )
    user_errors: list[UserError] = user_errors_field()


@strawberry.type(description="What lodging or resolving an objection answers.")
class ObjectionPayload:
    objection_id: str | None = strawberry.field(
        description="The objection's id; null on a problem."
    )
    institution: Institution | None = strawberry.field(description="The institution objected to.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.type(description="What submitting an annual plan or summary answers.")
class AnnualReportPayload:
    report: AnnualReport | None = strawberry.field(
        description="The report as stored; null on a problem."
    )
    user_errors: list[UserError] = user_errors_field()


@strawberry.type(description="What recording a year's holiday arrangement answers.")
class HolidayArrangementPayload:
    user_errors: list[UserError] = user_errors_field()


@strawberry.input(description="One occupation × direction × level applied for.")
class ScopeEntryInput:
    occupation: str = strawberry.field(description="Occupation code, either edition.")
    level: Level = strawberry.field(description=words.LEVEL)
    direction: str | None = strawberry.field(
        default=None,
        description=words.DIRECTION,
    )


@strawberry.input(description="A fee to disclose (收费标准).")
class FeeItemInput:
    item: str = strawberry.field(description="What the fee is for, e.g. 培训费 or 考核费.")
    amount_yuan: float = strawberry.field(description="The amount in yuan (元).")
    unit: str = strawberry.field(
        default="人次", description="Per what it is charged (default 人次, per person and session)."
    )
    note: str | None = strawberry.field(
        default=None, description="Anything else to disclose about it."
    )

    def to_domain(self) -> api.FeeInput:
        return api.FeeInput(self.item, self.amount_yuan, self.unit, self.note)


@strawberry.input(description="An application to a directory (notice 四(二)).")
class InstitutionApplicationInput:
    uscc: str = strawberry.field(
        description="The institution's unified social credit code (统一社会信用代码)."
    )
    name: str = strawberry.field(description="The registered name.")
    kind: InstitutionKind = strawberry.field(  # type: ignore[valid-type]
        description="TRAINING (培训机构) or EVALUATION (评价机构)."
    )
    province: str = strawberry.field(description="Two-digit province code (GB/T 2260).")
    contact_person: str = strawberry.field(
        description="Who the office contacts about the application."
    )
    contact_phone: str = strawberry.field(description="Their telephone number.")
    experience_years: int = strawberry.field(
        description="Years of training or assessment experience (at least five)."
    )
    yearly_count: int = strawberry.field(description="Trainees or candidates a year.")
    registered_in_china: bool = strawberry.field(
        description="Registered in China (a condition of the notice)."
    )
    scope: list[ScopeEntryInput] = strawberry.field(
        description="The occupations, directions and levels applied for.",
        directives=[MaxItems(count=api.MAX_SCOPE)],
    )
    fees: list[FeeItemInput] = strawberry.field(
        description="The fees it will charge, disclosed publicly."
    )
    contact_email: str | None = strawberry.field(default=None, description="Their e-mail address.")
    address: str | None = strawberry.field(default=None, description="The institution's address.")
    ministry_level: bool = strawberry.field(
        default=False, description="Recommended by the office instead of a province."
    )
    sector: str | None = strawberry.field(
        default=None,
        description="Recommended by the HR office of this industry sector's ministry (行业主管部门"
        "人事部门, notice 四(四)) instead of its province's department: a sector code, e.g. MIIT, "
        "whose fields cover the whole scope (`OUTSIDE_SECTOR` otherwise).",
    )
    priority: PriorityBasis | None = strawberry.field(  # type: ignore[valid-type]
        default=None,
        description="Priority in the selection claimed (notice 四(三)): NATIONAL_CE_BASE for a "
        "training institution, STANDARD_DEVELOPER for an evaluation institution.",
    )
    priority_evidence: str | None = strawberry.field(
        default=None,
        description="What shows it: the designation as a national continuing-education base, or "
        "the standard developed. Required with `priority`.",
    )

    def to_domain(self) -> api.ApplicationInput:
        return api.ApplicationInput(
            uscc=self.uscc,
            name=self.name,
            kind=api.Kind(self.kind),
            province=self.province,
            contact_person=self.contact_person,
            contact_phone=self.contact_phone,
            experience_years=self.experience_years,
            yearly_count=self.yearly_count,
            registered_in_china=self.registered_in_china,
            scope=[
                api.ScopeInput(s.occupation, CODE_BY_LEVEL[s.level], s.direction)
                for s in self.scope
            ],
            fees=[f.to_domain() for f in self.fees],
            contact_email=self.contact_email,
            address=self.address,
            ministry_level=self.ministry_level,
            sector=self.sector,
            priority=self.priority,
            priority_evidence=self.priority_evidence,
        )


@strawberry.input(
    description="One candidate's result. The ID number is stored encrypted and never shown."
)
class AssessmentResultInput:
    name: str = strawberry.field(description="The candidate's name as on the ID card.")
    id_number: str = strawberry.field(
        description="The 18-character resident ID number (公民身份号码); stored encrypted, never shown."
    )
    occupation: str = strawberry.field(description="Occupation code, either edition.")
    level: Level = strawberry.field(description=words.LEVEL)
    theory_score: float = strawberry.field(description="The theory score (理论知识考试), 0-100.")
    skill_score: float = strawberry.field(
        description="The practical skill score (专业能力考核), 0-100."
    )
    direction: str | None = strawberry.field(
        default=None,
        description=words.DIRECTION,
    )
    training_certificate: str | None = strawberry.field(
        default=None, description="P… number, if held."
    )
    training_exemption: str | None = strawberry.field(
        default=None,
        description="Why the candidate sat without a training certificate (else flagged).",
    )

    def to_domain(self) -> api.ResultInput:
        return api.ResultInput(
            name=self.name,
            id_number=self.id_number,
            occupation=self.occupation,
            level=CODE_BY_LEVEL[self.level],
            theory_score=self.theory_score,
            skill_score=self.skill_score,
            direction=self.direction,
            training_certificate=self.training_certificate,
            training_exemption=self.training_exemption,
        )


@strawberry.input(description="An assessment batch: the exam date and one result per candidate.")
class AssessmentBatchInput:
    idempotency_key: str = strawberry.field(
        description="Chosen by the client (8-100 characters); the same key returns the first result."
    )
    exam_date: dt.date = strawberry.field(description="The date of the assessment (考核日期).")
    results: list[AssessmentResultInput] = strawberry.field(
        description="One result per candidate.", directives=[MaxItems(count=api.MAX_ROWS)]
    )
    late_reason: str | None = strawberry.field(
        default=None, description="Required when reported more than one month after the exam."
    )
    session: str | None = strawberry.field(
        default=None,
        description="The exam session the results are for (announceExamSession); each row must "
        "then be a candidate on its confirmed list (else CANDIDATE_NOT_CONFIRMED). Null for a "
        "batch that names no session.",
    )

    def to_domain(self) -> api.BatchInput:
        return api.BatchInput(
            idempotency_key=self.idempotency_key,
            exam_date=self.exam_date,
            late_reason=self.late_reason,
            results=[x.to_domain() for x in self.results],
            session=self.session,
        )


@strawberry.type(description="What a change to an assessment batch answers.")
class AssessmentBatchPayload:
    batch: AssessmentBatch | None = strawberry.field(
        description="The batch after the change; null on a problem."
    )
    replayed: bool = strawberry.field(
        description="True when this answers an earlier identical request."
    )
    user_errors: list[UserError] = user_errors_field()


@strawberry.type(description="What a change to a certificate answers.")
class CertificatePayload:
    certificate: Certificate | None = strawberry.field(
        description="The certificate after the change; null on a problem."
    )
    user_errors: list[UserError] = user_errors_field()


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Apply to a directory. Roles: the institution itself.")
    async def apply_for_listing(
        self,
        info: Ctx,
        input: Annotated[
            InstitutionApplicationInput,
            strawberry.argument(
                description="The whole input; every problem in it comes back at once as `userErrors`."
            ),
        ],
    ) -> InstitutionPayload:
        return await payload(
            InstitutionPayload, r.apply(info.context, input.to_domain()), Institution.from_domain
        )

    @strawberry.mutation(
        description="Correct and resubmit a returned application. Roles: the institution."
    )
    async def resubmit_application(
        self,
        info: Ctx,
        input: Annotated[
            InstitutionApplicationInput,
            strawberry.argument(
                description="The corrected application; every problem in it comes back at once as `userErrors`."
            ),
        ],
    ) -> InstitutionPayload:
        return await payload(
            InstitutionPayload, r.resubmit(info.context, input.to_domain()), Institution.from_domain
        )

    @strawberry.mutation(description="Apply for a new 3-year period. Roles: the institution.")
    async def renew_listing(
        self,
        info: Ctx,
        input: Annotated[
            InstitutionApplicationInput,
            strawberry.argument(
                description="The application for the next three years; every problem comes back at once as `userErrors`."
            ),
        ],
    ) -> InstitutionPayload:
        return await payload(
            InstitutionPayload, r.renew(info.context, input.to_domain()), Institution.from_domain
        )

    @strawberry.mutation(
        description="Recommend an application (notice 四(四)). Roles: its recommender only: "
        "PROVINCIAL_REVIEWER of its province; MINISTRY_RECOMMENDER of the sector it names, within "
        "the sector's fields; OFFICE_ADMIN for ministry-level bodies."
    )
    async def recommend_institution(
        self,
        info: Ctx,
        uscc: UsccArg,
    ) -> InstitutionPayload:
        return await payload(
            InstitutionPayload, r.recommend(info.context, uscc), Institution.from_domain
        )

    @strawberry.mutation(
        description="CETTIC's expert review passes the application. Roles: CETTIC_REVIEWER."
    )
    async def pass_preliminary_review(
        self,
        info: Ctx,
        uscc: UsccArg,
    ) -> InstitutionPayload:
        return await payload(
            InstitutionPayload,
            r.pass_preliminary_review(info.context, uscc),
            Institution.from_domain,
        )

    @strawberry.mutation(description="Roles: OFFICE_ADMIN.")
    async def approve_institution_audit(
        self,
        info: Ctx,
        uscc: UsccArg,
    ) -> InstitutionPayload:
        return await payload(
            InstitutionPayload, r.approve_audit(info.context, uscc), Institution.from_domain
        )

    @strawberry.mutation(
        description="Record the steering group's (工程指导协调小组) decision to include an audited "
        "institution (notice 四(四)); the publicity starts only after it. Roles: OFFICE_ADMIN."
    )
    async def record_steering_decision(
        self,
        info: Ctx,
        uscc: UsccArg,
        decided_on: Annotated[
            dt.date,
            strawberry.argument(
                description="The day the group decided: not before the audit, not in the future."
            ),
        ],
        reference: Annotated[
            str,
            strawberry.argument(
                description="Where it decided: the meeting or document (at most 2,000 characters)."
            ),
        ],
    ) -> InstitutionPayload:
        return await payload(
            InstitutionPayload,
            r.record_steering_decision(info.context, uscc, decided_on, reference),
            Institution.from_domain,
        )

    @strawberry.mutation(
        description="Start the publicity announced on `startDate`: not before the audit was "
        "approved nor the steering group's decision, not in the future, and before today only with `announcementReference` (where "
        "it was published). Objections are taken for 15 working days from the later of "
        "`startDate` and today. Roles: OFFICE_ADMIN."
    )
    async def start_publicity(
        self,
        info: Ctx,
        uscc: UsccArg,
        start_date: Annotated[
            dt.date,
            strawberry.argument(
                description="The publicity's first day: not before the audit; earlier than today only with the announcement's reference."
            ),
        ],
        announcement_reference: Annotated[
            str | None,
            strawberry.argument(
                description="Where and when the publicity was announced; required for a "
                "`startDate` before today, shown publicly with the publicity."
            ),
        ] = None,
    ) -> InstitutionPayload:
        return await payload(
            InstitutionPayload,
            r.start_publicity(info.context, uscc, start_date, announcement_reference),
            Institution.from_domain,
        )

    @strawberry.mutation(
        description="Object to an institution during its publicity. Roles: anyone, including the public."
    )
    async def lodge_objection(
        self,
        info: Ctx,
        uscc: UsccArg,
        text: Annotated[
            str,
            strawberry.argument(
                description="The objection; shown to reviewers only (it may name people)."
            ),
        ],
    ) -> ObjectionPayload:
        return await payload(
            ObjectionPayload,
            r.lodge_objection(info.context, uscc, text),
            lambda lodged: {
                "institution": Institution.from_domain(lodged.institution),
                "objection_id": lodged.objection_id,
            },
        )

    @strawberry.mutation(description="Roles: OFFICE_ADMIN.")
    async def resolve_objection(
        self,
        info: Ctx,
        uscc: UsccArg,
        objection_id: Annotated[str, strawberry.argument(description="The objection's id.")],
        upheld: Annotated[
            bool, strawberry.argument(description="Whether the objection is upheld.")
        ],
        resolution: Annotated[
            str,
            strawberry.argument(
                description="The office's resolution, published with the objection."
            ),
        ],
    ) -> InstitutionPayload:
        return await payload(
            InstitutionPayload,
            r.resolve_objection(info.context, uscc, objection_id, upheld, resolution),
            Institution.from_domain,
        )

    @strawberry.mutation(
        description="List after the publicity, all objections resolved; valid 3 years. Roles: OFFICE_ADMIN."
    )
    async def list_institution(
        self,
        info: Ctx,
        uscc: UsccArg,
    ) -> InstitutionPayload:
        return await payload(
            InstitutionPayload, r.list_institution(info.context, uscc), Institution.from_domain
        )

    @strawberry.mutation(
        description="Return the application with a reason. Roles: the reviewer of the current step, or OFFICE_ADMIN."
    )
    async def return_application(
        self,
        info: Ctx,
        uscc: UsccArg,
        reason: ReasonArg,
    ) -> InstitutionPayload:
        return await payload(
            InstitutionPayload,
            r.return_application(info.context, uscc, reason),
            Institution.from_domain,
        )

    @strawberry.mutation(description="Roles: OFFICE_ADMIN, PROVINCIAL_REVIEWER of its province.")
    async def suspend_institution(
        self,
        info: Ctx,
        uscc: UsccArg,
        reason: ReasonArg,
    ) -> InstitutionPayload:
        return await payload(
            InstitutionPayload, r.suspend(info.context, uscc, reason), Institution.from_domain
        )

    @strawberry.mutation(description="Roles: OFFICE_ADMIN.")
    async def reinstate_institution(
        self,
        info: Ctx,
        uscc: UsccArg,
        reason: ReasonArg,
    ) -> InstitutionPayload:
        return await payload(
            InstitutionPayload, r.reinstate(info.context, uscc, reason), Institution.from_domain
        )

    @strawberry.mutation(
        description="Remove from the directory for a violation of 六(三). Roles: OFFICE_ADMIN."
    )
    async def remove_institution(
        self,
        info: Ctx,
        uscc: UsccArg,
        violation: Annotated[
            Violation, strawberry.argument(description="The violation of notice 六(三) found.")  # type: ignore[valid-type]
        ],
        details: Annotated[
            str, strawberry.argument(description="What was found, published with the removal.")
        ],
    ) -> InstitutionPayload:
        return await payload(
            InstitutionPayload,
            r.remove(info.context, uscc, api.Violation(violation), details),
            Institution.from_domain,
        )

    @strawberry.mutation(description="Record the end of validity. Roles: OFFICE_ADMIN.")
    async def expire_institution(
        self,
        info: Ctx,
        uscc: UsccArg,
    ) -> InstitutionPayload:
        return await payload(
            InstitutionPayload, r.expire(info.context, uscc), Institution.from_domain
        )

    @strawberry.mutation(description="Submit or replace the annual plan. Roles: the institution.")
    async def submit_annual_report(
        self,
        info: Ctx,
        kind: Annotated[
            ReportKind, strawberry.argument(description="PLAN (年度计划) or SUMMARY (年度总结).")
        ],
        year: Annotated[int, strawberry.argument(description="The year it covers.")],
        people: Annotated[
            int,
            strawberry.argument(
                description="People planned (PLAN) or trained or assessed (SUMMARY)."
            ),
        ],
        sessions: Annotated[
            int, strawberry.argument(description="Sessions planned (PLAN) or held (SUMMARY).")
        ],
        text: Annotated[str, strawberry.argument(description="The plan or summary itself.")],
    ) -> AnnualReportPayload:
        return await payload(
            AnnualReportPayload,
            r.submit_report(info.context, api.ReportKind(kind.value), year, people, sessions, text),
            AnnualReport,
        )

    @strawberry.mutation(
        description="Record a new fee schedule of a listed institution from the day it takes "
        "effect (within the current listing, not after today); the same change again changes "
        "nothing. Roles: the institution."
    )
    async def change_institution_fees(
        self,
        info: Ctx,
        uscc: str,
        fees: Annotated[
            list[FeeItemInput], strawberry.argument(description="The whole new schedule.")
        ],
        effective_from: Annotated[
            dt.date, strawberry.argument(description="The first day the new fees apply.")
        ],
        note: Annotated[
            str | None, strawberry.argument(description="Why, shown with the change.")
        ] = None,
    ) -> InstitutionPayload:
        schedule = [f.to_domain() for f in fees]
        return await payload(
            InstitutionPayload,
            r.change_fees(info.context, uscc, schedule, effective_from, note),
            Institution.from_domain,
        )

    @strawberry.mutation(
        description="Enter a year's holiday arrangement for years chinese-calendar lacks. Roles: OFFICE_ADMIN."
    )
    async def set_holiday_arrangement(
        self,
        info: Ctx,
        year: Annotated[
            int,
            strawberry.argument(
                description="The year of the State Council's holiday arrangement (节假日安排)."
            ),
        ],
        holidays: Annotated[
            list[dt.date], strawberry.argument(description="Its days off, as dates.")
        ],
        workdays: Annotated[
            list[dt.date],
            strawberry.argument(
                description="Its weekend days that are working days (调休上班), as dates."
            ),
        ],
    ) -> HolidayArrangementPayload:
        return await payload(
            HolidayArrangementPayload,
            r.set_holiday_arrangement(info.context, year, holidays, workdays),
        )

    @strawberry.mutation(
        description="Report an assessment batch. Roles: EVALUATION_INSTITUTION (listed on the exam date)."
    )
    async def submit_assessment_batch(
        self,
        info: Ctx,
        input: Annotated[
            AssessmentBatchInput,
            strawberry.argument(
                description="The whole input; every problem in it comes back at once as `userErrors`."
            ),
        ],
    ) -> AssessmentBatchPayload:
        return await payload(
            AssessmentBatchPayload,
            rc.submit(info.context, input.to_domain()),
            AssessmentBatch.from_doc,
        )

    @strawberry.mutation(
        description="Correct and resubmit a returned batch. Roles: the institution that submitted it."
    )
    async def resubmit_assessment_batch(
        self,
        info: Ctx,
        batch_id: Annotated[
            str, strawberry.argument(description="The batch's raw id (`bat_…`) or its global `id`.")
        ],
        input: Annotated[
            AssessmentBatchInput,
            strawberry.argument(
                description="The whole input; every problem in it comes back at once as `userErrors`."
            ),
        ],
    ) -> AssessmentBatchPayload:
        return await payload(
            AssessmentBatchPayload,
            rc.resubmit(info.context, batch_id, input.to_domain()),
            AssessmentBatch.from_doc,
        )

    @strawberry.mutation(
        description="Authenticity and compliance checked. Roles: PROVINCIAL_REVIEWER of the institution's province."
    )
    async def approve_batch_province(
        self,
        info: Ctx,
        batch_id: Annotated[
            str, strawberry.argument(description="The batch's raw id (`bat_…`) or its global `id`.")
        ],
    ) -> AssessmentBatchPayload:
        return await payload(
            AssessmentBatchPayload,
            rc.approve_province(info.context, batch_id),
            AssessmentBatch.from_doc,
        )

    @strawberry.mutation(description="Preliminary check. Roles: CETTIC_REVIEWER.")
    async def check_batch_cettic(
        self,
        info: Ctx,
        batch_id: Annotated[
            str, strawberry.argument(description="The batch's raw id (`bat_…`) or its global `id`.")
        ],
    ) -> AssessmentBatchPayload:
        return await payload(
            AssessmentBatchPayload,
            rc.check_cettic(info.context, batch_id),
            AssessmentBatch.from_doc,
        )

    @strawberry.mutation(
        description="Publish: every certificate signed and public, or none. Roles: OFFICE_ADMIN."
    )
    async def publish_batch(
        self,
        info: Ctx,
        batch_id: Annotated[
            str, strawberry.argument(description="The batch's raw id (`bat_…`) or its global `id`.")
        ],
    ) -> AssessmentBatchPayload:
        return await payload(
            AssessmentBatchPayload, rc.publish(info.context, batch_id), AssessmentBatch.from_doc
        )

    @strawberry.mutation(
        description="Return with reasons. Roles: the reviewer of the current step, or OFFICE_ADMIN."
    )
    async def return_batch(
        self,
        info: Ctx,
        batch_id: Annotated[
            str, strawberry.argument(description="The batch's raw id (`bat_…`) or its global `id`.")
        ],
        reason: ReasonArg,
    ) -> AssessmentBatchPayload:
        return await payload(
            AssessmentBatchPayload,
            rc.return_batch(info.context, batch_id, reason),
            AssessmentBatch.from_doc,
        )

    @strawberry.mutation(
        description="Revoke with a reason (never deleted). Roles: the issuing EVALUATION_INSTITUTION, OFFICE_ADMIN."
    )
    async def revoke_certificate(
        self,
        info: Ctx,
        number: Annotated[
            str, strawberry.argument(description="The certificate number (证书编号).")
        ],
        reason: ReasonArg,
    ) -> CertificatePayload:
        return await payload(
            CertificatePayload, rc.revoke(info.context, number, reason), Certificate
        )
