"""What every resolver receives as `info.context`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from registry.access.personal import PersonalData
from registry.certificates.lookup import LookupCache
from registry.settings import Settings
from registry.storage.db import Database


@dataclass(frozen=True)
class RateLimitInfo:
    """The caller's rate-limit window after this request (set by the HTTP layer)."""

    limit: int
    cost: int
    used: int
    remaining: int
    reset_at: dt.datetime


@dataclass
class Context:
    db: Database
    settings: Settings
    request_id: str
    master_key: bytes = field(default=b"", repr=False)
    personal: PersonalData | None = field(default=None, repr=False)
    rate_limit: RateLimitInfo | None = None
    # Shared by every request of the process (see registry/certificates/cache.py).
    certificates: LookupCache | None = None
    request: Any = None
    response: Any = None
    # Per-request caches (DataLoaders) live here so they never outlive a request.
    loaders: dict[str, Any] = field(default_factory=dict)

    def personal_data(self) -> PersonalData:
        if self.personal is None:
            raise RuntimeError("the app did not set up personal-data keys")
        return self.personal
