"""The public pages over HTTP: every page answers, in both languages; the look-up is a client of
the domain (the same answers, the same personal allowance as `/graphql`, no-store, an unknown
number and a wrong name alike, the ID number never written back); the objection form calls the
domain; client mistakes are 4xx pages with their codes; nothing is loaded from another host."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx
import pytest

from registry.storage.db import Database
from service.pages import i18n
from tests.client import gql
from tests.conftest import serving_with
from tests.factories import GENERATED_ID_NUMBERS
from tests.privacy import CAPTURED_BODIES, CAPTURED_LOG_LINES, leaks

from .data import PagesData

LOOKUP = "query($n:String!,$h:String!){certificate(number:$n,holderName:$h){number}}"
FORM = {"content-type": "application/x-www-form-urlencoded"}


def public_paths(data: PagesData) -> list[str]:
    """Every GET page, with the filters and a paged list."""
    return [
        "/",
        "/lookup",
        "/institutions",
        "/institutions?kind=TRAINING",
        "/institutions?kind=EVALUATION&level=2&listed_on=2026-01-05&province=11",
        "/institutions?in_publicity=1",
        f"/institutions/{data.listed}",
        f"/institutions/{data.publicity}",
        f"/institutions/{data.obliged}",
        "/occupations",
        "/standards",
        "/campaigns",
        f"/campaigns/{data.campaign}",
        "/stats",
    ]


class Links(HTMLParser):
    """Every URL a page names: href, src, action, srcset, and url(...) in style."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and name in ("href", "src", "action", "srcset", "formaction", "poster"):
                self.urls.append(value)


def external(html: str) -> list[str]:
    """URLs that would make the browser contact another host (scheme-relative included)."""
    parser = Links()
    parser.feed(html)
    urls = (
        parser.urls + re.findall(r"url\(([^)]*)\)", html) + re.findall(r"@import\s+([^;]+)", html)
    )
    return [u for u in urls if re.match(r"^\s*['\"]?(https?:|//|ftp:|ws:|wss:)", u)]


async def test_every_page_answers_in_both_languages(
    web: httpx.AsyncClient, data: PagesData
) -> None:
    for path in public_paths(data):
        for lang in ("zh", "en"):
            url = (
                path
                if lang == "zh" or path == "/stats"
                else path + ("&" if "?" in path else "?") + "lang=en"
            )
            response = await web.get(url)
            assert response.status_code == 200, (url, response.text[:300])
            assert response.headers["content-type"].startswith("text/html")
            if path != "/stats":
                assert f'<html lang="{i18n.TAGS[lang]}">' in response.text, url
                assert response.headers["content-language"] == i18n.TAGS[lang]


async def test_home_links_to_everything(web: httpx.AsyncClient) -> None:
    html = (await web.get("/")).text
    for target in (
        "/lookup",
        "/institutions?kind=TRAINING",
        "/institutions?kind=EVALUATION",
        "/institutions?in_publicity=1",
        "/occupations",
        "/standards",
        "/campaigns",
        "/stats",
        "/verify",
        "/graphql",
    ):
        assert f'href="{target}"' in html.replace("&amp;", "&"), target


async def test_english_is_one_link_away_and_stays(web: httpx.AsyncClient) -> None:
    zh = (await web.get("/institutions?kind=TRAINING")).text
    switch = re.search(r'<a class="lang" href="([^"]+)"', zh)
    assert switch is not None
    en = (await web.get(switch.group(1).replace("&amp;", "&"))).text
    assert '<html lang="en">' in en and "Training institutions" in en
    # Every link and form of the English page keeps English.
    links = r'<a (?!class="lang")[^>]*href="(/(?:lookup|institutions|occupations|standards|campaigns)[^"]*)"'
    for link in re.findall(links, en):
        assert "lang=en" in link, link
    assert 'name="lang" value="en"' in en


def test_both_catalogues_have_the_same_keys() -> None:
    zh, en = i18n.load("zh"), i18n.load("en")
    assert set(zh) == set(en), set(zh) ^ set(en)
    for key in zh:  # the same placeholders, so a translation cannot break a page
        assert set(re.findall(r"{(\w+)}", zh[key])) == set(re.findall(r"{(\w+)}", en[key])), key


