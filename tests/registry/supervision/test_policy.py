"""Supervision's one policy, attacked table by table: every caller × every action, on a
resource inside and outside the caller's province, all through `decide`."""

from __future__ import annotations

from typing import Any

import pytest

from registry.access.auth import ANONYMOUS, Principal, Role
from registry.supervision.policy import decide
from registry.supervision.rules import CAMPAIGN_MOVES, ENFORCEMENT_MOVES, Action
from tests.registry.access.policy_cases import assert_exactly, assert_roles_are_the_tables

CALLERS = {
    "public": ANONYMOUS,
    "office": Principal(Role.OFFICE_ADMIN, "o", "t-o"),
    "cettic": Principal(Role.CETTIC_REVIEWER, "c", "t-c"),
    "prov35": Principal(Role.PROVINCIAL_REVIEWER, "p", "t-35", province="35"),
    "prov11": Principal(Role.PROVINCIAL_REVIEWER, "p", "t-11", province="11"),
    "eval": Principal(Role.EVALUATION_INSTITUTION, "a", "t-a", institution="91350100MA0000000A"),
}
EVERYONE = set(CALLERS)
SUPERVISORS = {"office", "prov35", "prov11"}

CASES: list[tuple[Action, dict[str, Any] | None, set[str]]] = [
    (Action.ADD_INSPECTOR, {"province": "35"}, {"office", "prov35"}),
    (Action.RETIRE_INSPECTOR, {"province": "35"}, {"office", "prov35"}),
    (Action.ANNOUNCE, {"provinces": ()}, SUPERVISORS),  # a province's is narrowed to itself
    (Action.ANNOUNCE, {"provinces": ("35",)}, {"office", "prov35"}),
    (Action.ANNOUNCE, {"provinces": ("11", "35")}, {"office"}),
    (Action.DRAW, {"owner_province": "35"}, {"office", "prov35"}),
    (Action.DRAW, {"owner_province": None}, {"office"}),
    (Action.CORRECT, {"owner_province": "35"}, {"office", "prov35"}),
    (Action.CORRECT, {"owner_province": None}, {"office"}),
    (Action.PUBLISH_RESULTS, {"owner_province": "35"}, {"office", "prov35"}),
    (Action.PUBLISH_RESULTS, {"owner_province": None}, {"office"}),
    (Action.RECORD_FINDING, {"province": "35", "action": "SUSPEND"}, {"office", "prov35"}),
    (Action.RECORD_FINDING, {"province": "35", "action": "REMOVE"}, {"office"}),
    (Action.RECORD_FINDING, {"province": None, "action": "NONE"}, {"office"}),
    (Action.ENFORCE_FINDING, {"province": "35"}, {"office", "prov35"}),
    (Action.VIEW_FINDINGS, {"status": "DRAWN"}, SUPERVISORS),
    (Action.VIEW_FINDINGS, {"status": "RESULTS_PUBLISHED"}, EVERYONE),
    (Action.BROWSE, None, EVERYONE),
]


def test_every_action_is_written_down() -> None:
    assert {action for action, _, _ in CASES} == set(Action)


@pytest.mark.parametrize(("action", "resource", "allowed"), CASES)
def test_each_caller_is_allowed_exactly_where_the_rules_say(
    action: Action, resource: dict[str, Any] | None, allowed: set[str]
) -> None:
    assert_exactly(decide, CALLERS, action, resource, allowed)


def test_the_roles_of_a_move_are_the_tables() -> None:
    assert_roles_are_the_tables(decide, CALLERS, CAMPAIGN_MOVES, ENFORCEMENT_MOVES)


def test_the_public_list_of_findings_is_the_published_campaigns() -> None:
    scope = decide(ANONYMOUS, Action.VIEW_FINDINGS).scope
    assert scope.query() == {"status": "RESULTS_PUBLISHED"}
    assert decide(CALLERS["prov11"], Action.VIEW_FINDINGS).scope.query() == {}
