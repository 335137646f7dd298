"""The directories' one policy, attacked table by table: every caller × every action, on a
record inside and outside the caller's scope, all through `decide`."""

from __future__ import annotations

from typing import Any

import pytest

from registry.access.auth import ANONYMOUS, Principal, Role
from registry.institutions.model import Status
from registry.institutions.policy import decide
from registry.institutions.rules import TABLE, Action
from tests.registry.access.policy_cases import assert_exactly, assert_roles_are_the_tables

A, B = "91350100MA0000000A", "91110000MA0000000B"
CALLERS = {
    "public": ANONYMOUS,
    "office": Principal(Role.OFFICE_ADMIN, "o", "t-o"),
    "cettic": Principal(Role.CETTIC_REVIEWER, "c", "t-c"),
    "prov35": Principal(Role.PROVINCIAL_REVIEWER, "p", "t-35", province="35"),
    "prov11": Principal(Role.PROVINCIAL_REVIEWER, "p", "t-11", province="11"),
    "eval_a": Principal(Role.EVALUATION_INSTITUTION, "a", "t-a", institution=A),
    "train_a": Principal(Role.TRAINING_INSTITUTION, "a", "t-ta", institution=A),
    "eval_b": Principal(Role.EVALUATION_INSTITUTION, "b", "t-b", institution=B),
    "miit": Principal(Role.MINISTRY_RECOMMENDER, "m", "t-miit", sector="MIIT"),
    "cac": Principal(Role.MINISTRY_RECOMMENDER, "m", "t-cac", sector="CAC"),
}
EVERYONE = set(CALLERS)
REVIEWERS = {"office", "cettic", "prov35", "prov11"}


def institution(status: Status, **changes: Any) -> dict[str, Any]:
    """Institution A: an evaluation institution of Fujian (35)."""
    doc = {"_id": A, "kind": "EVALUATION", "province": "35", "status": status.value}
    return {**doc, **changes}


S = Status
# Sent through sector MIIT (fields 06, 07, 10), with a scope in fields 06 and 10.
VIA_MIIT = {"sector": "MIIT", "fields": ["06", "10"]}
# (action, resource, the callers allowed): written from the notice, not from the code.
CASES: list[tuple[Action, dict[str, Any] | None, set[str]]] = [
    (Action.RECOMMEND, institution(S.APPLIED), {"prov35"}),
    (Action.RECOMMEND, institution(S.APPLIED, ministry_level=True), {"office"}),
    (Action.RECOMMEND, institution(S.APPLIED, **VIA_MIIT), {"miit"}),
    # Outside the sector's fields (a record whose scope reaches field 03), or fields unknown.
    (Action.RECOMMEND, institution(S.APPLIED, sector="MIIT", fields=["03", "06"]), set()),
    (Action.RECOMMEND, institution(S.APPLIED, sector="MIIT"), set()),
    (Action.PASS_PRELIMINARY_REVIEW, institution(S.RECOMMENDED), {"cettic"}),
    (Action.APPROVE_AUDIT, institution(S.PRELIMINARY_PASSED), {"office"}),
    (Action.RECORD_STEERING_DECISION, institution(S.AUDITED), {"office"}),
    (Action.START_PUBLICITY, institution(S.STEERING_CONFIRMED), {"office"}),
    (Action.LIST, institution(S.PUBLICIZED), {"office"}),
    (Action.RETURN_APPLICATION, institution(S.APPLIED), {"office", "prov35"}),
    (Action.RETURN_APPLICATION, institution(S.APPLIED, ministry_level=True), {"office"}),
    (Action.RETURN_APPLICATION, institution(S.APPLIED, **VIA_MIIT), {"office", "miit"}),
    (Action.RETURN_APPLICATION, institution(S.STEERING_CONFIRMED), {"office"}),
    (Action.RETURN_APPLICATION, institution(S.RECOMMENDED), {"office", "cettic"}),
    (Action.RETURN_APPLICATION, institution(S.PUBLICIZED), {"office"}),
    (Action.SUSPEND, institution(S.LISTED), {"office", "prov35"}),
    (Action.REINSTATE, institution(S.SUSPENDED), {"office"}),
    (Action.REMOVE, institution(S.LISTED), {"office"}),
    (Action.EXPIRE, institution(S.LISTED), {"office"}),
    (Action.RESUBMIT, institution(S.RETURNED), {"eval_a"}),
    (Action.RENEW, institution(S.EXPIRED), {"eval_a"}),
    (Action.APPLY, {"_id": A, "kind": "EVALUATION"}, {"eval_a"}),
    (Action.APPLY, {"kind": "TRAINING"}, {"train_a"}),
    (Action.LODGE_OBJECTION, institution(S.PUBLICIZED), EVERYONE),
    (Action.RESOLVE_OBJECTION, institution(S.PUBLICIZED), {"office"}),
    (Action.READ_OBJECTION_TEXT, None, REVIEWERS),
    (Action.SUBMIT_REPORT, None, {"eval_a", "train_a", "eval_b"}),
    (Action.SUBMIT_REPORT, institution(S.LISTED), {"eval_a"}),
    (Action.ROTATE_KEY, {"_id": A}, {"office", "eval_a", "train_a"}),
    (Action.COMPROMISE_KEY, {"_id": A}, {"office"}),
    (Action.SET_HOLIDAYS, None, {"office"}),
    (Action.VIEW_OVERDUE_REPORTS, None, {"office", "prov35", "prov11"}),
    (Action.VIEW_OVERDUE_REPORTS, institution(S.LISTED), {"office", "prov35"}),
    (Action.CHANGE_FEES, institution(S.LISTED), {"eval_a"}),
    (Action.VIEW, institution(S.APPLIED), EVERYONE),
    (Action.BROWSE, None, EVERYONE),
]


