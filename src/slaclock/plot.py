"""Plots for notebooks (needs the optional ``matplotlib``: ``pip install slaclock[plot]``).

:func:`plot_ticket` draws one row per clock on a time axis: time that counted (business
hours while running) shaded, closed hours light, pauses hatched, the deadline and the
breach marked. :func:`plot_attainment` draws the share met per metric over time.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    from .report import Report
    from .results import TicketSla

__all__ = ["plot_attainment", "plot_ticket"]


def _pyplot() -> Any:
    try:
        plt = importlib.import_module("matplotlib.pyplot")
    except ImportError:  # pragma: no cover - depends on the environment
        raise ConfigError(
            "plotting needs matplotlib: pip install 'slaclock[plot]' (or matplotlib)"
        ) from None
    return plt


def plot_ticket(sla: TicketSla, ax: Any = None) -> Any:
    """Draw a ticket's clocks; returns the matplotlib ``Axes``."""
    plt = _pyplot()
    mdates: Any = importlib.import_module("matplotlib.dates")

    if ax is None:
        _, ax = plt.subplots(figsize=(11, 0.7 + 0.55 * max(1, len(sla.metrics))))
    lines = list(sla.explain())
    labels = []
    for row, m in enumerate(sla.metrics):
        labels.append(m.label)
        for ln in lines:
            if ln.metric != m.name or ln.cycle != m.cycle or ln.end is None:
                continue
            start = mdates.date2num(ln.start)
            width = mdates.date2num(ln.end) - start
            if ln.counted:
                style: dict[str, Any] = {"color": "#66bb6a"}
            elif ln.reason.startswith("paused"):
                style = {"facecolor": "white", "edgecolor": "#757575", "hatch": "///"}
            else:
                style = {"color": "#eeeeee"}
            ax.broken_barh([(start, width)], (row - 0.35, 0.7), **style)
        if m.deadline is not None:
            ax.plot([m.deadline, m.deadline], [row - 0.45, row + 0.45], color="#1565c0", lw=2)
        if m.breached_at is not None:
            ax.plot([m.breached_at], [row], marker="X", color="#c62828", markersize=11)
        if m.stopped_at is not None:
            ax.plot([m.stopped_at], [row], marker="|", color="black", markersize=16)
    ax.set_yticks(range(len(labels)))
    ax.set_yticklabels(labels)
    ax.invert_yaxis()
    ax.xaxis_date(tz=sla.now.tzinfo)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%a %m-%d %H:%M", tz=sla.now.tzinfo))
    ax.figure.autofmt_xdate()
    ax.set_title(f"Ticket {sla.ticket_id} ({sla.severity}) at {sla.now:%Y-%m-%d %H:%M}")
    ax.grid(axis="x", alpha=0.3)
    return ax


def plot_attainment(
    report: Report, *, metric: str | None = None, bucket: str = "month", ax: Any = None
) -> Any:
    """Share of clocks met (of those decided) per ``bucket`` of creation, one line per
    metric; returns the matplotlib ``Axes``."""
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
    ax.set_xlabel(bucket)
    ax.legend()
    ax.grid(alpha=0.3)
    return ax
