"""GraphQL types of the institution directories."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers import api
from resolvers import training as rt
from resolvers.context import Context
from resolvers.global_ids import to_global_id
from resolvers.institutions import listed_on, may_review, overdue_reports, sector_name
from resolvers.pagination import Page
from schema import words
from schema.catalogue import Level, Occupation, occupation_of
from schema.convert import from_model, private_source, source
from schema.directory_enums import (
    InstitutionKind,
    InstitutionStatus,
    PriorityBasis,
    RecommenderKind,
    Violation,
)
from schema.enums import with_values
from schema.loaders import reports_loader
from schema.metrics import InstitutionMetrics
from schema.node import Node
from schema.relay import Connection, connection


@with_values(
    "The two annual reports of a listed institution (notice 四(六)1).",
    {
        "PLAN": "The annual plan (年度计划).",
        "SUMMARY": "The annual summary (年度总结).",
    },
)
class ReportKind(Enum):
    PLAN = "PLAN"
    SUMMARY = "SUMMARY"


@strawberry.type(
    description="One occupation × direction × level an institution may train or assess."
)
class ScopeEntry:
    occupation_code: str = source(
        "occupation",
        description=words.OCCUPATION_CODE,
    )
    direction: str | None = strawberry.field(description=words.DIRECTION)
    level: Level = strawberry.field(description=words.LEVEL)

    occupation: Occupation | None = strawberry.field(
        resolver=occupation_of, description="The occupation, from the catalogue."
    )


@strawberry.type(description="A publicly disclosed fee.")
class Fee:
    item: str = strawberry.field(description="What the fee is for, e.g. 培训费 or 考核费.")
    amount_yuan: float = strawberry.field(description="The amount in yuan (元).")
    unit: str = strawberry.field(
        description="Per what it is charged, e.g. 人次 (per person and session)."
    )
    note: str | None = strawberry.field(
        description="Anything else the institution discloses about it."
    )


@strawberry.type(
    description="A fee schedule changed during a listing (notice 四(六)4), with the day it took "
    "effect and the schedule it replaced."
)
class FeeChange:
    effective_from: dt.date = strawberry.field(description="The first day the new fees applied.")
    fees: list[Fee] = strawberry.field(description="The schedule from that day.")
    previous_fees: list[Fee] = strawberry.field(
        description="The schedule shown as current when the change was recorded."
    )
    recorded_at: dt.datetime = strawberry.field(description="When the registry recorded it.")
    note: str | None = strawberry.field(description="The institution's note on the change.")


@strawberry.type(
    description="Priority in the selection claimed by an application (notice 四(三)), shown to "
    "reviewers and the public with the application."
)
class PrioritySelection:
    basis: PriorityBasis = strawberry.field(description="The ground claimed.")  # type: ignore[valid-type]
    evidence: str = strawberry.field(
        description="The designation or the standard the applicant names as evidence."
    )


@strawberry.type(description="A period on the directory: from `start` to `until` (exclusive).")
class ListingPeriod:
    start: dt.date = strawberry.field(description="First day on the directory.")
    until: dt.date = strawberry.field(
        description="The day it left or leaves the directory (exclusive)."
    )
    ended: str | None = strawberry.field(description="Why it ended early: SUSPENDED or REMOVED.")
    scope: list[ScopeEntry] = strawberry.field(
        description="What it was listed for during this period."
    )


@strawberry.type(
    description="An objection lodged during the publicity, and how the office resolved it."
)
class Objection:
    id: str = strawberry.field(description="The objection's id.")
    lodged_on: dt.datetime = strawberry.field(description="When it was lodged.")
    objection_text: strawberry.Private[str] = private_source("text")
    resolved_on: dt.datetime | None = strawberry.field(
        description="When the office resolved it; null while open."
    )
    upheld: bool | None = strawberry.field(
        description="Whether the office upheld it; null while open."
    )
    resolution: str | None = strawberry.field(
        description="The office's resolution; null while open."
    )

    @strawberry.field(
        description="The objection's text: for reviewers only (it may name people); null otherwise."
    )
    async def text(self, info: Info[Context, None]) -> str | None:
        return self.objection_text if await may_review(info.context) else None


@strawberry.type(description="One step of the institution's history.")
class HistoryEntry:
    at: dt.datetime = strawberry.field(description="When the step happened.")
    action: str = strawberry.field(
        description="The step, e.g. apply, recommend, audit, startPublicity, list, suspend, remove."
    )
    from_status: InstitutionStatus | None = strawberry.field(  # type: ignore[valid-type]
        description="The status before the step (null for the application)."
    )
    to_status: InstitutionStatus = strawberry.field(description="The status after the step.")  # type: ignore[valid-type]
    reason: str | None = strawberry.field(
        description="The reason given (returns, suspensions, removals), else null."
    )
    by: str = strawberry.field(
        description="Who took the step: the role and the institution, province or sector it "
        "acts for, e.g. PROVINCIAL_REVIEWER@35, MINISTRY_RECOMMENDER@MIIT, OFFICE_ADMIN (never "
        "the token)."
    )


@strawberry.type(
    description="Who recommends the application (notice 四(四)): its province's HR department, "
    "the HR office of the industry ministry of the sector it names, or the office."
)
class Recommender:
    kind: RecommenderKind = strawberry.field(  # type: ignore[valid-type]
        description="PROVINCE, SECTOR or OFFICE."
    )
    province: str | None = strawberry.field(
        description="The province whose HR department recommends it (kind PROVINCE), else null."
    )
    sector: str | None = strawberry.field(
        description="The sector whose ministry HR office recommends it (kind SECTOR), else null."
    )

    @strawberry.field(
        description="The sector's recommending office, e.g. 工业和信息化部人事教育司."
    )
    def sector_name(self) -> str | None:
        return sector_name(self.sector)


@strawberry.type(
    description="The steering group's (工程指导协调小组) decision to include the institution, "
    "after the office's audit (notice 四(四)), as the office recorded it."
)
class SteeringDecision:
    decided_on: dt.date = strawberry.field(description="The day the steering group decided.")
    reference: str = strawberry.field(
        description="Where it decided: its meeting or document, as the office recorded it."
    )
    recorded_at: dt.datetime = strawberry.field(description="When the office recorded it.")
    recorded_by: str = source(
        "recorded_by_role",
        description="Who recorded it: the role (OFFICE_ADMIN), never the token.",
    )


@strawberry.type(description="An annual plan or summary (notice 四(六)1).")
class AnnualReport:
    year: int = strawberry.field(description="The year it covers.")
    kind: ReportKind = strawberry.field(description="PLAN (年度计划) or SUMMARY (年度总结).")
    people: int = strawberry.field(description="Planned (PLAN) or trained/assessed (SUMMARY).")
    sessions: int = strawberry.field(description="Sessions planned (PLAN) or held (SUMMARY).")
    text: str = strawberry.field(description="The plan or summary itself.")
    submitted_at: dt.datetime = strawberry.field(description="When it was (last) submitted.")


@strawberry.type(
    description="An annual plan or summary the institution owes and has not submitted by its due "
    "date (notice 四(六)1; the due dates are the registry's convention, docs/obligations.md)."
)
class OverdueReport:
    uscc: str = source("institution", description="The institution that owes it.")
    year: int = strawberry.field(description="The year the plan or summary is for.")
    kind: ReportKind = strawberry.field(description="PLAN or SUMMARY.")
    due: dt.date = strawberry.field(
        description="The last day it was due: 31 January of the year (PLAN; 30 days after a "
        "listing that began later) or of the next year (SUMMARY)."
    )


@strawberry.type(description="A training or evaluation institution.")
class Institution(Node):
    uscc: str = strawberry.field(description="Unified social credit code (GB 32100).")
    name: str = strawberry.field(description="The institution's registered name.")
    kind: InstitutionKind = strawberry.field(  # type: ignore[valid-type]
        description="TRAINING (培训机构) or EVALUATION (评价机构)."
    )
    province: str = strawberry.field(
        description="Two-digit province code (GB/T 2260). Its provincial HR department recommends "
        "it unless it applied through a sector (`recommender`)."
    )
    number: str | None = strawberry.field(
        description="4-digit number assigned at first listing; part of certificate numbers."
    )
    status: InstitutionStatus = strawberry.field(  # type: ignore[valid-type]
        description="Current state; LISTED past its validity reads as EXPIRED."
    )
    valid_until: dt.date | None = strawberry.field(
        description="End of the current validity (exclusive)."
    )
    first_listed: dt.date | None = strawberry.field(
        description="The first day it was ever listed; null before."
    )
    publicity_start: dt.date | None = strawberry.field(
        description="First day of the publicity (公示) before listing; null before the audit."
    )
    publicity_end: dt.date | None = strawberry.field(
        description="Last day of the publicity (inclusive)."
    )
    publicity_provisional: bool = strawberry.field(
        description="True when the end date was computed without holiday data for a year."
    )
    publicity_recorded_on: dt.date | None = strawberry.field(
        description="The day the registry recorded the publicity: objections are taken through "
        "the registry from then until `publicityEnd`, 15 working days."
    )
    publicity_announcement: str | None = strawberry.field(
        description="Where and when the publicity was announced, when it started before the "
        "registry recorded it."
    )
    scope: list[ScopeEntry] = strawberry.field(
        description="The occupations, directions and levels it may train or assess."
    )
    fees: list[Fee] = strawberry.field(
        description="Its publicly disclosed fees (收费标准) in effect: the latest change's "
        "(`feeChanges`) or, without one, the application's."
    )
    fee_changes: list[FeeChange] = strawberry.field(
        description="Fee changes during listings, in the order recorded (notice 四(六)4)."
    )
    priority: PrioritySelection | None = strawberry.field(
        description="Priority in the selection claimed in the application (notice 四(三)); "
        "null when none was claimed."
    )
    listings: list[ListingPeriod] = strawberry.field(
        description="Every period it was on the directory, oldest first."
    )
    objections: list[Objection] = strawberry.field(
        description="Objections lodged during its publicity."
    )
    history: list[HistoryEntry] = strawberry.field(
        description="Every step of its lifecycle, oldest first."
    )
    recommender: Recommender = strawberry.field(
        description="Who recommends (or recommended) the current application (notice 四(四))."
    )
    recommended_at: dt.datetime | None = strawberry.field(
        description="When the current application was last recommended; null before."
    )
    steering_decision: SteeringDecision | None = source(
        "steering",
        description="The steering group's decision, once the office recorded it; null before, "
        "and for institutions publicized before the registry recorded this step.",
    )
    return_reason: str | None = strawberry.field(
        description="Why the application was returned, while it is RETURNED; else null."
    )
    removal_violation: Violation | None = source(  # type: ignore[valid-type]
        "removal.violation",
        description="The violation of notice 六(三) that removed it; null unless REMOVED.",
    )
    removal_details: str | None = source(
        "removal.details", description="What the office found, when REMOVED; else null."
    )
    domain: strawberry.Private[api.Institution]

    @strawberry.field(description="Annual plans and summaries, newest year first.")
    async def annual_reports(self, info: Info[Context, None]) -> list[AnnualReport]:
        found = await reports_loader(info.context).load(self.uscc)
        return [from_model(AnnualReport, r) for r in found]

    @strawberry.field(
        description="Annual plans and summaries overdue today, oldest due first: derived from "
        "the listing periods and the reports stored; a late submission clears it."
    )
    async def overdue_reports(self, info: Info[Context, None]) -> list[OverdueReport]:
        found = await reports_loader(info.context).load(self.uscc)
        return [from_model(OverdueReport, r) for r in overdue_reports(self.domain, found)]

    @strawberry.field(
        description="Attendance, pass and employment rates of a year (notice 六(二))."
    )
    async def metrics(
        self,
        info: Info[Context, None],
        year: Annotated[int, strawberry.argument(description="The year measured (2021 or later).")],
    ) -> InstitutionMetrics:
        return from_model(
            InstitutionMetrics, await rt.institution_metrics(info.context, self.uscc, year)
        )

    @strawberry.field(description="Was it on the directory on this day?")
    def listed_on(
        self,
        date: Annotated[
            dt.date, strawberry.argument(description="The day asked about (China Standard Time).")
        ],
    ) -> bool:
        return listed_on(self.domain, date)

    @classmethod
    def from_domain(cls, i: api.Institution) -> Institution:
        return from_model(
            cls,
            i,
            id=strawberry.ID(to_global_id("Institution", i.uscc)),
            status=i.effective_status(api.today()),
            domain=i,
        )


@strawberry.type(description="A page of institutions.")
class InstitutionConnection(Connection[Institution]):
    # Only the descriptions differ from every other connection (the schema keeps its wording).
    @strawberry.field(description="The institutions of this page, without cursors.")
    def nodes(self) -> list[Institution]:
        return [edge.node for edge in self.edges]

    @strawberry.field(description="How many institutions match the filter, over all pages.")
    async def total_count(self) -> int:
        return await self.count()

    @classmethod
    def of(cls, page: Page[api.Institution]) -> InstitutionConnection:
        return connection(page, Institution.from_domain, cls)
