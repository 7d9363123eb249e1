"""Measuring one replayed cycle: which target applies (per the severity-change
strategy), on which calendar, and the resulting status, deadline and breach.

The replay (:mod:`slaclock.engine`) records what happened; this module applies the
agreement to it. The arithmetic itself is :mod:`slaclock._clock`; the explanation and
the SLA events of a measured cycle are :mod:`slaclock._audit`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, Final

from ._audit import CancelledAudit, CycleAudit
from ._clock import OPEN, business_day_deadline, first_active, reach, used
from ._index import OpenIndex
from .calendar import Calendar
from .durations import Duration
from .errors import ConfigError, TimelineError
from .policy import Target, Terms
from .results import InternalResult, MetricResult, Status

if TYPE_CHECKING:  # pragma: no cover
    from .engine import Cycle

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US: Final = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class Change:
    """The terms in force from event ``seq`` (``-1``: creation) on."""

    at: int
    seq: int
    terms: Terms
    severity: str
    fields: Mapping[str, Any]


@dataclass(slots=True)
class Context:
    """One ticket's measurement context: its id, the evaluation instant, the terms changes
    (sorted by ``seq``) and the policy-wide cache of resolved targets."""

    ticket: str
    now: int
    changes: list[Change]
    seqs: list[int]
    targets: dict[tuple[Any, ...], Resolved | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Resolved:
    """A target of the matrix resolved for a ticket: its calendar chosen, exact durations
    in microseconds (None for business days, which depend on where the cycle starts)."""

    target: Target
    cal_name: str
    cal: Calendar
    target_us: int | None
    internal_us: int | None
    severity: str
    plan: str | None
    warn_at: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Spec:
    """A target applied to a cycle: counting from ``origin`` with a share of the target
    already used (``init_share``, by ``carry``; ``prior`` is the spec that counted before
    ``origin`` then)."""

    resolved: Resolved
    origin: int
    target_us: int
    internal_us: int | None
    init_share: float
    bd_end: int | None
    i_bd_end: int | None
    prior: Spec | None = None

    @property
    def target(self) -> Target:
        return self.resolved.target

    @property
    def cal(self) -> Calendar:
        return self.resolved.cal

    @property
    def cal_name(self) -> str:
        return self.resolved.cal_name

    @property
    def severity(self) -> str:
        return self.resolved.severity

    @property
    def plan(self) -> str | None:
        return self.resolved.plan

    @property
    def warn_at(self) -> tuple[float, ...]:
        return self.resolved.warn_at

    @property
    def ix(self) -> OpenIndex:
        return self.resolved.cal.index

    @property
    def init(self) -> int:
        return round(self.init_share * self.target_us)

    def legs(self) -> list[tuple[Spec, int, int]]:
        """``(spec, from, to)``: which spec counted when (earliest first)."""
        out: list[tuple[Spec, int, int]] = [(self, self.origin, OPEN)]
        spec = self
        while spec.prior is not None:
            out.append((spec.prior, spec.prior.origin, spec.origin))
            spec = spec.prior
        out.reverse()
        return out


def _calendar(ctx: Context, ch: Change, target: Target) -> tuple[str, Calendar]:
    terms = ch.terms
    name = terms.calendar_name(target, ch.fields, ticket=ctx.ticket)
    cal = terms.calendars[name]
    zone_field = terms.timezone_field
    if zone_field is not None and cal.follow_customer_zone:
        zone = ch.fields.get(zone_field)
        if zone not in (None, ""):
            try:
                zoned = cal.in_zone(str(zone).strip())
            except ConfigError:
                raise TimelineError(
                    f"ticket {ctx.ticket!r}: field {zone_field!r} = {zone!r} is not an IANA "
                    "time zone (e.g. 'Europe/Berlin'); fix the ticket or drop timezone_field"
                ) from None
            if zoned is not cal:
                return f"{name}@{zone}", zoned
    return name, cal


def _bd_end(cal: Calendar, origin: int, n: int) -> int:
    start = (_EPOCH + origin * _ONE_US).astimezone(cal.tz)
    end: int = (cal.add_business_days(start, n) - _EPOCH) // _ONE_US
    return end


def _resolve(ctx: Context, ch: Change, metric: str) -> Resolved | None:
    """The change's target for ``metric``, resolved (cached across tickets)."""
    terms = ch.terms
    target = terms.severities[ch.severity].get(metric)
    if target is None:
        return None
    if target.calendar is not None or (
        terms.calendar_by is None and terms.timezone_field is None
    ):
        key: tuple[Any, ...] = (id(terms), ch.severity, metric)
        found = ctx.targets.get(key)
        if found is not None:
            return found
        name, cal = target.calendar or terms.default_calendar, None
    else:
        name, cal = _calendar(ctx, ch, target)
        key = (id(terms), ch.severity, metric, name)
        found = ctx.targets.get(key)
        if found is not None:
            return found
    if cal is None:
        cal = terms.calendars[name]
    within, internal = target.within, target.internal
    found = Resolved(
        target, name, cal, None if within.is_business_days else within.microseconds,
        None if internal is None or internal.is_business_days else internal.microseconds,
        ch.severity, terms.plan, terms.warn_at,
    )  # fmt: skip
    ctx.targets[key] = found
    return found


