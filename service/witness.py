"""A witness of the registry's log, as a third party runs it: only the public endpoints.

One round: fetch `/log/checkpoint`, check it under the log's vkey (which the witness pins), check
it is consistent with the last checkpoint this witness saw (its state file) with an RFC 9162
proof computed from the tiles it fetches (`/log/tile/...`), co-sign it (C2SP tlog-cosignature,
cosignature/v1 with the time), post it to `/log/cosignature`, and only then remember it. A log
that shrank, forked (same size, another root) or cannot prove consistency is refused and the
state is left as it was: the evidence stays with the witness.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import httpx

from credentials.transparency import (
    Checkpoint,
    NoteKey,
    NoteSigner,
    TransparencyError,
    cosign,
    parse_checkpoint,
    verify_consistency,
)
from registry.transparency import reads, tree


@dataclass(frozen=True)
class Round:
    checkpoint: Checkpoint
    previous: int | None
    note: str


def tile_loader(http: httpx.AsyncClient, size: int) -> reads.Loader:
    """Fetch the tiles a proof needs for a tree of `size` leaves, each at its width there."""

    async def load(wanted: set[reads.TileKey]) -> dict[reads.TileKey, list[bytes]]:
        found: dict[reads.TileKey, list[bytes]] = {}
        for level, index in sorted(wanted):
            width = tree.tile_width(level, index, size)
            response = await http.get("/log/" + tree.tile_path(level, index, width))
            response.raise_for_status()
            body = response.content
            found[(level, index)] = [body[i : i + 32] for i in range(0, len(body), 32)]
        return found

    return load


async def _consistent(http: httpx.AsyncClient, old: Checkpoint, new: Checkpoint) -> None:
    if new.size < old.size:
        raise TransparencyError("LOG_ROLLED_BACK", f"the log went from {old.size} to {new.size}")
    if old.size == 0:
        return
    if old.size == new.size:
        proof: list[bytes] = []
    else:
        ranges = tree.consistency_ranges(old.size, new.size)
        proof = await reads.range_hashes(ranges, tile_loader(http, new.size))
    verify_consistency(old.size, new.size, proof, old.root_hash, new.root_hash)


async def witness_round(
    url: str, log_key: NoteKey, signer: NoteSigner, seen: str | None, *, now: dt.datetime
) -> Round:
    """One round from the checkpoint `seen` last (None: the first); the caller keeps the
    round's `note` as the next `seen` (see the module docstring). Raises `TransparencyError`
    or `httpx.HTTPError`."""
    async with httpx.AsyncClient(base_url=url.rstrip("/"), timeout=30) as http:
        response = await http.get("/log/checkpoint")
        response.raise_for_status()
        note = response.text
        new = parse_checkpoint(note, [log_key])
        old = None
        if seen is not None:
            old = parse_checkpoint(seen, [log_key])
            await _consistent(http, old, new)
        cosigned = cosign(_log_signed_only(note, log_key), signer, int(now.timestamp()))
        posted = await http.post(
            "/log/cosignature", content=cosigned.encode(), headers={"content-type": "text/plain"}
        )
        posted.raise_for_status()
    return Round(new, old.size if old else None, note)


def _log_signed_only(note: str, log_key: NoteKey) -> str:
    """The note with the log's own signature line only (other witnesses' lines dropped)."""
    cut = note.rfind("\n\n") + 2
    mine = f"\u2014 {log_key.name} "
    lines = [line for line in note[cut:].splitlines() if line.startswith(mine)]
    return note[:cut] + "".join(line + "\n" for line in lines)
