"""`/stats`: the public statistics as a page with charts rendered on the server
(`service/stats_charts.py`: bars drawn as SVG, every word HTML text beside them).

No script and no external resource: the page works in any browser, prints, and is cacheable
(5 minutes, ETag). Every number on it comes from `registry.reports.statistics`, the same functions the
GraphQL `statistics` and `programmeProgress` fields call. `?year=YYYY` narrows the breakdowns.

| route    | what                                                    | caching     |
| -------- | ------------------------------------------------------- | ----------- |
| `/stats` | progress against 80,000 a year; by field, province, level | 5 min, ETag |
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.reports import statistics
from registry.storage.db import Database
from registry.whole_numbers import whole_number
from service.stats_charts import BLUE, CSS, GREEN, GREY, ORANGE, Bar, bar_list_chart, grouped_chart
from service.stats_charts import fmt as _fmt

__all__ = ["routes"]

CACHE: Final = "public, max-age=300"
# Inline styles only; no script, no fetch, no frame.
CSP: Final = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'self'"
LEVEL_NAMES: Final = {1: "初级", 2: "中级", 3: "高级"}


class YearParamError(ValueError):
    """`?year=` that is not a year of the programme."""


def parse_year(text: str | None) -> int | None:
    """The `year` query parameter: absent or empty means every year; else 2021-9999 in ASCII
    digits (no sign, no spaces)."""
    if text is None or text == "":
        return None
    year = whole_number(text, 4) if len(text) == 4 else None
    if year is None:
        raise YearParamError("year is four digits, e.g. 2026")
    if year < statistics.FIRST_YEAR:
        raise YearParamError(f"the programme began in {statistics.FIRST_YEAR}")
    return year


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _percent(part: int, whole: int) -> str | None:
    return f"{100 * part / whole:.0f}%" if whole else None


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


STYLE: Final = (
    """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif;
