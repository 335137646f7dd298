"""The GraphQL endpoint: strawberry's ASGI app with the registry's request context."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from resolvers.context import Context
from schema.build import schema
from schema.errors import with_code


class RegistryGraphQL(GraphQL[Context, None]):
    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None
    ) -> Context:
        state: Any = request.app.state
        return Context(
            db=state.db,
            settings=state.settings,
            request_id=request.scope.get("state", {}).get("request_id", ""),
            master_key=state.master_key,
            personal=state.personal,
            request=request,
            response=response,
        )

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response = await super().process_result(request, result)
        if result.errors:
            response["errors"] = [with_code(error) for error in result.errors]
        return response


def graphql_app() -> RegistryGraphQL:
    return RegistryGraphQL(schema, graphql_ide="graphiql", allow_queries_via_get=True)
