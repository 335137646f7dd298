"""The `node`/`nodes` look-ups. A node is authorised exactly like its typed field: an assessment
batch only for its reviewers and its institution."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers import api
from resolvers import catalogue as rcat
from resolvers import certificates as rc
from resolvers import institutions as ri
from resolvers.context import Context
from resolvers.global_ids import from_global_id
from schema.catalogue import Occupation
from schema.certificates import AssessmentBatch
from schema.cost import ONE_READ
from schema.institutions import Institution
from schema.node import Node

MAX_NODES = 100


async def resolve_node(info: Info[Context, None], gid: str) -> Node | None:
    kind, key = from_global_id(gid)
    ctx = info.context
    if kind == "Occupation":
        occ = await rcat.occupation_by_key(ctx, key)
        return Occupation.from_domain(occ) if occ else None
    if kind == "Institution":
        inst = await ri.institution(ctx, key)
        return Institution.from_domain(inst) if inst else None
    batch = await rc.batch(ctx, key)
    return AssessmentBatch.from_doc(batch) if batch else None


@strawberry.type
class NodeQuery:
    @strawberry.field(
        directives=[ONE_READ],
        description="Any object by its global id; null when absent or not yours to see.",
    )
    async def node(
        self,
        info: Info[Context, None],
        id: Annotated[
            strawberry.ID,
            strawberry.argument(description="A global id, as any `id` field answers it."),
        ],
    ) -> Node | None:
        return await resolve_node(info, id)

    @strawberry.field(
        directives=[ONE_READ],
        description=f"Up to {MAX_NODES} objects by global id, in order (each read on its own).",
    )
    async def nodes(
        self,
        info: Info[Context, None],
        ids: Annotated[
            list[strawberry.ID], strawberry.argument(description="Global ids, at most 100.")
        ],
    ) -> list[Node | None]:
        if len(ids) > MAX_NODES:
            raise api.ArgumentError(
                f"`ids` is limited to {MAX_NODES}",
                "PAGINATION_LIMIT",
                argument="ids",
                limit=MAX_NODES,
            )
        return [await resolve_node(info, gid) for gid in ids]
