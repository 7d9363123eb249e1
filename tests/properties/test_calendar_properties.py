"""Hypothesis properties of calendar arithmetic (DESIGN.md, "Calendar semantics").

Random calendars (split, overnight, midnight-ending shifts; holidays and overrides around
a focus date that is often a DST transition or a year boundary) in six zones, random
aware instants given in random zones, random durations down to the microsecond.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from slaclock import Calendar, SlaClockError

from .strategies import (
    MICROSECOND,
    ZONES,
    Scenario,
    durations,
    instants_2025_2027,
    instants_near,
    scenarios,
)

ZERO = timedelta(0)


def build(scenario: Scenario) -> Calendar:
    return Calendar.model_validate(scenario.config)


def in_zone(cal: Calendar, value: datetime) -> bool:
    return getattr(value.tzinfo, "key", None) == cal.timezone


def utc(value: datetime) -> datetime:
    """Real-time arithmetic and ordering must go through UTC: Python subtracts and compares
    two datetimes of the same zone by their wall clocks."""
    return value.astimezone(UTC)


@st.composite
def scenario_and_instants(draw: st.DrawFn, n: int) -> tuple[Scenario, list[datetime]]:
    scenario = draw(scenarios())
    return scenario, [draw(instants_near(scenario.focus)) for _ in range(n)]


class TestAdd:
    @given(scenario_and_instants(1), durations())
    def test_elapsed_of_add_is_d(self, si: tuple[Scenario, list[datetime]], d: timedelta) -> None:
        scenario, (t,) = si
        cal = build(scenario)
        x = cal.add(t, d)
        assert utc(x) >= utc(t)
        assert cal.elapsed(t, x) == d
        assert in_zone(cal, x)

    @given(scenario_and_instants(1), durations())
    def test_add_is_the_earliest(self, si: tuple[Scenario, list[datetime]], d: timedelta) -> None:
        scenario, (t,) = si
        assume(d > ZERO)
        cal = build(scenario)
        x = cal.add(t, d)
        assert cal.elapsed(t, utc(x) - MICROSECOND) < d
        # the last microsecond counted was open
        assert cal.is_open(utc(x) - MICROSECOND)

    @given(scenario_and_instants(1))
    def test_add_zero_is_t(self, si: tuple[Scenario, list[datetime]]) -> None:
        scenario, (t,) = si
        assert utc(build(scenario).add(t, ZERO)) == utc(t)

    @given(scenario_and_instants(1), durations(), durations())
    def test_monotone_in_d(
        self, si: tuple[Scenario, list[datetime]], d1: timedelta, d2: timedelta
    ) -> None:
        scenario, (t,) = si
        cal = build(scenario)
        d1, d2 = min(d1, d2), max(d1, d2)
        x1, x2 = cal.add(t, d1), cal.add(t, d2)
        assert utc(x1) <= utc(x2)
        assert cal.elapsed(x1, x2) == d2 - d1

    @given(scenario_and_instants(2), durations())
    def test_monotone_in_t(self, si: tuple[Scenario, list[datetime]], d: timedelta) -> None:
        scenario, (t1, t2) = si
        cal = build(scenario)
        t1, t2 = sorted((t1, t2), key=utc)
        assert utc(cal.add(t1, d)) <= utc(cal.add(t2, d))


class TestSubtract:
    @given(scenario_and_instants(1), durations())
    def test_mirrors_add(self, si: tuple[Scenario, list[datetime]], d: timedelta) -> None:
        scenario, (t,) = si
        cal = build(scenario)
        x = cal.subtract(t, d)
        assert utc(x) <= utc(t)
        assert cal.elapsed(x, t) == d
        assert in_zone(cal, x)
        if d > ZERO:
            # the latest such instant
            assert cal.elapsed(utc(x) + MICROSECOND, t) < d
            assert cal.is_open(x)

    @given(scenario_and_instants(1), durations())
    def test_subtract_then_add(self, si: tuple[Scenario, list[datetime]], d: timedelta) -> None:
        scenario, (t,) = si
        assume(d > ZERO)
        cal = build(scenario)
        # going back d and forward d lands at t, or earlier when t is closed (add stops at
        # the end of the last open stretch before t)
        back = cal.add(cal.subtract(t, d), d)
        assert utc(back) <= utc(t)
        assert cal.elapsed(back, t) == ZERO


class TestElapsed:
    @given(scenario_and_instants(3))
    def test_additive(self, si: tuple[Scenario, list[datetime]]) -> None:
        scenario, instants = si
        a, b, c = sorted(instants, key=utc)
        cal = build(scenario)
        assert cal.elapsed(a, c) == cal.elapsed(a, b) + cal.elapsed(b, c)

    @given(scenario_and_instants(2))
    def test_bounded_by_real_time(self, si: tuple[Scenario, list[datetime]]) -> None:
        scenario, instants = si
        a, b = sorted(instants, key=utc)
        elapsed = build(scenario).elapsed(a, b)
        assert ZERO <= elapsed <= utc(b) - utc(a)

    @given(scenario_and_instants(2))
    def test_is_the_sum_of_open_intervals(self, si: tuple[Scenario, list[datetime]]) -> None:
        scenario, instants = si
        a, b = sorted(instants, key=utc)
        cal = build(scenario)
        intervals = list(cal.open_intervals(a, b))
        assert sum((utc(e) - utc(s) for s, e in intervals), ZERO) == cal.elapsed(a, b)
        for s, e in intervals:
            assert utc(a) <= utc(s) < utc(e) <= utc(b)
            assert cal.is_open(s)
            assert cal.is_open(utc(e) - MICROSECOND)
        # maximal and ordered: consecutive intervals do not touch
        for (_, e1), (s2, _) in pairwise(intervals):
            assert utc(e1) < utc(s2)


class TestNextOpenAndPreviousClose:
    @given(scenario_and_instants(1))
    def test_next_open(self, si: tuple[Scenario, list[datetime]]) -> None:
        scenario, (t,) = si
        cal = build(scenario)
        n = cal.next_open(t)
        assert in_zone(cal, n)
        assert cal.is_open(t) == (utc(n) == utc(t))
        assert utc(n) >= utc(t)
        assert cal.is_open(n)
        assert cal.elapsed(t, n) == ZERO

    @given(scenario_and_instants(1))
    def test_previous_close(self, si: tuple[Scenario, list[datetime]]) -> None:
        scenario, (t,) = si
        cal = build(scenario)
        p = cal.previous_close(t)
        assert in_zone(cal, p)
        assert utc(p) <= utc(t)
        assert not cal.is_open(p)
        assert cal.is_open(utc(p) - MICROSECOND)
        # no close in (p, t]: from p the calendar stays closed, or opens and stays open to t
        n = cal.next_open(p)
        if utc(n) <= utc(t):
            assert cal.elapsed(p, t) == utc(t) - utc(n)
        else:
            assert cal.elapsed(p, t) == ZERO


class TestBusinessDays:
    @given(scenario_and_instants(1), st.integers(0, 5))
    def test_lands_in_or_at_the_end_of_open_hours(
        self, si: tuple[Scenario, list[datetime]], n: int
    ) -> None:
        scenario, (t,) = si
        cal = build(scenario)
        r = cal.add_business_days(t, n)
        assert in_zone(cal, r)
        start = cal.next_open(t)
        if n == 0:
            assert utc(r) == utc(start)
            return
        assert utc(r) > utc(start)
        assert r.date() > start.date()
        assert cal.is_open(r) or cal.previous_close(r) == r

    @given(scenario_and_instants(1), st.integers(0, 4))
    def test_monotone_in_n(self, si: tuple[Scenario, list[datetime]], n: int) -> None:
        scenario, (t,) = si
        cal = build(scenario)
        assert utc(cal.add_business_days(t, n)) <= utc(cal.add_business_days(t, n + 1))


class TestAlwaysOpen:
    @given(
        st.sampled_from(ZONES),
        instants_2025_2027(),
        instants_2025_2027(),
        durations(max_hours=24 * 400),
    )
    def test_24x7_is_timedelta_arithmetic(
        self, zone: str, a: datetime, b: datetime, d: timedelta
    ) -> None:
        cal = Calendar.preset("24x7", timezone=zone)
        a, b = sorted((a, b), key=utc)
        assert cal.elapsed(a, b) == utc(b) - utc(a)
        assert utc(cal.add(a, d)) == utc(a) + d
        assert utc(cal.subtract(b, d)) == utc(b) - d
        assert cal.is_open(a)
        assert cal.next_open(a) == a
        assert cal.add(a, d).utcoffset() == (utc(a) + d).astimezone(ZoneInfo(zone)).utcoffset()


class TestComposition:
    @given(st.data())
    def test_union_and_intersection(self, data: st.DataObject) -> None:
        first = data.draw(scenarios(country_holidays=False))
        second = data.draw(scenarios(country_holidays=False))
        c1, c2 = build(first), build(Scenario(second.config, first.focus))
        zone = data.draw(st.sampled_from((None, *ZONES)))
        u = Calendar.union(c1, c2, timezone=zone)
        i = Calendar.intersection(c1, c2, timezone=zone)
        a, b = sorted((data.draw(instants_near(first.focus)) for _ in range(2)), key=utc)
        e1, e2, eu, ei = (c.elapsed(a, b) for c in (c1, c2, u, i))
        assert eu >= max(e1, e2)
        assert ei <= min(e1, e2)
        assert eu + ei == e1 + e2  # inclusion-exclusion
        t = data.draw(instants_near(first.focus))
        assert u.is_open(t) == (c1.is_open(t) or c2.is_open(t))
        assert i.is_open(t) == (c1.is_open(t) and c2.is_open(t))
        x = u.add(t, data.draw(durations(max_hours=24)))
        assert getattr(x.tzinfo, "key", None) == (zone or c1.timezone)


class TestSerialization:
    @given(scenarios())
    def test_json_round_trip(self, scenario: Scenario) -> None:
        cal = build(scenario)
        again = Calendar.model_validate(cal.model_dump(mode="json"))
        assert again == cal
        t = datetime(scenario.focus.year, scenario.focus.month, scenario.focus.day, tzinfo=UTC)
        assert again.add(t, "7h") == cal.add(t, "7h")


def _us(value: datetime) -> int:
    return (utc(value) - datetime(1970, 1, 1, tzinfo=UTC)) // MICROSECOND


def _from_us(us: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + us * MICROSECOND


class TestVectorisedArithmetic:
    """``add_array`` / ``elapsed_array`` / ``add_business_days_array`` equal the scalar
    methods element by element: random calendars (DST weeks, year ends), microsecond
    instants, NaT sprinkled in, one call per example over many elements."""

    @given(st.data())
    def test_add_array_is_add(self, data: st.DataObject) -> None:
        np = pytest.importorskip("numpy")
        scenario = data.draw(scenarios())
        cal = build(scenario)
        starts = data.draw(st.lists(instants_near(scenario.focus), min_size=1, max_size=40))
        ds = data.draw(st.lists(durations(), min_size=len(starts), max_size=len(starts)))
        nat = data.draw(st.lists(st.booleans(), min_size=len(starts), max_size=len(starts)))
        t_arr = np.array([_us(t) for t in starts], dtype="int64").view("datetime64[us]")
        d_arr = np.array([d // MICROSECOND for d in ds], dtype="int64").view("timedelta64[us]")
        t_arr[np.array(nat)] = np.datetime64("NaT")
        got = cal.add_array(t_arr, d_arr)
        assert got.dtype == np.dtype("datetime64[us]")
        for k, (t, d) in enumerate(zip(starts, ds, strict=True)):
            if nat[k]:
                assert np.isnat(got[k])
            else:
                assert int(got[k].astype("int64")) == _us(cal.add(t, d)), (t, d)

    @given(st.data())
    def test_elapsed_array_is_elapsed(self, data: st.DataObject) -> None:
        np = pytest.importorskip("numpy")
        scenario = data.draw(scenarios())
        cal = build(scenario)
        pairs = data.draw(
            st.lists(
                st.tuples(instants_near(scenario.focus), instants_near(scenario.focus, days=40)),
                min_size=1,
                max_size=40,
            )
        )
        pairs = [tuple(sorted(p, key=utc)) for p in pairs]
        a = np.array([_us(x) for x, _ in pairs], dtype="int64").view("datetime64[us]")
        b = np.array([_us(y) for _, y in pairs], dtype="int64").view("datetime64[us]")
        got = cal.elapsed_array(a, b)
        assert got.dtype == np.dtype("timedelta64[us]")
        expected = [cal.elapsed(x, y) // MICROSECOND for x, y in pairs]
        assert got.astype("int64").tolist() == expected

    @given(st.data())
    def test_add_business_days_array_is_add_business_days(self, data: st.DataObject) -> None:
        np = pytest.importorskip("numpy")
        scenario = data.draw(scenarios())
        cal = build(scenario)
        starts = data.draw(st.lists(instants_near(scenario.focus), min_size=1, max_size=10))
        ns = data.draw(st.lists(st.integers(0, 5), min_size=len(starts), max_size=len(starts)))
        t_arr = np.array([_us(t) for t in starts], dtype="int64").view("datetime64[us]")
        got = cal.add_business_days_array(t_arr, np.array(ns))
        expected = [_us(cal.add_business_days(t, n)) for t, n in zip(starts, ns, strict=True)]
        assert got.astype("int64").tolist() == expected


class TestInZoneProperty:
    @given(scenarios(), st.sampled_from(ZONES), st.data())
    def test_in_zone_is_the_same_config_in_another_zone(
        self, scenario: Scenario, zone: str, data: st.DataObject
    ) -> None:
        cal = build(scenario)
        other = cal.in_zone(zone)
        assert other is cal.in_zone(zone)
        direct = Calendar.model_validate({**scenario.config, "timezone": zone})
        assert other == direct
        t = data.draw(instants_near(scenario.focus))
        d = data.draw(durations(max_hours=48))
        assert utc(other.add(t, d)) == utc(direct.add(t, d))
        assert in_zone(direct, other.add(t, d))


class TestIndexProperty:
    @given(scenario_and_instants(2), durations())
    def test_index_answers_the_datetime_methods(
        self, si: tuple[Scenario, list[datetime]], d: timedelta
    ) -> None:
        scenario, (a, b) = si
        cal = build(scenario)
        a, b = sorted((a, b), key=utc)
        ix = cal.index
        assert _from_us(ix.add(_us(a), d // MICROSECOND)) == utc(cal.add(a, d))
        assert _from_us(ix.subtract(_us(b), d // MICROSECOND)) == utc(cal.subtract(b, d))
        assert ix.elapsed(_us(a), _us(b)) * MICROSECOND == cal.elapsed(a, b)
        assert ix.cum_at(_us(b)) - ix.cum_at(_us(a)) == ix.elapsed(_us(a), _us(b))
        assert ix.is_open(_us(a)) == cal.is_open(a)
        assert _from_us(ix.next_open(_us(a))) == utc(cal.next_open(a))
        assert _from_us(ix.add_business_days(_us(a), 2)) == utc(cal.add_business_days(a, 2))


def _outcome(fn: Callable[[], object]) -> object:
    """A value, or the error's class and message (both calendars must fail alike)."""
    try:
        value = fn()
    except SlaClockError as exc:
        return type(exc), str(exc)
    return utc(value) if isinstance(value, datetime) else value


