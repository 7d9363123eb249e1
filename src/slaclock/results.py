"""Immutable results of :func:`slaclock.evaluate`: one :class:`MetricResult` per metric
(and per ``next_reply`` / ``periodic_update`` cycle), gathered in a :class:`TicketSla`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from .durations import Duration

__all__ = ["ExplainLine", "Explanation", "InternalResult", "MetricResult", "Pause", "Status",
           "TicketSla"]  # fmt: skip

Status = Literal["met", "breached", "running", "paused"]


@dataclass(frozen=True, slots=True)
class Pause:
    """A span during which the clock did not count, and the status that paused it."""

    start: datetime
    end: datetime | None
    status: str


@dataclass(frozen=True, slots=True)
class InternalResult:
    """The internal (private) target measured on the same clock."""

    target: Duration
    deadline: datetime | None
    status: Status
    breached_at: datetime | None
    share_used: float


@dataclass(frozen=True, slots=True)
class MetricResult:
    """One SLA clock of one ticket.

    ``business_elapsed`` is the business time the clock counted; ``share_used`` the share of the
    target (1.0 = all of it); ``deadline`` the instant the used time reaches the target
    (projected while running, ``None`` while paused and not breached, the deadline as of
    the stop for a met clock); ``breached_at`` the first instant the clock counted time
    beyond the target; ``wall_remaining`` the wall-clock time from the evaluation instant
    to the deadline (negative once late) while the clock runs.
    """

    name: str
    cycle: int
    status: Status
    target: Duration
    calendar: str
    started_at: datetime
    deadline: datetime | None
    stopped_at: datetime | None
    business_elapsed: timedelta
    business_remaining: timedelta
    target_business: timedelta
    share_used: float
    breached_at: datetime | None
    at_risk: bool
    warning: float | None
    pauses: tuple[Pause, ...]
    wall_remaining: timedelta | None
    severity: str
    internal: InternalResult | None = None
    # private: what explain() and next_change() need
    _explain: Callable[[], list[ExplainLine]] | None = field(
        default=None, repr=False, compare=False
    )
    _flips: Callable[[], list[tuple[int, bool]]] | None = field(
        default=None, repr=False, compare=False
    )

    @property
    def label(self) -> str:
        """``"first_response"``, or ``"next_reply #2"`` for a cycle."""
        return metric_label(self.name, self.cycle)

    @property
    def is_breached(self) -> bool:
        return self.status == "breached"

    def as_dict(self) -> dict[str, Any]:
        """A flat, JSON-friendly dict of this result."""
        return {
            "metric": self.name,
            "cycle": self.cycle,
            "status": self.status,
            "severity": self.severity,
            "target": str(self.target),
            "calendar": self.calendar,
            "started_at": _iso(self.started_at),
            "deadline": _iso(self.deadline),
            "stopped_at": _iso(self.stopped_at),
            "business_elapsed_s": self.business_elapsed.total_seconds(),
            "business_remaining_s": self.business_remaining.total_seconds(),
            "target_business_s": self.target_business.total_seconds(),
            "share_used": round(self.share_used, 6),
            "breached_at": _iso(self.breached_at),
            "at_risk": self.at_risk,
            "wall_remaining_s": (
                None if self.wall_remaining is None else self.wall_remaining.total_seconds()
            ),
            "pauses": len(self.pauses),
            "internal_target": None if self.internal is None else str(self.internal.target),
            "internal_deadline": None if self.internal is None else _iso(self.internal.deadline),
            "internal_status": None if self.internal is None else self.internal.status,
        }


def metric_label(name: str, cycle: int) -> str:
    """A clock's display name: the metric, with ``#cycle`` for repeating metrics."""
    return name if not cycle else f"{name} #{cycle}"


def _iso(t: datetime | None) -> str | None:
    return None if t is None else t.isoformat()


@dataclass(frozen=True, slots=True)
class ExplainLine:
    """One span of a clock's life: counted or not, and why."""

    metric: str
    cycle: int
    start: datetime
    end: datetime | None
    counted: bool
    reason: str
    business: timedelta


