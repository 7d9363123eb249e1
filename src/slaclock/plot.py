"""Plots for notebooks (needs the optional ``matplotlib``: ``pip install slaclock[plot]``).

:func:`plot_ticket` draws one row per clock on a time axis, from the clock's
``explain()`` spans: time that counted, closed hours and holidays, pauses, and other
time not counted (after a solve, before a restart), each in its own style; the
deadline, the internal deadline, the breach and the stop marked; a legend; and the time
zone in the axis label (the zone of the clocks' calendar by default, ``tz=`` to choose).
:func:`plot_attainment` draws the share met per metric over time buckets, whose zone
(the report's) is in the axis label.
"""

from __future__ import annotations

import importlib
from datetime import tzinfo
from typing import TYPE_CHECKING, Any

from .errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    from .report import Report
    from .results import ExplainLine, TicketSla

__all__ = ["SPAN_STYLES", "plot_attainment", "plot_ticket", "span_kind"]

# How each kind of explain() span is drawn (also the legend's entries).
SPAN_STYLES: dict[str, dict[str, Any]] = {
    "counted": {"facecolor": "#66bb6a", "edgecolor": "none", "label": "counted"},
    "closed": {"facecolor": "#e0e0e0", "edgecolor": "none", "label": "closed hours / holiday"},
    "paused": {"facecolor": "white", "edgecolor": "#757575", "hatch": "///", "label": "paused"},
    "other": {"facecolor": "#fff8e1", "edgecolor": "#bdbdbd", "hatch": "..",
              "label": "not counted (solved, restarted…)"},
}  # fmt: skip
_DEADLINE = {"color": "#1565c0", "lw": 2}
_INTERNAL = {"color": "#ef6c00", "lw": 1.5, "ls": "--"}


def _pyplot() -> Any:
    try:
        plt = importlib.import_module("matplotlib.pyplot")
    except ImportError:  # pragma: no cover - depends on the environment
        raise ConfigError(
            "plotting needs matplotlib: pip install 'slaclock[plot]' (or matplotlib)"
        ) from None
    return plt


def span_kind(line: ExplainLine) -> str:
    """Which style an ``explain()`` span gets: ``counted``, ``closed`` (closed hours,
    holidays, overrides), ``paused`` or ``other``."""
    if line.counted:
        return "counted"
    reason = line.reason.lower()
    if reason.startswith("paused"):
        return "paused"
    if reason.startswith(("closed", "holiday")):
        return "closed"
    return "other"


def _zone(tz: str | tzinfo | None, sla: TicketSla) -> tuple[tzinfo, str]:
    if isinstance(tz, str):
        from .statement import resolve_zone

        zone, name, _ = resolve_zone(tz, None)
        return zone, name
    if tz is not None:
        return tz, str(tz)
    # The zone of the first clock's calendar (results are in their calendar's zone).
    instants = [m.started_at for m in sla.metrics] + [sla.now]
    zone = next(t.tzinfo for t in instants if t.tzinfo is not None)
    return zone, str(zone)


def plot_ticket(sla: TicketSla, ax: Any = None, *, tz: str | tzinfo | None = None) -> Any:
    """Draw a ticket's clocks; returns the matplotlib ``Axes``. Times are shown in
    ``tz`` (default: the zone of the first clock's calendar), named in the axis label."""
    plt = _pyplot()
    mdates: Any = importlib.import_module("matplotlib.dates")
    patches: Any = importlib.import_module("matplotlib.patches")
    mlines: Any = importlib.import_module("matplotlib.lines")

    zone, zone_name = _zone(tz, sla)
    if ax is None:
        _, ax = plt.subplots(figsize=(11, 1.4 + 0.55 * max(2, len(sla.metrics))))
    lines = list(sla.explain())
    labels = []
    used: set[str] = set()
    marks: set[str] = set()
    for row, m in enumerate(sla.metrics):
        labels.append(m.label)
        for ln in lines:
            if ln.metric != m.name or ln.cycle != m.cycle:
                continue
            end = ln.end if ln.end is not None else sla.now
            start = mdates.date2num(ln.start)
            kind = span_kind(ln)
            used.add(kind)
            style = {k: v for k, v in SPAN_STYLES[kind].items() if k != "label"}
            ax.broken_barh([(start, mdates.date2num(end) - start)], (row - 0.35, 0.7), **style)
        if m.deadline is not None:
            ax.plot([m.deadline, m.deadline], [row - 0.45, row + 0.45], **_DEADLINE)
            marks.add("deadline")
        if m.internal is not None and m.internal.deadline is not None:
            d = m.internal.deadline
            ax.plot([d, d], [row - 0.45, row + 0.45], **_INTERNAL)
            marks.add("internal")
        if m.breached_at is not None:
            ax.plot([m.breached_at], [row], marker="X", color="#c62828", markersize=11, ls="")
            marks.add("breach")
        if m.stopped_at is not None:
            ax.plot([m.stopped_at], [row], marker="|", color="black", markersize=16, ls="")
            marks.add("stop")
    ax.set_yticks(range(len(labels)))
    ax.set_yticklabels(labels)
    ax.invert_yaxis()
    ax.xaxis_date(tz=zone)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%a %m-%d %H:%M", tz=zone))
    ax.figure.autofmt_xdate()
    ax.set_xlabel(f"time ({zone_name})")
    now = sla.now.astimezone(zone)
    ax.set_title(f"Ticket {sla.ticket_id} ({sla.severity}) at {now:%Y-%m-%d %H:%M} {zone_name}")
    ax.grid(axis="x", alpha=0.3)
    handles = [patches.Patch(**SPAN_STYLES[k]) for k in SPAN_STYLES if k in used]
    proxies = {
        "deadline": mlines.Line2D([], [], label="deadline", **_DEADLINE),
        "internal": mlines.Line2D([], [], label="internal deadline", **_INTERNAL),
        "breach": mlines.Line2D([], [], marker="X", color="#c62828", ls="", label="breached"),
        "stop": mlines.Line2D([], [], marker="|", color="black", ls="", markersize=12,
                              label="stopped"),
    }  # fmt: skip
    handles += [h for k, h in proxies.items() if k in marks]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False,
              fontsize="small")  # fmt: skip
    return ax


def plot_attainment(
    report: Report, *, metric: str | None = None, bucket: str = "month", ax: Any = None
) -> Any:
    """Share of clocks met (of those decided) per ``bucket`` of creation, one line per
    metric, buckets in the report's zone (named in the axis label); returns the
    matplotlib ``Axes``."""
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 4))
    table = report.attainment(by=[bucket], metric=metric)
    series: dict[str, list[tuple[str, float]]] = {}
    for row in table:
        if row.share_met is not None:
            series.setdefault(row.metric, []).append((str(row.group[0]), row.share_met))
    for name, points in sorted(series.items()):
        points.sort()
        ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=name)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("share met")
    ax.set_xlabel(f"{bucket} of creation ({getattr(report, 'tz_name', 'UTC')})")
    if series:
        ax.legend()
    ax.grid(alpha=0.3)
    return ax