margin:0;color:#1b1b1b;background:#f6f7f9}
header{background:#1f3b5a;color:#fff;padding:16px 24px}header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;opacity:.85;font-size:14px}main{max-width:1040px;margin:0 auto;padding:16px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:8px 0 16px}
.card{background:#fff;border-radius:6px;padding:12px 16px;min-width:120px;flex:1;box-shadow:0 1px 2px #0002}
.card b{display:block;font-size:24px}.card span{color:#5b6670;font-size:13px}
section{background:#fff;border-radius:6px;padding:12px 16px;margin:0 0 16px;box-shadow:0 1px 2px #0002}
nav a{margin-right:10px}table{border-collapse:collapse;font-size:13px;margin-top:8px}
td,th{border:1px solid #d7dbe0;padding:3px 8px;text-align:right}th{background:#eef1f4}
td:first-child,th:first-child{text-align:left}footer{color:#5b6670;font-size:12px;padding:8px 24px 24px}
body{overflow-wrap:anywhere}
@media (max-width:480px){header{padding:12px 16px}main{padding:12px 8px}section{padding:8px}
table{font-size:12px}td,th{padding:2px 4px}}
"""
    + CSS
)
FOOTER: Final = """每项指标按事件发生的年份计：培训按结业日期，考核按考试日期，发证按公布日期，撤销按撤销日期；
人数为当年培训结业或取得证书的不同人员（按身份证号的加密散列去重）。Each measure counts in the year
its event happened; people are distinct persons with a training completion or a certificate that
year. The same figures: GraphQL <code>statistics</code> and <code>programmeProgress</code>."""


@dataclass(frozen=True)
class _Figures:
    """Everything the page shows, read from `registry.reports.statistics` and the catalogue."""

    year: int | None
    progress: list[statistics.YearProgress]
    by_year: list[statistics.Row]
    by_field: list[statistics.Row]
    by_province: list[statistics.Row]
    by_level: list[statistics.Row]
    totals: dict[str, int]
    fields: dict[str, str]
    provinces: dict[str, str]

    @property
    def scope(self) -> str:
        return f"{self.year} 年" if self.year else "全部年份 all years"


async def _figures(db: Database, year: int | None) -> _Figures:
    f = statistics.StatsFilter(year=year)
    return _Figures(
        year=year,
        progress=await statistics.progress(db),
        by_year=await statistics.aggregate(db, [statistics.Dimension.YEAR]),
        by_field=await statistics.aggregate(db, [statistics.Dimension.FIELD], f),
        by_province=await statistics.aggregate(db, [statistics.Dimension.PROVINCE], f),
        by_level=await statistics.aggregate(db, [statistics.Dimension.LEVEL], f),
        totals=(await statistics.aggregate(db, [], f))[0].counts,
        fields={x.code: x.name for x in await catalogue.fields(db)},
        provinces={p.code: p.name for p in await catalogue.provinces(db)},
    )


def _progress_chart(d: _Figures) -> str:
    return bar_list_chart(
        "chart-progress",
        "每年培养培训人数与目标（红线：每年 8 万人）People reached per year vs the target "
        f"(red line: {statistics.TARGET_PER_YEAR:,} a year)",
        [Bar(str(p.year), p.people, f"{100 * p.share:.1f}%") for p in d.progress],
        target=statistics.TARGET_PER_YEAR,
    )


def _year_chart(d: _Figures) -> str:
    def measure(key: str) -> list[float]:
        return [r.counts[key] for r in d.by_year]

    return grouped_chart(
        "chart-years",
        "按年份 By year: 培训结业、考核人数、发证 completions, candidates, certificates",
        [str(r.year) for r in d.by_year],
        [
            ("培训结业 completions", GREEN, measure("training_completions")),
            ("考核人数 candidates", GREY, measure("candidates")),
            ("发证 certificates", BLUE, measure("certificates_issued")),
        ],
    )


def _field_chart(d: _Figures) -> str:
    return bar_list_chart(
        "chart-fields",
        f"按领域发证 Certificates by field ({d.scope})",
        [
            Bar(f"{r.field} {d.fields.get(r.field or '', '')}", r.counts["certificates_issued"])
            for r in d.by_field
            if r.counts["certificates_issued"]
        ],
    )


def _province_chart(d: _Figures) -> str:
    rows = sorted(d.by_province, key=lambda r: -r.counts["certificates_issued"])
    return bar_list_chart(
        "chart-provinces",
        f"按省份发证 Certificates by province ({d.scope})",
        [
            Bar(
                d.provinces.get(r.province or "", r.province or "?"),
                r.counts["certificates_issued"],
            )
            for r in rows
            if r.counts["certificates_issued"]
        ],
        color=ORANGE,
    )


def _level_chart(d: _Figures) -> str:
    return bar_list_chart(
        "chart-levels",
        f"按等级考核通过率 Pass rate by level ({d.scope})",
        [
            Bar(
                LEVEL_NAMES.get(r.level or 0, "?"),
                r.counts["passes"],
                _percent(r.counts["passes"], r.counts["candidates"]),
            )
            for r in d.by_level
            if r.counts["candidates"]
        ],
        color=GREEN,
    )


_CARDS: Final = (
    ("培训人数 trainees", "trainees"),
    ("培训结业 completions", "training_completions"),
    ("考核人数 candidates", "candidates"),
    ("通过 passes", "passes"),
    ("发证 certificates issued", "certificates_issued"),
    ("撤销 revoked", "certificates_revoked"),
)


def _cards(totals: dict[str, int]) -> str:
    return "".join(
        f'<div class="card" data-measure="{_e(label.split()[-1])}"><b>{_fmt(totals[key])}</b>'
        f"<span>{_e(label)}</span></div>"
        for label, key in _CARDS
    )


def _progress_table(progress: Sequence[statistics.YearProgress]) -> str:
    return _table(
        ["年份 year", "人数 people", "目标 target", "完成 share", "发证 certificates"],
        [
            (p.year, p.people, p.target, f"{100 * p.share:.1f}%", p.certificates_issued)
            for p in progress
        ],
    )


def _headline(d: _Figures) -> str:
    wanted = d.year or clock.today().year
    current = next((p for p in d.progress if p.year == wanted), None)
    if current is None:
        return ""
    return f"{current.year} 年已培养培训 {current.people:,} 人，完成目标 {100 * current.share:.1f}%"


async def render(db: Database, year: int | None) -> str:
    """The whole page for `year` (None: every year)."""
    d = await _figures(db, year)
    years_nav = " ".join(f'<a href="/stats?year={p.year}">{p.year}</a>' for p in d.progress)
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>统计 Statistics — 数字技术工程师培育项目</title><style>{STYLE}</style></head>
<body><header><h1>数字技术工程师培育项目 统计 Programme statistics</h1>
<p>{_e(_headline(d))}</p></header>
<main><nav>年份 Year: <a href="/stats">全部 all</a> {years_nav}</nav>
<h2>{_e(d.scope)}</h2><div class="cards">{_cards(d.totals)}</div>
<section>{_progress_chart(d)}<details><summary>数据表 table</summary>{_progress_table(d.progress)}</details></section>
<section>{_year_chart(d)}</section>
<section>{_field_chart(d)}</section>
<section>{_province_chart(d)}</section>
<section>{_level_chart(d)}</section>
</main><footer>{FOOTER}</footer>
</body></html>"""


async def stats_page(request: Request) -> Response:
    try:
        year = parse_year(request.query_params.get("year"))
    except YearParamError as error:
        return HTMLResponse(
            f"<!doctype html><title>400</title><p>{_e(error)}</p>",
            status_code=400,
            headers={"Content-Security-Policy": CSP, "Cache-Control": "no-store"},
        )
    body = (await render(request.app.state.db, year)).encode("utf-8")
    etag = '"' + hashlib.sha256(body).hexdigest() + '"'
    headers = {"ETag": etag, "Cache-Control": CACHE, "Content-Security-Policy": CSP}
    if request.headers.get("if-none-match", "").strip() == etag:
        return Response(status_code=304, headers=headers)
    return HTMLResponse(body, headers=headers)


routes: list[Route] = [Route("/stats", stats_page, methods=["GET"])]
