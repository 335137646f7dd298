"""`/stats`: the public statistics as a page with charts rendered on the server as inline SVG.

No script and no external resource: the page works in any browser, prints, and is cacheable
(5 minutes, ETag). Every number on it comes from `registry.statistics`, the same functions the
GraphQL `statistics` and `programmeProgress` fields call. `?year=YYYY` narrows the breakdowns.

| route    | what                                                    | caching     |
| -------- | ------------------------------------------------------- | ----------- |
| `/stats` | progress against 80,000 a year; by field, province, level | 5 min, ETag |
"""

from __future__ import annotations

import hashlib
import html
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from registry import catalogue, clock, statistics
from registry.db import Database

__all__ = ["routes"]

CACHE: Final = "public, max-age=300"
# Inline styles only; no script, no fetch, no frame.
CSP: Final = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'self'"
BLUE: Final = "#1f5fa8"
ORANGE: Final = "#d9822b"
GREEN: Final = "#2e8540"
GREY: Final = "#5b6670"
LEVEL_NAMES: Final = {1: "初级", 2: "中级", 3: "高级"}


class YearParamError(ValueError):
    """`?year=` that is not a year of the programme."""


def parse_year(text: str | None) -> int | None:
    """The `year` query parameter: absent or empty means every year; else 2021-9999 in ASCII
    digits (no sign, no spaces)."""
    if text is None or text == "":
        return None
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        raise YearParamError("year is four digits, e.g. 2026")
    year = int(text)
    if year < statistics.FIRST_YEAR:
        raise YearParamError(f"the programme began in {statistics.FIRST_YEAR}")
    return year


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    note: str | None = None  # shown after the value, e.g. a percentage


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _nice_max(value: float) -> float:
    """A round axis maximum at or above `value`."""
    if value <= 0:
        return 1.0
    magnitude = 10.0 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def column_chart(
    chart_id: str,
    title: str,
    bars: Sequence[Bar],
    *,
    target: float | None = None,
    target_label: str = "",
    color: str = BLUE,
    width: int = 640,
    height: int = 280,
) -> str:
    """Vertical bars with an optional horizontal target line, as an SVG element."""
    left, right, top, bottom = 64, 16, 36, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(max([b.value for b in bars] + [target or 0]))
    slot = plot_w / max(1, len(bars))
    bar_w = min(56.0, slot * 0.6)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{_e(chart_id)}" class="chart" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="{_e(chart_id)}-t">',
        f'<title id="{_e(chart_id)}-t">{_e(title)}</title>',
        f'<text x="{left}" y="20" class="ct">{_e(title)}</text>',
    ]
    for i in range(5):
        value = top_value * i / 4
        y = top + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" class="ax" text-anchor="end">{_fmt(value)}</text>'
        )
    for i, bar in enumerate(bars):
        h = plot_h * bar.value / top_value
        x = left + slot * i + (slot - bar_w) / 2
        y = top + plot_h - h
        label = f"{_fmt(bar.value)}" + (f" ({bar.note})" if bar.note else "")
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
            f'fill="{color}" data-label="{_e(bar.label)}" data-value="{bar.value:g}">'
            f"<title>{_e(bar.label)}: {_e(label)}</title></rect>"
            f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" class="val" text-anchor="middle">'
            f"{_e(label)}</text>"
            f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 16:.1f}" class="ax" '
            f'text-anchor="middle">{_e(bar.label)}</text>'
        )
    if target:
        y = top + plot_h - plot_h * target / top_value
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" class="target" '
            f'data-value="{target:g}"/>'
            f'<text x="{width - right}" y="{y - 5:.1f}" class="tl" text-anchor="end">'
            f"{_e(target_label)}</text>"
        )
    if not bars:
        parts.append(
            f'<text x="{width / 2}" y="{height / 2}" class="ax" text-anchor="middle">暂无数据 no data</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def bar_list_chart(
    chart_id: str,
    title: str,
    bars: Sequence[Bar],
    *,
    color: str = BLUE,
    width: int = 640,
    row: int = 24,
) -> str:
    """Horizontal bars, one row per label (long Chinese labels fit), as an SVG element."""
    label_w, top = 190, 32
    height = top + row * max(1, len(bars)) + 12
    plot_w = width - label_w - 90
    top_value = _nice_max(max([b.value for b in bars] + [0]))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{_e(chart_id)}" class="chart" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="{_e(chart_id)}-t">',
        f'<title id="{_e(chart_id)}-t">{_e(title)}</title>',
        f'<text x="0" y="20" class="ct">{_e(title)}</text>',
    ]
    for i, bar in enumerate(bars):
        y = top + row * i
        w = plot_w * bar.value / top_value
        label = _fmt(bar.value) + (f" ({bar.note})" if bar.note else "")
        parts.append(
            f'<text x="{label_w - 8}" y="{y + row * 0.65:.1f}" class="ax" text-anchor="end">'
            f"{_e(bar.label)}</text>"
            f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" '
            f'fill="{color}" data-label="{_e(bar.label)}" data-value="{bar.value:g}">'
            f"<title>{_e(bar.label)}: {_e(label)}</title></rect>"
            f'<text x="{label_w + w + 6:.1f}" y="{y + row * 0.65:.1f}" class="val">{_e(label)}</text>'
        )
    if not bars:
        parts.append(f'<text x="{label_w}" y="{top + 16}" class="ax">暂无数据 no data</text>')
    parts.append("</svg>")
    return "".join(parts)