async def test_no_page_loads_anything_from_another_host(
    web: httpx.AsyncClient, data: PagesData
) -> None:
    answers = [await web.get(p) for p in public_paths(data)]
    assert [a.status_code for a in answers] == [200] * len(answers)
    pages = [a.text for a in answers]
    pages.append(
        (await web.post("/lookup/number", data={"number": data.number, "name": data.name})).text
    )
    pages.append(
        (await web.post("/lookup/holder", data={"id_number": data.card, "name": data.name})).text
    )
    pages.append((await web.get("/pages.css")).text)
    for html in pages:
        assert external(html) == []
    # The rule the browser enforces as well: the pages' CSP names no other host.
    csp = (await web.get("/")).headers["content-security-policy"]
    assert "http" not in csp and "default-src 'none'" in csp


def test_the_external_url_finder_finds_them() -> None:
    html = (
        '<link href="https://cdn.example/x.css"><img src="//cdn.example/i.png">'
        '<form action="http://x.example/"></form><div style="background:url(https://a.b/c)">'
    )
    assert len(external(html)) == 4
    assert external('<a href="/lookup?lang=en"><img src="data:image/png;base64,AA">') == []


async def test_lookup_by_number_shows_the_certificate(
    web: httpx.AsyncClient, data: PagesData
) -> None:
    response = await web.post("/lookup/number", data={"number": data.number, "name": data.name})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    html = response.text
    assert f'data-number="{data.number}"' in html and 'data-status="VALID"' in html
    assert 'src="data:image/png;base64,' in html  # the QR, inline
    assert f'download="certificate-{data.number}.json"' in html
    # The same answer as the API's, through the same resolver.
    query = (
        "query($n:String!,$h:String!){certificate(number:$n,holderName:$h)"
        "{occupation{code name} issuerUscc}}"
    )
    cert = (await gql(web, None, query, n=data.number, h=data.name))["certificate"]
    assert cert["occupation"]["name"] in html and cert["issuerUscc"] in html
    issuer = await gql(
        web, None, "query($u:String!){institution(uscc:$u){name}}", u=cert["issuerUscc"]
    )
    assert issuer["institution"]["name"] in html  # the issuer's name, from the directory


async def test_revoked_certificate_says_so(web: httpx.AsyncClient, data: PagesData) -> None:
    html = (
        await web.post("/lookup/number", data={"number": data.revoked, "name": data.revoked_name})
    ).text
    assert 'data-status="REVOKED"' in html


async def test_unknown_number_and_wrong_name_answer_the_same_page(
    web: httpx.AsyncClient, data: PagesData
) -> None:
    wrong_name = await web.post("/lookup/number", data={"number": data.number, "name": "不是他"})
    other = await web.post("/lookup/number", data={"number": data.revoked, "name": "不是他"})
    assert wrong_name.status_code == other.status_code == 200
    assert wrong_name.text == other.text
    assert 'data-result="none"' in wrong_name.text
    assert wrong_name.headers["cache-control"] == "no-store"
    # The same headers too (promise 6): no server timing that a cache hit would shorten.
    skip = {"date", "x-request-id"}
    assert {k: v for k, v in wrong_name.headers.items() if k not in skip} == {
        k: v for k, v in other.headers.items() if k not in skip
    }
    assert "server-timing" not in wrong_name.headers


async def test_lookup_by_id_number_never_shows_it(web: httpx.AsyncClient, data: PagesData) -> None:
    found = await web.post("/lookup/holder", data={"id_number": data.card, "name": data.name})
    assert found.status_code == 200 and found.headers["cache-control"] == "no-store"
    assert f'data-number="{data.number}"' in found.text
    assert data.card not in found.text and data.card[:17] not in found.text
    # Refused for another field: the form comes back, the ID number not in it.
    refused = await web.post("/lookup/holder", data={"id_number": data.card, "name": ""})
    assert refused.status_code == 400 and data.card not in refused.text
    bad = data.card[:17] + ("0" if data.card[17] != "0" else "1")
    wrong = await web.post("/lookup/holder", data={"id_number": bad, "name": data.name})
    assert wrong.status_code == 400 and "ID_NUMBER_CHECK" in wrong.text
    assert bad not in wrong.text


