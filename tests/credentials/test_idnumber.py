"""credentials.idnumber: GB 11643-1999 ID numbers."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from credentials.idnumber import (
    WITHHELD,
    IdNumberError,
    holds_id_number,
    mod11_2_check,
    normalise_id_number,
    withhold_id_numbers,
)
from tests.credentials._support import PROVINCES, check_char, make_id, valid_id_numbers

TODAY = dt.date(2026, 11, 26)


def _code(raw: object) -> str:
    with pytest.raises(IdNumberError) as info:
        normalise_id_number(raw, today=TODAY)  # type: ignore[arg-type]
    return info.value.code


def test_reference_example_is_valid() -> None:
    assert normalise_id_number("11010519491231002X", today=TODAY) == "11010519491231002X"
    assert mod11_2_check("11010519491231002") == "X"


@given(valid_id_numbers())
def test_generated_numbers_are_accepted_unchanged(number: str) -> None:
    assert normalise_id_number(number, today=TODAY) == number


@given(valid_id_numbers(), st.sampled_from([" ", "  ", "\t"]))
def test_spaces_and_lower_case_x_are_normalised(number: str, space: str) -> None:
    typed = number[:6] + space + number[6:14] + space + number[14:].lower()
    assert normalise_id_number(typed, today=TODAY) == number


@settings(max_examples=200)
@given(valid_id_numbers(), st.integers(0, 17), st.sampled_from("0123456789X"))
def test_every_single_character_change_is_rejected(number: str, index: int, char: str) -> None:
    assume(number[index] != char)
    changed = number[:index] + char + number[index + 1 :]
    assert _code(changed).startswith("ID_NUMBER_")


def test_fifteen_digit_legacy_numbers_are_refused() -> None:
    assert _code("110105491231002") == "ID_NUMBER_LEGACY"


@pytest.mark.parametrize(
    "birth",
    [
        "19491331",  # month 13
        "19490001",  # month 0
        "19491200",  # day 0
        "19490230",  # 30 February
        "19000229",  # 1900 was not a leap year
        "18991231",  # before 1900
        "20261127",  # after "today"
        "99999999",
    ],
)
def test_bad_birth_dates_are_refused(birth: str) -> None:
    body = "110105" + birth + "002"
    assert _code(body + check_char(body)) == "ID_NUMBER_BIRTH_DATE"


def test_leap_day_of_a_leap_year_is_fine() -> None:
    number = make_id("110105", dt.date(2000, 2, 29), 7)
    assert normalise_id_number(number, today=TODAY) == number


@pytest.mark.parametrize("region", ["000000", "990101", "100101", "730101"])
def test_unknown_province_is_refused(region: str) -> None:
    assert _code(make_id(region, dt.date(1990, 5, 17), 123)) == "ID_NUMBER_REGION"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (None, "ID_NUMBER_TYPE"),
        (110105194912310020, "ID_NUMBER_TYPE"),
        ("", "ID_NUMBER_LENGTH"),
        ("11010519491231002X1", "ID_NUMBER_LENGTH"),
        ("1101051949123100X2", "ID_NUMBER_CHARACTERS"),
        ("11010519491231002Y", "ID_NUMBER_CHARACTERS"),
        ("１１０１０５１９４９１２３１００２X", "ID_NUMBER_CHARACTERS"),  # full-width digits
        ("110105194912310021", "ID_NUMBER_CHECK"),
    ],
)
def test_malformed_numbers(raw: object, code: str) -> None:
    assert _code(raw) == code


@settings(max_examples=200)
@given(
    st.one_of(
        valid_id_numbers().flatmap(
            lambda n: st.tuples(st.integers(0, 17), st.sampled_from("0123456789X")).map(
                lambda c: n[: c[0]] + c[1] + n[c[0] + 1 :]
            )
        ),
        st.from_regex(r"[0-9]{6,20}X?", fullmatch=True),
        st.from_regex(r"[1-8][0-9]{16}[0-9xX ]", fullmatch=True),
    )
)
def test_messages_never_contain_the_number(raw: str) -> None:
    try:
        normalise_id_number(raw, today=TODAY)
    except IdNumberError as exc:
        digits = "".join(raw.split()).upper()
        for text in (exc.message, str(exc), repr(exc)):
            assert raw not in text
            assert digits not in text
            assert digits[:14] not in text  # not even region + birth date


def test_mod11_2_check_needs_17_ascii_digits() -> None:
    for bad in ("1101051949123100", "1101051949123100A", "１１０１０５１９４９１２３１００２"):
        with pytest.raises(ValueError, match="17 ASCII digits"):
            mod11_2_check(bad)


@given(st.from_regex(r"[0-9]{17}", fullmatch=True))
def test_mod11_2_check_matches_an_independent_computation(body: str) -> None:
    assert mod11_2_check(body) == check_char(body)


def test_all_listed_provinces_are_accepted() -> None:
    for province in PROVINCES:
        number = make_id(province + "0101", dt.date(1985, 1, 1), 1)
        assert normalise_id_number(number, today=TODAY) == number


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_mod11_2_check_equals_the_textbook_sum(digits: str) -> None:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(digits, weights, strict=True))
    assert mod11_2_check(digits) == "10X98765432"[total % 11]


def test_someone_born_today_has_a_valid_number() -> None:
    today = dt.date(2026, 11, 26)
    number = make_id("110105", today, 1)
    assert normalise_id_number(number, today=today) == number


def test_the_error_reads_as_its_message() -> None:
    try:
        normalise_id_number("123")
    except IdNumberError as exc:
        assert (exc.code, str(exc)) == ("ID_NUMBER_LENGTH", exc.message)
    else:
        raise AssertionError("a 3-character number was accepted")


# --- what may be an ID number, wherever it is written (withheld from every message) -----------

_AROUND = st.sampled_from(["", " ", "'", "：", "号", "(", "\n", "ID number ", "got '"])


@given(valid_id_numbers(), _AROUND, _AROUND, st.booleans())
def test_an_id_number_in_any_text_is_withheld(
    number: str, before: str, after: str, lower_x: bool
) -> None:
    written = number.lower() if lower_x else number
    text = f"{before}{written}{after}"
    assert holds_id_number(text)
    withheld = withhold_id_numbers(text)
    assert written not in withheld and WITHHELD in withheld
    assert not holds_id_number(withheld)  # nothing of it left to find


@given(st.text(st.characters(codec="utf-8"), max_size=60))
def test_withholding_leaves_nothing_that_may_be_one(text: str) -> None:
    withheld = withhold_id_numbers(text)
    assert not holds_id_number(withheld)
    assert withhold_id_numbers(withheld) == withheld


@pytest.mark.parametrize(
    "text",
    [
        "Z110011261060000011",  # a certificate number: a letter, then 18 characters
        "P350001261010000015",
        "bundle sequence 12345678901234 is lower",  # 14 digits
        "91110108DTE000110X",  # a USCC
        "914403001922038216",  # an all-digit USCC (valid as one, not as an ID number)
        "a1b2" + "0" * 17 + "9f",  # inside a hash
        "exs_268846414161477ec128",  # a session's id: "exs_" and hex
        "2-02-38-01",
        "2026-12-05 2026-12-06",
        "电话 0591 1234 5678",
    ],
)
def test_what_cannot_be_one_is_left_as_it_is(text: str) -> None:
    assert not holds_id_number(text) and withhold_id_numbers(text) == text


def test_full_width_digits_and_the_first_generation_are_withheld_too() -> None:
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in "110105194912310021")
    assert withhold_id_numbers(f"'{full_width}'") == f"'{WITHHELD}'"
    assert withhold_id_numbers("got 110105491231002.") == f"got {WITHHELD}."


def test_spaced_cut_short_and_superscript_forms_are_withheld() -> None:
    """Forms the review found slipping through: the registry reads a spaced number as one; a
    number without its check character, or cut to 16 by a message, is still someone's; a name of
    superscript digits is stored (NFKC) as the ASCII number."""
    number = "110105194912310021"
    superscript = number.translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
    for written in ("110105 19491231 0021", number[:17], number[:16], superscript):
        assert holds_id_number(f"got '{written}'"), written
        assert withhold_id_numbers(f"got '{written}'") == f"got '{WITHHELD}'", written
