"""The charts of `/stats`: horizontal bars whose words are HTML text beside the bars, so that they
are read at the page's own font size at every width (at 375 px, words drawn inside a scaled SVG
shrank to 7.5 px). Only each bar is SVG: a rectangle in a 100-unit track, drawn at the track's
width; the chart's text (title, labels, values, legend) never scales. Every row's columns have
fixed widths, so that the tracks of one chart line up and share its scale.

Each bar carries `data-label` and `data-value` (what it shows, for tests and for anyone who
reads the page's source); the visible label and value are the same text beside it."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

__all__ = ["BLUE", "CSS", "GREEN", "GREY", "ORANGE", "Bar", "bar_list_chart", "grouped_chart"]

BLUE: Final = "#1f5fa8"
ORANGE: Final = "#d9822b"
GREEN: Final = "#2e8540"
GREY: Final = "#5b6670"
RED: Final = "#c0392b"
NO_DATA: Final = '<p class="nodata">暂无数据 no data</p>'

CSS: Final = """
figure.chart{margin:0;max-width:720px}
figure.chart figcaption{font-size:15px;font-weight:bold;margin:0 0 8px}
ul.bars{list-style:none;margin:0;padding:0}
ul.bars li{display:grid;grid-template-columns:12em minmax(0,1fr) 9em;
gap:2px 8px;align-items:center;margin:3px 0;font-size:13px}
ul.bars li.cat{display:block;font-weight:bold;margin-top:10px}
.lab{color:#333}.val{color:#1b1b1b;white-space:nowrap;text-align:right}
.track svg{display:block;width:100%;height:14px}
.target{stroke:#c0392b;stroke-width:2;stroke-dasharray:3 2}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:13px;margin:0 0 6px;padding:0;
list-style:none}
.legend svg{width:12px;height:12px;display:inline-block;vertical-align:-1px;margin-right:4px}
.nodata{font-size:13px;color:#5b6670}
@media (max-width:480px){ul.bars li{grid-template-columns:minmax(0,1fr) 8em;font-size:14px}
.lab{grid-column:1/-1}.legend{font-size:14px}}
"""


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    note: str | None = None  # shown after the value, e.g. a percentage


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def fmt(value: float) -> str:
    """A count with thousands separators; one decimal when it is not whole."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def nice_max(value: float) -> float:
    """A round axis maximum at or above `value`."""
    if value <= 0:
        return 1.0
    magnitude = 10.0 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _figure(chart_id: str, title: str, body: str) -> str:
    return (
        f'<figure class="chart" id="{_e(chart_id)}" aria-labelledby="{_e(chart_id)}-t">'
        f'<figcaption id="{_e(chart_id)}-t">{_e(title)}</figcaption>{body}</figure>'
    )


def _track(
    value: float, top: float, color: str, data_label: str, target: float | None = None
) -> str:
    """One bar in its 100-unit track (and the target's mark), hidden from assistive technology:
    the text beside it says the same."""
    mark = ""
    if target is not None:
        x = 100 * target / top
        mark = (
            f'<line class="target" data-value="{target:g}" x1="{x:.2f}" x2="{x:.2f}" y1="0" '
            'y2="14" vector-effect="non-scaling-stroke"/>'
        )
    return (
        '<span class="track"><svg viewBox="0 0 100 14" preserveAspectRatio="none" '
        'aria-hidden="true" focusable="false">'
        f'<rect class="bar" x="0" y="2" width="{100 * value / top:.2f}" height="10" '
        f'fill="{color}" data-label="{_e(data_label)}" data-value="{value:g}"></rect>'
        f"{mark}</svg></span>"
    )


def _row(label: str, shown: str, track: str) -> str:
    return (
        f'<li><span class="lab">{_e(label)}</span>{track}<span class="val">{_e(shown)}</span></li>'
    )


def bar_list_chart(
    chart_id: str,
    title: str,
    bars: Sequence[Bar],
    *,
    color: str = BLUE,
    target: float | None = None,
) -> str:
    """One labelled bar per row, on one scale; `target` marks a value on every row's track."""
    if not bars:
        return _figure(chart_id, title, NO_DATA)
    top = nice_max(max([b.value for b in bars] + [target or 0]))
    rows = "".join(
        _row(
            bar.label,
            fmt(bar.value) + (f" ({bar.note})" if bar.note else ""),
            _track(bar.value, top, color, bar.label, target),
        )
        for bar in bars
    )
    return _figure(chart_id, title, f'<ul class="bars">{rows}</ul>')


Series = tuple[str, str, Sequence[float]]  # name, colour, one value per category


def _legend(series: Sequence[Series]) -> str:
    items = "".join(
        f'<li><svg viewBox="0 0 10 10" aria-hidden="true" focusable="false"><rect width="10" '
        f'height="10" fill="{color}"/></svg>{_e(name)}</li>'
        for name, color, _ in series
    )
    return f'<ul class="legend">{items}</ul>'


def grouped_chart(
    chart_id: str, title: str, categories: Sequence[str], series: Sequence[Series]
) -> str:
    """For each category, one bar per series (name, colour, values), all on one scale."""
    if not categories:
        return _figure(chart_id, title, NO_DATA)
    top = nice_max(max([v for _, _, values in series for v in values] + [0]))
    rows = []
    for c, category in enumerate(categories):
        rows.append(f'<li class="cat">{_e(category)}</li>')
        rows += [
            _row(name, fmt(values[c]), _track(values[c], top, color, f"{category} {name}"))
            for name, color, values in series
        ]
    return _figure(chart_id, title, _legend(series) + f'<ul class="bars">{"".join(rows)}</ul>')