def test_every_action_is_decided_and_every_case_is_written_down() -> None:
    assert {action for action, _, _ in CASES} == set(Action)
    for action in Action:
        for caller in CALLERS.values():
            decide(caller, action)  # no action is missing from the policy


@pytest.mark.parametrize(("action", "resource", "allowed"), CASES)
def test_each_caller_is_allowed_exactly_where_the_rules_say(
    action: Action, resource: dict[str, Any] | None, allowed: set[str]
) -> None:
    assert_exactly(decide, CALLERS, action, resource, allowed)


def test_the_roles_of_a_move_are_the_tables() -> None:
    assert_roles_are_the_tables(decide, CALLERS, TABLE)


def test_a_reviewer_of_another_province_can_move_nothing_and_lists_only_its_own() -> None:
    prov11 = CALLERS["prov11"]
    in_35 = institution(S.LISTED)
    for move in TABLE:
        decision = decide(prov11, move.action, {**in_35, "status": next(iter(move.sources))})
        assert not decision.allowed, move.action
    scope = decide(prov11, Action.SUSPEND).scope
    assert scope.query() == {"province": "11"}
    assert not scope.admits(in_35) and scope.admits({**in_35, "province": "11"})
    refusal = decide(prov11, Action.SUSPEND, in_35).reason
    assert "province 35" in refusal and "province 11" in refusal


def test_an_institution_acts_for_itself_with_the_token_of_its_kind() -> None:
    returned = institution(S.RETURNED)
    assert "only for itself" in decide(CALLERS["eval_b"], Action.RESUBMIT, returned).reason
    assert "is EVALUATION" in decide(CALLERS["train_a"], Action.RESUBMIT, returned).reason
    mine = decide(CALLERS["eval_a"], Action.RESUBMIT).scope
    assert mine.admits(returned) and not mine.admits({**returned, "_id": B})


def test_a_ministry_recommends_only_what_goes_through_its_sector() -> None:
    miit, cac = CALLERS["miit"], CALLERS["cac"]
    # A ministry token at a province's step: refused, naming the province's department.
    provinces = decide(miit, Action.RECOMMEND, institution(S.APPLIED)).reason
    assert "provincial department of province 35" in provinces and "sector MIIT" in provinces
    # Another sector's application: refused, naming both sectors.
    other = decide(cac, Action.RECOMMEND, institution(S.APPLIED, **VIA_MIIT)).reason
    assert "sector MIIT" in other and "sector CAC" in other
    # Within its sector, a field it does not cover: refused, naming the field.
    wide = institution(S.APPLIED, sector="MIIT", fields=["03", "06"])
    assert "field(s) 03" in decide(miit, Action.RECOMMEND, wide).reason
    # A province's reviewer cannot take a sector's step either.
    assert (
        "sector MIIT"
        in decide(CALLERS["prov35"], Action.RECOMMEND, institution(S.APPLIED, **VIA_MIIT)).reason
    )
    # What a ministry lists: the applications sent through its sector.
    scope = decide(miit, Action.RECOMMEND).scope
    assert scope.query() == {"sector": "MIIT"}
    assert scope.admits(institution(S.APPLIED, **VIA_MIIT)) and not scope.admits(
        institution(S.APPLIED)
    )


def test_only_the_office_records_the_steering_groups_decision() -> None:
    audited = institution(S.AUDITED)
    for label, caller in CALLERS.items():
        decision = decide(caller, Action.RECORD_STEERING_DECISION, audited)
        assert decision.allowed == (label == "office"), label
        if label != "office":
            assert "OFFICE_ADMIN" in decision.reason
