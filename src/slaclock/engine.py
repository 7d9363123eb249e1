"""``evaluate(ticket, policy, *, now)``: replay a ticket's events through the agreement's
clocks and return immutable results. Pure and deterministic: no state, no implicit now.

The replay (one pass over the sorted events) records for each clock the spans during
which it ran and those during which it was paused; the measurement then applies the
target in force (per the severity-change strategy) along those spans on the target's
calendar, with O(log n) calendar queries per span.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Final

from ._holidays import region_holidays
from ._index import OpenIndex
from .calendar import Calendar, HolidayRegion, _us
from .errors import NaiveDatetimeError, TimelineError, UnknownSeverityError
from .policy import METRICS, Metric, Policy, Target, Terms
from .results import ExplainLine, InternalResult, MetricResult, Pause, Status, TicketSla
from .ticket import (
    AgentReply,
    CustomerReply,
    PlanChange,
    SeverityChange,
    StatusChange,
    Ticket,
)

__all__ = ["evaluate"]

_NEVER: Final = 1 << 62


@dataclass
class _Clock:
    name: Metric
    cycle: int
    start: int
    start_seq: int
    runs: list[list[int]] = field(default_factory=list)  # [start, end]; end == _NEVER: open
    pauses: list[tuple[int, int, str]] = field(default_factory=list)  # end _NEVER: open
    stop: int | None = None
    stop_seq: int = 1 << 40
    active: bool = True
    pause_since: tuple[int, str] | None = None

    def run_from(self, t: int) -> None:
        self.runs.append([t, _NEVER])

    def halt(self, t: int) -> None:
        if self.runs and self.runs[-1][1] == _NEVER:
            self.runs[-1][1] = t

    def pause(self, t: int, status: str) -> None:
        self.halt(t)
        self.pause_since = (t, status)

    def resume(self, t: int) -> None:
        if self.pause_since is not None:
            self.pauses.append((self.pause_since[0], t, self.pause_since[1]))
            self.pause_since = None
        self.run_from(t)

    def finish(self, t: int, seq: int) -> None:
        self.halt(t)
        if self.pause_since is not None:
            self.pauses.append((self.pause_since[0], t, self.pause_since[1]))
            self.pause_since = None
        self.stop, self.stop_seq, self.active = t, seq, False

    @property
    def running(self) -> bool:
        return bool(self.runs) and self.runs[-1][1] == _NEVER


@dataclass(frozen=True)
class _Spec:
    """A target applied to a clock: on ``cal``, counting from ``origin`` with an initial
    share of the target already used (``carry``)."""

    target: Target
    cal_name: str
    cal: Calendar
    origin: int
    target_us: int
    internal_us: int | None
    init_share: float
    severity: str
    bd_end: int | None = None  # add_business_days(origin, n) for a business-day target
    i_bd_end: int | None = None


@dataclass(frozen=True)
class _Change:
    at: int
    seq: int
    terms: Terms
    severity: str


def evaluate(
    ticket: Ticket | Mapping[str, Any],
    policy: Policy | Mapping[str, Any],
    *,
    now: datetime | None = None,
) -> TicketSla:
    """Replay ``ticket`` through ``policy`` and return every clock's result.

    Events after ``now`` are ignored; without ``now`` the ticket is evaluated at its last
    event (or its creation). Raises :class:`~slaclock.TimelineError` for a ``now`` before
    creation and :class:`~slaclock.UnknownSeverityError` / ``UnknownPlanError`` naming the
    ticket and event for severities or plans the agreement does not define.
    """
    if not isinstance(ticket, Ticket):
        ticket = Ticket.model_validate(ticket)
    if not isinstance(policy, Policy):
        policy = Policy.model_validate(policy)
    tid = ticket.id
    created = _us(ticket.created_at, "created_at")
    if now is not None:
        if not isinstance(now, datetime) or now.utcoffset() is None:
            raise NaiveDatetimeError.of("now", now)
        horizon = _us(now, "now")
        if horizon < created:
            raise TimelineError(
                f"ticket {tid!r}: now={now.isoformat()} is before the ticket was created "
                f"({ticket.created_at.isoformat()})"
            )
    else:
        horizon = _us(ticket.events[-1].at, "at") if ticket.events else created

    where0 = f"ticket {tid!r}"
    plan0 = policy.resolve_plan(ticket.plan, where=where0)
    terms = policy.terms_for(plan0, ticket.created_at)
    severity = terms.severity(ticket.severity, where=where0)
    changes: list[_Change] = [_Change(created, -1, terms, severity)]
    base_terms = terms  # status rules (pause / stop) come from the terms at creation
    # Statuses compare case-insensitively: exports say 'Pending', agreements 'pending'.
    stop_set = frozenset(x.strip().lower() for x in base_terms.stop_statuses)
    pause_sets = {
        m: frozenset(x.strip().lower() for x in base_terms.pause.get(m, ())) for m in METRICS
    }

    status = ticket.status.strip().lower()
    first = _Clock("first_response", 0, created, -1)
    resolution = _Clock("resolution", 0, created, -1)
    periodic: list[_Clock] = [_Clock("periodic_update", 1, created, -1)]
    replies: list[_Clock] = []
    for c in (first, resolution, periodic[0]):
        _enter(c, created, status, pause_sets[c.name], stop_set, -1)

    for seq, ev in enumerate(ticket.events):
        t = _us(ev.at, "at")
        if t > horizon:
            break
        if isinstance(ev, AgentReply):
            if first.active:
                first.finish(t, seq)
            if replies and replies[-1].active:
                replies[-1].finish(t, seq)
            cur = periodic[-1]
            if cur.active:
                cur.finish(t, seq)
                nxt = _Clock("periodic_update", cur.cycle + 1, t, seq)
                _enter(nxt, t, status, pause_sets["periodic_update"], stop_set, seq)
                periodic.append(nxt)
        elif isinstance(ev, CustomerReply):
            if not (replies and replies[-1].active):
                c = _Clock("next_reply", len(replies) + 1, t, seq)
                _enter(c, t, status, pause_sets["next_reply"], frozenset(), seq)
                replies.append(c)
        elif isinstance(ev, StatusChange):
            new = ev.status.strip().lower()
            if new == status:
                continue
            if new in stop_set:
                for c in (first, resolution, periodic[-1], *(replies[-1:])):
                    if c.active:
                        c.finish(t, seq)
            else:
                was_stopped = status in stop_set
                if was_stopped:  # reopen
                    resolution.active, resolution.stop = True, None
                    resolution.stop_seq = 1 << 40
                    _enter(resolution, t, new, pause_sets["resolution"], stop_set, seq)
                    nxt = _Clock("periodic_update", periodic[-1].cycle + 1, t, seq)
                    _enter(nxt, t, new, pause_sets["periodic_update"], stop_set, seq)
                    periodic.append(nxt)
                for c in (first, resolution, periodic[-1], *(replies[-1:])):
                    if not c.active or (was_stopped and (c is resolution or c.start_seq == seq)):
                        continue  # just (re)entered above, already in the new status
                    pset = pause_sets[c.name]
                    if new in pset and c.pause_since is None:
                        c.pause(t, new)
                    elif new in pset and c.pause_since is not None:
                        # pending -> on_hold: still paused, under the new status
                        since, old = c.pause_since
                        if since < t:
                            c.pauses.append((since, t, old))
                        c.pause_since = (t, new)
                    elif new not in pset and c.pause_since is not None:
                        c.resume(t)
            status = new
        elif isinstance(ev, SeverityChange):
            cur_terms = changes[-1].terms
            sev = cur_terms.severity(ev.severity, where=f"{where0}, event {seq} ({_desc(ev)})")
            changes.append(_Change(t, seq, cur_terms, sev))
        elif isinstance(ev, PlanChange):
            plan = policy.resolve_plan(ev.plan, where=f"{where0}, event {seq} ({_desc(ev)})")
            new_terms = policy.terms_for(plan, ticket.created_at)
            try:
                sev = new_terms.severity(changes[-1].severity)
            except UnknownSeverityError as exc:
                raise UnknownSeverityError(
                    f"{where0}, event {seq} ({_desc(ev)}): plan {plan!r} has no severity "
                    f"{changes[-1].severity!r}: {exc}"
                ) from None
            changes.append(_Change(t, seq, new_terms, sev))
        # internal_note: nothing

    clocks: list[_Clock] = [first, *replies, *periodic, resolution]
    results: list[MetricResult] = []
    fields = ticket.fields
    for clock in clocks:
        r = _measure(clock, changes, fields, horizon)
        if r is not None:
            results.append(r)
    order: dict[str, int] = {m: i for i, m in enumerate(METRICS)}
    results.sort(key=lambda r: (order[r.name], r.cycle))
    final = changes[-1]
    at_tz = ticket.created_at.tzinfo
    return TicketSla(
        ticket_id=tid,
        now=datetime.fromtimestamp(horizon / 1e6, at_tz),
        plan=final.terms.plan,
        severity=final.severity,
        metrics=tuple(results),
    )


def _desc(ev: Any) -> str:
    extra = ""
    for key in ("status", "severity", "plan"):
        if hasattr(ev, key):
            extra = f" {getattr(ev, key)!r}"
    return f"{ev.type}{extra} at {ev.at.isoformat()}"


def _enter(
    c: _Clock, t: int, status: str, pset: frozenset[str], stop_set: frozenset[str], seq: int
) -> None:
    """Start clock ``c`` at ``t`` in ``status``: running, or paused if the status pauses it."""
    if status in stop_set:
        c.finish(t, seq)
    elif status in pset:
        c.pause_since = (t, status)
    else:
        c.run_from(t)


# -- measuring ------------------------------------------------------------------------


def _calendar(terms: Terms, target: Target, fields: Mapping[str, Any]) -> tuple[str, Calendar]:
    name = terms.calendar_name(target, fields)
    cal = terms.calendars[name]
    if terms.timezone_field is not None:
        zone = fields.get(terms.timezone_field)
        if zone and not (cal.union_of or cal.intersection_of) and zone != cal.timezone:
            cal = _rezoned(cal, str(zone))
            name = f"{name}@{zone}"
    return name, cal


def _rezoned(cal: Calendar, zone: str) -> Calendar:
    """``cal``'s hours read in ``zone`` (cached on the calendar instance)."""
    cache: dict[str, Calendar] = cal.__dict__.setdefault("_rezoned", {})
    found = cache.get(zone)
    if found is None:
        found = cal.model_copy(update={"timezone": zone})
        cache[zone] = found
    return found


