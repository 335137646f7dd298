"""`/stats`: the public statistics as a page with charts rendered on the server as inline SVG.

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
import math
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


def _svg_open(chart_id: str, title: str, width: int, height: int, title_x: int) -> list[str]:
    """The opening of a chart: the element, its accessible title and the visible one."""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{_e(chart_id)}" class="chart" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="{_e(chart_id)}-t">',
        f'<title id="{_e(chart_id)}-t">{_e(title)}</title>',
        f'<text x="{title_x}" y="20" class="ct">{_e(title)}</text>',
    ]


@dataclass(frozen=True)
class _Plot:
    """The plotting area of a column chart, in SVG units."""

    left: int
    right: int
    top: int
    bottom: int
    width: int
    height: int
    top_value: float

    @property
    def plot_h(self) -> float:
        return self.height - self.top - self.bottom

    def y(self, value: float) -> float:
        """Where `value` stands on the vertical axis."""
        return self.top + self.plot_h - self.plot_h * value / self.top_value

    def grid(self) -> list[str]:
        """Five horizontal grid lines, labelled from 0 to the axis maximum."""
        parts = []
        for i in range(5):
            y = self.top + self.plot_h - self.plot_h * i / 4
            parts.append(
                f'<line x1="{self.left}" x2="{self.width - self.right}" y1="{y:.1f}" '
                f'y2="{y:.1f}" class="grid"/>'
                f'<text x="{self.left - 6}" y="{y + 4:.1f}" class="ax" text-anchor="end">'
                f"{_fmt(self.top_value * i / 4)}</text>"
            )
        return parts


def _bar_label(bar: Bar) -> str:
    return _fmt(bar.value) + (f" ({bar.note})" if bar.note else "")


def _column(plot: _Plot, bar: Bar, x: float, bar_w: float, color: str) -> str:
    """One labelled column of a column chart, its left edge at `x`."""
    h = plot.plot_h * bar.value / plot.top_value
    y = plot.top + plot.plot_h - h
    label = _bar_label(bar)
    return (
        f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
        f'fill="{color}" data-label="{_e(bar.label)}" data-value="{bar.value:g}">'
        f"<title>{_e(bar.label)}: {_e(label)}</title></rect>"
        f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" class="val" text-anchor="middle">'
        f"{_e(label)}</text>"
        f'<text x="{x + bar_w / 2:.1f}" y="{plot.top + plot.plot_h + 16:.1f}" class="ax" '
        f'text-anchor="middle">{_e(bar.label)}</text>'
    )


def _target_line(plot: _Plot, target: float, label: str) -> str:
    y = plot.y(target)
    return (
        f'<line x1="{plot.left}" x2="{plot.width - plot.right}" y1="{y:.1f}" y2="{y:.1f}" '
        f'class="target" data-value="{target:g}"/>'
        f'<text x="{plot.width - plot.right}" y="{y - 5:.1f}" class="tl" text-anchor="end">'
        f"{_e(label)}</text>"
    )


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
    top_value = _nice_max(max([b.value for b in bars] + [target or 0]))
    plot = _Plot(64, 16, 36, 40, width, height, top_value)
    slot = (width - plot.left - plot.right) / max(1, len(bars))
    bar_w = min(56.0, slot * 0.6)
    parts = [*_svg_open(chart_id, title, width, height, plot.left), *plot.grid()]
    for i, bar in enumerate(bars):
        parts.append(_column(plot, bar, plot.left + slot * i + (slot - bar_w) / 2, bar_w, color))
    if target:
        parts.append(_target_line(plot, target, target_label))
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
    parts = _svg_open(chart_id, title, width, height, 0)
    for i, bar in enumerate(bars):
        y = top + row * i
        w = plot_w * bar.value / top_value
        label = _bar_label(bar)
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


Series = tuple[str, str, Sequence[float]]  # name, colour, one value per category


def _legend(series: Sequence[Series], left: int) -> list[str]:
    return [
        f'<rect x="{left + 150 * s}" y="30" width="12" height="12" fill="{color}"/>'
        f'<text x="{left + 150 * s + 16}" y="40" class="ax">{_e(name)}</text>'
        for s, (name, color, _) in enumerate(series)
    ]


def _group(
    plot: _Plot, category: str, c: int, series: Sequence[Series], start: float, bar_w: float
) -> list[str]:
    """The columns of category number `c`, the first one's left edge at `start`."""
    parts = []
    for s, (name, color, values) in enumerate(series):
        value = values[c]
        h = plot.plot_h * value / plot.top_value
        x, y = start + bar_w * s, plot.top + plot.plot_h - h
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w - 2:.1f}" '
            f'height="{h:.1f}" fill="{color}" data-label="{_e(category)} {_e(name)}" '
            f'data-value="{value:g}"><title>{_e(category)} {_e(name)}: {_fmt(value)}</title>'
            f"</rect>"
        )
    return parts


def grouped_chart(
    chart_id: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    width: int = 640,
    height: int = 280,
) -> str:
    """Columns side by side per category; `series` is (name, colour, values)."""
    top_value = _nice_max(max([v for _, _, values in series for v in values] + [0]))
    plot = _Plot(64, 16, 52, 40, width, height, top_value)
    slot = (width - plot.left - plot.right) / max(1, len(categories))
    bar_w = min(40.0, slot * 0.8 / max(1, len(series)))
    parts = _svg_open(chart_id, title, width, height, plot.left)
    parts += [*_legend(series, plot.left), *plot.grid()]
    for c, category in enumerate(categories):
        start = plot.left + slot * c + (slot - bar_w * len(series)) / 2
        parts += _group(plot, category, c, series, start, bar_w)
        parts.append(
            f'<text x="{plot.left + slot * c + slot / 2:.1f}" y="{plot.top + plot.plot_h + 16:.1f}" '
            f'class="ax" text-anchor="middle">{_e(category)}</text>'
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
section{background:#fff;border-radius:6px;padding:12px 16px;margin:0 0 16px;box-shadow:0 1px 2px #0002}
svg.chart{display:block;width:100%;height:auto;max-width:720px}.ct{font-size:15px;font-weight:bold;fill:#1b1b1b}
.ax{font-size:11px;fill:#5b6670}.val{font-size:11px;fill:#1b1b1b}.grid{stroke:#e3e6ea}
.target{stroke:#c0392b;stroke-width:2;stroke-dasharray:6 4}.tl{font-size:12px;fill:#c0392b}
nav a{margin-right:10px}table{border-collapse:collapse;font-size:13px;margin-top:8px}
td,th{border:1px solid #d7dbe0;padding:3px 8px;text-align:right}th{background:#eef1f4}
td:first-child,th:first-child{text-align:left}footer{color:#5b6670;font-size:12px;padding:8px 24px 24px}
body{overflow-wrap:anywhere}
@media (max-width:480px){header{padding:12px 16px}main{padding:12px 8px}section{padding:8px}
.ax,.val,.tl{font-size:14px}.ct{font-size:14px}table{font-size:12px}td,th{padding:2px 4px}}
"""
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
    return column_chart(
        "chart-progress",
        "每年培养培训人数与 8 万人目标 People reached per year vs target",
        [Bar(str(p.year), p.people, f"{100 * p.share:.1f}%") for p in d.progress],
        target=statistics.TARGET_PER_YEAR,
        target_label=f"目标 target {statistics.TARGET_PER_YEAR:,}",
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
    return column_chart(
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
