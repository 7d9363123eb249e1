"""HTML for notebooks: a ticket's clocks, one clock, an audit trail (``explain()``) and
an agreement's matrix as tables; a calendar's week as a grid. Plain ``<table>`` with a
``<caption>`` and header cells, so the notebook's own table style applies; status in its
colour; every text escaped (ticket ids and fields are untrusted).

The ``_repr_html_`` methods call :func:`ticket_html`, :func:`metric_html`,
:func:`explanation_html` and :func:`policy_html`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html import escape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .calendar import WeeklyHours
    from .policy import Policy
    from .results import Explanation, MetricResult, TicketSla

__all__ = ["explanation_html", "metric_html", "policy_html", "ticket_html", "week_html"]

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


def _span(td: timedelta | None) -> str:
    from .durations import Duration

    if td is None:
        return "—"
    if td < timedelta(0):
        return "-" + str(Duration.from_timedelta(-td))
    return str(Duration.from_timedelta(td))


def _status(status: str) -> str:
    colour = _STATUS_COLOURS.get(status, "inherit")
    return f'<span style="color:{colour};font-weight:bold">{escape(status)}</span>'


def metric_html(m: MetricResult) -> str:
    """One clock as a two-column table: status, target, calendar, times, business time
    used and left, pauses, and the internal target beside the public one."""
    rows: list[tuple[str, str]] = [
        ("status", _status(m.status) + (" ⚠ at risk" if m.at_risk else "")),
        ("severity", escape(m.severity)),
        ("target", escape(str(m.target))),
        ("calendar", escape(m.calendar)),
        ("started", _t(m.started_at)),
        ("deadline", _t(m.deadline)),
        ("stopped", _t(m.stopped_at)),
        ("business time used", f"{_span(m.business_elapsed)} ({m.share_used:.0%} of target)"),
        ("business time left", _span(m.business_remaining)),
        ("breached at", _t(m.breached_at)),
        ("wall time to deadline", _span(m.wall_remaining)),
        ("pauses", ", ".join(
            f"{escape(p.status)} {_t(p.start)} → {_t(p.end)}" for p in m.pauses
        ) or "—"),
    ]  # fmt: skip
    if m.internal is not None:
        i = m.internal
        rows.append(
            (
                "internal target",
                f"{escape(str(i.target))}: {_status(i.status)}, deadline {_t(i.deadline)}, "
                f"used {i.share_used:.0%}",
            )
        )
    body = "".join(f'<tr><th scope="row">{k}</th><td>{v}</td></tr>' for k, v in rows)
    return (
        f"<table><caption>{escape(m.label)}</caption>"
        '<thead><tr><th scope="col">field</th><th scope="col">value</th></tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


def explanation_html(explanation: Explanation) -> str:
    """The audit trail of a ticket's clocks: every span, counted or not, and why."""
    from .results import metric_label

    head = (
        '<tr><th scope="col">clock</th><th scope="col">from</th><th scope="col">to</th>'
        '<th scope="col">counted</th><th scope="col">business time</th>'
        '<th scope="col">reason</th></tr>'
    )
    rows = []
    current: tuple[str, int] | None = None
    for ln in explanation.lines:
        label = ""
        if (ln.metric, ln.cycle) != current:
            current = (ln.metric, ln.cycle)
            label = escape(metric_label(ln.metric, ln.cycle))
        shade = "" if ln.counted else ' style="color:#6d6d6d"'
        rows.append(
            f'<tr{shade}><th scope="row">{label}</th><td>{_t(ln.start)}</td>'
            f"<td>{_t(ln.end) if ln.end is not None else '…'}</td>"
            f"<td>{'yes' if ln.counted else 'no'}</td><td>{_span(ln.business)}</td>"
            f"<td>{escape(ln.reason)}</td></tr>"
        )
    return (
        f"<table><caption>Ticket {escape(explanation.ticket_id)}: what counted and why"
        f"</caption><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"
    )


def policy_html(policy: Policy, *, when: datetime | None = None) -> str:
    """An agreement's severity matrix as one table per plan edition (targets with their
    calendar, internal targets in grey), then its calendars, aliases and entitlements.
    The terms are those in force for tickets created at ``when`` (default: the latest
    terms, in force from the last dated version on)."""
    from .statement import _describe_calendar, _targets_of

    at = when or datetime(2199, 1, 1, tzinfo=UTC)
    plans: list[str | None] = [*policy.plans] or [None]
    title = escape(policy.name or "Agreement")
    parts = [f"<div><p><strong>{title}</strong></p>"]
    for plan in plans:
        terms = policy.terms_for(plan, at)
        cells: dict[tuple[str, str], Any] = {}
        for sev, targets in terms.severities.items():
            for metric, target in _targets_of(targets):
                cells[(sev, metric)] = target
        metrics = list(dict.fromkeys(m for _, m in cells))
        head = "".join(f'<th scope="col">{escape(m)}</th>' for m in metrics)
        body = []
        for sev in terms.severities:
            tds = []
            for metric in metrics:
                t = cells.get((sev, metric))
                if t is None:
                    tds.append('<td style="color:#6d6d6d">—</td>')
                    continue
                cal = escape(t.calendar or terms.default_calendar)
                text = f'{escape(str(t.within))} <small style="color:#6d6d6d">on {cal}</small>'
                if t.internal is not None:
                    text += (
                        f' <small style="color:#6d6d6d">(internal {escape(str(t.internal))})'
                        "</small>"
                    )
                tds.append(f"<td>{text}</td>")
            body.append(f'<tr><th scope="row">{escape(sev)}</th>{"".join(tds)}</tr>')
        name = "" if plan is None else f"plan {escape(plan)}"
        if plan is not None and plan == policy.default_plan:
            name += " (default)"
        extends = policy.plans[plan].extends if plan is not None else None
        if extends:
            name += f", extends {escape(extends)}"
        caption = f"{title} — {name}" if name else title
        parts.append(
            f"<table><caption>{caption}</caption><thead><tr>"
            f'<th scope="col">severity</th>{head}</tr></thead><tbody>{"".join(body)}</tbody>'
            "</table>"
        )
        extra = []
        if terms.aliases:
            extra.append(
                "aliases: "
                + ", ".join(f"{escape(a)} → {escape(s)}" for a, s in terms.aliases.items())
            )
        if terms.entitlements:
            extra.append(
                "entitlements: "
                + ", ".join(f"{escape(k)}: {escape(str(v))}" for k, v in terms.entitlements.items())
            )
        if extra:
            parts.append(f'<p style="color:#6d6d6d">{"; ".join(extra)}</p>')
    calendars: dict[str, Any] = {}
    for plan in plans:
        calendars.update(policy.terms_for(plan, at).calendars)
    cal_items = "".join(
        f"<li><strong>{escape(n)}</strong>: {escape(_describe_calendar(c))}</li>"
        for n, c in calendars.items()
    )
    parts.append(f"<p>calendars:</p><ul>{cal_items}</ul></div>")
    return "".join(parts)
