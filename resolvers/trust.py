"""The trust bundle and the root key, for verifiers."""

from __future__ import annotations

from typing import Any

from registry.trust import bundles as trust
from registry.trust import offline_root
from resolvers.context import Context


async def latest_bundle(ctx: Context) -> dict[str, Any]:
    return await trust.latest_bundle(ctx.db, ctx.master_key, ctx.settings.base_url)


async def root_key(ctx: Context) -> str:
    """The root verifiers pin now (`offline_root.root_to_pin`), as `/root-key` names it."""
    return (await offline_root.root_to_pin(ctx.db, ctx.master_key)).key.multibase