def _target_us(duration: Any, cal: Calendar, origin: int) -> tuple[int, int | None]:
    """The target as business time; for business days also the instant
    ``add_business_days`` names (the deadline of an uninterrupted clock)."""
    if duration.is_business_days:
        start = datetime.fromtimestamp(origin / 1e6, cal.tz)
        end = _us(cal.add_business_days(start, duration.business_days), "end")
        return cal._ix.elapsed(origin, end), end
    us: int = duration.microseconds
    return us, None


def _spec(
    terms: Terms, severity: str, metric: Metric, fields: Mapping[str, Any], origin: int,
    clock_start: int, init_share: float,
) -> _Spec | None:  # fmt: skip
    target = terms.target(severity, metric)
    if target is None:
        return None
    name, cal = _calendar(terms, target, fields)
    anchor = clock_start if init_share == 0 and origin == clock_start else origin
    t_us, bd_end = _target_us(target.within, cal, anchor)
    i_us, i_bd_end = (
        (None, None) if target.internal is None else _target_us(target.internal, cal, anchor)
    )
    if init_share:
        bd_end = i_bd_end = None  # a carried share moves the deadline off the calendar day
    return _Spec(target, name, cal, origin, t_us, i_us, init_share, severity, bd_end, i_bd_end)


def _used(ix: OpenIndex, runs: list[list[int]], origin: int, upto: int) -> int:
    total = 0
    for s, e in runs:
        s = max(s, origin)
        e = min(e, upto)
        if s < e:
            total += ix.elapsed(s, e)
    return total


