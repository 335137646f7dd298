from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.intake.identifiers import (
    USCC_ALPHABET,
    UsccError,
    is_valid_uscc,
    normalise_uscc,
    uscc_check_character,
)

KNOWN_VALID = ["91350100M000100Y43", "91110000802100433B"]

first17 = st.tuples(
    st.text(USCC_ALPHABET, min_size=2, max_size=2),
    st.text("0123456789", min_size=6, max_size=6),
    st.text(USCC_ALPHABET, min_size=9, max_size=9),
).map("".join)


@st.composite
def valid_uscc(draw: st.DrawFn) -> str:
    body = draw(first17)
    return body + uscc_check_character(body)


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_published_examples_pass(code: str) -> None:
    assert normalise_uscc(code) == code
    assert normalise_uscc(" " + code.lower() + " ") == code


@given(valid_uscc(), st.integers(0, 17), st.sampled_from(USCC_ALPHABET))
def test_every_single_character_change_is_rejected(code: str, position: int, char: str) -> None:
    if code[position] == char:
        return
    changed = code[:position] + char + code[position + 1 :]
    assert not is_valid_uscc(changed)


@given(valid_uscc())
def test_generated_codes_pass(code: str) -> None:
    assert normalise_uscc(code) == code


@given(valid_uscc(), st.integers(0, 15))
def test_adjacent_transpositions_are_rejected(code: str, i: int) -> None:
    a, b = code[i], code[i + 1]
    if a == b:
        return
    swapped = code[:i] + b + a + code[i + 2 :]
    # Distinct weights mod a prime catch every transposition of distinct characters within the
    # 17 weighted positions (the check character itself carries no weight).
    assert not is_valid_uscc(swapped)


@pytest.mark.parametrize(
    ("raw", "code", "words"),
    [
        ("91350100M000100Y4", "USCC_LENGTH", "18 characters"),
        ("91350100M000100I43", "USCC_CHARACTERS", "character 16"),
        ("913501O0M000100Y43", "USCC_CHARACTERS", "character 7"),
        ("9135A100M000100Y43", "USCC_REGION", "3-8"),
        ("91350100M000100Y44", "USCC_CHECK", "check character"),
    ],
)
def test_errors_say_what_and_where(raw: str, code: str, words: str) -> None:
    with pytest.raises(UsccError) as caught:
        normalise_uscc(raw)
    assert caught.value.code == code
    assert words in caught.value.message


@given(st.text(max_size=40))
def test_arbitrary_text_never_crashes(text: str) -> None:
    assert isinstance(is_valid_uscc(text), bool)
