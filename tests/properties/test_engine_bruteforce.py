"""``evaluate`` against an independent minute-by-minute replay of "Ticket semantics,
version 2" (``reference_v2.py``, written from DESIGN.md alone and importing nothing from
slaclock).

The agreement below uses every built-in metric of DESIGN.md's table, three custom metrics
(``time_to_assign`` and ``escalation`` on ``field:`` / ``severity`` triggers, and a
repeating ``handoff`` that does not stop on a solve), custom status names, a status-name
pause (``resolution`` pauses in ``pending`` and in "Waiting on vendor" but not in plain
``on_hold``), and three plans chosen by ``rules`` on the ``organization`` field, with
different targets per plan and severity (some metrics have no target for some terms: their
cycles are numbered but not reported). Severity changes are retroactive.

Per cycle, keyed by (metric, cycle number), the engine and the reference must agree on
``started_at``, ``stopped_at``, ``status``, ``business_elapsed``, ``deadline``,
``breached_at``, ``severity``, ``plan`` and ``calendar``, and on which cycles are reported.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from support import CALENDARS

from slaclock import TicketSla, evaluate

from .reference_v2 import Result, replay, reported

MINUTE = timedelta(minutes=1)
START = datetime(2026, 10, 26, 0, 0, tzinfo=UTC)  # a week before the fall-back, Nov 1


def _always(within: str) -> dict[str, str]:
    return {"within": within, "calendar": "always"}


POLICY: dict[str, Any] = {
    "name": "Reference v2",
    "calendars": CALENDARS,  # DESIGN.md's: 8x5 New York with US holidays, 24x7 UTC
    "default_calendar": "business",
    "statuses": {
        "Waiting on customer": "pending",
        "In progress": "open",
        "Resolved": "solved",
        "Waiting on vendor": "on_hold",
    },
    "pause": {"resolution": ["pending", "Waiting on vendor"]},
    "metrics": {
        "time_to_assign": {"start": "created", "stop": "field:assignee"},
        "escalation": {"start": "severity", "stop": "field:group=tier-2"},
        "handoff": {
            "start": "field:group",
            "stop": "agent_reply",
            "cycles": "each",
            "stop_on_solve": False,
            "pause": "on_hold",
        },
        # Until the ticket is first opened; its stop can arrive with the reopen itself.
        "triage": {"start": "created", "stop": "status:open"},
        # Triggers on a custom status name, not on its category (on_hold).
        "vendor_wait": {
            "start": "status:Waiting on vendor",
            "stop": "status:open",
            "cycles": "each",
        },
    },
    "plans": {
        "basic": {
            "severities": {
                "critical": {
                    "first_response": _always("1h"),
                    "next_reply": _always("30m"),
                    "resolution": _always("8h"),
                    "escalation": _always("1h"),
                    "time_to_assign": "30m",
                },
                "high": {
                    "first_response": "2h",
                    "next_reply": "1h",
                    "periodic_update": "3h",
                    "pausable_update": "3h",
                    "requester_wait": "9h",
                    "agent_work": "6h",
                    "resolution": "12h",
                    "time_to_assign": "1h",
                    "triage": "1h",
                    "vendor_wait": "2h",
                },
                "normal": {
                    "first_response": "4h",
                    "next_reply": "2h",
                    "requester_wait": "16h",
                    "resolution": "18h",
                    "handoff": "2h",
                },
            }
        },
        "premium": {
            "severities": {
                "critical": {
                    "first_response": _always("45m"),
                    "next_reply": _always("20m"),
                    "resolution": _always("10h"),
                    "escalation": _always("45m"),
                    "vendor_wait": _always("1h"),
                },
                "high": {
                    "first_response": "90m",
                    "pausable_update": "2h30m",
                    "requester_wait": "8h",
                    "resolution": "10h",
                },
                "normal": {
                    "first_response": "3h",
                    "next_reply": "90m",
                    "periodic_update": "4h",
                    "agent_work": "8h",
                    "triage": "2h",
                },
            }
        },
        "enterprise": {
            "severities": {
                "critical": {
                    "first_response": _always("30m"),
                    "next_reply": _always("15m"),
                    "periodic_update": _always("2h"),
                    "pausable_update": _always("90m"),
                    "requester_wait": _always("6h"),
                    "agent_work": _always("4h"),
                    "resolution": _always("6h"),
                    "escalation": _always("30m"),
                    "time_to_assign": _always("15m"),
                    "handoff": _always("1h"),
                    "triage": _always("20m"),
                },
                "high": {
                    "first_response": "1h",
                    "next_reply": "30m",
                    "periodic_update": "2h",
                    "pausable_update": "2h",
                    "agent_work": "4h",
                    "resolution": "9h",
                    "escalation": "2h",
                    "time_to_assign": "30m",
                    "vendor_wait": "1h",
                },
                "normal": {
                    "first_response": "2h",
                    "next_reply": "1h",
                    "resolution": "12h",
                    "time_to_assign": "1h",
                    "handoff": "90m",
                },
            }
        },
    },
    "default_plan": "basic",
    "rules": [
        {"when": {"organization": ["acme", "globex"]}, "plan": "enterprise"},
        {"when": {"organization": "initech"}, "plan": "premium"},
    ],
}

SEVERITIES = ["critical", "high", "normal"]
PLANS = ["basic", "premium", "enterprise"]
STATUSES = [
    "open", "pending", "on_hold", "solved", "closed", "new",
    "Waiting on customer", "in progress", "RESOLVED", "Waiting on vendor",
]  # fmt: skip
# One spelling per organisation, so a case change is never mistaken for a field change.
ORGANIZATIONS = [None, "acme", "Globex", "INITECH", "umbrella"]
FIELD_VALUES: dict[str, list[Any]] = {
    "assignee": [None, "ann", "bob"],
    "group": [None, "tier-1", "tier-2", "billing"],
    "organization": ORGANIZATIONS,
}
KINDS = [
    "agent_reply", "agent_reply", "customer_reply", "customer_reply", "internal_note",
    "status", "status", "status", "status", "severity", "field", "field",
]  # fmt: skip
WINDOW = 14 * 24 * 60  # minutes


def _at(t: datetime) -> str:
    return t.isoformat()


@st.composite
def tickets(draw: st.DrawFn) -> tuple[dict[str, Any], datetime]:
    created = START + MINUTE * draw(st.integers(0, 32 * 24 * 60))
    explicit = draw(st.sampled_from([None, None, None, *PLANS]))
    fields = {
        name: value
        for name, values in FIELD_VALUES.items()
        if (value := draw(st.sampled_from(values))) is not None
    }
    # Offsets on a coarse grid most of the time, so events often share an instant.
    grid = draw(st.sampled_from([1, 15, 30, 60]))
    # A few hours, a few days or two weeks: short spans make cycles meet their targets.
    span = draw(st.sampled_from([4 * 60, 8 * 60, 3 * 24 * 60, WINDOW]))
    kinds = KINDS + (["plan"] if explicit else [])
    events: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(0, 14))):
        at = _at(created + MINUTE * grid * draw(st.integers(0, span // grid)))
        kind = draw(st.sampled_from(kinds))
        event: dict[str, Any] = {"at": at, "type": kind}
        if kind == "status":
            event["status"] = draw(st.sampled_from(STATUSES))
        elif kind == "severity":
            event["severity"] = draw(st.sampled_from(SEVERITIES))
        elif kind == "plan":
            event["plan"] = draw(st.sampled_from(PLANS))
        elif kind == "field":
            name = draw(st.sampled_from(sorted(FIELD_VALUES)))
            event.update(field=name, value=draw(st.sampled_from(FIELD_VALUES[name])))
        events.append(event)
    # ``now`` on the grid half of the time, so it often meets an event or a deadline.
    step = draw(st.sampled_from([1, grid]))
    now = created + MINUTE * step * draw(st.integers(0, (span + 24 * 60) // step))
    ticket: dict[str, Any] = {
        "id": "BF-1",
        "created_at": _at(created),
        "severity": draw(st.sampled_from(SEVERITIES)),
        "fields": fields,
        "events": events,
    }
    if explicit is not None:
        ticket["plan"] = explicit
    return ticket, now


def _utc(t: datetime | None) -> datetime | None:
    """An instant in UTC: two aware datetimes in different zones never compare equal when
    one of them is in a repeated (fold) hour (PEP 495), so compare in one zone."""
    return None if t is None else t.astimezone(UTC)


def check(
    ticket: dict[str, Any], now: datetime, *, skip_disputed: bool = True
) -> dict[tuple[str, int], Result]:
    """Evaluate ``ticket`` with both and compare every reported cycle (except, with
    ``skip_disputed``, the cycles in the corner listed under DISAGREEMENTS); returns the
    reference's reported cycles."""
    used: set[str] = set()
    results = replay(POLICY, ticket, now, used_rules=used)
    for rule in sorted(used):
        event(rule)  # hypothesis statistics: which rules the examples went through
    disputed = {(r.metric, r.cycle) for r in results if r.stopped_by_reopen and skip_disputed}
    ref = {k: r for k, r in reported(results).items() if k not in disputed}
    sla: TicketSla = evaluate(ticket, POLICY, now=now)
    got = {(m.name, m.cycle): m for m in sla.metrics if (m.name, m.cycle) not in disputed}
    assert sorted(got) == sorted(ref), "reported cycles differ"
    for key, want in ref.items():
        m = got[key]
        label = f"{key[0]} #{key[1]}"
        assert _utc(m.started_at) == _utc(want.started_at), label
        assert _utc(m.stopped_at) == _utc(want.stopped_at), label
        assert m.status == want.status, label
        assert m.business_elapsed == want.business_elapsed, label
        assert _utc(m.deadline) == _utc(want.deadline), label
        assert _utc(m.breached_at) == _utc(want.breached_at), label
        assert m.severity == want.severity, label
        assert m.plan == want.plan, label
        assert m.calendar == want.calendar, label
    return ref