async def test_lookup_refusals_have_codes(web: httpx.AsyncClient, data: PagesData) -> None:
    bad = data.number[:-1] + ("0" if data.number[-1] != "0" else "1")
    response = await web.post("/lookup/number", data={"number": bad, "name": data.name})
    assert response.status_code == 400 and "<code>CERTIFICATE_NUMBER_CHECK</code>" in response.text
    empty = await web.post("/lookup/number", data={"number": "", "name": ""})
    assert empty.status_code == 400 and empty.text.count("<code>REQUIRED</code>") == 2
    json_body = await web.post("/lookup/number", json={"number": data.number, "name": data.name})
    assert json_body.status_code == 415 and "UNSUPPORTED_MEDIA_TYPE" in json_body.text
    huge = await web.post("/lookup/number", content=b"number=" + b"1" * 20_000, headers=FORM)
    assert huge.status_code == 413


async def test_lookups_leave_no_personal_value_in_urls(web: httpx.AsyncClient) -> None:
    html = (await web.get("/lookup")).text
    assert html.count('method="post"') == 2  # both look-ups are POST forms
    assert "/lookup?number" not in html


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("kind=SCHOOL", "INVALID_KIND"),
        ("level=4", "INVALID_LEVEL"),
        ("listed_on=2026-13-01", "INVALID_DATE"),
        ("province=99", "UNKNOWN_PROVINCE"),
        ("occupation=9-99-99-99", "UNKNOWN_OCCUPATION"),
        ("after=not-a-cursor", "INVALID_CURSOR"),
    ],
)
async def test_directory_filters_refuse_with_the_apis_codes(
    web: httpx.AsyncClient, query: str, code: str
) -> None:
    response = await web.get(f"/institutions?{query}")
    assert response.status_code == 400, response.text[:200]
    assert f'data-code="{code}"' in response.text


async def test_directory_matches_the_api_and_pages(web: httpx.AsyncClient) -> None:
    answer = await gql(
        web, None, "{institutions(first:100,kind:EVALUATION){totalCount nodes{uscc}}}"
    )
    listed = answer["institutions"]
    html = (await web.get("/institutions?kind=EVALUATION")).text
    shown = re.findall(r'data-uscc="([^"]+)"', html)
    assert shown == [n["uscc"] for n in listed["nodes"]][: len(shown)]
    if listed["totalCount"] > 20:
        nxt = re.search(r'rel="next" href="([^"]+)"', html)
        assert nxt is not None
        second = (await web.get(nxt.group(1).replace("&amp;", "&"))).text
        more = re.findall(r'data-uscc="([^"]+)"', second)
        assert more and more[0] == listed["nodes"][20]["uscc"]


async def test_unknown_institution_and_campaign_are_404(web: httpx.AsyncClient) -> None:
    for path, code in (
        ("/institutions/91350100000000000X", "INSTITUTION_NOT_FOUND"),
        ("/campaigns/nope", "CAMPAIGN_NOT_FOUND"),
    ):
        response = await web.get(path)
        assert response.status_code == 404 and f'data-code="{code}"' in response.text


async def test_objection_through_the_form(web: httpx.AsyncClient, data: PagesData) -> None:
    page = (await web.get(f"/institutions/{data.publicity}")).text
    assert f'action="/institutions/{data.publicity}/objection"' in page
    text = "该机构宣传“包过”，与公示材料不符。"
    lodged = await web.post(f"/institutions/{data.publicity}/objection", data={"text": text})
    assert lodged.status_code == 200 and lodged.headers["cache-control"] == "no-store"
    objection = re.search(r'data-objection="([^"]+)"', lodged.text)
    assert objection is not None
    # The domain recorded it: the API counts it (its text is for reviewers only).
    query = "query($u:String!){institution(uscc:$u){objections{id text}}}"
    answer = await gql(web, None, query, u=data.publicity)
    ids = [o["id"] for o in answer["institution"]["objections"]]
    assert objection.group(1) in ids
    empty = await web.post(f"/institutions/{data.publicity}/objection", data={"text": "  "})
    assert empty.status_code == 400 and "<code>REQUIRED</code>" in empty.text
    # No form where objections are not taken, and the domain refuses one sent anyway.
    listed = (await web.get(f"/institutions/{data.listed}")).text
    assert "/objection" not in listed
    refused = await web.post(f"/institutions/{data.listed}/objection", data={"text": text})
    assert refused.status_code == 400 and "NOT_IN_PUBLICITY" in refused.text


