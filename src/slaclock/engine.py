"""``evaluate(ticket, policy, *, now)``: replay a ticket's events through the agreement's
metrics and return immutable results. Pure and deterministic: no state, no implicit now.

The replay is one pass over the sorted events. Each event updates the ticket's state
(status and its category, fields, severity, plan) and is offered to every measured metric
in dependency order (a metric's ``after`` first): its stop triggers stop the running
cycle, entering ``solved`` / ``closed`` stops (``once`` metrics: suspends) it, leaving
them resumes a suspended cycle or starts one whose start trigger arrived meanwhile, and
its start triggers start a cycle. Then pauses follow the new status. Each cycle records
the spans during which it ran; the measurement (:mod:`slaclock._measure`) applies the
target in force, per the severity-change strategy, along those spans.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from ._clock import OPEN
from ._measure import Change, Context, measure
from .errors import NaiveDatetimeError, TimelineError, UnknownSeverityError
from .metrics import check_metric_graph, norm
from .policy import Policy, Terms
from .results import MetricResult, TicketSla
from .ticket import (
    Ticket,
)

__all__ = ["evaluate"]

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US: Final = timedelta(microseconds=1)
_NO_STOP: Final = 1 << 40
_REOPEN: Final = frozenset({"reopen"})
_REPLIES: Final = frozenset({"agent_reply", "customer_reply", "internal_note"})


_NONE: Final[list[Any]] = []  # a cycle's lists before their first entry: never appended to


class Cycle:
    """One cycle of a metric as the replay recorded it (integer µs, UTC)."""

    __slots__ = (
        "final", "metric", "number", "pause_since", "pauses", "resumed", "runs", "solved",
        "start", "start_seq", "stop", "stop_seq", "suspended", "touched",
    )  # fmt: skip

    def __init__(self, metric: str, number: int, start: int, start_seq: int) -> None:
        self.metric = metric
        self.number = number
        self.start = start
        self.start_seq = start_seq
        # (start, end); end OPEN: running. Tuples, replaced when closed: tuples of ints
        # leave the garbage collector's lists, which matters to callers keeping results.
        self.runs: list[tuple[int, int]] = []
        # (the three lists below start as the shared empty _NONE: most cycles keep it)
        self.pauses: list[tuple[int, int, str]] = _NONE
        self.pause_since: tuple[int, str] | None = None
        self.solved: list[tuple[int, int]] = _NONE  # suspended by a solve, then reopened
        self.resumed: list[int] = _NONE
        self.stop: int | None = None
        self.stop_seq = _NO_STOP
        self.final = False
        self.suspended = False
        self.touched = start_seq  # seq of the event that started or resumed it

    @property
    def running(self) -> bool:
        return bool(self.runs) and self.runs[-1][1] == OPEN

    @property
    def active(self) -> bool:
        """Started and not stopped (running or paused)."""
        return self.stop is None

    def enter(self, t: int, paused_by: str | None) -> None:
        if paused_by is None:
            self.runs.append((t, OPEN))
        else:
            self.pause_since = (t, paused_by)

    def halt(self, t: int) -> None:
        runs = self.runs
        if runs and runs[-1][1] == OPEN:
            runs[-1] = (runs[-1][0], t)

    def pause(self, t: int, status: str) -> None:
        self.halt(t)
        self.pause_since = (t, status)

    def _close_pause(self, t: int) -> None:
        if self.pause_since is not None:
            since, status = self.pause_since
            if since < t:
                if self.pauses is _NONE:
                    self.pauses = []
                self.pauses.append((since, t, status))
            self.pause_since = None

    def repause(self, t: int, status: str) -> None:
        """Still paused, now under another status (pending -> on_hold)."""
        self._close_pause(t)
        self.pause_since = (t, status)

    def resume(self, t: int) -> None:
        self._close_pause(t)
        self.runs.append((t, OPEN))

    def finish(self, t: int, seq: int) -> None:
        self.halt(t)
        self._close_pause(t)
        self.stop, self.stop_seq = t, seq

    def reopen(self, t: int, seq: int, paused_by: str | None) -> None:
        assert self.stop is not None
        if self.solved is _NONE:
            self.solved, self.resumed = [], []
        self.solved.append((self.stop, t))
        self.stop, self.stop_seq, self.suspended = None, _NO_STOP, False
        self.resumed.append(t)
        self.touched = seq
        self.enter(t, paused_by)


@dataclass(frozen=True, slots=True)
class _Rule:
    """A measured metric's definition, compiled once per policy."""

    name: str
    index: int  # report order
    start: frozenset[str]
    stop: frozenset[str]
    once: bool
    stop_on_solve: bool
    after: int  # position (in the replay order) of the metric it waits for; -1: none
    pause: tuple[str, ...]  # the definition's pause (the terms' pause.<metric> wins)