@dataclass(frozen=True, slots=True)
class Explanation:
    """The audit trail of a ticket's clocks (``str()`` gives a readable table)."""

    ticket_id: str
    lines: tuple[ExplainLine, ...]

    def __iter__(self) -> Iterator[ExplainLine]:
        return iter(self.lines)

    def __len__(self) -> int:
        return len(self.lines)

    def __str__(self) -> str:
        out = [f"Ticket {self.ticket_id}"]
        current: tuple[str, int] | None = None
        for ln in self.lines:
            if (ln.metric, ln.cycle) != current:
                current = (ln.metric, ln.cycle)
                out.append(f"  {metric_label(ln.metric, ln.cycle)}")
            end = "…" if ln.end is None else f"{ln.end:%a %Y-%m-%d %H:%M}"
            mark = "counted" if ln.counted else "not counted"
            out.append(
                f"    {ln.start:%a %Y-%m-%d %H:%M} → {end:<20} {mark:<11} "
                f"{_fmt(ln.business):>9}  {ln.reason}"
            )
        return "\n".join(out)

    __repr__ = __str__


def _fmt(td: timedelta) -> str:
    return str(Duration.from_timedelta(td)) if td >= timedelta(0) else f"-{_fmt(-td)}"


@dataclass(frozen=True, slots=True)
class TicketSla:
    """Every SLA clock of one ticket, evaluated at ``now``."""

    ticket_id: str
    now: datetime
    plan: str | None
    severity: str
    metrics: tuple[MetricResult, ...]

    def __iter__(self) -> Iterator[MetricResult]:
        return iter(self.metrics)

    def get(self, name: str, cycle: int | None = None) -> MetricResult:
        """The result of metric ``name`` (the last cycle unless ``cycle`` is given)."""
        found = [m for m in self.metrics if m.name == name and (cycle is None or m.cycle == cycle)]
        if not found:
            raise KeyError(
                f"ticket {self.ticket_id!r} has no result for {name!r}"
                + (f" cycle {cycle}" if cycle is not None else "")
                + f"; it has {sorted({m.name for m in self.metrics})}"
            )
        return found[-1]

    @property
    def breached(self) -> bool:
        """True when any clock is breached."""
        return any(m.status == "breached" for m in self.metrics)

    def explain(self) -> Explanation:
        """The spans that counted and those that did not, and why, for every clock."""
        lines: list[ExplainLine] = []
        for m in self.metrics:
            if m._explain is not None:
                lines.extend(m._explain())
        return Explanation(self.ticket_id, tuple(lines))

    def next_change(self, now: datetime) -> datetime | None:
        """The next instant at which any status or warning flips if nothing else happens
        (a breach, an internal breach, a warning threshold), or ``None``. A breach whose
        instant is ``now`` itself is returned: the clock is still within target at its
        deadline and over it right after."""
        from .calendar import _us

        now_us = _us(now, "now")
        best: int | None = None
        for m in self.metrics:
            if m._flips is None:
                continue
            for x, inclusive in m._flips():
                if (x >= now_us if inclusive else x > now_us) and (best is None or x < best):
                    best = x
        if best is None:
            return None
        return datetime.fromtimestamp(best / 1e6, self.now.tzinfo)

    def _repr_html_(self) -> str:
        from ._html import ticket_html

        return ticket_html(self)

    def plot(self, ax: Any = None) -> Any:
        """A timeline of the clocks (needs matplotlib); returns the ``Axes``."""
        from .plot import plot_ticket

        return plot_ticket(self, ax=ax)

    def __str__(self) -> str:
        head = f"Ticket {self.ticket_id} ({self.severity}"
        head += f", plan {self.plan})" if self.plan else ")"
        head += f" at {self.now:%Y-%m-%d %H:%M %Z}"
        rows = [head]
        for m in self.metrics:
            label = m.label
            due = "—" if m.deadline is None else f"{m.deadline:%a %m-%d %H:%M}"
            risk = " at risk" if m.at_risk else ""
            rows.append(
                f"  {label:<22} {m.status:<9} target {m.target!s:<16} due {due:<12} "
                f"used {m.share_used:>6.1%}{risk}"
            )
        return "\n".join(rows)
