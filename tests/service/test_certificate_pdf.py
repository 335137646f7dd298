"""`GET`/`POST /certificate.pdf` on the real app and socket: the printable certificate by number
and holder's name, under the look-up's rules: a wrong name answers exactly as an unknown number,
a mistyped number is refused with its code before any read, a revoked certificate is not
printed, every answer is no-store, and the download spends the same personal allowance as
`/graphql`."""

from __future__ import annotations

import dataclasses

import httpx
import pytest
import pytest_asyncio

from registry.certificates import numbers, revocation
from registry.settings import Settings
from registry.storage.db import Database
from tests.conftest import serving_with
from tests.factories import (
    OFFICE,
    certificates_of_a_new_institution,
)
from tests.pdf import is_pdf, pdf_text

VARYING = {"date", "x-request-id"}


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def made(db: Database, settings: Settings) -> list[tuple[str, str, str]]:
    return await certificates_of_a_new_institution(
        db, settings, 1603, ["阿卜杜拉·买买提", "John Smith", "李四"]
    )


def _form(number: str, name: str) -> dict[str, str]:
    return {"number": number, "holderName": name}


async def test_post_and_get_answer_the_pdf_without_caching(
    http: httpx.AsyncClient, made: list[tuple[str, str, str]]
) -> None:
    number, name, id_number = made[0]
    posted = await http.post("/certificate.pdf", data=_form(number, "阿卜杜拉•买买提"))
    got = await http.get("/certificate.pdf", params=_form(number, name))
    for response in (posted, got):
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/pdf"
        assert response.headers["cache-control"] == "no-store"
        assert (
            response.headers["content-disposition"]
            == f'attachment; filename="certificate-{number}.pdf"'
        )
        assert is_pdf(response.content)
        text = pdf_text(response.content)
        assert name in text and number in text and id_number not in text


async def test_a_wrong_name_answers_exactly_as_an_unknown_number(
    http: httpx.AsyncClient, made: list[tuple[str, str, str]]
) -> None:
    number, name, _ = made[1]
    unknown = str(dataclasses.replace(numbers.parse(number), serial=999_999))
    wrong = await http.post("/certificate.pdf", data=_form(number, "John Smyth"))
    absent = await http.post("/certificate.pdf", data=_form(unknown, name))
    assert wrong.status_code == absent.status_code == 404
    assert wrong.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert wrong.content == absent.content

    def headers(r: httpx.Response) -> dict[str, str]:
        return {k: v for k, v in r.headers.items() if k not in VARYING}

    assert headers(wrong) == headers(absent)
    assert wrong.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("form", "status", "code"),
    [
        ({"holderName": "李四"}, 400, "BAD_REQUEST"),
        ({"number": "Z350001261010000015"}, 400, "BAD_REQUEST"),
        ({"number": "Z350001261010000014", "holderName": "李四"}, 400, "CERTIFICATE_NUMBER_CHECK"),
        ({"number": "Z35", "holderName": "李四"}, 400, "INVALID_CERTIFICATE_NUMBER"),
    ],
)
async def test_a_client_mistake_is_named_with_its_code(
    http: httpx.AsyncClient, form: dict[str, str], status: int, code: str
) -> None:
    for response in (
        await http.post("/certificate.pdf", data=form),
        await http.get("/certificate.pdf", params=form),
    ):
        assert response.status_code == status
        assert response.json()["errors"][0]["extensions"]["code"] == code
        assert response.headers["cache-control"] == "no-store"


async def test_a_form_must_be_form_encoded_and_small(
    http: httpx.AsyncClient, made: list[tuple[str, str, str]]
) -> None:
    as_json = await http.post("/certificate.pdf", json=_form(made[0][0], made[0][1]))
    assert as_json.status_code == 415
    assert as_json.json()["errors"][0]["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    huge = await http.post("/certificate.pdf", data={"number": "Z", "holderName": "名" * 5000})
    assert huge.status_code == 413
    assert huge.json()["errors"][0]["extensions"]["code"] == "BODY_TOO_LARGE"


async def test_head_is_refused_without_rendering_or_spending(
    http: httpx.AsyncClient, made: list[tuple[str, str, str]]
) -> None:
    # A HEAD would cost a personal look-up and a rendered PDF to say only its length.
    number, name, _ = made[0]
    response = await http.head("/certificate.pdf", params=_form(number, name))
    assert response.status_code == 405 and response.content == b""
    assert response.headers["allow"] == "GET, POST"
    assert response.headers["cache-control"] == "no-store"
    assert "x-ratelimit-remaining" not in response.headers


async def test_a_form_that_is_not_utf8_is_a_400(http: httpx.AsyncClient) -> None:
    for body in (b"number=Z&holderName=%ED%A0%80", b"number=Z&holderName=%FF", b"holderName=\xff"):
        response = await http.post(
            "/certificate.pdf",
            content=body,
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_a_revoked_certificate_is_not_printed(
    http: httpx.AsyncClient, db: Database, made: list[tuple[str, str, str]]
) -> None:
    number, name, _ = made[2]
    await revocation.revoke(db, OFFICE, number, "测试：撤销")
    response = await http.post("/certificate.pdf", data=_form(number, name))
    assert response.status_code == 409
    assert response.json()["errors"][0]["extensions"]["code"] == "CERTIFICATE_REVOKED"


async def test_downloads_spend_the_personal_allowance_of_the_api(
    db: Database, settings: Settings, made: list[tuple[str, str, str]]
) -> None:
    number, name, _ = made[0]
    query = (
        "query ($n: String!, $h: String!) { certificate(number: $n, holderName: $h) { number } }"
    )
    variables = {"n": number, "h": name}
    async with (
        serving_with(db, settings, personal_lookups=2) as url,
        httpx.AsyncClient(base_url=url, timeout=30) as client,
    ):
        assert (await client.post("/certificate.pdf", data=_form(number, name))).status_code == 200
        graphql = await client.post("/graphql", json={"query": query, "variables": variables})
        assert graphql.status_code == 200 and graphql.json()["data"]["certificate"]
        # Two look-ups spent, one by each door: a third by either is refused.
        refused = await client.post("/certificate.pdf", data=_form(number, name))
        assert refused.status_code == 429
        assert refused.json()["errors"][0]["extensions"]["code"] == "THROTTLED"
        assert int(refused.headers["retry-after"]) >= 1
        again = await client.post("/graphql", json={"query": query, "variables": variables})
        assert again.status_code == 429