class _Metric:
    """A measured metric during one replay."""

    __slots__ = (
        "after", "current", "cycles", "name", "once", "pause", "pending", "rule", "start",
        "stop", "stop_on_solve",
    )  # fmt: skip

    def __init__(self, rule: _Rule, pause: frozenset[str], after: _Metric | None) -> None:
        self.rule = rule
        self.name = rule.name
        self.once = rule.once
        self.stop_on_solve = rule.stop_on_solve
        self.start = rule.start
        self.stop = rule.stop
        self.pause = pause
        self.after = after
        self.cycles: list[Cycle] = []
        self.current: Cycle | None = None  # the last cycle while it may still change
        self.pending = False  # a start trigger waits for the reopen

    @property
    def has_stopped(self) -> bool:
        cycles = self.cycles
        return bool(cycles) and cycles[-1].stop is not None


class _Compiled:
    """What the replay needs of a policy, computed once per policy (and the measurement
    caches shared by its tickets)."""

    __slots__ = (
        "calendar_fields", "initial", "interest", "pauses", "plans", "rank", "report_order",
        "rule_fields", "rules", "status_map", "statuses", "targets", "terms_by_plan",
        "unknown_status",
    )  # fmt: skip

    def __init__(self, policy: Policy) -> None:
        defs = {n: policy.metric(n) for n in policy.measured_metrics}
        order = check_metric_graph(defs)
        self.rank = {n: i for i, n in enumerate(policy.metric_names)}
        pos = {n: i for i, n in enumerate(order)}
        self.rules = tuple(
            _Rule(
                name=n,
                index=self.rank[n],
                start=frozenset(defs[n].start),
                stop=frozenset(defs[n].stop),
                once=defs[n].cycles == "once",
                stop_on_solve=defs[n].stop_on_solve,
                after=pos.get(defs[n].after or "", -1),
                pause=defs[n].pause or (),
            )
            for n in order
        )
        self.report_order = tuple(sorted(range(len(self.rules)), key=lambda i: self.rules[i].index))
        # trigger -> positions of the metrics that start or stop on it, in replay order
        interest: dict[str, list[int]] = {}
        for i, rule in enumerate(self.rules):
            for token in rule.start | rule.stop:
                interest.setdefault(token, []).append(i)
        self.interest = {k: tuple(v) for k, v in interest.items()}
        # trigger -> (position, stops, starts) of the metrics it concerns, for events with
        # one trigger and no solve or reopen (replies, most field and severity changes)
        self.plans: dict[str, tuple[tuple[int, bool, bool], ...]] = {
            token: tuple((i, token in self.rules[i].stop, token in self.rules[i].start)
                         for i in positions)
            for token, positions in self.interest.items()
        }  # fmt: skip
        cal_fields: set[str] = set()
        for terms in policy.all_terms():
            if terms.calendar_by is not None:
                cal_fields.update(terms.calendar_by.fields)
            if terms.timezone_field is not None:
                cal_fields.add(terms.timezone_field)
        self.calendar_fields = frozenset(cal_fields)
        self.rule_fields = policy.rule_fields
        self.status_map = policy.status_map
        self.unknown_status = policy.unknown_status
        # Without dated versions a plan's terms do not depend on the creation date.
        self.terms_by_plan: dict[str | None, Terms] | None = None
        # (plan, severity, status) -> a ticket's first state (see _Replay); None with
        # dated versions, where it depends on the creation date
        self.initial: dict[tuple[Any, ...], tuple[Any, ...]] | None = None
        if not policy.has_versions:
            self.terms_by_plan = {}
            self.initial = {}
        self.pauses: dict[int, tuple[Terms, tuple[frozenset[str], ...], frozenset[str]]] = {}
        self.targets: dict[tuple[Any, ...], Any] = {}
        # a status as written -> (name, key, category, its triggers, with its category's);
        # only known ones are kept
        self.statuses: dict[str, tuple[str, str, str, frozenset[str], frozenset[str]]] = {}

    def terms(self, policy: Policy, plan: str | None, created: datetime) -> Terms:
        cache = self.terms_by_plan
        if cache is None:
            return policy.terms_for(plan, created)
        found = cache.get(plan)
        if found is None:
            found = cache[plan] = policy.terms_for(plan, created)
        return found

    def status_rules(self, terms: Terms) -> tuple[tuple[frozenset[str], ...], frozenset[str]]:
        """Per measured metric, the statuses that pause it; and those that solve."""
        found = self.pauses.get(id(terms))
        if found is None:
            pauses = tuple(frozenset(terms.pause.get(r.name, r.pause)) for r in self.rules)
            found = (terms, pauses, frozenset(terms.stop_statuses))
            self.pauses[id(terms)] = found
        return found[1], found[2]


