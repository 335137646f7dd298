"""Bearer tokens: random, shown once, stored only as a MAC, each bound to a role and a scope.

A token is `dte_` + 32 random bytes (base64url). What is stored is a keyed hash of it under a
subkey of the master key (`mac`: HMAC-SHA-256 of the token's SHA-256), and a second MAC (`seal`)
over that, the record's id, role, institution and province. With 256 bits of entropy no one can
search the preimage space, so a fast hash is right (a slow password hash such as Argon2 only
helps low-entropy secrets), and `authenticate` finds the token by an indexed equality look-up
on `mac`, which leaks nothing through comparison timing. The keys make the table useless to
someone who can write to the database but does not hold the master key: a row inserted around
the API matches no token, and a row whose role or scope was changed no longer matches its seal.

Rows stored before the MACs (a plain SHA-256 in `hash`) authenticate nothing until
`upgrade_legacy` gives them a MAC, which it does only for a row the audit log vouches for.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from registry.access.auth import Principal, Role
from registry.access.subkeys import subkey
from registry.catalogue.reference_data import shipped_documents
from registry.errors import InvalidInput, TokenNotFound, TokenScopeError
from registry.errors import Unauthenticated as Unauthenticated  # callers catch it as tokens'
from registry.institutions import sectors
from registry.intake.identifiers import normalise_uscc
from registry.storage.collections import Collection
from registry.storage.db import SCHEMA_VERSION, Database, Document
from registry.storage.transactions import in_transaction
from registry.trust import audit

PREFIX = "dte_"
_TOKEN_SHAPE = re.compile(r"dte_[A-Za-z0-9_-]{43}")  # token_urlsafe(32) gives 43 characters
_ID_SHAPE = re.compile(r"tok_[0-9a-f]{8}")
MAX_NAME = 200
_ID_ATTEMPTS = 5


# One message for unknown, revoked and malformed tokens, so the answer is no oracle.
_UNAUTHENTICATED = "invalid, unknown or revoked bearer token"


@dataclass(frozen=True)
class TokenInfo:
    id: str
    role: Role
    name: str
    institution: str | None
    province: str | None
    sector: str | None
    created_at: datetime
    created_by: str
    revoked_at: datetime | None
    revoked_by: str | None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def scope(self) -> str | None:
        return self.institution or self.province or self.sector


# The fields a MAC covers or that are MACs: never in the audit log, a listing or an answer.
_SECRET_FIELDS = ("hash", "mac", "seal")


def token_hash(token_text: str) -> str:
    """The unkeyed SHA-256 of a token: what the MAC is computed over (and what rows stored before
    the MACs held)."""
    return hashlib.sha256(token_text.encode("utf-8")).hexdigest()


def _hmac(master_key: bytes, purpose: bytes, message: str) -> str:
    return hmac.new(subkey(master_key, purpose), message.encode("utf-8"), "sha256").hexdigest()


def token_mac(master_key: bytes, digest: str) -> str:
    """The keyed hash a token is found by, from its SHA-256 (`token_hash`)."""
    return _hmac(master_key, b"dte-token-mac", digest)


def seal(master_key: bytes, doc: Document) -> str:
    """The MAC binding a token's `mac` to its record's id, role and scope (institution,
    province or sector)."""
    bound = [doc["mac"], doc["_id"], doc["role"], doc.get("institution"), doc.get("province")]
    if doc.get("sector") is not None:
        # Only tokens with a sector bind it, so the seals made before sectors stay valid.
        bound.append(doc["sector"])
    return _hmac(master_key, b"dte-token-seal", audit.canonical_json(bound))


def sealed(master_key: bytes, doc: Document) -> bool:
    """Whether `doc` carries the seal of its own mac, id, role and scope."""
    return "mac" in doc and hmac.compare_digest(str(doc.get("seal", "")), seal(master_key, doc))


@functools.cache
def province_codes() -> frozenset[str]:
    return frozenset(str(doc["_id"]) for doc in shipped_documents()[Collection.PROVINCES])


def check_scope(
    role: Role, institution: str | None, province: str | None, sector: str | None = None
) -> tuple[str | None, str | None, str | None]:
    """The normalised (institution, province, sector) for `role`; raises `TokenScopeError`
    otherwise. Each role takes exactly its own scope: an institution its code, a provincial
    reviewer a province, a ministry recommender a sector (`registry.institutions.sectors`)."""
    given = {"institution": institution, "province": province, "sector": sector}
    wanted = _SCOPE_OF_ROLE.get(role)
    for name, value in given.items():
        if value is not None and name != wanted:
            raise TokenScopeError(f"a {role.value} token takes no {name}", field=name)
    if wanted is None:
        return None, None, None
    value = given[wanted]
    if value is None:
        raise TokenScopeError(f"a {role.value} token needs {_SCOPE_NEEDS[wanted]}", field=wanted)
    if wanted == "institution":
        return normalise_uscc(value), None, None
    if wanted == "province" and value not in province_codes():
        raise TokenScopeError(
            f"province {value!r} is not a provincial division code (two digits, GB/T 2260)",
            field="province",
        )
    if wanted == "sector" and sectors.sector(value) is None:
        known = ", ".join(sorted(sectors.sectors()))
        raise TokenScopeError(f"sector {value[:16]!r} is not one of {known}", field="sector")
    return None, (value if wanted == "province" else None), (value if wanted == "sector" else None)


# The one scope each scoped role is bound to; the other roles take none.
_SCOPE_OF_ROLE = {
    Role.TRAINING_INSTITUTION: "institution",
    Role.EVALUATION_INSTITUTION: "institution",
    Role.PROVINCIAL_REVIEWER: "province",
    Role.MINISTRY_RECOMMENDER: "sector",
}
_SCOPE_NEEDS = {
    "institution": "an institution (unified social credit code)",
    "province": "a province code",
    "sector": "a sector code (registry/data/sectors.json)",
}


def _info(doc: Document) -> TokenInfo:
    return TokenInfo(
        id=doc["_id"],
        role=Role(doc["role"]),
        name=doc["name"],
        institution=doc.get("institution"),
        province=doc.get("province"),
        sector=doc.get("sector"),
        created_at=doc["created_at"],
        created_by=doc["created_by"],
        revoked_at=doc.get("revoked_at"),
        revoked_by=doc.get("revoked_by"),
    )


def _not_found(token_id: str) -> str:
    # Echo only what looks like an id: someone may paste the token itself by mistake.
    if _ID_SHAPE.fullmatch(token_id):
        return f"no token with id {token_id!r}"
    return "no token with that id (token ids look like tok_0123abcd)"


def _public(doc: Document) -> Document:
    # What the audit log digests: the token record without its hash and MACs.
    return {key: value for key, value in doc.items() if key not in _SECRET_FIELDS}


def _role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise InvalidInput(f"unknown role {role!r}", field="role") from None


def _name(name: str) -> str:
    """The name with its whitespace collapsed; `InvalidInput` when empty or too long."""
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise InvalidInput(f"token name must be 1-{MAX_NAME} characters", field="name")
    return name


def _token_doc(
    master_key: bytes,
    text: str,
    role: Role,
    name: str,
    institution: str | None,
    province: str | None,
    sector: str | None,
    created_by: Principal,
) -> Document:
    """A token record under a fresh random id; the token itself only as its MAC, sealed."""
    doc: Document = {
        "_id": "tok_" + secrets.token_hex(4),
        "mac": token_mac(master_key, token_hash(text)),
        "role": role.value,
        "name": name,
        "institution": institution,
        "province": province,
        "created_at": audit.now(),
        "created_by": created_by.actor,
        "revoked_at": None,
        "revoked_by": None,
        "schema_version": SCHEMA_VERSION,
    }
    if sector is not None:
        doc["sector"] = sector
    doc["seal"] = seal(master_key, doc)
    return doc


async def _insert(db: Database, doc: Document, created_by: Principal) -> None:
    async def work(session: AsyncClientSession) -> None:
        await db[Collection.TOKENS].insert_one(doc, session=session)
        await audit.append(
            db,
            actor=created_by,
            action="token.create",
            entity=f"token:{doc['_id']}",
            before=None,
            after=_public(doc),
            session=session,
        )

    await in_transaction(db, work)


async def create_token(
    db: Database,
    master_key: bytes,
    *,
    role: Role,
    name: str,
    institution: str | None,
    province: str | None,
    created_by: Principal,
    sector: str | None = None,
) -> tuple[str, TokenInfo]:
    """Create a token; returns its text (the only time it exists outside the caller) and info."""
    role = _role(role)
    institution, province, sector = check_scope(role, institution, province, sector)
    name = _name(name)
    text = PREFIX + secrets.token_urlsafe(32)
    for attempt in range(_ID_ATTEMPTS):
        doc = _token_doc(master_key, text, role, name, institution, province, sector, created_by)
        try:
            await _insert(db, doc, created_by)
        except DuplicateKeyError:
            # 32-bit ids collide rarely; draw another (the 256-bit token itself never does).
            if attempt == _ID_ATTEMPTS - 1:
                raise
            continue
        return text, _info(doc)
    raise AssertionError("unreachable")  # pragma: no cover


async def list_tokens(db: Database) -> list[TokenInfo]:
    """Every token, oldest first; its hash and MACs never leave this module."""
    hidden = dict.fromkeys(_SECRET_FIELDS, 0)
    cursor = db[Collection.TOKENS].find({}, hidden).sort([("created_at", 1), ("_id", 1)])
    return [_info(doc) async for doc in cursor]


async def revoke_token(db: Database, token_id: str, by: Principal) -> TokenInfo:
    """Revoke a token; revoking one already revoked changes nothing (safe to retry)."""

    async def work(session: AsyncClientSession) -> Document:
        before = await db[Collection.TOKENS].find_one({"_id": token_id}, session=session)
        if before is None:
            raise TokenNotFound(_not_found(token_id), field="token_id")
        if before.get("revoked_at") is not None:
            return before
        change: dict[str, Any] = {"revoked_at": audit.now(), "revoked_by": by.actor}
        after = {**before, **change}
        await db[Collection.TOKENS].update_one({"_id": token_id}, {"$set": change}, session=session)
        await audit.append(
            db,
            actor=by,
            action="token.revoke",
            entity=f"token:{token_id}",
            before=_public(before),
            after=_public(after),
            session=session,
        )
        return after

    return _info(await in_transaction(db, work))


async def authenticate(db: Database, master_key: bytes, token_text: str) -> Principal:
    """The principal a bearer token stands for: a record found by the token's MAC under
    `master_key`, sealed with its role and scope, not revoked; `Unauthenticated` for anything
    else (one message for every case)."""
    if not isinstance(token_text, str) or not _TOKEN_SHAPE.fullmatch(token_text):
        raise Unauthenticated(_UNAUTHENTICATED)
    mac = token_mac(master_key, token_hash(token_text))
    doc = await db[Collection.TOKENS].find_one({"mac": mac})
    if doc is None or not sealed(master_key, doc) or doc.get("revoked_at") is not None:
        raise Unauthenticated(_UNAUTHENTICATED)
    return Principal(
        role=Role(doc["role"]),
        name=doc["name"],
        token_id=doc["_id"],
        institution=doc.get("institution"),
        province=doc.get("province"),
        sector=doc.get("sector"),
    )


async def _vouched(db: Database, row: Document) -> bool:
    """Whether the audit log's latest entry about this token recorded the row as it stands (a
    row inserted or changed around the API has no such entry)."""
    latest = await audit.entries_for(db, f"token:{row['_id']}", limit=1)
    return bool(latest) and latest[0].after_digest == audit.digest(_public(row))


async def _upgrade_one(db: Database, master_key: bytes, row: Document, by: Principal) -> None:
    mac = token_mac(master_key, str(row["hash"]))
    change = {"mac": mac, "seal": seal(master_key, row | {"mac": mac})}

    async def work(session: AsyncClientSession) -> None:
        done = await db[Collection.TOKENS].update_one(
            {"_id": row["_id"], "hash": row["hash"], "mac": {"$exists": False}},
            {"$set": change, "$unset": {"hash": ""}},
            session=session,
        )
        if done.modified_count:
            entity = f"token:{row['_id']}"
            public = _public(row)
            await audit.append(
                db,
                actor=by,
                action="token.upgrade",
                entity=entity,
                before=public,
                after=public,
                session=session,
            )

    await in_transaction(db, work)


async def upgrade_legacy(
    db: Database, master_key: bytes, by: Principal
) -> tuple[list[str], list[str]]:
    """Give a MAC and a seal to each token row stored before them (a plain `hash`) that the audit
    log vouches for (`_vouched`), audited as `token.upgrade`; safe to run again. Returns the ids
    upgraded and the ids refused: a refused row keeps authenticating nothing."""
    upgraded: list[str] = []
    refused: list[str] = []
    legacy = {"hash": {"$exists": True}, "mac": {"$exists": False}}
    async for row in db[Collection.TOKENS].find(legacy).sort("_id", 1):
        if await _vouched(db, row):
            await _upgrade_one(db, master_key, row, by)
            upgraded.append(row["_id"])
        else:
            refused.append(row["_id"])
    return upgraded, refused
