"""The audit log: every change appends an entry, hash-chained to the previous one.

An entry names who (the principal's actor string and role), what (action, entity), when, and the
SHA-256 digests of the documents before and after the change. It never stores the documents, so
no personal data (an ID number, a name) lands in the log: callers pass documents, we hash them.

Total order with concurrent writers: a head document (`audit_head`: seq, hash) is read and
updated in the same transaction that inserts the entry. Two appenders that read the same head
conflict on the head write (and on the unique `seq` index), and the loser's transaction is
retried by `with_transaction`. Callers append inside their own transaction (`session`), so the
entry commits atomically with the change it records.

The same append derives the event's transparency-log leaves (`registry.transparency.leaves`)
and appends them to the log in that transaction: every audited write reaches the log from here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from registry.access.auth import Principal
from registry.errors import RegistryError
from registry.storage.collections import Collection
from registry.storage.db import SCHEMA_VERSION, Database, Document
from registry.storage.transactions import in_transaction, retry_transaction
from registry.transparency import leaves as log_leaves
from registry.transparency import log

HEAD_ID = "head"
GENESIS_HASH = "0" * 64
MAX_LIMIT = 1000

# The fields the entry hash covers, in no particular order (the canonical JSON sorts keys).
_HASHED_FIELDS = (
    "seq",
    "at",
    "actor",
    "role",
    "action",
    "entity",
    "before_digest",
    "after_digest",
    "prev_hash",
)


class AuditChainBroken(RegistryError):
    """Appending is refused because the stored chain is inconsistent (e.g. the head is gone)."""

    code = "AUDIT_CHAIN_BROKEN"


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: datetime
    actor: str
    role: str | None
    action: str
    entity: str
    before_digest: str | None
    after_digest: str | None
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class ChainReport:
    """`entries` counts the entries found intact (all of them when `ok`)."""

    ok: bool
    entries: int
    first_broken_seq: int | None
    reason: str | None


def canonical_json(value: Any) -> str:
    # default=str renders datetimes and ObjectIds; sort_keys makes the text independent of
    # insertion order, so the same document always hashes the same.
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def digest(document: Mapping[str, Any] | None) -> str | None:
    if document is None:
        return None
    return hashlib.sha256(canonical_json(dict(document)).encode("utf-8")).hexdigest()


def _at_text(at: datetime) -> str:
    # MongoDB keeps milliseconds, and a client may read naive datetimes (meaning UTC): hash a
    # fixed rendering so that the stored value recomputes to the same hash.
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def entry_hash(fields: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of the entry's own fields, prev_hash included."""
    material = {name: fields[name] for name in _HASHED_FIELDS}
    material["at"] = _at_text(material["at"])
    return hashlib.sha256(canonical_json(material).encode("utf-8")).hexdigest()