def _compiled(policy: Policy) -> _Compiled:
    private = policy.__pydantic_private__  # (skips BaseModel.__getattr__: a hot path)
    cache = private["_cache"] if private else policy.engine_cache
    found = cache.get("engine")
    if isinstance(found, _Compiled):
        return found
    compiled = _Compiled(policy)
    cache["engine"] = compiled
    return compiled


def _us(value: datetime, name: str) -> int:
    try:
        us: int = (value - _EPOCH) // _ONE_US
    except TypeError:
        raise NaiveDatetimeError.of(name, value) from None
    return us


def _desc(ev: Any, t: int) -> str:
    """``severity 'P9' at 2026-11-16T10:00:00-05:00``: an event, for error messages."""
    kind = ev.type
    extra = ""
    if kind == "status":
        extra = f" {ev.status!r}"
    elif kind == "severity":
        extra = f" {ev.severity!r}"
    elif kind == "plan":
        extra = f" {ev.plan!r}"
    elif kind == "field":
        extra = f" {ev.field}={ev.value!r}"
    at = getattr(ev, "at", None)
    when = at.isoformat() if isinstance(at, datetime) else (_EPOCH + t * _ONE_US).isoformat()
    return f"{kind}{extra} at {when}"


def _value(v: Any) -> Any:
    return tuple(v) if isinstance(v, list) else v


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, tuple) or isinstance(b, tuple):
        return (
            isinstance(a, tuple)
            and isinstance(b, tuple)
            and [norm(x) for x in a] == [norm(x) for x in b]
        )
    if a is None or b is None:
        return a is b
    return norm(a) == norm(b)