async def test_campaign_page_shows_the_draw(web: httpx.AsyncClient, data: PagesData) -> None:
    query = "query($i:String!){supervisionCampaign(id:$i){seed populationDigest selection{institutionUscc}}}"
    campaign = (await gql(web, None, query, i=data.campaign))["supervisionCampaign"]
    html = (await web.get(f"/campaigns/{data.campaign}")).text
    assert campaign["seed"] in html and campaign["populationDigest"] in html
    for picked in campaign["selection"]:
        assert picked["institutionUscc"] in html


async def test_pages_and_api_share_one_personal_allowance(db, settings, data: PagesData) -> None:  # type: ignore[no-untyped-def]
    """Two look-ups allowed: one over GraphQL and one on the page spend them; the third, on
    either door, is refused (the page is not a second, fresh allowance)."""
    async with serving_with(db, settings, personal_lookups=2) as url:
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            await gql(client, None, LOOKUP, n=data.number, h=data.name)
            first = await client.post(
                "/lookup/number", data={"number": data.number, "name": data.name}
            )
            assert first.status_code == 200
            third = await client.post(
                "/lookup/holder", data={"id_number": data.card, "name": data.name}
            )
            assert third.status_code == 429 and int(third.headers["retry-after"]) >= 1
            assert 'data-code="THROTTLED"' in third.text and data.card not in third.text
            variables = {"n": data.number, "h": data.name}
            api = await client.post("/graphql", json={"query": LOOKUP, "variables": variables})
            assert api.status_code == 429


async def test_privacy_sweep_covers_the_pages(web: httpx.AsyncClient, data: PagesData) -> None:
    """Look-ups by ID number (found, refused, wrong check character) and every page: the
    sweep saw those answers, and no ID number is in any of them or in any log line."""
    wrong = data.card[:17] + ("0" if data.card[17] != "0" else "1")
    GENERATED_ID_NUMBERS.add(wrong)
    before = len(CAPTURED_BODIES)
    for id_number, name in ((data.card, data.name), (wrong, data.name), (data.card, "")):
        await web.post("/lookup/holder", data={"id_number": id_number, "name": name})
    for path in public_paths(data):
        await web.get(path)
    seen = CAPTURED_BODIES[before:]
    assert any(f'data-number="{data.number}"'.encode() in b for b in seen)  # the found page
    assert any(b"ID_NUMBER_CHECK" in b for b in seen)  # the refusal
    assert CAPTURED_LOG_LINES  # the access log was captured too
    assert leaks() == []


async def test_an_institution_page_shows_its_recommender_and_the_steering_decision(
    web: httpx.AsyncClient, data: PagesData, db: Database
) -> None:
    # The demo's application through sector MIIT that the steering group has decided on.
    doc = await db.institutions.find_one({"status": "STEERING_CONFIRMED", "sector": "MIIT"})
    assert doc is not None
    decided = doc["steering"]["decided_on"]
    zh = (await web.get(f"/institutions/{doc['_id']}")).text
    assert (
        'data-recommender="SECTOR"' in zh and "行业主管部门人事部门：工业和信息化部人事教育司" in zh
    )
    assert f'data-steering="{decided}"' in zh and "工程指导协调小组会议纪要（演示）" in zh
    en = (await web.get(f"/institutions/{doc['_id']}?lang=en")).text
    assert "Industry ministry HR office: 工业和信息化部人事教育司" in en
    assert "Steering group&#39;s decision" in en or "Steering group's decision" in en
    # A province's application names its province's department, and has no decision yet.
    listed = (await web.get(f"/institutions/{data.listed}")).text
    assert 'data-recommender="PROVINCE"' in listed and "省级人力资源社会保障部门：" in listed
