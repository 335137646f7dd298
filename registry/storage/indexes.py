"""Every collection's indexes, declared in one place and created at start-up.

`create_indexes` is idempotent: MongoDB treats an identical index as a no-op. An index that a
later version no longer wants is named in `RETIRED` and dropped at start-up.
"""

from __future__ import annotations

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import OperationFailure

from registry.storage.collections import Collection

INDEXES: dict[Collection, list[IndexModel]] = {
    Collection.FIELDS: [],  # _id is the field code
    Collection.OCCUPATIONS: [
        # Either edition's code finds the occupation: `codes_all` holds both.
        IndexModel([("codes_all", ASCENDING)], unique=True, name="codes_all_unique"),
        IndexModel([("sort_key", ASCENDING)], name="sort_key"),
        IndexModel([("field", ASCENDING), ("sort_key", ASCENDING)], name="field_sort_key"),
    ],
    Collection.STANDARDS: [IndexModel([("occupations", ASCENDING)], name="occupations")],
    Collection.PROVINCES: [],
    Collection.CATALOGUE_VERSIONS: [
        # An entry's history in order, and the version in force at a moment (`versions.at`).
        IndexModel([("kind", ASCENDING), ("key", ASCENDING), ("at", ASCENDING)], name="entry_at"),
    ],
    Collection.INSTITUTIONS: [
        IndexModel([("kind", ASCENDING), ("province", ASCENDING)], name="kind_province"),
        IndexModel([("status", ASCENDING), ("valid_until", ASCENDING)], name="status_valid_until"),
        IndexModel(
            [("listings.start", ASCENDING), ("listings.until", ASCENDING)], name="listing_periods"
        ),
        IndexModel([("scope.occupation", ASCENDING), ("scope.level", ASCENDING)], name="scope"),
        IndexModel([("number", ASCENDING)], unique=True, sparse=True, name="number_unique"),
    ],
    Collection.INSTITUTION_REPORTS: [
        IndexModel([("institution", ASCENDING), ("year", ASCENDING)], name="by_year")
    ],
    Collection.COUNTERS: [],
    Collection.STATISTICS: [],  # a few documents, read whole
    Collection.STATISTICS_PERSONS: [],  # found by _id
    Collection.BATCHES: [
        IndexModel([("institution", ASCENDING), ("submitted_at", ASCENDING)], name="institution"),
        IndexModel([("status", ASCENDING), ("province", ASCENDING)], name="status_province"),
    ],
    Collection.RESULTS: [
        IndexModel([("batch", ASCENDING), ("current", ASCENDING)], name="batch"),
        IndexModel([("institution", ASCENDING), ("exam_date", ASCENDING)], name="institution_exam"),
        # Metrics: a training institution's trainees' results, by P-number prefix.
        IndexModel([("training_certificate", ASCENDING)], name="training_certificate"),
    ],
    Collection.BATCH_PARTS: [
        IndexModel([("batch", ASCENDING), ("number", ASCENDING)], name="batch")
    ],
    Collection.CERTIFICATES: [
        IndexModel([("batch", ASCENDING), ("status", ASCENDING)], name="batch_status"),
        IndexModel([("id_hash", ASCENDING)], name="id_hash"),
        IndexModel([("institution", ASCENDING), ("status", ASCENDING)], name="institution_status"),
        # Statistics: certificates issued in a year.
        IndexModel([("status", ASCENDING), ("published_at", ASCENDING)], name="status_published"),
        # The trust bundle states whose indices the lists made before owners existed hold.
        IndexModel([("status_ref.list_id", ASCENDING)], name="status_list"),
    ],
    Collection.LEVELS: [],
    # Bearer tokens are found by the SHA-256 of their text; _id is the short token id.
    # Found by keyed hash; rows from before the MACs have none until they are upgraded.
    Collection.TOKENS: [
        IndexModel(
            [("mac", ASCENDING)],
            unique=True,
            name="mac_unique",
            partialFilterExpression={"mac": {"$exists": True}},
        )
    ],
    # The audit chain: one entry per seq (the total order), and an entity's history.
    Collection.AUDIT_LOG: [
        IndexModel([("seq", ASCENDING)], unique=True, name="seq_unique"),
        IndexModel([("entity", ASCENDING), ("seq", DESCENDING)], name="entity_seq"),
    ],
    Collection.AUDIT_HEAD: [],  # one document, _id "head"
    Collection.HOLIDAY_ARRANGEMENTS: [],  # _id is the year
    # Signing keys (registry.trust.keystore): _id "root" or the key's Multikey; one current key each.
    Collection.SIGNING_KEYS: [
        IndexModel(
            [("institution", ASCENDING)],
            unique=True,
            partialFilterExpression={"current": True},
            name="one_current_key",
        ),
        IndexModel([("institution", ASCENDING), ("valid_from", ASCENDING)], name="key_history"),
    ],
    # Revocation lists (registry.trust.status_lists): _id is the list id, str(seq).
    Collection.STATUS_LISTS: [
        IndexModel([("seq", ASCENDING)], unique=True, name="seq_unique"),
        # Each institution allocates from its own newest list.
        IndexModel([("owner", ASCENDING), ("seq", ASCENDING)], name="owner_seq"),
    ],
    Collection.STATUS_LIST_CREDENTIALS: [],  # _id is the list id: the last signed credential
    Collection.TRUST_BUNDLES: [],  # _id is the bundle sequence
    # A kind's public changes in the audit chain's order: _id is the audit entry's seq.
    Collection.PUBLIC_CHANGES: [
        IndexModel([("entity", ASCENDING), ("_id", ASCENDING)], name="entity_seq")
    ],
    Collection.LOG_HEAD: [],  # one document, _id "head"
    Collection.LOG_TILES: [],  # _id "<level>/<index>"
    Collection.LOG_ENTRIES: [],  # _id is the entry bundle's index
    # _id names the certificate a leaf records ("certificate:<number>"): those published before
    # the index was kept on the certificate, and those logged by a backfill
    Collection.LOG_INDEX: [],
    Collection.LOG_CHECKPOINTS: [],  # _id is the tree size
    Collection.LOG_WITNESSES: [],  # _id is the witness's vkey
    # Training (registry.training): cohorts by id (institution + idempotency key), trainees and
    # training certificates found by keyed hash, continuing-education credits per holder and year.
    Collection.TRAINING_COHORTS: [
        IndexModel([("institution", ASCENDING), ("submitted_at", ASCENDING)], name="institution"),
        IndexModel([("province", ASCENDING)], name="province"),
    ],
    Collection.TRAINEES: [
        IndexModel([("cohort", ASCENDING), ("row", ASCENDING)], name="cohort_row"),
        IndexModel([("institution", ASCENDING), ("year", ASCENDING)], name="institution_year"),
        IndexModel([("year", ASCENDING), ("id_hash", ASCENDING)], name="year_id_hash"),
    ],
    Collection.TRAINING_CERTIFICATES: [
        IndexModel([("id_hash", ASCENDING)], name="id_hash"),
        IndexModel([("institution", ASCENDING), ("status", ASCENDING)], name="institution_status"),
    ],
    # Exam sessions (registry.exams): a session's registrations, found by it and by keyed hash.
    Collection.POLICY_LINKS: [],  # a few dozen records, read by _id or whole by topic
    Collection.EXAM_SESSIONS: [
        IndexModel([("institution", ASCENDING), ("exam_date", ASCENDING)], name="institution")
    ],
    Collection.EXAM_REGISTRATIONS: [
        IndexModel([("session", ASCENDING), ("status", ASCENDING)], name="session_status"),
        # A person's registrations for a session (one at a time; the cancelled ones kept).
        IndexModel([("session", ASCENDING), ("id_hash", ASCENDING)], name="session_person"),
    ],
    Collection.CE_CREDITS: [
        IndexModel([("id_hash", ASCENDING), ("year", ASCENDING)], name="holder_year"),
        IndexModel([("certificate", ASCENDING)], name="certificate"),
    ],
    Collection.EMPLOYMENT_REPORTS: [],  # _id is "<uscc>:<year>"
    # Supervision (registry.supervision): the roster, campaigns, one finding per drawn institution.
    Collection.SUPERVISION_INSPECTORS: [IndexModel([("province", ASCENDING)], name="province")],
    Collection.SUPERVISION_CAMPAIGNS: [IndexModel([("year", ASCENDING)], name="year")],
    Collection.SUPERVISION_FINDINGS: [
        IndexModel([("campaign", ASCENDING), ("institution", ASCENDING)], name="campaign")
    ],
    # A window's count is dropped by the server once the window is over (TTL, swept each minute).
    Collection.RATE_WINDOWS: [
        IndexModel([("expires", ASCENDING)], name="expires", expireAfterSeconds=0)
    ],
    Collection.DEMO_STATE: [],  # _id names the demo seeded
    Collection.RESTORE_MARKER: [],  # one document, _id "restore", while a restore writes
}


# Indexes of earlier versions, dropped where they exist. `hash_unique` (tokens by plain SHA-256)
# would refuse a second token stored by MAC alone, which has no `hash`.
RETIRED: dict[Collection, list[str]] = {Collection.TOKENS: ["hash_unique"]}
_INDEX_NOT_FOUND = (26, 27)  # NamespaceNotFound, IndexNotFound


async def create_indexes(db: AsyncDatabase[dict[str, object]]) -> None:
    for collection, names in RETIRED.items():
        for name in names:
            try:
                await db[collection].drop_index(name)
            except OperationFailure as error:
                if error.code not in _INDEX_NOT_FOUND:
                    raise
    for collection, models in INDEXES.items():
        if models:
            await db[collection].create_indexes(models)
