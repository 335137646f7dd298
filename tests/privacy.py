"""The privacy sweep: no ID number the tests made may appear in any response body served or log
line written during the run. `tests/conftest.py` runs it once at the end of the session, whatever
ran; `tests/service/test_privacy.py` makes personal look-ups of its own and sweeps them, so the
sweep never passes vacuously."""

from __future__ import annotations

from tests.factories import GENERATED_ID_NUMBERS

CAPTURED_BODIES: list[bytes] = []
CAPTURED_LOG_LINES: list[str] = []


def leaks() -> list[str]:
    """Where a generated ID number was found: a short excerpt per place, the number itself
    replaced by `<ID>` (a failure report must not repeat it)."""
    found = []
    for number in sorted(GENERATED_ID_NUMBERS):
        needle = number.encode()
        found += [
            "response: …" + repr(b[max(0, b.find(needle) - 40) : b.find(needle) + 38])
            for b in CAPTURED_BODIES
            if needle in b
        ]
        found += [f"log: {line[:200]}" for line in CAPTURED_LOG_LINES if number in line]
        found = [place.replace(number, "<ID>") for place in found]
    return found
