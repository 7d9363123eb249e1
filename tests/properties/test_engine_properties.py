"""Properties of ``evaluate`` over random timelines on DESIGN.md's example agreement.

Timelines: a ticket created at a random minute between 2026-10-26 and 2026-11-27 (so the
fall-back of Nov 1, Veterans Day and Thanksgiving are in reach), up to 12 events within
the next two weeks (often sharing an instant), evaluated at a random ``now``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st
from support import design_policy

from slaclock import MetricResult, Policy, Ticket, TicketSla, evaluate

# DESIGN.md's example agreement with a fuller matrix (every metric, a few cycles).
BASE: dict[str, Any] = design_policy(
    severities={
        "critical": {
            "first_response": {"within": "1h", "calendar": "always"},
            "next_reply": {"within": "30m", "calendar": "always"},
            "resolution": {"within": "24h", "calendar": "always", "internal": "16h"},
        },
        "high": {
            "first_response": "6h",
            "next_reply": "2h",
            "periodic_update": "4h",
            "resolution": "5 business days",
        },
        "low": {"first_response": "1 business day", "resolution": "3 business days"},
    }
)
POLICY = Policy.model_validate(BASE)
NO_PAUSE = Policy.model_validate({**BASE, "pause": {"resolution": []}})
ALWAYS = Policy.model_validate(
    {
        **BASE,
        "calendars": {"always": {"preset": "24x7", "timezone": "UTC"}},
        "default_calendar": "always",
        "aliases": {},
        "severities": {
            "high": {"first_response": "6h", "next_reply": "2h", "resolution": "20h"},
            "low": {"first_response": "1 business day", "resolution": "3 business days"},
        },
    }
)

START = datetime(2026, 10, 26, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
WINDOW = 14 * 24 * 60
REPLIES = ["agent_reply", "customer_reply", "internal_note"]
STATUSES = ["status:pending", "status:on_hold", "status:open", "status:solved", "status:closed"]
SEVERITIES = ["severity:critical", "severity:high", "severity:low", "severity:P1"]


def _event(at: datetime, kind: str) -> dict[str, Any]:
    if ":" in kind:
        key, value = kind.split(":")
        return {"at": at.isoformat(), "type": key, key: value}
    return {"at": at.isoformat(), "type": kind}


@st.composite
def timelines(draw: st.DrawFn, kinds: list[str], severities: list[str]) -> Ticket:
    created = START + MINUTE * draw(st.integers(0, 32 * 24 * 60))
    grid = draw(st.sampled_from([1, 15, 60]))
    span = draw(st.sampled_from([8 * 60, 3 * 24 * 60, WINDOW]))
    offsets = draw(st.lists(st.integers(0, span // grid), max_size=12))
    events = [_event(created + MINUTE * o * grid, draw(st.sampled_from(kinds))) for o in offsets]
    return Ticket.model_validate(
        {
            "id": "P-1",
            "created_at": created.isoformat(),
            "severity": draw(st.sampled_from(severities)),
            "events": events,
        }
    )


@st.composite
def nows(draw: st.DrawFn, ticket: Ticket) -> datetime:
    return ticket.created_at + MINUTE * draw(st.integers(0, WINDOW + 24 * 60))


ANY_TICKET = timelines(REPLIES + STATUSES + SEVERITIES, ["high", "low", "critical", "urgent"])
STEADY_TICKET = timelines(REPLIES + STATUSES, ["high", "low", "critical"])
NO_STATUS_TICKET = timelines(REPLIES, ["high", "low", "critical"])


def _by_key(sla: TicketSla) -> dict[tuple[str, int], MetricResult]:
    return {(m.name, m.cycle): m for m in sla.metrics}


def _assert_same(a: TicketSla, b: TicketSla) -> None:
    assert [(m.name, m.cycle) for m in a.metrics] == [(m.name, m.cycle) for m in b.metrics]
    for x, y in zip(a.metrics, b.metrics, strict=True):
        assert x == y, (x.label, x.as_dict(), y.as_dict())
    assert (a.now, a.plan, a.severity) == (b.now, b.plan, b.severity)


# -- pauses ----------------------------------------------------------------------------


@given(STEADY_TICKET, st.data())
def test_pausing_never_brings_a_deadline_earlier_nor_adds_used_time(
    ticket: Ticket, data: st.DataObject
) -> None:
    now = data.draw(nows(ticket))
    paused = _by_key(evaluate(ticket, POLICY, now=now))
    plain = _by_key(evaluate(ticket, NO_PAUSE, now=now))
    assert paused.keys() == plain.keys()
    for key, p in paused.items():
        q = plain[key]
        assert p.business_elapsed <= q.business_elapsed, key
        if p.deadline is not None:
            assert q.deadline is not None, key
            assert p.deadline >= q.deadline, key
        if p.breached_at is not None:
            assert q.breached_at is not None, key
            assert p.breached_at >= q.breached_at, key


@given(NO_STATUS_TICKET, st.data())
def test_adding_a_pause_never_increases_used_time(ticket: Ticket, data: st.DataObject) -> None:
    now = data.draw(nows(ticket))
    a = data.draw(st.integers(0, WINDOW), label="pause start")
    b = data.draw(st.integers(a, WINDOW + 60), label="pause end")
    status = data.draw(st.sampled_from(["pending", "on_hold"]))
    extra = [
        _event(ticket.created_at + a * MINUTE, f"status:{status}"),
        _event(ticket.created_at + b * MINUTE, "status:open"),
    ]
    base = ticket.model_dump(mode="json")
    with_pause = Ticket.model_validate({**base, "events": [*base["events"], *extra]})
    before = _by_key(evaluate(ticket, POLICY, now=now))
    after = _by_key(evaluate(with_pause, POLICY, now=now))
    assert before.keys() == after.keys()
    for key, x in before.items():
        y = after[key]
        assert y.business_elapsed <= x.business_elapsed, key
        if y.deadline is not None and x.deadline is not None:
            assert y.deadline >= x.deadline, key


# -- time only moves forward --------------------------------------------------------------


@given(STEADY_TICKET, st.data())
def test_used_only_grows_with_now(ticket: Ticket, data: st.DataObject) -> None:
    n1 = data.draw(nows(ticket))
    n2 = n1 + MINUTE * data.draw(st.integers(0, 3 * 24 * 60))
    early = _by_key(evaluate(ticket, POLICY, now=n1))
    late = _by_key(evaluate(ticket, POLICY, now=n2))
    assert early.keys() <= late.keys()
    for key, x in early.items():
        y = late[key]
        assert y.business_elapsed >= x.business_elapsed, key
        assert y.share_used >= x.share_used, key
        if x.status == "breached":
            assert y.status == "breached", key
            assert y.breached_at == x.breached_at, key
        if x.stopped_at is not None and x.name != "resolution":
            assert y == x, key  # a stopped reply clock never changes again


@given(ANY_TICKET, st.data())
def test_a_prefix_at_now_equals_the_whole_ticket_at_now(
    ticket: Ticket, data: st.DataObject
) -> None:
    now = data.draw(nows(ticket))
    _assert_same(evaluate(ticket.until(now), POLICY, now=now), evaluate(ticket, POLICY, now=now))


@given(ANY_TICKET, st.data())
def test_evaluation_is_deterministic(ticket: Ticket, data: st.DataObject) -> None:
    now = data.draw(st.none() | nows(ticket))
    first = evaluate(ticket, POLICY, now=now)
    _assert_same(first, evaluate(ticket, POLICY, now=now))
    # the same events given as plain data, in reverse time order (equal instants keep order)
    raw = ticket.model_dump(mode="json")
    events = raw["events"]
    groups: dict[str, list[Any]] = {}
    for e in events:
        groups.setdefault(e["at"], []).append(e)
    shuffled = [e for at in reversed(list(groups)) for e in groups[at]]
    _assert_same(first, evaluate({**raw, "events": shuffled}, BASE, now=now))
    assert str(first.explain()) == str(evaluate(ticket, POLICY, now=now).explain())


# -- 24x7 is plain arithmetic --------------------------------------------------------------


@given(
    timelines([*REPLIES, "status:pending", "status:on_hold", "status:open"], ["high"]), st.data()
)
def test_on_24x7_business_time_is_wall_time_minus_pauses(
    ticket: Ticket, data: st.DataObject
) -> None:
    now = data.draw(nows(ticket))
    solve = data.draw(st.none() | st.integers(0, WINDOW), label="solved at")
    if solve is not None:
        raw = ticket.model_dump(mode="json")
        at = ticket.created_at + solve * MINUTE
        ticket = Ticket.model_validate(
            {**raw, "events": [*raw["events"], _event(at, "status:solved")]}
        )
        # nothing after the solve, so the clocks never reopen
        assume(all(e.at <= at for e in ticket.events))
    sla = evaluate(ticket, ALWAYS, now=now)
    for m in sla.metrics:
        end = m.stopped_at or now
        paused = sum(((p.end or now) - p.start for p in m.pauses), timedelta(0))
        assert m.business_elapsed == end - m.started_at - paused, (m.name, m.cycle)
        if m.status == "running":
            assert m.deadline is not None
            assert m.deadline == m.started_at + paused + (m.business_elapsed + m.business_remaining)


# -- severity-change strategies ------------------------------------------------------------

STRICTER = Policy.model_validate({**BASE, "severity_change": "stricter"})


@given(
    STEADY_TICKET,
    st.sampled_from(SEVERITIES),
    st.integers(0, 180) | st.integers(0, WINDOW),
    st.data(),
)
def test_stricter_takes_the_earlier_of_old_and_retroactive_deadlines(
    ticket: Ticket, change: str, offset: int, data: st.DataObject
) -> None:
    now = data.draw(nows(ticket))
    raw = ticket.model_dump(mode="json")
    when = ticket.created_at + offset * MINUTE
    changed = Ticket.model_validate({**raw, "events": [*raw["events"], _event(when, change)]})
    old = _by_key(evaluate(ticket, POLICY, now=now))
    retro = _by_key(evaluate(changed, POLICY, now=now))
    strict = _by_key(evaluate(changed, STRICTER, now=now))
    for key, s in strict.items():
        if key not in old or key not in retro or s.started_at >= when:
            continue  # (a clock started after the change never saw the old severity)
        o, r = old[key], retro[key]
        if "paused" in (s.status, o.status, r.status):
            continue  # no deadline while paused
        assert s.deadline is not None
        assert o.deadline is not None
        assert r.deadline is not None
        assert s.deadline == min(o.deadline, r.deadline), key


# -- version 2: the built-ins are ordinary definitions -----------------------------------

# DESIGN.md's table of built-in metrics, written out as definitions under other names.
TABLE = {
    "my_first": {"start": "created", "stop": ["agent_reply", "status:solved", "status:closed"]},
    "my_next": {
        "start": "customer_reply",
        "stop": "agent_reply",
        "cycles": "each",
        "after": "my_first",
    },
    "my_periodic": {
        "start": ["created", "agent_reply", "reopen"],
        "stop": "agent_reply",
        "cycles": "each",
    },
    "my_pausable": {
        "start": ["created", "agent_reply", "reopen"],
        "stop": "agent_reply",
        "cycles": "each",
        "pause": "pending",
    },
    "my_wait": {"start": "created", "pause": "pending"},
    "my_work": {"start": "created", "pause": ["pending", "on_hold"]},
}
BUILTIN_OF = {
    "my_first": "first_response",
    "my_next": "next_reply",
    "my_periodic": "periodic_update",
    "my_pausable": "pausable_update",
    "my_wait": "requester_wait",
    "my_work": "agent_work",
}
_TARGETS = {"first_response": "2h", "next_reply": "1h", "periodic_update": "3h",
            "pausable_update": "3h", "requester_wait": "6h", "agent_work": "5h"}  # fmt: skip
TWINS = Policy.model_validate(
    {
        **BASE,
        "metrics": TABLE,
        "severities": {
            sev: {**_TARGETS, **{mine: _TARGETS[b] for mine, b in BUILTIN_OF.items()}}
            for sev in ("critical", "high", "low")
        },
    }
)


@given(ANY_TICKET, st.data())
def test_the_builtins_equal_their_table_written_as_definitions(
    ticket: Ticket, data: st.DataObject
) -> None:
    now = data.draw(nows(ticket))
    sla = evaluate(ticket, TWINS, now=now)
    got = _by_key(sla)
    for (name, cycle), mine in got.items():
        if name not in BUILTIN_OF:
            continue
        builtin = got[(BUILTIN_OF[name], cycle)]
        a, b = mine.as_dict(), builtin.as_dict()
        a.pop("metric")
        b.pop("metric")
        assert a == b, (name, cycle)
    mine_events = [(e.kind, e.cycle, e.at) for e in sla.events() if e.metric == "my_wait"]
    theirs = [(e.kind, e.cycle, e.at) for e in sla.events() if e.metric == "requester_wait"]
    assert mine_events == theirs


# -- version 2: field events, custom metrics and rules --------------------------------------

RULED = Policy.model_validate(
    {
        **BASE,
        "metrics": {
            "time_to_assign": {"start": "created", "stop": "field:assignee"},
            "escalation": {"start": "severity", "stop": "field:group=tier-2"},
        },
        "plans": {
            "basic": {},
            "enterprise": {
                "severities": {
                    "high": {"first_response": "2h", "time_to_assign": "1h"},
                    "critical": {"escalation": {"within": "1h", "calendar": "always"}},
                }
            },
        },
        "default_plan": "basic",
        "rules": [{"when": {"organization": ["acme"]}, "plan": "enterprise"}],
    }
)
FIELDS = [
    "field:assignee=bob",
    "field:assignee=",
    "field:group=tier-1",
    "field:group=tier-2",
    "field:organization=acme",
    "field:organization=initech",
]


def _v2_event(at: datetime, kind: str) -> dict[str, Any]:
    if kind.startswith("field:"):
        name, _, value = kind[6:].partition("=")
        return {"at": at.isoformat(), "type": "field", "field": name, "value": value or None}
    return _event(at, kind)


@st.composite
def v2_timelines(draw: st.DrawFn) -> Ticket:
    created = START + MINUTE * draw(st.integers(0, 32 * 24 * 60))
    grid = draw(st.sampled_from([1, 15, 60]))
    span = draw(st.sampled_from([8 * 60, 3 * 24 * 60]))
    kinds = [*REPLIES, *STATUSES, *SEVERITIES, *FIELDS]
    offsets = draw(st.lists(st.integers(0, span // grid), max_size=14))
    events = [_v2_event(created + MINUTE * o * grid, draw(st.sampled_from(kinds))) for o in offsets]
    return Ticket.model_validate(
        {
            "id": "V-1",
            "created_at": created.isoformat(),
            "severity": draw(st.sampled_from(["critical", "high", "low"])),
            "fields": {"organization": draw(st.sampled_from(["acme", "initech", None]))},
            "events": events,
        }
    )


@given(v2_timelines(), st.data())
def test_v2_prefix_at_now_equals_the_whole_ticket_at_now(
    ticket: Ticket, data: st.DataObject
) -> None:
    now = data.draw(nows(ticket))
    a = evaluate(ticket.until(now), RULED, now=now)
    b = evaluate(ticket, RULED, now=now)
    _assert_same(a, b)
    assert a.rule == b.rule
    assert a.events() == b.events()


@given(v2_timelines(), st.data())
def test_v2_events_are_in_time_order_and_match_the_results(
    ticket: Ticket, data: st.DataObject
) -> None:
    now = data.draw(nows(ticket))
    sla = evaluate(ticket, RULED, now=now)
    events = sla.events()
    assert [e.at for e in events] == sorted(e.at for e in events)
    for m in sla.metrics:
        mine = [e for e in events if (e.metric, e.cycle) == (m.name, m.cycle)]
        assert mine[0].kind == "activate"
        assert mine[0].at == m.started_at
        breaches = [e.at for e in mine if e.kind == "breach" and not e.internal]
        assert breaches == ([m.breached_at] if m.breached_at is not None else [])
        if m.stopped_at is not None:
            assert mine[-1].kind == "fulfill"
            assert mine[-1].at == m.stopped_at
        if m.status == "breached":
            assert m.breached_at is not None
            assert m.deadline is not None
            assert m.breached_at >= m.deadline
