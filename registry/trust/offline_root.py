"""What the registry itself signs, with which key, and the chain that proves it.

The one place that decides (`signer`): everything the registry, not an institution, signs — the
trust bundle, the status lists, the open data's detached signatures
(`registry/trust/detached.py`) and the continuing-education records
(`registry/training/export.py`) — asks `signer` for the key and for the chain a verifier pinned
only to the root follows to it (`BundleSigner.chain`: the certificate and the rotations), and
carries that chain. `tests/registry/trust/test_offline_root.py::test_only_the_signer_signs_for_the_registry`
fails on any other module that takes the root key.

With no certificate installed the registry root key in the keystore signs directly, as it always
did (the one-machine demo). Once an operator installs a certificate (`registry root
install-certificate`) issued on the offline machine for the service's bundle key, that key signs
instead and every signed document carries the certificate (a replacement bundle key takes over
once its own certificate is installed). Installing the first certificate destroys the keystore
root's secret in the same transaction (its public key stays: verifiers pinned to it follow its
rotation statement): from then on nothing on the server can sign as a root, so a stolen database
yields no key that verifiers pinned to the old root would trust for ever. When the installed
certificate has expired nothing is signed at all (`SigningCertificateExpired`,
`ROOT_CERTIFICATE_EXPIRED`): the service never falls back to a root quietly. Rotation statements
(`registry root rotate`) are kept and carried in every signed document, so verifiers pinned to an
older root follow the chain.

Records live in the signing keys collection: the bundle key (`role` "bundle", sealed like every
key, one current: the same partial unique index as an institution's) with its installed
certificate, and each rotation statement (`role` "root_rotation"). Every change is audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from credentials import PublicKey, SigningKey, rootchain
from registry.access.auth import SYSTEM
from registry.calendar import clock
from registry.errors import Conflict, InvalidInput, SigningCertificateExpired
from registry.storage.collections import Collection
from registry.storage.db import SCHEMA_VERSION, Database, Document
from registry.storage.transactions import in_transaction
from registry.trust import audit, keystore

BUNDLE_ROLE: Final = "bundle"
ROTATION_ROLE: Final = "root_rotation"


@dataclass(frozen=True)
class BundleSigner:
    """The key that signs for the registry now, with the certificate to carry (None: the root
    signs directly) and the rotation statements."""

    key: SigningKey
    certificate: Mapping[str, Any] | None
    rotations: tuple[Mapping[str, Any], ...]

    def chain(self) -> dict[str, Any]:
        """The members a signed document carries so that a verifier pinned only to a root finds
        its signer (`credentials.rootchain`): the certificate when a bundle key signs, the
        rotations when there are any; nothing on the one-machine registry."""
        out: dict[str, Any] = {}
        if self.certificate is not None:
            out[rootchain.CERTIFICATE_MEMBER] = dict(self.certificate)
        if self.rotations:
            out[rootchain.ROTATIONS_MEMBER] = [dict(r) for r in self.rotations]
        return out


async def _current(db: Database, session: AsyncClientSession | None = None) -> Document | None:
    return await db[Collection.SIGNING_KEYS].find_one(
        {"role": BUNDLE_ROLE, "current": True}, session=session
    )


async def rotations(db: Database) -> tuple[dict[str, Any], ...]:
    """Every rotation statement, oldest first."""
    cursor = db[Collection.SIGNING_KEYS].find({"role": ROTATION_ROLE}).sort("issued", 1)
    return tuple([doc["statement"] async for doc in cursor])


@dataclass(frozen=True)
class PinnedRoot:
    """The root a verifier should pin now, and the registry's rotation statements (a verifier
    pinned to an older root follows them to this one)."""

    key: PublicKey
    rotations: tuple[Mapping[str, Any], ...]


async def root_to_pin(db: Database, master_key: bytes) -> PinnedRoot:
    """The root that vouches for what the registry signs now: the root that certified the
    installed bundle key (after the offline-root ceremony, the offline root the operator
    publishes), else the keystore root, which signs itself. Not a root only rotated to: until
    its certificate is installed, nothing it vouches for is signed yet, and a verifier pinned to
    it alone would refuse today's bundle. The one answer to "which root do verifiers pin"
    (`/root-key`, `registry keys root`, `registry root export-public`, the commands' hints)."""
    statements = await rotations(db)
    installed = await _installed(db)
    if installed is None:
        return PinnedRoot(await keystore.root_public_key(db, master_key), statements)
    return PinnedRoot(rootchain.parse_certificate(installed["certificate"]).root_key, statements)


async def _installed(db: Database) -> Document | None:
    """The bundle key that signs (the latest certified): a new bundle key
    (`bundle_key(new=True)`) signs only once its own certificate is installed, and the root
    never again once any was."""
    return await db[Collection.SIGNING_KEYS].find_one(
        {"role": BUNDLE_ROLE, "certificate": {"$ne": None}}, sort=[("certified_at", -1)]
    )


async def bundle_key(db: Database, master_key: bytes, *, new: bool = False) -> PublicKey:
    """The service's bundle key (created on first call; `new`: a new one replaces it, its
    certificate to be installed before it signs anything)."""
    box = keystore.seal_box(master_key)

    async def work(session: AsyncClientSession) -> Document:
        old = await _current(db, session)
        if old is not None and not new:
            return old
        if old is not None:
            await db[Collection.SIGNING_KEYS].update_one(
                {"_id": old["_id"]}, {"$set": {"current": False}}, session=session
            )
        key = SigningKey.generate()
        doc = {
            "_id": key.public_key.multibase,
            "role": BUNDLE_ROLE,
            "institution": None,
            "public_key": key.public_key.multibase,
            "sealed_seed": keystore.seal(box, key),
            "valid_from": clock.now().replace(microsecond=0),
            "current": True,
            "certificate": None,
            "schema_version": SCHEMA_VERSION,
        }
        try:
            await db[Collection.SIGNING_KEYS].insert_one(doc, session=session)
        except DuplicateKeyError:
            raise Conflict("another bundle key was made at the same time; run it again") from None
        await _audit(db, session, "signing_key.create_bundle_key", old, doc)
        return doc

    doc = await in_transaction(db, work)
    return PublicKey.from_multibase(doc["public_key"])


async def _audit(
    db: Database, session: AsyncClientSession, action: str, before: Document | None, after: Document
) -> None:
    def public(doc: Document | None) -> Document | None:
        return None if doc is None else {k: v for k, v in doc.items() if k != "sealed_seed"}

    await audit.append(
        db,
        actor=SYSTEM,
        action=action,
        entity="registry:root_key",
        before=public(before),
        after=public(after),
        session=session,
    )


async def _trusted(db: Database, master_key: bytes) -> dict[str, tuple[PublicKey, PublicKey]]:
    """The roots the registry answers for: its keystore root and every root it rotated to."""
    root = await keystore.root_public_key(db, master_key)
    chain = {rootchain.ROTATIONS_MEMBER: list(await rotations(db))}
    return rootchain.trusted_roots(chain, (root,))


async def _newest_root(db: Database, master_key: bytes) -> PublicKey:
    """The end of the registry's rotations: from its keystore root, the statement that leaves the
    root reached so far (the latest issued, should there be two), again and again — in any order
    they were installed, and at most once each (a chain that loops back ends there)."""
    key = await keystore.root_public_key(db, master_key)
    leaving: dict[PublicKey, PublicKey] = {}
    for statement in await rotations(db):  # oldest first: a later one from the same root wins
        old, new = rootchain.parse_rotation(statement)
        leaving[old] = new
    seen = {key}
    while key in leaving and leaving[key] not in seen:
        key = leaving[key]
        seen.add(key)
    return key


def _refuse(code: str, message: str) -> InvalidInput:
    return InvalidInput(message, code=code, field="certificate")


async def install_certificate(
    db: Database, master_key: bytes, document: object, *, now: dt.datetime | None = None
) -> rootchain.Certificate:
    """Install a certificate for the current bundle key; from now on that key signs bundles.

    Refused (`InvalidInput` with the verifiers' codes) unless it is signed by the registry's root
    or a root it rotated to, certifies the current bundle key, and is valid now."""
    try:
        cert = rootchain.parse_certificate(document)
    except rootchain.ChainError as exc:
        raise _refuse(exc.code, exc.message) from None
    try:
        rootchain.check_certificate(cert, await _trusted(db, master_key))
    except rootchain.ChainError as exc:
        raise _refuse(exc.code, f"{exc.message} (not by this registry's root)") from None
    newest = await _newest_root(db, master_key)
    if cert.root_key != newest:
        # Verifiers that moved to the newer root (as they are told to) could not follow back.
        raise _refuse(
            "BUNDLE_CERT_UNTRUSTED_ROOT",
            f"the certificate is by {cert.root_key.multibase}, which has rotated to a newer root: "
            f"certify with {newest.multibase}",
        )
    moment = now or clock.now()
    if not cert.valid_from <= moment < cert.valid_until:
        raise _refuse("BUNDLE_CERT_EXPIRED", "the certificate is not valid now")

    async def work(session: AsyncClientSession) -> None:
        current = await _current(db, session)
        if current is None or current["public_key"] != cert.bundle_key.multibase:
            raise _refuse(
                "BUNDLE_CERT_WRONG_KEY", "the certificate is not for the current bundle key"
            )
        after = {**current, "certificate": dict(cert.document), "certified_at": clock.now()}
        await db[Collection.SIGNING_KEYS].update_one(
            {"_id": current["_id"]},
            {"$set": {k: after[k] for k in ("certificate", "certified_at")}},
            session=session,
        )
        await _audit(db, session, "signing_key.install_certificate", current, after)
        # The keystore root has nothing left to sign (`signer` never returns to it): its secret
        # goes, in the same transaction, so no copy of the database made from now holds it.
        await keystore.destroy_root_seed(db, session)

    await in_transaction(db, work)
    return cert


async def install_rotation(db: Database, master_key: bytes, statement: object) -> PublicKey:
    """Keep a rotation statement whose old root is the registry's root or a root it rotated to
    (and which that root signed); every bundle carries it from now on. Installing the same
    statement again changes nothing."""
    try:
        old, new = rootchain.parse_rotation(statement)
        if old.verification_method not in await _trusted(db, master_key):
            raise rootchain.ChainError(
                "BUNDLE_ROTATION_SIGNATURE",
                "the rotation is not by this registry's root or a root it rotated to",
            )
        # The same check a verifier makes: the old root's signature over the statement.
        chain = {rootchain.ROTATIONS_MEMBER: [statement]}
        rootchain.trusted_roots(chain, (old,))
    except rootchain.ChainError as exc:
        raise InvalidInput(exc.message, code=exc.code, field="rotation") from None
    assert isinstance(statement, Mapping)  # parse_rotation refused anything else
    rotation_id = f"rotation:{old.multibase}:{new.multibase}"
    newest = await _newest_root(db, master_key)
    if old != newest and not await db[Collection.SIGNING_KEYS].find_one({"_id": rotation_id}):
        # A second way out of a root that has rotated on: verifiers that moved to the newer root
        # could not follow it, and those pinned to the old one would trust both successors.
        raise InvalidInput(
            f"the rotation leaves {old.multibase}, which has rotated on already: only the newest "
            f"root, {newest.multibase}, rotates",
            code="ROTATION_NOT_FROM_NEWEST_ROOT",
            field="rotation",
        )
    doc = {
        "_id": rotation_id,
        "role": ROTATION_ROLE,
        "institution": None,
        "issued": rootchain.parse_time(statement["issued"]),
        "statement": dict(statement),
        "schema_version": SCHEMA_VERSION,
    }

    async def work(session: AsyncClientSession) -> None:
        if await db[Collection.SIGNING_KEYS].find_one({"_id": doc["_id"]}, session=session):
            return
        await db[Collection.SIGNING_KEYS].insert_one(doc, session=session)
        await _audit(db, session, "signing_key.install_rotation", None, doc)

    await in_transaction(db, work)
    return new


async def rotate_keystore_root(db: Database, master_key: bytes, new_root: PublicKey) -> PublicKey:
    """The keystore's root signs a statement naming `new_root` (an offline root), kept like an
    installed one: the one-machine registry's way to move its root off the server."""
    root = await keystore.root_key(db, master_key)
    statement = rootchain.rotation(root, new_root, issued=clock.now())
    return await install_rotation(db, master_key, statement)


async def signer(db: Database, master_key: bytes, *, now: dt.datetime) -> BundleSigner:
    """Who signs for the registry at `now` (bundles, status lists, detached signatures,
    continuing-education records): the certified bundle key once a certificate is installed
    (`SigningCertificateExpired` when it is not valid at `now`), else the keystore root."""
    chain = await rotations(db)
    current = await _installed(db)
    if current is None:
        return BundleSigner(await keystore.root_key(db, master_key), None, chain)
    cert = rootchain.parse_certificate(current["certificate"])
    if not cert.valid_from <= now < cert.valid_until:
        raise SigningCertificateExpired(
            "the bundle key's certificate is not valid now: issue a new one on the offline "
            "machine (registry root certify) and install it (registry root install-certificate)",
            valid_until=rootchain.format_time(cert.valid_until),
        )
    key = keystore.unseal(keystore.seal_box(master_key), current)
    return BundleSigner(key, cert.document, chain)
