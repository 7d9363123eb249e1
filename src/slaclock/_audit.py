"""What a measured cycle can say about itself: the spans that counted and those that did
not, and why (``explain``), its SLA events (``events``), and the instants at which its
status or warning level will flip if nothing else happens (``flips``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Final

from ._clock import OPEN, reach
from ._holidays import region_holidays
from .calendar import Calendar, HolidayRegion
from .results import ExplainLine, SlaEvent, SlaEventKind, instant, metric_label

if TYPE_CHECKING:  # pragma: no cover
    from ._measure import Spec
    from .engine import Cycle

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US: Final = timedelta(microseconds=1)
_RANK: Final[dict[str, int]] = {
    "activate": 0, "resume": 1, "pause": 2, "warn": 3, "breach": 4, "fulfill": 5, "cancel": 5,
}  # fmt: skip

EventRow = tuple[int, int, int, int, SlaEvent]


def _event(
    tid: str, cycle: Cycle, index: int, kind: SlaEventKind, at: int, tz: tzinfo, **kw: object
) -> EventRow:
    ev = SlaEvent(tid, cycle.metric, cycle.number, kind, instant(at, tz), **kw)  # type: ignore[arg-type]
    return (at, index, cycle.number, _RANK[kind], ev)


def _life_events(tid: str, cycle: Cycle, index: int, tz: tzinfo, until: int) -> list[EventRow]:
    """activate, pause / resume, fulfill-on-solve / activate-on-reopen before ``until``."""
    out = [_event(tid, cycle, index, "activate", cycle.start, tz)]
    pauses = sorted(cycle.pauses)
    if cycle.pause_since is not None:
        pauses.append((cycle.pause_since[0], OPEN, cycle.pause_since[1]))
    ends = {s for s, _ in cycle.solved}
    if cycle.stop is not None:
        ends.add(cycle.stop)
    for i, (s, e, status) in enumerate(pauses):
        if s >= until:
            break
        out.append(_event(tid, cycle, index, "pause", s, tz, status=status))
        follows = i + 1 < len(pauses) and pauses[i + 1][0] == e
        if e < until and e != OPEN and not follows and e not in ends:
            out.append(_event(tid, cycle, index, "resume", e, tz))
    for a, b in cycle.solved:
        if a < until:
            out.append(_event(tid, cycle, index, "fulfill", a, tz))
        if b < until:
            out.append(_event(tid, cycle, index, "activate", b, tz))
    return out


class CycleAudit:
    """A measured cycle with what explain(), events() and next_change() need
    (picklable, so results travel between processes)."""

    __slots__ = (
        "breach", "cycle", "deadline", "internal_breach", "internal_deadline", "metric_index",
        "now", "repeating", "spec", "status", "upto",
    )  # fmt: skip

    def __init__(
        self, cycle: Cycle, spec: Spec, metric_index: int, repeating: bool, upto: int,
        now: int, status: str, deadline: int | None, breach: int | None,
        internal_breach: int | None, internal_deadline: int | None,
    ) -> None:  # fmt: skip
        self.cycle = cycle
        self.spec = spec
        self.metric_index = metric_index
        self.repeating = repeating
        self.upto = upto
        self.now = now
        self.status = status
        self.deadline = deadline
        self.breach = breach
        self.internal_breach = internal_breach
        self.internal_deadline = internal_deadline

    # -- explain --------------------------------------------------------------------

    def explain(self) -> list[ExplainLine]:
        cycle, spec, upto = self.cycle, self.spec, self.upto
        spans: list[tuple[int, int, bool, str]] = []
        for s, e, st in cycle.pauses:
            spans.append((s, min(e, upto), False, f"paused in {st!r}"))
        if cycle.pause_since is not None:
            since, st = cycle.pause_since
            spans.append((since, upto, False, f"paused in {st!r}"))
        for a, b in cycle.solved:
            spans.append((a, min(b, upto), False, "solved"))
        legs = spec.legs()
        first = legs[0][1]
        for s, e in cycle.runs:
            e = min(e, upto)
            if s >= e:
                continue
            if s < first:
                cut = min(first, e)
                spans.append((s, cut, False, "before the severity change (clock restarted)"))
                s = cut
            for leg, a, b in legs:
                lo, hi = max(s, a), min(e, b)
                if lo < hi:
                    spans.extend(_open_and_closed(leg, lo, hi))
        spans.sort()
        tz = spec.cal.tz
        label = metric_label(cycle.metric, cycle.number if self.repeating else 0)
        return [
            ExplainLine(
                metric=cycle.metric,
                cycle=cycle.number,
                start=instant(s, tz),
                end=instant(e, tz),
                counted=counted,
                reason=reason,
                business=timedelta(microseconds=e - s) if counted else timedelta(0),
                label=label,
            )
            for s, e, counted, reason in spans
            if s < e
        ]

    # -- events ---------------------------------------------------------------------

    def events(self, tid: str) -> list[EventRow]:
        cycle, spec, idx = self.cycle, self.spec, self.metric_index
        tz = spec.cal.tz
        stop = cycle.stop
        until = self.upto + 1 if stop is None else stop + 1
        out = _life_events(tid, cycle, idx, tz, until)
        init = spec.init
        for w in spec.warn_at:
            amount = round(w * spec.target_us) - init
            if amount <= 0:
                continue
            x = reach(spec.ix, _runs(cycle, self.upto), spec.origin, amount)
            if x is not None and (x < stop if stop is not None else x <= self.now):
                out.append(_event(tid, cycle, idx, "warn", x, tz, share=w))
        if self.breach is not None:
            out.append(_event(tid, cycle, idx, "breach", self.breach, tz))
        if self.internal_breach is not None:
            out.append(_event(tid, cycle, idx, "breach", self.internal_breach, tz, internal=True))
        if stop is not None:
            out.append(_event(tid, cycle, idx, "fulfill", stop, tz))
        return out

    # -- next_change ------------------------------------------------------------------

    def flips(self) -> list[tuple[int, bool]]:
        """``(instant, inclusive)`` pairs at which this running cycle's status or warning
        level flips. A breach happens right after its deadline (at the deadline the
        cycle is still within target), so it counts even when ``now`` is that instant;
        a warning holds from its instant on."""
        if self.status != "running" and not (
            self.status == "breached" and self.internal_deadline is not None
        ):
            return []
        spec = self.spec
        found: list[tuple[int, bool]] = []
        if self.status == "running" and self.deadline is not None:
            found.append((self.deadline, True))
            proj = [*_runs(self.cycle, self.upto), (self.upto, OPEN)]
            for w in spec.warn_at:
                amount = round(w * spec.target_us) - spec.init
                x = reach(spec.ix, proj, spec.origin, amount) if amount > 0 else None
                if x is not None:
                    found.append((x, False))
        if self.internal_breach is None and self.internal_deadline is not None:
            found.append((self.internal_deadline, True))
        return found


def _runs(cycle: Cycle, upto: int) -> list[tuple[int, int]]:
    out = []
    for s, e in cycle.runs:
        e = min(e, upto)
        if s < e:
            out.append((s, e))
    return out


@dataclass(frozen=True, slots=True)
class CancelledAudit:
    """A cycle that had a target when it started and lost it (a severity or plan change
    left its metric without one): its events end in ``cancel``."""

    cycle: Cycle
    metric_index: int
    cancelled: int
    tz: tzinfo

    def events(self, tid: str) -> list[EventRow]:
        out = _life_events(tid, self.cycle, self.metric_index, self.tz, self.cancelled)
        out.append(_event(tid, self.cycle, self.metric_index, "cancel", self.cancelled, self.tz))
        return out


def _open_and_closed(spec: Spec, a: int, b: int) -> list[tuple[int, int, bool, str]]:
    out: list[tuple[int, int, bool, str]] = []
    pos = a
    for s, e in spec.ix.intervals_between(a, b):
        if pos < s:
            out.extend(_closed_spans(spec.cal, pos, s))
        out.append((s, e, True, f"open on {spec.cal_name}"))
        pos = e
    if pos < b:
        out.extend(_closed_spans(spec.cal, pos, b))
    return out


def _closed_spans(cal: Calendar, a: int, b: int) -> list[tuple[int, int, bool, str]]:
    """Split a closed span at local midnights and say why each part was closed."""
    tz = cal.tz
    out: list[tuple[int, int, bool, str]] = []
    pos = a
    while pos < b:
        local = instant(pos, tz)
        nxt_day = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), tz)
        cut = min(b, _to_us(nxt_day))
        reason = _closed_reason(cal, local.date())
        if out and out[-1][3] == reason and out[-1][1] == pos:
            out[-1] = (out[-1][0], cut, False, reason)
        else:
            out.append((pos, cut, False, reason))
        pos = cut
    return out


def _to_us(t: datetime) -> int:
    us: int = (t - _EPOCH) // _ONE_US
    return us


def _closed_reason(cal: Calendar, d: date) -> str:
    if d in cal.overrides:
        return f"closed hours (override for {d.isoformat()})"
    for h in cal.holidays:
        if isinstance(h, date) and h == d:
            return f"holiday {d.isoformat()}"
        if isinstance(h, HolidayRegion) and d in region_holidays(h.country, h.subdivision, d.year):
            return f"holiday {d.isoformat()} ({h.country})"
    return "closed hours"
