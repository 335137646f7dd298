"""The institution page shows the obligations that follow a listing (notice 四(六), 四(三); issue
16's open edge 4), in Chinese and in English, as GraphQL gives them for the same institution:
the annual reports overdue today with their due dates, each fee change with the day it takes
effect and the schedule it replaced, and the priority claimed in the selection."""

from __future__ import annotations

import html
import re

import httpx

from tests.client import gql

from .data import OBLIGED_EVIDENCE, PagesData

RECORD = """query ($u: String!) { institution(uscc: $u) {
  overdueReports { year kind due }
  feeChanges { effectiveFrom note fees { amountYuan } previousFees { amountYuan } recordedAt }
  priority { basis evidence } } }"""

WORDS = {
    "zh": {
        "overdue": "逾期未报送",
        "PLAN": "年度计划",
        "SUMMARY": "年度总结",
        "due": "应于 {due} 前报送",
        "effective": "自 {day} 起执行",
        "before": "调整前",
        "priority": "相关职业标准开发单位",
    },
    "en": {
        "overdue": "Overdue",
        "PLAN": "plan",
        "SUMMARY": "summary",
        "due": "due by {due}",
        "effective": "In effect from {day}",
        "before": "Before",
        "priority": "Developer of the occupational standard",
    },
}


def item(page: str, attribute: str, value: str) -> str:
    """The text of the element carrying `attribute="value"` (tags removed)."""
    found = re.search(rf'<(\w+)[^>]*\s{attribute}="{re.escape(value)}"[^>]*>(.*?)</\1>', page, re.S)
    assert found is not None, (attribute, value)
    return html.unescape(re.sub(r"<[^>]+>", " ", found.group(2)))


async def test_the_page_shows_what_graphql_says_is_owed_changed_and_claimed(
    web: httpx.AsyncClient, data: PagesData
) -> None:
    record = (await gql(web, None, RECORD, u=data.obliged))["institution"]
    assert record["overdueReports"] and record["feeChanges"] and record["priority"]
    for lang, words in WORDS.items():
        response = await web.get(f"/institutions/{data.obliged}", params={"lang": lang})
        assert response.status_code == 200
        page = response.text
        assert words["overdue"] in page
        assert f'data-overdue-count="{len(record["overdueReports"])}"' in page
        for late in record["overdueReports"]:
            text = item(page, "data-overdue", f"{late['year']}-{late['kind']}")
            assert str(late["year"]) in text and words[late["kind"]] in text
            assert words["due"].format(due=late["due"]) in text
        for change in record["feeChanges"]:
            text = item(page, "data-fee-change", change["effectiveFrom"])
            assert words["effective"].format(day=change["effectiveFrom"]) in text
            assert change["note"] in text and "880.00" in text
            assert words["before"] in text and "800.00" in text  # the schedule it replaced
        claimed = item(page, "data-priority", record["priority"]["basis"])
        assert words["priority"] in claimed and OBLIGED_EVIDENCE in claimed


async def test_an_institution_without_them_shows_no_such_section(
    web: httpx.AsyncClient, data: PagesData
) -> None:
    record = (await gql(web, None, RECORD, u=data.publicity))["institution"]
    assert record["overdueReports"] == [] and record["feeChanges"] == []
    assert record["priority"] is None
    page = (await web.get(f"/institutions/{data.publicity}")).text
    for marker in ("data-overdue", "data-fee-change", "data-priority"):
        assert marker not in page
