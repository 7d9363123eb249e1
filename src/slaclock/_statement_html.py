"""The HTML page of a :class:`~slaclock.statement.Statement`: one self-contained file
(inline CSS and SVG from :mod:`slaclock._svg`, no scripts, no external assets) that
prints cleanly to PDF.

Every figure is a ``<span data-figure="NAME" data-value="RAW">shown</span>`` inside a
row that names its context (``data-metric``, ``data-severity``, ``data-objective``,
``data-ticket``, ``data-month``), so a test reads the raw values back from the DOM and
compares them with the report's. Every text is escaped.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from html import escape
from typing import TYPE_CHECKING, Any, Final

from . import _svg
from .durations import Duration
from .statement import _days, _month_name, _parse_month

if TYPE_CHECKING:  # pragma: no cover
    from .report import AttainmentRow, ObjectiveRow
    from .results import ExplainLine
    from .statement import ObjectiveResult, Statement

__all__ = ["render"]


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _share(v: float | None) -> str:
    return "—" if v is None else f"{v:.1%}"


def _span(td: timedelta | None) -> str:
    if td is None:
        return "—"
    if td < timedelta(0):
        return "-" + str(Duration.from_timedelta(-td))
    return str(Duration.from_timedelta(td))


def _when(t: datetime | None, zone: tzinfo) -> str:
    """``"Tue 3 Nov 2026 16:00"`` in ``zone``."""
    if t is None:
        return "—"
    local = t.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y %H:%M}"


def _label(metric: str) -> str:
    """``"first_response"`` -> ``"First response"``."""
    text = metric.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _num(figure: str, value: object, text: str | None = None) -> str:
    """A figure: its text, and its raw value in ``data-value`` (durations in seconds)."""
    raw: object = value
    if value is None:
        raw = ""
    elif isinstance(value, timedelta):
        raw = value.total_seconds()
    elif isinstance(value, datetime):
        raw = value.isoformat()
    shown = _e(value if text is None else text)
    return f'<span data-figure="{figure}" data-value="{_e(raw)}">{shown}</span>'


def _section(ident: str, title: str, body: list[str]) -> list[str]:
    return [
        f'<section id="{ident}" aria-labelledby="{ident}-h">',
        f'<h2 id="{ident}-h">{_e(title)}</h2>',
        *body,
        "</section>",
    ]


def _table(cls: str, caption: str, head: list[str], rows: list[str]) -> str:
    """A table with a caption and column headers (``scope="col"``)."""
    ths = "".join(f'<th scope="col">{h}</th>' for h in head)
    return (
        f'<table class="{cls}"><caption>{caption}</caption>'
        f"<thead><tr>{ths}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def render(s: Statement) -> str:
    """The statement as one self-contained HTML page."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        generator = f"slaclock {version('slaclock')}"
    except PackageNotFoundError:  # pragma: no cover
        generator = "slaclock"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="{_e(generator)}">',
        f"<title>{_e(s.title)}</title>",
        f"<style>{_CSS}{_CSS_INTERNAL if s.internal else ''}</style>",
        "</head>",
        "<body>",
        "<main>",
        *_header(s),
        *_summary(s),
        *_agreement(s),
        *_attainment(s),
        *_objectives(s),
        *_periods(s),
        *_breaches(s),
        *_trend(s),
        *_footer(generator),
        "</main>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _header(s: Statement) -> list[str]:
    year, mon = _parse_month(s.month)
    last = _days(s.month)[-1].day
    who = "Customer" if s.by == "customer" else _label(s.by)
    agreement = (s.edition.agreement if s.edition is not None else "") or "Service level agreement"
    out = [
        "<header>",
        f'<p class="kicker">{_e(agreement)}</p>',
        f'<h1>Service level statement <span class="month">{_e(_month_name(s.month))}</span></h1>',
        '<dl class="facts">',
        f'<dt>{_e(who)}</dt><dd><strong data-figure="customer">{_e(s.customer)}</strong></dd>',
        f"<dt>Period</dt><dd>tickets opened 1–{last} {date(year, mon, 1):%B} {year}</dd>",
        f"<dt>Time zone</dt><dd>{_num('timezone', s.timezone)} (every time on this page)</dd>",
    ]
    if s.now is not None:
        out.append(f"<dt>Figures as of</dt><dd>{_num('now', s.now, _when(s.now, s.zone))}</dd>")
    out.append("</dl>")
    if s.internal:
        out.append(
            '<p class="internal-banner" role="note"><strong>Internal edition:</strong> this '
            "page shows the team's private targets. Do not send it to the customer.</p>"
        )
    out.append("</header>")
    return out