def grouped_chart(
    chart_id: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[float]]],
    *,
    width: int = 640,
    height: int = 280,
) -> str:
    """Columns side by side per category; `series` is (name, colour, values)."""
    left, right, top, bottom = 64, 16, 52, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(max([v for _, _, values in series for v in values] + [0]))
    slot = plot_w / max(1, len(categories))
    bar_w = min(40.0, slot * 0.8 / max(1, len(series)))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{_e(chart_id)}" class="chart" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="{_e(chart_id)}-t">',
        f'<title id="{_e(chart_id)}-t">{_e(title)}</title>',
        f'<text x="{left}" y="20" class="ct">{_e(title)}</text>',
    ]
    for s, (name, color, _) in enumerate(series):
        parts.append(
            f'<rect x="{left + 150 * s}" y="30" width="12" height="12" fill="{color}"/>'
            f'<text x="{left + 150 * s + 16}" y="40" class="ax">{_e(name)}</text>'
        )
    for i in range(5):
        y = top + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" class="ax" text-anchor="end">'
            f"{_fmt(top_value * i / 4)}</text>"
        )
    for c, category in enumerate(categories):
        start = left + slot * c + (slot - bar_w * len(series)) / 2
        for s, (name, color, values) in enumerate(series):
            value = values[c]
            h = plot_h * value / top_value
            x, y = start + bar_w * s, top + plot_h - h
            parts.append(
                f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w - 2:.1f}" '
                f'height="{h:.1f}" fill="{color}" data-label="{_e(category)} {_e(name)}" '
                f'data-value="{value:g}"><title>{_e(category)} {_e(name)}: {_fmt(value)}</title>'
                f"</rect>"
            )
        parts.append(
            f'<text x="{left + slot * c + slot / 2:.1f}" y="{top + plot_h + 16:.1f}" class="ax" '
            f'text-anchor="middle">{_e(category)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _percent(part: int, whole: int) -> str | None:
    return f"{100 * part / whole:.0f}%" if whole else None


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


STYLE: Final = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif;
margin:0;color:#1b1b1b;background:#f6f7f9}
header{background:#1f3b5a;color:#fff;padding:16px 24px}header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;opacity:.85;font-size:14px}main{max-width:1040px;margin:0 auto;padding:16px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:8px 0 16px}
.card{background:#fff;border-radius:6px;padding:12px 16px;min-width:120px;flex:1;box-shadow:0 1px 2px #0002}
.card b{display:block;font-size:24px}.card span{color:#5b6670;font-size:13px}
section{background:#fff;border-radius:6px;padding:12px 16px;margin:0 0 16px;box-shadow:0 1px 2px #0002;
overflow-x:auto}svg.chart{width:100%;height:auto;max-width:720px;min-width:520px}.ct{font-size:15px;font-weight:bold;fill:#1b1b1b}
.ax{font-size:11px;fill:#5b6670}.val{font-size:11px;fill:#1b1b1b}.grid{stroke:#e3e6ea}
.target{stroke:#c0392b;stroke-width:2;stroke-dasharray:6 4}.tl{font-size:12px;fill:#c0392b}
nav a{margin-right:10px}table{border-collapse:collapse;font-size:13px;margin-top:8px}
td,th{border:1px solid #d7dbe0;padding:3px 8px;text-align:right}th{background:#eef1f4}
td:first-child,th:first-child{text-align:left}footer{color:#5b6670;font-size:12px;padding:8px 24px 24px}
"""


async def render(db: Database, year: int | None) -> str:
    progress = await statistics.progress(db)
    by_year = await statistics.aggregate(db, [statistics.Dimension.YEAR])
    f = statistics.StatsFilter(year=year)
    by_field = await statistics.aggregate(db, [statistics.Dimension.FIELD], f)
    by_province = await statistics.aggregate(db, [statistics.Dimension.PROVINCE], f)
    by_level = await statistics.aggregate(db, [statistics.Dimension.LEVEL], f)
    totals = (await statistics.aggregate(db, [], f))[0].counts
    fields = {x.code: x.name for x in await catalogue.fields(db)}
    provinces = {p.code: p.name for p in await catalogue.provinces(db)}
    scope = f"{year} 年" if year else "全部年份 all years"
    this_year = clock.today().year
    current = next((p for p in progress if p.year == (year or this_year)), None)

    progress_chart = column_chart(
        "chart-progress",
        "每年培养培训人数与 8 万人目标 People reached per year vs target",
        [Bar(str(p.year), p.people, f"{100 * p.share:.1f}%") for p in progress],
        target=statistics.TARGET_PER_YEAR,
        target_label=f"目标 target {statistics.TARGET_PER_YEAR:,}",
    )
    year_chart = grouped_chart(
        "chart-years",
        "按年份 By year: 培训结业、考核人数、发证 completions, candidates, certificates",
        [str(r.year) for r in by_year],
        [
            ("培训结业 completions", GREEN, [r.counts["training_completions"] for r in by_year]),
            ("考核人数 candidates", GREY, [r.counts["candidates"] for r in by_year]),
            ("发证 certificates", BLUE, [r.counts["certificates_issued"] for r in by_year]),
        ],
    )
    field_chart = bar_list_chart(
        "chart-fields",
        f"按领域发证 Certificates by field ({scope})",
        [
            Bar(f"{r.field} {fields.get(r.field or '', '')}", r.counts["certificates_issued"])
            for r in by_field
            if r.counts["certificates_issued"]
        ],
    )
    province_rows = sorted(by_province, key=lambda r: -r.counts["certificates_issued"])
    province_chart = bar_list_chart(
        "chart-provinces",
        f"按省份发证 Certificates by province ({scope})",
        [
            Bar(provinces.get(r.province or "", r.province or "?"), r.counts["certificates_issued"])
            for r in province_rows
            if r.counts["certificates_issued"]
        ],
        color=ORANGE,
    )
    level_chart = column_chart(
        "chart-levels",
        f"按等级考核通过率 Pass rate by level ({scope})",
        [
            Bar(
                LEVEL_NAMES.get(r.level or 0, "?"),
                r.counts["passes"],
                _percent(r.counts["passes"], r.counts["candidates"]),
            )
            for r in by_level
            if r.counts["candidates"]
        ],
        color=GREEN,
    )
    years_nav = " ".join(f'<a href="/stats?year={p.year}">{p.year}</a>' for p in progress)
    cards = [
        ("培训人数 trainees", totals["trainees"]),
        ("培训结业 completions", totals["training_completions"]),
        ("考核人数 candidates", totals["candidates"]),
        ("通过 passes", totals["passes"]),
        ("发证 certificates issued", totals["certificates_issued"]),
        ("撤销 revoked", totals["certificates_revoked"]),
    ]
    card_html = "".join(
        f'<div class="card" data-measure="{_e(label.split()[-1])}"><b>{_fmt(value)}</b>'
        f"<span>{_e(label)}</span></div>"
        for label, value in cards
    )
    progress_table = _table(
        ["年份 year", "人数 people", "目标 target", "完成 share", "发证 certificates"],
        [
            (p.year, p.people, p.target, f"{100 * p.share:.1f}%", p.certificates_issued)
            for p in progress
        ],
    )
    headline = (
        f"{current.year} 年已培养培训 {current.people:,} 人，完成目标 {100 * current.share:.1f}%"
        if current
        else ""
    )
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>统计 Statistics — 数字技术工程师培育项目</title><style>{STYLE}</style></head>
<body><header><h1>数字技术工程师培育项目 统计 Programme statistics</h1>
<p>{_e(headline)}</p></header>
<main><nav>年份 Year: <a href="/stats">全部 all</a> {years_nav}</nav>
<h2>{_e(scope)}</h2><div class="cards">{card_html}</div>
<section>{progress_chart}<details><summary>数据表 table</summary>{progress_table}</details></section>
<section>{year_chart}</section>
<section>{field_chart}</section>
<section>{province_chart}</section>
<section>{level_chart}</section>
</main><footer>每项指标按事件发生的年份计：培训按结业日期，考核按考试日期，发证按公布日期，撤销按撤销日期；
人数为当年培训结业或取得证书的不同人员（按身份证号的加密散列去重）。Each measure counts in the year
its event happened; people are distinct persons with a training completion or a certificate that
year. The same figures: GraphQL <code>statistics</code> and <code>programmeProgress</code>.</footer>
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
