"""The institution record: states, violations and the read model built from a stored document."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    TRAINING = "TRAINING"
    EVALUATION = "EVALUATION"


class Status(StrEnum):
    APPLIED = "APPLIED"
    RECOMMENDED = "RECOMMENDED"
    PRELIMINARY_PASSED = "PRELIMINARY_PASSED"
    AUDITED = "AUDITED"
    # The steering group (工程指导协调小组) decided to include it (notice 四(四)); the office
    # records the decision, and the publicity starts only after it.
    STEERING_CONFIRMED = "STEERING_CONFIRMED"
    PUBLICIZED = "PUBLICIZED"
    LISTED = "LISTED"
    EXPIRED = "EXPIRED"
    SUSPENDED = "SUSPENDED"
    REMOVED = "REMOVED"
    # Not on the lifecycle's main line (docs/architecture.md) but implied by "any step may return the application":
    # the application waits here for the institution to correct and resubmit it.
    RETURNED = "RETURNED"


class Violation(StrEnum):
    """Grounds for removal, from the notice's section 六(三)."""

    FALSE_ADVERTISING = "FALSE_ADVERTISING"  # 发布虚假广告
    TRAINING_LOANS = "TRAINING_LOANS"  # 发放"培训贷"
    EXAGGERATED_RESULTS = "EXAGGERATED_RESULTS"  # 夸大培训效果: 包过, 不过退费, 包就业, 包年薪
    SUBCONTRACTING = "SUBCONTRACTING"  # 转包、转让其他机构
    FRAUD = "FRAUD"  # 弄虚作假
    FEE_MISAPPROPRIATION = "FEE_MISAPPROPRIATION"  # 违规套取或冒领费用


VIOLATION_NAMES = {
    Violation.FALSE_ADVERTISING: "发布虚假广告",
    Violation.TRAINING_LOANS: "发放“培训贷”",
    Violation.EXAGGERATED_RESULTS: "夸大培训效果（包过、不过退费、包就业、包年薪）",
    Violation.SUBCONTRACTING: "在目录之外转包、转让其他机构开展培训评价活动",
    Violation.FRAUD: "弄虚作假",
    Violation.FEE_MISAPPROPRIATION: "违规套取或冒领费用",
}

LISTING_YEARS = 3
PUBLICITY_WORKING_DAYS = 15
MIN_EXPERIENCE_YEARS = 5
MIN_YEARLY_COUNT = 2000


@dataclass(frozen=True)
class ScopeEntry:
    occupation: str  # primary occupation code
    direction: str | None
    level: int  # 1 初级, 2 中级, 3 高级


@dataclass(frozen=True)
class Fee:
    item: str
    amount_yuan: float
    unit: str
    note: str | None


class PriorityBasis(StrEnum):
    """Why an applicant claims priority in the selection (notice 四(三))."""

    NATIONAL_CE_BASE = "NATIONAL_CE_BASE"  # 国家级专业技术人员继续教育基地 (training)
    STANDARD_DEVELOPER = "STANDARD_DEVELOPER"  # 相关职业标准开发单位 (evaluation)


# The one basis each kind of institution may claim.
PRIORITY_OF_KIND = {
    Kind.TRAINING: PriorityBasis.NATIONAL_CE_BASE,
    Kind.EVALUATION: PriorityBasis.STANDARD_DEVELOPER,
}


@dataclass(frozen=True)
class Priority:
    """A claimed priority and its evidence (the designation or the standard developed)."""

    basis: PriorityBasis
    evidence: str


@dataclass(frozen=True)
class FeeChange:
    """A fee schedule changed during a listing (notice 四(六)4), effective from a day."""

    effective_from: dt.date
    fees: tuple[Fee, ...]
    previous_fees: tuple[Fee, ...]
    recorded_at: dt.datetime
    note: str | None


@dataclass(frozen=True)
class Contact:
    person: str
    phone: str
    email: str | None
    address: str | None


