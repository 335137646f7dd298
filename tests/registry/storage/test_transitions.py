"""The reason a move records: required, bounded, stripped."""

from __future__ import annotations

import pytest

from registry.problems import Rejected
from registry.storage.transitions import clean_reason


@pytest.mark.parametrize("raw", [None, "", "   ", "x" * 2001])
def test_a_reason_is_required_and_bounded(raw: str | None) -> None:
    with pytest.raises(Rejected) as caught:
        clean_reason(raw, "revocation")
    problem = caught.value.problems[0]
    assert (problem.field, problem.code) == ("reason", "REASON_REQUIRED")
    assert problem.message.startswith("revocation needs a reason")


def test_a_reason_may_not_hold_an_id_number() -> None:
    with pytest.raises(Rejected) as caught:
        clean_reason("持证人 11010519491231002X 申请撤销", "revocation")
    problem = caught.value.problems[0]
    assert (problem.field, problem.code) == ("reason", "ID_NUMBER_OUT_OF_PLACE")
    assert "11010519491231002X" not in problem.message
    # A certificate number is not one.
    assert clean_reason("证书 Z110011261060000011 重复", "revocation").startswith("证书")


def test_a_reason_is_kept_stripped() -> None:
    assert clean_reason("  有误 ", "revocation") == "有误"
    assert clean_reason("x" * 2000, "revocation") == "x" * 2000