@given(tickets())
def test_engine_agrees_with_a_minute_by_minute_replay(
    case: tuple[dict[str, Any], datetime],
) -> None:
    check(*case)


# Events placed exactly at a cycle's deadline: the breach edges (stopped at the deadline
# instant -> met; paused or solved at it -> breached only when it resumes, at the resume;
# resumed exactly at now -> running, due now) are rare under uniform offsets.
EDGE_EVENTS: list[dict[str, Any]] = [
    {"type": "status", "status": "pending"},
    {"type": "status", "status": "Waiting on customer"},
    {"type": "status", "status": "Waiting on vendor"},
    {"type": "status", "status": "on_hold"},
    {"type": "status", "status": "solved"},
    {"type": "status", "status": "Resolved"},
    {"type": "status", "status": "closed"},
    {"type": "agent_reply"},
    {"type": "field", "field": "assignee", "value": "carol"},
    {"type": "field", "field": "group", "value": "tier-2"},
]
RESUMES: list[dict[str, Any]] = [
    {"type": "status", "status": "open"},
    {"type": "status", "status": "In progress"},
    {"type": "status", "status": "new"},
    {"type": "customer_reply"},
]


@st.composite
def deadline_edges(draw: st.DrawFn) -> tuple[dict[str, Any], datetime]:
    ticket, _ = draw(tickets())
    created = datetime.fromisoformat(ticket["created_at"])
    horizon = created + timedelta(days=16)
    due = sorted({r.deadline for r in replay(POLICY, ticket, horizon) if r.reported and r.deadline})
    if not due:
        return ticket, horizon
    deadline = draw(st.sampled_from(due))
    lead = draw(st.sampled_from([0, 0, 0, 1]))  # at the deadline, or a minute before it
    edge = {"at": _at(deadline - lead * MINUTE), **draw(st.sampled_from(EDGE_EVENTS))}
    events = list(ticket["events"])
    events.insert(draw(st.integers(0, len(events))), edge)
    delay = draw(st.sampled_from([0, 1, 15, 60, 16 * 60, 3 * 24 * 60]))
    resumed = deadline + delay * MINUTE
    if draw(st.booleans()):
        events.append({"at": _at(resumed), **draw(st.sampled_from(RESUMES))})
    now = max(created, resumed + MINUTE * draw(st.sampled_from([-1, 0, 0, 1, 60])))
    return {**ticket, "events": events}, now


@given(deadline_edges())
def test_engine_agrees_at_the_breach_edges(case: tuple[dict[str, Any], datetime]) -> None:
    check(*case)
