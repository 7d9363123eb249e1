"""A minute-by-minute reference for DESIGN.md's "Ticket semantics, version 2".

Written from DESIGN.md alone (sections "Calendar semantics" and "Ticket semantics,
version 2"), without reading the engine, and importing nothing from slaclock: it is the
independent answer :func:`slaclock.evaluate` is compared with in
``test_engine_bruteforce.py``.

It reads the same plain-data agreement and ticket dicts as the library, restricted to what
it understands (anything else is an ``AssertionError``, never a silent guess):

- calendars: exactly DESIGN.md's two, ``business`` (Mon-Fri 08:00-17:00 America/New_York,
  US holidays) and ``always`` (24x7 UTC); targets in hours and minutes (``"90m"``,
  ``"1h30m"``, ``{within = "1h", calendar = "always"}``), no business days;
- ``plans`` (no ``extends``) or a top-level ``severities``, ``default_plan``, ``rules``
  (equality, list membership, ``contains``, ``exists``), ``aliases``;
- ``statuses`` (custom name -> category), the version-1 ``pause.<metric>``, and
  ``metrics.<name>`` (``start``, ``stop``, ``pause``, ``cycles``, ``after``,
  ``stop_on_solve``) over the built-ins of DESIGN.md's table;
- severity changes are retroactive (the terms in force when a cycle stops, or at ``now``,
  judge the whole cycle).

How it works: time is counted in whole minutes (events and ``now`` must fall on whole
minutes, so every minute is wholly open or closed). From the ticket's creation it applies
the events of each minute in input order (sorted stably by time), then records, for every
cycle that is *active* during the minute (started, not stopped, not paused), that the
minute was active. At ``now`` each cycle is judged from its list of active minutes:

- ``business_elapsed``: the active minutes in which its calendar is open;
- ``deadline`` *d*: the end of the target-th counted minute (the earliest instant the used
  time reaches the target); projected from ``now`` minute by minute while running
  (``now`` itself with nothing left), from the stop for a met cycle that had time left,
  none while paused and not breached;
- breached iff some active minute starts at or after *d* (closed minutes count as active,
  and only minutes before ``now`` exist): ``breached_at`` is the first such minute, i.e.
  *d* itself, or the instant the cycle became active again after a pause (or a solve)
  that began with nothing left;
- otherwise ``met`` if stopped, ``paused`` if its status pauses it at ``now``, else
  ``running``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays

NY = ZoneInfo("America/New_York")
MINUTE = timedelta(minutes=1)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
CATEGORIES = ("new", "open", "pending", "on_hold", "solved", "closed")
SOLVED = frozenset({"solved", "closed"})

# The only calendars the reference knows (DESIGN.md's example agreement).
KNOWN_CALENDARS: dict[str, Any] = {
    "business": {
        "timezone": "America/New_York",
        "hours": {"mon-fri": "08:00-17:00"},
        "holidays": [{"country": "US"}],
    },
    "always": {"preset": "24x7", "timezone": "UTC"},
}

# -- time: whole minutes since the Unix epoch ------------------------------------------


def to_minute(t: datetime) -> int:
    assert t.tzinfo is not None, f"naive instant {t!r}"
    assert (t.second, t.microsecond) == (0, 0), f"{t!r} is not on a whole minute"
    return (t - EPOCH) // MINUTE


def from_minute(m: int) -> datetime:
    return EPOCH + m * MINUTE


@cache
def _us_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("US", years=year))


@cache
def business_open(m: int) -> bool:
    """DESIGN.md's open-instant rule for ``business``: the New York local date is a
    weekday and not a US holiday, and the local wall time is in ``[08:00, 17:00)``."""
    local = from_minute(m).astimezone(NY)
    d = local.date()
    if d.weekday() >= 5 or d in _us_holidays(d.year):
        return False
    return 8 * 60 <= local.hour * 60 + local.minute < 17 * 60


def is_open(m: int, calendar: str) -> bool:
    """Is the minute starting at ``m`` open on ``calendar``?"""
    if calendar == "always":
        return True
    assert calendar == "business", calendar
    return business_open(m)


def add(m: int, minutes: int, calendar: str) -> int:
    """Calendar ``add``: the earliest minute boundary ``x >= m`` with ``minutes`` open
    minutes in ``[m, x)`` (``m`` itself for zero)."""
    x = m
    while minutes > 0:
        if is_open(x, calendar):
            minutes -= 1
        x += 1
    return x


# -- the agreement, as the reference reads it -----------------------------------------


def norm(value: object) -> str:
    """Statuses, categories, severities, plans and field values: trimmed, any case."""
    return str(value).strip().lower()


_DURATION = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?")


def minutes_of(text: str) -> int:
    """``"90m"``, ``"1h30m"``, ``"4h"`` -> minutes (hours and minutes only)."""
    found = _DURATION.fullmatch(text.replace(" ", ""))
    assert found, f"reference reads no duration {text!r}"
    assert any(found.groups()), f"reference reads no duration {text!r}"
    return int(found.group(1) or 0) * 60 + int(found.group(2) or 0)


def _trigger(text: str) -> str:
    kind, sep, arg = text.strip().partition(":")
    kind = kind.strip().lower()
    if not sep:
        assert kind in {"created", "agent_reply", "customer_reply", "internal_note",
                        "severity", "plan"}, text  # fmt: skip
        return kind
    if kind == "status":
        return f"status:{norm(arg)}"
    assert kind == "field", text
    name, eq, value = arg.partition("=")
    return f"field:{name.strip()}={norm(value)}" if eq else f"field:{name.strip()}"


def _strings(value: str | Iterable[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


@dataclass(frozen=True)
class Definition:
    """One metric, as DESIGN.md defines it (``start_on_reopen``: DESIGN's "periodic_update
    and pausable_update also start a cycle at each reopen")."""

    start: frozenset[str]
    stop: frozenset[str] = frozenset()
    pause: frozenset[str] = frozenset()
    cycles: str = "once"
    after: str | None = None
    stop_on_solve: bool = True
    start_on_reopen: bool = False


# DESIGN.md's table, row by row. "Solve" in first_response's stops is entering solved or
# closed (one of its own stop triggers, so it never resumes); the other rows stop on a
# solve through stop_on_solve.
BUILTINS: dict[str, Definition] = {
    "first_response": Definition(
        start=frozenset({"created"}),
        stop=frozenset({"agent_reply", "status:solved", "status:closed"}),
    ),
    "next_reply": Definition(
        start=frozenset({"customer_reply"}),
        stop=frozenset({"agent_reply"}),
        cycles="each",
        after="first_response",
    ),
    "periodic_update": Definition(
        start=frozenset({"created", "agent_reply"}),
        stop=frozenset({"agent_reply"}),
        cycles="each",
        start_on_reopen=True,
    ),
    "pausable_update": Definition(
        start=frozenset({"created", "agent_reply"}),
        stop=frozenset({"agent_reply"}),
        pause=frozenset({"pending"}),
        cycles="each",
        start_on_reopen=True,
    ),
    "requester_wait": Definition(start=frozenset({"created"}), pause=frozenset({"pending"})),
    "agent_work": Definition(start=frozenset({"created"}), pause=frozenset({"pending", "on_hold"})),
    "resolution": Definition(start=frozenset({"created"}), pause=frozenset({"pending", "on_hold"})),
}


@dataclass(frozen=True)
class Target:
    minutes: int
    calendar: str


class Agreement:
    """The subset of the agreement form the reference understands."""

    def __init__(self, policy: Mapping[str, Any]) -> None:
        known = {
            "name", "calendars", "default_calendar", "severities", "aliases", "pause",
            "stop_statuses", "metrics", "statuses", "plans", "default_plan", "rules",
        }  # fmt: skip
        assert set(policy) <= known, f"reference does not read {set(policy) - known}"
        assert policy["calendars"] == KNOWN_CALENDARS, "reference knows only DESIGN's calendars"
        assert set(policy.get("stop_statuses", SOLVED)) == SOLVED
        self.default_calendar: str = policy.get("default_calendar", "business")
        self.aliases = {norm(k): v for k, v in policy.get("aliases", {}).items()}
        self.statuses = {norm(k): norm(v) for k, v in policy.get("statuses", {}).items()}
        for cat in CATEGORIES:
            self.statuses.setdefault(cat, cat)
        assert set(self.statuses.values()) <= set(CATEGORIES)
        plans = policy.get("plans")
        if plans:
            assert "severities" not in policy, "reference: severities per plan only"
            assert all(set(p) == {"severities"} for p in plans.values()), "no extends here"
            self.matrices = {name: p["severities"] for name, p in plans.items()}
        else:
            self.matrices = {None: policy["severities"]}
        self.default_plan: str | None = policy.get("default_plan")
        self.rules: list[Mapping[str, Any]] = list(policy.get("rules", ()))
        self.rule_fields = {f for r in self.rules for f in r.get("when", {})}
        self.definitions = self._definitions(policy)

    def _definitions(self, policy: Mapping[str, Any]) -> dict[str, Definition]:
        defs = dict(BUILTINS)
        v1_pause = dict(policy.get("pause", {}))
        for name, given in policy.get("metrics", {}).items():
            base = defs.get(name)
            data: dict[str, Any] = {} if base is None else dict(base.__dict__)
            for key, value in given.items():
                if key in ("start", "stop"):
                    data[key] = frozenset(_trigger(s) for s in _strings(value))
                elif key == "pause":
                    assert name not in v1_pause, "pause given twice"
                    data[key] = frozenset(norm(s) for s in _strings(value))
                else:
                    assert key in ("cycles", "after", "stop_on_solve"), key
                    data[key] = value
            defs[name] = Definition(**data)
        for name, statuses in v1_pause.items():
            pause = frozenset(norm(s) for s in _strings(statuses))
            defs[name] = Definition(**{**defs[name].__dict__, "pause": pause})
        # Replay every metric after the one it waits for.
        order: list[str] = []
        while len(order) < len(defs):
            for name, d in defs.items():
                if name not in order and (d.after is None or d.after in order):
                    order.append(name)
        return {name: defs[name] for name in order}

    def severity(self, name: str) -> str:
        for matrix in self.matrices.values():
            for sev in matrix:
                if norm(sev) == norm(name):
                    return sev
        return self.aliases[norm(name)]

    def plan_named(self, name: str) -> str:
        found = [p for p in self.matrices if p is not None and norm(p) == norm(name)]
        assert found, f"unknown plan {name!r}"
        return found[0]

    def plan_for(self, fields: Mapping[str, Any], explicit: str | None) -> str | None:
        """Explicit plan wins, then the first matching rule, then ``default_plan``."""
        if None in self.matrices:
            return None
        if explicit is not None:
            return self.plan_named(explicit)
        for rule in self.rules:
            if all(_holds(cond, fields.get(f)) for f, cond in rule.get("when", {}).items()):
                return self.plan_named(rule["plan"])
        assert self.default_plan is not None
        return self.default_plan

    def target(self, plan: str | None, severity: str, metric: str) -> Target | None:
        given = self.matrices[plan].get(severity, {}).get(metric)
        if given is None:
            return None
        if isinstance(given, str):
            return Target(minutes_of(given), self.default_calendar)
        assert set(given) <= {"within", "calendar", "internal"}, given
        return Target(minutes_of(given["within"]), given.get("calendar", self.default_calendar))


def _holds(cond: Any, value: Any) -> bool:
    """A rule condition: a value (equality; a list field: holds it), a list (one of
    them), ``{contains = v}``, ``{exists = bool}``; values compare ignoring case."""
    present = value is not None and value not in ("", [], ())
    if isinstance(cond, Mapping) and "exists" in cond:
        return present == bool(cond["exists"])
    if not present:
        return False
    items = [norm(v) for v in value] if isinstance(value, list | tuple) else None
    if isinstance(cond, Mapping):
        want = norm(cond["contains"])
        return want in items if items is not None else want in norm(value)
    wanted = {norm(c) for c in (cond if isinstance(cond, list | tuple) else [cond])}
    return any(v in wanted for v in items) if items is not None else norm(value) in wanted


# -- the replay ------------------------------------------------------------------------

Terms = tuple[str | None, str]  # (plan, severity)


@dataclass
class Cycle:
    """One cycle of one metric while replaying."""

    metric: str
    number: int
    start: int
    active: list[int] = field(default_factory=list)  # minutes in which it was active
    stop: int | None = None
    suspended: bool = False  # a once cycle stopped by a solve: resumes on reopen
    terms: Terms | None = None  # the terms when it stopped (None: the terms at now)
    # Stopped by the very event that reopened the ticket after a solve had suspended it:
    # a corner where the engine reads DESIGN.md differently (see the test file).
    stopped_by_reopen: bool = False


@dataclass
class Clock:
    """One metric's cycles, and a start waiting for the reopen (``pending``)."""

    name: str
    definition: Definition
    cycles: list[Cycle] = field(default_factory=list)
    pending: bool = False

    def running(self) -> Cycle | None:
        last = self.cycles[-1] if self.cycles else None
        return last if last is not None and last.stop is None else None

    def suspended(self) -> Cycle | None:
        last = self.cycles[-1] if self.cycles else None
        return last if last is not None and last.suspended else None


@dataclass(frozen=True)
class Result:
    """The reference's answer for one cycle (instants in UTC, compare as instants)."""

    metric: str
    cycle: int
    reported: bool  # False: its terms have no target for the metric
    started_at: datetime
    stopped_at: datetime | None
    status: str | None
    business_elapsed: timedelta
    deadline: datetime | None
    breached_at: datetime | None
    severity: str
    plan: str | None
    calendar: str | None
    stopped_by_reopen: bool = False


class Replay:
    """The state of a ticket while its minutes go by."""

    def __init__(self, agreement: Agreement, ticket: Mapping[str, Any]) -> None:
        self.a = agreement
        self.fields: dict[str, Any] = dict(ticket.get("fields", {}))
        self.explicit: str | None = ticket.get("plan")
        self.plan = agreement.plan_for(self.fields, self.explicit)
        self.severity = agreement.severity(ticket["severity"])
        self.status = norm(ticket.get("status", "new"))
        self.category = self.a.statuses[self.status]
        self.clocks = {n: Clock(n, d) for n, d in agreement.definitions.items()}
        self.used_rules: set[str] = set()  # which of DESIGN's rules this ticket exercised

    @property
    def terms(self) -> Terms:
        return (self.plan, self.severity)

    def paused(self, d: Definition) -> bool:
        return self.status in d.pause or self.category in d.pause

    def can_start(self, clock: Clock) -> bool:
        d = clock.definition
        if d.after is not None:
            first = self.clocks[d.after].cycles
            if not first or first[-1].stop is None:
                return False  # "after": the other metric has not stopped yet
        if d.cycles == "once":
            return not clock.cycles
        return clock.running() is None

    def start(self, clock: Clock, t: int) -> None:
        if self.can_start(clock):
            clock.cycles.append(Cycle(clock.name, len(clock.cycles) + 1, t))

    # One event: its triggers, and whether it solves or reopens the ticket.
    def event(self, t: int, e: Mapping[str, Any]) -> None:
        before = self.terms
        fired: set[str] = set()
        solve = reopen = False
        kind = e["type"]
        if kind in ("agent_reply", "customer_reply", "internal_note"):
            fired.add(kind)
        elif kind == "status":
            name = norm(e["status"])
            category = self.a.statuses[name]
            if category != self.category:
                fired.add(f"status:{category}")
                solve = category in SOLVED and self.category not in SOLVED
                reopen = self.category in SOLVED and category not in SOLVED
            if name != self.status:
                fired.add(f"status:{name}")
            self.status, self.category = name, category
        elif kind == "severity":
            severity = self.a.severity(e["severity"])
            if severity != self.severity:
                fired.add("severity")
            self.severity = severity
        elif kind == "plan":
            self.explicit = e["plan"]
            self._replan(fired)
        else:
            assert kind == "field", kind
            name, value = e["field"], e.get("value")
            old = self.fields.get(name)
            self.fields[name] = value
            if old != value:
                fired.add(f"field:{name}")
                if value is not None:
                    fired.add(f"field:{name}={norm(value)}")
                if name in self.a.rule_fields:
                    self._replan(fired)
                    if "plan" in fired:
                        self.used_rules.add("plan changed by a rule")
        self.apply(t, fired, solve=solve, reopen=reopen, before=before)

    def _replan(self, fired: set[str]) -> None:
        plan = self.a.plan_for(self.fields, self.explicit)
        if plan != self.plan:
            fired.add("plan")
        self.plan = plan

    def apply(self, t: int, fired: set[str], *, solve: bool, reopen: bool, before: Terms) -> None:
        solved = self.category in SOLVED  # after the event
        for clock in self.clocks.values():
            d = clock.definition
            # A reopen resumes a once cycle the solve suspended and starts what waited
            # for it (the reopening event itself counts as after the reopen).
            resumed = False
            if reopen and d.stop_on_solve:
                cycle = clock.suspended()
                if cycle is not None:
                    cycle.stop, cycle.suspended, cycle.terms = None, False, None
                    resumed = True
                    self.used_rules.add("resume on reopen")
                if clock.pending or d.start_on_reopen:
                    self.used_rules.add("waiting start at reopen" if clock.pending else "reopen")
                    clock.pending = False
                    self.start(clock, t)
            if d.stop & fired:
                cycle = clock.running()
                if cycle is not None:  # stopped by its own trigger: final
                    cycle.stop, cycle.terms = t, before
                    if reopen and resumed:
                        cycle.stopped_by_reopen = True
                        self.used_rules.add("stopped by the reopening event")
                cycle = clock.suspended()
                if cycle is not None:  # keeps the solve as its stop, never resumes
                    cycle.suspended = False
                    self.used_rules.add("stop while suspended")
                if clock.pending:
                    self.used_rules.add("stop cancels a waiting start")
                clock.pending = False  # a stop before the reopen cancels a waiting start
            if solve and d.stop_on_solve:
                cycle = clock.running()
                if cycle is not None:
                    cycle.stop, cycle.terms = t, before
                    cycle.suspended = d.cycles == "once"
            if d.start & fired:
                if solved and d.stop_on_solve:
                    clock.pending = True  # takes effect at the reopen, if any
                elif d.after is not None and not self.can_start(clock):
                    self.used_rules.add("start refused by 'after'")
                else:
                    self.start(clock, t)

    def tick(self, t: int) -> None:
        """The minute starting at ``t`` goes by."""
        for clock in self.clocks.values():
            cycle = clock.running()
            if cycle is not None and not self.paused(clock.definition):
                cycle.active.append(t)

    def result(self, cycle: Cycle, now: int) -> Result:
        plan, severity = cycle.terms or self.terms
        target = self.a.target(plan, severity, cycle.metric)
        started = from_minute(cycle.start)
        stopped = None if cycle.stop is None else from_minute(cycle.stop)
        if target is None:
            return Result(cycle.metric, cycle.number, False, started, stopped, None,
                          timedelta(0), None, None, severity, plan, None,
                          cycle.stopped_by_reopen)  # fmt: skip
        cal, goal = target.calendar, target.minutes
        counted = [m for m in cycle.active if is_open(m, cal)]
        used = len(counted)
        reached = counted[goal - 1] + 1 if used >= goal else None
        breach = None
        if reached is not None:
            breach = next((m for m in cycle.active if m >= reached), None)
        deadline: int | None
        if breach is not None:
            status, deadline = "breached", reached
        elif cycle.stop is not None:
            status = "met"
            deadline = reached if reached is not None else add(cycle.stop, goal - used, cal)
        elif self.paused(self.clocks[cycle.metric].definition):
            status, deadline = "paused", None
        else:
            status, deadline = "running", add(now, max(goal - used, 0), cal)
        return Result(
            metric=cycle.metric,
            cycle=cycle.number,
            reported=True,
            started_at=started,
            stopped_at=stopped,
            status=status,
            business_elapsed=used * MINUTE,
            deadline=None if deadline is None else from_minute(deadline),
            breached_at=None if breach is None else from_minute(breach),
            severity=severity,
            plan=plan,
            calendar=cal,
            stopped_by_reopen=cycle.stopped_by_reopen,
        )


def replay(
    policy: Mapping[str, Any],
    ticket: Mapping[str, Any],
    now: datetime,
    *,
    used_rules: set[str] | None = None,
) -> list[Result]:
    """Every cycle of every metric of ``ticket`` at ``now``, reported or not (and, into
    ``used_rules``, the names of the rules of DESIGN.md the replay went through)."""
    agreement = Agreement(policy)
    state = Replay(agreement, ticket)
    created = to_minute(datetime.fromisoformat(ticket["created_at"]))
    end = to_minute(now)
    assert end >= created, "now is before the ticket was created"
    timed = [(to_minute(datetime.fromisoformat(e["at"])), e) for e in ticket.get("events", ())]
    assert all(at >= created for at, _ in timed), "an event before creation"
    events = sorted((p for p in timed if p[0] <= end), key=lambda p: p[0])  # stable
    state.apply(created, {"created"}, solve=False, reopen=False, before=state.terms)
    i = 0
    t = created
    while True:
        while i < len(events) and events[i][0] == t:
            state.event(t, events[i][1])
            i += 1
        if t >= end:
            break
        state.tick(t)
        t += 1
    results = [state.result(c, end) for clock in state.clocks.values() for c in clock.cycles]
    if used_rules is not None:
        used_rules.update(state.used_rules)
        for r in results:
            if r.status == "breached" and r.breached_at != r.deadline:
                used_rules.add("breached at the resume")
            if r.status == "met" and r.stopped_at == r.deadline:
                used_rules.add("met at the deadline instant")
            if r.status == "running" and r.deadline == now:
                used_rules.add("running, due now")
            if r.status == "paused" and r.business_elapsed and r.deadline is None:
                used_rules.add("paused, no deadline")
            if not r.reported:
                used_rules.add("cycle not reported")
    return results


def reported(results: Iterable[Result]) -> dict[tuple[str, int], Result]:
    """The cycles the engine must report, keyed by ``(metric, cycle)``."""
    return {(r.metric, r.cycle): r for r in results if r.reported}