@dataclass(frozen=True)
class ListingPeriod:
    start: dt.date
    until: dt.date  # exclusive
    scope: tuple[ScopeEntry, ...]
    ended: str | None  # why it ended before `until`: SUSPENDED, REMOVED


@dataclass(frozen=True)
class Objection:
    id: str
    lodged_on: dt.datetime
    text: str
    resolved_on: dt.datetime | None
    upheld: bool | None
    resolution: str | None


class RecommenderKind(StrEnum):
    """Who recommends an application (notice 四(四))."""

    PROVINCE = "PROVINCE"  # 省级人力资源社会保障部门, of the institution's province
    SECTOR = "SECTOR"  # 行业主管部门人事部门, of the sector the application names
    OFFICE = "OFFICE"  # the office, for ministry-level bodies


@dataclass(frozen=True)
class Recommender:
    """The recommender an application goes to: the one rule of its route, read by the policy
    (who may recommend and return it at APPLIED) and shown with the record."""

    kind: RecommenderKind
    province: str | None
    sector: str | None

    @classmethod
    def of(cls, doc: Mapping[str, Any]) -> Recommender:
        """The route of a stored record or an application's fields: its sector's ministry when
        it names a sector, the office for a ministry-level body, else its province."""
        if doc.get("sector"):
            return cls(RecommenderKind.SECTOR, None, doc["sector"])
        if doc.get("ministry_level"):
            return cls(RecommenderKind.OFFICE, None, None)
        return cls(RecommenderKind.PROVINCE, doc.get("province"), None)


def acting_as(actor: str) -> str:
    """An audit actor (`ROLE:token@scope`) as the role and the institution, province or sector
    it acts for (`PROVINCIAL_REVIEWER@35`), never the token's id."""
    role, _, rest = actor.partition(":")
    scope = rest.partition("@")[2]
    return f"{role}@{scope}" if scope else role


@dataclass(frozen=True)
class SteeringDecision:
    """The steering group's decision to include the institution (报工程指导协调小组确定), as the
    office recorded it: the day the group decided, where (its meeting or document), and who
    recorded it when."""

    decided_on: dt.date
    reference: str
    recorded_by: str
    recorded_at: dt.datetime

    @property
    def recorded_by_role(self) -> str:
        return acting_as(self.recorded_by)


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    action: str
    from_status: Status | None
    to_status: Status
    actor: str
    reason: str | None

    @property
    def by(self) -> str:
        """Who took the step (`acting_as`): `PROVINCIAL_REVIEWER@35`, `MINISTRY_RECOMMENDER@MIIT`."""
        return acting_as(self.actor)


@dataclass(frozen=True)
class Institution:
    uscc: str
    name: str
    kind: Kind
    province: str
    ministry_level: bool
    status: Status  # as stored
    contact: Contact
    experience_years: int
    yearly_count: int
    scope: tuple[ScopeEntry, ...]
    fees: tuple[Fee, ...]
    number: str | None
    publicity_start: dt.date | None
    publicity_end: dt.date | None
    publicity_provisional: bool
    publicity_recorded_on: dt.date | None  # the registry takes objections from this day
    publicity_announcement: str | None  # where a publicity started before it was recorded
    listings: tuple[ListingPeriod, ...]
    objections: tuple[Objection, ...]
    history: tuple[HistoryEntry, ...]
    return_reason: str | None
    removal: dict[str, Any] | None
    revision: int
    fee_changes: tuple[FeeChange, ...] = ()
    priority: Priority | None = None
    # The sector whose ministry HR office recommends the application; None: its province's
    # department (or the office, for a ministry-level body).
    sector: str | None = None
    steering: SteeringDecision | None = None

    @property
    def recommender(self) -> Recommender:
        return Recommender.of(
            {
                "sector": self.sector,
                "ministry_level": self.ministry_level,
                "province": self.province,
            }
        )

    @property
    def recommended_at(self) -> dt.datetime | None:
        """When the current application was last recommended; None before."""
        steps = [h.at for h in self.history if h.action == "recommend"]
        return steps[-1] if steps else None

    def effective_status(self, today: dt.date) -> Status:
        """LISTED past the end of its validity reads as EXPIRED even before anyone records it."""
        if self.status is Status.LISTED and self.valid_until is not None:
            if self.valid_until <= today:
                return Status.EXPIRED
        return self.status

    def takes_objections(self, today: dt.date) -> bool:
        """Whether objections are taken on `today`: in publicity, up to its last day (the rule
        of `registry.institutions.publicity.running`, which `lodge_objection` applies)."""
        return (
            self.status is Status.PUBLICIZED
            and self.publicity_end is not None
            and today <= self.publicity_end
        )

    @property
    def valid_until(self) -> dt.date | None:
        return self.listings[-1].until if self.listings else None

    @property
    def first_listed(self) -> dt.date | None:
        return self.listings[0].start if self.listings else None

    def listed_on(self, day: dt.date) -> ListingPeriod | None:
        for period in self.listings:
            if period.start <= day < period.until:
                return period
        return None


