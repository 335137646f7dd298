"""The privacy sweep: no ID number the tests made may appear in any response body served or log
line written during the run, nor in the text of any PDF served or written (tests that write PDFs
add them to `CAPTURED_BODIES`; a PDF's text sits in compressed streams drawn through a font
subset, so it is read as `pdftotext` reads it). `tests/conftest.py` runs it once at the end of
the session, whatever ran; `tests/service/test_privacy.py` makes personal look-ups of its own and sweeps them, so the
sweep never passes vacuously."""

from __future__ import annotations

import re

from tests.factories import GENERATED_ID_NUMBERS
from tests.pdf import is_pdf, pdf_text

CAPTURED_BODIES: list[bytes] = []
CAPTURED_LOG_LINES: list[str] = []


def _readable(body: bytes) -> bytes:
    """The body as searched: a PDF with its extracted text appended, anything else as it is."""
    return body + b"\n" + pdf_text(body).encode("utf-8") if is_pdf(body) else body


# Where an ID number can stand: a run of 18 or more of its characters (a number inside a longer
# run is still found: every 18-character window of a run is looked at).
_RUN = re.compile(rb"[0-9X]{18,}")


def _found_in(text: bytes, numbers: frozenset[bytes]) -> list[bytes]:
    """The numbers of `numbers` that occur in `text`, each once, in a single pass over `text`."""
    hits: dict[bytes, None] = {}
    for run in _RUN.finditer(text):
        chars = run.group()
        for start in range(len(chars) - 17):
            window = chars[start : start + 18]
            if window in numbers:
                hits[window] = None
    return list(hits)


def leaks() -> list[str]:
    """Where a generated ID number was found: a short excerpt per place, the number itself
    replaced by `<ID>` (a failure report must not repeat it). Linear in what was captured: each
    body and line is read once, whatever the number of ID numbers the tests made."""
    numbers = frozenset(n.encode() for n in GENERATED_ID_NUMBERS)
    found = []
    for body in CAPTURED_BODIES:
        text = _readable(body)
        for needle in _found_in(text, numbers):
            at = text.find(needle)
            excerpt = repr(text[max(0, at - 40) : at + 38]).replace(needle.decode(), "<ID>")
            found.append("response: …" + excerpt)
    for line in CAPTURED_LOG_LINES:
        for needle in _found_in(line.encode(), numbers):
            found.append(f"log: {line[:200]}".replace(needle.decode(), "<ID>"))
    return found


def id_numbers_in(data: bytes) -> list[str]:
    """The ID numbers the tests generated that occur in `data` (a file the tests wrote, such as
    a backup), each once; the same search as the sweep's."""
    numbers = frozenset(n.encode() for n in GENERATED_ID_NUMBERS)
    return [found.decode() for found in _found_in(data, numbers)]
