"""Small SVG charts for self-contained HTML pages (no dependencies).

Two kinds, over a row of categories (days, weeks, months): :func:`bar_chart` (grouped
bars, one per series) and :func:`line_chart` (one line per series). Both draw axes with
gridlines, tick labels, an axis label, optional dashed reference lines (an objective),
a legend, a visible title, and for screen readers a ``<title>`` and ``<desc>`` named by
``aria-labelledby``. Every mark carries its own ``<title>`` (a tooltip, read aloud) and
``data-series`` / ``data-category`` / ``data-value`` attributes, so a test can read the
figures back from the DOM. All text is escaped; the output is well-formed XML.

Colours follow the Okabe–Ito palette (distinguishable with colour-blindness); lines also
differ by dash pattern and marker so a grey print keeps them apart.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from typing import Final, final

from .errors import ConfigError

__all__ = ["PALETTE", "Chart", "Reference", "Series", "bar_chart", "line_chart", "percent"]

PALETTE: Final[tuple[str, ...]] = (
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#000000", "#f0e442",
)  # fmt: skip
_DASHES: Final[tuple[str, ...]] = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4")
_MARKERS: Final[tuple[str, ...]] = ("circle", "square", "triangle", "diamond")
_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"

# Layout (pixels): margins around the plot area.
_LEFT, _RIGHT, _TOP = 52, 18, 34
_XLABELS, _LEGEND_ROW = 34, 18
_CHAR = 6.4  # approximate width of one character at 11 px


def percent(value: float) -> str:
    """``0.75`` -> ``"75%"`` (whole percent for ticks)."""
    return f"{value:.0%}"


@final
@dataclass(frozen=True, slots=True)
class Series:
    """One named row of values, one per category (``None``: no value there).

    ``notes`` optionally gives the tooltip text of each value (default: the series name,
    category and formatted value)."""

    name: str
    values: tuple[float | None, ...]
    notes: tuple[str, ...] = ()


@final
@dataclass(frozen=True, slots=True)
class Reference:
    """A dashed horizontal line across the plot (an objective such as 90 %)."""

    value: float
    label: str


@final
@dataclass(frozen=True, slots=True)
class Chart:
    """What to draw. ``ident`` prefixes the ids inside the SVG (unique within a page)."""

    ident: str
    title: str
    description: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    y_label: str = ""
    y_max: float = 1.0
    y_format: Callable[[float], str] = field(default=percent)
    value_format: Callable[[float], str] = field(default=lambda v: f"{v:.1%}")
    references: tuple[Reference, ...] = ()
    width: int = 640
    height: int = 260

    def __post_init__(self) -> None:
        if not _IDENT.fullmatch(self.ident):
            raise ConfigError(
                f"chart ident {self.ident!r} must start with a letter and hold only letters, "
                "digits, '-' and '_' (it prefixes element ids), e.g. 'weekly'"
            )
        if not self.categories:
            raise ConfigError(f"chart {self.ident!r} has no categories; give at least one")
        if not self.y_max > 0 or math.isinf(self.y_max):
            raise ConfigError(f"chart y_max {self.y_max!r} must be a positive number, e.g. 1.0")
        if self.width < 200 or self.height < 120:
            raise ConfigError(
                f"chart size {self.width}x{self.height} is too small; use at least 200x120"
            )
        n = len(self.categories)
        for s in self.series:
            if len(s.values) != n:
                raise ConfigError(
                    f"series {s.name!r} has {len(s.values)} values for {n} categories; "
                    "give one value (or None) per category"
                )
            if s.notes and len(s.notes) != n:
                raise ConfigError(
                    f"series {s.name!r} has {len(s.notes)} notes for {n} categories; "
                    "give one note per category or none"
                )
            for v in s.values:
                if v is not None and not 0 <= v <= self.y_max:
                    raise ConfigError(
                        f"series {s.name!r} value {v!r} is outside the axis [0, {self.y_max!r}]; "
                        "raise y_max or fix the value"
                    )
        for ref in self.references:
            if not 0 <= ref.value <= self.y_max:
                raise ConfigError(
                    f"reference {ref.label!r} value {ref.value!r} is outside the axis "
                    f"[0, {self.y_max!r}]"
                )


def _n(x: float) -> str:
    """A coordinate with at most one decimal."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _e(text: str) -> str:
    return escape(text, quote=True)


