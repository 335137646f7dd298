"""Where each collection would go past one replica set: sharded (and by which key) or left on
the primary shard, decided once per collection beside its indexes (`registry/storage/indexes.py`).

Nothing here runs: a replica set needs none of it. It is the record `docs/deployment.md`
prints, and `tests/registry/storage/test_sharding.py` holds it to the code: every collection
has a decision; a sharded collection's unique indexes start with its shard key (MongoDB enforces
a unique index across shards only then, and never on a hashed key); its `_id` stays unique
(the key starts with `_id`, or the decision says why equal `_id`s share a shard).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pymongo import IndexModel

from registry.storage.collections import Collection

HASHED = "hashed"


@dataclass(frozen=True)
class Unsharded:
    """Stays whole on the database's primary shard: every constraint of a replica set holds."""

    why: str


@dataclass(frozen=True)
class Sharded:
    """Split across shards by `key` (field, 1 or "hashed")."""

    key: tuple[tuple[str, int | str], ...]
    why: str
    # When the key does not start with `_id`: why two documents with one `_id` share a shard.
    id_unique: str = ""

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.key)

    @property
    def hashed(self) -> bool:
        return any(kind == HASHED for _, kind in self.key)


Decision = Unsharded | Sharded

_BY_HASHED_ID = (("_id", HASHED),)
_SMALL = "bounded by the programme, not by candidates: "

SHARDING: dict[Collection, Decision] = {
    Collection.FIELDS: Unsharded(_SMALL + "the notice's ten fields"),
    Collection.OCCUPATIONS: Unsharded(_SMALL + "a few hundred occupations"),
    Collection.STANDARDS: Unsharded(_SMALL + "the national standards"),
    Collection.PROVINCES: Unsharded(_SMALL + "the province codes"),
    Collection.LEVELS: Unsharded(_SMALL + "three levels"),
    Collection.HOLIDAY_ARRANGEMENTS: Unsharded(_SMALL + "one document a year"),
    Collection.CATALOGUE_VERSIONS: Unsharded(_SMALL + "one document per office edit"),
    Collection.INSTITUTIONS: Unsharded(_SMALL + "thousands of institutions"),
    Collection.INSTITUTION_REPORTS: Unsharded(_SMALL + "one plan and summary per institution-year"),
    Collection.COUNTERS: Unsharded(
        "a handful of hot documents (number and sequence allocation), each updated in the "
        "publishing transaction: sharding spreads nothing"
    ),
    Collection.BATCHES: Unsharded(_SMALL + "one document per submitted batch"),
    Collection.RESULTS: Sharded(
        (("batch", HASHED),),
        "one row per candidate; read and updated by batch, so a batch stays on one shard",
        id_unique="`_id` is `<batch>:<revision>:<row>`: one `_id`, one batch, one shard",
    ),
    Collection.BATCH_PARTS: Unsharded(
        "a large batch's parts while it is open: deleted once its rows are written to `results`"
    ),
    Collection.CERTIFICATES: Sharded(
        _BY_HASHED_ID,
        "one document per certificate, looked up by number (`_id`); the holder look-up by "
        "`id_hash` is a scatter-gather here and moves to a keyed-hash collection of its own",
    ),
    Collection.TRAINING_COHORTS: Unsharded(_SMALL + "one document per reported cohort"),
    Collection.TRAINEES: Sharded(
        (("cohort", HASHED),),
        "one row per trainee, written and read by cohort",
        id_unique="`_id` is `<cohort>:<row>`: one `_id`, one cohort, one shard",
    ),
    Collection.TRAINING_CERTIFICATES: Sharded(
        _BY_HASHED_ID, "one document per training certificate, found by number (`_id`)"
    ),
    Collection.POLICY_LINKS: Unsharded(_SMALL + "a record per topic, province and level"),
    Collection.EXAM_SESSIONS: Unsharded(_SMALL + "a few sessions per institution and month"),
    Collection.EXAM_REGISTRATIONS: Sharded(
        (("session", HASHED),),
        "one row per candidate and session, written and read by session",
        id_unique="`_id` is `<session>:<keyed hash>`: one `_id`, one session, one shard",
    ),
    Collection.CE_CREDITS: Sharded(
        _BY_HASHED_ID,
        "one credit per completed training; the holder's hours by `id_hash` move to the "
        "keyed-hash collection like the certificates",
    ),
    Collection.EMPLOYMENT_REPORTS: Unsharded(_SMALL + "one per institution-year"),
    Collection.SUPERVISION_INSPECTORS: Unsharded(_SMALL + "the inspectors' roster"),
    Collection.SUPERVISION_CAMPAIGNS: Unsharded(_SMALL + "a few campaigns a year"),
    Collection.SUPERVISION_FINDINGS: Unsharded(_SMALL + "one finding per drawn institution"),
    Collection.TOKENS: Unsharded(_SMALL + "one per institution and reviewer"),
    Collection.AUDIT_LOG: Unsharded(
        "one total order: every append reads and moves the one head document in the writing "
        "transaction, and `seq_unique` must hold over the whole chain; entries are small"
    ),
    Collection.AUDIT_HEAD: Unsharded("one document, the chain's head"),
    Collection.SIGNING_KEYS: Unsharded(_SMALL + "a few keys per institution"),
    Collection.STATUS_LISTS: Unsharded(
        "one list per 131,072 certificates; `seq_unique` over every list"
    ),
    Collection.STATUS_LIST_CREDENTIALS: Unsharded("one signed credential per status list"),
    Collection.TRUST_BUNDLES: Unsharded(
        "one document per bundle sequence; past one replica set the bundle is a static file"
    ),
    Collection.PUBLIC_CHANGES: Unsharded(
        "the open-data change feed, read in the audit chain's order from a cursor"
    ),
    Collection.STATISTICS: Unsharded(
        "the public statistics' counters: a few thousand small documents keyed by year, field, "
        "occupation, level and province, moved by `$inc` in the writing transaction and read whole"
    ),
    Collection.STATISTICS_PERSONS: Sharded(
        _BY_HASHED_ID,
        "one document per person and year (the distinct-people count), found by `_id` only, "
        "growing with every certificate holder",
    ),
    Collection.LOG_HEAD: Unsharded(
        "one document, the transparency log's head: every append moves it in the writing "
        "transaction, as the audit chain's"
    ),
    Collection.LOG_TILES: Unsharded(
        "one document per 256 hashes of a level (about n/255 for n leaves), pushed to and read "
        "by `_id`; a proof reads a few"
    ),
    Collection.LOG_ENTRIES: Unsharded("one document per 256 leaves, small leaves, by `_id`"),
    Collection.LOG_INDEX: Unsharded(
        "one small row per certificate logged by a backfill or published before 2026-12-05 (its "
        "leaf index), found by `_id`; later certificates keep it on their own document"
    ),
    Collection.LOG_CHECKPOINTS: Unsharded("one document per signed checkpoint, by tree size"),
    Collection.LOG_WITNESSES: Unsharded(_SMALL + "the registered witnesses"),
    Collection.RATE_WINDOWS: Sharded(
        _BY_HASHED_ID,
        "one document per client, allowance and window (service/rate_windows.py), found and "
        "moved by `_id` only, growing with the clients of the hour and dropped by the TTL index",
    ),
    Collection.DEMO_STATE: Unsharded("the demo's bookkeeping, one document"),
    Collection.RESTORE_MARKER: Unsharded("one document, only while a restore writes"),
}


