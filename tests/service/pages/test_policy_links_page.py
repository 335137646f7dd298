"""The certificate page shows how the certificate counts toward professional titles (notice
五(二)): the national rule for its level in the issuing institution's province, in both
languages, and the province's own version once the office records one (a demo one marked as
such)."""

from __future__ import annotations

import datetime as dt
import re

import httpx

from registry.calendar import clock
from registry.certificates import numbers
from registry.policylinks import editing
from registry.policylinks.editing import TitleLinkInput
from registry.storage.db import Database

from .data import OFFICE, PagesData

LINK = re.compile(r'<dd class="policy-link" data-use="(\w+)" data-scope="(\w+)">(.*?)</dd>', re.S)


async def link_of(web: httpx.AsyncClient, data: PagesData, lang: str) -> tuple[str, str, str]:
    page = await web.post(
        f"/lookup/number?lang={lang}", data={"number": data.number, "name": data.name}
    )
    assert page.status_code == 200
    found = LINK.findall(page.text)
    assert len(found) == 1, page.text
    return found[0]


async def test_the_page_shows_the_title_link(
    web: httpx.AsyncClient, data: PagesData, db: Database
) -> None:
    level = numbers.parse(data.number).level
    expected = "SENIOR_REVIEW_REFERENCE" if level == 3 else "TITLE_RECOGNITION"
    use, scope, body = await link_of(web, data, "zh")
    assert (use, scope) == (expected, "NATIONAL")
    assert "人社厅发〔2021〕71号 五(二)" in body and "演示数据" not in body
    use, scope, body = await link_of(web, data, "en")
    assert (use, scope) == (expected, "NATIONAL") and "Source" in body
    # The office records the province's own (demo) version: the page shows it, marked.
    spec = TitleLinkInput(
        level=level,
        effective_from=clock.today() - dt.timedelta(days=1),
        use="PROVINCIAL_RULE",
        text="演示数据(虚构):示例省份的衔接办法",
        source="演示数据,非真实文件",
        province=numbers.parse(data.number).province,
        demo=True,
    )
    await editing.set_title_link(db, OFFICE, spec)
    use, scope, body = await link_of(web, data, "zh")
    assert (use, scope) == ("PROVINCIAL_RULE", "PROVINCIAL")
    assert "演示数据,虚构" in body and "示例省份的衔接办法" in body
