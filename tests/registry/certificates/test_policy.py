"""The assessment workflow's one access rule: every role × action, the scope of lists, and the
same answer for listing, opening and moving a batch of another province or institution."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from registry.access.auth import Principal, Role
from registry.access.personal import PersonalData
from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.certificates import policy, review, submission
from registry.certificates.model import BATCH_MOVES, BatchAction, BatchStatus, CertificateAction
from registry.certificates.validation import BatchInput, ResultInput
from registry.errors import Forbidden
from registry.storage.db import Database
from tests.factories import listed_institution, make_id_number, make_uscc

MINE = make_uscc(710)
OTHER = make_uscc(711)
PUBLIC = Principal(None, "public")
INSTITUTION = Principal(Role.EVALUATION_INSTITUTION, "i", "pi", institution=MINE)
OTHER_INSTITUTION = Principal(Role.EVALUATION_INSTITUTION, "i", "po", institution=OTHER)
TRAINER = Principal(Role.TRAINING_INSTITUTION, "t", "pt", institution=MINE)
PROVINCE = Principal(Role.PROVINCIAL_REVIEWER, "p", "pp", province="35")
OTHER_PROVINCE = Principal(Role.PROVINCIAL_REVIEWER, "p", "pq", province="11")
CETTIC = Principal(Role.CETTIC_REVIEWER, "c", "pc")
OFFICE = Principal(Role.OFFICE_ADMIN, "o", "po")
EVERYONE = [PUBLIC, INSTITUTION, TRAINER, PROVINCE, CETTIC, OFFICE]

A = BatchAction
# Who may ask for each action at all (before any batch is known): written out here, not read
# from the table, so a change to the table shows up as a failing row.
ALLOWED: dict[BatchAction, set[Role]] = {
    A.SUBMIT: {Role.EVALUATION_INSTITUTION},
    A.OPEN: {Role.EVALUATION_INSTITUTION},
    A.ADD_PART: {Role.EVALUATION_INSTITUTION},
    A.CLOSE: {Role.EVALUATION_INSTITUTION},
    # Made by the service (its binder, its expiry sweep): no caller may ask for them.
    A.BIND: set(),
    A.EXPIRE: set(),
    A.RESUBMIT: {Role.EVALUATION_INSTITUTION},
    A.APPROVE_PROVINCE: {Role.PROVINCIAL_REVIEWER},
    A.CHECK_CETTIC: {Role.CETTIC_REVIEWER},
    A.PUBLISH: {Role.OFFICE_ADMIN},
    A.RETURN: {Role.PROVINCIAL_REVIEWER, Role.CETTIC_REVIEWER, Role.OFFICE_ADMIN},
    A.VIEW: {
        Role.EVALUATION_INSTITUTION,
        Role.PROVINCIAL_REVIEWER,
        Role.CETTIC_REVIEWER,
        Role.OFFICE_ADMIN,
    },
    A.LIST: {
        Role.EVALUATION_INSTITUTION,
        Role.PROVINCIAL_REVIEWER,
        Role.CETTIC_REVIEWER,
        Role.OFFICE_ADMIN,
    },
}


def batch(status: BatchStatus, province: str = "35", institution: str = MINE) -> dict[str, str]:
    return {"_id": "bat_x", "status": status, "province": province, "institution": institution}


def test_every_action_has_a_row() -> None:
    assert set(ALLOWED) == set(BatchAction)


@pytest.mark.parametrize("action", list(BatchAction))
@pytest.mark.parametrize("who", EVERYONE, ids=lambda p: p.role or "public")
def test_every_role_and_action(who: Principal, action: BatchAction) -> None:
    decision = policy.decide(who, action)
    assert decision.allowed == (who.role in ALLOWED[action]), decision.reason
    if not decision.allowed:
        with pytest.raises(Forbidden) as refused:
            decision.require()
        assert refused.value.code == "FORBIDDEN"
        assert who.role is None or who.role.value in refused.value.message


@pytest.mark.parametrize(
    ("who", "query"),
    [
        (OFFICE, {}),
        (CETTIC, {}),
        (PROVINCE, {"province": "35"}),
        (INSTITUTION, {"institution": MINE}),
    ],
    ids=["office", "cettic", "province", "institution"],
)
def test_a_list_is_filtered_by_the_rule_that_opens_a_batch(
    who: Principal, query: dict[str, str]
) -> None:
    scope = policy.decide(who, A.LIST).scope
    assert scope.query() == query
    for doc in (batch(BatchStatus.SUBMITTED), batch(BatchStatus.SUBMITTED, "11", OTHER)):
        assert scope.admits(doc) == policy.decide(who, A.VIEW, doc).allowed


@pytest.mark.parametrize("action", [A.VIEW, A.APPROVE_PROVINCE, A.RETURN], ids=lambda a: a.value)
def test_a_reviewer_of_another_province_is_refused_the_batch(action: BatchAction) -> None:
    doc = batch(BatchStatus.SUBMITTED)
    assert policy.decide(PROVINCE, action, doc).allowed
    refused = policy.decide(OTHER_PROVINCE, action, doc)
    assert not refused.allowed and not refused.scope.admits(doc)
    if action is not A.VIEW:
        assert "province 35" in refused.reason and "you review 11" in refused.reason


def test_only_the_submitting_institution_may_resubmit() -> None:
    doc = batch(BatchStatus.RETURNED)
    assert policy.decide(INSTITUTION, A.RESUBMIT, doc).allowed
    assert not policy.decide(OTHER_INSTITUTION, A.RESUBMIT, doc).allowed
    assert not policy.decide(OTHER_INSTITUTION, A.VIEW, doc).allowed


@pytest.mark.parametrize(
    ("status", "may_return"),
    [
        (BatchStatus.SUBMITTED, {Role.PROVINCIAL_REVIEWER, Role.OFFICE_ADMIN}),
        (BatchStatus.PROVINCE_APPROVED, {Role.CETTIC_REVIEWER, Role.OFFICE_ADMIN}),
        (BatchStatus.CETTIC_CHECKED, {Role.OFFICE_ADMIN}),
    ],
)
def test_the_reviewer_of_the_current_step_or_the_office_returns(
    status: BatchStatus, may_return: set[Role]
) -> None:
    for who in (PROVINCE, CETTIC, OFFICE):
        decision = policy.decide(who, A.RETURN, batch(status))
        assert decision.allowed == (who.role in may_return), (status, who.role)
        if not decision.allowed:
            assert f"at {status}" in decision.reason


def test_the_owner_of_a_step_is_read_from_the_transition_table() -> None:
    assert policy.owners(BatchStatus.SUBMITTED) == BATCH_MOVES[A.APPROVE_PROVINCE].roles
    assert policy.owners(BatchStatus.PUBLISHED) == frozenset()


def test_revocation_by_the_issuer_or_the_office() -> None:
    cert = {"_id": "Z1", "institution": MINE, "status": "PUBLISHED"}
    revoke = CertificateAction.REVOKE
    assert policy.decide(INSTITUTION, revoke, cert).allowed
    assert policy.decide(OFFICE, revoke, cert).allowed
    assert "only certificates it issued" in policy.decide(OTHER_INSTITUTION, revoke, cert).reason
    for who in (PUBLIC, TRAINER, PROVINCE, CETTIC):
        assert not policy.decide(who, revoke).allowed


async def test_list_open_and_move_refused_alike_on_the_real_database(db: Database) -> None:
    """A provincial reviewer of another province neither lists, opens nor moves the batch."""
    await catalogue.seed_reference(db)
    await listed_institution(db, MINE, filed="2025-01-06")
    rng = random.Random("policy")
    rows = [ResultInput("甲", make_id_number(rng), "2-02-38-01", 1, 90, 80)]
    exam = clock.today() - dt.timedelta(days=3)
    personal = PersonalData(b"k" * 32)
    done = await submission.submit(db, INSTITUTION, BatchInput("policy-0001", exam, rows), personal)
    bid = done.batch["_id"]

    mine = policy.decide(PROVINCE, A.LIST).scope.query()
    other = policy.decide(OTHER_PROVINCE, A.LIST).scope.query()
    assert bid in {d["_id"] async for d in db.batches.find(mine)}
    assert bid not in {d["_id"] async for d in db.batches.find(other)}
    stored = await review.load(db, bid)
    assert not policy.decide(OTHER_PROVINCE, A.VIEW, stored).allowed
    with pytest.raises(Forbidden) as refused:
        await review.approve_province(db, OTHER_PROVINCE, bid)
    assert refused.value.code == "FORBIDDEN"
    with pytest.raises(Forbidden):
        await review.return_batch(db, OTHER_PROVINCE, bid, "不是本省")
    assert (await review.load(db, bid))["status"] == BatchStatus.SUBMITTED
    assert (await review.approve_province(db, PROVINCE, bid))["status"] == "PROVINCE_APPROVED"
