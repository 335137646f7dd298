"""One way to attack a workflow's policy: every caller against one case of its table."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pytest

from registry.access.auth import Principal
from registry.access.policy import Decision
from registry.errors import Forbidden
from registry.storage.transitions import Transition


def assert_exactly(
    decide: Callable[[Principal, Any, Mapping[str, Any] | None], Decision],
    callers: Mapping[str, Principal],
    action: Any,
    resource: Mapping[str, Any] | None,
    allowed: set[str],
) -> None:
    """`decide` allows `action` on `resource` to the callers labelled `allowed` and refuses
    every other one with `FORBIDDEN` and a reason."""
    for label, caller in callers.items():
        decision = decide(caller, action, resource)
        assert decision.allowed == (label in allowed), (action, label, decision.reason)
        if not decision.allowed:
            with pytest.raises(Forbidden) as refused:
                decision.require()
            assert refused.value.code == "FORBIDDEN" and refused.value.message


def assert_roles_are_the_tables(
    decide: Callable[[Principal, Any, Mapping[str, Any] | None], Decision],
    callers: Mapping[str, Principal],
    *tables: Iterable[Transition[Any, Any]],
) -> None:
    """Asked with no resource, `decide` allows each move to exactly the roles its table names."""
    for table in tables:
        for move in table:
            for caller in callers.values():
                assert decide(caller, move.action, None).allowed == (caller.role in move.roles)
