"""The backup file: a gzip-compressed tar archive, format `dte-registry-backup`, version 1.

Members, in this order and nothing else:

- `manifest.json`: the format and version, when the snapshot was read, the database's name, and
  per kept collection its document count, byte size and SHA-256; the skipped collections with
  the reason (`registry/storage/collections.py`, `BACKUP`). Indexes are not stored: a restore
  creates the ones `registry/storage/indexes.py` declares. The master key is never stored.
- `collections/<name>.bson`: the collection's documents in `_id` order, each exactly as the
  server stored it (BSON, concatenated, as `mongodump` writes them).

Reading checks everything against the manifest before anything is handed on: a changed byte, a
missing or extra member, a cut-short file or a wrong count is `BackupCorrupt`.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import tarfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from registry.errors import BackupCorrupt, BackupInvalid
from registry.storage.collections import BACKUP, Collection, Kept

FORMAT = "dte-registry-backup"
VERSION = 1
MANIFEST = "manifest.json"
_MAX_MANIFEST = 1 << 20
_MAX_DOCUMENT = 16 * 1024 * 1024 + 16 * 1024  # MongoDB's largest document, with room for BSON
# What reading a damaged gzip or tar stream raises.
_DAMAGED = (tarfile.TarError, EOFError, OSError, zlib.error)


def member(collection: Collection) -> str:
    return f"collections/{collection.value}.bson"


@dataclass(frozen=True)
class Entry:
    """One collection as the manifest states it."""

    count: int
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    created: str
    database: str
    collections: dict[Collection, Entry]

    def to_json(self) -> bytes:
        doc = {
            "format": FORMAT,
            "version": VERSION,
            "created": self.created,
            "database": self.database,
            "collections": {
                c.value: {"count": e.count, "bytes": e.size, "sha256": e.sha256}
                for c, e in self.collections.items()
            },
            "skipped": {c.value: d.why for c, d in BACKUP.items() if not isinstance(d, Kept)},
            "indexes": "not stored: created on restore from registry/storage/indexes.py",
            "master_key": "not stored: keep it apart; a restore needs the same key",
        }
        return json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")


def kept() -> list[Collection]:
    """The collections a backup holds, in the order of the collection list."""
    return [c for c in Collection if isinstance(BACKUP[c], Kept)]


def parse_manifest(data: bytes) -> Manifest:
    """The manifest, or `BackupInvalid` / `BackupCorrupt` saying what is wrong with it."""
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BackupCorrupt("the backup's manifest.json is not valid JSON") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise BackupInvalid(f"not a {FORMAT} file (its manifest names another format)")
    if doc.get("version") != VERSION:
        raise BackupInvalid(
            f"backup format version {doc.get('version')!r}: this registry reads version {VERSION}"
        )
    try:
        return Manifest(
            created=str(doc["created"]),
            database=str(doc["database"]),
            collections={_known(name): _entry(e) for name, e in doc["collections"].items()},
        )
    except (KeyError, TypeError, AttributeError, ValueError):
        raise BackupCorrupt("the backup's manifest.json lacks a field or has a wrong one") from None


def _known(name: str) -> Collection:
    try:
        collection = Collection(name)
    except ValueError:
        raise BackupInvalid(
            f"the backup holds a collection this registry does not know: {name}"
        ) from None
    if not isinstance(BACKUP[collection], Kept):
        raise BackupInvalid(f"the backup holds {name}, which a backup never keeps")
    return collection


def _entry(doc: Any) -> Entry:
    entry = Entry(count=int(doc["count"]), size=int(doc["bytes"]), sha256=str(doc["sha256"]))
    if entry.count < 0 or entry.size < 0 or len(entry.sha256) != 64:
        raise ValueError("entry out of range")
    return entry


def documents(stream: IO[bytes], what: str) -> Iterator[bytes]:
    """Each BSON document of `stream` as its raw bytes; `BackupCorrupt` on a document cut short
    or of an impossible length."""
    while header := stream.read(4):
        if len(header) < 4:
            raise BackupCorrupt(f"{what} ends inside a document (the backup is truncated)")
        (length,) = struct.unpack("<i", header)
        if not 5 <= length <= _MAX_DOCUMENT:
            raise BackupCorrupt(f"{what} holds a document of impossible length {length}")
        rest = stream.read(length - 4)
        if len(rest) < length - 4:
            raise BackupCorrupt(f"{what} ends inside a document (the backup is truncated)")
        yield header + rest


def records(path: Path) -> Iterator[tuple[Collection, bytes]]:
    """Each document of the backup at `path` with its collection, checked against the manifest
    as it is read. The last record is followed by the check of the whole: a failure raises
    `BackupCorrupt` or `BackupInvalid` after what was already yielded, so a caller that writes
    must first have read the file once with `read`."""
    try:
        with tarfile.open(path, "r:gz") as archive:
            yield from _records(archive)
    except _DAMAGED as error:
        raise BackupCorrupt(f"{path} cannot be read as a backup ({type(error).__name__})") from None


Visit = Callable[[Collection, bytes], None]


def read(path: Path, visit: Visit | None = None) -> Manifest:
    """Read the whole backup at `path`, checking every collection against the manifest, and hand
    each document to `visit` on the way. Returns the manifest only when all of it checked out."""
    for collection, raw in records(path):
        if visit is not None:
            visit(collection, raw)
    return manifest_of(path)


def manifest_of(path: Path) -> Manifest:
    """The manifest at the head of the backup (nothing else is read or checked)."""
    try:
        with tarfile.open(path, "r:gz") as archive:
            return _manifest(archive)
    except _DAMAGED as error:
        raise BackupCorrupt(f"{path} cannot be read as a backup ({type(error).__name__})") from None


def _manifest(archive: tarfile.TarFile) -> Manifest:
    first = archive.next()
    if first is None or first.name != MANIFEST or not first.isfile():
        raise BackupInvalid(f"not a {FORMAT} file (it does not start with {MANIFEST})")
    if first.size > _MAX_MANIFEST:
        raise BackupCorrupt(f"the backup's {MANIFEST} is larger than any manifest")
    return parse_manifest(_extract(archive, first).read())


def _records(archive: tarfile.TarFile) -> Iterator[tuple[Collection, bytes]]:
    manifest = _manifest(archive)
    expected = {member(c): c for c in manifest.collections}
    seen: set[str] = set()
    for info in iter(archive.next, None):
        collection = expected.get(info.name)
        if collection is None or info.name in seen or not info.isfile():
            raise BackupCorrupt(f"the backup holds an unexpected member {info.name!r}")
        seen.add(info.name)
        entry = manifest.collections[collection]
        yield from (
            (collection, raw) for raw in _checked(collection, entry, _extract(archive, info))
        )
    if missing := sorted(set(expected) - seen):
        raise BackupCorrupt(f"the backup lacks {', '.join(missing)} (it is truncated)")


def _extract(archive: tarfile.TarFile, info: tarfile.TarInfo) -> IO[bytes]:
    stream = archive.extractfile(info)
    if stream is None:
        raise BackupCorrupt(f"the backup's member {info.name!r} is not a file")
    return stream


def _checked(collection: Collection, entry: Entry, stream: IO[bytes]) -> Iterator[bytes]:
    digest, count, size = hashlib.sha256(), 0, 0
    for raw in documents(stream, member(collection)):
        digest.update(raw)
        count, size = count + 1, size + len(raw)
        yield raw
    if (count, size, digest.hexdigest()) != (entry.count, entry.size, entry.sha256):
        raise BackupCorrupt(
            f"{member(collection)} does not match the manifest: {count} documents and "
            f"{size} bytes read, {entry.count} and {entry.size} stated, or its SHA-256 differs"
        )


class Writer:
    """Writes a backup file: collections first into a scratch directory, then the archive under a
    temporary name, renamed to its own only when complete (a backup cut short leaves no file
    that looks whole)."""

    def __init__(self, out: Path, scratch: Path) -> None:
        self.out, self.scratch = out, scratch
        self.entries: dict[Collection, Entry] = {}

    def start(self, collection: Collection) -> None:
        """Begin `collection`'s file; `add` its documents, then `close` it."""
        self._current = collection
        self._file = open(self.scratch / f"{collection.value}.bson", "wb")
        self._digest, self._count, self._size = hashlib.sha256(), 0, 0

    def add(self, raws: list[bytes]) -> None:
        for raw in raws:
            self._file.write(raw)
            self._digest.update(raw)
            self._count, self._size = self._count + 1, self._size + len(raw)

    def close(self) -> Entry:
        self._file.close()
        entry = Entry(self._count, self._size, self._digest.hexdigest())
        self.entries[self._current] = entry
        return entry

    def finish(self, created: str, database: str) -> Manifest:
        manifest = Manifest(created, database, dict(self.entries))
        (self.scratch / MANIFEST).write_bytes(manifest.to_json())
        partial = self.out.with_name(self.out.name + ".partial")
        # It holds sealed keys and encrypted ID numbers: the owner's alone, like the data directory.
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with (
            os.fdopen(descriptor, "wb") as file,
            tarfile.open(fileobj=file, mode="w:gz", format=tarfile.PAX_FORMAT) as archive,
        ):
            archive.add(self.scratch / MANIFEST, MANIFEST, filter=_plain)
            for collection in self.entries:
                archive.add(
                    self.scratch / f"{collection.value}.bson", member(collection), filter=_plain
                )
        partial.replace(self.out)
        return manifest


def _plain(info: tarfile.TarInfo) -> tarfile.TarInfo:
    """A member that says nothing about the machine it was made on."""
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    return info