def now() -> datetime:
    """UTC now, truncated to the milliseconds MongoDB keeps (so a stored time reads back equal)."""
    at = datetime.now(UTC)
    return at.replace(microsecond=at.microsecond // 1000 * 1000)


async def _read_head(db: Database, session: AsyncClientSession) -> Document | None:
    """The chain's head; None for an empty log (`AuditChainBroken` if entries exist without it)."""
    head = await db[Collection.AUDIT_HEAD].find_one({"_id": HEAD_ID}, session=session)
    if (
        head is None
        and await db[Collection.AUDIT_LOG].find_one({}, {"_id": 1}, session=session) is not None
    ):
        raise AuditChainBroken("the audit log has entries but its head document is missing")
    return head


def _new_entry(
    head: Document | None,
    actor: Principal,
    action: str,
    entity: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
) -> Document:
    """The fields of the entry that follows `head`, its hash included."""
    prev_seq, prev_hash = (
        (0, GENESIS_HASH) if head is None else (int(head["seq"]), str(head["hash"]))
    )
    fields: Document = {
        "seq": prev_seq + 1,
        "at": now(),
        "actor": actor.actor,
        "role": actor.role.value if actor.role is not None else None,
        "action": action,
        "entity": entity,
        "before_digest": digest(before),
        "after_digest": digest(after),
        "prev_hash": prev_hash,
    }
    fields["hash"] = entry_hash(fields)
    return fields


async def _move_head(
    db: Database, session: AsyncClientSession, head: Document | None, fields: Document
) -> None:
    """Point the head at the new entry; a concurrent appender conflicts here (a write conflict,
    which with_transaction retries), before any entry is written."""
    if head is None:
        try:
            await db[Collection.AUDIT_HEAD].insert_one(
                {"_id": HEAD_ID, "seq": fields["seq"], "hash": fields["hash"]}, session=session
            )
        except DuplicateKeyError:
            raise retry_transaction("another first appender created the audit head") from None
        return
    moved = await db[Collection.AUDIT_HEAD].update_one(
        {"_id": HEAD_ID, "seq": int(head["seq"])},
        {"$set": {"seq": fields["seq"], "hash": fields["hash"]}},
        session=session,
    )
    if moved.matched_count != 1:
        raise retry_transaction("the audit head moved during the append")


async def _insert_entry(db: Database, session: AsyncClientSession, fields: Document) -> None:
    try:
        await db[Collection.AUDIT_LOG].insert_one(
            {**fields, "schema_version": SCHEMA_VERSION}, session=session
        )
    except DuplicateKeyError:
        # We own the head in this transaction, so the entry can only exist already if the head
        # lags behind the log: retrying would never succeed.
        raise AuditChainBroken(
            f"audit entry {fields['seq']} already exists: the head is behind the log"
        ) from None


async def append(
    db: Database,
    *,
    actor: Principal,
    action: str,
    entity: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    session: AsyncClientSession | None = None,
) -> AuditEntry:
    """Append one entry; inside the caller's transaction when `session` is given."""
    if session is None:
        return await in_transaction(
            db,
            lambda s: append(
                db, actor=actor, action=action, entity=entity, before=before, after=after, session=s
            ),
        )
    if not session.in_transaction:
        # Outside a transaction the head and the entry could be written apart: a forked chain.
        raise RuntimeError("audit.append needs a session inside a transaction")
    head = await _read_head(db, session)
    fields = _new_entry(head, actor, action, entity, before, after)
    await _move_head(db, session, head, fields)
    await _insert_entry(db, session, fields)
    # The one place events reach the transparency log: in this transaction, derived from them.
    event = log_leaves.Event(action, entity, fields["at"], before, after)
    derived = await log_leaves.derive(db, session, event)
    if derived:
        await log.append(db, session, derived)
    return _entry(fields)


def _entry(doc: Mapping[str, Any]) -> AuditEntry:
    return AuditEntry(**{name: doc[name] for name in (*_HASHED_FIELDS, "hash")})


async def entries_for(db: Database, entity: str, limit: int = 100) -> list[AuditEntry]:
    """The latest entries about one entity, newest first."""
    limit = max(1, min(limit, MAX_LIMIT))
    cursor = db[Collection.AUDIT_LOG].find({"entity": entity}).sort("seq", -1).limit(limit)
    return [_entry(doc) async for doc in cursor]


def _broken(entries: int, seq: int, reason: str) -> ChainReport:
    return ChainReport(ok=False, entries=entries, first_broken_seq=seq, reason=reason)


async def verify_chain(db: Database) -> ChainReport:
    """Recompute every hash in seq order (streamed) and name the first broken entry."""
    expected_seq, prev_hash, intact = 1, GENESIS_HASH, 0
    async for doc in db[Collection.AUDIT_LOG].find({}, {"_id": 0}).sort("seq", 1):
        seq = doc.get("seq")
        if not isinstance(seq, int) or isinstance(seq, bool):
            return _broken(intact, expected_seq, "entry without an integer seq")
        if seq != expected_seq:
            return _broken(intact, expected_seq, f"entry {expected_seq} is missing (next is {seq})")
        if any(name not in doc for name in (*_HASHED_FIELDS, "hash")) or not isinstance(
            doc["at"], datetime
        ):
            return _broken(intact, seq, "entry is missing fields")
        if doc["prev_hash"] != prev_hash:
            return _broken(intact, seq, "prev_hash does not match the previous entry's hash")
        if entry_hash(doc) != doc["hash"]:
            return _broken(intact, seq, "content does not match its hash (altered)")
        prev_hash = doc["hash"]
        intact += 1
        expected_seq += 1
    head = await db[Collection.AUDIT_HEAD].find_one({"_id": HEAD_ID})
    last_seq = expected_seq - 1
    if head is None:
        if last_seq == 0:
            return ChainReport(ok=True, entries=0, first_broken_seq=None, reason=None)
        return _broken(intact, last_seq, "the head document is missing")
    head_seq = head.get("seq")
    if head_seq != last_seq:
        if not isinstance(head_seq, int) or head_seq < 0:
            return _broken(intact, last_seq, f"head seq {head_seq!r} is not a sequence number")
        if head_seq > last_seq:
            return _broken(
                intact, last_seq + 1, f"head says {head_seq} entries, the log ends at {last_seq}"
            )
        return _broken(
            head_seq,
            head_seq + 1,
            f"entries after the head's seq {head_seq} (log ends at {last_seq})",
        )
    if head.get("hash") != prev_hash:
        return _broken(intact, last_seq, "head hash does not match the last entry's hash")
    return ChainReport(ok=True, entries=intact, first_broken_seq=None, reason=None)
