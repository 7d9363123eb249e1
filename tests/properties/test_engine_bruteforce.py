"""``evaluate`` against an independent minute-by-minute replay.

The reference below imports nothing from slaclock: it steps one minute at a time from the
ticket's creation, applies the events of that minute in input order (sorted stably by
time), and counts the minute for every clock that runs while the calendar is open. "Open"
is DESIGN.md's open-instant rule written out with ``zoneinfo`` and ``holidays``: the local
date is not a US holiday, is Monday to Friday, and the local wall time is in
``[08:00, 17:00)``; the 24x7 calendar is always open. Events and ``now`` are whole minutes,
so every minute is wholly open or wholly closed.

Compared for ``first_response``, every ``next_reply`` cycle and ``resolution`` (pauses in
``pending`` / ``on_hold``, stops at ``solved`` / ``closed``, resumes on reopen; severity
changes are retroactive: the severity in force at the stop judges the whole clock): status,
business time used, stop instant, deadline (the instant the used time reaches the target:
projected while running, as of the stop for a stopped clock, none while paused unless
breached) and breached_at (the start of the first minute counted beyond the target).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from hypothesis import given
from hypothesis import strategies as st
from support import CALENDARS

from slaclock import evaluate

NY = ZoneInfo("America/New_York")
MINUTE = timedelta(minutes=1)
START = datetime(2026, 10, 26, 0, 0, tzinfo=UTC)  # a week before the fall-back, Nov 1
PAUSE = frozenset({"pending", "on_hold"})
STOP = frozenset({"solved", "closed"})

POLICY: dict[str, Any] = {
    "calendars": CALENDARS,  # DESIGN.md's: 8x5 New York with US holidays, 24x7 UTC
    "default_calendar": "business",
    "severities": {
        "critical": {
            "first_response": {"within": "1h", "calendar": "always"},
            "next_reply": {"within": "30m", "calendar": "always"},
            "resolution": {"within": "24h", "calendar": "always"},
        },
        "high": {"first_response": "6h", "next_reply": "2h", "resolution": "20h"},
        "normal": {"first_response": "90m", "next_reply": "45m", "resolution": "9h"},
    },
    "pause": {"resolution": ["pending", "on_hold"]},
    "stop_statuses": ["solved", "closed"],
}
# severity -> metric -> (target in minutes, calendar is 24x7)
TARGETS: dict[str, dict[str, tuple[int, bool]]] = {
    "critical": {"first_response": (60, True), "next_reply": (30, True),
                 "resolution": (1440, True)},
    "high": {"first_response": (360, False), "next_reply": (120, False),
             "resolution": (1200, False)},
    "normal": {"first_response": (90, False), "next_reply": (45, False),
               "resolution": (540, False)},
}  # fmt: skip


@cache
def _us_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("US", years=year))


@cache
def _business_open(t: datetime) -> bool:
    local = t.astimezone(NY)
    d = local.date()
    if d in _us_holidays(d.year) or d.weekday() >= 5:
        return False
    return time(8, 0) <= local.time() < time(17, 0)


def is_open(t: datetime, always: bool) -> bool:
    return always or _business_open(t)


@dataclass
class RefClock:
    """One clock: the minutes it ran (open or not), and the severity that judges it (the
    one in force when it stops, or at ``now``: severity changes are retroactive)."""

    name: str
    cycle: int
    started_at: datetime
    severity: str
    running: bool = True
    paused: bool = False
    stopped_at: datetime | None = None
    ran: list[datetime] = field(default_factory=list)

    @property
    def target(self) -> int:
        return TARGETS[self.severity][self.name][0]

    @property
    def always(self) -> bool:
        return TARGETS[self.severity][self.name][1]

    def counted(self) -> list[datetime]:
        return [t for t in self.ran if is_open(t, self.always)]

    @property
    def used(self) -> int:
        return len(self.counted())

    def tick(self, t: datetime) -> None:
        if self.running:
            self.ran.append(t)

    def stop(self, t: datetime) -> None:
        if self.stopped_at is None:
            self.running, self.paused, self.stopped_at = False, False, t

    def status(self) -> str:
        if self.stopped_at is not None:
            return "met" if self.used <= self.target else "breached"
        if self.used > self.target:
            return "breached"
        return "paused" if self.paused else "running"

    def breached_at(self) -> datetime | None:
        counted = self.counted()
        return counted[self.target] if len(counted) > self.target else None

    def deadline(self, now: datetime) -> datetime | None:
        counted = self.counted()
        if self.stopped_at is None and self.paused and len(counted) <= self.target:
            return None  # paused and not breached (even with the whole target used)
        if len(counted) >= self.target:
            return counted[self.target - 1] + MINUTE
        t = self.stopped_at or now
        left = self.target - len(counted)
        while True:
            if is_open(t, self.always):
                left -= 1
                if left == 0:
                    return t + MINUTE
            t += MINUTE


def replay(
    created: datetime, severity: str, events: list[tuple[datetime, str]], now: datetime
) -> list[RefClock]:
    """The reference answer: every clock after stepping minute by minute up to ``now``."""
    first = RefClock("first_response", 0, created, severity)
    resolution = RefClock("resolution", 0, created, severity)
    replies: list[RefClock] = []
    status = "open"
    ordered = sorted(events, key=lambda e: e[0])  # stable, like the library's contract
    i = 0
    t = created
    while True:
        while i < len(ordered) and ordered[i][0] == t:
            kind = ordered[i][1]
            i += 1
            if kind == "agent_reply":
                first.stop(t)
                if replies and replies[-1].stopped_at is None:
                    replies[-1].stop(t)
            elif kind == "customer_reply":
                if not replies or replies[-1].stopped_at is not None:
                    replies.append(RefClock("next_reply", len(replies) + 1, t, severity))
            elif kind.startswith("severity:"):
                severity = kind.removeprefix("severity:")
                for c in (first, resolution, *replies):
                    if c.stopped_at is None:
                        c.severity = severity
            elif kind.startswith("status:"):
                new = kind.removeprefix("status:")
                if new == status:
                    continue
                if new in STOP:
                    first.stop(t)
                    resolution.stop(t)
                    if replies:
                        replies[-1].stop(t)
                elif status in STOP:  # reopen: resolution counts again
                    resolution.stopped_at = None
                    resolution.severity = severity
                    resolution.running = new not in PAUSE
                    resolution.paused = new in PAUSE
                else:
                    if resolution.stopped_at is None:
                        resolution.running = new not in PAUSE
                        resolution.paused = new in PAUSE
                status = new
        if t >= now:
            break
        for c in (first, resolution, *replies):
            c.tick(t)
        t += MINUTE
    return [first, *replies, resolution]


KINDS = [
    "agent_reply",
    "customer_reply",
    "internal_note",
    "status:pending",
    "status:on_hold",
    "status:open",
    "status:solved",
    "status:closed",
    "severity:critical",
    "severity:high",
    "severity:normal",
]
WINDOW = 14 * 24 * 60  # minutes


@st.composite
def timelines(draw: st.DrawFn) -> tuple[dict[str, Any], datetime, list[tuple[datetime, str]]]:
    created = START + MINUTE * draw(st.integers(0, 32 * 24 * 60))
    severity = draw(st.sampled_from(sorted(TARGETS)))
    # Offsets on a coarse grid half of the time, so events often share an instant.
    grid = draw(st.sampled_from([1, 60]))
    # A few hours, a few days or two weeks: short spans make clocks meet their targets.
    span = draw(st.sampled_from([8 * 60, 3 * 24 * 60, WINDOW]))
    n = draw(st.integers(0, 12))
    events: list[tuple[datetime, str]] = []
    for _ in range(n):
        off = draw(st.integers(0, span // grid)) * grid
        events.append((created + MINUTE * off, draw(st.sampled_from(KINDS))))
    now_off = draw(st.integers(0, span + 24 * 60))
    now = created + MINUTE * now_off
    ticket = {
        "id": "BF-1",
        "created_at": created.isoformat(),
        "severity": severity,
        "events": [_event(at, kind) for at, kind in events],
    }
    return ticket, now, events


def _event(at: datetime, kind: str) -> dict[str, Any]:
    if kind.startswith(("status:", "severity:")):
        key, value = kind.split(":")
        return {"at": at.isoformat(), "type": key, key: value}
    return {"at": at.isoformat(), "type": kind}


def _check(ticket: dict[str, Any], now: datetime, events: list[tuple[datetime, str]]) -> None:
    created = datetime.fromisoformat(ticket["created_at"])
    ref = replay(created, ticket["severity"], [e for e in events if e[0] <= now], now)
    sla = evaluate(ticket, POLICY, now=now)
    got = {(m.name, m.cycle): m for m in sla.metrics if m.name != "periodic_update"}
    assert sorted(got) == sorted((c.name, c.cycle) for c in ref)
    for c in ref:
        m = got[(c.name, c.cycle)]
        label = f"{c.name}#{c.cycle}"
        assert m.started_at == c.started_at, label
        assert m.business_elapsed == MINUTE * c.used, label
        assert m.status == c.status(), label
        assert m.stopped_at == c.stopped_at, label
        assert m.deadline == c.deadline(now), label
        assert m.severity == c.severity, label
        assert m.breached_at == (c.breached_at() if c.status() == "breached" else None), label


@given(timelines())
def test_engine_agrees_with_a_minute_by_minute_replay(
    case: tuple[dict[str, Any], datetime, list[tuple[datetime, str]]],
) -> None:
    _check(*case)


def test_the_reference_itself_on_a_hand_example() -> None:
    # Mon 2026-11-16 09:00 EST, high: replied 11:30, pending 12:00 -> Tue 10:00, solved Tue 12:00
    created = datetime(2026, 11, 16, 14, 0, tzinfo=UTC)
    events = [
        (datetime(2026, 11, 16, 16, 30, tzinfo=UTC), "agent_reply"),
        (datetime(2026, 11, 16, 17, 0, tzinfo=UTC), "status:pending"),
        (datetime(2026, 11, 17, 15, 0, tzinfo=UTC), "status:open"),
        (datetime(2026, 11, 17, 17, 0, tzinfo=UTC), "status:solved"),
    ]
    now = datetime(2026, 11, 18, 0, 0, tzinfo=UTC)
    first, resolution = replay(created, "high", events, now)
    assert (first.used, first.status()) == (150, "met")
    assert first.deadline(now) == datetime(2026, 11, 16, 20, 0, tzinfo=UTC)  # 15:00 EST
    assert (resolution.used, resolution.status()) == (300, "met")  # 3h Mon + 2h Tue
    ticket = {
        "id": "BF-hand",
        "created_at": created.isoformat(),
        "severity": "high",
        "events": [_event(at, kind) for at, kind in events],
    }
    _check(ticket, now, events)
