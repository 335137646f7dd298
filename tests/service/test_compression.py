"""Static assets are sent gzip-compressed to a client that accepts it (issue 16, open edge 2):
GraphiQL's page and assets, the verifier page and its worker, the pages' style sheet and the
schema, over real HTTP from the real app. The compressed body is smaller and decompresses to the
very bytes sent uncompressed; ETag, caching headers and conditional GETs are those of the plain
body; `Vary: Accept-Encoding` tells caches the two apart."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from hypothesis import given
from hypothesis import strategies as st

from registry.catalogue import reference_data as catalogue
from registry.storage.db import Database
from service.compression import accepts_gzip
from service.portal_routes import DIR_ENV
from service.verifier_routes import PAGE_DIR_ENV

# Text that compresses as a real bundle does (repetitive identifiers), large enough to matter.
SCRIPT = b"".join(b"function f%d(a){return a.map(x=>x+%d)}\n" % (i, i) for i in range(4000))
ASSET = "graphiql-0123456789abcdef.js"


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A GraphiQL build and a verifier page build on disk, as their build scripts leave them."""
    graphiql = tmp_path_factory.mktemp("graphiql")
    (graphiql / "index.html").write_bytes(b"<!doctype html><title>GraphiQL</title>" * 200)
    (graphiql / ASSET).write_bytes(SCRIPT)
    verifier = tmp_path_factory.mktemp("verifier")
    (verifier / "index.html").write_bytes(b"<!doctype html><script>" + SCRIPT + b"</script>")
    (verifier / "sw.js").write_bytes(SCRIPT[:20000])
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(DIR_ENV, str(graphiql))
        patch.setenv(PAGE_DIR_ENV, str(verifier))
        yield


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def client(live_server: str, builds: None, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    await catalogue.seed_reference(db)
    async with httpx.AsyncClient(base_url=live_server, timeout=60) as http:
        yield http


STATIC = [
    ("/graphql", {"accept": "text/html"}),
    (f"/graphiql/{ASSET}", {}),
    ("/verify", {}),
    ("/verify/sw.js", {}),
    ("/pages.css", {}),
    ("/schema.graphql", {}),
]


async def raw(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> httpx.Response:
    """The response with its body as sent on the wire (httpx would decode it)."""
    async with client.stream("GET", path, headers=headers) as response:
        response._content = b"".join([part async for part in response.aiter_raw()])
    return response


@pytest.mark.parametrize(("path", "headers"), STATIC, ids=[p for p, _ in STATIC])
async def test_gzip_is_smaller_and_decompresses_to_the_same_bytes(
    client: httpx.AsyncClient, path: str, headers: dict[str, str]
) -> None:
    plain = await raw(client, path, {**headers, "accept-encoding": "identity"})
    assert plain.status_code == 200, path
    assert "content-encoding" not in plain.headers
    zipped = await raw(client, path, {**headers, "accept-encoding": "gzip, deflate, br"})
    assert zipped.status_code == 200
    assert zipped.headers["content-encoding"] == "gzip"
    assert len(zipped.content) < len(plain.content)
    assert gzip.decompress(zipped.content) == plain.content
    assert int(zipped.headers["content-length"]) == len(zipped.content)
    # The same representation, named by the same tag and cached for as long.
    for name in ("etag", "cache-control", "content-type"):
        assert zipped.headers[name] == plain.headers[name], name
    for response in (plain, zipped):
        assert "accept-encoding" in response.headers["vary"].lower()
    again = await raw(client, path, {**headers, "if-none-match": zipped.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


async def test_a_client_that_refuses_gzip_gets_the_plain_body(
    client: httpx.AsyncClient,
) -> None:
    for refusal in ("gzip;q=0", "identity", "br", "*;q=0", ""):
        response = await raw(client, "/pages.css", {"accept-encoding": refusal})
        assert "content-encoding" not in response.headers, refusal


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ("gzip", True),
        ("GZIP", True),
        ("deflate, gzip;q=1.0, *;q=0.5", True),
        ("x-gzip", True),
        ("*", True),
        ("br;q=1, *;q=0.1", True),
        ("gzip;q=0", False),
        ("gzip; q=0.000", False),
        ("*;q=0", False),
        ("*, gzip;q=0", False),
        ("identity", False),
        ("gzipx", False),
        ("", False),
        ("gzip;q=nonsense", False),
    ],
)
def test_accept_encoding_is_read_as_rfc_9110_says(header: str, accepted: bool) -> None:
    assert accepts_gzip(header) is accepted


@given(st.text(max_size=200))
def test_any_header_is_read_without_error(header: str) -> None:
    assert accepts_gzip(header) in (True, False)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["br", "deflate", "identity", "zstd", "compress"]),
            st.sampled_from(["", ";q=0", ";q=0.5", ";q=1"]),
        ),
        max_size=5,
    )
)
def test_gzip_is_only_chosen_when_named_or_starred(codings: list[tuple[str, str]]) -> None:
    header = ", ".join(name + q for name, q in codings)
    assert accepts_gzip(header) is False
    assert accepts_gzip(header + ", gzip") is True
    assert accepts_gzip(header + ", gzip;q=0") is False
    assert accepts_gzip(f"{header}, *;q=0.2".lstrip(", ")) is True


def test_the_module_is_the_one_place(tmp_path: Path) -> None:
    # Every static route compresses through service/compression.py: no route gzips by hand.
    service = Path(__file__).resolve().parents[2] / "service"
    by_hand = [
        p.name
        for p in service.rglob("*.py")
        if "gzip.compress(" in p.read_text(encoding="utf-8")
        and p.name not in {"compression.py", "log_routes.py"}
    ]
    assert by_hand == []


async def test_answers_that_may_be_personal_are_never_compressed(
    client: httpx.AsyncClient,
) -> None:
    # Compression beside text the client chose is a length oracle (BREACH): only the static,
    # public files above are compressed, never GraphQL's answers or the look-up pages.
    query = "{ occupations(first: 50) { nodes { code name codes { edition code } } } }"
    async with client.stream(
        "POST", "/graphql", json={"query": query}, headers={"accept-encoding": "gzip"}
    ) as response:
        # Large enough that any compressing layer would have compressed it.
        assert len(await response.aread()) > 1024
        answers = [response]
    async with client.stream(
        "POST",
        "/lookup/number",
        data={"number": "Z350001251010000016", "name": "张三"},
        headers={"accept-encoding": "gzip"},
    ) as response:
        answers.append(response)
    for response in answers:
        assert response.status_code < 500
        assert "content-encoding" not in response.headers, response.url