def _summary(s: Statement) -> list[str]:
    cards = [
        ("tickets", s.tickets, "tickets opened"),
        ("clocks", sum(r.total for r in s.totals), "service-level clocks"),
        ("met", sum(r.met for r in s.totals), "met their target"),
        ("breached", sum(r.breached for r in s.totals), "breached"),
        ("open", sum(r.running + r.paused for r in s.totals), "still running"),
    ]
    items = "".join(
        f'<li class="card card-{name}">{_num(name, value)}<span class="what">{_e(what)}</span></li>'
        for name, value, what in cards
    )
    return _section("summary", "At a glance", [f'<ul class="cards">{items}</ul>'])


def _yes(v: Any) -> str:
    return "yes" if v is True else "no" if v is False else str(v)


def _agreement(s: Statement) -> list[str]:
    ed = s.edition
    if ed is None:
        return _section("agreement", "Your agreement", ["<p>No agreement was given.</p>"])
    out = []
    if ed.plans:
        listed = ", ".join(
            f"{_num('plan', p)} ({n} ticket{'s' if n != 1 else ''})" for p, n in ed.plans
        )
        out.append(f"<p>Edition{'s' if len(ed.plans) > 1 else ''} in force: {listed}.</p>")
    elif ed.plan:
        out.append(f"<p>Edition: {_e(ed.plan)}.</p>")
    if ed.rules:
        out.append(f"<p>Edition chosen by: {_e('; '.join(ed.rules))}.</p>")
    metrics = list(dict.fromkeys(t.metric for t in ed.targets))
    cell = {(t.severity, t.metric): t for t in ed.targets}
    rows = []
    for sev in dict.fromkeys(t.severity for t in ed.targets):
        tds = []
        for m in metrics:
            t = cell.get((sev, m))
            if t is None:
                tds.append('<td class="none">not measured</td>')
                continue
            text = f'{_e(t.target)} <span class="cal">on {_e(t.calendar)}</span>'
            if s.internal and t.internal is not None:
                text += f' <span class="internal">internal {_e(t.internal)}</span>'
            tds.append(f"<td>{text}</td>")
        rows.append(f'<tr><th scope="row">{_e(sev)}</th>{"".join(tds)}</tr>')
    caption = f"Targets of the {_e(ed.plan)} edition" if ed.plan else "Targets"
    out.append(_table("targets", caption, ["Severity", *map(_e, map(_label, metrics))], rows))
    if ed.calendars:
        items = "".join(f"<li><strong>{_e(n)}</strong>: {_e(d)}</li>" for n, d in ed.calendars)
        out.append(
            '<p class="note">Business time counts only the open hours of each target\'s '
            f'calendar:</p><ul class="calendars">{items}</ul>'
        )
    if ed.entitlements:
        rows = [
            f'<tr><th scope="row">{_e(k)}</th><td>{_e(_yes(v))}</td></tr>'
            for k, v in ed.entitlements
        ]
        out.append(_table("entitlements", "Entitlements", ["Entitlement", "Included"], rows))
    return _section("agreement", "Your agreement", out)


def _in_order(s: Statement) -> list[AttainmentRow]:
    """The month's per-metric totals in the statement's metric order (one colour per
    metric across both charts)."""
    totals = {r.metric: r for r in s.totals}
    return [totals[m] for m in s.metrics if m in totals]


def _attainment_cells(r: AttainmentRow, internal: bool) -> str:
    cells = [
        _num("total", r.total),
        _num("met", r.met),
        _num("breached", r.breached),
        _num("open", r.running + r.paused),
        _num("share_met", r.share_met, _share(r.share_met)),
    ]
    if internal:
        cells += [
            _num("internal_met", r.internal_met),
            _num("internal_breached", r.internal_breached),
            _num("internal_share_met", r.internal_share_met, _share(r.internal_share_met)),
        ]
    return "".join(f'<td class="n">{c}</td>' for c in cells)


