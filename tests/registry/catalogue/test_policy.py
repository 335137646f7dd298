"""The catalogue's one access rule over every role × action: only the office edits."""

from __future__ import annotations

import pytest

from registry.access.auth import ANONYMOUS, Principal, Role
from registry.catalogue.model import CatalogueAction
from registry.catalogue.policy import decide

CALLERS = [ANONYMOUS, *(Principal(role, role.value, f"tok-{role.value}") for role in Role)]


@pytest.mark.parametrize("action", list(CatalogueAction))
@pytest.mark.parametrize("caller", CALLERS, ids=lambda p: p.actor)
def test_only_the_office_edits(caller: Principal, action: CatalogueAction) -> None:
    decision = decide(caller, action, {"_id": "2-02-10-09"})
    assert decision.allowed is (caller.role is Role.OFFICE_ADMIN)
    if not decision.allowed:
        assert f"{action.value} may be called by OFFICE_ADMIN" in decision.reason
