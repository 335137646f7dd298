"""The catalogue pages say what is not yet known, in words, and never show a placeholder name."""

from __future__ import annotations

import httpx

from service.pages import i18n


async def test_unknown_directions_are_said_so(web: httpx.AsyncClient) -> None:
    zh = i18n.load("zh")
    page = await web.get("/occupations", params={"search": "智能制造"})
    assert page.status_code == 200
    assert zh["occupations.state.UNKNOWN"] in page.text
    assert "方向待录入" not in page.text
    partial = await web.get("/occupations", params={"search": "大数据"})
    assert zh["occupations.state.INCOMPLETE"] in partial.text and "大数据分析" in partial.text


async def test_standard_levels_not_entered_are_said_so(web: httpx.AsyncClient) -> None:
    en = i18n.load("en")
    page = await web.get("/standards", params={"lang": "en"})
    assert page.status_code == 200
    assert en["standards.conditions"] in page.text
    # Three levels of five standards, none entered in the shipped data: two cells each.
    assert page.text.count(f"<td>{en['common.unknown']}</td>") == 30
