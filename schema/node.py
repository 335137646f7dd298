"""Relay's Node interface: an object with an opaque global id (`schema/node_query.py` finds one
again by it)."""

from __future__ import annotations

import strawberry


@strawberry.interface(
    description="An object with an opaque global id, found again with `node(id:)`."
)
class Node:
    id: strawberry.ID = strawberry.field(
        description="The opaque global id: `node(id:)` finds the object again by it."
    )