def _reach(ix: OpenIndex, runs: list[list[int]], origin: int, amount: int) -> int | None:
    """The earliest instant at which the clock (counting from ``origin``) has counted
    ``amount``, or None if its runs end before (open runs are projected)."""
    if amount <= 0:
        return max(origin, runs[0][0]) if runs else origin
    rem = amount
    for s, e in runs:
        s = max(s, origin)
        if s >= e:
            continue
        if e == _NEVER:
            return ix.add(s, rem)
        el = ix.elapsed(s, e)
        if rem <= el:
            return ix.add(s, rem)
        rem -= el
    return None


def _exceed(ix: OpenIndex, runs: list[list[int]], origin: int, amount: int) -> int | None:
    """The first instant after which the clock has counted more than ``amount``."""
    d = _reach(ix, runs, origin, amount)
    if d is None:
        return None
    return _next_count(ix, runs, origin, d)


def _business_day_deadline(ix: OpenIndex, deadline: int | None, bd_end: int | None) -> int | None:
    """ "N business days" means exactly ``add_business_days``: when the clock ran without
    interruption, the earliest instant the time is used up and the instant
    ``add_business_days`` names differ only by closed time (a close vs the next opening),
    and the deadline is the latter. After pauses, the earliest instant stands."""
    if (
        deadline is not None
        and bd_end is not None
        and deadline <= bd_end
        and ix.elapsed(deadline, bd_end) == 0
    ):
        return bd_end
    return deadline


