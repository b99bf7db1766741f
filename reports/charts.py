"""Deterministic SVG charts for the report.

Each chart is plain SVG text built from the numbers in the report context: the
same numbers give the same bytes, the text stays text (searchable, readable by a
screen reader), and the first child is a ``<title>`` that WeasyPrint uses as
the alternative text of the tagged ``Figure``. Every label is XML-escaped here,
because the SVG is inserted into the page as markup.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from reports.formatting import DASH, number

# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
# Okabe-Ito's yellow is replaced by a darker gold so a thin line stays visible on white.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#8C6D00", "#000000")
# Colour alone is not enough (WCAG 1.4.1, and some pairs above stay close under a deficiency, which a test
# measures): every line series also has its own marker and dash pattern, shown in the legend too.
MARKERS = ("circle", "square", "triangle", "diamond", "triangle-down", "cross", "plus", "star")
DASHES = ("", "6 3", "2 2", "8 3 2 3", "4 4", "1 3", "10 3", "3 2 1 2")
FONT = "Liberation Sans, sans-serif"
TEXT = "#222222"
GRID = "#d4d4d4"


@dataclass(frozen=True)
class Chart:
    svg: str
    alt: str


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]  # None: suppressed or not available, drawn as nothing


def _f(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _text(x: float, y: float, content: str, *, anchor: str = "start", size: float = 9, weight: str = "normal",
          fill: str = TEXT) -> str:
    bold = ' font-weight="bold"' if weight == "bold" else ""
    return (f'<text x="{_f(x)}" y="{_f(y)}" text-anchor="{anchor}" font-size="{_f(size)}"{bold} '
            f'fill="{fill}">{escape(content)}</text>')


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round axis ticks covering ``low..high`` (always including 0)."""
    low, high = min(low, 0.0), max(high, 0.0)
    if high == low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _open(width: int, height: int, title: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family={quoteattr(FONT)} class="chart">',
        f"<title>{escape(title)}</title>",
    ]


def _dash(index: int) -> str:
    pattern = DASHES[index % len(DASHES)]
    return f' stroke-dasharray="{pattern}"' if pattern else ""


def marker(index: int, x: float, y: float, r: float = 3.0) -> str:
    """The series' marker at (x, y): a shape of its own as well as a colour of its own."""
    colour = PALETTE[index % len(PALETTE)]
    shape = MARKERS[index % len(MARKERS)]
    if shape == "circle":
        return f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{_f(r * 0.9)}" fill="{colour}"/>'
    if shape == "square":
        return f'<rect x="{_f(x - r * 0.8)}" y="{_f(y - r * 0.8)}" width="{_f(r * 1.6)}" height="{_f(r * 1.6)}" ' \
               f'fill="{colour}"/>'
    if shape in ("cross", "plus"):
        d = r * (0.8 if shape == "cross" else 1.1)
        a, b = ((d, d), (d, -d)) if shape == "cross" else ((d, 0), (0, d))
        return (f'<path d="M{_f(x - a[0])},{_f(y - a[1])}L{_f(x + a[0])},{_f(y + a[1])}'
                f'M{_f(x - b[0])},{_f(y - b[1])}L{_f(x + b[0])},{_f(y + b[1])}" stroke="{colour}" '
                f'stroke-width="1.6" fill="none"/>')
    corners = {
        "triangle": ((0, -1.2), (1.1, 0.8), (-1.1, 0.8)),
        "triangle-down": ((0, 1.2), (1.1, -0.8), (-1.1, -0.8)),
        "diamond": ((0, -1.25), (1.05, 0), (0, 1.25), (-1.05, 0)),
        "star": tuple((1.3 * math.sin(k * math.pi / 5) * (1 if k % 2 == 0 else 0.45),
                       -1.3 * math.cos(k * math.pi / 5) * (1 if k % 2 == 0 else 0.45)) for k in range(10)),
    }[shape]
    points = " ".join(f"{_f(x + dx * r)},{_f(y + dy * r)}" for dx, dy in corners)
    return f'<polygon points="{points}" fill="{colour}"/>'