class _Frame:
    """Coordinates of the plot area and the legend rows of one chart."""

    def __init__(self, chart: Chart) -> None:
        self.chart = chart
        self.legend = _legend_rows(chart)
        self.x0 = float(_LEFT)
        self.x1 = float(chart.width - _RIGHT)
        self.y0 = float(_TOP)
        self.y1 = float(chart.height - _XLABELS - _LEGEND_ROW * len(self.legend))
        if self.y1 - self.y0 < 40:
            raise ConfigError(
                f"chart {chart.ident!r} is too short for its {len(chart.series)} legend "
                f"entries; raise height above {chart.height}"
            )
        self.band = (self.x1 - self.x0) / len(chart.categories)

    def y(self, value: float) -> float:
        return self.y1 - value / self.chart.y_max * (self.y1 - self.y0)

    def centre(self, i: int) -> float:
        return self.x0 + self.band * (i + 0.5)


def _legend_rows(chart: Chart) -> list[list[tuple[int, float]]]:
    """Legend entries (series index, x offset) wrapped into rows that fit the width."""
    rows: list[list[tuple[int, float]]] = [[]]
    x = float(_LEFT)
    for i, s in enumerate(chart.series):
        w = 28 + _CHAR * len(s.name) + 14
        if rows[-1] and x + w > chart.width - _RIGHT:
            rows.append([])
            x = float(_LEFT)
        rows[-1].append((i, x))
        x += w
    return rows if chart.series else []


def _open(chart: Chart, kind: str) -> list[str]:
    c = chart
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" id="{c.ident}" '
        f'viewBox="0 0 {c.width} {c.height}" width="{c.width}" height="{c.height}" '
        f'role="img" aria-labelledby="{c.ident}-title {c.ident}-desc" '
        f'font-family="{_e(_FONT)}" font-size="11">',
        f'<title id="{c.ident}-title">{_e(c.title)}</title>',
        f'<desc id="{c.ident}-desc">{_e(c.description)}</desc>',
        f'<text x="{_LEFT}" y="18" font-size="13" font-weight="600" fill="#212121" '
        f'aria-hidden="true">{_e(c.title)}</text>',
    ]


def _axes(f: _Frame) -> list[str]:
    c = f.chart
    out = ['<g class="axes" aria-hidden="true">']
    for k in range(5):
        v = c.y_max * k / 4
        y = f.y(v)
        out.append(
            f'<line x1="{_n(f.x0)}" x2="{_n(f.x1)}" y1="{_n(y)}" y2="{_n(y)}" '
            f'stroke="{"#9e9e9e" if k == 0 else "#e0e0e0"}" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{_n(f.x0 - 6)}" y="{_n(y + 4)}" text-anchor="end" fill="#424242">'
            f"{_e(c.y_format(v))}</text>"
        )
    if c.y_label:
        mid = (f.y0 + f.y1) / 2
        out.append(
            f'<text transform="translate(12 {_n(mid)}) rotate(-90)" text-anchor="middle" '
            f'fill="#424242">{_e(c.y_label)}</text>'
        )
    # Category labels, thinned out when they would overlap.
    longest = max(len(x) for x in c.categories)
    step = max(1, math.ceil((longest * _CHAR + 6) / f.band))
    for i, label in enumerate(c.categories):
        if i % step:
            continue
        out.append(
            f'<text x="{_n(f.centre(i))}" y="{_n(f.y1 + 16)}" text-anchor="middle" '
            f'fill="#424242">{_e(label)}</text>'
        )
    out.append("</g>")
    return out


def _references(f: _Frame) -> list[str]:
    out = []
    for ref in f.chart.references:
        y = f.y(ref.value)
        out.append(
            f'<g class="reference" data-value="{ref.value!r}"><title>{_e(ref.label)}</title>'
            f'<line x1="{_n(f.x0)}" x2="{_n(f.x1)}" y1="{_n(y)}" y2="{_n(y)}" stroke="#c62828" '
            f'stroke-width="1.5" stroke-dasharray="5 4"/>'
            f'<text x="{_n(f.x1)}" y="{_n(y - 4)}" text-anchor="end" fill="#c62828">'
            f"{_e(ref.label)}</text></g>"
        )
    return out


def _note(chart: Chart, s: Series, i: int, v: float) -> str:
    if s.notes:
        return s.notes[i]
    return f"{s.name}, {chart.categories[i]}: {chart.value_format(v)}"


