"""The demo's people: one holder whose card number the demo prints (so that `registry verify
--card` and the holder look-ups can be tried at once), and the made-up ID numbers of everyone else.

Every demo ID number is fictitious by construction, so none can be a real person's: its region
code (positions 1-6) is the province's two digits followed by `9900`. GB/T 2260 gives prefectures
(positions 3-4) the codes 01-70 and 90 only, so `xx99xx` is assigned to no place and no ID number
was ever issued with it; the province and the GB 11643 check character are right, so the registry
accepts the number like any other (it checks the province, the birth date and the check character,
not the county: docs/identifiers.md).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Final

from credentials import mod11_2_check
from registry.certificates.validation import ResultInput

NAME: Final = "张演示"
UNASSIGNED_PREFECTURE: Final = "9900"


def fictitious_id_number(province: str, born: dt.date, sequence: int) -> str:
    """An ID number with a valid check character that no real person holds (see above)."""
    body = f"{province}{UNASSIGNED_PREFECTURE}{born:%Y%m%d}{sequence:03d}"
    return body + mod11_2_check(body)


# Beijing, the province of the institution the demo's evaluation token acts for.
CARD_NUMBER: Final = fictitious_id_number("11", dt.date(1988, 8, 8), 6)


def as_holder(row: ResultInput) -> ResultInput:
    """`row` (its occupation, direction and level kept) as the demo holder's passing result."""
    return dataclasses.replace(
        row, name=NAME, id_number=CARD_NUMBER, theory_score=86.0, skill_score=91.0
    )


def describe(number: str | None, folder: Path) -> str:
    """What the demo prints at start-up about its holder (`folder`: the demo's files)."""
    if number is None:
        return f"demo holder (fictitious): {NAME}  card number {CARD_NUMBER}  (no certificate)"
    return (
        f"demo holder (fictitious): {NAME}  card number {CARD_NUMBER}  certificate {number}\n"
        f"  registry verify {folder}/holder-certificate.json --bundle {folder}/bundle.json"
        f" --root-key $(cat {folder}/root-key.txt) --card {CARD_NUMBER}"
    )
