"""credentials._jcs: RFC 8785 canonical JSON."""

from __future__ import annotations

import json
import types
from typing import Any

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from credentials._jcs import MAX_DEPTH, canonicalize, plain_json
from credentials.errors import CanonicalizationError
from tests.credentials._support import json_values


def test_rfc8785_sorting_example() -> None:
    # RFC 8785 §3.2.3: keys sort by UTF-16 code units, so U+1F600 (D83D DE00) sorts before U+FB33.
    value = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    keys = [k for k in json.loads(canonicalize(value))]
    assert keys == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]


def test_rfc8785_structure_example() -> None:
    value = {
        "numbers": [333333333.33333329, 1e30, 4.50, 2e-3, 0.000000000000000000000000001],
        "string": "\u20ac$\u000f\u000aA'\u0042\u0022\u005c\\\"/",
        "literals": [None, True, False],
    }
    expected = (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    )
    assert canonicalize(value) == expected.encode("utf-8")


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (0.0, "0"),
        (-0.0, "0"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (1e-7, "1e-7"),
        (1e-6, "0.000001"),
        (-1.5, "-1.5"),
        (9007199254740991, "9007199254740991"),
        (5e-324, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
    ],
)
def test_number_serialisation(number: float, text: str) -> None:
    assert canonicalize([number]) == f"[{text}]".encode()


@given(json_values())
def test_wrapper_is_byte_identical_to_rfc8785_and_round_trips(value: Any) -> None:
    out = canonicalize(value)
    assert out == rfc8785.dumps(value)
    # Parsing the canonical form and canonicalising again gives the same bytes, even where
    # json.loads turns a large integral double (1e20) into a Python int.
    assert canonicalize(json.loads(out)) == out


@pytest.mark.parametrize("number", [1e20, 5.90505210361735e16, -1.2345e20, 2.0**53, 2.0**60])
def test_large_integral_doubles_survive_a_json_round_trip(number: float) -> None:
    out = canonicalize({"n": number})
    parsed = json.loads(out)
    assert isinstance(parsed["n"], int)
    assert canonicalize(parsed) == out


@pytest.mark.parametrize("number", [2**53 + 1, -(2**53) - 1, 2**60, 10**400, 12345678901234567891])
def test_integers_no_double_is_written_as_are_refused(number: int) -> None:
    with pytest.raises(CanonicalizationError) as info:
        canonicalize([number])
    assert info.value.code == "JCS_NOT_JSON"


@given(json_values())
def test_plain_json_preserves_value_and_order(value: Any) -> None:
    copy = plain_json(value)
    assert copy == value
    assert json.dumps(copy) == json.dumps(value)


def test_other_containers_are_accepted_as_json() -> None:
    assert canonicalize(types.MappingProxyType({"b": (1, 2), "a": None})) == b'{"a":null,"b":[1,2]}'


@pytest.mark.parametrize(
    "value",
    [
        float("nan"),
        float("inf"),
        [float("-inf")],
        {1: "a"},
        {None: 1},
        {("a",): 1},
        "\ud800",
        {"\udfff": 1},
        b"bytes",
        {1, 2},
        object(),
        1j,
        {"a": [b"x"]},
    ],
)
def test_non_json_values_are_refused(value: Any) -> None:
    with pytest.raises(CanonicalizationError) as info:
        canonicalize(value)
    assert info.value.code == "JCS_NOT_JSON"


def test_deep_nesting_is_refused_without_recursion_error() -> None:
    ok: Any = "leaf"
    for _ in range(MAX_DEPTH):
        ok = [ok]
    assert canonicalize(ok).startswith(b"[[")
    deep: Any = "leaf"
    for _ in range(100_000):
        deep = {"a": deep}
    with pytest.raises(CanonicalizationError) as info:
        canonicalize(deep)
    assert info.value.code == "JCS_TOO_DEEP"
    cyclic: list[Any] = []
    cyclic.append(cyclic)
    with pytest.raises(CanonicalizationError):
        canonicalize(cyclic)


@given(st.text())
def test_strings_escape_like_rfc8785(text: str) -> None:
    assert canonicalize(text) == rfc8785.dumps(text)
    assert json.loads(canonicalize(text)) == text
