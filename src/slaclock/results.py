"""Immutable results of :func:`slaclock.evaluate`: one :class:`MetricResult` per cycle of
each measured metric, gathered in a :class:`TicketSla`, and the SLA event stream
(:class:`SlaEvent`) a helpdesk would record for them.

Results keep their instants as integers and build ``datetime`` / ``timedelta`` values
only when asked (evaluating a million tickets for a report reads a few of them).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, Final, Literal, final

from .durations import Duration

if TYPE_CHECKING:  # pragma: no cover
    from ._audit import CancelledAudit, CycleAudit

__all__ = [
    "ExplainLine",
    "Explanation",
    "InternalResult",
    "MetricResult",
    "Pause",
    "SlaEvent",
    "SlaEventKind",
    "Status",
    "TicketSla",
]

Status = Literal["met", "breached", "running", "paused"]
SlaEventKind = Literal["activate", "pause", "resume", "warn", "breach", "fulfill", "cancel"]

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US: Final = timedelta(microseconds=1)


def instant(us: int, tz: tzinfo) -> datetime:
    """``us`` microseconds since the epoch as an aware datetime in ``tz`` (exact)."""
    return (_EPOCH + us * _ONE_US).astimezone(tz)


_set: Final = object.__setattr__


def _opt(us: int | None, tz: tzinfo) -> datetime | None:
    return None if us is None else instant(us, tz)


@dataclass(frozen=True, slots=True)
class Pause:
    """A span during which the clock did not count, and the status that paused it."""

    start: datetime
    end: datetime | None
    status: str


@final
class InternalResult:
    """The internal (private) target measured on the same clock."""

    __slots__ = ("_breach", "_deadline", "_tz", "share_used", "status", "target")

    target: Duration
    status: Status
    share_used: float
    _deadline: int | None
    _breach: int | None
    _tz: tzinfo

    def __init__(
        self, target: Duration, status: Status, deadline: int | None, breach: int | None,
        share_used: float, tz: tzinfo,
    ) -> None:  # fmt: skip
        _set(self, "target", target)
        _set(self, "status", status)
        _set(self, "_deadline", deadline)
        _set(self, "_breach", breach)
        _set(self, "share_used", share_used)
        _set(self, "_tz", tz)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"InternalResult is immutable; cannot set {name!r}")

    @property
    def deadline(self) -> datetime | None:
        return _opt(self._deadline, self._tz)

    @property
    def breached_at(self) -> datetime | None:
        return _opt(self._breach, self._tz)

    def _key(self) -> tuple[Any, ...]:
        return (self.target, self.status, self._deadline, self._breach, self.share_used)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, InternalResult):
            return NotImplemented
        return self._key() == other._key()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"InternalResult(target={self.target!r}, status={self.status!r}, "
            f"deadline={self.deadline!r}, breached_at={self.breached_at!r}, "
            f"share_used={self.share_used!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (InternalResult, (self.target, self.status, self._deadline, self._breach,
                                 self.share_used, self._tz))  # fmt: skip


@final
class MetricResult:
    """One cycle of one SLA metric of one ticket.

    - ``status``: ``met`` (stopped at or before its deadline), ``breached`` (active at its
      deadline or after it), ``running`` or ``paused``;
    - ``deadline``: the earliest instant the counted time reaches the target (projected
      while running; ``None`` while paused and not breached; for a met cycle, the
      deadline it had when it stopped);
    - ``breached_at``: the deadline, or the instant the cycle became active again after a
      pause that began with nothing left;
    - ``business_elapsed`` / ``business_remaining``: counted and left, in open time;
      ``share_used`` the share of the target (1.0 = all of it);
    - ``wall_remaining``: real time from ``now`` to the deadline while the cycle runs or
      is breached and not stopped (negative once late).

    Every instant is in the zone of the cycle's calendar. ``cycle`` counts from 1 per
    metric. Immutable; equal results compare equal whatever zone they are shown in.
    """

    __slots__ = ("_v",)

    # The values, in the order the engine builds them (see slaclock._measure).
    _v: tuple[Any, ...]

    def __init__(self, values: tuple[Any, ...]) -> None:
        _set(self, "_v", values)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"MetricResult is immutable; cannot set {name!r}")

    __delattr__ = __setattr__  # type: ignore[assignment]

    # -- the values -------------------------------------------------------------------

    @property
    def name(self) -> str:
        """The metric's name."""
        name: str = self._v[0]
        return name

    @property
    def cycle(self) -> int:
        """The cycle's number, from 1 per metric."""
        cycle: int = self._v[1]
        return cycle

    @property
    def repeating(self) -> bool:
        """Whether the metric starts a cycle per start trigger (``cycles = "each"``)."""
        each: bool = self._v[2]
        return each

    @property
    def status(self) -> Status:
        status: Status = self._v[3]
        return status

    @property
    def target(self) -> Duration:
        """The contractual target."""
        target: Duration = self._v[4]
        return target

    @property
    def calendar(self) -> str:
        """The calendar's name (``name@Zone`` when read in the customer's zone)."""
        name: str = self._v[5]
        return name

    @property
    def severity(self) -> str:
        """The severity whose target judged the cycle."""
        sev: str = self._v[6]
        return sev

    @property
    def plan(self) -> str | None:
        """The plan whose target judged the cycle."""
        plan: str | None = self._v[7]
        return plan

    @property
    def started_at(self) -> datetime:
        return instant(self._v[9], self._v[8])

    @property
    def deadline(self) -> datetime | None:
        return _opt(self._v[10], self._v[8])

    @property
    def stopped_at(self) -> datetime | None:
        return _opt(self._v[11], self._v[8])

    @property
    def breached_at(self) -> datetime | None:
        return _opt(self._v[12], self._v[8])

    @property
    def business_elapsed(self) -> timedelta:
        return self._v[13] * _ONE_US  # type: ignore[no-any-return]

    @property
    def target_business(self) -> timedelta:
        """The target as business time on the cycle's calendar (business days converted
        at the cycle's start)."""
        return self._v[14] * _ONE_US  # type: ignore[no-any-return]

    @property
    def business_remaining(self) -> timedelta:
        return self._v[15] * _ONE_US  # type: ignore[no-any-return]

    @property
    def share_used(self) -> float:
        share: float = self._v[16]
        return share

    @property
    def at_risk(self) -> bool:
        """Running or paused with a ``warn_at`` share reached."""
        risk: bool = self._v[18]
        return risk

    @property
    def warning(self) -> float | None:
        """The highest ``warn_at`` share reached."""
        w: float | None = self._v[19]
        return w

    @property
    def wall_remaining(self) -> timedelta | None:
        v = self._v
        if v[10] is None or v[11] is not None or v[3] == "paused":
            return None
        return (v[10] - v[17]) * _ONE_US  # type: ignore[no-any-return]

    @property
    def pauses(self) -> tuple[Pause, ...]:
        tz = self._v[8]
        return tuple(Pause(instant(s, tz), _opt(e, tz), st) for s, e, st in self._v[20])

    @property
    def internal(self) -> InternalResult | None:
        """The internal (private) target on the same clock, when the agreement has one."""
        internal: InternalResult | None = self._v[21]
        return internal

    @property
    def label(self) -> str:
        """``"first_response"``, or ``"next_reply #2"`` for a metric with a cycle per
        start."""
        v = self._v
        return metric_label(v[0], v[1] if v[2] else 0)

    @property
    def is_breached(self) -> bool:
        return self.status == "breached"

    # -- private: for explain(), events() and next_change() ------------------------------

    @property
    def _tz(self) -> tzinfo:
        tz: tzinfo = self._v[8]
        return tz

    @property
    def _stop(self) -> int | None:
        stop: int | None = self._v[11]
        return stop

    @property
    def _audit(self) -> CycleAudit | None:
        v = self._v
        from ._audit import CycleAudit

        # the replay's own cycle and spec, kept flat in the values (one object fewer per
        # result for the garbage collector)
        cycle, spec, index, upto, i_breach, i_deadline = v[22:28]
        return CycleAudit(
            cycle, spec, index, v[2], upto, v[17], v[3], v[10], v[12], i_breach, i_deadline
        )

    def as_dict(self) -> dict[str, Any]:
        """A flat, JSON-friendly dict of this result: the result-row columns of
        :mod:`slaclock._rows` (instants as ISO 8601 text), without the ticket's."""
        from ._rows import metric_dict

        return metric_dict(self)

    # -- value semantics --------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MetricResult):
            return NotImplemented
        a, b = self._v, other._v
        return (
            a[:8] == b[:8]  # names, status, target, calendar, severity, plan
            and a[9:17] == b[9:17]  # instants and amounts (not the zone they show in)
            and a[18:22] == b[18:22]  # warnings, pauses, internal target
            and self.wall_remaining == other.wall_remaining
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"MetricResult(name={self.name!r}, cycle={self.cycle}, status={self.status!r}, "
            f"target={self.target!r}, calendar={self.calendar!r}, "
            f"started_at={self.started_at!r}, deadline={self.deadline!r}, "
            f"stopped_at={self.stopped_at!r}, business_elapsed={self.business_elapsed!r}, "
            f"share_used={self.share_used!r}, breached_at={self.breached_at!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (MetricResult, (self._v,))

    def _repr_html_(self) -> str:
        from ._html import metric_html

        return metric_html(self)


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
    label: str = ""


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
                out.append(f"  {ln.label or metric_label(ln.metric, ln.cycle)}")
            end = "…" if ln.end is None else f"{ln.end:%a %Y-%m-%d %H:%M}"
            mark = "counted" if ln.counted else "not counted"
            out.append(
                f"    {ln.start:%a %Y-%m-%d %H:%M} → {end:<20} {mark:<11} "
                f"{_fmt(ln.business):>9}  {ln.reason}"
            )
        return "\n".join(out)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        from ._html import explanation_html

        return explanation_html(self)


def _fmt(td: timedelta) -> str:
    from ._format import fmt_duration

    return fmt_duration(td)


@dataclass(frozen=True, slots=True)
class SlaEvent:
    """One entry of a ticket's SLA history, as helpdesks export it: a cycle of
    ``metric`` was activated, paused, resumed, warned (``share`` of the target used),
    breached, fulfilled (stopped) or cancelled (its target went away) at ``at``.
    ``internal`` marks the warning or breach of the internal target; ``status`` is the
    status that paused the cycle."""

    ticket_id: str
    metric: str
    cycle: int
    kind: SlaEventKind
    at: datetime
    internal: bool = False
    status: str | None = None
    share: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """A flat, JSON-friendly dict (what ``slaclock evaluate --format events`` writes)."""
        return {
            "ticket_id": self.ticket_id,
            "metric": self.metric,
            "cycle": self.cycle,
            "kind": self.kind,
            "at": self.at.isoformat(),
            "internal": self.internal,
            "status": self.status,
            "share": self.share,
        }


@dataclass(frozen=True, slots=True)
class TicketSla:
    """Every SLA cycle of one ticket, evaluated at ``now``; ``plan`` and ``severity`` in
    force at ``now``, and ``rule``, the name of the policy rule that chose the plan
    (``None`` when the ticket named its plan or the default plan applied)."""

    ticket_id: str
    now: datetime
    plan: str | None
    severity: str
    metrics: tuple[MetricResult, ...]
    rule: str | None = None
    _extra: tuple[CancelledAudit, ...] = field(default=(), repr=False, compare=False)

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
        """True when any cycle is breached."""
        return any(m.status == "breached" for m in self.metrics)

    def explain(self) -> Explanation:
        """The spans that counted and those that did not, and why, for every cycle."""
        lines: list[ExplainLine] = []
        for m in self.metrics:
            if m._audit is not None:
                lines.extend(m._audit.explain())
        return Explanation(self.ticket_id, tuple(lines))

    def events(self) -> tuple[SlaEvent, ...]:
        """The SLA history: ``activate``, ``pause``, ``resume``, ``warn``, ``breach``,
        ``fulfill`` and ``cancel`` per metric and cycle, in time order (instants in each
        cycle's calendar zone). Cycles whose target went away mid-way end in ``cancel``."""
        found: list[tuple[int, int, int, int, SlaEvent]] = []
        for m in self.metrics:
            if m._audit is not None:
                found.extend(m._audit.events(self.ticket_id))
        for extra in self._extra:
            found.extend(extra.events(self.ticket_id))
        found.sort(key=lambda x: x[:4])
        return tuple(x[4] for x in found)

    def next_change(self, now: datetime) -> datetime | None:
        """The next instant at which any status or warning flips if nothing else happens
        (a breach, an internal breach, a warning threshold), or ``None``. A breach whose
        instant is ``now`` itself is returned: the cycle is still within target at its
        deadline and over it right after."""
        try:
            now_us = (now - _EPOCH) // _ONE_US
        except TypeError:
            from .errors import NaiveDatetimeError

            raise NaiveDatetimeError.of("now", now) from None
        best: tuple[int, tzinfo] | None = None
        for m in self.metrics:
            if m._audit is None or m._stop is not None:
                continue
            for x, inclusive in m._audit.flips():
                if (x >= now_us if inclusive else x > now_us) and (best is None or x < best[0]):
                    best = (x, m._tz)
        return None if best is None else instant(*best)

    def _repr_html_(self) -> str:
        from ._html import ticket_html

        return ticket_html(self)

    def plot(self, ax: Any = None, *, tz: Any = None) -> Any:
        """A timeline of the clocks (needs matplotlib), times in ``tz`` (default: the
        calendar's zone, named on the axis); returns the ``Axes``."""
        from .plot import plot_ticket

        return plot_ticket(self, ax=ax, tz=tz)

    def __str__(self) -> str:
        head = f"Ticket {self.ticket_id} ({self.severity}"
        head += f", plan {self.plan})" if self.plan else ")"
        head += f" at {self.now:%Y-%m-%d %H:%M %Z}"
        rows = [head]
        for m in self.metrics:
            due = "—" if m.deadline is None else f"{m.deadline:%a %m-%d %H:%M}"
            risk = " at risk" if m.at_risk else ""
            rows.append(
                f"  {m.label:<22} {m.status:<9} target {m.target!s:<16} due {due:<12} "
                f"used {m.share_used:>6.1%}{risk}"
            )
        return "\n".join(rows)