def _attainment(s: Statement) -> list[str]:
    title = "Attainment by metric and severity"
    if not s.totals:
        month = _e(_month_name(s.month))
        return _section("attainment", title, [f"<p>No tickets were opened in {month}.</p>"])
    head = ["Metric", "Severity", "Clocks", "Met", "Breached", "Still running", "Met share"]
    if s.internal:
        head += ["Internal met", "Internal breached", "Internal met share"]
    per = {(r.metric, r.group[0]): r for r in s.attainment}
    rows = []
    for t in _in_order(s):
        metric, label = _e(t.metric), _e(_label(t.metric))
        for sev in s.severities:
            r = per.get((t.metric, sev))
            if r is not None:
                rows.append(
                    f'<tr data-metric="{metric}" data-severity="{_e(sev)}"><th scope="row">'
                    f"{label}</th><td>{_e(sev)}</td>{_attainment_cells(r, s.internal)}</tr>"
                )
        rows.append(
            f'<tr class="total" data-metric="{metric}" data-severity="*"><th scope="row">'
            f"{label}</th><td>all severities</td>{_attainment_cells(t, s.internal)}</tr>"
        )
    caption = (
        "Clocks of the tickets opened this month: met or breached against the contractual "
        "target, or still running"
    )
    note = (
        '<p class="note">Met share = met ÷ (met + breached); clocks still running are not '
        "decided yet.</p>"
    )
    return _section("attainment", title, [_table("attainment", caption, head, rows), note])


def _objective_rows(k: int, o: ObjectiveResult) -> list[str]:
    scope = ", ".join(o.severities) if o.severities else "all severities"
    name = _e(f"{o.goal} — {_label(o.metric)} ({scope})")
    pairs: list[tuple[str, ObjectiveRow]] = [(str(r.group[0]), r) for r in o.rows]
    if o.total is not None:
        pairs = [*pairs, ("*", o.total)] if len(pairs) > 1 else [("*", o.total)]
    if not pairs:
        return [
            f'<tr data-objective="{k}" data-severity="*"><th scope="row">{name}</th>'
            '<td>—</td><td class="n">0</td><td class="n">0</td><td class="n">—</td>'
            "<td>no clocks this month</td></tr>"
        ]
    out = []
    for sev, r in pairs:
        verdict = "not decided yet" if r.ok is None else ("met" if r.ok else "missed")
        cls = "verdict" + ("" if r.ok is None else (" ok" if r.ok else " missed"))
        total = ' class="total"' if sev == "*" else ""
        ok = "" if r.ok is None else str(r.ok).lower()
        out.append(
            f'<tr data-objective="{k}" data-severity="{_e(sev)}"{total}>'
            f'<th scope="row">{name}</th>'
            f"<td>{_e('all in scope' if sev == '*' else sev)}</td>"
            f'<td class="n">{_num("decided", r.decided)}</td>'
            f'<td class="n">{_num("hits", r.hits)}</td>'
            f'<td class="n">{_num("share", r.share, _share(r.share))}</td>'
            f'<td class="{cls}">{_num("ok", ok, verdict)}</td></tr>'
        )
    return out


def _objectives(s: Statement) -> list[str]:
    title = "Service objectives"
    if not s.objectives:
        text = (
            "<p>No service objective is set beyond each ticket's own target; attainment is "
            "shown alone.</p>"
        )
        return _section("objectives", title, [text])
    rows = [row for k, o in enumerate(s.objectives) for row in _objective_rows(k, o)]
    head = ["Objective", "Severity", "Decided", "Within", "Achieved", "Result"]
    caption = "Share of decided clocks within each objective"
    return _section("objectives", title, [_table("objectives", caption, head, rows)])


def _period_label(key: str, granularity: str) -> str:
    return str(int(key[-2:])) if granularity == "day" else key.split("-")[1]


def _period_name(key: str, granularity: str) -> str:
    if granularity == "day":
        d = date.fromisoformat(key)
        return f"{d:%a} {d.day} {d:%b}"
    year, week = key.split("-W")
    monday = date.fromisocalendar(int(year), int(week), 1)
    sunday = monday + timedelta(days=6)
    return f"week {int(week)} ({monday.day} {monday:%b}–{sunday.day} {sunday:%b})"


def _references(s: Statement) -> tuple[_svg.Reference, ...]:
    """One dashed line per objective share, naming the metrics it is for."""
    metrics: dict[float, list[str]] = {}
    for o in s.objectives:
        metrics.setdefault(o.share, []).append(_label(o.metric))
    return tuple(
        _svg.Reference(v, f"objective {v:.0%} ({', '.join(dict.fromkeys(metrics[v]))})")
        for v in sorted(metrics)
    )


def _decided(r: AttainmentRow) -> str:
    text = f"{_share(r.share_met)} met ({r.met} of {r.met + r.breached} decided"
    running = r.running + r.paused
    return text + (f", {running} still running)" if running else ")")


