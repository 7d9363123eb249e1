"""Measuring one replayed cycle: which target applies (per the severity-change
strategy), on which calendar, and the resulting status, deadline and breach.

The replay (:mod:`slaclock.engine`) records what happened; this module applies the
agreement to it. The arithmetic itself is :mod:`slaclock._clock`; the explanation and
the SLA events of a measured cycle are :mod:`slaclock._audit`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, Final

from ._audit import CancelledAudit
from ._clock import OPEN, business_day_deadline, count, first_active, reach, used
from ._index import OpenIndex
from .calendar import Calendar
from .errors import ConfigError, TimelineError
from .policy import Target, Terms
from .results import InternalResult, MetricResult, Status

if TYPE_CHECKING:  # pragma: no cover
    from .engine import Cycle

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US: Final = timedelta(microseconds=1)


class Change:
    """The terms in force from event ``seq`` (``-1``: creation) on (read-only by
    convention: a plain slotted class, built once or more per ticket)."""

    __slots__ = ("at", "fields", "seq", "severity", "terms")

    def __init__(
        self, at: int, seq: int, terms: Terms, severity: str, fields: Mapping[str, Any]
    ) -> None:
        self.at = at
        self.seq = seq
        self.terms = terms
        self.severity = severity
        self.fields = fields

    def __repr__(self) -> str:
        return f"Change(at={self.at}, seq={self.seq}, severity={self.severity!r})"


@dataclass(slots=True)
class Context:
    """One ticket's measurement context: its id, the evaluation instant, the terms changes
    (sorted by ``seq``) and the policy-wide cache of resolved targets."""

    ticket: str
    now: int
    changes: list[Change]
    seqs: list[int]  # the changes' seqs (only read when there is more than one)
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
    ix: OpenIndex  # cal.index

    def __reduce__(self) -> tuple[Any, ...]:  # the index is not pickled: cal rebuilds it
        return (_resolved, (self.target, self.cal_name, self.cal, self.target_us,
                            self.internal_us, self.severity, self.plan, self.warn_at))  # fmt: skip


def _resolved(*values: Any) -> Resolved:
    return Resolved(*values, values[2].index)  # type: ignore[call-arg]


class Spec:
    """A target applied to a cycle: counting from ``origin`` with a share of the target
    already used (``init_share``, by ``carry``; ``prior`` is the spec that counted before
    ``origin`` then)."""

    __slots__ = (
        "bd_end", "i_bd_end", "init", "init_share", "internal_us", "ix", "origin", "prior",
        "resolved", "target_us",
    )  # fmt: skip

    def __init__(
        self, resolved: Resolved, origin: int, target_us: int, internal_us: int | None,
        init_share: float, bd_end: int | None, i_bd_end: int | None,
        prior: Spec | None = None,
    ) -> None:  # fmt: skip
        self.resolved = resolved
        self.origin = origin
        self.target_us = target_us
        self.internal_us = internal_us
        self.init_share = init_share
        self.bd_end = bd_end
        self.i_bd_end = i_bd_end
        self.prior = prior
        self.ix: OpenIndex = resolved.ix
        # the share of the target carried in, in microseconds
        self.init: int = round(init_share * target_us) if init_share else 0

    def __reduce__(self) -> tuple[Any, ...]:
        return (Spec, (self.resolved, self.origin, self.target_us, self.internal_us,
                       self.init_share, self.bd_end, self.i_bd_end, self.prior))  # fmt: skip

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


def _resolve(ctx: Context, ch: Change, metric: str) -> Resolved | None:
    """The change's target for ``metric``, resolved (cached across tickets)."""
    terms = ch.terms
    target = terms.severities[ch.severity].get(metric)
    if target is None:
        return None
    if target.calendar is not None or (terms.calendar_by is None and terms.timezone_field is None):
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
        ch.severity, terms.plan, terms.warn_at, cal.index,
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
    i_us, i_bd_end = r.internal_us, None
    internal = r.target.internal
    if t_us is None or (internal is not None and i_us is None):
        ix = r.ix
        if t_us is None:
            bd_end = ix.add_business_days(origin, r.target.within.business_days)
            t_us = ix.elapsed(origin, bd_end)
        if internal is not None and i_us is None:
            i_bd_end = ix.add_business_days(origin, internal.business_days)
            i_us = ix.elapsed(origin, i_bd_end)
        if init_share:
            bd_end = i_bd_end = None  # a carried share moves the deadline off the calendar day
    return Spec(r, origin, t_us, i_us, init_share, bd_end, i_bd_end, prior)