def _spec(
    ctx: Context, ch: Change, metric: str, origin: int, init_share: float = 0.0,
    prior: Spec | None = None,
) -> Spec | None:  # fmt: skip
    r = _resolve(ctx, ch, metric)
    if r is None:
        return None
    t_us, bd_end = r.target_us, None
    if t_us is None:
        bd_end = _bd_end(r.cal, origin, r.target.within.business_days)
        t_us = r.cal.index.elapsed(origin, bd_end)
    i_us, i_bd_end = r.internal_us, None
    internal = r.target.internal
    if internal is not None and i_us is None:
        i_bd_end = _bd_end(r.cal, origin, internal.business_days)
        i_us = r.cal.index.elapsed(origin, i_bd_end)
    if init_share:
        bd_end = i_bd_end = None  # a carried share moves the deadline off the calendar day
    return Spec(r, origin, t_us, i_us, init_share, bd_end, i_bd_end, prior)


def _clip(runs: list[list[int]], upto: int) -> list[tuple[int, int]]:
    out = []
    for s, e in runs:
        if e > upto:
            e = upto
        if s < e:
            out.append((s, e))
    return out


def reached(spec: Spec, runs: list[tuple[int, int]], *, internal: bool = False) -> int | None:
    """The instant the cycle's counted time reached the whole target (on the terms that
    were counting then), or None."""
    target = spec.internal_us if internal else spec.target_us
    if target is None:
        return None
    init = round(spec.init_share * target)
    if init >= target and spec.prior is not None:
        return reached(spec.prior, _clip([list(r) for r in runs], spec.origin), internal=internal)
    return reach(spec.ix, runs, spec.origin, target - init)


def _projected(spec: Spec, runs: list[list[int]], upto: int) -> int | None:
    proj: list[list[int]] = [list(r) for r in runs if r[0] < r[1]]
    if not proj or proj[-1][1] != OPEN:
        proj.append([upto, OPEN])
    return reach(spec.ix, proj, spec.origin, spec.target_us - spec.init)


def measure(
    ctx: Context, cycle: Cycle, metric_index: int, repeating: bool
) -> tuple[MetricResult | None, CancelledAudit | None]:
    """The result of one replayed cycle (None when its terms give it no target; then
    the audit of a cycle whose target went away mid-way, if it had one)."""
    changes, seqs = ctx.changes, ctx.seqs
    i0 = bisect_right(seqs, cycle.start_seq) - 1
    i1 = bisect_left(seqs, cycle.stop_seq)
    base = changes[i0]
    metric, start = cycle.metric, cycle.start
    spec = _spec(ctx, base, metric, start)
    final_terms = changes[i1 - 1].terms if i1 > i0 else base.terms
    strategy = final_terms.severity_change
    upto = cycle.stop if cycle.stop is not None else ctx.now
    cancel_at: int | None = None
    for ch in changes[i0 + 1 : i1]:
        retro = _spec(ctx, ch, metric, start)
        if retro is None:
            if spec is not None:
                cancel_at = ch.at
            spec = None
        elif spec is None or strategy == "retroactive":
            spec = retro
        elif strategy == "restart":
            spec = _spec(ctx, ch, metric, ch.at)
        elif strategy == "carry":
            counted = spec.init + used(spec.ix, cycle.runs, spec.origin, ch.at)
            share = counted / spec.target_us if spec.target_us else 1.0
            spec = _spec(ctx, ch, metric, ch.at, share, prior=spec)
        else:  # stricter: compare the deadlines as projected
            d_old = _projected(spec, cycle.runs, upto)
            d_new = _projected(retro, cycle.runs, upto)
            if d_new is not None and (d_old is None or d_new < d_old):
                spec = retro
    if spec is None:
        if cancel_at is None:
            return None, None
        return None, CancelledAudit(cycle, metric_index, cancel_at, _tz_of(ctx, base))
    return _result(ctx, cycle, spec, metric_index, repeating, upto), None