def _periods(s: Statement) -> list[str]:
    kind = "Daily" if s.granularity == "day" else "Weekly"
    title = f"{kind} attainment"
    if not s.totals:
        return _section("periods", title, ["<p>No clocks to chart this month.</p>"])
    cells = {(r.metric, r.group[0]): r for r in s.by_period}
    series = []
    for metric in s.metrics:  # every metric of the trend too: one colour per metric
        values: list[float | None] = []
        notes: list[str] = []
        for p in s.periods:
            r = cells.get((metric, p))
            values.append(None if r is None else r.share_met)
            what = "no clocks" if r is None else _decided(r)
            notes.append(f"{_label(metric)}, {_period_name(p, s.granularity)}: {what}")
        series.append(_svg.Series(_label(metric), tuple(values), tuple(notes)))
    unit = "day" if s.granularity == "day" else "ISO week"
    month = _month_name(s.month)
    chart = _svg.Chart(
        ident="periods-chart",
        title=f"{kind} share of clocks met, {month}",
        description=(
            f"Bar chart: for each {unit} of {month} (by the day tickets were opened, "
            f"{s.timezone}), the share of decided clocks that met their target, one bar per "
            "metric. Periods without decided clocks have no bar."
        ),
        categories=tuple(_period_label(p, s.granularity) for p in s.periods),
        series=tuple(series),
        y_label="met",
        references=_references(s),
        width=720,
        height=280,
    )
    caption = (
        f"{kind} share of decided clocks met, by the {unit} each ticket was opened ({s.timezone})."
    )
    figure = f"<figure>{_svg.bar_chart(chart)}<figcaption>{_e(caption)}</figcaption></figure>"
    return _section("periods", title, [figure])


def _why(line: ExplainLine | None, zone: tzinfo) -> str:
    """One ``explain()`` line in the customer's zone."""
    if line is None:
        return "—"
    start = _when(line.start, zone)
    if line.end is None:
        end = "now"
    elif line.end.astimezone(zone).date() == line.start.astimezone(zone).date():
        end = f"{line.end.astimezone(zone):%H:%M}"
    else:
        end = _when(line.end, zone)
    what = f"counted {_span(line.business)}" if line.counted else "not counted"
    return f"{start} → {end}: {what} ({line.reason})"


def _breaches(s: Statement) -> list[str]:
    if not s.breaches:
        text = (
            f'<p class="none">{_num("breach_count", 0, "No breaches")}: every clock of this '
            "month's tickets met its target or is still within it.</p>"
        )
        return _section("breaches", "Breaches", [text])
    rows = []
    for line in s.breaches:
        b = line.breach
        label = _label(b.metric) + (f" #{b.cycle}" if b.cycle else "")
        rows.append(
            f'<tr data-ticket="{_e(b.ticket_id)}" data-metric="{_e(b.metric)}" '
            f'data-cycle="{b.cycle}"><th scope="row">{_e(b.ticket_id)}</th>'
            f"<td>{_e(label)}</td><td>{_e(b.severity)}</td>"
            f"<td>{_num('deadline', b.deadline, _when(b.deadline, s.zone))}</td>"
            f'<td class="n">{_num("late_business", b.late_business, _span(b.late_business))}</td>'
            f'<td class="n">{_num("late_wall", b.late_wall, _span(b.late_wall))}</td>'
            f'<td class="why">{_e(_why(line.explanation, s.zone))}</td></tr>'
        )
    n = len(s.breaches)
    caption = (
        f"{_num('breach_count', n)} breached clock{'s' if n != 1 else ''}, earliest deadline first"
    )
    head = ["Ticket", "Metric", "Severity", "Deadline", "Late (business time)",
            "Late (wall clock)", "Why"]  # fmt: skip
    note = (
        '<p class="note">Late (business time): business time used beyond the target. Late '
        "(wall clock): from the deadline to the reply or solve, or to the time of these "
        "figures while the clock still runs. Why: the span of the target's calendar in which "
        "the target ran out.</p>"
    )
    return _section("breaches", "Breaches", [_table("breaches", caption, head, rows), note])