def _next_count(ix: OpenIndex, runs: list[list[int]], origin: int, d: int) -> int | None:
    """The first instant ``>= d`` at which the clock counts (running and open)."""
    for s, e in runs:
        s = max(s, origin, d)
        if s >= e:
            continue
        nx = ix.next_open(s)
        if nx < e:
            return nx
    return None


def _measure(
    clock: _Clock, changes: list[_Change], fields: Mapping[str, Any], horizon: int
) -> MetricResult | None:
    metric = clock.name
    in_force = [c for c in changes if c.seq <= clock.start_seq] or changes[:1]
    base = in_force[-1]
    later = [c for c in changes if clock.start_seq < c.seq < clock.stop_seq]
    spec = _spec(base.terms, base.severity, metric, fields, clock.start, clock.start, 0.0)
    end_terms = base.terms
    strategy = (later[-1].terms if later else base.terms).severity_change
    for ch in later:
        end_terms = ch.terms
        retro = _spec(ch.terms, ch.severity, metric, fields, clock.start, clock.start, 0.0)
        if retro is None or spec is None or strategy == "retroactive":
            spec = retro
        elif strategy == "restart":
            spec = _spec(ch.terms, ch.severity, metric, fields, ch.at, clock.start, 0.0)
        elif strategy == "carry":
            ix = spec.cal._ix
            used = spec.init_share * spec.target_us + _used(ix, clock.runs, spec.origin, ch.at)
            share = used / spec.target_us if spec.target_us else 1.0
            spec = _spec(ch.terms, ch.severity, metric, fields, ch.at, clock.start, share)
        else:  # stricter: compare the deadlines as projected (a stopped or paused
            # clock's runs end before either target is reached; project from its end)
            upto = clock.stop if clock.stop is not None else horizon
            proj = clock.runs if clock.running else [*clock.runs, [upto, _NEVER]]
            d_old = _deadline(spec, proj)
            d_new = _deadline(retro, proj)
            if d_new is not None and (d_old is None or d_new < d_old):
                spec = retro
    if spec is None:
        return None
    return _result(clock, spec, end_terms, horizon)


def _deadline(spec: _Spec, runs: list[list[int]]) -> int | None:
    init = round(spec.init_share * spec.target_us)
    return _reach(spec.cal._ix, runs, spec.origin, spec.target_us - init)


