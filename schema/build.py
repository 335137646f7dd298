"""The assembled schema. Parser and validation caches are not optional: measured here they take
strawberry from 234 to 1,760 requests a second on a small query (docs/architecture.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import strawberry
from graphql import GraphQLError, specified_rules
from graphql.validation import ASTValidationRule, NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from schema.batch_parts import BatchPartsMutation
from schema.catalogue_mutation import CatalogueMutation
from schema.errors import ErrorMasking
from schema.exams import ExamMutation, ExamQuery
from schema.mutation import Mutation as CoreMutation
from schema.node_query import NodeQuery
from schema.open_data import OpenDataQuery
from schema.policylinks import PolicyLinksMutation, PolicyLinksQuery
from schema.query import Query as CoreQuery
from schema.quiet_values import quiet
from schema.rate_limit import RateLimitQuery
from schema.statistics import StatisticsQuery
from schema.supervision import SupervisionMutation, SupervisionQuery
from schema.training import TrainingMutation, TrainingQuery

# Each part of the API contributes its own Query and Mutation classes; they are merged here so
# that parts can grow in their own modules.
QUERIES: tuple[type, ...] = (
    CoreQuery,
    NodeQuery,
    RateLimitQuery,
    TrainingQuery,
    SupervisionQuery,
    StatisticsQuery,
    OpenDataQuery,
    ExamQuery,
    PolicyLinksQuery,
)
MUTATIONS: tuple[type, ...] = (
    CoreMutation,
    BatchPartsMutation,
    TrainingMutation,
    SupervisionMutation,
    ExamMutation,
    PolicyLinksMutation,
    CatalogueMutation,
)
Query = merge_types("Query", QUERIES)
Mutation = merge_types("Mutation", MUTATIONS)
# merge_types takes no description: the root types get theirs on their definitions.
Query.__strawberry_definition__.description = (  # type: ignore[attr-defined]
    "Everything the registry publishes (数字技术工程师培育项目): reference data, the directories, "
    "certificates, training, supervision and statistics. Public unless a field says otherwise."
)
Mutation.__strawberry_definition__.description = (  # type: ignore[attr-defined]
    "Every change, each by the role that owns it (a bearer token); problems come back as "
    "`userErrors`, and a retried mutation changes nothing twice."
)

SDL_PATH = Path(__file__).with_name("schema.graphql")

MAX_DEPTH = 15  # as schema/limits.py; GraphiQL's introspection query needs 13
MAX_ALIASES = 30
MAX_TOKENS = 1000
CACHE_SIZE = 1024


class RegistrySchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Strawberry's default logs every error with the query text, and a query may carry an ID
        # number. Internal errors are logged (without the query) by `ErrorMasking`; the rest are the
        # client's own mistakes and need no log line beyond the access log.
        return None


# Built once: strawberry's ValidationCache keys on the rule classes, and the limiters make a new
# class per instance, so per-request limiters made every validation a cache miss (measured: 53 %
# of a look-up's time, docs/benchmarks.md).
_RULES = [
    *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
]


def validation_rules(*, introspection: bool = True) -> tuple[type[ASTValidationRule], ...]:
    """Every rule a query is validated with: GraphQL's own, the limiters, and with introspection
    off the rule that refuses it (what the extensions below add, for `schema.execution`). The
    value rule is the quiet one: a refused literal is never repeated (`schema/quiet_values.py`)."""
    extra = () if introspection else (NoSchemaIntrospectionCustomRule,)
    return (*quiet(tuple(specified_rules)), *_RULES, *extra)


def build_schema(*, introspection: bool = True) -> strawberry.Schema:
    extra: list[Any] = [] if introspection else [DisableIntrospection]
    return RegistrySchema(
        query=Query,
        mutation=Mutation,
        extensions=[
            ErrorMasking,
            lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
            lambda: ParserCache(maxsize=CACHE_SIZE),
            lambda: ValidationCache(maxsize=CACHE_SIZE),
            lambda: AddValidationRules(_RULES),
            *extra,
        ],
    )


schema = build_schema()


def sdl() -> str:
    return schema.as_str() + "\n"
