"""credentials.uscc: the unified social credit code (GB 32100-2015), the project's one copy."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credentials.uscc import (
    USCC_ALPHABET,
    UsccError,
    is_valid_uscc,
    normalise_uscc,
    uscc_check_character,
)

# The alphabet and weights as GB 32100 prints them, kept apart from the module's copy.
_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = [pow(3, i, 31) for i in range(17)]
GOOD = "91350100M000100Y43"  # passes GB 32100


def _independent_check(body17: str) -> str:
    return _CHARS[-sum(_CHARS.index(c) * w for c, w in zip(body17, _WEIGHTS, strict=True)) % 31]


codes = st.builds(
    lambda head, region, rest: head + region + rest,
    st.text(_CHARS, min_size=2, max_size=2),
    st.text("0123456789", min_size=6, max_size=6),
    st.text(_CHARS, min_size=9, max_size=9),
)


def test_the_alphabet_is_the_standards() -> None:
    assert USCC_ALPHABET == _CHARS


@given(codes)
def test_the_check_character_is_the_standards(body: str) -> None:
    assert uscc_check_character(body) == _independent_check(body)
    assert is_valid_uscc(body + _independent_check(body))
    assert normalise_uscc(" " + (body + _independent_check(body)).lower() + " ") == (
        body + _independent_check(body)
    )


def test_a_known_good_code_is_valid() -> None:
    assert is_valid_uscc(GOOD)
    assert normalise_uscc("9135 0100 m000 100y43") == GOOD


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (91350100, "USCC_INVALID"),
        (GOOD[:-1], "USCC_LENGTH"),
        (GOOD + "3", "USCC_LENGTH"),
        (GOOD[:5] + "I" + GOOD[6:], "USCC_CHARACTERS"),
        (GOOD[:2] + "A" + GOOD[3:], "USCC_REGION"),
        (GOOD[:-1] + "4", "USCC_CHECK"),
    ],
)
def test_each_fault_has_its_code(raw: object, code: str) -> None:
    with pytest.raises(UsccError) as info:
        normalise_uscc(raw)  # type: ignore[arg-type]
    assert info.value.code == code
    assert not is_valid_uscc(raw)  # type: ignore[arg-type]


@pytest.mark.parametrize("body", ["", "9135010", GOOD[:16] + "I", GOOD[:17] + "3"])
def test_the_check_character_needs_17_characters_of_the_alphabet(body: str) -> None:
    with pytest.raises(ValueError, match="17 characters"):
        uscc_check_character(body)


def test_the_error_says_which_character_is_wrong() -> None:
    # Positions count from 1, as a person reads the code: the sixth character here.
    with pytest.raises(UsccError) as info:
        normalise_uscc(GOOD[:5] + "I" + GOOD[6:])
    assert "character 6 ('I')" in info.value.message
    assert str(info.value) == info.value.message


def test_the_error_reads_as_its_message() -> None:
    error = UsccError("USCC_CHECK", "check character wrong")
    assert (error.code, error.message, str(error)) == (
        "USCC_CHECK",
        "check character wrong",
        "check character wrong",
    )
