"""The checks of a new version, every problem at once, each with its field and a stable code."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Final

from registry.access import tokens
from registry.catalogue import reference_data as catalogue
from registry.intake import rows
from registry.policylinks.national import LEVELS, NOTICE_DATE
from registry.storage.db import Database

MAX_TEXT: Final = 2000
MAX_NOTE: Final = 500


def province(checks: rows.Problems, raw: str | None) -> str | None:
    """The province code (None for the national record), its problem added when unknown."""
    code = (raw or "").strip() or None
    if code is not None and code not in tokens.province_codes():
        checks.add("province", "UNKNOWN_PROVINCE", "not a province code (GB/T 2260, two digits)")
    return code


def level(checks: rows.Problems, value: int, field: str = "level") -> None:
    if value not in LEVELS:
        checks.add(field, "UNKNOWN_LEVEL", "a level is 1 (初级), 2 (中级) or 3 (高级)")


def effective_from(checks: rows.Problems, day: dt.date) -> None:
    if day < NOTICE_DATE:
        checks.add(
            "effectiveFrom",
            "BEFORE_NOTICE",
            f"a policy link takes effect on or after the notice's date ({NOTICE_DATE})",
        )


def text(checks: rows.Problems, field: str, value: str | None, *, limit: int) -> str | None:
    """`value` stripped (None when empty), its problems added: too long or not printable."""
    clean = (value or "").strip() or None
    if clean is None:
        return None
    if len(clean) > limit:
        checks.add(field, "TOO_LONG", f"{field} is limited to {limit} characters")
    elif any(unicodedata.category(c) == "Cc" and c not in "\n" for c in clean):
        checks.add(field, "INVALID_TEXT", f"{field} holds a control character")
    return clean


def wording(checks: rows.Problems, said: str | None, source: str | None) -> tuple[str, str]:
    """The version's text and source, both required (the source names the document that says
    it: no rule without one)."""
    clean_text = text(checks, "text", said, limit=MAX_TEXT)
    clean_source = text(checks, "source", source, limit=MAX_TEXT)
    if clean_text is None:
        checks.add("text", "REQUIRED", "say what the rule is")
    if clean_source is None:
        checks.add("source", "REQUIRED", "name the document the rule comes from")
    return clean_text or "", clean_source or ""


async def occupations(
    db: Database, checks: rows.Problems, codes: list[str] | None
) -> list[str] | None:
    """The occupations by primary code (None: every occupation), each unknown one refused."""
    if codes is None:
        return None
    found: list[str] = []
    for index, code in enumerate(codes):
        occ = await catalogue.occupation(db, code) if isinstance(code, str) else None
        if occ is None:
            checks.add(
                f"occupations[{index}]", "UNKNOWN_OCCUPATION", "not an occupation of the programme"
            )
        elif occ.code not in found:
            found.append(occ.code)
    if not codes:
        checks.add("occupations", "REQUIRED", "name at least one occupation, or null for all")
    return sorted(found)