def _legend(parts: list[str], names: Sequence[str], x: float, y: float, *, line: bool = False) -> None:
    for i, name in enumerate(names):
        colour = PALETTE[i % len(PALETTE)]
        if line:
            parts.append(f'<line x1="{_f(x)}" y1="{_f(y - 3)}" x2="{_f(x + 14)}" y2="{_f(y - 3)}" '
                         f'stroke="{colour}" stroke-width="2"{_dash(i)}/>')
            parts.append(marker(i, x + 7, y - 3))
        else:
            parts.append(f'<rect x="{_f(x)}" y="{_f(y - 8)}" width="10" height="10" fill="{colour}"/>')
        parts.append(_text(x + 18, y, name, size=8.5))
        y += 13


def _value_axis(parts: list[str], ticks: list[float], y_of: Callable[[float], float], left: float, right: float,
                tick_label: Callable[[float], str]) -> None:
    for tick in ticks:
        y = y_of(tick)
        stroke = "#888888" if tick == 0 else GRID
        parts.append(f'<line x1="{_f(left)}" y1="{_f(y)}" x2="{_f(right)}" y2="{_f(y)}" stroke="{stroke}" '
                     f'stroke-width="0.6"/>')
        parts.append(_text(left - 4, y + 3, tick_label(tick), anchor="end", size=8))


def _present(values: Sequence[float | None]) -> list[float]:
    return [float(v) for v in values if v is not None]


def _vertical_value_axis(parts: list[str], series: Sequence[Series], width: int, height: int, unit_label: str,
                         tick_label: Callable[[float], str]) -> tuple[float, float, float, float,
                                                                     Callable[[float], float]]:
    """Plot area beside a 170 px legend, a value axis with nice ticks and its unit; returns the area and y(v)."""
    legend_width = 170
    left, right, top, bottom = 62, width - legend_width, 14, height - 26
    values = [v for s in series for v in _present(s.values)] or [0.0]
    ticks = nice_ticks(min(values), max(values))
    low, high = ticks[0], ticks[-1]

    def y_of(v: float) -> float:
        return bottom - (v - low) / (high - low) * (bottom - top)

    _value_axis(parts, ticks, y_of, left, right, tick_label)
    if unit_label:
        parts.append(_text(left - 4, top - 4, unit_label, anchor="end", size=8))
    return left, right, top, bottom, y_of


def bar_chart(title: str, categories: Sequence[str], series: Sequence[Series], *, unit_label: str = "",
              tick_label: Callable[[float], str] = number, width: int = 640, height: int = 250) -> Chart:
    """Vertical grouped bars: one group per category, one bar per series; missing values leave a gap with ``–``."""
    parts = _open(width, height, title)
    left, right, top, bottom, y_of = _vertical_value_axis(parts, series, width, height, unit_label, tick_label)
    group = (right - left) / max(len(categories), 1)
    bar = min(group * 0.8 / max(len(series), 1), 28)
    for c, category in enumerate(categories):
        x0 = left + c * group + (group - bar * len(series)) / 2
        for s, one in enumerate(series):
            value = one.values[c]
            x = x0 + s * bar
            if value is None:
                parts.append(_text(x + bar / 2, y_of(0) - 3, DASH, anchor="middle", size=8))
                continue
            y1, y2 = sorted((y_of(float(value)), y_of(0)))
            parts.append(f'<rect x="{_f(x + 0.5)}" y="{_f(y1)}" width="{_f(bar - 1)}" height="{_f(y2 - y1)}" '
                         f'fill="{PALETTE[s % len(PALETTE)]}"/>')
        parts.append(_text(left + c * group + group / 2, bottom + 14, category, anchor="middle", size=8.5))
    _legend(parts, [s.name for s in series], right + 16, top + 10)
    parts.append("</svg>")
    return Chart("".join(parts), title)


