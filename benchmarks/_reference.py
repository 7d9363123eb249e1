"""A minimal reference replay of the built-in sample agreement, written by hand.

What a tight hand-written SLA replay looks like, to measure ``slaclock.evaluate``
against (``benchmarks/engine.py``) and to cross-check its answers clock by clock. It
handles exactly what the sample agreement (``slaclock/data/sample_policy.toml``) needs:

- the metrics ``first_response``, ``next_reply`` and ``resolution`` with their built-in
  definitions (DESIGN.md, "Ticket semantics, version 2");
- plans chosen by the ticket's ``plan`` field (else ``default_plan``), severities and
  aliases, retroactive severity changes (the target of the severity in force when the
  cycle stops, or at ``now``, counted from the cycle's start);
- pauses of ``resolution`` per the agreement's ``pause.resolution``; the stop statuses;
- the breach at the deadline instant; customer replies before the first response start
  nothing; a customer reply while solved starts ``next_reply`` at the reopen unless an
  agent reply comes first; ``resolution`` is suspended by a solve and resumes on reopen.

Anything else (custom metrics, rules, field or plan events, other change strategies,
``calendar_by``, a ticket created solved) raises ``NotImplementedError`` instead of
answering.

The calendar arithmetic is its own too: each calendar's open intervals over a fixed span
of years are taken once from slaclock's compiled index (``Calendar.index``) and kept as
sorted UTC-microsecond lists with the cumulative business time; ``elapsed`` and ``add``
are a ``bisect`` or two; a target in business days jumps straight to the n-th open local
date (a sorted list per calendar). Every instant is an ``int``: microseconds since
1970-01-01 UTC.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, Final

from slaclock import Calendar, Policy, Ticket
from slaclock.metrics import BUILTIN_METRICS

__all__ = ["OPEN", "Clock", "RefCalendar", "RefPolicy", "replay"]

EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
ONE_US: Final = timedelta(microseconds=1)
OPEN: Final = 1 << 62  # end of a span still running
METRICS: Final = ("first_response", "next_reply", "resolution")
CATEGORIES: Final = frozenset({"new", "open", "pending", "on_hold", "solved", "closed"})

Clock = tuple[str, int, str, int | None, int | None, int, int | None]
"""``(metric, cycle, status, deadline, stopped_at, business_elapsed, breached_at)``."""


def to_us(t: datetime) -> int:
    return (t - EPOCH) // ONE_US


class RefCalendar:
    """One calendar's open time between two instants, as sorted lists (UTC µs)."""

    __slots__ = ("cum", "cum_end", "day_ivs", "ends", "hi", "lo", "open_dates", "starts", "tz")

    def __init__(self, cal: Calendar, lo: datetime, hi: datetime) -> None:
        self.tz: tzinfo = cal.tz
        self.lo, self.hi = to_us(lo), to_us(hi)
        ivs = list(cal.index.intervals_between(self.lo, self.hi))
        self.starts = [s for s, _ in ivs]
        self.ends = [e for _, e in ivs]
        self.cum: list[int] = []
        self.cum_end: list[int] = []
        acc = 0
        for s, e in ivs:
            self.cum.append(acc)
            acc += e - s
            self.cum_end.append(acc)
        # Local dates with open hours, and each one's intervals (clipped to the date).
        self.open_dates: list[int] = []  # ordinals
        self.day_ivs: dict[int, list[tuple[int, int]]] = {}
        d = lo.astimezone(self.tz).date() + timedelta(days=1)
        last = hi.astimezone(self.tz).date() - timedelta(days=1)
        tz = self.tz
        while d < last:
            a = to_us(datetime(d.year, d.month, d.day, tzinfo=tz))
            nxt = d + timedelta(days=1)
            b = to_us(datetime(nxt.year, nxt.month, nxt.day, tzinfo=tz))
            day = self._between(a, b)
            if day:
                self.open_dates.append(d.toordinal())
                self.day_ivs[d.toordinal()] = day
            d = nxt

    def _between(self, a: int, b: int) -> list[tuple[int, int]]:
        starts, ends = self.starts, self.ends
        i = max(bisect_right(starts, a) - 1, 0)
        out = []
        while i < len(starts) and starts[i] < b:
            s, e = max(starts[i], a), min(ends[i], b)
            if s < e:
                out.append((s, e))
            i += 1
        return out

    def _check(self, t: int) -> None:
        if not self.lo < t < self.hi:
            raise NotImplementedError(f"instant {t} µs is outside the precompiled span")

    def cum_at(self, t: int) -> int:
        """Business time before ``t`` (since the start of the span)."""
        i = bisect_right(self.starts, t) - 1
        if i < 0:
            return 0
        e = self.ends[i]
        return self.cum[i] + (e if t > e else t) - self.starts[i]

    def elapsed(self, a: int, b: int) -> int:
        """Business time in ``[a, b)``: ``cum_at(b) - cum_at(a)``, inlined."""
        starts, ends, cum = self.starts, self.ends, self.cum
        i = bisect_right(starts, a) - 1
        j = bisect_right(starts, b, i if i > 0 else 0) - 1
        if j < 0:
            return 0
        e = ends[j]
        total = cum[j] + (e if b > e else b) - starts[j]
        if i >= 0:
            e = ends[i]
            total -= cum[i] + (e if a > e else a) - starts[i]
        return total

    def add(self, t: int, d: int) -> int:
        """The earliest ``x >= t`` with ``elapsed(t, x) == d``."""
        if d == 0:
            return t
        target = self.cum_at(t) + d
        j = bisect_left(self.cum_end, target)
        if j == len(self.starts):
            raise NotImplementedError("a deadline beyond the precompiled span")
        return self.starts[j] + target - self.cum[j]

    def add_business_days(self, t: int, n: int) -> int:
        """The same local wall time on the n-th following open date (from the first open
        instant ``>= t``), clamped into that date's hours."""
        self._check(t)
        starts = self.starts
        i = bisect_right(starts, t) - 1
        if not (i >= 0 and t < self.ends[i]):
            t = starts[i + 1]
        local = (EPOCH + t * ONE_US).astimezone(self.tz)
        if n == 0:
            return t
        k = bisect_right(self.open_dates, local.toordinal()) + n - 1
        if k >= len(self.open_dates):
            raise NotImplementedError("a business-day deadline beyond the precompiled span")
        day = self.open_dates[k]
        wall = datetime.combine(date.fromordinal(day), local.time(), tzinfo=self.tz)
        cand = to_us(wall.replace(fold=local.fold))
        ivs = self.day_ivs[day]
        if cand < ivs[0][0]:
            return ivs[0][0]
        if cand >= ivs[-1][1]:
            return ivs[-1][1]
        for s, e in ivs:
            if cand < e:
                return s if cand < s else cand
        raise AssertionError("unreachable")  # pragma: no cover


