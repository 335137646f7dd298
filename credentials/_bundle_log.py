"""The transparency-log parts of the trust bundle (format 2, additive): the logs whose
checkpoints a verifier trusts, the witnesses whose cosignatures it may count, and what an
institution key's retirement or compromise means for the log.

Older verifiers ignore these members; this module reads them for `credentials.bundle`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from credentials._merkle import TransparencyError
from credentials._note import COSIGNATURE_V1, ED25519, NoteKey, parse_vkey

__all__ = ["LogEntry", "key_log_fields", "log_json", "parse_logs", "parse_witnesses"]


@dataclass(frozen=True, slots=True)
class LogEntry:
    """A transparency log the root key certifies: its origin, its checkpoint key, and when
    checkpoints under that key are trusted (`valid_until` exclusive, None while in use)."""

    origin: str
    key: NoteKey
    valid_from: dt.datetime
    valid_until: dt.datetime | None = None

    def valid_at(self, instant: dt.datetime) -> bool:
        return self.valid_from <= instant and (
            self.valid_until is None or instant < self.valid_until
        )


def log_json(entry: LogEntry, timestamp: Callable[[dt.datetime], str]) -> dict[str, Any]:
    until = entry.valid_until
    return {
        "origin": entry.origin,
        "key": entry.key.vkey,
        "validFrom": timestamp(entry.valid_from),
        "validUntil": timestamp(until) if until is not None else None,
    }


def parse_logs(
    items: Sequence[Mapping[str, Any]], parse_time: Callable[[object], dt.datetime]
) -> tuple[LogEntry, ...]:
    """The bundle's `logs`; `ValueError` saying what is wrong."""
    logs = []
    for item in items:
        what = f"log {item['origin'][:100]}"
        key = _vkey(item["key"], ED25519, what, "a log key signs notes (signature type 0x01)")
        until = item["validUntil"]
        entry = LogEntry(
            item["origin"],
            key,
            parse_time(item["validFrom"]),
            parse_time(until) if until is not None else None,
        )
        if entry.valid_until is not None and entry.valid_until <= entry.valid_from:
            raise ValueError("a log key's validUntil is not after its validFrom")
        logs.append(entry)
    return tuple(logs)


def parse_witnesses(items: Sequence[Mapping[str, Any]]) -> tuple[NoteKey, ...]:
    """The bundle's `witnesses` (cosigner vkeys, type 0x04); `ValueError` otherwise."""
    wrong = "a witness key is a cosignature/v1 key (signature type 0x04)"
    return tuple(_vkey(item["key"], COSIGNATURE_V1, "a witness key", wrong) for item in items)


def _vkey(text: str, signature_type: int, what: str, wrong_type: str) -> NoteKey:
    """The vkey `text` of the given signature type; `ValueError` naming `what` otherwise."""
    try:
        key = parse_vkey(text)
    except TransparencyError as exc:
        raise ValueError(f"{what}: {exc.message}") from None
    if key.signature_type != signature_type:
        raise ValueError(wrong_type)
    return key


def key_log_fields(
    entry: Mapping[str, Any], parse_time: Callable[[object], dt.datetime]
) -> dict[str, Any]:
    """An institution key's log members as `BundleKey` keyword arguments."""
    compromised = entry.get("compromisedAt")
    return {
        "log_size_at_retirement": entry.get("logSizeAtRetirement"),
        "compromised_at": parse_time(compromised) if compromised is not None else None,
        "log_size_at_compromise": entry.get("logSizeAtCompromise"),
    }
