"""Arguments that many fields take, each declared once with its description (the same words
everywhere the argument appears, and one place to change them)."""

from __future__ import annotations

from typing import Annotated

import strawberry

UsccArg = Annotated[
    str,
    strawberry.argument(
        description="The institution's unified social credit code (统一社会信用代码, 18 characters)."
    ),
]
ReasonArg = Annotated[
    str,
    strawberry.argument(
        description="Why, in plain words; kept in the record's history and shown publicly where the record is public."
    ),
]
AfterArg = Annotated[
    str | None,
    strawberry.argument(description="Return the items after this cursor (a page's `endCursor`)."),
]
