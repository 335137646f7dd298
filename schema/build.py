"""The assembled schema. Parser and validation caches are not optional: measured here they take
strawberry from 234 to 1,760 requests a second on a small query (DESIGN.md)."""

from __future__ import annotations

from pathlib import Path

import strawberry
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)

from schema.errors import ErrorCodes
from schema.query import Query

SDL_PATH = Path(__file__).with_name("schema.graphql")

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 2000
CACHE_SIZE = 1024


def build_schema() -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        extensions=[
            ErrorCodes(),
            MaxTokensLimiter(max_token_count=MAX_TOKENS),
            ParserCache(maxsize=CACHE_SIZE),
            ValidationCache(maxsize=CACHE_SIZE),
            QueryDepthLimiter(max_depth=MAX_DEPTH),
            MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        ],
    )


schema = build_schema()


def sdl() -> str:
    return schema.as_str() + "\n"
