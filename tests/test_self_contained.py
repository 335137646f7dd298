"""The repository stands alone: nothing in it cites a design document or a path that lives
outside it (the project's design is docs/architecture.md, its identifiers docs/identifiers.md)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Written in pieces so that this file does not match itself.
OUTSIDE = re.compile(
    "|".join(
        [
            r"DESIGN" + r"\.md",  # the first design, kept outside the repository
            r"(?<![\w.-])reference" + r"/",  # its reference notes (codes, occupations, the notice)
            r"/work" + r"/",  # any absolute path of the machine it was written on
        ]
    )
)
TEXT_SUFFIXES = {".py", ".md", ".json", ".toml", ".cfg", ".sh", ".js", ".mjs", ".html", ".txt"}


def tracked_files() -> list[Path]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, text=True
    ).stdout
    return [ROOT / name for name in listed.split("\0") if name]


def outside_references(path: Path) -> list[str]:
    """`path:line: text` for every line of `path` that cites something outside the repository."""
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, FileNotFoundError):
        return []
    return [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}"
        for number, line in enumerate(text.splitlines(), start=1)
        if OUTSIDE.search(line)
    ]


def test_no_file_cites_anything_outside_the_repository() -> None:
    files = [p for p in tracked_files() if p.suffix in TEXT_SUFFIXES or p.name == "README"]
    assert any(p.suffix == ".py" for p in files) and any(p.suffix == ".md" for p in files)
    found = [hit for path in files for hit in outside_references(path)]
    assert found == [], "cite docs/ instead:\n" + "\n".join(found)


def test_the_check_finds_a_citation(tmp_path: Path) -> None:
    # The check above would pass vacuously if its pattern matched nothing.
    for cited in ("see DESIGN" + ".md", "the rule in reference" + "/codes.md", "/work" + "/x"):
        assert OUTSIDE.search(cited), cited
    assert not OUTSIDE.search("docs/identifiers.md and docs/architecture.md")


CITED = re.compile(
    r"(?<![\w/.-])((?:tests|docs|scripts|credentials|registry|resolvers|schema|service)/[\w/.-]+\.(?:py|md))\b"
)


def test_every_file_the_repository_cites_exists() -> None:
    # Files move (issue 13 regrouped registry/ and tests/); a citation left behind misleads.
    files = [p for p in tracked_files() if p.suffix in {".py", ".md"}]
    missing = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), start=1):
            for cited in CITED.findall(line):
                if not (ROOT / cited).exists():
                    missing.append(f"{path.relative_to(ROOT)}:{number}: {cited}")
    assert missing == [], "\n".join(missing)
    assert CITED.findall("see tests/credentials/test_multibase.py.") == [
        "tests/credentials/test_multibase.py"
    ]
