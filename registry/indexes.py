"""Every collection's indexes, declared in one place and created at start-up.

`create_indexes` is idempotent: MongoDB treats an identical index as a no-op.
"""

from __future__ import annotations

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

INDEXES: dict[str, list[IndexModel]] = {
    "fields": [],  # _id is the field code
    "occupations": [
        # Either edition's code finds the occupation: `codes_all` holds both.
        IndexModel([("codes_all", ASCENDING)], unique=True, name="codes_all_unique"),
        IndexModel([("sort_key", ASCENDING)], name="sort_key"),
        IndexModel([("field", ASCENDING), ("sort_key", ASCENDING)], name="field_sort_key"),
    ],
    "standards": [IndexModel([("occupations", ASCENDING)], name="occupations")],
    "provinces": [],
    "institutions": [
        IndexModel([("kind", ASCENDING), ("province", ASCENDING)], name="kind_province"),
        IndexModel([("status", ASCENDING), ("valid_until", ASCENDING)], name="status_valid_until"),
        IndexModel(
            [("listings.start", ASCENDING), ("listings.until", ASCENDING)], name="listing_periods"
        ),
        IndexModel([("scope.occupation", ASCENDING), ("scope.level", ASCENDING)], name="scope"),
        IndexModel([("number", ASCENDING)], unique=True, sparse=True, name="number_unique"),
    ],
    "institution_reports": [
        IndexModel([("institution", ASCENDING), ("year", ASCENDING)], name="by_year")
    ],
    "counters": [],
    "batches": [
        IndexModel([("institution", ASCENDING), ("submitted_at", ASCENDING)], name="institution"),
        IndexModel([("status", ASCENDING), ("province", ASCENDING)], name="status_province"),
    ],
    "results": [
        IndexModel([("batch", ASCENDING), ("current", ASCENDING)], name="batch"),
        IndexModel([("institution", ASCENDING), ("exam_date", ASCENDING)], name="institution_exam"),
        # Metrics: a training institution's trainees' results, by P-number prefix.
        IndexModel([("training_certificate", ASCENDING)], name="training_certificate"),
    ],
    "certificates": [
        IndexModel([("batch", ASCENDING), ("status", ASCENDING)], name="batch_status"),
        IndexModel([("id_hash", ASCENDING)], name="id_hash"),
        IndexModel([("institution", ASCENDING), ("status", ASCENDING)], name="institution_status"),
        # Statistics: certificates issued in a year.
        IndexModel([("status", ASCENDING), ("published_at", ASCENDING)], name="status_published"),
    ],
    "levels": [],
    # Bearer tokens are found by the SHA-256 of their text; _id is the short token id.
    "tokens": [IndexModel([("hash", ASCENDING)], unique=True, name="hash_unique")],
    # The audit chain: one entry per seq (the total order), and an entity's history.
    "audit_log": [
        IndexModel([("seq", ASCENDING)], unique=True, name="seq_unique"),
        IndexModel([("entity", ASCENDING), ("seq", DESCENDING)], name="entity_seq"),
    ],
    "audit_head": [],  # one document, _id "head"
    "holiday_arrangements": [],  # _id is the year
    # Signing keys (registry.keystore): _id "root" or the key's Multikey; one current key each.
    "signing_keys": [
        IndexModel(
            [("institution", ASCENDING)],
            unique=True,
            partialFilterExpression={"current": True},
            name="one_current_key",
        ),
        IndexModel([("institution", ASCENDING), ("valid_from", ASCENDING)], name="key_history"),
    ],
    # Revocation lists (registry.status_lists): _id is the list id, str(seq).
    "status_lists": [IndexModel([("seq", ASCENDING)], unique=True, name="seq_unique")],
    "status_list_credentials": [],  # _id is the list id: the last signed credential
    "trust_bundles": [],  # _id is the bundle sequence
    # Training (registry.training): cohorts by id (institution + idempotency key), trainees and
    # training certificates found by keyed hash, continuing-education credits per holder and year.
    "training_cohorts": [
        IndexModel([("institution", ASCENDING), ("submitted_at", ASCENDING)], name="institution"),
        IndexModel([("province", ASCENDING)], name="province"),
    ],
    "trainees": [
        IndexModel([("cohort", ASCENDING), ("row", ASCENDING)], name="cohort_row"),
        IndexModel([("institution", ASCENDING), ("year", ASCENDING)], name="institution_year"),
        IndexModel([("year", ASCENDING), ("id_hash", ASCENDING)], name="year_id_hash"),
    ],
    "training_certificates": [
        IndexModel([("id_hash", ASCENDING)], name="id_hash"),
        IndexModel([("institution", ASCENDING), ("status", ASCENDING)], name="institution_status"),
    ],
    "ce_credits": [
        IndexModel([("id_hash", ASCENDING), ("year", ASCENDING)], name="holder_year"),
        IndexModel([("certificate", ASCENDING)], name="certificate"),
    ],
    "employment_reports": [],  # _id is "<uscc>:<year>"
    # Supervision (registry.supervision): the roster, campaigns, one finding per drawn institution.
    "supervision_inspectors": [IndexModel([("province", ASCENDING)], name="province")],
    "supervision_campaigns": [IndexModel([("year", ASCENDING)], name="year")],
    "supervision_findings": [
        IndexModel([("campaign", ASCENDING), ("institution", ASCENDING)], name="campaign")
    ],
}


async def create_indexes(db: AsyncDatabase[dict[str, object]]) -> None:
    for collection, models in INDEXES.items():
        if models:
            await db[collection].create_indexes(models)
