"""Backup and restore (issue 17, item 2), against the real embedded database: a backup is one
point in time even while writes land; a restore rebuilds an empty database byte for byte; a
damaged, cut-short or foreign file, the wrong master key and a non-empty target are refused
before anything is written; a backup holds neither the master key nor a clear ID number."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
import uuid
from pathlib import Path

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from registry.access import tokens
from registry.access.auth import SYSTEM, Role
from registry.backup import archive, restore, snapshot
from registry.backup.archive import Entry
from registry.catalogue import reference_data as catalogue
from registry.errors import (
    BackupCorrupt,
    BackupInvalid,
    BackupWrongMasterKey,
    InvalidInput,
    RestoreBundleUntrusted,
    RestoreIncomplete,
    RestoreTargetNotEmpty,
)
from registry.reports import rebuild
from registry.settings import Settings
from registry.storage.collections import BACKUP, Collection, Kept
from registry.storage.db import Database, refuse_unfinished_restore
from registry.storage.indexes import INDEXES
from registry.trust import audit, bundles
from tests.factories import MASTER_KEY, MASTER_KEY_B64, certificates_of_a_new_institution
from tests.privacy import id_numbers_in

NAMES = ["李雷", "韩梅梅", "王芳"]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def people(db: Database, settings: Settings) -> list[tuple[str, str, str]]:
    published = await certificates_of_a_new_institution(db, settings, 1720, NAMES)
    await db[Collection.RATE_WINDOWS].insert_one({"_id": "a-window", "count": 3})
    return published


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("backups")


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def backup(db: Database, people: list[tuple[str, str, str]], folder: Path) -> Path:
    out = folder / "registry.backup"
    await snapshot.take(db, out)
    return out


@pytest.fixture
def target(fresh_db: Database) -> Database:
    """An empty database with the declared indexes, as `registry restore` opens it."""
    return fresh_db


async def _everything(db: Database, collection: Collection) -> list[dict[str, object]]:
    return await db[collection].find({}).sort("_id", 1).to_list()


def _members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]


def _pack(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


async def _restored(target: Database, path: Path, key: bytes = MASTER_KEY) -> None:
    await restore.restore(target, path, restore.check(path, key))


async def test_a_restore_rebuilds_every_kept_collection_exactly(
    db: Database, backup: Path, target: Database
) -> None:
    manifest = restore.check(backup, MASTER_KEY).manifest
    assert set(manifest.collections) == {c for c in Collection if isinstance(BACKUP[c], Kept)}
    assert manifest.collections[Collection.CERTIFICATES].count == len(NAMES)
    await _restored(target, backup)
    for collection in manifest.collections:
        assert await _everything(target, collection) == await _everything(db, collection)
    assert await target[Collection.RATE_WINDOWS].count_documents({}) == 0
    assert await target[Collection.RESTORE_MARKER].count_documents({}) == 0
    for collection, models in INDEXES.items():
        names = {i["name"] async for i in await target[collection].list_indexes()}
        assert {m.document["name"] for m in models} <= names
    assert (await audit.verify_chain(target)).ok
    assert await rebuild.check(target) == []


async def test_writes_during_the_backup_are_not_in_it(
    db: Database, people: list[tuple[str, str, str]], folder: Path, target: Database
) -> None:
    """Attack: an audited write lands after the audit entries were copied and before the head
    was; read collection by collection, the head would name an entry the backup lacks."""
    before = await db[Collection.TOKENS].count_documents({})

    async def meanwhile(collection: Collection, entry: Entry) -> None:
        if collection is Collection.AUDIT_LOG:
            await tokens.create_token(
                db,
                MASTER_KEY,
                role=Role.CETTIC_REVIEWER,
                name="during",
                institution=None,
                province=None,
                created_by=SYSTEM,
            )

    out = folder / "during.backup"
    await snapshot.take(db, out, meanwhile)
    await _restored(target, out)
    assert await target[Collection.TOKENS].count_documents({}) == before
    report = await audit.verify_chain(target)
    assert report.ok, report.reason
    head = await target[Collection.AUDIT_HEAD].find_one({})
    last = await target[Collection.AUDIT_LOG].find_one({}, sort=[("seq", -1)])
    assert head is not None and last is not None and head["seq"] == last["seq"]
    assert await db[Collection.TOKENS].count_documents({}) == before + 1  # it did land


async def test_a_backup_never_overwrites_a_file(db: Database, folder: Path) -> None:
    out = folder / "exists.backup"
    out.write_bytes(b"keep me")
    with pytest.raises(InvalidInput):
        await snapshot.take(db, out)
    assert out.read_bytes() == b"keep me"


def test_the_backup_file_is_the_owners_alone(backup: Path) -> None:
    assert backup.stat().st_mode & 0o777 == 0o600
    assert not list(backup.parent.glob("*.partial"))


def test_the_backup_holds_no_master_key_and_no_clear_id_number(
    backup: Path, people: list[tuple[str, str, str]]
) -> None:
    content = b"".join(_members(backup).values())
    assert id_numbers_in(content) == []
    for _, _, number in people:
        assert number.encode() not in content
    for form in (MASTER_KEY, MASTER_KEY_B64.encode(), MASTER_KEY.hex().encode()):
        assert form not in content
    manifest = json.loads(_members(backup)[archive.MANIFEST])
    assert manifest["format"] == "dte-registry-backup" and manifest["version"] == 1
    assert set(manifest["skipped"]) == {"rate_windows", "restore_marker"}


async def test_the_wrong_master_key_is_refused_before_anything_is_written(
    backup: Path, target: Database
) -> None:
    wrong = bytes(32)
    with pytest.raises(BackupWrongMasterKey) as refused:
        restore.check(backup, wrong)
    assert refused.value.code == "BACKUP_WRONG_MASTER_KEY"
    await restore.require_empty(target)  # nothing was written


async def test_a_target_that_is_not_empty_is_refused_and_left_alone(
    db: Database, backup: Path
) -> None:
    before = await db[Collection.CERTIFICATES].count_documents({})
    with pytest.raises(RestoreTargetNotEmpty) as refused:
        await _restored(db, backup)
    assert refused.value.code == "RESTORE_TARGET_NOT_EMPTY"
    assert await db[Collection.CERTIFICATES].count_documents({}) == before
    assert await db[Collection.RESTORE_MARKER].count_documents({}) == 0


def test_a_changed_document_is_refused(backup: Path, folder: Path) -> None:
    members = _members(backup)
    name = archive.member(Collection.CERTIFICATES)
    data = bytearray(members[name])
    data[len(data) // 2] ^= 0x01
    with pytest.raises(BackupCorrupt) as refused:
        restore.check(_pack(folder / "changed.backup", {**members, name: bytes(data)}), MASTER_KEY)
    assert refused.value.code == "BACKUP_CORRUPT"


def test_a_changed_count_in_the_manifest_is_refused(backup: Path, folder: Path) -> None:
    members = _members(backup)
    manifest = json.loads(members[archive.MANIFEST])
    manifest["collections"]["certificates"]["count"] += 1
    forged = {**members, archive.MANIFEST: json.dumps(manifest).encode()}
    with pytest.raises(BackupCorrupt):
        restore.check(_pack(folder / "count.backup", forged), MASTER_KEY)


def test_a_missing_or_extra_member_is_refused(backup: Path, folder: Path) -> None:
    members = _members(backup)
    missing = {k: v for k, v in members.items() if k != archive.member(Collection.AUDIT_HEAD)}
    with pytest.raises(BackupCorrupt):
        restore.check(_pack(folder / "missing.backup", missing), MASTER_KEY)
    extra = {**members, "collections/evil.bson": b""}
    with pytest.raises(BackupCorrupt):
        restore.check(_pack(folder / "extra.backup", extra), MASTER_KEY)


def test_another_format_or_version_is_refused(backup: Path, folder: Path) -> None:
    members = _members(backup)
    manifest = json.loads(members[archive.MANIFEST])
    for change, code in [({"version": 2}, "BACKUP_INVALID"), ({"format": "x"}, "BACKUP_INVALID")]:
        forged = {**members, archive.MANIFEST: json.dumps(manifest | change).encode()}
        with pytest.raises(BackupInvalid) as refused:
            restore.check(_pack(folder / "other.backup", forged), MASTER_KEY)
        assert refused.value.code == code
    not_a_backup = _pack(folder / "plain.tar.gz", {"notes.txt": b"hello"})
    with pytest.raises(BackupInvalid):
        restore.check(not_a_backup, MASTER_KEY)
    plain = folder / "plain.gz"
    plain.write_bytes(gzip.compress(b"not a tar at all"))
    with pytest.raises(BackupCorrupt):
        restore.check(plain, MASTER_KEY)


@hsettings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_a_cut_or_flipped_file_is_refused_or_reads_the_same(
    backup: Path, folder: Path, data: st.DataObject
) -> None:
    """Property: whatever is cut off the end or flipped, reading either refuses the file with a
    backup error or yields exactly the original documents (a flip in gzip's header time)."""
    original = backup.read_bytes()
    damaged = bytearray(original)
    if data.draw(st.booleans(), label="cut"):
        damaged = damaged[: data.draw(st.integers(0, len(original) - 1), label="at")]
    else:
        at = data.draw(st.integers(0, len(original) - 1), label="at")
        damaged[at] ^= data.draw(st.integers(1, 255), label="mask")
    path = folder / f"damaged-{uuid.uuid4().hex[:6]}.backup"
    path.write_bytes(bytes(damaged))
    try:
        records = list(archive.records(path))
    except (BackupCorrupt, BackupInvalid):
        return
    finally:
        path.unlink()
    assert records == list(archive.records(backup))


async def test_a_database_with_an_unfinished_restore_is_refused(target: Database) -> None:
    await refuse_unfinished_restore(target)  # none yet
    await target[Collection.RESTORE_MARKER].insert_one({"_id": "restore", "backup": "then"})
    with pytest.raises(RestoreIncomplete) as refused:
        await refuse_unfinished_restore(target)
    assert refused.value.code == "RESTORE_INCOMPLETE"


async def test_a_bundle_seen_after_the_backup_is_followed_by_the_next(
    db: Database, settings: Settings, folder: Path, target: Database
) -> None:
    """Attack: bundles published after the backup were seen by verifiers, who refuse a lower
    sequence; restored without them, the registry would issue those sequences again."""
    await bundles.build_bundle(db, MASTER_KEY, settings.base_url)
    out = folder / "before-bundles.backup"
    await snapshot.take(db, out)
    await bundles.build_bundle(db, MASTER_KEY, settings.base_url)
    seen = await bundles.build_bundle(db, MASTER_KEY, settings.base_url)
    checked = restore.check(out, MASTER_KEY)
    assert restore.seen_sequence(checked, seen) == seen["sequence"]
    await restore.restore(target, out, checked, after_sequence=seen["sequence"])
    following = await bundles.build_bundle(target, MASTER_KEY, settings.base_url)
    assert following["sequence"] == seen["sequence"] + 1


async def test_a_bundle_of_another_registry_is_refused(
    backup: Path, settings: Settings, fresh_db: Database
) -> None:
    await catalogue.seed_reference(fresh_db)
    foreign = await bundles.build_bundle(fresh_db, MASTER_KEY, settings.base_url)
    checked = restore.check(backup, MASTER_KEY)
    for bundle in (foreign, {"sequence": 99}, []):
        with pytest.raises(RestoreBundleUntrusted) as refused:
            restore.seen_sequence(checked, bundle)
        assert refused.value.code == "RESTORE_BUNDLE_UNTRUSTED"
