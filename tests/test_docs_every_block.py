"""Every code block of README.md and docs/*.md is run by a test, or says why it cannot be
(issue 16: every doc example runs verbatim). Blocks are found as a CommonMark parser finds them
(`tests/docs_examples.py`, `every_block`), so a block on a page added later, a fence inside a
list and an indented block are all counted; nothing here lists pages or blocks.

A block is run when
- tests/test_docs_examples.py runs it (`examples()`: graphql, curl-only sh, python naming the
  demo's address, with the `json variables` block after a graphql one), or
- it is a `sh run=demo` block: tests/test_readme_flow.py (README) and
  tests/test_docs_examples.py (other pages) run a page's such blocks in order as one script
  against a demo's data directory, or
- one of the dedicated tests in `RUNNERS` picks it with the same selection it runs.

Otherwise its fence carries `not-run=REASON`, REASON one of `REASONS` (a short, closed list: a
new reason is a decision to write down here, not a word to invent on a page). A `text` block is
words in a fixed-width font, not code: nothing to run. An indented block has no fence to carry a
marker: write it as a fence."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from tests.docs_examples import DEMO_ADDRESS, ROOT, Block, every_block, examples, pages

REASONS = {
    "long": "starts the registry, a fuzzer or a benchmark: it runs until stopped, and a "
    "benchmark's figures mean something only on a quiet machine",
    "container": "builds or starts containers (deploy/), which this machine's tests do not",
    "installs": "installs software into the developer's environment",
    "secret": "handles the operator's real master key or database password",
    "output": "shows what a command run by another block prints, or the shape of a document",
    "synopsis": "a command's forms with placeholders, not a command to run",
    "old-data": "upgrades data written by an older version of the registry, which no demo holds",
}


@dataclass(frozen=True)
class Runner:
    """A test that runs some page's blocks with its own selection: `picks` gives the texts it
    runs (from the test module, so the selection is the one the test uses)."""

    test: str  # path::function
    page: str
    picks: Callable[[ModuleType], list[str]]

    def module(self) -> ModuleType:
        path = self.test.split("::")[0].removesuffix(".py").replace("/", ".")
        return importlib.import_module(path)


def _section(page: str, heading: str) -> str:
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    return text.split(heading, 1)[1].split("\n## ", 1)[0]


RUNNERS = [
    Runner(
        "tests/service/test_backup_round_trip.py::test_the_rehearsal_checks_pass",
        "operations.md",
        lambda m: m.section_blocks(),
    ),
    Runner(
        "tests/test_docs_identifiers.py::test_section_examples_run",
        "identifiers.md",
        lambda m: [t for _, t in m._blocks(m.PAGE.read_text("utf-8").splitlines())],
    ),
    Runner(
        "tests/test_docs_transparency.py::test_the_credential_file_example_runs_verbatim",
        "transparency.md",
        lambda m: [m._python_block("## Checking a credential file in Python")],
    ),
    Runner(
        "tests/test_docs_transparency.py::test_the_worked_example_runs_verbatim_against_the_demo",
        "transparency.md",
        lambda m: [m.example()],
    ),
    Runner(
        "tests/service/test_docs_printing.py::test_the_examples_of_docs_printing_md_run_verbatim",
        "printing.md",
        lambda m: m.shell_blocks("http://127.0.0.1:8000"),
    ),
    Runner(
        "tests/service/test_operations_root.py::test_every_command_of_the_ceremony_runs_as_written",
        "operations.md",
        lambda m: m.section_commands(),
    ),
    Runner(
        "tests/web/test_verifier_words_browser.py::"
        "test_the_docs_node_example_prints_the_description_python_gives",
        "verifier-page.md",
        lambda m: _section("verifier-page.md", "## Whose certificate: the description\n").split(
            "```"
        )[1::2],
    ),
    Runner(
        "tests/service/test_large_batches.py::test_the_docs_example_submits_5000_rows_that_publish",
        "api.md",
        lambda m: [_section("api.md", "### A large batch, in parts")],
    ),
    Runner(
        "tests/service/test_verify_words.py::test_the_docs_command_line_examples_print_what_they_show",
        "verifying.md",
        lambda m: [
            body
            for _, body in m.section_blocks(
                "verifying.md", "### Whose certificate: the lines before the checks"
            )
        ],
    ),
    Runner(
        "tests/schema/test_supervision_api.py::test_anyone_reruns_the_draw_from_the_public_record",
        "training-and-supervision.md",
        lambda m: [m.DOCS.read_text("utf-8").split("### The draw, so that anyone can re-run")[1]],
    ),
]


def _run_by_examples() -> set[tuple[str, int]]:
    """(page, line) of the blocks tests/test_docs_examples.py runs, their variables included."""
    run = set()
    for example in examples():
        run.add((example.page, example.line))
        if example.variables is not None:
            page = next(p for p in pages() if p.name == example.page)
            after = [b for b in every_block(page) if b.line > example.line]
            run.add((example.page, after[0].line))
    return run


def _run_by_runner(block: Block, picked: dict[str, str]) -> bool:
    """Every line of the block is in what a dedicated test for its page runs."""
    chosen = picked.get(block.page)
    if chosen is None:
        return False
    lines = [line for line in DEMO_ADDRESS.sub("http://127.0.0.1:8000", block.text).splitlines()]
    return all(line in chosen for line in lines if line.strip())


def _picked() -> dict[str, str]:
    out: dict[str, str] = {}
    for runner in RUNNERS:
        texts = runner.picks(runner.module())
        joined = "\n".join(DEMO_ADDRESS.sub("http://127.0.0.1:8000", t) for t in texts)
        out[runner.page] = out.get(runner.page, "") + "\n" + joined
    return out


def unaccounted() -> list[str]:
    """Each block that nothing runs and no marker excuses, with what is wrong."""
    run = _run_by_examples()
    picked = _picked()
    wrong = []
    for path in pages():
        for block in every_block(path):
            reason = block.markers.get("not-run")
            if reason is not None:
                if reason not in REASONS:
                    wrong.append(f"{block.id}: not-run={reason} is not one of {sorted(REASONS)}")
                continue
            if block.language == "text" and block.fenced:
                continue
            if not block.fenced:
                wrong.append(f"{block.id}: not a fence at the start of a line: nothing runs it")
            elif (block.page, block.line) in run or block.markers.get("run") == "demo":
                continue
            elif not _run_by_runner(block, picked):
                wrong.append(f"{block.id}: nothing runs it and no not-run=REASON says why")
    return wrong


def test_every_block_is_run_or_says_why_not() -> None:
    assert unaccounted() == []


@pytest.mark.parametrize("runner", RUNNERS, ids=[r.test for r in RUNNERS])
def test_each_runner_exists_and_picks_something(runner: Runner) -> None:
    module = runner.module()
    assert callable(getattr(module, runner.test.split("::")[1]))
    assert any(text.strip() for text in runner.picks(module))


def test_a_block_nothing_runs_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The check would pass vacuously if it found nothing: an unmarked shell block, an indented
    # block and a made-up reason on a new page are each reported.
    page = tmp_path / "new-page.md"
    page.write_text(
        "# New\n\n```sh\nregistry serve\n```\n\nText.\n\n    mutation { x }\n\n"
        "```sh not-run=because\nls\n```\n\n```sh not-run=long\nregistry serve\n```\n",
        encoding="utf-8",
    )
    monkeypatch.setattr("tests.test_docs_every_block.pages", lambda: [page])
    assert unaccounted() == [
        "new-page.md:3:sh: nothing runs it and no not-run=REASON says why",
        "new-page.md:9:indented: not a fence at the start of a line: nothing runs it",
        f"new-page.md:11:sh: not-run=because is not one of {sorted(REASONS)}",
    ]