def _date(value: Any) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def scope_from(doc: Any) -> tuple[ScopeEntry, ...]:
    return tuple(ScopeEntry(s["occupation"], s.get("direction"), int(s["level"])) for s in doc)


def from_document(doc: dict[str, Any]) -> Institution:
    publicity = doc.get("publicity") or {}
    return Institution(
        uscc=doc["_id"],
        name=doc["name"],
        kind=Kind(doc["kind"]),
        province=doc["province"],
        ministry_level=bool(doc.get("ministry_level")),
        status=Status(doc["status"]),
        contact=Contact(**doc["contact"]),
        experience_years=doc["experience_years"],
        yearly_count=doc["yearly_count"],
        scope=scope_from(doc["scope"]),
        fees=fees_from(doc["fees"]),
        number=doc.get("number"),
        publicity_start=_date(publicity["start"]) if publicity.get("start") else None,
        publicity_end=_date(publicity["end"]) if publicity.get("end") else None,
        publicity_provisional=bool(publicity.get("provisional")),
        publicity_recorded_on=_date(publicity["recorded"]) if publicity.get("recorded") else None,
        publicity_announcement=publicity.get("announcement"),
        listings=tuple(
            ListingPeriod(
                _date(p["start"]), _date(p["until"]), scope_from(p["scope"]), p.get("ended")
            )
            for p in doc.get("listings", [])
        ),
        objections=tuple(
            Objection(
                o["id"],
                o["lodged_on"],
                o["text"],
                o.get("resolved_on"),
                o.get("upheld"),
                o.get("resolution"),
            )
            for o in doc.get("objections", [])
        ),
        history=tuple(
            HistoryEntry(
                h["at"],
                h["action"],
                Status(h["from"]) if h.get("from") else None,
                Status(h["to"]),
                h["actor"],
                h.get("reason"),
            )
            for h in doc.get("history", [])
        ),
        return_reason=doc.get("return_reason"),
        removal=doc.get("removal"),
        revision=doc.get("revision", 0),
        fee_changes=tuple(
            FeeChange(
                _date(c["effective_from"]),
                fees_from(c["fees"]),
                fees_from(c["previous_fees"]),
                c["recorded_at"],
                c.get("note"),
            )
            for c in doc.get("fee_changes", [])
        ),
        priority=_priority(doc.get("priority")),
        sector=doc.get("sector"),
        steering=_steering(doc.get("steering")),
    )


def _steering(stored: dict[str, Any] | None) -> SteeringDecision | None:
    if not stored:
        return None
    return SteeringDecision(
        _date(stored["decided_on"]),
        stored["reference"],
        stored["recorded_by"],
        stored["recorded_at"],
    )


def _priority(stored: dict[str, Any] | None) -> Priority | None:
    return Priority(PriorityBasis(stored["basis"]), stored["evidence"]) if stored else None


def fees_from(stored: list[dict[str, Any]]) -> tuple[Fee, ...]:
    return tuple(Fee(f["item"], f["amount_yuan"], f["unit"], f.get("note")) for f in stored)
