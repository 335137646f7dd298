"""`registry log verify`, `registry log monitor` and `registry audit verify --checkpoint`.

- The log against itself: every leaf hashes to its level-0 tile hash, every checkpoint the log
  signed verifies under the log key and states the root recomputed from the leaves at its size,
  and each checkpoint is consistent with the next (an RFC 9162 proof from the tiles, checked with
  `verify_consistency`).
- The log against the database, both ways: every published (or revoked) certificate has its
  `certificate.published` leaf, equal to the one recomputed from its stored credential; every
  such leaf is backed by a certificate; every revoked certificate has its `certificate.revoked`.
- The audit chain against a checkpoint published earlier: the stored leaves up to the
  checkpoint's size must give its root (so the leaves are the ones it signed), and the last
  `audit.head` leaf among them pins (seq, hash) of the chain: the entry `seq` must still be
  there, with that hash, in a chain that verifies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from credentials.transparency import (
    Checkpoint,
    NoteKey,
    TransparencyError,
    certificate_leaf,
    leaf_hash,
    parse_checkpoint,
    verify_consistency,
    verify_inclusion,
)
from registry.storage.collections import Collection
from registry.storage.db import Database
from registry.transparency import checkpoints, reads, replay
from registry.trust import audit


@dataclass
class Report:
    """What a check found: `problems` is empty when everything held."""

    leaves: int = 0
    checkpoints: int = 0
    certificates: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


async def _check_checkpoints(
    db: Database, key: NoteKey, report: Report, stored: list[checkpoints.SignedCheckpoint]
) -> None:
    recomputed = await replay.recompute(db, {c.size for c in stored})
    report.leaves = recomputed.size
    if recomputed.tile_mismatch is not None:
        report.problems.append(f"leaf {recomputed.tile_mismatch} does not hash to its tile")
    previous: Checkpoint | None = None
    for signed in stored:
        try:
            point = parse_checkpoint(signed.note, [key])
        except TransparencyError as error:
            report.problems.append(f"checkpoint {signed.size}: {error.code}")
            continue
        if recomputed.roots.get(point.size) != point.root_hash:
            report.problems.append(f"checkpoint {point.size}: its root is not the leaves' root")
        if previous is not None and previous.size > 0:
            proof = await reads.consistency_proof(db, previous.size, point.size)
            try:
                verify_consistency(
                    previous.size, point.size, proof, previous.root_hash, point.root_hash
                )
            except TransparencyError as error:
                report.problems.append(f"checkpoints {previous.size}→{point.size}: {error.code}")
        previous = point
        report.checkpoints += 1


async def _logged(db: Database) -> tuple[dict[str, tuple[int, bytes]], set[str]]:
    """Every certificate leaf (number → index and leaf bytes) and every revoked number, from
    the log."""
    published: dict[str, tuple[int, bytes]] = {}
    revoked: set[str] = set()
    async for entry in replay.entries(db):
        record = entry.record
        if record.get("kind") == "certificate.published":
            published[str(record.get("number"))] = (entry.index, entry.data)
        elif record.get("kind") == "certificate.revoked":
            revoked.add(str(record.get("number")))
    return published, revoked


async def _check_certificates(db: Database, report: Report) -> None:
    published, revoked = await _logged(db)
    seen: set[str] = set()
    projection = {"credential": 1, "status": 1, "log_index": 1}
    async for doc in db[Collection.CERTIFICATES].find({}, projection):
        number = str(doc["_id"])
        seen.add(number)
        report.certificates += 1
        index, leaf = published.get(number, (None, None))
        if leaf is None:
            report.problems.append(f"certificate {number} is not in the log")
        elif leaf != certificate_leaf(doc["credential"]):
            report.problems.append(f"certificate {number} differs from its log entry")
        if "log_index" in doc and doc["log_index"] != index:
            where = "it has none" if index is None else f"its leaf is {index}"
            report.problems.append(
                f"certificate {number} names leaf {doc['log_index']}, but {where}"
            )
        if doc["status"] == "REVOKED" and number not in revoked:
            report.problems.append(f"the revocation of certificate {number} is not in the log")
    for number in sorted(set(published) - seen):
        report.problems.append(f"log entry of certificate {number} has no certificate")
    for number in sorted(revoked - seen):
        report.problems.append(f"logged revocation of {number} has no certificate")


async def verify_log(db: Database, key: NoteKey) -> Report:
    """The log against itself and against the database (see the module docstring)."""
    report = Report()
    await _check_checkpoints(db, key, report, await checkpoints.all_sizes(db))
    await _check_certificates(db, report)
    return report


def _last_pin(records: list[dict[str, Any]]) -> tuple[int, str] | None:
    for record in reversed(records):
        if record.get("kind") == "audit.head":
            return int(record["seq"]), str(record["hash"])
    return None


async def verify_audit(db: Database, note: str, key: NoteKey) -> Report:
    """The audit chain against a checkpoint published earlier (see the module docstring)."""
    report = Report()
    try:
        point = parse_checkpoint(note, [key])
    except TransparencyError as error:
        report.problems.append(f"the checkpoint does not verify under the log key: {error.code}")
        return report
    recomputed = await replay.recompute(db, {point.size}, end=point.size)
    report.leaves, report.checkpoints = recomputed.size, 1
    if recomputed.roots.get(point.size) != point.root_hash:
        report.problems.append(
            f"the log's first {point.size} leaves are not the ones the checkpoint signed"
        )
        return report
    pins = [e.record async for e in replay.entries(db, 0, point.size)]
    pin = _last_pin(pins)
    chain = await audit.verify_chain(db)
    if not chain.ok:
        report.problems.append(
            f"audit chain broken at entry {chain.first_broken_seq}: {chain.reason}"
        )
    if pin is not None:
        seq, pinned = pin
        entry = await db[Collection.AUDIT_LOG].find_one({"seq": seq}, {"hash": 1})
        if entry is None:
            report.problems.append(f"audit entry {seq}, pinned by the checkpoint, is gone")
        elif entry["hash"] != pinned:
            report.problems.append(f"audit entry {seq} is not the one the checkpoint pinned")
    return report


@dataclass(frozen=True)
class Logged:
    index: int
    record: dict[str, Any]


async def monitor(
    db: Database, key: NoteKey, institution: str, since: str | None
) -> tuple[Checkpoint, list[Logged]]:
    """What was logged in `institution`'s name (`urn:uscc:…`) after the checkpoint `since` (a
    note; from the start when None), each leaf's inclusion in the latest checkpoint verified,
    and the latest consistent with `since`. Raises `TransparencyError` when a proof fails."""
    signed = await checkpoints.latest(db)
    if signed is None:
        raise TransparencyError("LOG_EMPTY", "the log has no checkpoint yet")
    latest = parse_checkpoint(signed.note, [key])
    start = 0
    if since is not None:
        old = parse_checkpoint(since, [key])
        if old.size > 0:
            proof = await reads.consistency_proof(db, old.size, latest.size)
            verify_consistency(old.size, latest.size, proof, old.root_hash, latest.root_hash)
        start = old.size
    found: list[Logged] = []
    async for entry in replay.entries(db, start, latest.size):
        record = entry.record
        if institution not in (record.get("issuer"), record.get("institution")):
            continue
        proof = await reads.inclusion_proof(db, entry.index, latest.size)
        verify_inclusion(leaf_hash(entry.data), entry.index, latest.size, proof, latest.root_hash)
        found.append(Logged(entry.index, record))
    return latest, found