def _clip(runs: Sequence[Sequence[int]], upto: int) -> list[tuple[int, int]]:
    """The spans of a cycle cut at ``upto`` (empty ones left out)."""
    out = []
    for s, e in runs:
        if e > upto:
            e = upto
        if s < e:
            out.append((s, e))
    return out


def _upto(runs: list[tuple[int, int]], upto: int) -> Sequence[Sequence[int]]:
    """The spans of a cycle as judged at ``upto`` (its stop, or now): only the last one
    can reach past it (every earlier one ended at an event, before)."""
    if runs and runs[-1][1] > upto:
        last = runs[-1]
        return [*runs[:-1], (last[0], upto)]
    return runs


def reached(spec: Spec, runs: Sequence[Sequence[int]], *, internal: bool = False) -> int | None:
    """The instant the cycle's counted time reached the whole target (on the terms that
    were counting then), or None."""
    target = spec.internal_us if internal else spec.target_us
    if target is None:
        return None
    init = round(spec.init_share * target)
    if init >= target and spec.prior is not None:
        return reached(spec.prior, _clip(runs, spec.origin), internal=internal)
    return reach(spec.ix, runs, spec.origin, target - init)


def _projected(spec: Spec, runs: Sequence[Sequence[int]], upto: int) -> int | None:
    proj: list[list[int]] = [list(r) for r in runs if r[0] < r[1]]
    if not proj or proj[-1][1] != OPEN:
        proj.append([upto, OPEN])
    return reach(spec.ix, proj, spec.origin, spec.target_us - spec.init)


def measure(
    ctx: Context, cycle: Cycle, metric_index: int, repeating: bool
) -> tuple[MetricResult | None, CancelledAudit | None]:
    """The result of one replayed cycle (None when its terms give it no target; then
    the audit of a cycle whose target went away mid-way, if it had one)."""
    if len(ctx.changes) == 1:  # the common case: no severity, plan or calendar change
        spec = _spec(ctx, ctx.changes[0], cycle.metric, cycle.start)
        cancelled = None
    else:
        spec, cancelled = choose(ctx, cycle, metric_index)
    if spec is None:
        return None, cancelled
    upto = cycle.stop if cycle.stop is not None else ctx.now
    return result(ctx, cycle, spec, metric_index, repeating, upto), None


def choose(
    ctx: Context, cycle: Cycle, metric_index: int
) -> tuple[Spec | None, CancelledAudit | None]:
    """The spec that judges a cycle, per the severity-change strategy (None when its
    terms give it no target; then the audit of a cycle whose target went away, if any)."""
    changes = ctx.changes
    metric, start = cycle.metric, cycle.start
    if len(changes) == 1:  # the common case: no severity, plan or calendar change
        return _spec(ctx, changes[0], metric, start), None
    upto = cycle.stop if cycle.stop is not None else ctx.now
    seqs = ctx.seqs
    i0 = bisect_right(seqs, cycle.start_seq) - 1
    i1 = bisect_left(seqs, cycle.stop_seq)
    base = changes[i0]
    final_terms = changes[i1 - 1].terms if i1 > i0 else base.terms
    strategy = final_terms.severity_change
    cancel_at: int | None = None
    if strategy == "retroactive":
        # Only the terms in force at the stop count (from the start); the changes between
        # matter only to say when a target that went away was cancelled.
        spec = _spec(ctx, changes[i1 - 1] if i1 > i0 else base, metric, start)
        if spec is None:
            had = _spec(ctx, base, metric, start) is not None
            for ch in changes[i0 + 1 : i1]:
                has = _resolve(ctx, ch, metric) is not None
                if had and not has:
                    cancel_at = ch.at
                had = has
    else:
        spec = _spec(ctx, base, metric, start)
    for ch in changes[i0 + 1 : i1] if strategy != "retroactive" else ():
        retro = _spec(ctx, ch, metric, start)
        if retro is None:
            if spec is not None:
                cancel_at = ch.at
            spec = None
        elif spec is None:
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
    return spec, None


