"""Execution of an already parsed query, without strawberry's per-request machinery.

The HTTP endpoint parses each query text once (it needs the document for limits and cost).
strawberry's `Schema.execute` would parse it again, hash the whole document to look up its
validation cache, and build a set of extension hooks for every request: about 40 % of a cached
certificate look-up (docs/benchmarks.md). Here a query text is validated once, with exactly the
rules the schema's extensions add (`schema.build.validation_rules`), and executed by graphql-core
with strawberry's own execution context class; errors are masked as `ErrorMasking` masks them.
`Schema.execute` stays as it was for every other caller.

The outcome says whether the operation was executed: a request error (validation, no operation
to run, a variable that cannot be coerced) stops it before, and GraphQL over HTTP answers those
without `data` and with a 4xx status.
"""

from __future__ import annotations

import inspect
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import DocumentNode, ExecutionResult, GraphQLError, execute, validate
from strawberry.execution.is_awaitable import optimized_is_awaitable

from schema.build import CACHE_SIZE, validation_rules
from schema.errors import mask, request_error, validation_error


@dataclass(frozen=True)
class Outcome:
    """`result`, and whether execution started (False: `result.errors` are request errors)."""

    result: ExecutionResult
    executed: bool


class Executor:
    def __init__(self, schema: strawberry.Schema, *, introspection: bool) -> None:
        self._schema = schema._schema
        self._executor_class = schema.execution_context_class
        self._rules = validation_rules(introspection=introspection)
        # By query text (the endpoint's parse cache hands out one document per text).
        self._validated: OrderedDict[str, list[GraphQLError]] = OrderedDict()
        self.validations = 0  # texts validated (cache misses), for tests and curiosity

    def validate(self, query: str, document: DocumentNode) -> list[GraphQLError]:
        errors = self._validated.get(query)
        if errors is None:
            errors = validate(self._schema, document, self._rules)
            self.validations += 1
            self._validated[query] = errors
            if len(self._validated) > CACHE_SIZE:
                self._validated.popitem(last=False)
        else:
            self._validated.move_to_end(query)
        return errors

    async def execute(
        self,
        query: str,
        document: DocumentNode,
        variables: dict[str, Any] | None,
        context: Any,
        operation_name: str | None,
    ) -> Outcome:
        """Validate (once per text), then execute; every error presented for the client."""
        request_id = getattr(context, "request_id", None)
        errors = self.validate(query, document)
        if errors:
            shown = [validation_error(e, request_id) for e in errors]
            return Outcome(ExecutionResult(data=None, errors=shown), executed=False)
        result = execute(
            self._schema,
            document,
            variable_values=variables,
            context_value=context,
            operation_name=operation_name,
            is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]
            executor_class=self._executor_class,
        )
        if inspect.isawaitable(result):
            result = await result
        assert isinstance(result, ExecutionResult)
        if result.data is None and result.errors and not any(e.path for e in result.errors):
            # Only GetOperation() and CoerceVariableValues() fail without a field's path: the
            # operation never started.
            shown = [request_error(e, request_id) for e in result.errors]
            return Outcome(ExecutionResult(data=None, errors=shown), executed=False)
        if result.errors:
            result.errors = mask(result.errors, request_id)
        return Outcome(result, executed=True)
