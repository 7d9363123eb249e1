"""slaclock._svg: the statement's charts. Geometry checked against values worked out by
hand from the layout (640 x 260, margins left 52, right 18, top 34, x labels 34, one
legend row 18: the plot area spans x 52..622 and y 34..208)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from slaclock._svg import Chart, Reference, Series, bar_chart, line_chart
from slaclock.errors import ConfigError

NS = {"s": "http://www.w3.org/2000/svg"}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # well-formed XML or it raises


def marks(root: ET.Element, tag: str) -> list[ET.Element]:
    return [e for e in root.iter(f"{{{NS['s']}}}{tag}") if e.get("class") == "mark"]


def chart(**changes: object) -> Chart:
    base: dict[str, object] = {
        "ident": "c1",
        "title": "Weekly share met",
        "description": "One bar per metric and week.",
        "categories": ("a", "b"),
        "series": (Series("S", (0.5, None)),),
    }
    base.update(changes)
    return Chart(**base)  # type: ignore[arg-type]


class TestAccessibility:
    def test_title_and_description_are_named_by_aria(self) -> None:
        root = parse(bar_chart(chart()))
        assert root.get("role") == "img"
        assert root.get("aria-labelledby") == "c1-title c1-desc"
        title = root.find("s:title", NS)
        desc = root.find("s:desc", NS)
        assert title is not None
        assert title.get("id") == "c1-title"
        assert title.text == "Weekly share met"
        assert desc is not None
        assert desc.get("id") == "c1-desc"
        assert desc.text == "One bar per metric and week."

    def test_every_mark_has_a_tooltip(self) -> None:
        root = parse(bar_chart(chart(series=(Series("S", (0.5, 0.25)),))))
        tips = [m.find("s:title", NS) for m in marks(root, "rect")]
        assert [t.text for t in tips if t is not None] == ["S, a: 50.0%", "S, b: 25.0%"]

    def test_notes_replace_the_default_tooltip(self) -> None:
        s = Series("S", (0.5, None), ("three of six", "none"))
        (mark,) = marks(parse(bar_chart(chart(series=(s,)))), "rect")
        title = mark.find("s:title", NS)
        assert title is not None
        assert title.text == "three of six"

    def test_hostile_text_is_escaped(self) -> None:
        evil = "<script>alert(\"x\")</script> & 'Co'"
        svg = bar_chart(
            chart(title=evil, categories=(evil, "b"), series=(Series(evil, (1.0, 0.0)),))
        )
        assert "<script" not in svg
        root = parse(svg)
        assert not list(root.iter("script"))
        assert not list(root.iter(f"{{{NS['s']}}}script"))
        title = root.find("s:title", NS)
        assert title is not None
        assert title.text == evil
        assert marks(root, "rect")[0].get("data-series") == evil


class TestBars:
    def test_geometry(self) -> None:
        # Two categories: band 285 px; one series: bar 80 % of the band = 228 px wide
        # (drawn 227), starting 10 % into the band (52 + 28.5). 50 % of the 174 px plot
        # height is 87 px, from y 121 down to the axis at 208.
        (bar,) = marks(parse(bar_chart(chart())), "rect")
        assert (bar.get("x"), bar.get("y"), bar.get("width"), bar.get("height")) == (
            "80.5", "121", "227", "87",
        )  # fmt: skip
        assert bar.get("data-value") == "0.5"
        assert bar.get("data-category") == "a"

    def test_grouped_bars_side_by_side(self) -> None:
        # Two series in a 285 px band: each bar 114 px (drawn 113), the second starting
        # 114 px after the first.
        series = (Series("A", (1.0, None)), Series("B", (0.25, None)))
        a, b = marks(parse(bar_chart(chart(series=series))), "rect")
        assert (a.get("x"), a.get("width"), a.get("y"), a.get("height")) == (
            "80.5",
            "113",
            "34",
            "174",
        )
        assert (b.get("x"), b.get("y"), b.get("height")) == ("194.5", "164.5", "43.5")
        assert a.get("fill") != b.get("fill")

    def test_zero_is_a_stub_and_none_is_nothing(self) -> None:
        series = (Series("S", (0.0, None)),)
        bars = marks(parse(bar_chart(chart(series=series))), "rect")
        assert len(bars) == 1
        assert (bars[0].get("y"), bars[0].get("height")) == ("206", "2")
        assert bars[0].get("data-value") == "0.0"

    def test_percent_ticks(self) -> None:
        root = parse(bar_chart(chart()))
        axes = next(g for g in root.iter(f"{{{NS['s']}}}g") if g.get("class") == "axes")
        texts = [t.text for t in axes.iter(f"{{{NS['s']}}}text")]
        assert texts[:5] == ["0%", "25%", "50%", "75%", "100%"]
        assert texts[-2:] == ["a", "b"]

    def test_dense_labels_are_thinned(self) -> None:
        days = tuple(str(d) for d in range(1, 31))
        series = (Series("S", tuple(0.5 for _ in days)),)
        root = parse(bar_chart(chart(categories=days, series=series)))
        axes = next(g for g in root.iter(f"{{{NS['s']}}}g") if g.get("class") == "axes")
        labels = [t.text for t in axes.iter(f"{{{NS['s']}}}text")][5:]
        # a 19 px band holds one label of two characters (2 * 6.4 + 6 <= 19)
        assert labels == list(days)
        weeks = tuple(f"2026-W{w:02d}" for w in range(1, 31))
        root = parse(bar_chart(chart(categories=weeks, series=series)))
        axes = next(g for g in root.iter(f"{{{NS['s']}}}g") if g.get("class") == "axes")
        labels = [t.text for t in axes.iter(f"{{{NS['s']}}}text")][5:]
        # 8 characters need 57.2 px: every fourth label of 19 px bands
        assert labels == list(weeks[::4])


class TestLines:
    def test_points_and_breaks(self) -> None:
        # Three categories: band 190 px, centres at 147, 337, 527. y(0.25) = 164.5,
        # y(0.5) = 121, y(1.0) = 34. A missing value breaks the line: the last point
        # stands alone as a marker.
        s = Series("S", (0.25, 0.5, None))
        root = parse(line_chart(chart(categories=("a", "b", "c"), series=(s,))))
        (poly,) = root.iter(f"{{{NS['s']}}}polyline")
        assert poly.get("points") == "147,164.5 337,121"
        s = Series("S", (0.25, None, 1.0))
        root = parse(line_chart(chart(categories=("a", "b", "c"), series=(s,))))
        assert list(root.iter(f"{{{NS['s']}}}polyline")) == []
        points = marks(root, "g")
        assert [p.get("data-value") for p in points] == ["0.25", "1.0"]
        circle = points[1].find("s:circle", NS)
        assert circle is not None
        assert (circle.get("cx"), circle.get("cy")) == ("527", "34")

    def test_series_differ_by_dash_and_marker(self) -> None:
        series = (Series("A", (0.5, 0.5)), Series("B", (0.25, 0.25)))
        root = parse(line_chart(chart(series=series)))
        a, b = root.iter(f"{{{NS['s']}}}polyline")
        assert a.get("stroke-dasharray") is None
        assert b.get("stroke-dasharray") == "6 3"
        legend = next(g for g in root.iter(f"{{{NS['s']}}}g") if g.get("class") == "legend")
        items = [g for g in legend if g.get("class") == "legend-item"]
        assert [i.get("data-series") for i in items] == ["A", "B"]
        assert items[0].find("s:circle", NS) is not None
        assert items[1].find("s:rect", NS) is not None


class TestReferencesAndLegend:
    def test_reference_line(self) -> None:
        root = parse(bar_chart(chart(references=(Reference(0.9, "objective 90%"),))))
        ref = next(g for g in root.iter(f"{{{NS['s']}}}g") if g.get("class") == "reference")
        line = ref.find("s:line", NS)
        # y(0.9) = 208 - 0.9 * 174 = 51.4
        assert line is not None
        assert line.get("y1") == "51.4"
        title = ref.find("s:title", NS)
        assert title is not None
        assert title.text == "objective 90%"

    def test_legend_wraps_and_the_plot_shrinks(self) -> None:
        names = [f"metric number {i} with a long name" for i in range(4)]
        series = tuple(Series(n, (0.5, 0.5)) for n in names)
        root = parse(bar_chart(chart(series=series)))
        legend = next(g for g in root.iter(f"{{{NS['s']}}}g") if g.get("class") == "legend")
        ys = sorted({float(t.get("y") or 0) for t in legend.iter(f"{{{NS['s']}}}text")})
        # each entry is 28 + 6.4 * 31 + 14 = 240.4 px: two per 570 px row, two rows
        assert len(ys) == 2
        bar = marks(root, "rect")[0]
        # two legend rows: the axis sits at 260 - 34 - 36 = 190; 50 % of 156 px is 78
        assert (bar.get("y"), bar.get("height")) == ("112", "78")


class TestValidation:
    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"series": (Series("S", (0.5,)),)}, r"series 'S' has 1 values for 2 categories"),
            ({"series": (Series("S", (1.5, 0.0)),)}, r"value 1\.5 is outside the axis \[0, 1\.0\]"),
            ({"series": (Series("S", (-0.1, 0.0)),)}, r"value -0\.1 is outside the axis"),
            ({"ident": "1 bad"}, r"chart ident '1 bad' must start with a letter"),
            ({"categories": ()}, r"has no categories"),
            ({"y_max": 0.0}, r"y_max 0\.0 must be a positive number"),
            ({"width": 100}, r"chart size 100x260 is too small"),
            ({"series": (Series("S", (0.5, 0.5), ("x",)),)}, r"has 1 notes for 2 categories"),
            ({"references": (Reference(2.0, "r"),)}, r"reference 'r' value 2\.0 is outside"),
        ],
    )
    def test_bad_chart(self, changes: dict[str, object], message: str) -> None:
        with pytest.raises(ConfigError, match=message):
            chart(**changes)

    def test_too_many_legend_rows(self) -> None:
        series = tuple(Series(f"a long series name number {i}", (0.5, 0.5)) for i in range(12))
        c = chart(series=series, height=160)
        with pytest.raises(ConfigError, match=r"too short for its 12 legend entries"):
            bar_chart(c)
