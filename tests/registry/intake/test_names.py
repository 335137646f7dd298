"""Names as people write them (issue 16 item 6): one key per name, whatever middle dot separates
its parts, whatever the case and spacing of a Latin name; different letters stay different."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.intake.names import MIDDLE_DOTS, name_key
from tests.name_variants import DOT_VARIANTS, LATIN_VARIANTS, UYGHUR


@pytest.mark.parametrize("variant", DOT_VARIANTS)
def test_every_middle_dot_variant_is_the_same_name(variant: str) -> None:
    assert name_key(variant) == name_key(UYGHUR)


@pytest.mark.parametrize("variant", LATIN_VARIANTS)
def test_latin_names_ignore_case_and_spaces(variant: str) -> None:
    assert name_key(variant) == name_key("John Smith")


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("张三", "张山"),
        ("张三", "张三三"),
        ("阿卜杜拉·买买提", "阿卜杜拉·买买堤"),
        ("阿卜杜拉·买买提", "阿卜杜拉买买提"),  # the dot is a separator, not nothing
        ("阿卜杜拉·买买提", "阿卜杜·拉买买提"),  # separated elsewhere
        ("John Smith", "John Smyth"),
        ("José Martí", "Jose Marti"),  # accents are letters
        ("Müller", "Muller"),
        ("李娜", "李那"),
        ("", "张三"),
    ],
)
def test_different_letters_stay_apart(one: str, other: str) -> None:
    assert name_key(one) != name_key(other)


def test_the_key_of_nothing_is_empty() -> None:
    assert name_key("") == name_key("  \u3000 ") == ""


@given(st.text())
def test_the_key_is_idempotent(text: str) -> None:
    assert name_key(name_key(text)) == name_key(text)


_letters = st.text(
    alphabet=st.characters(categories=["Lu", "Ll", "Lo"], exclude_characters="".join(MIDDLE_DOTS)),
    min_size=1,
    max_size=6,
)
_space = st.sampled_from(["", " ", "  ", "\u3000", "\t"])


@given(
    st.lists(_letters, min_size=1, max_size=4),
    st.lists(st.sampled_from(sorted(MIDDLE_DOTS)), min_size=3, max_size=3),
    st.lists(_space, min_size=4, max_size=4),
    st.booleans(),
)
def test_every_way_of_writing_a_name_has_one_key(
    parts: list[str], dots: list[str], spaces: list[str], upper: bool
) -> None:
    """A name of parts joined by middle dots: any dot variant, any spacing around the parts, any
    case gives the key of the name written with U+00B7 and no spaces."""
    plain = "·".join(parts)
    written = spaces[0] + "".join(
        part + (spaces[i + 1] + dots[i % 3] + spaces[(i + 2) % 4] if i < len(parts) - 1 else "")
        for i, part in enumerate(parts)
    )
    written = written.upper() if upper else written.lower()
    assert name_key(written) == name_key(plain)


@pytest.mark.parametrize(
    "text",
    ["\u00a8e", "e\u200d\u0301", "İstanbul", "STRASSE straße", "ﬃ", "\u2474", "a\u00a0.\u2028b"],
)
def test_folding_that_makes_new_spaces_or_joins_accents_is_still_idempotent(text: str) -> None:
    key = name_key(text)
    assert name_key(key) == key


def test_names_are_compared_only_through_name_key() -> None:
    """`normalise_name` is how a name is stored; a look-up that compared with it would miss
    `阿卜杜拉•买买提`. Outside the intake (which stores names), no code calls it."""
    root = Path(__file__).parents[3]
    callers = [
        str(path.relative_to(root))
        for package in ("credentials", "registry", "resolvers", "schema", "service", "scripts")
        for path in (root / package).rglob("*.py")
        if "normalise_name(" in path.read_text(encoding="utf-8")
        and path.parent != root / "registry" / "intake"
    ]
    assert callers == []