# A target: (calendar, business days or None, microseconds when not in business days).
Target = tuple[RefCalendar, int | None, int]


class RefPolicy:
    """The sample agreement as plain tables: (plan, severity) -> metric -> target."""

    def __init__(self, policy: Policy, lo: datetime, hi: datetime) -> None:
        for name in policy.measured_metrics:
            if name not in METRICS or policy.metric(name) != BUILTIN_METRICS[name]:
                raise NotImplementedError(f"metric {name!r} is not the built-in one")
        if policy.rules:
            raise NotImplementedError("plan rules")
        plans: list[str | None] = list(policy.plan_names) or [None]
        self.default_plan = policy.default_plan
        self.plan_names = {p.lower(): p for p in plans if p is not None}
        self.targets: dict[tuple[str | None, str], dict[str, Target]] = {}
        self.severities: dict[str | None, dict[str, str]] = {}
        self.pause: dict[str | None, frozenset[str]] = {}
        self.solve: dict[str | None, frozenset[str]] = {}
        cals: dict[int, RefCalendar] = {}
        if policy.versions or any(p.versions for p in policy.plans.values()):
            raise NotImplementedError("dated versions of the terms")
        for plan in plans:
            terms = policy.terms_for(plan, lo)
            if set(terms.stop_statuses) != {"solved", "closed"}:
                raise NotImplementedError("stop statuses other than solved, closed")
            if terms.severity_change != "retroactive" or terms.calendar_by is not None:
                raise NotImplementedError("severity_change other than retroactive, calendar_by")
            if terms.timezone_field is not None:
                raise NotImplementedError("timezone_field")
            sev_map: dict[str, str] = {}
            for sev in terms.severities:
                sev_map.setdefault(sev.strip().lower(), sev)
            for alias, sev in terms.aliases.items():
                sev_map.setdefault(alias.strip().lower(), sev)
            self.severities[plan] = sev_map
            self.pause[plan] = frozenset(terms.pause.get("resolution", ("pending", "on_hold")))
            self.solve[plan] = frozenset(terms.stop_statuses)
            for sev, row in terms.severities.items():
                table: dict[str, Target] = {}
                for metric, target in row.items():
                    cal = terms.calendars[target.calendar or terms.default_calendar]
                    ref = cals.get(id(cal))
                    if ref is None:
                        ref = cals[id(cal)] = RefCalendar(cal, lo, hi)
                    w = target.within
                    if w.is_business_days:
                        table[metric] = (ref, w.business_days, 0)
                    else:
                        table[metric] = (ref, None, w.microseconds)
                self.targets[(plan, sev)] = table

    def plan(self, ticket: Ticket) -> str | None:
        if ticket.plan is None:
            return self.default_plan
        return self.plan_names[ticket.plan.strip().lower()]