class _Replay:
    """The state of one ticket during the replay."""

    rule: str | None
    terms: Terms
    severity: str
    status: str
    key: str
    category: str
    solve: frozenset[str]
    solved: bool

    def __init__(
        self, policy: Policy, compiled: _Compiled, tid: str, created: int,
        created_at: datetime, severity: str, plan: str | None, status: str,
        fields: Mapping[str, Any],
    ) -> None:  # fmt: skip
        self.policy = policy
        self.compiled = compiled
        self.tid = tid
        self.created_at = created_at
        self.created = created
        if fields and any(isinstance(v, list) for v in fields.values()):
            fields = {k: _value(v) for k, v in fields.items()}
        self.fields: Mapping[str, Any] = fields
        self.explicit = plan
        # Where the first state depends only on (plan, severity, status) - no rules on
        # fields, no dated versions - it is computed once per policy and reused.
        key = (plan, severity, status)
        init = compiled.initial
        found = init.get(key) if init is not None and not compiled.rule_fields else None
        if found is None:
            found = self._initial(policy, compiled, tid, created_at, severity, plan, status)
            if init is not None and not compiled.rule_fields and len(init) < 4096:
                init[key] = found
        (self.rule, terms, self.severity, self.status, self.key, self.category, pauses,
         self.solve, self.solved) = found  # fmt: skip
        self.terms = terms
        self.changes: list[Change] = [Change(created, -1, terms, self.severity, self.fields)]
        self.metrics: list[_Metric] = []
        metrics = self.metrics
        for rule, pause in zip(compiled.rules, pauses, strict=True):
            metrics.append(_Metric(rule, pause, None if rule.after < 0 else metrics[rule.after]))

    def _initial(
        self, policy: Policy, compiled: _Compiled, tid: str, created_at: datetime,
        severity: str, plan: str | None, status: str,
    ) -> tuple[Any, ...]:  # fmt: skip
        """The ticket's first state: rule, terms, severity, status (name, key, category),
        pause and solve rules, solved."""
        if compiled.rule_fields or plan is not None:
            plan, rule = policy.plan_for(self.fields, plan, where=f"ticket {tid!r}")
        else:
            plan, rule = None, None
        terms = compiled.terms(policy, plan, created_at)
        if severity not in terms.severities:
            severity = terms.severity(severity, where=f"ticket {tid!r}")
        name = status.strip()
        key = norm(name)
        category = self._category(name, key)
        # Pause and solve rules come from the terms in force at creation.
        pauses, solve = compiled.status_rules(terms)
        solved = key in solve or category in solve
        return (rule, terms, severity, name, key, category, pauses, solve, solved)

    def in_rank_order(self) -> list[_Metric]:
        """The metrics in report order (the agreement's), not replay order."""
        return [self.metrics[i] for i in self.compiled.report_order]

    def _category(self, name: str, key: str) -> str:
        found = self.compiled.status_map.get(key)
        if found is not None:
            return found
        return self.policy.category(name, ticket=self.tid)  # unknown_status, or the error

    def _is_solved(self, key: str, category: str) -> bool:
        return key in self.solve or category in self.solve

    def _paused_by(self, m: _Metric) -> str | None:
        if self.key in m.pause or self.category in m.pause:
            return self.status
        return None

    # -- one event --------------------------------------------------------------------

    def offer(
        self, tokens: frozenset[str] | set[str], t: int, seq: int, entered_solve: bool,
        reopened: bool,
    ) -> None:  # fmt: skip
        """Offer an event's triggers to every metric (after the state was updated)."""
        metrics = self.metrics
        if entered_solve or reopened:
            chosen: Iterable[_Metric] = metrics
        elif len(tokens) == 1:  # only the metrics that start or stop on this trigger
            for token in tokens:
                positions = self.compiled.interest.get(token)
                if positions is None:
                    return
                chosen = [metrics[i] for i in positions]
        else:
            interest = self.compiled.interest
            found = sorted({i for tok in tokens for i in interest.get(tok, ())})
            if not found:
                return
            chosen = [metrics[i] for i in found]
        for m in chosen:
            # The reopening event itself counts as after the reopen: a suspended cycle
            # resumes (and a start that waited takes effect) before its own triggers.
            if reopened:
                cur = m.current
                if cur is not None and cur.suspended:
                    cur.reopen(t, seq, self._paused_by(m))
                if m.pending:
                    m.pending = False
                    self._start(m, t, seq)
            cur = m.current
            if not m.stop.isdisjoint(tokens):
                if cur is not None:
                    if not cur.suspended:
                        cur.finish(t, seq)
                    cur.final, cur.suspended = True, False
                    m.current = None
                m.pending = False
            cur = m.current
            if entered_solve and m.stop_on_solve and cur is not None and cur.stop is None:
                cur.finish(t, seq)
                if m.once:
                    cur.suspended = True
                else:
                    cur.final = True
                    m.current = None
            if not m.start.isdisjoint(tokens):
                if self.solved and m.stop_on_solve:
                    m.pending = True
                else:
                    self._start(m, t, seq)

    def offer_one(self, token: str, t: int, seq: int) -> None:
        """:meth:`offer` for an event with one trigger and no solve or reopen."""
        entries = self.compiled.plans.get(token)
        if entries is None:
            return
        metrics = self.metrics
        for pos, stops, starts in entries:
            m = metrics[pos]
            if stops:
                cur = m.current
                if cur is not None:
                    if not cur.suspended:
                        cur.finish(t, seq)
                    cur.final, cur.suspended = True, False
                    m.current = None
                m.pending = False
            if starts:
                if self.solved and m.stop_on_solve:
                    m.pending = True
                else:
                    self._start(m, t, seq)

    def _start(self, m: _Metric, t: int, seq: int) -> None:
        if m.after is not None and not m.after.has_stopped:
            return  # e.g. next_reply: customer replies before the first response
        if m.once:
            if m.cycles:
                return
        elif m.current is not None:
            return  # a cycle is running: the trigger joins it
        c = Cycle(m.name, len(m.cycles) + 1, t, seq)
        pause = m.pause
        if pause and (self.key in pause or self.category in pause):
            c.pause_since = (t, self.status)
        else:
            c.runs.append((t, OPEN))
        m.cycles.append(c)
        m.current = c

    def repause(self, t: int, seq: int) -> None:
        """After a status change: pause or resume the cycles that go on."""
        for m in self.metrics:
            c = m.current
            if c is None or not c.active or c.touched == seq:
                continue
            by = self._paused_by(m)
            if by is None:
                if c.pause_since is not None:
                    c.resume(t)
            elif c.pause_since is None:
                c.pause(t, by)
            elif c.pause_since[1] != by:
                c.repause(t, by)

    def status_event(self, ev: Any, t: int, seq: int) -> None:
        info = self.compiled.statuses.get(ev.status)
        if info is None:
            name = ev.status.strip()
            key = norm(name)
            category = self._category(name, key)
            both = frozenset({f"status:{key}", f"status:{category}"})
            info = (name, key, category, frozenset({f"status:{key}"}), both)
            if len(self.compiled.statuses) < 4096:  # bounded: statuses are a vocabulary
                self.compiled.statuses[ev.status] = info
        name, key, category, own, both = info
        if key == self.key:
            return
        tokens = both if category != self.category else own
        solve = self.solve
        solved = key in solve or category in solve
        entered, reopened = solved and not self.solved, self.solved and not solved
        if reopened:
            tokens |= _REOPEN
        self.status, self.key, self.category, self.solved = name, key, category, solved
        self.offer(tokens, t, seq, entered, reopened)
        self.repause(t, seq)

    def severity_event(self, ev: Any, t: int, seq: int) -> None:
        sev = ev.severity
        if sev not in self.terms.severities:
            where = f"ticket {self.tid!r}, event {seq} ({_desc(ev, t)})"
            sev = self.terms.severity(sev, where=where)
        if sev == self.severity:
            return
        self.severity = sev
        self.changes.append(Change(t, seq, self.terms, sev, self.fields))
        self.offer_one("severity", t, seq)

    def plan_event(self, ev: Any, t: int, seq: int) -> None:
        where = f"ticket {self.tid!r}, event {seq} ({_desc(ev, t)})"
        plan = self.policy.resolve_plan(ev.plan, where=where)
        self.explicit, self.rule = ev.plan, None
        self._set_plan(plan, t, seq, where)

    def _set_plan(self, plan: str | None, t: int, seq: int, where: str) -> None:
        if plan == self.terms.plan:
            return
        terms = self.compiled.terms(self.policy, plan, self.created_at)
        try:
            sev = terms.severity(self.severity)
        except UnknownSeverityError as exc:
            raise UnknownSeverityError(
                f"{where}: plan {plan!r} has no severity {self.severity!r}: {exc}"
            ) from None
        self.terms, self.severity = terms, sev
        self.changes.append(Change(t, seq, terms, sev, self.fields))
        self.offer_one("plan", t, seq)

    def field_event(self, ev: Any, t: int, seq: int) -> None:
        name, new = ev.field, _value(ev.value)
        old = self.fields.get(name)
        if _same(old, new):
            return
        self.fields = {**self.fields, name: new}
        tokens = {f"field:{name}"}
        if isinstance(new, tuple):
            before = {norm(x) for x in old} if isinstance(old, tuple) else set()
            tokens.update(f"field:{name}={norm(x)}" for x in new if norm(x) not in before)
        elif new is not None:
            tokens.add(f"field:{name}={norm(new)}")
        if name in self.compiled.calendar_fields:
            self.changes.append(Change(t, seq, self.terms, self.severity, self.fields))
        self.offer(tokens, t, seq, False, False)
        if name in self.compiled.rule_fields and self.explicit is None:
            where = f"ticket {self.tid!r}, event {seq} ({_desc(ev, t)})"
            plan, rule = self.policy.plan_for(self.fields, None, where=where)
            self.rule = rule
            self._set_plan(plan, t, seq, where)