def _result(clock: _Clock, spec: _Spec, terms: Terms, horizon: int) -> MetricResult:
    cal = spec.cal
    ix = cal._ix
    tz = cal.tz
    runs = clock.runs
    origin = spec.origin
    init = round(spec.init_share * spec.target_us)
    stop = clock.stop
    upto = stop if stop is not None else horizon
    used = init + _used(ix, runs, origin, upto)
    target = spec.target_us
    stopped = stop is not None
    running = clock.running
    if stopped:
        status: Status = "met" if used <= target else "breached"
    elif used > target:
        status = "breached"
    elif running:
        status = "running"
    else:
        status = "paused"

    # Projection runs: as recorded, plus (for a stopped or paused clock) an open run from
    # the stop, so a met clock reports the deadline it had when it stopped.
    proj = runs if running else [*runs, [upto, _NEVER]]
    deadline_us = _reach(ix, proj, origin, target - init)
    deadline_us = _business_day_deadline(ix, deadline_us, spec.bd_end)
    if status == "paused":
        deadline_us = None
    breached_at = _exceed(ix, runs, origin, target - init) if status == "breached" else None

    def dt(us: int | None) -> datetime | None:
        return None if us is None else datetime.fromtimestamp(us / 1e6, tz)

    share = used / target if target else (0.0 if used == 0 else float("inf"))
    warn_levels = [w for w in terms.warn_at if share >= w]
    at_risk = status in ("running", "paused") and bool(warn_levels)
    wall_remaining = None
    if deadline_us is not None and not stopped and status in ("running", "breached"):
        wall_remaining = timedelta(microseconds=deadline_us - horizon)

    internal = None
    if spec.internal_us is not None:
        i_target = spec.internal_us
        i_init = round(spec.init_share * i_target)
        i_used = i_init + _used(ix, runs, origin, upto)
        if stopped:
            i_status: Status = "met" if i_used <= i_target else "breached"
        elif i_used > i_target:
            i_status = "breached"
        else:
            i_status = status
        i_deadline = _reach(ix, proj, origin, i_target - i_init)
        i_deadline = _business_day_deadline(ix, i_deadline, spec.i_bd_end)
        if i_status == "paused":
            i_deadline = None
        i_breach = _exceed(ix, runs, origin, i_target - i_init) if i_status == "breached" else None
        internal = InternalResult(
            target=spec.target.internal,  # type: ignore[arg-type]
            deadline=dt(i_deadline),
            status=i_status,
            breached_at=dt(i_breach),
            share_used=i_used / i_target if i_target else 0.0,
        )

    pauses = tuple(
        Pause(start=dt(s), end=None if e == _NEVER else dt(e), status=st)  # type: ignore[arg-type]
        for s, e, st in clock.pauses
    )
    if clock.pause_since is not None:
        pauses += (Pause(dt(clock.pause_since[0]), None, clock.pause_since[1]),)  # type: ignore[arg-type]

    audit = _Audit(clock, spec, upto, running, terms.warn_at)

    return MetricResult(
        name=clock.name,
        cycle=clock.cycle,
        status=status,
        target=spec.target.within,
        calendar=spec.cal_name,
        started_at=dt(clock.start),  # type: ignore[arg-type]
        deadline=dt(deadline_us),
        stopped_at=dt(stop),
        business_elapsed=timedelta(microseconds=used),
        business_remaining=timedelta(microseconds=max(target - used, 0)),
        target_business=timedelta(microseconds=target),
        share_used=share,
        breached_at=dt(breached_at),
        at_risk=at_risk,
        warning=warn_levels[-1] if warn_levels else None,
        pauses=pauses,
        wall_remaining=wall_remaining,
        severity=spec.severity,
        internal=internal,
        _explain=audit.explain,
        _flips=audit.flips,
    )


