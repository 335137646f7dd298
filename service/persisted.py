"""Persisted queries: Apollo's automatic persisted queries (APQ) and a trusted-documents manifest.

APQ: a client sends `extensions.persistedQuery.sha256Hash`; the first time with the query text,
afterwards without. Trusted documents: `documentId: "sha256:<hex>"` names a query from a manifest
shipped with the mobile app's build; a client class can be made to send nothing else.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import OrderedDict
from pathlib import Path

from registry.errors import ConfigurationError

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
MAX_APQ_ENTRIES = 10_000
MAX_APQ_QUERY_BYTES = 100_000


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class APQCache:
    def __init__(self, size: int = MAX_APQ_ENTRIES) -> None:
        self.size = size
        self._queries: OrderedDict[str, str] = OrderedDict()

    def get(self, digest: str) -> str | None:
        query = self._queries.get(digest)
        if query is not None:
            self._queries.move_to_end(digest)
        return query

    def put(self, digest: str, query: str) -> None:
        if len(query.encode()) > MAX_APQ_QUERY_BYTES:
            return
        self._queries[digest] = query
        self._queries.move_to_end(digest)
        while len(self._queries) > self.size:
            self._queries.popitem(last=False)


def is_sha256(value: object) -> bool:
    return isinstance(value, str) and bool(_SHA256.match(value))


def load_manifest(path: Path) -> dict[str, str]:
    """`{"sha256:<hex>": "query …"}`; every id must be the hash of its document."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ConfigurationError(f"trusted documents manifest {path}: {error}") from None
    documents = raw.get("documents", raw) if isinstance(raw, dict) else None
    if not isinstance(documents, dict):
        raise ConfigurationError(
            f"trusted documents manifest {path}: expected an object of id → document"
        )
    out: dict[str, str] = {}
    for document_id, query in documents.items():
        if not (
            isinstance(document_id, str)
            and document_id.startswith("sha256:")
            and isinstance(query, str)
        ):
            raise ConfigurationError(
                f"trusted documents manifest {path}: bad entry {str(document_id)[:80]!r}"
            )
        if sha256(query) != document_id.removeprefix("sha256:"):
            raise ConfigurationError(
                f"trusted documents manifest {path}: {document_id} is not the hash of its document"
            )
        out[document_id] = query
    return out
