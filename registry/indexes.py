"""Every collection's indexes, declared in one place and created at start-up.

`create_indexes` is idempotent: MongoDB treats an identical index as a no-op.
"""

from __future__ import annotations

from pymongo import ASCENDING, IndexModel
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
    "levels": [],
}


async def create_indexes(db: AsyncDatabase[dict[str, object]]) -> None:
    for collection, models in INDEXES.items():
        if models:
            await db[collection].create_indexes(models)