def _tz_of(ctx: Context, ch: Change) -> tzinfo:
    terms = ch.terms
    return terms.calendars[terms.default_calendar].tz


def _result(
    ctx: Context, cycle: Cycle, spec: Spec, metric_index: int, repeating: bool, upto: int
) -> MetricResult:
    ix, now = spec.ix, ctx.now
    runs = _clip(cycle.runs, upto)
    target = spec.target_us
    init = spec.init
    counted = init + used(ix, runs, spec.origin, upto)
    elapsed = sum(used(s.ix, runs, a, min(b, upto)) for s, a, b in spec.legs())
    remaining = max(target - counted, 0)
    stopped = cycle.stop is not None
    running = not stopped and cycle.running
    hit = business_day_deadline(ix, reached(spec, runs), spec.bd_end)
    breach = None if hit is None else first_active(runs, hit)
    status: Status
    if breach is not None:
        status = "breached"
    elif stopped:
        status = "met"
    else:
        status = "running" if running else "paused"
    deadline: int | None
    if status == "breached":
        deadline = hit
    elif status == "paused":
        deadline = None
    elif hit is not None:
        deadline = hit if stopped else max(hit, now)
    else:
        x = ix.add(cycle.stop if cycle.stop is not None else now, remaining)
        deadline = business_day_deadline(ix, x, spec.bd_end)
    share = counted / target if target else 1.0
    warn_levels = [w for w in spec.warn_at if share >= w]
    internal = None
    i_breach = None
    if spec.internal_us is not None:
        internal, i_breach = _internal(spec, runs, stopped, running, upto)
    audit = CycleAudit(
        cycle=cycle, spec=spec, metric_index=metric_index, repeating=repeating, upto=upto,
        now=now, status=status, deadline=deadline, breach=breach, internal_breach=i_breach,
        internal_deadline=None if internal is None else internal._deadline,
    )  # fmt: skip
    pauses: tuple[tuple[int, int | None, str], ...] = tuple(cycle.pauses)
    if cycle.pause_since is not None:
        pauses += ((cycle.pause_since[0], None, cycle.pause_since[1]),)
    return MetricResult(
        name=cycle.metric, cycle=cycle.number, repeating=repeating, status=status,
        target=spec.target.within, calendar=spec.cal_name, severity=spec.severity,
        plan=spec.plan, tz=spec.cal.tz, start=cycle.start, deadline=deadline,
        stop=cycle.stop, breach=breach, elapsed=elapsed, target_us=target,
        remaining=remaining, share_used=share, now=now,
        at_risk=status in ("running", "paused") and bool(warn_levels),
        warning=warn_levels[-1] if warn_levels else None, pauses=pauses, internal=internal,
        audit=audit,
    )  # fmt: skip


def _internal(
    spec: Spec, runs: list[tuple[int, int]], stopped: bool, running: bool, upto: int
) -> tuple[InternalResult, int | None]:
    ix = spec.ix
    i_target = spec.internal_us
    assert i_target is not None
    assert spec.target.internal is not None
    i_init = round(spec.init_share * i_target)
    counted = i_init + used(ix, runs, spec.origin, upto)
    hit = business_day_deadline(ix, reached(spec, runs, internal=True), spec.i_bd_end)
    breach = None if hit is None else first_active(runs, hit)
    status: Status
    if breach is not None:
        status = "breached"
    elif stopped:
        status = "met"
    else:
        status = "running" if running else "paused"
    deadline: int | None
    if status == "breached":
        deadline = hit
    elif status == "paused":
        deadline = None
    elif hit is not None:
        deadline = hit if stopped else max(hit, upto)
    else:
        x = ix.add(upto, max(i_target - counted, 0))
        deadline = business_day_deadline(ix, x, spec.i_bd_end)
    share = counted / i_target if i_target else 1.0
    result = InternalResult(spec.target.internal, status, deadline, breach, share, spec.cal.tz)
    return result, breach