def violations(
    sharding: Mapping[Collection, Decision], indexes: Mapping[Collection, list[IndexModel]]
) -> list[str]:
    """What a sharded cluster would refuse or stop enforcing, one sentence each; empty when
    every collection has a decision that its indexes and `_id` can live with."""
    found = [f"{c}: no sharding decision" for c in Collection if c not in sharding]
    for collection, decision in sharding.items():
        if isinstance(decision, Sharded):
            found += _sharded_violations(collection, decision, indexes.get(collection, []))
    return found


def _sharded_violations(
    collection: Collection, decision: Sharded, models: list[IndexModel]
) -> list[str]:
    found: list[str] = []
    for model in models:
        doc = model.document
        fields = tuple(doc["key"])
        if not doc.get("unique"):
            continue
        if decision.hashed:
            found.append(
                f"{collection}: unique index {doc['name']} on a collection sharded by a hashed "
                "key (a hashed shard key enforces no uniqueness but _id's own)"
            )
        elif fields[: len(decision.fields)] != decision.fields:
            found.append(
                f"{collection}: unique index {doc['name']} does not start with the shard key "
                f"{', '.join(decision.fields)} (each shard would check only its own documents)"
            )
    if decision.fields[0] != "_id" and not decision.id_unique:
        found.append(
            f"{collection}: shard key {', '.join(decision.fields)} does not start with _id and "
            "the decision does not say why equal _ids share a shard"
        )
    if decision.fields[0] != "_id" and not any(
        tuple(m.document["key"])[:1] == decision.fields[:1] for m in models
    ):
        found.append(
            f"{collection}: no index starts with the shard key's {decision.fields[0]} "
            "(is it a field the registry writes and queries by?)"
        )
    return found