def evaluate(
    ticket: Ticket | Mapping[str, Any],
    policy: Policy | Mapping[str, Any],
    *,
    now: datetime | None = None,
) -> TicketSla:
    """Replay ``ticket`` through ``policy`` and return every measured cycle's result.

    Events after ``now`` are ignored; without ``now`` the ticket is evaluated at its last
    event (or its creation). Raises :class:`~slaclock.TimelineError` for a ``now`` before
    creation or an unknown status, and :class:`~slaclock.UnknownSeverityError` /
    ``UnknownPlanError`` naming the ticket and event for severities or plans the agreement
    does not define.
    """
    if not isinstance(ticket, Ticket):
        ticket = Ticket.model_validate(ticket)
    if not isinstance(policy, Policy):
        policy = Policy.model_validate(policy)
    compiled = _compiled(policy)
    tid = ticket.id
    created, times = ticket.instants()
    if now is not None:
        if not isinstance(now, datetime) or now.utcoffset() is None:
            raise NaiveDatetimeError.of("now", now)
        horizon = _us(now, "now")
        if horizon < created:
            raise TimelineError(
                f"ticket {tid!r}: now={now.isoformat()} is before the ticket was created "
                f"({ticket.created_at.isoformat()})"
            )
        now_tz = now.tzinfo
    else:
        horizon = times[-1] if times else created
        now_tz = ticket.created_at.tzinfo

    r = _Replay(
        policy, compiled, tid, created, ticket.created_at, ticket.severity, ticket.plan,
        ticket.status, ticket.fields,
    )  # fmt: skip
    replay_events(r, ticket.events, times, horizon)
    return finish(r, horizon, (_EPOCH + horizon * _ONE_US).astimezone(now_tz))


