"""The fast canonicalisation path of credentials._jcs is byte-identical to `rfc8785`.

`canonicalize` now writes values that `is_plain_json` accepts with `orjson` (before: the standard
library's JSON encoder). These properties compare it with the reference it replaced — `rfc8785.dumps` of
`plain_json(value)` — on arbitrary values, including the ones the fast path must refuse (floats,
big integers, keys beyond U+FFFF next to keys in U+E000..U+FFFF, lone surrogates, subclasses,
tuples, deep nesting).
"""

from __future__ import annotations

import enum
import json
from collections import OrderedDict
from typing import Any

import orjson
import pytest
import rfc8785
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from credentials import _jcs as jcs
from credentials.errors import CanonicalizationError
from tests.credentials._support import sample_certificate

# Every code point, lone surrogates included, weighted towards the ones that matter here:
# controls, quote and backslash, DEL, U+2028/9, the private-use area and beyond the BMP.
_CHARS = st.one_of(
    st.characters(codec=None, categories=None),
    st.sampled_from(
        [
            '"',
            "\\",
            "/",
            "\x00",
            "\x08",
            "\t",
            "\n",
            "\x0c",
            "\r",
            "\x1f",
            "\x7f",
            "\u2028",
            "\u2029",
            "\ud800",
            "\udfff",
            "\ue000",
            "\uffff",
            "\U00010000",
            "\U0001f600",
            "é",
            "证",
        ]
    ),
)
TEXT = st.text(_CHARS, max_size=8)


class Colour(enum.StrEnum):
    RED = "red"


def _reference(value: Any) -> bytes:
    """What `canonicalize` computed before the fast path (rfc8785 on the plain copy)."""
    plain = jcs.plain_json(value)
    try:
        return rfc8785.dumps(plain)
    except (rfc8785.CanonicalizationError, ValueError) as exc:
        raise CanonicalizationError("JCS_NOT_JSON", str(exc)) from None


def _outcome(fn: Any, value: Any) -> tuple[str, bytes | str]:
    try:
        return "ok", fn(value)
    except CanonicalizationError as exc:
        return "error", exc.code


SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.integers()  # beyond I-JSON too: refused, or a double's canonical spelling
    | st.floats()
    | TEXT
    | st.just(Colour.RED)
)


def values(max_leaves: int = 25) -> st.SearchStrategy[Any]:
    return st.recursive(
        SCALARS,
        lambda children: (
            st.lists(children, max_size=5)
            | st.lists(children, max_size=3).map(tuple)
            | st.dictionaries(TEXT, children, max_size=5)
            | st.dictionaries(st.integers(0, 3), children, min_size=1, max_size=2)
            | st.dictionaries(TEXT, children, max_size=3).map(OrderedDict)
        ),
        max_leaves=max_leaves,
    )


@settings(max_examples=1000, suppress_health_check=[HealthCheck.too_slow])
@given(values())
@example({"\ue000": 1, "\U00010000": 2})  # code point order and UTF-16 order disagree
@example({"\U0001f600": 1, "\ufb33": 2, "\u20ac": 3, "\r": 4, "1": 5})
@example({"k": "\ud800"})
@example({"\udc00": 1})
@example([1.0, -0.0, 1e21, 2**53, -(2**53) + 1, 10**20])
@example({"a": '\x00\x1f\x7f\u2028"\\/'})
def test_canonicalize_equals_rfc8785(value: Any) -> None:
    assert _outcome(jcs.canonicalize, value) == _outcome(_reference, value)


@settings(max_examples=500)
@given(values())
def test_the_fast_path_is_taken_only_where_it_is_exact(value: Any) -> None:
    if jcs.is_plain_json(value):
        # Plain values are their own plain copy, and orjson (as the standard encoder) writes
        # rfc8785's bytes.
        assert jcs.plain_json(value) == value
        fast = json.dumps(
            value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
        ).encode("utf-8")
        assert fast == rfc8785.dumps(value) == orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


@pytest.mark.parametrize(
    "value",
    [
        1.5,
        {"x": 0.1},
        [2**53],
        {"\U00010000": 1},
        {"k": "\udfff"},
        (1, 2),
        {"k": (1,)},
        OrderedDict(a=1),
        {"k": Colour.RED},
        True.__class__(1),
    ],
)
def test_values_outside_the_fast_path_are_recognised(value: Any) -> None:
    expected = value is True  # a bool is plain; the rest are not
    assert jcs.is_plain_json(value) is expected


def test_depth_limit_is_unchanged() -> None:
    deep: Any = "leaf"
    for _ in range(jcs.MAX_DEPTH):
        deep = [deep]
    assert jcs.canonicalize(deep) == _reference(deep)
    too_deep: Any = [deep]
    with pytest.raises(CanonicalizationError) as raised:
        jcs.canonicalize(too_deep)
    assert raised.value.code == "JCS_TOO_DEEP"


def test_a_signed_certificate_takes_the_fast_path_and_matches() -> None:
    credential = sample_certificate()
    assert jcs.is_plain_json(credential)
    assert jcs.canonicalize(credential) == rfc8785.dumps(credential)


def _count(value: Any) -> int:
    """Every dict, list and leaf below and including `value` (keys not counted)."""
    if isinstance(value, dict):
        return 1 + sum(_count(v) for v in value.values())
    if isinstance(value, list | tuple):
        return 1 + sum(_count(v) for v in value)
    return 1


@settings(max_examples=1000, suppress_health_check=[HealthCheck.too_slow])
@given(values())
@example({"\U00010000": 1})
@example({"k": ["\ud800"]})
@example([[2**53]])
@example({"a": {"b": (1,)}})
@example([{"k": Colour.RED}])
def test_plain_size_is_is_plain_json_and_the_node_count(value: Any) -> None:
    size = jcs.plain_size(value)
    assert (size >= 0) is jcs.is_plain_json(value)
    if size >= 0:
        assert size == _count(value)
    else:
        assert size == -1


def test_plain_size_keeps_the_depth_limit() -> None:
    deep: Any = "leaf"
    for _ in range(jcs.MAX_DEPTH):
        deep = {"k": deep}
    assert jcs.plain_size(deep) == jcs.MAX_DEPTH + 1
    assert jcs.plain_size([deep]) == -1
    assert jcs.plain_size({"k": [deep]}) == -1


@settings(max_examples=1000, suppress_health_check=[HealthCheck.too_slow])
@given(values())
def test_canonicalize_plain_equals_rfc8785_on_plain_values(value: Any) -> None:
    if jcs.is_plain_json(value):
        assert (
            jcs.canonicalize(value, plain=True) == rfc8785.dumps(value) == jcs.canonicalize(value)
        )


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(values(), st.integers(0, 30))
def test_plain_size_stops_at_its_limit(value: Any, limit: int) -> None:
    expected = _count(value) if jcs.is_plain_json(value) else -1
    assert jcs.plain_size(value, limit) == (expected if expected <= limit else -1)


def test_plain_size_does_not_expand_shared_values() -> None:
    # Within the depth limit, so the budget (not the depth) is what stops the walk: without it
    # this would never finish.
    shared: Any = []
    for _ in range(jcs.MAX_DEPTH - 4):  # 2**61 values once expanded
        shared = [shared, shared]
    assert jcs.plain_size(shared, 100_000) == -1
    small: Any = []
    for _ in range(10):
        small = [small, small]
    assert jcs.plain_size(small, 100_000) == 2**11 - 1  # each copy counted, as JSON text would
