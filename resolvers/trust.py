"""The trust bundle and the root key, for verifiers."""

from __future__ import annotations

from typing import Any

from registry.trust import bundles as trust
from registry.trust import keystore
from resolvers.context import Context


async def latest_bundle(ctx: Context) -> dict[str, Any]:
    return await trust.latest_bundle(ctx.db, ctx.master_key, ctx.settings.base_url)


async def root_key(ctx: Context) -> str:
    return (await keystore.root_public_key(ctx.db, ctx.master_key)).multibase
