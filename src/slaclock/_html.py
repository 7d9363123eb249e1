"""HTML for notebooks: a ticket's clocks as a table, a calendar's week as a grid."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .calendar import WeeklyHours
    from .results import Explanation, MetricResult, TicketSla

_STATUS_COLOURS = {
    "met": "#2e7d32",
    "breached": "#c62828",
    "running": "#1565c0",
    "paused": "#6d6d6d",
}


def ticket_html(sla: TicketSla) -> str:
    """A table of a ticket's clocks, coloured by status."""
    head = (
        "<tr><th>metric</th><th>status</th><th>target</th><th>calendar</th>"
        "<th>started</th><th>deadline</th><th>stopped</th><th>used</th><th>internal</th></tr>"
    )
    rows = []
    for m in sla.metrics:
        label = m.label
        colour = _STATUS_COLOURS[m.status]
        risk = " ⚠" if m.at_risk else ""
        internal = "—"
        if m.internal is not None:
            internal = f"{escape(str(m.internal.target))}: {m.internal.status}"
        rows.append(
            "<tr>"
            f"<td>{escape(label)}</td>"
            f'<td style="color:{colour};font-weight:bold">{m.status}{risk}</td>'
            f"<td>{escape(str(m.target))}</td><td>{escape(m.calendar)}</td>"
            f"<td>{_t(m.started_at)}</td><td>{_t(m.deadline)}</td><td>{_t(m.stopped_at)}</td>"
            f"<td>{m.share_used:.0%}</td><td>{internal}</td>"
            "</tr>"
        )
    title = f"Ticket {escape(sla.ticket_id)} — {escape(sla.severity)}"
    if sla.plan:
        title += f", plan {escape(sla.plan)}"
    title += f", at {sla.now:%Y-%m-%d %H:%M %Z}"
    return (
        f"<table><caption>{title}</caption><thead>{head}</thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _t(value: object) -> str:
    from datetime import datetime

    if isinstance(value, datetime):
        return escape(value.strftime("%a %Y-%m-%d %H:%M %Z"))
    return "—"


def week_html(week: WeeklyHours) -> str:
    """A 7 x 24 grid of the week's open hours (shaded cells are open, partly open hours
    are lighter)."""
    from ._hours import DAYS, parse_interval

    cells = []
    for day in DAYS:
        spans = [
            parse_interval(iv, where="describe", allow_overnight=False, warn=False)
            for iv in week.days[day]
        ]
        row = [f"<th>{day}</th>"]
        for hour in range(24):
            a, b = hour * 3600, (hour + 1) * 3600
            covered = sum(max(0, min(e, b) - max(s, a)) for s, e in spans)
            shade = "#4caf50" if covered == 3600 else ("#c8e6c9" if covered else "#f5f5f5")
            row.append(f'<td style="background:{shade};width:14px;height:14px"></td>')
        cells.append("<tr>" + "".join(row) + "</tr>")
    hours = "".join(f'<th style="font-size:70%">{h:02d}</th>' for h in range(24))
    when = f"week of {week.week_of}" if week.week_of else "regular week"
    return (
        f'<table style="border-collapse:collapse"><caption>Open hours in '
        f"{escape(week.timezone)} ({when})</caption><thead><tr><th></th>{hours}</tr></thead>"
        f"<tbody>{''.join(cells)}</tbody></table>"
    )


def metric_html(m: MetricResult) -> str:
    """One cycle as a small table."""
    rows = [
        ("status", m.status),
        ("target", str(m.target)),
        ("calendar", m.calendar),
        ("started", _t(m.started_at)),
        ("deadline", _t(m.deadline)),
        ("stopped", _t(m.stopped_at)),
        ("used", f"{m.share_used:.0%}"),
    ]
    body = "".join(f"<tr><th>{k}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    return f"<table><caption>{escape(m.label)}</caption><tbody>{body}</tbody></table>"


def explanation_html(ex: Explanation) -> str:
    """The audit trail as a table: one row per span."""
    head = "<tr><th>clock</th><th>from</th><th>to</th><th>counted</th><th>why</th></tr>"
    rows = "".join(
        f"<tr><td>{escape(ln.label or ln.metric)}</td><td>{_t(ln.start)}</td>"
        f"<td>{_t(ln.end)}</td><td>{'yes' if ln.counted else 'no'}</td>"
        f"<td>{escape(ln.reason)}</td></tr>"
        for ln in ex
    )
    return (
        f"<table><caption>Ticket {escape(ex.ticket_id)}</caption><thead>{head}</thead>"
        f"<tbody>{rows}</tbody></table>"
    )
