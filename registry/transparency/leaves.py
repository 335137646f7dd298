"""The log's leaves: one small canonical record per kind, derived from the audited event.

Every leaf is the canonical JSON (RFC 8785: sorted keys, no spaces; the records hold only ASCII
strings and integers) of `{"kind": ..., ...}` and never holds personal data: no name, no ID
number, only numbers, identifiers, digests and times. One function per kind (`certificate.published` is
`credentials.transparency.certificate_leaf`, the function verifiers recompute), and one table,
`DERIVE`, from the audit action's prefix (a workflow's `Kind.audit_prefix`, or the literal
prefix of the actions written outside the store) to the function that derives the leaves of an
event. A prefix that is not in the table logs nothing, and `tests/registry/transparency/
test_leaves.py` fails for every audited prefix of the code that the table does not classify,
so a new workflow cannot be forgotten: it is either logged or said not to be, with the reason.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from pymongo.asynchronous.client_session import AsyncClientSession

from credentials import PublicKey
from credentials.transparency import certificate_leaf
from registry.storage.collections import Collection
from registry.storage.db import Database
from registry.storage.handover import Handover
from registry.transparency.log import Leaf

ISSUER_PREFIX: Final = "urn:uscc:"
# The directory states a verifier's answer depends on (listed or not, and why not).
DIRECTORY_STATES: Final = frozenset({"LISTED", "SUSPENDED", "REMOVED", "EXPIRED"})


def canonical(record: Mapping[str, Any]) -> bytes:
    """RFC 8785 for records of ASCII strings and integers (what every leaf holds)."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def at_text(at: dt.datetime) -> str:
    """An instant as the leaves state it: UTC, milliseconds (what the audit entry keeps)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    at = at.astimezone(dt.UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


# --- one function per kind --------------------------------------------------------------------


def certificate_revoked(number: str, issuer: str, status_list_index: str, at: dt.datetime) -> bytes:
    return canonical(
        {
            "kind": "certificate.revoked",
            "number": number,
            "issuer": issuer,
            "statusListIndex": status_list_index,
            "at": at_text(at),
        }
    )


def key_event(
    kind: str,
    uscc: str,
    public_key_multibase: str,
    at: dt.datetime,
    compromised_at: dt.datetime | None = None,
) -> bytes:
    """`key.created`, `key.retired` or `key.compromised` (with the instant it is compromised
    from, which may be before `at`, when the office marked it)."""
    record = {
        "kind": kind,
        "institution": ISSUER_PREFIX + uscc,
        "verificationMethod": PublicKey.from_multibase(public_key_multibase).verification_method,
        "at": at_text(at),
    }
    if compromised_at is not None:
        record["compromisedAt"] = at_text(compromised_at)
    return canonical(record)


def directory_changed(uscc: str, institution_kind: str, change: str, at: dt.datetime) -> bytes:
    return canonical(
        {
            "kind": "directory.changed",
            "institution": ISSUER_PREFIX + uscc,
            "institutionKind": institution_kind,
            "change": change,
            "at": at_text(at),
        }
    )


def bundle_published(sequence: int, digest: str) -> bytes:
    return canonical({"kind": "bundle.published", "sequence": sequence, "digest": digest})


def audit_head(seq: int, entry_hash: str) -> bytes:
    return canonical({"kind": "audit.head", "seq": seq, "hash": entry_hash})


# --- derivation from the audited event --------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """One audit entry being written, with the documents it hashes."""

    action: str
    entity: str
    at: dt.datetime
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None

    @property
    def step(self) -> str:
        """The action without its prefix (`publish` of `batch.publish`)."""
        return self.action.rsplit(".", 1)[-1]

    @property
    def key(self) -> str:
        return self.entity.split(":", 1)[-1]


Derive = Callable[[Database, AsyncClientSession, Event], Awaitable[list[Leaf]]]


def publication_leaf(document: Mapping[str, Any], *, plain: bool = False) -> Leaf:
    """The leaf of a certificate as published: `certificate_leaf` of its credential, to land at
    the index publication stored on the document (`log_index`). `plain` when the credential is
    known to be plain JSON (publication built it), so its canonical form needs no walk."""
    return Leaf(certificate_leaf(document["credential"], plain=plain), at=document["log_index"])


# The leaves of the certificates a publication inserted in a transaction, by session: (batch,
# leaves).
_PUBLISHED: Final[Handover[Leaf]] = Handover()


def published(session: AsyncClientSession, batch: str, made: Sequence[Leaf]) -> None:
    """Publication hands over the leaves of the certificates of `batch` it inserted in
    `session`'s transaction (`publication_leaf` of each, in any order), made while it inserted
    them, so that `_batch` need not read them back (200 documents of 2.5 KB a batch). Called
    again by a retried transaction, it replaces them."""
    _PUBLISHED.give(session, batch, made)


async def _batch(db: Database, session: AsyncClientSession, event: Event) -> list[Leaf]:
    """Publishing a batch logs every certificate it published (in number order, which is the
    order of the indexes stored on them)."""
    told = _PUBLISHED.take(session)
    if event.step != "publish":
        return []
    if told is not None and told[0] == event.key:
        return sorted(told[1], key=lambda leaf: leaf.at or 0)
    cursor = db[Collection.CERTIFICATES].find(
        {"batch": event.key}, {"credential": 1, "log_index": 1}, session=session
    )
    return [publication_leaf(doc) async for doc in cursor.sort("_id", 1)]


async def _backfill(db: Database, session: AsyncClientSession, event: Event) -> list[Leaf]:
    """Certificates published before the log existed (`registry log backfill`), in number
    order, each with its revocation when it was revoked since."""
    if event.step != "backfill" or event.after is None:
        return []
    cursor = db[Collection.CERTIFICATES].find(
        {"_id": {"$in": list(event.after["numbers"])}},
        {"credential": 1, "revocation": 1},
        session=session,
    )
    out: list[Leaf] = []
    async for doc in cursor.sort("_id", 1):
        credential = doc["credential"]
        out.append(Leaf(certificate_leaf(credential), f"certificate:{doc['_id']}"))
        if doc.get("revocation"):
            index = str(credential["credentialStatus"]["statusListIndex"])
            issuer = str(credential["issuer"]["id"])
            at = doc["revocation"]["at"]
            out.append(Leaf(certificate_revoked(str(doc["_id"]), issuer, index, at)))
    return out


async def _certificate(db: Database, session: AsyncClientSession, event: Event) -> list[Leaf]:
    if event.step != "revoke" or event.after is None:
        return []
    credential = event.after["credential"]
    index = str(credential["credentialStatus"]["statusListIndex"])
    issuer = str(credential["issuer"]["id"])
    return [Leaf(certificate_revoked(str(event.after["_id"]), issuer, index, event.at))]


def _key_leaf(kind: str, doc: Mapping[str, Any], at: dt.datetime) -> Leaf:
    since = doc.get("compromised_at") if kind == "key.compromised" else None
    return Leaf(key_event(kind, str(doc["institution"]), str(doc["public_key"]), at, since))


async def _signing_key(db: Database, session: AsyncClientSession, event: Event) -> list[Leaf]:
    """Institution keys: created, retired by a rotation, marked compromised. The root and log
    keys are not institution keys (verifiers pin the root; the bundle lists the log key)."""
    step, before, after = event.step, event.before, event.after
    if after is None or after.get("institution") is None:
        return []
    if step == "compromise":
        return [_key_leaf("key.compromised", after, event.at)]
    leaves = []
    if step == "rotate" and before is not None:
        leaves.append(_key_leaf("key.retired", before, event.at))
    if step in ("create", "rotate"):
        leaves.append(_key_leaf("key.created", after, event.at))
    return leaves


async def _institution(db: Database, session: AsyncClientSession, event: Event) -> list[Leaf]:
    """A move into or out of a directory state (listed, suspended, removed, expired)."""
    before, after = event.before or {}, event.after or {}
    old, new = before.get("status"), after.get("status")
    if "listings" not in after or old == new or not {old, new} & DIRECTORY_STATES:
        return []
    return [Leaf(directory_changed(str(after["_id"]), str(after["kind"]), str(new), event.at))]


async def _bundle(db: Database, session: AsyncClientSession, event: Event) -> list[Leaf]:
    if event.after is None:
        return []
    return [Leaf(bundle_published(int(event.after["sequence"]), str(event.after["digest"])))]


async def _nothing(db: Database, session: AsyncClientSession, event: Event) -> list[Leaf]:
    return []


# Every audit prefix of the code, logged or not (and why not).
DERIVE: Final[Mapping[str, Derive]] = {
    "batch": _batch,
    "certificate": _certificate,
    "signing_key": _signing_key,
    "institution": _institution,
    "trust_bundle": _bundle,
    # Not logged: training certificates are not signed (a CE record is signed when exported and
    # not stored), so there is nothing a verifier could check against the log.
    "training": _nothing,
    # Not logged: internal records that no verifier relies on; the audit chain holds them and
    # the `audit.head` leaves pin the chain.
    "institution.report": _nothing,
    "supervision": _nothing,
    "holidays": _nothing,
    # Not logged as such: the catalogue's occupation names ride in each (logged) trust bundle,
    # and its history is public through the API (`registry.catalogue.versions`).
    "catalogue.occupation": _nothing,
    "catalogue.standard": _nothing,
    "token": _nothing,
    # Not logged: exam sessions and registrations come before any result and are not signed (the
    # certificates that follow are logged when published); a registration concerns a person.
    "exams": _nothing,
    # Not logged: policy links are public rules read from the registry, never signed into a
    # credential; each record keeps every version, and the audit chain holds every change.
    "policy": _nothing,
    # Not logged: the public statistics' counters are recomputed from the records (a rebuild).
    "statistics": _nothing,
    # Not logged as such: the trust bundle lists the witnesses, and each bundle is logged.
    "log_witness": _nothing,
    "log": _backfill,
}


def prefix_of(action: str) -> str:
    """The longest prefix of `action` that `DERIVE` names ("" when none)."""
    parts = action.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        candidate = ".".join(parts[:cut])
        if candidate in DERIVE:
            return candidate
    return ""


async def derive(db: Database, session: AsyncClientSession, event: Event) -> list[Leaf]:
    """The leaves that the audited `event` adds to the log (none for most events)."""
    deriver = DERIVE.get(prefix_of(event.action))
    return [] if deriver is None else await deriver(db, session, event)
