"""docs/identifiers.md runs: every `pycon` example in it is executed verbatim, section by section,
with the project's own functions, and its output must match what the page shows."""

from __future__ import annotations

import doctest
import io
from pathlib import Path

import pytest

from credentials import IdNumberError, mod11_2_check, normalise_id_number
from registry.access import tokens

PAGE = Path(__file__).resolve().parents[1] / "docs" / "identifiers.md"
_PARSER = doctest.DocTestParser()


def _blocks(lines: list[str]) -> list[tuple[int, str]]:
    """The `pycon` blocks of `lines` as (index of the opening fence, text)."""
    blocks: list[tuple[int, str]] = []
    opened: int | None = None
    for index, line in enumerate(lines):
        if opened is None and line == "```pycon":
            opened = index
        elif opened is not None and line == "```":
            blocks.append((opened, "\n".join(lines[opened + 1 : index]) + "\n"))
            opened = None
    return blocks


def sections() -> dict[str, list[doctest.Example]]:
    """The page's `## ` sections by title with their examples; line numbers are the page's, so
    a failure points at the line to fix."""
    lines = PAGE.read_text(encoding="utf-8").splitlines()
    titles = {i: line[3:] for i, line in enumerate(lines) if line.startswith("## ")}
    found: dict[str, list[doctest.Example]] = {title: [] for title in titles.values()}
    for opened, text in _blocks(lines):
        title = titles[max(i for i in titles if i < opened)]
        for example in _PARSER.get_examples(text):
            example.lineno += opened + 1  # doctest adds 1 again when it reports
            found[title].append(example)
    return found


def test_every_section_has_an_example() -> None:
    found = sections()
    assert {
        "Certificate numbers",
        "Training certificate numbers",
        "Unified social credit code (USCC)",
        "Citizen ID number",
        "Occupation codes",
        "Province codes",
    } <= set(found)
    assert [title for title, examples in found.items() if not examples] == []


@pytest.mark.parametrize("title", list(sections()))
def test_section_examples_run(title: str) -> None:
    test = doctest.DocTest(sections()[title], {}, title, str(PAGE), 0, None)
    out = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    result = runner.run(test, out=out.write)
    assert result.failed == 0, out.getvalue()


def test_a_wrong_example_fails() -> None:
    # The runner above would pass vacuously if it compared nothing: a wrong answer must fail.
    examples = _PARSER.get_examples(">>> 1 + 1\n3\n")
    runner = doctest.DocTestRunner()
    result = runner.run(doctest.DocTest(examples, {}, "wrong", None, 0, None), out=lambda _: None)
    assert (result.failed, result.attempted) == (1, 1)


def test_the_id_number_provinces_are_the_catalogues() -> None:
    # The page says credentials/ keeps its own copy of the province prefixes; this keeps them equal.
    refused = set()
    for prefix in (f"{n:02d}" for n in range(100)):
        body = f"{prefix}010519491231002"
        try:
            normalise_id_number(body + mod11_2_check(body))
        except IdNumberError as error:
            assert error.code == "ID_NUMBER_REGION", prefix
            refused.add(prefix)
    assert {f"{n:02d}" for n in range(100)} - refused == tokens.province_codes()
