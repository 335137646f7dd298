"""Client mistakes on the pages (issue 15). A page's form whose text is not valid Unicode (bytes that are not UTF-8, an encoded UTF-16
surrogate) is refused as 400 `BAD_REQUEST` by the one form reader, not read with U+FFFD in
place of what was sent; and an objection with a lone surrogate, by the form or by GraphQL,
never reaches the database (it failed there: INTERNAL_SERVER_ERROR). A year of more digits
than `int()` reads is the page's `INVALID_YEAR`, not a 500."""

from __future__ import annotations

import json
import random

import httpx
import pytest

from tests.factories import make_id_number

from .data import PagesData

NOT_UTF8 = ["%ED%A0%80", "%FF", "%C3", "\udcff"]
FORM = {"content-type": "application/x-www-form-urlencoded"}
LODGE = "mutation($u:String!,$t:String!){lodgeObjection(uscc:$u,text:$t){userErrors{code}}}"


def _form(**fields: str) -> bytes:
    """A form body whose values are written as given (percent escapes kept), raw bytes for the
    `\\udcXX` escapes of `surrogateescape`."""
    text = "&".join(f"{k}={v}" for k, v in fields.items())
    return text.encode("utf-8", "surrogateescape")


@pytest.mark.parametrize("bad", NOT_UTF8)
async def test_a_form_that_is_not_unicode_is_a_400(
    web: httpx.AsyncClient, data: PagesData, bad: str
) -> None:
    for path, body in (
        ("/lookup/number", _form(number=data.number, name=bad)),
        (f"/institutions/{data.publicity}/objection", _form(text="包过" + bad)),
    ):
        response = await web.post(path, content=body, headers=FORM)
        assert response.status_code == 400, (path, response.status_code)
        assert 'data-code="BAD_REQUEST"' in response.text


async def test_an_objection_with_a_lone_surrogate_is_refused_at_the_edge(
    web: httpx.AsyncClient, data: PagesData
) -> None:
    body = {"query": LODGE, "variables": {"u": data.publicity, "t": "包过\ud800"}}
    response = await web.post(
        "/graphql",
        content=json.dumps(body).encode("ascii"),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


@pytest.mark.parametrize("year", ["2" * 5000, "２０２５", "²⁰²⁵", "02025"])
async def test_a_year_that_is_no_year_is_a_400(
    web: httpx.AsyncClient, data: PagesData, year: str
) -> None:
    response = await web.get(f"/institutions/{data.listed}", params={"year": year})
    assert response.status_code == 400
    assert 'data-code="INVALID_YEAR"' in response.text


async def test_an_objection_holding_an_id_number_is_refused_and_not_written_back(
    web: httpx.AsyncClient, data: PagesData
) -> None:
    """Found by the review of the outside attack's fixes: the refused objection's text came back
    in the form, the ID number with it."""
    number = make_id_number(random.Random(4242))
    for written in (number, " ".join((number[:6], number[6:14], number[14:]))):
        response = await web.post(
            f"/institutions/{data.publicity}/objection", data={"text": f"包过 身份证{written}"}
        )
        assert response.status_code == 400
        assert "ID_NUMBER_OUT_OF_PLACE" in response.text
        assert number[:14] not in response.text.replace(" ", "")


async def test_a_page_never_shows_an_id_number_typed_into_its_address(
    web: httpx.AsyncClient,
) -> None:
    """The outside attack's last finding: `/institutions/<ID>` and `?occupation=<ID>` wrote the
    number back, in the page's message and in its link to the other language."""
    number = make_id_number(random.Random(4343))
    for path in (f"/institutions/{number}", f"/institutions?occupation={number}"):
        response = await web.get(path, headers={"accept": "text/html"})
        assert response.status_code in (200, 400, 404), (path, response.status_code)
        assert number not in response.text, path
