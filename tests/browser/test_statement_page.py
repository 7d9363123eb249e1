"""Customer statements in a real browser (headless Chromium): two statements — acme, with
breaches, and globex, without — plus the hostile customer name of the fixture.

Each page is written to a file and opened from ``file://``. The tests read every figure
back from the DOM (``[data-figure]`` with its row's context, and every chart mark) and
compare it with the figures of a :class:`~slaclock.report.Report` built here from the
same evaluations, filtered to the customer and month by this test; check that the page
logs no console error, runs no script, makes no request other than its own file, and has
one h1, column headers on every table, and a title and description on every chart; take
full-page PNG screenshots and print the page to PDF (under ``tests/artifacts/``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from slaclock import Policy, evaluate
from slaclock.durations import Duration
from slaclock.io import read_tickets
from slaclock.report import Report

CASES = Path(__file__).resolve().parents[1] / "cases" / "statement"
NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 12, 1, tzinfo=NY)
MONTH = "2026-11"
HOSTILE = "<script>alert(\"pwn\")</script> & 'Co'"
CUSTOMERS = {"acme": "acme", "globex": "globex", "hostile": HOSTILE}

# Every figure of the page, read with the context of its row and section.
READ_FIGURES = """() => Array.from(document.querySelectorAll('[data-figure]')).map(el => {
  const ctx = (name) => { const c = el.closest('[data-' + name + ']');
                          return c ? c.getAttribute('data-' + name) : null; };
  const section = el.closest('section');
  return {figure: el.dataset.figure, value: el.dataset.value ?? null,
          text: el.textContent.trim(), section: section ? section.id : null,
          metric: ctx('metric'), severity: ctx('severity'), objective: ctx('objective'),
          ticket: ctx('ticket'), cycle: ctx('cycle'), month: ctx('month')};
})"""
READ_MARKS = """() => Array.from(document.querySelectorAll('svg .mark')).map(el => ({
  chart: el.closest('svg').id, series: el.dataset.series, category: el.dataset.category,
  value: el.dataset.value, title: (el.querySelector('title') || {}).textContent || ''}))"""
READ_A11Y = """() => ({
  h1: Array.from(document.querySelectorAll('h1')).map(h => h.textContent.trim()),
  tables: Array.from(document.querySelectorAll('table')).map(t => ({
    caption: (t.querySelector('caption') || {}).textContent || '',
    headers: Array.from(t.querySelectorAll('thead th')).map(th => th.getAttribute('scope')),
    rows: t.querySelectorAll('tbody tr').length})),
  charts: Array.from(document.querySelectorAll('svg')).map(s => {
    const ids = (s.getAttribute('aria-labelledby') || '').split(' ').filter(Boolean);
    return {role: s.getAttribute('role'),
            labels: ids.map(id => (document.getElementById(id) || {}).textContent || ''),
            caption: (s.closest('figure')?.querySelector('figcaption') || {}).textContent || ''};
  }),
  lang: document.documentElement.lang,
  title: document.title,
  scripts: document.scripts.length,
})"""


@pytest.fixture(scope="module")
def policy() -> Policy:
    return Policy.from_file(CASES / "policy.toml")


@pytest.fixture(scope="module")
def report(policy: Policy) -> Report:
    tickets = [t for t in read_tickets(CASES / "events.csv", grouped=True) if t.created_at <= NOW]
    return Report.from_results(((t, evaluate(t, policy, now=NOW)) for t in tickets), policy=policy)


class Page:
    """A statement opened in Chromium, with what it logged and requested."""

    def __init__(self, page: Any, url: str) -> None:
        self.page, self.url = page, url
        self.console: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", lambda m: self.console.append((m.type, m.text)))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.goto(url, wait_until="load")


@pytest.fixture(scope="module", params=sorted(CUSTOMERS))
def opened(
    request: pytest.FixtureRequest, browser_context: Any, report: Report, tmp_path_factory: Any
) -> Iterator[tuple[str, Page]]:
    key = request.param
    html = report.statement(customer=CUSTOMERS[key], month=MONTH).html()
    path = tmp_path_factory.mktemp("statements") / f"{key}.html"
    path.write_text(html, encoding="utf-8")
    page = browser_context.new_page()
    try:
        yield key, Page(page, path.as_uri())
    finally:
        page.close()


# -- what the Report says ------------------------------------------------------------


def _share(v: float | None) -> str:
    return "—" if v is None else f"{v:.1%}"


def _span(td: timedelta | None) -> str:
    return "—" if td is None else str(Duration.from_timedelta(td))


def _raw(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, timedelta):
        return repr(v.total_seconds())
    if isinstance(v, datetime):
        return v.isoformat()
    return str(v)


def _month(row: Any) -> str:
    created = row["created_at"]
    if not isinstance(created, datetime):
        created = datetime.fromisoformat(created)
    return f"{created.astimezone(NY):%Y-%m}"


def expected_figures(report: Report, customer: str) -> dict[tuple[Any, ...], tuple[str, str]]:
    """(section, context…, figure) -> (data-value, text), from the Report."""
    own = [r for r in report.rows if r.get("field.customer") == customer]
    rows = [r for r in own if _month(r) == MONTH]
    sub = Report(rows, tz=NY)
    out: dict[tuple[Any, ...], tuple[str, str]] = {}
    totals = list(sub.attainment())
    sums = {
        "tickets": len({r["ticket_id"] for r in rows}),
        "clocks": sum(r.total for r in totals),
        "met": sum(r.met for r in totals),
        "breached": sum(r.breached for r in totals),
        "open": sum(r.running + r.paused for r in totals),
    }
    for name, value in sums.items():
        out[("summary", name)] = (str(value), str(value))
    attainment = [(r.metric, "*", r) for r in totals]
    attainment += [(r.metric, r.group[0], r) for r in sub.attainment(by=["severity"])]
    for metric, sev, r in attainment:
        for name, value in [("total", r.total), ("met", r.met), ("breached", r.breached),
                            ("open", r.running + r.paused)]:  # fmt: skip
            out[("attainment", metric, sev, name)] = (str(value), str(value))
        out[("attainment", metric, sev, "share_met")] = (_raw(r.share_met), _share(r.share_met))
    breaches = list(sub.breaches())
    if breaches:
        out[("breaches", "breach_count")] = (str(len(breaches)), str(len(breaches)))
    else:
        out[("breaches", "breach_count")] = ("0", "No breaches")
    for b in breaches:
        key = ("breaches", b.ticket_id, b.metric, str(b.cycle))
        local = b.deadline.astimezone(NY) if b.deadline else None
        when = "—" if local is None else f"{local:%a} {local.day} {local:%b %Y %H:%M}"
        out[(*key, "deadline")] = (_raw(b.deadline), when)
        out[(*key, "late_business")] = (_raw(b.late_business), _span(b.late_business))
        out[(*key, "late_wall")] = (_raw(b.late_wall), _span(b.late_wall))
    trend_rows = [r for r in own if _month(r) in ("2026-10", MONTH)]
    for r in Report(trend_rows, tz=NY).attainment(by=["month"]):
        key = ("trend", r.group[0], r.metric)
        out[(*key, "share_met")] = (_raw(r.share_met), _share(r.share_met))
        out[(*key, "met")] = (str(r.met), str(r.met))
        out[(*key, "decided")] = (str(r.met + r.breached), str(r.met + r.breached))
    plans: dict[str, set[str]] = {}
    for r in rows:
        plans.setdefault(str(r["plan"]), set()).add(r["ticket_id"])
    for plan in plans:
        out[("agreement", "plan", plan)] = (plan, plan)
    return out


def dom_key(f: dict[str, Any]) -> tuple[Any, ...]:
    section, name = f["section"], f["figure"]
    if section == "summary":
        return (section, name)
    if section == "attainment":
        return (section, f["metric"], f["severity"], name)
    if section == "breaches" and name == "breach_count":
        return (section, name)
    if section == "breaches":
        return (section, f["ticket"], f["metric"], f["cycle"], name)
    if section == "trend":
        return (section, f["month"], f["metric"], name)
    if section == "agreement":
        return (section, name, f["value"])
    return (section, name)


class TestFigures:
    def test_every_figure_is_the_reports(self, opened: tuple[str, Page], report: Report) -> None:
        key, page = opened
        figures = page.page.evaluate(READ_FIGURES)
        header = {f["figure"]: f for f in figures if f["section"] is None}
        assert header["customer"]["text"] == CUSTOMERS[key]
        assert header["timezone"]["value"] == "America/New_York"
        assert header["now"]["value"] == NOW.isoformat()
        got = {dom_key(f): (f["value"], f["text"]) for f in figures if f["section"] is not None}
        assert len(got) == len(figures) - len(header)  # no two figures share a context
        assert got == expected_figures(report, CUSTOMERS[key])

    def test_every_chart_mark_is_the_reports(
        self, opened: tuple[str, Page], report: Report
    ) -> None:
        key, page = opened
        marks = page.page.evaluate(READ_MARKS)
        rows = [
            r for r in report.rows
            if r.get("field.customer") == CUSTOMERS[key] and _month(r) == MONTH
        ]  # fmt: skip
        label = {"first_response": "First response", "resolution": "Resolution"}
        expected = {
            ("periods-chart", label[r.metric], r.group[0].split("-")[1], repr(r.share_met))
            for r in Report(rows, tz=NY).attainment(by=["week"])
            if r.share_met is not None
        }
        got = {(m["chart"], m["series"], m["category"], m["value"]) for m in marks}
        assert {g for g in got if g[0] == "periods-chart"} == expected
        assert all(m["title"] for m in marks)  # every mark has its tooltip

    def test_breaches_or_none(self, opened: tuple[str, Page]) -> None:
        key, page = opened
        text = page.page.inner_text("#breaches")
        if key == "globex":
            assert "No breaches" in text
        else:
            assert page.page.locator("#breaches tbody tr").count() >= 1
            assert "counted" in text  # the explain() line


class TestPageHealth:
    def test_no_console_errors_no_scripts_no_dialogs(self, opened: tuple[str, Page]) -> None:
        _, page = opened
        assert [m for m in page.console if m[0] in ("error", "warning")] == []
        assert page.errors == []
        assert page.dialogs == []  # the hostile name ran nothing

    def test_no_network(self, opened: tuple[str, Page]) -> None:
        _, page = opened
        assert page.requests == [page.url]
        resources = page.page.evaluate(
            "() => performance.getEntriesByType('resource').map(e => e.name)"
        )
        assert resources == []

    def test_accessibility_basics(self, opened: tuple[str, Page]) -> None:
        key, page = opened
        a11y = page.page.evaluate(READ_A11Y)
        assert a11y["h1"] == ["Service level statement November 2026"]
        assert a11y["lang"] == "en"
        assert a11y["scripts"] == 0
        assert CUSTOMERS[key] in a11y["title"]
        assert a11y["tables"], "no tables"
        for table in a11y["tables"]:
            assert table["caption"].strip(), table
            assert table["headers"], table
            assert set(table["headers"]) == {"col"}, table
        assert len(a11y["charts"]) == 2
        for chart in a11y["charts"]:
            assert chart["role"] == "img"
            assert len(chart["labels"]) == 2
            assert all(x.strip() for x in chart["labels"])
            assert chart["caption"].strip()

    def test_screenshot(self, opened: tuple[str, Page], artifacts: Path) -> None:
        key, page = opened
        path = artifacts / f"statement-{key}.png"
        page.page.screenshot(path=str(path), full_page=True)
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width = int.from_bytes(data[16:20], "big")
        height = int.from_bytes(data[20:24], "big")
        assert width == 1000
        assert height > 1200

    def test_print_to_pdf(self, opened: tuple[str, Page], artifacts: Path) -> None:
        key, page = opened
        page.page.emulate_media(media="print")
        overflow = page.page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        pdf = page.page.pdf(format="A4", print_background=True)
        page.page.emulate_media(media="screen")
        (artifacts / f"statement-{key}.pdf").write_bytes(pdf)
        assert pdf[:5] == b"%PDF-"
        pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
        assert 1 <= pages <= 6
        assert overflow <= 0  # nothing wider than the page
