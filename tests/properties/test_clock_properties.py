"""Properties of the cycle arithmetic (``slaclock._clock``), on its own: random spans on
a real 8x5 index and on a 24x7 one (where business time is plain subtraction)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from slaclock import Calendar
from slaclock._clock import OPEN, business_day_deadline, count, first_active, reach, used

HOUR = 3_600_000_000
BASE = int((datetime(2026, 10, 26, tzinfo=UTC) - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds())
BASE_US = BASE * 1_000_000
DESK = Calendar.preset("8x5", timezone="America/New_York", holidays=[{"country": "US"}]).index
ALWAYS = Calendar.preset("24x7", timezone="UTC").index


@st.composite
def spans(draw: st.DrawFn) -> list[tuple[int, int]]:
    """Disjoint, ordered spans within three weeks, on a 15-minute grid."""
    cuts = sorted(set(draw(st.lists(st.integers(0, 21 * 96), min_size=2, max_size=12))))
    if len(cuts) % 2:
        cuts = cuts[:-1]
    q = HOUR // 4
    return [(BASE_US + a * q, BASE_US + b * q) for a, b in zip(cuts[::2], cuts[1::2], strict=True)]


indexes = st.sampled_from([DESK, ALWAYS])


@given(spans(), indexes, st.integers(0, 21 * 96))
def test_used_is_additive_at_any_cut(s: list[tuple[int, int]], ix: object, cut: int) -> None:
    x = BASE_US + cut * HOUR // 4
    end = BASE_US + 22 * 24 * HOUR
    assert used(ix, s, BASE_US, end) == used(ix, s, BASE_US, x) + used(ix, s, x, end)  # type: ignore[arg-type]


@given(spans(), st.integers(0, 21 * 96))
def test_on_24x7_used_is_the_clipped_length(s: list[tuple[int, int]], cut: int) -> None:
    origin = BASE_US + cut * HOUR // 4
    end = BASE_US + 22 * 24 * HOUR
    expected = sum(max(0, e - max(a, origin)) for a, e in s)
    assert used(ALWAYS, s, origin, end) == expected


@given(spans(), indexes, st.integers(0, 40 * HOUR))
def test_reach_is_the_earliest_instant_the_amount_is_counted(
    s: list[tuple[int, int]], ix: object, amount: int
) -> None:
    x = reach(ix, s, BASE_US, amount)  # type: ignore[arg-type]
    total = used(ix, s, BASE_US, BASE_US + 30 * 24 * HOUR)  # type: ignore[arg-type]
    if x is None:
        assert total < amount or not s
        return
    assert used(ix, s, BASE_US, x) == amount  # type: ignore[arg-type]
    if amount > 0:
        assert used(ix, s, BASE_US, x - 1) < amount  # type: ignore[arg-type]


@given(spans(), indexes, st.integers(1, 40 * HOUR))
def test_an_open_span_always_reaches(s: list[tuple[int, int]], ix: object, amount: int) -> None:
    start = s[-1][1] if s else BASE_US
    projected = [*s, (start, OPEN)]
    x = reach(ix, projected, BASE_US, amount)  # type: ignore[arg-type]
    assert x is not None
    assert used(ix, projected, BASE_US, x) == amount  # type: ignore[arg-type]


@given(spans(), st.integers(0, 22 * 96))
def test_first_active_is_the_first_instant_inside_a_span(s: list[tuple[int, int]], k: int) -> None:
    x = BASE_US + k * HOUR // 4
    y = first_active(s, x)
    inside = [max(a, x) for a, e in s if max(a, x) < e]
    assert y == (min(inside) if inside else None)


@given(st.integers(0, 21 * 96), st.integers(1, 5))
def test_business_day_deadline_moves_only_across_closed_time(k: int, n: int) -> None:
    cal = Calendar.preset("8x5", timezone="America/New_York")
    start = cal.next_open(datetime(2026, 10, 26, tzinfo=UTC) + timedelta(minutes=15 * k))
    origin = int((start - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds()) * 1_000_000
    end = int((cal.add_business_days(start, n) - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds())
    bd_end = end * 1_000_000
    ix = cal.index
    amount = ix.elapsed(origin, bd_end)
    earliest = ix.add(origin, amount)
    got = business_day_deadline(ix, earliest, bd_end)
    assert got == bd_end  # the same business time: add_business_days' instant
    assert ix.elapsed(earliest, got) == 0
    assert business_day_deadline(ix, earliest - HOUR, bd_end) == earliest - HOUR


@given(spans(), indexes, st.integers(0, 21 * 96), st.integers(0, 40 * HOUR))
def test_count_is_used_and_reach_together(
    s: list[tuple[int, int]], ix: object, cut: int, amount: int
) -> None:
    origin = BASE_US + cut * HOUR // 4
    total, hit = count(ix, s, origin, amount)  # type: ignore[arg-type]
    assert total == used(ix, s, origin, BASE_US + 30 * 24 * HOUR)  # type: ignore[arg-type]
    assert hit == reach(ix, s, origin, amount)  # type: ignore[arg-type]