def _measure(
    out: list[Clock], metric: str, number: int, start: int, runs: Sequence[Sequence[int]],
    stop: int | None, target: Target | None, now: int,
) -> None:  # fmt: skip
    """Append the clock of one cycle that started at ``start``, ran on ``runs``
    (``[start, end)``; the last end may be OPEN) and stopped at ``stop`` (None: still
    active at ``now``)."""
    if target is None:
        return  # no target for the terms in force: not reported
    cal, days, within = target
    upto = now if stop is None else stop
    spans = []
    for s, e in runs:
        if e > upto:
            e = upto
        if s < e:
            spans.append((s, e))
    if days is not None:
        end = cal.add_business_days(start, days)
        bd_end: int | None = end
        goal = cal.elapsed(start, end)
    else:
        bd_end, goal = None, within
    counted = 0
    hit = None
    rem = goal
    for s, e in spans:
        el = cal.elapsed(s, e)
        counted += el
        if hit is None:
            if rem <= 0:
                hit = s
            elif rem <= el:
                hit = cal.add(s, rem)
            else:
                rem -= el
    if hit is not None and bd_end is not None and hit <= bd_end and cal.elapsed(hit, bd_end) == 0:
        hit = bd_end
    breach = None
    if hit is not None:
        for s, e in spans:
            if hit < e:
                breach = s if s > hit else hit
                break
    if breach is not None:
        out.append((metric, number, "breached", hit, stop, counted, breach))
        return
    if stop is not None:
        status = "met"
    elif runs and runs[-1][1] == OPEN:
        status = "running"
    else:
        out.append((metric, number, "paused", None, None, counted, None))
        return
    if hit is not None:
        deadline = hit if stop is not None or hit > now else now
    else:
        x = cal.add(upto, max(goal - counted, 0))
        if bd_end is not None and x <= bd_end and cal.elapsed(x, bd_end) == 0:
            x = bd_end
        deadline = x
    out.append((metric, number, status, deadline, stop, counted, None))


