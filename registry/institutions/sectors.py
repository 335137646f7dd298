"""Industry sectors whose ministry HR offices recommend applicants (notice 四(四)): each a code,
a name and the programme fields (`registry/data/fields.json`, 01-10) it covers.

Shipped data (`registry/data/sectors.json`), read once: the notice names no ministries, so the
file states that its sectors are the registry's own, unconfirmed assignment. A sector's scope is
a set of fields rather than of occupation codes, so that an occupation the office adds to a
field falls within the sectors covering that field without another list to keep.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class Sector:
    code: str
    name: str
    name_en: str
    fields: frozenset[str]
    confirmed: bool


@functools.cache
def sectors() -> dict[str, Sector]:
    """Every sector by its code, as shipped."""
    data = json.loads(resources.files("registry.data").joinpath("sectors.json").read_text("utf-8"))
    return {
        s["code"]: Sector(s["code"], s["name"], s["nameEn"], frozenset(s["fields"]), s["confirmed"])
        for s in data["sectors"]
    }


def sector(code: str | None) -> Sector | None:
    """The sector of `code`, or None for no code or an unknown one."""
    return sectors().get(code) if code is not None else None


def outside(code: str | None, fields: Iterable[str]) -> list[str]:
    """The fields of `fields` that sector `code` does not cover (all of them for an unknown
    sector), sorted: empty when the sector covers every one."""
    covered = s.fields if (s := sector(code)) else frozenset()
    return sorted(set(fields) - covered)