def _answers(cal: Calendar, a: datetime, b: datetime, d: timedelta) -> list[object]:
    ix = cal.index
    return [
        _outcome(lambda: cal.elapsed(a, b)),
        _outcome(lambda: cal.add(a, d)),
        _outcome(lambda: cal.subtract(b, d)),
        _outcome(lambda: ix.cum_at(_us(b)) - ix.cum_at(_us(a))),
    ]


class TestBoundedCache:
    @given(scenarios(country_holidays=False), st.lists(st.integers(-3, 3), min_size=1))
    def test_answers_do_not_depend_on_what_is_cached(
        self, scenario: Scenario, years: list[int]
    ) -> None:
        """An index that may keep only two years answers as one that keeps them all."""
        roomy, tight = build(scenario), build(scenario)
        tight.index.cache_bytes = 0
        t0 = datetime(scenario.focus.year, 6, 1, tzinfo=UTC)
        for k in years:
            a = t0.replace(year=t0.year + k)
            b = a + timedelta(days=500)
            d = timedelta(hours=90)
            assert _answers(tight, a, b, d) == _answers(roomy, a, b, d)
            assert len(tight.index.cached_years) <= 2


class TestHashProperty:
    @given(scenarios())
    def test_equal_configurations_hash_equal(self, scenario: Scenario) -> None:
        cal = build(scenario)
        config = dict(scenario.config)
        if "overrides" in config:  # the same overrides in another order
            config["overrides"] = dict(reversed(list(config["overrides"].items())))
        again = Calendar.model_validate(config)
        assert again == cal
        assert hash(again) == hash(cal)
        assert {cal: 1}[again] == 1