@dataclass(frozen=True)
class _Audit:
    """What ``explain()`` and ``next_change()`` need of one clock (picklable, so results
    can travel between processes)."""

    clock: _Clock
    spec: _Spec
    upto: int
    running: bool
    warn_at: tuple[float, ...]

    def explain(self) -> list[ExplainLine]:
        return _explain_clock(self.clock, self.spec, self.upto)

    def flips(self) -> list[tuple[int, bool]]:
        """``(instant, inclusive)`` pairs at which this running clock's status or warning
        level flips. A breach starts right after its instant (at the instant the clock
        is still within target), so it counts even when ``now`` is that instant; a
        warning holds from its instant on."""
        if not self.running:
            return []
        spec, runs = self.spec, self.clock.runs
        ix, origin, target = spec.cal._ix, spec.origin, spec.target_us
        init = round(spec.init_share * target)
        found = [(_exceed(ix, runs, origin, target - init), True)]
        found += [(_reach(ix, runs, origin, round(w * target) - init), False) for w in self.warn_at]
        if spec.internal_us is not None:
            i_amount = spec.internal_us - round(spec.init_share * spec.internal_us)
            found.append((_exceed(ix, runs, origin, i_amount), True))
        return [(x, inclusive) for x, inclusive in found if x is not None]


# -- explanation ----------------------------------------------------------------------


def _explain_clock(clock: _Clock, spec: _Spec, upto: int) -> list[ExplainLine]:
    cal = spec.cal
    ix = cal._ix
    tz = cal.tz
    name, cycle = clock.name, clock.cycle
    spans: list[tuple[int, int, bool, str]] = []
    for s, e, st in clock.pauses:
        spans.append((s, min(e, upto), False, f"paused in {st!r}"))
    if clock.pause_since is not None:
        spans.append((clock.pause_since[0], upto, False, f"paused in {clock.pause_since[1]!r}"))
    for s, e in clock.runs:
        e = min(e, upto)
        if spec.origin > s:
            cut = min(spec.origin, e)
            if s < cut:
                spans.append((s, cut, False, "before the severity change (clock restarted)"))
            s = max(s, spec.origin)
        pos = s
        for a, b in ix.intervals_between(s, e) if s < e else ():
            if pos < a:
                spans.extend(_closed_spans(cal, pos, a))
            spans.append((a, b, True, f"open on {spec.cal_name}"))
            pos = b
        if pos < e:
            spans.extend(_closed_spans(cal, pos, e))
    spans.sort()
    out: list[ExplainLine] = []
    for s, e, counted, reason in spans:
        if s >= e:
            continue
        business = timedelta(microseconds=e - s) if counted else timedelta(0)
        out.append(
            ExplainLine(
                metric=name,
                cycle=cycle,
                start=datetime.fromtimestamp(s / 1e6, tz),
                end=datetime.fromtimestamp(e / 1e6, tz),
                counted=counted,
                reason=reason,
                business=business,
            )
        )
    return out


def _closed_spans(cal: Calendar, a: int, b: int) -> list[tuple[int, int, bool, str]]:
    """Split a closed span at local midnights and say why each part was closed."""
    tz = cal.tz
    out: list[tuple[int, int, bool, str]] = []
    pos = a
    while pos < b:
        local = datetime.fromtimestamp(pos / 1e6, tz)
        nxt_day = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), tz)
        cut = min(b, _us(nxt_day, "t"))
        reason = _closed_reason(cal, local.date())
        if out and out[-1][3] == reason and out[-1][1] == pos:
            out[-1] = (out[-1][0], cut, False, reason)
        else:
            out.append((pos, cut, False, reason))
        pos = cut
    return out


def _closed_reason(cal: Calendar, d: date) -> str:
    if d in cal.overrides:
        return f"closed hours (override for {d.isoformat()})"
    for h in cal.holidays:
        if isinstance(h, date) and h == d:
            return f"holiday {d.isoformat()}"
        if isinstance(h, HolidayRegion) and d in region_holidays(h.country, h.subdivision, d.year):
            return f"holiday {d.isoformat()} ({h.country})"
    return "closed hours"
