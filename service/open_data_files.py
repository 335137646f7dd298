"""The open directory data as files: one directory as JSON (format `dte-directory/1`, its JSON
Schema in `service/schemas/`) or as CSV for spreadsheets, and a page of the change feed as JSON.

CSV: UTF-8 with a byte-order mark (so that Excel opens Chinese text as UTF-8), one row per
institution, and no cell a spreadsheet would run as a formula (`registry.intake.rows.neutralised`,
the same rule the registry refuses such text with on input).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any, Final

from registry.intake.rows import neutralised
from resolvers.open_data import DirectoryChange

DIRECTORY_FORMAT: Final = "dte-directory/1"
CHANGES_FORMAT: Final = "dte-directory-changes/1"
BOM: Final = "\ufeff"


def json_bytes(document: Any) -> bytes:
    """Compact UTF-8 JSON, keys in the order given: the same data always gives the same bytes."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def directory_json(
    kind: str, version: int, cursor: str, records: list[dict[str, Any]], schema_url: str
) -> bytes:
    return json_bytes(
        {
            "$schema": schema_url,
            "format": DIRECTORY_FORMAT,
            "directory": kind,
            "version": version,
            "cursor": cursor,
            "institutions": records,
        }
    )


def _scope(entries: list[dict[str, Any]]) -> str:
    return "; ".join(f"{s['occupation']}/{s['direction'] or ''}/{s['level']}" for s in entries)


def _periods(periods: list[dict[str, Any]]) -> str:
    return "; ".join(
        f"{p['start']}..{p['until']}" + (f" {p['ended']}" if p["ended"] else "") for p in periods
    )


def _fees(fees: list[dict[str, Any]]) -> str:
    return "; ".join(f"{f['item']} {f['amountYuan']:g} 元/{f['unit']}" for f in fees)


def _part(name: str, key: str) -> Callable[[dict[str, Any]], Any]:
    return lambda r: (r[name] or {}).get(key)


# The CSV's columns: header and how each is read from a record of the JSON download.
COLUMNS: Final[tuple[tuple[str, Callable[[dict[str, Any]], Any]], ...]] = (
    ("uscc", lambda r: r["uscc"]),
    ("name", lambda r: r["name"]),
    ("kind", lambda r: r["kind"]),
    ("province", lambda r: r["province"]),
    ("number", lambda r: r["number"]),
    ("status", lambda r: r["status"]),
    ("validUntil", lambda r: r["validUntil"]),
    ("firstListed", lambda r: r["firstListed"]),
    ("scope", lambda r: _scope(r["scope"])),
    ("listings", lambda r: _periods(r["listings"])),
    ("fees", lambda r: _fees(r["fees"])),
    ("publicityStart", _part("publicity", "start")),
    ("publicityEnd", _part("publicity", "end")),
    ("removalViolation", _part("removal", "violation")),
)


def cell(value: Any) -> str:
    """A CSV cell: empty for null, text never taken for a formula."""
    return "" if value is None else neutralised(str(value))


def directory_csv(records: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([name for name, _ in COLUMNS])
    for record in records:
        writer.writerow([cell(read(record)) for _, read in COLUMNS])
    return (BOM + out.getvalue()).encode("utf-8")


def change_json(change: DirectoryChange) -> dict[str, Any]:
    return {
        "cursor": change.cursor,
        "at": change.at.isoformat().replace("+00:00", "Z"),
        "uscc": change.uscc,
        "kind": change.kind.value,
        "action": change.action,
        "changes": [k.value for k in change.changes],
        "fromStatus": change.from_status.value if change.from_status else None,
        "toStatus": change.to_status.value,
        "record": change.record,
    }


def changes_page(items: list[DirectoryChange], has_next: bool) -> bytes:
    return json_bytes(
        {
            "format": CHANGES_FORMAT,
            "changes": [change_json(c) for c in items],
            "pageInfo": {
                "hasNextPage": has_next,
                "endCursor": items[-1].cursor if items else None,
            },
        }
    )