def _trend(s: Statement) -> list[str]:
    cells = {(r.metric, r.group[0]): r for r in s.trend}
    labels = tuple(f"{date(*_parse_month(m), 1):%b %Y}" for m in s.trend_months)
    out = []
    series = []
    for m in s.metrics:
        values: list[float | None] = []
        notes: list[str] = []
        for month, label in zip(s.trend_months, labels, strict=True):
            r = cells.get((m, month))
            values.append(None if r is None else r.share_met)
            notes.append(f"{_label(m)}, {label}: {'no clocks' if r is None else _decided(r)}")
        series.append(_svg.Series(_label(m), tuple(values), tuple(notes)))
    if series:
        chart = _svg.Chart(
            ident="trend-chart",
            title=f"Share of clocks met per month, {labels[0]} to {labels[-1]}",
            description=(
                f"Line chart: for each of the last {len(labels)} months, the share of decided "
                "clocks that met their target, one line per metric. Months without decided "
                "clocks have no point."
            ),
            categories=labels,
            series=tuple(series),
            y_label="met",
            references=_references(s),
            width=720,
            height=260,
        )
        caption = (
            f"Share of decided clocks met per month (tickets by the month they were opened, "
            f"{s.timezone})."
        )
        out.append(
            f"<figure>{_svg.line_chart(chart)}<figcaption>{_e(caption)}</figcaption></figure>"
        )
    rows = []
    for month, label in zip(s.trend_months, labels, strict=True):
        tds = []
        for m in s.metrics:
            r = cells.get((m, month))
            if r is None:
                tds.append('<td class="n none">—</td>')
                continue
            tds.append(
                f'<td class="n" data-metric="{_e(m)}">'
                f"{_num('share_met', r.share_met, _share(r.share_met))} "
                f'<span class="of">({_num("met", r.met)}/{_num("decided", r.met + r.breached)})'
                "</span></td>"
            )
        rows.append(f'<tr data-month="{month}"><th scope="row">{_e(label)}</th>{"".join(tds)}</tr>')
    head = ["Month", *(_e(_label(m)) for m in s.metrics)]
    out.append(_table("trend", "Share met per month (met / decided clocks)", head, rows))
    return _section("trend", "Month over month", out)


def _footer(generator: str) -> list[str]:
    return [
        "<footer>",
        "<p>A clock measures one service-level target of one ticket (for example the first "
        "response). It is <em>met</em> when it stopped within its target and "
        "<em>breached</em> when it was still running at its deadline. Targets count business "
        "time on the calendar the agreement names. Tickets count in the month they were "
        "opened.</p>",
        f"<p>Produced by {_e(generator)}.</p>",
        "</footer>",
    ]


_CSS: Final = """
:root { --ink: #212121; --muted: #5f5f5f; --rule: #e0e0e0; --met: #2e7d32;
  --breached: #c62828; --accent: #0072b2; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
main { max-width: 980px; margin: 0 auto; padding: 24px 28px 40px; }
header { border-bottom: 3px solid var(--accent); padding-bottom: 12px; margin-bottom: 8px; }
.kicker { margin: 0; color: var(--accent); font-weight: 600; letter-spacing: .02em; }
h1 { font-size: 26px; margin: 4px 0 10px; }
h1 .month { color: var(--muted); font-weight: 400; }
h2 { font-size: 18px; margin: 26px 0 8px; padding-bottom: 4px;
  border-bottom: 1px solid var(--rule); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
ul.cards { list-style: none; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: 10px; }
ul.cards li { border: 1px solid var(--rule); border-radius: 6px; padding: 8px 14px;
  min-width: 150px; }
ul.cards [data-figure] { display: block; font-size: 24px; font-weight: 600; }
.card-met [data-figure] { color: var(--met); }
.card-breached [data-figure] { color: var(--breached); }
.what { color: var(--muted); }
table { border-collapse: collapse; margin: 8px 0 4px; width: 100%; }
caption { text-align: left; color: var(--muted); padding-bottom: 4px; caption-side: top; }
th, td { border-bottom: 1px solid var(--rule); padding: 4px 8px; text-align: left;
  vertical-align: top; }
thead th { border-bottom: 2px solid #9e9e9e; font-weight: 600; }
tbody th { font-weight: 500; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.total td, tr.total th { font-weight: 600; background: #fafafa; }
td.none { color: var(--muted); }
.cal, .of { color: var(--muted); font-size: 90%; }
.verdict.ok { color: var(--met); font-weight: 600; }
.verdict.missed { color: var(--breached); font-weight: 600; }
table.breaches td.why { color: var(--muted); font-size: 92%; }
table.breaches tbody th { white-space: nowrap; }
table.entitlements, table.targets { width: auto; min-width: 50%; }
p.note { color: var(--muted); font-size: 92%; margin: 4px 0; }
ul.calendars { margin: 2px 0 8px; color: var(--muted); font-size: 92%; }
figure { margin: 8px 0; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: 92%; }
footer { margin-top: 30px; border-top: 1px solid var(--rule); color: var(--muted);
  font-size: 90%; }
@page { size: A4; margin: 14mm; }
@media print {
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid-page; }
  figure, ul.cards, tr, table.targets, table.entitlements { break-inside: avoid; }
  ul.cards li { min-width: 0; flex: 1; padding: 6px 10px; }
}
"""
# Only on an internal edition (a customer's page never mentions internal targets).
_CSS_INTERNAL: Final = """
.internal-banner { background: #fff3e0; border: 1px solid #e65100; padding: 6px 10px; }
.internal { color: #e65100; }
"""
