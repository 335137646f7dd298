"""The one rule for a whole number from a client (`registry.whole_numbers`), by property: ASCII
digits within the bound are their value; every other text, whatever `str.isdigit()` or `int()`
make of it, is None, and nothing raises."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.whole_numbers import MAX_DIGITS, whole_number

ASCII = re.compile(r"[0-9]+", re.ASCII)
bounds = st.integers(min_value=1, max_value=MAX_DIGITS)
# Text made of what the rule must tell apart: ASCII digits, other Unicode digits and numerals
# ('²', '１', '١', '৩', 'Ⅻ'), signs, spaces, underscores, and anything else.
tricky = st.text(
    st.one_of(
        st.sampled_from("0123456789"),
        st.characters(categories=["Nd", "No", "Nl"]),
        st.sampled_from("+-_ \t\n."),
        st.characters(),
    ),
    max_size=80,
)


@given(number=st.integers(min_value=0, max_value=10**30), zeros=st.integers(0, 5), bound=bounds)
def test_ascii_digits_within_the_bound_are_their_value(number: int, zeros: int, bound: int) -> None:
    text = "0" * zeros + str(number)
    assert whole_number(text, bound) == (number if len(text) <= bound else None)


@given(text=tricky, bound=bounds)
def test_anything_else_is_none_and_nothing_raises(text: str, bound: int) -> None:
    expected = int(text) if ASCII.fullmatch(text) and len(text) <= bound else None
    assert whole_number(text, bound) == expected


@given(digit=st.characters(categories=["Nd", "No"]).filter(lambda c: not c.isascii()))
def test_no_other_digit_is_a_digit(digit: str) -> None:
    for text in (digit, "1" + digit, digit + "1"):
        assert whole_number(text, MAX_DIGITS) is None


def test_the_attacks_of_issue_15() -> None:
    for text in ("²", "１", "١٢", "1_000", " 7", "+7", "-0", "", "0" * (MAX_DIGITS + 1)):
        assert whole_number(text, MAX_DIGITS) is None, text
    assert whole_number("007", 3) == 7


@pytest.mark.parametrize("bound", [0, -1, MAX_DIGITS + 1, 4301])
def test_a_bound_out_of_range_is_the_codes_mistake(bound: int) -> None:
    with pytest.raises(ValueError, match="max_digits"):
        whole_number("1", bound)