def replay_events(r: _Replay, events: Sequence[Any], times: Sequence[int], horizon: int) -> None:
    """Replay ``events`` (sorted; ``times`` their instants in µs) up to ``horizon``. An
    event is anything with the attributes of :mod:`slaclock.ticket`'s events (``type``,
    and ``status`` / ``severity`` / ``plan`` / ``field`` and ``value`` by kind)."""
    offer_one = r.offer_one
    offer_one("created", r.created, -1)
    prev: Any = None
    prev_t = r.created - 1
    for seq, ev in enumerate(events):
        t = times[seq]
        if t > horizon:
            break
        if t == prev_t and ev == prev:
            continue  # the previous event again, at the same instant: a duplicate row
        prev, prev_t = ev, t
        kind = ev.type
        if kind in _REPLIES:
            offer_one(kind, t, seq)
        elif kind == "status":
            r.status_event(ev, t, seq)
        elif kind == "severity":
            r.severity_event(ev, t, seq)
        elif kind == "plan":
            r.plan_event(ev, t, seq)
        else:
            r.field_event(ev, t, seq)


def finish(r: _Replay, horizon: int, now: datetime) -> TicketSla:
    """Measure every cycle of a replayed ticket and gather the results."""
    compiled = r.compiled
    changes = r.changes
    seqs = [c.seq for c in changes] if len(changes) > 1 else []
    ctx = Context(r.tid, horizon, changes, seqs, compiled.targets)
    results: list[MetricResult] = []
    cancelled = []
    for m in r.in_rank_order():
        index, repeating = m.rule.index, not m.once
        for cycle in m.cycles:
            res, extra = measure(ctx, cycle, index, repeating)
            if res is not None:
                results.append(res)
            elif extra is not None:
                cancelled.append(extra)
    return TicketSla(
        ticket_id=r.tid,
        now=now,
        plan=r.terms.plan,
        severity=r.severity,
        metrics=tuple(results),
        rule=r.rule,
        _extra=tuple(cancelled),
    )
