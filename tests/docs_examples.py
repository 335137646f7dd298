"""The examples of the documentation, found by their language (and a marker after it), so that a
new example is run without anyone listing it (tests/test_docs_examples.py runs them).

| fence                          | run as                                                          |
| ------------------------------ | --------------------------------------------------------------- |
| ```` ```graphql ````           | a POST to `/graphql`; `as=ROLE` sends the demo token of ROLE; the `json variables` block right after it gives the variables; `variables=demo-certificate` gives `number` and `name` of a published demo certificate |
| ```` ```sh ```` of `curl` only | bash; each `# ` line under a command is output it must print (`…` stands for what varies) |
| ```` ```python ```` naming `http://127.0.0.1:8000` | python, with the registry at that address |
| ```` ```graphql variables=demo-today ```` | as above, with `today` the registry's date (China time) |
| ```` ```graphql variables=demo-training-certificate ```` | `number` and `name` of one of the demo holder's training certificates |
| ```` ```sh run=demo ```` | bash, all of a page's such blocks in order as one script, at the top of a checkout whose `var/` is the demo's data directory (README: a fresh `registry serve --demo`'s, `tests/test_readme_flow.py`; other pages: tests/test_docs_examples.py's demo); `# ` lines as above, `## ` lines are prose |

Only fences at the start of a line are run this way. `every_block` finds every code block of a
page as a CommonMark parser does (fences, fences inside lists, indented blocks), so that
tests/test_docs_every_block.py can fail on any block that nothing runs and no marker excuses.
In every example the demo's address `http://127.0.0.1:8000` (or `localhost:8000`) is replaced by
the test server's: the one change made to an example before it runs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[1]
DEMO_ADDRESS = re.compile(r"(?:http://)?(?:127\.0\.0\.1|localhost):8000")
_FENCE = re.compile(r"^```(\S*)[ \t]*(.*)$")


@dataclass(frozen=True)
class Example:
    page: str
    line: int
    language: str
    markers: dict[str, str]
    text: str
    variables: dict[str, Any] | None = field(default=None)

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}:{self.language}"


def pages() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


@dataclass(frozen=True)
class Block:
    """A code block as a reader sees it: `fenced` when it opens with a fence at the start of a
    line (the only kind the runners here read), else a fence inside a list or an indented block."""

    page: str
    line: int
    language: str
    markers: dict[str, str]
    text: str
    fenced: bool

    @property
    def id(self) -> str:
        return (
            f"{self.page}:{self.line}:{self.language or ('plain' if self.fenced else 'indented')}"
        )


def every_block(path: Path) -> list[Block]:
    """Every code block of the page at `path`, as CommonMark parses it."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found = []
    for token in MarkdownIt("commonmark").parse(source):
        if token.type not in ("fence", "code_block") or token.map is None:
            continue
        language, _, info = token.info.strip().partition(" ")
        start = token.map[0]
        fenced = token.type == "fence" and lines[start].startswith("```")
        found.append(Block(path.name, start + 1, language, _markers(info), token.content, fenced))
    return found


def _markers(info: str) -> dict[str, str]:
    return dict(word.split("=", 1) if "=" in word else (word, "") for word in info.split())


def blocks(path: Path) -> list[Example]:
    """Every fenced block of `path` (at the start of a line) with its language and markers."""
    found: list[Example] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    opened: tuple[int, str, str] | None = None
    body: list[str] = []
    for number, line in enumerate(lines, start=1):
        fence = _FENCE.match(line)
        if opened is None and fence:
            opened, body = (number, fence.group(1), fence.group(2)), []
        elif opened is not None and line == "```":
            where, language, info = opened
            text = "\n".join(body) + "\n"
            found.append(Example(path.name, where, language, _markers(info), text))
            opened = None
        elif opened is not None:
            body.append(line)
    return found


def demo_script(path: Path) -> str:
    """The `sh run=demo` blocks of `path`, in order, as one bash script."""
    return "".join(
        b.text for b in blocks(path) if b.language == "sh" and b.markers.get("run") == "demo"
    )


def _runnable(example: Example) -> bool:
    if example.markers.get("run") == "demo":
        return False  # run as one script per page (`_demo_scripts`)
    if "not-run" in example.markers:
        return False  # tests/test_docs_every_block.py holds the reasons
    if example.language == "graphql":
        return True
    if example.language == "sh":
        commands = [
            line
            for line in example.text.splitlines()
            if line.strip() and not line.lstrip().startswith("#") and not line.startswith(" ")
        ]
        return bool(commands) and all(line.startswith("curl ") for line in commands)
    if example.language == "python":
        return bool(DEMO_ADDRESS.search(example.text))
    return False


def examples() -> list[Example]:
    """The runnable examples of every page, a `graphql` block with its `json variables`."""
    out: list[Example] = []
    for path in pages():
        found = blocks(path)
        for index, example in enumerate(found):
            if not _runnable(example):
                continue
            variables = None
            following = found[index + 1] if index + 1 < len(found) else None
            if following and following.language == "json" and "variables" in following.markers:
                variables = json.loads(following.text)
            out.append(
                Example(
                    example.page,
                    example.line,
                    example.language,
                    example.markers,
                    example.text,
                    variables,
                )
            )
    return out + _demo_scripts()


def _demo_scripts() -> list[Example]:
    """Each page's `sh run=demo` blocks as one example (the README's are its flow test's)."""
    out = []
    for path in pages():
        if path.name == "README.md":
            continue
        found = [b for b in blocks(path) if b.markers.get("run") == "demo"]
        if found:
            out.append(Example(path.name, found[0].line, "sh", {"run": "demo"}, demo_script(path)))
    return out


def expected_output(text: str) -> list[list[str]]:
    """The `# ` lines under commands of a shell example, each as the pieces between `…`."""
    wanted = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("# "):
            pieces = [p.strip() for p in stripped[2:].split("…")]
            wanted.append([p for p in pieces if p])
    return wanted