def replay(ticket: Ticket, ref: RefPolicy, now: int | None = None) -> list[Clock]:
    """The clocks of ``ticket`` under the sample agreement, in report order, at ``now``
    (µs; default: the ticket's last event)."""
    plan = ref.plan(ticket)
    sev_map = ref.severities[plan]
    pause = ref.pause[plan]
    solve = ref.solve[plan]
    created = to_us(ticket.created_at)
    events = ticket.events
    if now is None:
        now = to_us(events[-1].at) if events else created
    sev = sev_map[ticket.severity.strip().lower()]
    key = ticket.status.strip().lower()
    if key not in CATEGORIES:
        raise NotImplementedError(f"status {ticket.status!r}")
    if key in solve:
        raise NotImplementedError("a ticket created solved")

    # first_response: one span [created, fr_stop)
    fr_stop: int | None = None
    fr_sev = sev
    # next_reply: cycles [number, start, stop, severity at stop]
    nr: list[list[Any]] = []
    nr_cur: list[Any] | None = None
    nr_pending = False
    # resolution: spans, the solve that suspends it, the severity at that solve
    res_runs: list[list[int]] = [] if key in pause else [[created, OPEN]]
    res_stop: int | None = None
    res_sev = sev
    solved = False

    for ev in events:
        t = to_us(ev.at)
        if t > now:
            break
        kind = ev.type
        if kind == "agent_reply":
            if fr_stop is None:
                fr_stop, fr_sev = t, sev
            if nr_cur is not None:
                nr_cur[2], nr_cur[3] = t, sev
                nr_cur = None
            nr_pending = False
        elif kind == "customer_reply":
            if solved:
                nr_pending = True
            elif fr_stop is not None and nr_cur is None:
                nr_cur = [len(nr) + 1, t, None, None]
                nr.append(nr_cur)
        elif kind == "status":
            new = ev.status.strip().lower()
            if new == key:
                continue
            if new not in CATEGORIES:
                raise NotImplementedError(f"status {ev.status!r}")
            is_solved = new in solve
            if is_solved and not solved:  # entering solved / closed
                if fr_stop is None:
                    fr_stop, fr_sev = t, sev
                if nr_cur is not None:
                    nr_cur[2], nr_cur[3] = t, sev
                    nr_cur = None
                if res_runs and res_runs[-1][1] == OPEN:
                    res_runs[-1][1] = t
                res_stop, res_sev = t, sev
            elif solved and not is_solved:  # reopened
                if nr_pending:
                    nr_pending = False
                    nr_cur = [len(nr) + 1, t, None, None]
                    nr.append(nr_cur)
                res_stop = None
                if new not in pause:
                    res_runs.append([t, OPEN])
            elif not solved:  # pause or resume resolution
                running = bool(res_runs) and res_runs[-1][1] == OPEN
                if new in pause:
                    if running:
                        res_runs[-1][1] = t
                elif not running:
                    res_runs.append([t, OPEN])
            key, solved = new, is_solved
        elif kind == "severity":
            sev = sev_map[ev.severity.strip().lower()]
        elif kind != "internal_note":
            raise NotImplementedError(f"event type {kind!r}")

    targets = ref.targets
    out: list[Clock] = []
    if fr_stop is None:
        fr_sev = sev
    _measure(
        out, "first_response", 1, created, ((created, OPEN),), fr_stop,
        targets[(plan, fr_sev)].get("first_response"), now,
    )  # fmt: skip
    for number, start, stop, at_stop in nr:
        target = targets[(plan, sev if stop is None else at_stop)].get("next_reply")
        _measure(out, "next_reply", number, start, ((start, OPEN),), stop, target, now)
    if res_stop is None:
        res_sev = sev
    _measure(
        out, "resolution", 1, created, res_runs, res_stop,
        targets[(plan, res_sev)].get("resolution"), now,
    )  # fmt: skip
    return out


def clocks_of(results: Iterable[Any]) -> list[Clock]:
    """slaclock's ``MetricResult`` objects as :data:`Clock` tuples (for comparison)."""
    out: list[Clock] = []
    for m in results:
        out.append((
            m.name, m.cycle, m.status, _opt(m.deadline), _opt(m.stopped_at),
            m.business_elapsed // ONE_US, _opt(m.breached_at),
        ))  # fmt: skip
    return out


def _opt(t: datetime | None) -> int | None:
    return None if t is None else to_us(t)


def describe(clock: Clock, tz: tzinfo) -> str:
    """A clock, readable (instants in ``tz``)."""
    metric, cycle, status, deadline, stop, elapsed, breach = clock

    def at(us: int | None) -> str:
        return "-" if us is None else (EPOCH + us * ONE_US).astimezone(tz).isoformat()

    return (
        f"{metric} #{cycle}: {status}, deadline {at(deadline)}, stopped {at(stop)}, "
        f"elapsed {timedelta(microseconds=elapsed)}, breached {at(breach)}"
    )


def compare(
    mine: Mapping[tuple[str, int], Clock], theirs: Mapping[tuple[str, int], Clock]
) -> tuple[int, int, list[tuple[str, int]]]:
    """``(clocks compared, clocks that agree, keys that differ)`` over the union of keys."""
    keys = sorted(set(mine) | set(theirs))
    bad = [k for k in keys if mine.get(k) != theirs.get(k)]
    return len(keys), len(keys) - len(bad), bad
