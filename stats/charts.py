"""Charts as server-side SVG: geometry computed here, drawn by ``templates/stats/_chart.html``.

Why not a JavaScript chart library (docs/decisions.md): the office intranet has no CDN and
our content-security policy allows no inline script or style; an SVG written by the server
needs no script at all, prints, reads out its numbers (each bar has a ``<title>``), shows
the same on an old office PC and a phone, and goes into the fund statement's PDF as it is.
Colours are SVG ``fill`` attributes (presentation attributes, not styles, so CSP is happy
and WeasyPrint draws them without our stylesheet).

Coordinates are plain numbers for drawing; the figures themselves stay Decimal and are
shown in the table under every chart.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

PALETTE = ("#b3261e", "#0969da", "#1a7f37", "#9a6700", "#8250df", "#57606a", "#bf3989", "#1b7c83")
#: Enrolled vs blank spot.
STACK_PALETTE = ("#1a7f37", "#d8dce2")
FONT = 12


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    fill: str
    title: str


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    anchor: str = "middle"
    css: str = ""


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass
class Chart:
    title: str
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    grid: list[Line] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (fill, name)
    note: str = ""

    @property
    def empty(self) -> bool:
        return not self.bars


def nice_axis(value: float, *, integers: bool = False, ticks: int = 4) -> tuple[float, float]:
    """(axis end, step): a step of 1, 2, 2.5 or 5 × 10ⁿ giving about ``ticks`` intervals;
    counts get whole steps (no "1.25 claims")."""
    if value <= 0:
        return 1.0, 1.0 if integers else 0.25
    raw = value / ticks
    exponent = math.floor(math.log10(raw))
    step = 10.0 ** (exponent + 1)
    for multiple in (1, 2, 2.5, 5, 10):
        candidate = multiple * 10.0**exponent
        if candidate >= raw and not (integers and candidate != int(candidate)):
            step = candidate
            break
    if integers:
        step = max(1.0, float(math.ceil(step)))
    return step * math.ceil(value / step - 1e-9), step


def short_number(value: float) -> str:
    """Axis labels: 12000 → 1.2万, 350 → 350."""
    if abs(value) >= 10000:
        text = f"{value / 10000:.1f}".rstrip("0").rstrip(".")
        return f"{text}万"
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:g}"


def _num(value) -> float:
    """A figure as a drawing coordinate (pixels, not money: the tables keep the Decimal)."""
    return 0.0 if value is None else float(value)


def _all_integers(series) -> bool:
    return all(
        isinstance(v, int) and not isinstance(v, bool)
        for _n, vs in series
        for v in vs
        if v is not None
    )


def _clip(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


Formatter = Callable[[object], str]


def _plain(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return f"{value:,.2f}" if value != value.to_integral_value() else f"{value:,.0f}"
    return f"{value:,}"


def column_chart(
    *,
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence]],
    fmt: Formatter = _plain,
    width: int = 600,
    height: int = 250,
) -> Chart:
    """Vertical bars grouped by category, one colour per series."""
    chart = Chart(title=title, width=width, height=height)
    chart.legend = [(PALETTE[i % len(PALETTE)], name) for i, (name, _v) in enumerate(series)]
    values = [_num(v) for _name, vs in series for v in vs]
    if not categories or not any(values):
        return chart
    left, right, top, bottom = 52, 8, 10, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value, step = nice_axis(max(values), integers=_all_integers(series))
    value = 0.0
    while value <= top_value + 1e-9:
        y = top + plot_h - plot_h * value / top_value
        chart.grid.append(Line(left, round(y, 1), width - right, round(y, 1)))
        chart.texts.append(Text(left - 6, round(y + 4, 1), short_number(value), "end", "axis"))
        value += step
    slot = plot_w / len(categories)
    bar_w = min(slot * 0.8 / max(1, len(series)), 44)  # one lonely category: no wall of colour
    group = bar_w * max(1, len(series))
    for c, category in enumerate(categories):
        x0 = left + c * slot + (slot - group) / 2
        for s, (name, vs) in enumerate(series):
            value = vs[c]
            h = plot_h * _num(value) / top_value
            chart.bars.append(
                Bar(
                    x=round(x0 + s * bar_w, 1),
                    y=round(top + plot_h - h, 1),
                    width=round(max(bar_w - 1, 1), 1),
                    height=round(h, 1),
                    fill=PALETTE[s % len(PALETTE)],
                    title=f"{category} · {name}: {fmt(value)}",
                )
            )
        limit = max(3, int(slot / (FONT * 0.9)))
        chart.texts.append(
            Text(
                round(left + c * slot + slot / 2, 1),
                height - bottom + 16,
                _clip(category, limit),
                "middle",
                "cat",
            )
        )
    return chart


def bar_chart(
    *,
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence]],
    fmt: Formatter = _plain,
    axis_max: float | None = None,
    width: int = 560,
    stacked: bool = False,
    palette: Sequence[str] = PALETTE,
    note: str = "",
) -> Chart:
    """Horizontal bars, one row per category (names stay readable on a phone); grouped, or
    stacked when ``stacked`` (the parts of one whole, e.g. units enrolled and not)."""
    per_row = 1 if stacked else max(1, len(series))
    row_h = 16 * per_row + 10
    top, bottom, left, right = 8, 24, 150, 12
    height = top + bottom + row_h * max(1, len(categories))
    chart = Chart(title=title, width=width, height=height, note=note)
    chart.legend = [(palette[i % len(palette)], name) for i, (name, _v) in enumerate(series)]
    if stacked:
        peak = max(
            (sum(_num(vs[c]) for _n, vs in series) for c in range(len(categories))), default=0
        )
    else:
        peak = max((_num(v) for _n, vs in series for v in vs), default=0)
    if not categories or not peak:
        return chart
    if axis_max:
        top_value, step = float(axis_max), float(axis_max) / 4
    else:
        top_value, step = nice_axis(peak, integers=_all_integers(series))
    plot_w = width - left - right
    plot_bottom = height - bottom
    value = 0.0
    while value <= top_value + 1e-9:
        x = left + plot_w * value / top_value
        chart.grid.append(Line(round(x, 1), top, round(x, 1), plot_bottom))
        chart.texts.append(
            Text(round(x, 1), plot_bottom + 15, short_number(value), "middle", "axis")
        )
        value += step
    for c, category in enumerate(categories):
        y0 = top + c * row_h + 5
        chart.texts.append(
            Text(left - 6, round(y0 + (row_h - 10) / 2 + 4, 1), _clip(category, 11), "end", "cat")
        )
        offset = 0.0
        for s, (name, vs) in enumerate(series):
            value = vs[c]
            w = plot_w * _num(value) / top_value
            fill = palette[s % len(palette)]
            if stacked:
                bar = Bar(
                    round(left + offset, 1),
                    round(y0, 1),
                    round(w, 1),
                    16,
                    fill,
                    f"{category} · {name}: {fmt(value)}",
                )
                offset += w
            else:
                bar = Bar(
                    left,
                    round(y0 + s * 16, 1),
                    round(w, 1),
                    14,
                    fill,
                    f"{category} · {name}: {fmt(value)}",
                )
            if w > 0:
                chart.bars.append(bar)
    return chart
