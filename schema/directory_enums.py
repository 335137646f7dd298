"""The directory's enums, shared by the institution, metrics and supervision types (kept apart so
that those modules need not import each other)."""

from __future__ import annotations

import strawberry

from resolvers import api

InstitutionKind = strawberry.enum(api.Kind, name="InstitutionKind")
InstitutionStatus = strawberry.enum(api.Status, name="InstitutionStatus")
Violation = strawberry.enum(
    api.Violation, name="Violation", description="Grounds for removal (notice 六(三))."
)
