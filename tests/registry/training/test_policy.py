"""The training workflow's one access rule: every role × action, and lists filtered by the rule
that opens one record."""

from __future__ import annotations

import pytest

from registry.access.auth import Principal, Role
from registry.errors import Forbidden
from registry.training import policy
from registry.training.model import CERTIFICATE_MOVES, TrainingAction

MINE, OTHER = "91350100MINE00001X", "91350100OTHER0001X"
PUBLIC = Principal(None, "public")
TRAINER = Principal(Role.TRAINING_INSTITUTION, "t", "tt", institution=MINE)
UNBOUND_TRAINER = Principal(Role.TRAINING_INSTITUTION, "t", "tu")
EVALUATOR = Principal(Role.EVALUATION_INSTITUTION, "e", "te", institution=MINE)
PROVINCE = Principal(Role.PROVINCIAL_REVIEWER, "p", "tp", province="35")
CETTIC = Principal(Role.CETTIC_REVIEWER, "c", "tc")
OFFICE = Principal(Role.OFFICE_ADMIN, "o", "to")
EVERYONE = [PUBLIC, TRAINER, EVALUATOR, PROVINCE, CETTIC, OFFICE]

T = TrainingAction
REVIEWERS = {Role.PROVINCIAL_REVIEWER, Role.CETTIC_REVIEWER, Role.OFFICE_ADMIN}
ALLOWED: dict[TrainingAction, set[Role]] = {
    T.SUBMIT_COHORT: {Role.TRAINING_INSTITUTION},
    T.REVOKE_CERTIFICATE: {Role.TRAINING_INSTITUTION, Role.OFFICE_ADMIN},
    T.REPORT_EMPLOYMENT: {Role.TRAINING_INSTITUTION, Role.EVALUATION_INSTITUTION},
    T.VIEW_COHORT: REVIEWERS | {Role.TRAINING_INSTITUTION},
    T.LIST_COHORTS: REVIEWERS | {Role.TRAINING_INSTITUTION},
    T.HOURS_BY_ID_NUMBER: REVIEWERS,
}


def test_every_action_has_a_row() -> None:
    assert set(ALLOWED) == set(TrainingAction)


@pytest.mark.parametrize("action", list(TrainingAction))
@pytest.mark.parametrize("who", EVERYONE, ids=lambda p: p.role or "public")
def test_every_role_and_action(who: Principal, action: TrainingAction) -> None:
    decision = policy.decide(who, action)
    assert decision.allowed == (who.role in ALLOWED[action]), decision.reason
    if not decision.allowed:
        with pytest.raises(Forbidden) as refused:
            decision.require()
        assert refused.value.code == "FORBIDDEN" and refused.value.message


def test_revocation_roles_come_from_the_transition_table() -> None:
    assert policy.ROLES[T.REVOKE_CERTIFICATE] == CERTIFICATE_MOVES[T.REVOKE_CERTIFICATE].roles


def test_a_token_bound_to_no_institution_is_refused() -> None:
    refused = policy.decide(UNBOUND_TRAINER, T.SUBMIT_COHORT)
    assert not refused.allowed and "no institution" in refused.reason


@pytest.mark.parametrize(
    ("who", "mine", "theirs"),
    [
        (TRAINER, True, False),
        (PROVINCE, True, False),
        (CETTIC, True, True),
        (OFFICE, True, True),
    ],
    ids=["trainer", "province", "cettic", "office"],
)
def test_a_cohort_is_listed_exactly_when_it_may_be_opened(
    who: Principal, mine: bool, theirs: bool
) -> None:
    scope = policy.decide(who, T.LIST_COHORTS).scope
    ours = {"_id": "coh_1", "institution": MINE, "province": "35"}
    other = {"_id": "coh_2", "institution": OTHER, "province": "11"}
    for doc, expected in ((ours, mine), (other, theirs)):
        assert scope.admits(doc) == expected
        assert policy.decide(who, T.VIEW_COHORT, doc).allowed == expected


def test_an_institution_revokes_only_its_own_certificates() -> None:
    cert = {"_id": "P1", "institution": MINE, "province": "35"}
    assert policy.decide(TRAINER, T.REVOKE_CERTIFICATE, cert).allowed
    other = {**cert, "institution": OTHER}
    assert not policy.decide(TRAINER, T.REVOKE_CERTIFICATE, other).allowed
    assert policy.decide(OFFICE, T.REVOKE_CERTIFICATE, other).allowed


def test_a_provincial_reviewer_reads_hours_of_its_province_only() -> None:
    assert policy.decide(PROVINCE, T.HOURS_BY_ID_NUMBER).scope.query() == {"province": "35"}
    assert policy.decide(OFFICE, T.HOURS_BY_ID_NUMBER).scope.query() == {}
