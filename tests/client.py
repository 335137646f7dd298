"""Calling the running service's GraphQL endpoint from a test."""

from __future__ import annotations

from typing import Any

import httpx

# The operators' token of the test servers (`live_server`): `/metrics` answers only to it.
METRICS_TOKEN = "metrics-token-of-the-tests-0123456789abcdef"


async def metrics(http: httpx.AsyncClient) -> str:
    """The `/metrics` text, as an operator (Prometheus) reads it."""
    response = await http.get("/metrics", headers={"authorization": f"Bearer {METRICS_TOKEN}"})
    assert response.status_code == 200, response.text
    return response.text


async def post(
    http: httpx.AsyncClient, token: str | None, query: str, **variables: Any
) -> dict[str, Any]:
    """The whole response body of a query, errors included, as `token`'s bearer."""
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    body: dict[str, Any] = response.json()
    return body


async def gql(
    http: httpx.AsyncClient, token: str | None, query: str, **variables: Any
) -> dict[str, Any]:
    """The `data` of a query that must succeed (HTTP 200, no errors), as `token`'s bearer."""
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data
