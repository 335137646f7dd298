"""Text a client sends that is not valid Unicode (a lone UTF-16 surrogate from a JSON `\\ud800`
escape, or bytes that are not UTF-8) is refused where the service parses the request: 400
`BAD_REQUEST`, never a 500 or an `INTERNAL_SERVER_ERROR` from deep inside (issue 15).

Over real HTTP: `/graphql` by POST (the query, a variable, an extension, a key, the APQ hash's
query) and by GET (the `variables` and `extensions` parameters), the witness's
`/log/cosignature`; and the one rule itself (`service.client_text`), by property."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.catalogue import reference_data as catalogue
from registry.storage.db import Database
from service.client_text import form_fields, unicode_json, unicode_text
from service.graphql_params import from_body, from_query_string
from service.http_problem import HttpProblem

LONE = "\ud800"
APQ_HASH = "a" * 64
# A query that reaches the database with its variable (before the edge refused it, the string
# failed in the driver's BSON encoding: INTERNAL_SERVER_ERROR).
REACHES_DB = "query ($u: String!) { institution(uscc: $u) { name } }"


@pytest.fixture(scope="module", autouse=True)
async def seeded(db: Database) -> None:
    await catalogue.seed_reference(db)


def _raw(body: Any) -> bytes:
    """`body` as JSON bytes with `\\uXXXX` escapes (how a client writes a lone surrogate)."""
    return json.dumps(body, ensure_ascii=True).encode("ascii")


def _refused(response: httpx.Response) -> None:
    assert response.status_code == 400, response.text
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert "not valid Unicode" in error["message"]
    assert error["extensions"]["requestId"] == response.headers["x-request-id"]
    assert "data" not in response.json()


BODIES: dict[str, Any] = {
    "a variable that reaches the database": {"query": REACHES_DB, "variables": {"u": LONE}},
    "an unused variable": {"query": "{ __typename }", "variables": {"x": ["ok", {"y": LONE}]}},
    "a key of the variables": {"query": "{ __typename }", "variables": {LONE: 1}},
    "the query of an APQ": {
        "query": "{__typename}" + LONE,
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": APQ_HASH}},
    },
    "the query": {"query": '{ institution(uscc: "' + LONE + '") { name } }'},
    "an extension": {"query": "{ __typename }", "extensions": {"trace": LONE}},
    "the operation name": {"query": "query A { __typename }", "operationName": "A" + LONE},
}


@pytest.mark.parametrize("name", sorted(BODIES))
async def test_a_lone_surrogate_in_a_post_body_is_a_400(http: httpx.AsyncClient, name: str) -> None:
    headers = {"content-type": "application/json"}
    _refused(await http.post("/graphql", content=_raw(BODIES[name]), headers=headers))


async def test_surrogate_bytes_in_a_post_body_are_a_400(http: httpx.AsyncClient) -> None:
    # Python's JSON reader decodes bytes with `surrogatepass`: an encoded surrogate (ED A0 80)
    # comes through as U+D800 unless refused.
    body = b'{"query": "{ __typename }", "variables": {"x": "\xed\xa0\x80"}}'
    headers = {"content-type": "application/json"}
    _refused(await http.post("/graphql", content=body, headers=headers))


@pytest.mark.parametrize("parameter", ["variables", "extensions"])
async def test_a_lone_surrogate_in_a_get_parameter_is_a_400(
    http: httpx.AsyncClient, parameter: str
) -> None:
    params = {"query": "{ __typename }", parameter: json.dumps({"x": LONE})}
    _refused(await http.get("/graphql", params=params))


async def test_an_encoded_surrogate_in_a_get_query_is_no_500(http: httpx.AsyncClient) -> None:
    # Percent-decoding replaces bytes that are not UTF-8 (U+FFFD): the text is valid Unicode
    # and the document simply does not parse.
    response = await http.get("/graphql?query=%7B__typename%7D%ED%A0%80")
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


async def test_a_note_that_is_not_unicode_is_a_400(http: httpx.AsyncClient) -> None:
    note = b"example.org/log\n1\nAAAA\xed\xa0\x80\n\n\xe2\x80\x94 w AAAA\n"
    response = await http.post("/log/cosignature", content=note)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "BAD_REQUEST"
    assert "not valid Unicode" in response.json()["error"]["message"]


# --- the rule, by property -------------------------------------------------------------------

surrogates = st.characters(categories=["Cs"])  # U+D800..U+DFFF, each one alone in a str
texts = st.text()  # hypothesis leaves out surrogates: every one of these is valid Unicode
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=20,
)


def _spoilt(text: str, at: int, lone: str) -> str:
    at = at % (len(text) + 1)
    return text[:at] + lone + text[at:]


@given(text=texts)
def test_valid_text_passes_unchanged(text: str) -> None:
    assert unicode_text(text, "x") == text
    assert unicode_text(text.encode("utf-8"), "x") == text


@given(text=texts, at=st.integers(0, 1000), lone=surrogates)
def test_a_lone_surrogate_anywhere_is_refused(text: str, at: int, lone: str) -> None:
    spoilt = _spoilt(text, at, lone)
    for value in (spoilt, spoilt.encode("utf-8", "surrogatepass")):
        with pytest.raises(HttpProblem) as refused:
            unicode_text(value, "the thing")
        assert (refused.value.status, refused.value.code) == (400, "BAD_REQUEST")
        assert refused.value.message.startswith("the thing holds text that is not valid Unicode")


@given(value=json_values)
def test_valid_json_passes_the_edge(value: Any) -> None:
    unicode_json(value, "x")
    body = from_body(json.dumps({"query": "{ a }", "variables": {"v": value}}).encode())
    assert body.variables == {"v": value}


@given(value=json_values, data=st.data())
def test_a_lone_surrogate_anywhere_in_json_is_a_400(value: Any, data: st.DataObject) -> None:
    # Put one lone surrogate into a string or a key at a random place of the value.
    lone = data.draw(surrogates)
    node = {"v": value}
    container: Any = node
    key: Any = "v"
    while isinstance(container[key], (list, dict)) and container[key] and data.draw(st.booleans()):
        container = container[key]
        key = data.draw(
            st.sampled_from(
                sorted(container) if isinstance(container, dict) else range(len(container))
            )
        )
    if isinstance(container, dict) and data.draw(st.booleans()):
        container[_spoilt(key, 0, lone)] = container.pop(key)
    else:
        container[key] = _spoilt(container[key] if isinstance(container[key], str) else "", 0, lone)
    body = {"query": "{ a }", "variables": node}
    # Written as an escape, as the bytes of one, and in UTF-16 (the JSON reader takes all
    # three; the body's pre-check must see each, or its value would go unwalked).
    for raw in (
        json.dumps(body).encode("ascii"),
        json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass"),
        json.dumps(body).encode("utf-16"),
    ):
        with pytest.raises(HttpProblem) as refused:
            from_body(raw)
        assert (refused.value.status, refused.value.code) == (400, "BAD_REQUEST")
    with pytest.raises(HttpProblem) as over_get:
        from_query_string({"query": "{ a }", "variables": json.dumps(node)})
    assert (over_get.value.status, over_get.value.code) == (400, "BAD_REQUEST")


@given(fields=st.dictionaries(texts, texts, max_size=5))
def test_a_form_of_valid_text_reads_back(fields: dict[str, str]) -> None:
    from urllib.parse import urlencode

    assert form_fields(urlencode(fields).encode("ascii")) == fields


@given(escape=st.sampled_from(["%ED%A0%80", "%FF", "%C3", "%80", "%F4%90%80%80"]), at=st.booleans())
def test_a_form_that_escapes_no_utf8_is_refused(escape: str, at: bool) -> None:
    body = f"name={escape}&x=1" if at else f"x=1&n{escape}=v"
    with pytest.raises(HttpProblem) as refused:
        form_fields(body.encode("ascii"))
    assert (refused.value.status, refused.value.code) == (400, "BAD_REQUEST")
