"""The fast engine against a minute-by-minute count written independently of it.

The reference below reads the configuration dict itself (it imports nothing from
slaclock) and applies DESIGN.md's definition literally: a UTC minute ``m`` is open iff,
with ``local = m.astimezone(ZoneInfo(zone))``, the local date's hours contain the local
wall time, where a date's hours are its override if any, else nothing on a holiday, else
its weekday's hours, and an overnight interval's morning part belongs to the next weekday.

Calendar boundaries and query instants are whole minutes and every offset in these zones
is a whole number of minutes, so a UTC minute is either wholly open or wholly closed and
counting minutes is exact. Windows are four days around the scenario's focus date (often a
DST transition of the calendar's zone, or a year end).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays as holidays_package
from hypothesis import given
from hypothesis import strategies as st

from slaclock import Calendar

from .strategies import Scenario, scenarios

MINUTE = timedelta(minutes=1)
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WINDOW_DAYS = 4


# -- the reference ------------------------------------------------------------------------


def _minutes(text: str) -> int:
    h, m = text.split(":")
    return int(h) * 60 + int(m)


def _interval(text: str) -> tuple[int, int]:
    start, end = (_minutes(p) for p in text.split("-"))
    return start, end


@cache
def _us_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays_package.country_holidays("US", years=year))


@dataclass
class Reference:
    zone: ZoneInfo
    weekly: list[list[tuple[int, int]]]
    holiday_dates: set[date]
    us_holidays: bool
    overrides: dict[date, list[tuple[int, int]]]

    @classmethod
    def of(cls, config: dict) -> Reference:  # type: ignore[type-arg]
        weekly: list[list[tuple[int, int]]] = [[] for _ in DAYS]
        for day, intervals in config["hours"].items():
            w = DAYS.index(day)
            for text in intervals:
                start, end = _interval(text)
                if end == 0:  # "09:00-00:00": to midnight
                    end = 1440
                if end > start:
                    weekly[w].append((start, end))
                else:  # overnight: the morning part belongs to the next weekday
                    weekly[w].append((start, 1440))
                    weekly[(w + 1) % 7].append((0, end))
        holiday_dates = set()
        us = False
        for h in config.get("holidays", []):
            if isinstance(h, str):
                holiday_dates.add(date.fromisoformat(h))
            else:
                assert h == {"country": "US"}
                us = True
        overrides = {
            date.fromisoformat(d): [_interval(t) for t in intervals]
            for d, intervals in config.get("overrides", {}).items()
        }
        return cls(ZoneInfo(config["timezone"]), weekly, holiday_dates, us, overrides)

    def hours(self, d: date) -> list[tuple[int, int]]:
        if d in self.overrides:
            return self.overrides[d]
        if d in self.holiday_dates or (self.us_holidays and d in _us_holidays(d.year)):
            return []
        return self.weekly[d.weekday()]

    def is_open(self, m: datetime) -> bool:
        local = m.astimezone(self.zone)
        wall = local.hour * 60 + local.minute
        return any(s <= wall < e for s, e in self.hours(local.date()))


@dataclass
class Window:
    """Open minutes of ``[start, start + n minutes)`` and their prefix sums."""

    start: datetime
    open: list[bool]
    cum: list[int]  # cum[k] = open minutes in [start, start + k minutes)

    @classmethod
    def of(cls, ref: Reference, start: datetime, n: int) -> Window:
        flags = [ref.is_open(start + k * MINUTE) for k in range(n)]
        cum = [0]
        for f in flags:
            cum.append(cum[-1] + f)
        return cls(start, flags, cum)

    @property
    def n(self) -> int:
        return len(self.open)

    @property
    def end(self) -> datetime:
        return self.at(self.n)

    def at(self, k: int) -> datetime:
        return self.start + k * MINUTE

    def add(self, i: int, d: int) -> int | None:
        """Earliest k >= i with d open minutes in [i, k), or None beyond the window."""
        if d == 0:
            return i
        k = bisect_left(self.cum, self.cum[i] + d)
        return k if k <= self.n else None

    def subtract(self, i: int, d: int) -> int | None:
        """Latest k <= i with d open minutes in [k, i), or None before the window."""
        if d == 0:
            return i
        target = self.cum[i] - d
        if target < 0:
            return None
        # the latest k with cum[k] == target is just after the (target)-th open minute
        k = bisect_left(self.cum, target + 1) - 1
        return k

    def next_open(self, i: int) -> int | None:
        for k in range(i, self.n):
            if self.open[k]:
                return k
        return None

    def previous_close(self, i: int) -> int | None:
        for k in range(min(i, self.n - 1), 0, -1):
            if self.open[k - 1] and not self.open[k]:
                return k
        return None

    def runs(self, i: int, j: int) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        for k in range(i, j):
            if self.open[k]:
                if out and out[-1][1] == k:
                    out[-1] = (out[-1][0], k + 1)
                else:
                    out.append((k, k + 1))
        return out


def _window(scenario: Scenario) -> Window:
    f = scenario.focus
    start = datetime(f.year, f.month, f.day, tzinfo=UTC) - timedelta(days=WINDOW_DAYS // 2)
    return Window.of(Reference.of(scenario.config), start, WINDOW_DAYS * 1440)


# -- the comparison -------------------------------------------------------------------------


def utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _in_zone(cal: Calendar, value: datetime) -> bool:
    return getattr(value.tzinfo, "key", None) == cal.timezone


_index = st.integers(0, WINDOW_DAYS * 1440)
_zones = st.sampled_from([None, "UTC", "Asia/Kolkata", "America/Santiago"])


def _as(value: datetime, zone: str | None) -> datetime:
    """The same instant given in another zone (the answer must not depend on it)."""
    return value if zone is None else value.astimezone(ZoneInfo(zone))


@given(scenarios(), st.data())
def test_engine_matches_minute_count(scenario: Scenario, data: st.DataObject) -> None:
    cal = Calendar.model_validate(scenario.config)
    w = _window(scenario)
    n = w.n

    for _ in range(4):
        i, j = sorted((data.draw(_index), data.draw(_index)))
        # elapsed: the open minutes in [i, j)
        got = cal.elapsed(_as(w.at(i), data.draw(_zones)), w.at(j))
        assert got == (w.cum[j] - w.cum[i]) * MINUTE, (w.at(i), w.at(j))
        # open_intervals: the runs of open minutes, clipped to [i, j)
        intervals = [(utc(s), utc(e)) for s, e in cal.open_intervals(w.at(i), w.at(j))]
        assert intervals == [(w.at(a), w.at(b)) for a, b in w.runs(i, j)]

    for _ in range(6):
        i = data.draw(st.integers(0, n - 1))
        t = _as(w.at(i), data.draw(_zones))
        # is_open, at the minute's start, middle and last microsecond
        for offset in (timedelta(0), timedelta(seconds=30), MINUTE - timedelta(microseconds=1)):
            assert cal.is_open(t + offset) == w.open[i], w.at(i) + offset
        # next_open
        k = w.next_open(i)
        got = cal.next_open(t)
        assert _in_zone(cal, got)
        if k is None:
            assert utc(got) >= w.end
        else:
            assert utc(got) == w.at(k), w.at(i)
        # previous_close
        k = w.previous_close(i)
        got = cal.previous_close(t)
        if k is None:
            assert utc(got) <= w.start
        else:
            assert utc(got) == w.at(k), w.at(i)

    for _ in range(6):
        i = data.draw(_index)
        t = _as(w.at(i), data.draw(_zones))
        d = data.draw(st.integers(0, 24 * 60))
        # add
        k = w.add(i, d)
        got = cal.add(t, d * MINUTE)
        assert _in_zone(cal, got)
        if k is None:
            assert utc(got) > w.end
        else:
            assert utc(got) == w.at(k), (w.at(i), d)
        # subtract
        k = w.subtract(i, d)
        got = cal.subtract(t, d * MINUTE)
        if k is None:
            assert utc(got) < w.start
        else:
            assert utc(got) == w.at(k), (w.at(i), d)


@given(scenarios(zones=("America/New_York", "Europe/London", "Australia/Lord_Howe")))
def test_whole_window_elapsed(scenario: Scenario) -> None:
    """The whole window at once, and the open time of each local day in it."""
    cal = Calendar.model_validate(scenario.config)
    w = _window(scenario)
    assert cal.elapsed(w.start, w.end) == w.cum[-1] * MINUTE
    assert [(utc(s), utc(e)) for s, e in cal.open_intervals(w.start, w.end)] == [
        (w.at(a), w.at(b)) for a, b in w.runs(0, w.n)
    ]


# -- business days ---------------------------------------------------------------------------


def _reference_business_days(
    ref: Reference, w: Window, i: int, n: int
) -> tuple[datetime, datetime] | None:
    """DESIGN.md's ``add_business_days`` read literally on the minute grid: the first open
    minute ``>= i``; its local wall time on the ``n``-th later local date with an open
    minute; a wall time the date skips is read with the offset before the skip; then
    clamped into that date's open minutes. Returns (start, answer), or None when the answer
    is not wholly inside the window."""
    k = w.next_open(i)
    if k is None:
        return None
    local = w.at(k).astimezone(ref.zone)
    open_dates = sorted({w.at(m).astimezone(ref.zone).date() for m in range(w.n) if w.open[m]})
    later = [d for d in open_dates if d > local.date()]
    last_whole = (w.end - timedelta(days=1)).astimezone(ref.zone).date()
    if n == 0:
        return w.at(k), w.at(k)
    if len(later) < n or later[n - 1] >= last_whole:
        return None
    target = later[n - 1]
    naive = datetime.combine(target, local.time())
    u0 = naive.replace(tzinfo=ref.zone, fold=0).astimezone(UTC)
    u1 = naive.replace(tzinfo=ref.zone, fold=1).astimezone(UTC)
    cand = (u1 if local.fold else u0) if u0 <= u1 else u0
    minutes = [m for m in range(w.n) if w.open[m] and w.at(m).astimezone(ref.zone).date() == target]
    first, last = w.at(minutes[0]), w.at(minutes[-1] + 1)
    if cand < first:
        return w.at(k), first
    if cand >= last:
        return w.at(k), last
    c = int((cand - w.start) / MINUTE)
    nxt = w.next_open(c)
    assert nxt is not None
    return w.at(k), w.at(nxt)


@given(scenarios(), st.data())
def test_add_business_days_matches_minute_count(scenario: Scenario, data: st.DataObject) -> None:
    """The O(log n) count of open dates agrees with walking the minutes date by date,
    including wall times that fall into a DST gap or a repeated hour on the target date."""
    cal = Calendar.model_validate(scenario.config)
    ref = Reference.of(scenario.config)
    w = _window(scenario)
    for _ in range(4):
        i = data.draw(st.integers(0, 1440))
        n = data.draw(st.integers(0, 2))
        expected = _reference_business_days(ref, w, i, n)
        if expected is None:
            continue
        got = cal.add_business_days(_as(w.at(i), data.draw(_zones)), n)
        assert _in_zone(cal, got)
        assert utc(got) == expected[1], (w.at(i), n, expected[0])
