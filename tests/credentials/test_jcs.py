"""credentials._jcs: RFC 8785 canonical JSON."""

from __future__ import annotations

import enum
import json
import types
from typing import Any

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from credentials._jcs import MAX_DEPTH, canonicalize, is_plain_json, plain_json, plain_size
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


# --- exact boundaries: the fast-path walk, the node count and the depth limit -----------------

LIMIT = 2**53 - 1  # I-JSON's largest exact integer, written out here, not taken from the module


def _nested(depth: int, leaf: Any, *, as_dict: bool) -> Any:
    value = leaf
    for _ in range(depth):
        value = {"k": value} if as_dict else [value]
    return value


@pytest.mark.parametrize(
    ("value", "plain"),
    [
        (LIMIT, True),
        (-LIMIT, True),
        (LIMIT + 1, False),
        (-LIMIT - 1, False),
        ([LIMIT, -LIMIT], True),
        ([LIMIT + 1], False),
        ([-LIMIT - 1], False),
        ({"n": LIMIT, "m": -LIMIT}, True),
        ({"n": LIMIT + 1}, False),
        ({"n": -LIMIT - 1}, False),
        ("é证", True),
        (["é证"], True),
        ({"k": "é证"}, True),
        ({"é": 1, "\uffff": 2, "\ue000": 3}, True),  # keys inside the BMP sort alike
        ({"\U00010000": 1}, False),  # beyond the BMP: UTF-16 order differs
        ({"\ud800": 1}, False),  # a lone surrogate key
        ({"k": "\ud800"}, False),
        (["\udfff"], False),
        ("\udfff", False),
        ({1: "a"}, False),
        ([None, True, False], True),
        ({"a": None, "b": False}, True),
        ([1.0], False),
        ({"x": 0.5}, False),
        ([b"x"], False),
        ({"k": b"x"}, False),
        (b"x", False),
    ],
)
def test_is_plain_json_and_plain_size_agree_on_each_kind_of_leaf(value: Any, plain: bool) -> None:
    assert is_plain_json(value) is plain
    assert (plain_size(value) >= 0) is plain
    if not plain:
        assert plain_size(value) == -1
        assert plain_size([value]) == -1
        assert plain_size({"k": [1, value]}) == -1


@pytest.mark.parametrize("as_dict", [False, True])
def test_the_depth_limit_is_exact_for_lists_and_objects(as_dict: bool) -> None:
    # MAX_DEPTH containers around a leaf are JSON; one more is too deep, on every path.
    at_limit = _nested(MAX_DEPTH, True, as_dict=as_dict)
    beyond = _nested(MAX_DEPTH + 1, True, as_dict=as_dict)
    assert is_plain_json(at_limit) and not is_plain_json(beyond)
    assert plain_size(at_limit) == MAX_DEPTH + 1 and plain_size(beyond) == -1
    assert plain_json(at_limit) == at_limit
    with pytest.raises(CanonicalizationError) as info:
        plain_json(beyond)
    assert info.value.code == "JCS_TOO_DEEP"
    # A float leaf keeps the value off the fast path: the rfc8785 path has the same limit.
    floats_at_limit = _nested(MAX_DEPTH, 0.5, as_dict=as_dict)
    assert canonicalize(floats_at_limit) == rfc8785.dumps(floats_at_limit)
    with pytest.raises(CanonicalizationError) as info:
        canonicalize(_nested(MAX_DEPTH + 1, 0.5, as_dict=as_dict))
    assert info.value.code == "JCS_TOO_DEEP"


def test_plain_size_counts_every_value_and_stops_exactly_at_its_limit() -> None:
    value = {"a": [1, "x", None, True, "é"], "b": {"c": []}}
    assert plain_size(value) == 9
    assert plain_size(value, 9) == 9
    assert plain_size(value, 8) == -1
    assert plain_size("leaf", 1) == 1
    assert plain_size("leaf", 0) == -1
    assert plain_size([[1]], 3) == 3
    assert plain_size([[1]], 2) == -1
    assert plain_size([[], [[1]]], 5) == 5  # the inner budget is what is left after "[]"
    assert plain_size([[], [[1]]], 4) == -1
    assert plain_size([1, [2]], 3) == -1  # the nested list alone fits, the whole does not


def test_the_fast_path_sorts_keys_and_writes_no_whitespace() -> None:
    value = {"b": [1, {"d": None, "c": True}], "a": "é\n"}
    assert is_plain_json(value)
    expected = '{"a":"é\\n","b":[1,{"c":true,"d":null}]}'.encode()
    assert canonicalize(value) == expected
    assert canonicalize(value, plain=True) == expected


class Level(enum.IntEnum):
    ONE = 1


class Colour(enum.StrEnum):
    RED = "red"


def test_subclasses_are_written_as_their_plain_values() -> None:
    value = {Colour.RED: [Colour.RED, Level.ONE, 0.5], "big": 10**20}
    copy = plain_json(value)
    assert copy == {"red": ["red", 1, 0.5], "big": 1e20}
    assert [type(x) for x in copy["red"]] == [str, int, float]
    assert type(next(iter(copy))) is str
    assert canonicalize(value) == b'{"big":100000000000000000000,"red":["red",1,0.5]}'
    assert plain_json(None) is None and plain_json(False) is False
    assert plain_json(5e-324) == 5e-324


def test_integers_up_to_the_limit_stay_integers_in_the_plain_copy() -> None:
    # Beyond the limit an integer can only stand for a double; up to it, it is an integer.
    copy = plain_json([LIMIT, -LIMIT, 0.5])
    assert copy == [LIMIT, -LIMIT, 0.5]
    assert [type(x) for x in copy] == [int, int, float]
    assert type(plain_json(2**53)) is float
