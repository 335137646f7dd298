"""The policy links' access rule over every role × action: everyone reads, only the office
records a version."""

from __future__ import annotations

import pytest

from registry.access.auth import Principal, Role
from registry.policylinks.model import PolicyAction
from registry.policylinks.policy import decide

ROLES: list[Role | None] = [None, *Role]
WRITES = (PolicyAction.SET_TITLE_LINK, PolicyAction.SET_SUBSIDY_RULE)


def caller(role: Role | None) -> Principal:
    institution = (
        "91350100MA00000001"
        if role in (Role.TRAINING_INSTITUTION, Role.EVALUATION_INSTITUTION)
        else None
    )
    province = "35" if role is Role.PROVINCIAL_REVIEWER else None
    return Principal(role, "x", "tok-x", institution=institution, province=province)


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "public")
@pytest.mark.parametrize("action", list(PolicyAction))
def test_every_role_and_action(role: Role | None, action: PolicyAction) -> None:
    for resource in (None, {"_id": "title:35:2", "province": "35"}):
        decision = decide(caller(role), action, resource)
        expected = action is PolicyAction.VIEW or role is Role.OFFICE_ADMIN
        assert decision.allowed is expected, (role, action, resource)
        if not expected:
            assert "OFFICE_ADMIN" in decision.reason
