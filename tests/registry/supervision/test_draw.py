"""The 双随机 draw as a pure function: the same published seed and rules give the same selection,
whatever the order of the inputs; the rules on inspectors hold; the published form reads back."""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.supervision.draw import (
    ALGORITHM,
    Candidate,
    DrawInputError,
    DrawRules,
    Inspector,
    draw,
    normalise_seed,
    parse_published,
    published_document,
)
from tests.factories import make_uscc

PROVINCES = ["11", "31", "35", "44"]

seeds = st.text(min_size=1, max_size=60).filter(lambda s: s.strip() != "")
candidates = st.lists(
    st.builds(
        Candidate,
        st.integers(1, 99_999).map(make_uscc),
        st.sampled_from(PROVINCES),
    ),
    max_size=40,
    unique_by=lambda c: c.uscc,
)


@st.composite
def rosters(draw_: Any, population: list[Candidate]) -> list[Inspector]:
    n = draw_(st.integers(0, 12))
    out = []
    for i in range(n):
        affiliation = draw_(st.none() | st.sampled_from([c.uscc for c in population] or [None]))
        out.append(
            Inspector(f"insp_{i:04d}", f"检查员{i}", draw_(st.sampled_from(PROVINCES)), affiliation)
        )
    return out


rules_strategy = st.builds(
    DrawRules,
    kinds=st.just(("EVALUATION", "TRAINING")),
    provinces=st.just(()),
    listed_on=st.dates(dt.date(2022, 1, 1), dt.date(2030, 12, 31)),
    sample_size=st.integers(1, 50),
    inspectors_per_institution=st.integers(1, 4),
    avoid_same_province=st.booleans(),
)


def _valid_seed(seed: str) -> bool:
    try:
        normalise_seed(seed)
    except DrawInputError:
        return False
    return True


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), seeds, rules_strategy, candidates)
def test_same_seed_same_selection_in_any_order(
    data: st.DataObject, seed: str, rules: DrawRules, population: list[Candidate]
) -> None:
    if not _valid_seed(seed):
        return
    roster = data.draw(rosters(population))
    first = draw(seed, rules, population, roster)
    shuffled_pop, shuffled_roster = list(population), list(roster)
    random.Random(data.draw(st.integers())).shuffle(shuffled_pop)
    random.Random(data.draw(st.integers())).shuffle(shuffled_roster)
    assert draw(seed, rules, shuffled_pop, shuffled_roster) == first
    # The selection is a function of the published seed and rules only: the date of the
    # population (a rule) does not enter the draw itself, and nothing else does.
    later = DrawRules(
        rules.kinds,
        rules.provinces,
        rules.listed_on + dt.timedelta(days=1),
        rules.sample_size,
        rules.inspectors_per_institution,
        rules.avoid_same_province,
    )
    assert draw(" " + seed + "\n", later, population, roster) == first


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), seeds, rules_strategy, candidates)
def test_the_rules_hold(
    data: st.DataObject, seed: str, rules: DrawRules, population: list[Candidate]
) -> None:
    if not _valid_seed(seed):
        return
    roster = data.draw(rosters(population))
    by_id = {i.id: i for i in roster}
    by_uscc = {c.uscc: c for c in population}
    selection = draw(seed, rules, population, roster)
    assert len(selection) == min(rules.sample_size, len(population))
    assert len({a.uscc for a in selection}) == len(selection)
    load: dict[str, int] = {}
    for a in selection:
        institution = by_uscc[a.uscc]
        assert len(set(a.inspectors)) == len(a.inspectors) <= rules.inspectors_per_institution
        eligible = [
            i
            for i in roster
            if i.affiliation != a.uscc
            and not (rules.avoid_same_province and i.province == institution.province)
        ]
        assert len(a.inspectors) == min(rules.inspectors_per_institution, len(eligible))
        assert a.short == (len(a.inspectors) < rules.inspectors_per_institution)
        for inspector_id in a.inspectors:
            inspector = by_id[inspector_id]
            assert inspector.affiliation != a.uscc
            if rules.avoid_same_province:
                assert inspector.province != institution.province
            load[inspector_id] = load.get(inspector_id, 0) + 1
    # Work is spread: without exclusions, no inspector has two more inspections than another.
    if roster and not rules.avoid_same_province and not any(i.affiliation for i in roster):
        counts = [load.get(i.id, 0) for i in roster]
        assert max(counts) - min(counts) <= 1


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), seeds, rules_strategy, candidates)
def test_the_published_document_reads_back_and_redraws_the_same(
    data: st.DataObject, seed: str, rules: DrawRules, population: list[Candidate]
) -> None:
    if not _valid_seed(seed):
        return
    roster = data.draw(rosters(population))
    selection = draw(seed, rules, population, roster)
    document = json.loads(
        json.dumps(published_document("cmp_x", seed, rules, population, roster, selection))
    )
    assert document["algorithm"] == ALGORITHM
    seed2, rules2, population2, roster2, published = parse_published(document)
    assert published == list(selection)
    assert draw(seed2, rules2, population2, roster2) == selection


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_the_parser_refuses_anything_malformed_with_one_error(value: Any) -> None:
    try:
        parse_published(value)
    except DrawInputError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_the_parser_refuses_damaged_documents(data: st.DataObject) -> None:
    population = [Candidate(make_uscc(i), "35") for i in range(1, 6)]
    roster = [Inspector(f"insp_{i}", f"检查员{i}", "11") for i in range(3)]
    rules = DrawRules(("EVALUATION",), (), dt.date(2026, 1, 5), 2, 2)
    document = published_document(
        "cmp_x", "seed", rules, population, roster, draw("seed", rules, population, roster)
    )
    path = data.draw(st.sampled_from(["seed", "rules", "population", "roster", "selection"]))
    damage = data.draw(json_values)
    document[path] = damage
    try:
        parse_published(document)
    except DrawInputError:
        pass


def test_a_known_draw_is_stable_across_releases() -> None:
    """A pinned example: if this changes, every published campaign's redraw would change."""
    population = [Candidate(make_uscc(i), PROVINCES[i % 4]) for i in range(1, 21)]
    roster = [Inspector(f"insp_{i:02d}", f"检查员{i}", PROVINCES[i % 4]) for i in range(8)]
    rules = DrawRules(("EVALUATION", "TRAINING"), (), dt.date(2026, 6, 1), 4, 2, True)
    selection = draw("2026-06-02 福彩3D 385", rules, population, roster)
    again = draw("2026-06-02 福彩3D 385", rules, list(reversed(population)), roster[::-1])
    assert selection == again
    assert [(a.uscc, a.inspectors) for a in selection] == [
        ("91350100DTE0001007", ("insp_01", "insp_07")),
        ("91350100DTE000150C", ("insp_00", "insp_04")),
        ("91350100DTE000180F", ("insp_05", "insp_03")),
        ("91350100DTE000200W", ("insp_02", "insp_06")),
    ]
    other = draw("2026-06-02 福彩3D 386", rules, population, roster)
    assert [a.uscc for a in other] != [a.uscc for a in selection]


@pytest.mark.parametrize("bad", ["", "   ", "a" * 201, "seed\x00", 5])
def test_bad_seeds_are_refused(bad: Any) -> None:
    with pytest.raises(DrawInputError):
        normalise_seed(bad)
