"""scripts/mutation's rule for what leaves the score: only a mutant that changes human text (a
string literal with a space in it) is "message text only"; a changed error code always counts."""

from __future__ import annotations

from scripts.mutation.__main__ import _message_only


def _diff(before: str, after: str) -> str:
    return f"--- a\n+++ b\n-{before}\n+{after}\n"


def test_a_changed_message_is_message_text_only() -> None:
    assert _message_only(
        _diff('raise reject("x", "CODE", "is wrong")', 'raise reject("x", "CODE", "XXis wrongXX")')
    )
    assert _message_only(
        _diff('raise reject("x", "CODE", "is wrong")', 'raise reject("x", "CODE", None)')
    )
    # Adjacent literals are one message, as Python joins them.
    assert _message_only(_diff('f("a b" "c")', 'f("XXa bXX" "c")'))


def test_a_changed_code_or_logic_counts() -> None:
    assert not _message_only(
        _diff('raise reject("x", "CODE", "is wrong")', 'raise reject("x", "XXCODEXX", "is wrong")')
    )
    assert not _message_only(
        _diff('raise reject("x", "CODE", "is wrong")', 'raise reject("x", None, "is wrong")')
    )
    assert not _message_only(_diff("if n > 8:", "if n >= 8:"))
    assert not _message_only(_diff('f("a b", 1)', 'f("XXa bXX", 2)'))  # text and logic both changed
    assert not _message_only(_diff("x = 1", "x = 1"))  # nothing changed is not a message change
