"""The privacy sweep: no ID number the tests made may appear in any response body served or log
line written during the run, nor in the text of any PDF served or written (tests that write PDFs
add them to `CAPTURED_BODIES`; a PDF's text sits in compressed streams drawn through a font
subset, so it is read as `pdftotext` reads it). `tests/conftest.py` runs it once at the end of
the session, whatever ran; `tests/service/test_privacy.py` makes personal look-ups of its own and sweeps them, so the
sweep never passes vacuously."""

from __future__ import annotations

from tests.factories import GENERATED_ID_NUMBERS
from tests.pdf import is_pdf, pdf_text

CAPTURED_BODIES: list[bytes] = []
CAPTURED_LOG_LINES: list[str] = []


def _readable(body: bytes) -> bytes:
    """The body as searched: a PDF with its extracted text appended, anything else as it is."""
    return body + b"\n" + pdf_text(body).encode("utf-8") if is_pdf(body) else body


def leaks() -> list[str]:
    """Where a generated ID number was found: a short excerpt per place, the number itself
    replaced by `<ID>` (a failure report must not repeat it)."""
    found = []
    bodies = [_readable(b) for b in CAPTURED_BODIES]
    for number in sorted(GENERATED_ID_NUMBERS):
        needle = number.encode()
        found += [
            "response: …" + repr(b[max(0, b.find(needle) - 40) : b.find(needle) + 38])
            for b in bodies
            if needle in b
        ]
        found += [f"log: {line[:200]}" for line in CAPTURED_LOG_LINES if number in line]
        found = [place.replace(number, "<ID>") for place in found]
    return found