def _tz_of(ctx: Context, ch: Change) -> tzinfo:
    terms = ch.terms
    return terms.calendars[terms.default_calendar].tz


Judged = tuple[Status, int | None, int | None, int]
"""``(status, deadline, breached_at, counted)`` of one target on a cycle."""


def _judge(
    spec: Spec, runs: Sequence[Sequence[int]], target: int, init: int, bd_end: int | None,
    stopped: bool, running: bool, x0: int, now: int, *, internal: bool,
) -> Judged:  # fmt: skip
    """``(status, deadline, breached_at, counted)`` of one target on a cycle's runs (the
    rule of DESIGN.md "Met, breached, running, paused"); ``x0`` is where a projection
    starts (the stop, or now)."""
    ix = spec.ix
    if init >= target and spec.prior is not None:
        counted = init + used(ix, runs, spec.origin, x0)
        hit = reached(spec, runs, internal=internal)
    else:
        counted, hit = count(ix, runs, spec.origin, target - init)
        counted += init
    if bd_end is not None and hit is not None:
        hit = business_day_deadline(ix, hit, bd_end)
    if hit is not None:
        breach = first_active(runs, hit)
        if breach is not None:
            return "breached", hit, breach, counted
        if stopped:
            return "met", hit, None, counted
        if running:
            return "running", (hit if hit > now else now), None, counted
        return "paused", None, None, counted
    if not stopped and not running:
        return "paused", None, None, counted
    x: int | None = ix.add(x0, target - counted)
    if bd_end is not None:
        x = business_day_deadline(ix, x, bd_end)
    return ("met" if stopped else "running"), x, None, counted


def result(
    ctx: Context, cycle: Cycle, spec: Spec, metric_index: int, repeating: bool, upto: int,
    judged: Judged | None = None,
) -> MetricResult:  # fmt: skip
    """The result of a cycle judged by ``spec`` (``judged``: the public target's verdict
    when it was computed already, by the columnar path)."""
    now = ctx.now
    runs = _upto(cycle.runs, upto)
    target = spec.target_us
    init = spec.init
    stop = cycle.stop
    stopped = stop is not None
    running = not stopped and cycle.running
    if judged is None:
        judged = _judge(
            spec, runs, target, init, spec.bd_end, stopped, running, upto, now, internal=False
        )
    status, deadline, breach, counted = judged
    if spec.prior is None:
        elapsed = counted - init
    else:
        elapsed = sum(used(s.ix, runs, a, min(b, upto)) for s, a, b in spec.legs())
    share = counted / target if target else 1.0
    r = spec.resolved
    warning = None
    for w in r.warn_at:
        if share >= w:
            warning = w
    internal = None
    i_breach = i_deadline = None
    i_target = spec.internal_us
    if i_target is not None:
        i_init = round(spec.init_share * i_target) if spec.init_share else 0
        i_status, i_deadline, i_breach, i_counted = _judge(
            spec, runs, i_target, i_init, spec.i_bd_end, stopped, running, upto, now,
            internal=True,
        )  # fmt: skip
        internal = InternalResult(
            r.target.internal,  # type: ignore[arg-type]
            i_status, i_deadline, i_breach, i_counted / i_target if i_target else 1.0,
            r.cal.tz,
        )  # fmt: skip
    since = cycle.pause_since
    pauses: tuple[tuple[int, int | None, str], ...] = (
        tuple(cycle.pauses) if since is None else (*cycle.pauses, (since[0], None, since[1]))
    )
    return MetricResult(
        (
            cycle.metric, cycle.number, repeating, status, r.target.within, r.cal_name,
            r.severity, r.plan, r.cal.tz, cycle.start, deadline, stop, breach, elapsed,
            target, max(target - counted, 0), share, now,
            warning is not None and status in ("running", "paused"), warning, pauses,
            internal, cycle, spec, metric_index, upto, i_breach, i_deadline,
        )
    )  # fmt: skip
