"""Supervision's states, actions and moves: the tables the registry functions, the policy
(`registry.supervision.policy`) and `docs/training-and-supervision.md` follow.

Scope: the office acts nationwide; a provincial reviewer acts for its own province only: its
roster entries, campaigns restricted to its province, findings on institutions of its province.
Removal from the directory stays with the office, as in the directory's own rules.
"""

from __future__ import annotations

from enum import StrEnum

from registry.access.auth import Role
from registry.institutions.model import Violation
from registry.storage import store
from registry.storage.collections import Collection
from registry.storage.transitions import TransitionTable, transition

SUPERVISORS = frozenset({Role.OFFICE_ADMIN, Role.PROVINCIAL_REVIEWER})
# The campaign record, as the store knows it (announcement, draw, correction, results).
CAMPAIGN = store.Kind(
    Collection.SUPERVISION_CAMPAIGNS, "campaign", "supervision", "CAMPAIGN_NOT_FOUND", "campaignId"
)


class CampaignStatus(StrEnum):
    ANNOUNCED = "ANNOUNCED"
    DRAWN = "DRAWN"
    RESULTS_PUBLISHED = "RESULTS_PUBLISHED"
    CORRECTED = "CORRECTED"  # replaced by a correction campaign, which names it and says why


class Enforcement(StrEnum):
    """Where a finding's suspension or removal stands."""

    PENDING = "PENDING"
    DONE = "DONE"
    NOT_REQUIRED = "NOT_REQUIRED"


class Outcome(StrEnum):
    COMPLIANT = "COMPLIANT"  # 未发现问题
    DEFICIENT = "DEFICIENT"  # 发现问题，责令整改
    VIOLATION = "VIOLATION"  # 六(三) 所列违规行为，经调查核实


class FindingAction(StrEnum):
    """What a finding decides for the institution, from the lightest to the heaviest."""

    NONE = "NONE"
    RECTIFY = "RECTIFY"  # 限期整改: recorded, no change on the directory
    SUSPEND = "SUSPEND"  # the directory's `suspend`
    REMOVE = "REMOVE"  # the directory's `remove` (退出目录)

    @property
    def severity(self) -> int:
        """Its rank: a heavier consequence than another has a higher one."""
        return list(FindingAction).index(self)


# The least a confirmed violation may end in: the one statement of 六(三) ("上述违规行为的，一经
# 调查核实，则退出培训机构或评价机构目录"). Every violation it lists ends the listing, so a finding
# of any of them cannot close with a suspension only. Keyed by every `Violation`; a kind missing
# here falls to removal (`minimum_consequence`), so a new kind is never lighter by omission.
MINIMUM_CONSEQUENCE: dict[Violation, FindingAction] = {
    Violation.FALSE_ADVERTISING: FindingAction.REMOVE,
    Violation.TRAINING_LOANS: FindingAction.REMOVE,
    Violation.EXAGGERATED_RESULTS: FindingAction.REMOVE,
    Violation.SUBCONTRACTING: FindingAction.REMOVE,
    Violation.FRAUD: FindingAction.REMOVE,
    Violation.FEE_MISAPPROPRIATION: FindingAction.REMOVE,
}


def minimum_consequence(violation: Violation) -> FindingAction:
    """The lightest action a finding of `violation` may decide (removal unless the table says)."""
    return MINIMUM_CONSEQUENCE.get(violation, FindingAction.REMOVE)


class Action(StrEnum):
    """Everything a caller may ask of supervision; the values are the audit log's names."""

    ADD_INSPECTOR = "addInspector"
    RETIRE_INSPECTOR = "retireInspector"
    ANNOUNCE = "announce"
    DRAW = "draw"
    CORRECT = "correct"
    PUBLISH_RESULTS = "publishResults"
    RECORD_FINDING = "recordFinding"
    ENFORCE_FINDING = "enforceFinding"
    VIEW_FINDINGS = "viewFindings"
    BROWSE = "browse"


C = CampaignStatus
CAMPAIGN_MOVES: TransitionTable[Action, CampaignStatus] = TransitionTable(
    "campaign",
    [
        transition(
            Action.DRAW,
            {C.ANNOUNCED},
            C.DRAWN,
            SUPERVISORS,
            "the campaign's owner (or the office) enters the seed; the draw is stored",
        ),
        transition(
            Action.CORRECT,
            {C.ANNOUNCED, C.DRAWN},
            C.CORRECTED,
            SUPERVISORS,
            "a correction campaign is announced in its place, with a public reason; never once "
            "a finding is recorded",
            reason=True,
        ),
        transition(
            Action.PUBLISH_RESULTS,
            {C.DRAWN},
            C.RESULTS_PUBLISHED,
            SUPERVISORS,
            "every drawn institution has a finding: the campaign's owner (or the office) "
            "publishes them",
        ),
    ],
)
ENFORCEMENT_MOVES: TransitionTable[Action, Enforcement] = TransitionTable(
    "finding",
    [
        transition(
            Action.ENFORCE_FINDING,
            {Enforcement.PENDING},
            Enforcement.DONE,
            SUPERVISORS,
            "the directory's suspension or removal ran",
        )
    ],
)