def _data(s: Series, chart: Chart, i: int, v: float) -> str:
    return (
        f'data-series="{_e(s.name)}" data-category="{_e(chart.categories[i])}" data-value="{v!r}"'
    )


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "circle":
        return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="3.5" fill="{colour}"/>'
    if kind == "square":
        return f'<rect x="{_n(x - 3.5)}" y="{_n(y - 3.5)}" width="7" height="7" fill="{colour}"/>'
    if kind == "triangle":
        pts = f"{_n(x)},{_n(y - 4.5)} {_n(x + 4)},{_n(y + 3)} {_n(x - 4)},{_n(y + 3)}"
        return f'<polygon points="{pts}" fill="{colour}"/>'
    pts = f"{_n(x)},{_n(y - 4.5)} {_n(x + 4.5)},{_n(y)} {_n(x)},{_n(y + 4.5)} {_n(x - 4.5)},{_n(y)}"
    return f'<polygon points="{pts}" fill="{colour}"/>'


def _legend(f: _Frame, kind: str) -> list[str]:
    c = f.chart
    if not f.legend:
        return []
    out = ['<g class="legend">']
    base = f.y1 + _XLABELS
    for r, row in enumerate(f.legend):
        y = base + r * _LEGEND_ROW
        for i, x in row:
            s = c.series[i]
            colour = PALETTE[i % len(PALETTE)]
            out.append(f'<g class="legend-item" data-series="{_e(s.name)}">')
            if kind == "bar":
                out.append(
                    f'<rect x="{_n(x)}" y="{_n(y - 9)}" width="18" height="10" fill="{colour}"/>'
                )
            else:
                dash = _DASHES[i % len(_DASHES)]
                dashes = f' stroke-dasharray="{dash}"' if dash else ""
                out.append(
                    f'<line x1="{_n(x)}" x2="{_n(x + 18)}" y1="{_n(y - 4)}" y2="{_n(y - 4)}" '
                    f'stroke="{colour}" stroke-width="2"{dashes}/>'
                )
                out.append(_marker(_MARKERS[i % len(_MARKERS)], x + 9, y - 4, colour))
            out.append(f'<text x="{_n(x + 24)}" y="{_n(y)}" fill="#212121">{_e(s.name)}</text>')
            out.append("</g>")
    out.append("</g>")
    return out


def bar_chart(chart: Chart) -> str:
    """Grouped bars: per category, one bar per series (a value of 0 shows as a 2 px stub
    so it is told apart from no value)."""
    f = _Frame(chart)
    out = _open(chart, "bar") + _axes(f)
    groups = max(1, len(chart.series))
    width = f.band * 0.8 / groups
    out.append('<g class="marks">')
    for j, s in enumerate(chart.series):
        colour = PALETTE[j % len(PALETTE)]
        for i, v in enumerate(s.values):
            if v is None:
                continue
            x = f.x0 + f.band * i + f.band * 0.1 + width * j
            y = f.y(v)
            h = max(f.y1 - y, 2.0)
            w = max(width - 1, 1)
            out.append(
                f'<rect class="mark" x="{_n(x)}" y="{_n(f.y1 - h)}" width="{_n(w)}" '
                f'height="{_n(h)}" fill="{colour}" {_data(s, chart, i, v)}>'
                f"<title>{_e(_note(chart, s, i, v))}</title></rect>"
            )
    out.append("</g>")
    out += _references(f) + _legend(f, "bar") + ["</svg>"]
    return "".join(out)


def line_chart(chart: Chart) -> str:
    """One line per series through the category centres; a missing value breaks the
    line (each value is also a marker with its own tooltip)."""
    f = _Frame(chart)
    out = _open(chart, "line") + _axes(f)
    out.append('<g class="marks">')
    for j, s in enumerate(chart.series):
        colour = PALETTE[j % len(PALETTE)]
        dash = _DASHES[j % len(_DASHES)]
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        runs: list[list[tuple[float, float]]] = [[]]
        for i, v in enumerate(s.values):
            if v is None:
                if runs[-1]:
                    runs.append([])
                continue
            runs[-1].append((f.centre(i), f.y(v)))
        for run in runs:
            if len(run) >= 2:
                pts = " ".join(f"{_n(x)},{_n(y)}" for x, y in run)
                out.append(
                    f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2"'
                    f'{dashes} aria-hidden="true"/>'
                )
        kind = _MARKERS[j % len(_MARKERS)]
        for i, v in enumerate(s.values):
            if v is None:
                continue
            out.append(
                f'<g class="mark" {_data(s, chart, i, v)}>'
                f"<title>{_e(_note(chart, s, i, v))}</title>"
                f"{_marker(kind, f.centre(i), f.y(v), colour)}</g>"
            )
    out.append("</g>")
    out += _references(f) + _legend(f, "line") + ["</svg>"]
    return "".join(out)
