"""What every resolver receives as `info.context`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from registry.db import Database
from registry.settings import Settings


@dataclass
class Context:
    db: Database
    settings: Settings
    request_id: str
    request: Any = None
    response: Any = None
    # Per-request caches (DataLoaders) live here so they never outlive a request.
    loaders: dict[str, Any] = field(default_factory=dict)
