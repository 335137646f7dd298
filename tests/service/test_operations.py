"""Health, readiness, metrics and structured logs over real HTTP."""

from __future__ import annotations

import json
import logging

import httpx
import pytest

from service.logs import JsonFormatter, request_id_var
from tests.client import metrics


async def test_healthz_and_readyz(http: httpx.AsyncClient) -> None:
    assert (await http.get("/healthz")).json() == {"status": "ok"}
    ready = await http.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready"}


async def test_request_id_is_returned_and_client_ids_are_kept_when_sane(
    http: httpx.AsyncClient,
) -> None:
    generated = (await http.get("/healthz")).headers["x-request-id"]
    assert len(generated) == 32
    kept = await http.get("/healthz", headers={"x-request-id": "client-abc-12345"})
    assert kept.headers["x-request-id"] == "client-abc-12345"
    replaced = await http.get("/healthz", headers={"x-request-id": "bad id\twith spaces"})
    assert replaced.headers["x-request-id"] != "bad id\twith spaces"


async def test_metrics_count_requests_by_route_template(http: httpx.AsyncClient) -> None:
    await http.post("/graphql", json={"query": "{ fields { code } }"})
    await http.get("/no/such/path/12345")
    text = await metrics(http)
    assert 'registry_http_requests_total{method="POST",route="/graphql",status="200"}' in text
    assert "registry_http_request_duration_seconds_bucket" in text
    assert "/no/such/path/12345" not in text  # unknown paths collapse into one label
    assert 'route="other"' in text


def test_log_lines_are_json_with_request_id() -> None:
    record = logging.makeLogRecord(
        {"name": "t", "levelname": "INFO", "msg": "hello %s", "args": ("world",), "status": 200}
    )
    token = request_id_var.set("rid-123")
    try:
        line = JsonFormatter().format(record)
    finally:
        request_id_var.reset(token)
    entry = json.loads(line)
    assert entry["message"] == "hello world"
    assert entry["request_id"] == "rid-123"
    assert entry["status"] == 200
    assert entry["time"].endswith("Z")


async def test_access_log_has_no_query_string(
    http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    # A GET query may carry an ID number in its variables: the access line names the route only.
    caplog.set_level(logging.INFO, logger="registry.access")
    await http.get("/graphql", params={"query": "{ fields { code } }", "variables": "{}"})
    lines = [r.getMessage() for r in caplog.records if r.name == "registry.access"]
    assert lines and all("?" not in line and "fields" not in line for line in lines)


async def test_internal_errors_are_masked(http: httpx.AsyncClient, db) -> None:  # type: ignore[no-untyped-def]
    # A malformed document in the catalogue makes the resolver fail unexpectedly.
    await db.fields.insert_one({"_id": "99", "name": "broken"})
    try:
        body = (await http.post("/graphql", json={"query": "{ fields { code } }"})).json()
    finally:
        await db.fields.delete_one({"_id": "99"})
    error = body["errors"][0]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert error["extensions"]["requestId"]
    assert "KeyError" not in json.dumps(body) and "name_en" not in json.dumps(body)