def line_chart(title: str, categories: Sequence[str], series: Sequence[Series], *, unit_label: str = "",
               tick_label: Callable[[float], str] = number, width: int = 640, height: int = 260) -> Chart:
    """One line with markers per series over the categories (e.g. years 1..N)."""
    parts = _open(width, height, title)
    left, right, top, bottom, y_of = _vertical_value_axis(parts, series, width, height, unit_label, tick_label)
    step = (right - left) / max(len(categories), 1)

    def x_of(i: int) -> float:
        return left + step * (i + 0.5)

    for c, category in enumerate(categories):
        parts.append(_text(x_of(c), bottom + 14, category, anchor="middle", size=8.5))
    for s, one in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        points = [(x_of(i), y_of(float(v))) for i, v in enumerate(one.values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{_f(x)},{_f(y)}" for x, y in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{_dash(s)}/>')
        for x, y in points:
            parts.append(marker(s, x, y))
    _legend(parts, [s.name for s in series], right + 16, top + 10, line=True)
    parts.append("</svg>")
    return Chart("".join(parts), title)


def horizontal_bar_chart(title: str, labels: Sequence[str], series: Sequence[Series], *,
                         tick_label: Callable[[float], str] = number, fixed_range: tuple[float, float] | None = None,
                         width: int = 640, row_height: int = 30) -> Chart:
    """Horizontal grouped bars, one row per label (members, actors); good for long Swedish names."""
    legend_rows = len(series) if len(series) > 1 else 0
    height = 24 + row_height * max(len(labels), 1) + 18 + 13 * legend_rows
    parts = _open(width, height, title)
    left, right, top = 140, width - 24, 10
    bottom = top + row_height * max(len(labels), 1)
    if fixed_range:
        ticks = nice_ticks(*fixed_range)
    else:
        values = [v for s in series for v in _present(s.values)] or [0.0]
        ticks = nice_ticks(min(values), max(values), count=4)
    low, high = ticks[0], ticks[-1]

    def x_of(v: float) -> float:
        return left + (v - low) / (high - low) * (right - left)

    for tick in ticks:
        x = x_of(tick)
        stroke = "#888888" if tick == 0 else GRID
        parts.append(f'<line x1="{_f(x)}" y1="{_f(top)}" x2="{_f(x)}" y2="{_f(bottom)}" stroke="{stroke}" '
                     f'stroke-width="0.6"/>')
        parts.append(_text(x, bottom + 12, tick_label(tick), anchor="middle", size=8))
    bar = (row_height * 0.75) / max(len(series), 1)
    for r, label in enumerate(labels):
        y0 = top + r * row_height + row_height * 0.125
        parts.append(_text(left - 6, top + r * row_height + row_height / 2 + 3, label, anchor="end", size=8.5))
        for s, one in enumerate(series):
            value = one.values[r]
            y = y0 + s * bar
            if value is None:
                parts.append(_text(x_of(0) + 4, y + bar / 2 + 3, DASH, size=8))
                continue
            x1, x2 = sorted((x_of(float(value)), x_of(0)))
            parts.append(f'<rect x="{_f(x1)}" y="{_f(y + 0.5)}" width="{_f(max(x2 - x1, 0.5))}" '
                         f'height="{_f(bar - 1)}" fill="{PALETTE[s % len(PALETTE)]}"/>')
    if legend_rows:
        _legend(parts, [s.name for s in series], left, bottom + 30)
    parts.append("</svg>")
    return Chart("".join(parts), title)


def tornado_chart(title: str, labels: Sequence[str], base: float, ends: Sequence[tuple[float, float]],
                  end_labels: Sequence[tuple[str, str]], *, tick_label: Callable[[float], str] = number,
                  width: int = 640, row_height: int = 34) -> Chart:
    """A tornado: per row (widest first) a bar from ``base`` to the value at the low end (upper half) and one
    to the value at the high end (lower half), each labelled at its tip with its end and value, so the chart
    is read without its colours; a vertical line marks the base."""
    height = 30 + row_height * max(len(labels), 1) + 18 + 26
    parts = _open(width, height, title)
    # Room beside the plot for the tip labels, which stand outside the bars.
    left, right, top, pad = 150, width - 14, 22, 92
    bottom = top + row_height * max(len(labels), 1)
    values = [base, *(v for pair in ends for v in pair)]
    ticks = nice_ticks(min(values), max(values), count=4)
    low, high = ticks[0], ticks[-1]

    def x_of(v: float) -> float:
        return left + pad + (v - low) / (high - low) * (right - left - 2 * pad)

    for tick in ticks:
        x = x_of(tick)
        parts.append(f'<line x1="{_f(x)}" y1="{_f(top)}" x2="{_f(x)}" y2="{_f(bottom)}" stroke="{GRID}" '
                     f'stroke-width="0.6"/>')
        parts.append(_text(x, bottom + 12, tick_label(tick), anchor="middle", size=8))
    bar = row_height * 0.36
    for r, label in enumerate(labels):
        y0 = top + r * row_height + row_height * 0.14
        parts.append(_text(left - 6, top + r * row_height + row_height / 2 + 3, label, anchor="end", size=8.5))
        for s, (value, tip) in enumerate(zip(ends[r], end_labels[r], strict=True)):
            y = y0 + s * bar
            x1, x2 = sorted((x_of(float(value)), x_of(base)))
            parts.append(f'<rect x="{_f(x1)}" y="{_f(y + 0.5)}" width="{_f(max(x2 - x1, 0.5))}" '
                         f'height="{_f(bar - 1)}" fill="{PALETTE[s]}"/>')
            right_side = value >= base
            x = (x2 + 3) if right_side else (x1 - 3)
            parts.append(_text(x, y + bar / 2 + 3, f"{tip}: {tick_label(value)}",
                               anchor="start" if right_side else "end", size=7.5))
    xb = x_of(base)
    parts.append(f'<line x1="{_f(xb)}" y1="{_f(top - 4)}" x2="{_f(xb)}" y2="{_f(bottom)}" stroke="{TEXT}" '
                 f'stroke-width="1"/>')
    parts.append(_text(xb, top - 8, f"Bas: {tick_label(base)}", anchor="middle", size=8, weight="bold"))
    _legend(parts, ["Lågt värde (övre stapeln)", "Högt värde (nedre stapeln)"], left, bottom + 30)
    parts.append("</svg>")
    return Chart("".join(parts), title)


@dataclass(frozen=True)
class FlowSide:
    label: str
    count: int | None  # None: suppressed, drawn as a thin block marked –


def flow_diagram(title: str, before: Sequence[FlowSide], after: Sequence[FlowSide],
                 links: Sequence[tuple[int, int, int]], *, width: int = 640, height: int = 260) -> Chart:
    """Two stacked columns, before and after, joined by bands whose width is the number of people moving
    between them (``links``: index before, index after, count; hidden counts are not drawn). Each block is
    labelled with its name and count, so nothing depends on colour."""
    parts = _open(width, height, title)
    top, bottom, bar = 22, height - 10, 16
    left_x, right_x = 150, width - 150 - bar
    gap = 4

    def blocks(sides: Sequence[FlowSide]) -> list[tuple[float, float]]:
        shown = sum(s.count or 0 for s in sides)
        small = 6.0  # a hidden count gets a thin block of its own
        room = bottom - top - gap * max(len(sides) - 1, 0) - small * sum(s.count is None for s in sides)
        scale = room / shown if shown else 0.0
        y, out = float(top), []
        for s in sides:
            h = small if s.count is None else s.count * scale
            out.append((y, h))
            y += h + gap
        return out

    left, right = blocks(before), blocks(after)
    parts.append(_text(left_x + bar / 2, top - 8, "Före", anchor="middle", size=9, weight="bold"))
    parts.append(_text(right_x + bar / 2, top - 8, "Efter", anchor="middle", size=9, weight="bold"))
    used_left = [0.0] * len(before)
    used_right = [0.0] * len(after)
    for b, a, count in links:
        lb, la = left[b], right[a]
        scale_left = lb[1] / before[b].count if before[b].count else 0.0
        scale_right = la[1] / after[a].count if after[a].count else 0.0
        y1, y2 = lb[0] + used_left[b], la[0] + used_right[a]
        h1, h2 = count * scale_left, count * scale_right
        used_left[b] += h1
        used_right[a] += h2
        x1, x2 = left_x + bar, right_x
        mid = (x1 + x2) / 2
        parts.append(
            f'<path d="M{_f(x1)},{_f(y1)}C{_f(mid)},{_f(y1)} {_f(mid)},{_f(y2)} {_f(x2)},{_f(y2)}'
            f'L{_f(x2)},{_f(y2 + h2)}C{_f(mid)},{_f(y2 + h2)} {_f(mid)},{_f(y1 + h1)} {_f(x1)},{_f(y1 + h1)}Z" '
            f'fill="{PALETTE[a % len(PALETTE)]}" fill-opacity="0.35"/>')
    for sides, spots, x, anchor, dx in ((before, left, left_x, "end", -6), (after, right, right_x, "start",
                                                                              bar + 6)):
        for i, (side, (y, h)) in enumerate(zip(sides, spots, strict=True)):
            colour = PALETTE[i % len(PALETTE)] if sides is after else "#555555"
            parts.append(f'<rect x="{_f(x)}" y="{_f(y)}" width="{bar}" height="{_f(max(h, 1))}" fill="{colour}"/>')
            shown = DASH if side.count is None else number(side.count)
            parts.append(_text(x + dx, y + h / 2 + 3, f"{side.label} {shown}", anchor=anchor, size=8.5))
    parts.append("</svg>")
    return Chart("".join(parts), title)
