"""Compiled open intervals with cumulative business time (stdlib only).

A calendar is compiled, one local year at a time and only when a query needs it, into
three parallel lists of UTC microseconds: ``starts[i]``, ``ends[i]`` (half-open, sorted,
disjoint, maximal: adjacent intervals are merged) and ``cum[i]``, the business time before
interval ``i``. Every query is then one or two binary searches, so its cost does not grow
with the distance covered: ``add(t, 1000h)`` costs what ``add(t, 1h)`` does.

Times here are plain ``int`` microseconds since 1970-01-01 UTC; the façade
(:mod:`slaclock.calendar`) converts datetimes in and out.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import Final

from .errors import NoOpenTimeError, OutOfRangeError

US: Final = 1_000_000
DAY_US: Final = 86_400 * US
MIN_YEAR: Final = 1900
MAX_YEAR: Final = 2199
EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()

Interval = tuple[int, int]
DayHours = Callable[[date], Sequence[tuple[int, int]]]
"""A date -> its open wall-clock intervals, in seconds after local midnight (0..86400)."""


def us_to_utc(us: int) -> datetime:
    return EPOCH + timedelta(microseconds=us)


def describe_us(us: int) -> str:
    try:
        return us_to_utc(us).isoformat()
    except OverflowError:  # pragma: no cover - only for absurd values
        return f"{us} µs since 1970"


# -- time-zone offsets ----------------------------------------------------------------


def _offset_at(tz: tzinfo, u: int) -> int:
    """UTC offset in seconds in force at UTC second ``u``."""
    off = datetime.fromtimestamp(u, tz).utcoffset()
    assert off is not None
    return off.days * 86_400 + off.seconds


def offset_pieces(tz: tzinfo, u0: int, u1: int) -> list[tuple[int, int, int]]:
    """Split UTC seconds ``[u0, u1)`` into ``(start, end, offset_seconds)`` pieces of
    constant offset. Transitions are found by sampling every 6 hours and bisecting to the
    second (zone transitions are at whole seconds, and none are 6 hours apart)."""
    step = 6 * 3600
    pieces: list[tuple[int, int, int]] = []
    start = u0
    off = _offset_at(tz, u0)
    probe = u0
    while probe < u1:
        nxt = min(probe + step, u1)
        off_next = _offset_at(tz, nxt) if nxt < u1 else off
        if off_next != off:
            lo, hi = probe, nxt  # offset(lo) == off, offset(hi) != off
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if _offset_at(tz, mid) == off:
                    lo = mid
                else:
                    hi = mid
            pieces.append((start, hi, off))
            start, off = hi, _offset_at(tz, hi)
            # Re-scan from the transition: a second one may follow within the same step.
            probe = hi
            continue
        probe = nxt
    pieces.append((start, u1, off))
    return pieces


@lru_cache(maxsize=4096)
def _zone_year_pieces(tz: tzinfo, year: int) -> list[tuple[int, int, int]]:
    """Offset pieces covering a local year (two days of slack each side: offsets are at
    most ~26 h), shared by every calendar in the zone. Callers must not mutate it."""
    w0 = local_day_seconds(date(year, 1, 1)) - 2 * 86_400
    w1 = local_day_seconds(date(year + 1, 1, 1)) + 2 * 86_400
    return offset_pieces(tz, w0, w1)


def local_day_seconds(d: date) -> int:
    """Local wall-clock seconds of midnight starting ``d`` (a naive, offset-free epoch)."""
    return (d.toordinal() - _EPOCH_ORDINAL) * 86_400


def first_instant_at_or_after_wall(pieces: Sequence[tuple[int, int, int]], wall: int) -> int:
    """The earliest UTC second whose local wall time is ``>= wall`` (naive local seconds)."""
    best: int | None = None
    for p0, p1, off in pieces:
        cand = max(p0, wall - off)
        if cand < p1 and (best is None or cand < best):
            best = cand
    if best is None:
        raise OutOfRangeError(f"wall time {wall} lies outside the compiled offsets")
    return best


def merge(intervals: list[Interval]) -> list[Interval]:
    """Sort and coalesce overlapping or touching half-open intervals."""
    intervals.sort()
    out: list[Interval] = []
    for s, e in intervals:
        if s >= e:
            continue
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def intersect(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """Intersection of two sorted, disjoint interval lists."""
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        s = max(a[i][0], b[j][0])
        e = min(a[i][1], b[j][1])
        if s < e:
            out.append((s, e))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


# -- year sources ---------------------------------------------------------------------


class YearSource:
    """Knows the UTC bounds of each (local) year and the open intervals inside them."""

    def bound(self, year: int) -> int:  # pragma: no cover - interface
        raise NotImplementedError

    def intervals(self, year: int) -> list[Interval]:  # pragma: no cover - interface
        raise NotImplementedError


class WeeklySource(YearSource):
    """A single-zone calendar: wall-clock hours per local date, converted to UTC."""

    def __init__(self, tz: tzinfo, day_hours: DayHours) -> None:
        self.tz = tz
        self.day_hours = day_hours

    def _year_pieces(self, year: int) -> list[tuple[int, int, int]]:
        return _zone_year_pieces(self.tz, year)

    def bound(self, year: int) -> int:
        pieces = self._year_pieces(year - 1 if year > MAX_YEAR else year)
        return first_instant_at_or_after_wall(pieces, local_day_seconds(date(year, 1, 1))) * US

    def intervals(self, year: int) -> list[Interval]:
        pieces = self._year_pieces(year)
        out: list[Interval] = []
        d = date(year, 1, 1)
        one = timedelta(days=1)
        day_hours = self.day_hours
        while d.year == year:
            hours = day_hours(d)
            if hours:
                base = local_day_seconds(d)
                for s, e in hours:
                    ws, we = base + s, base + e
                    for p0, p1, off in pieces:
                        us0 = max(ws - off, p0)
                        us1 = min(we - off, p1)
                        if us0 < us1:
                            out.append((us0 * US, us1 * US))
            d += one
        merged = merge(out)
        lo, hi = self.bound(year), self.bound(year + 1)
        return [(max(s, lo), min(e, hi)) for s, e in merged if e > lo and s < hi]


class CompositeSource(YearSource):
    """Union or intersection of other calendars' indexes, with years in its own zone."""

    def __init__(self, tz: tzinfo, parts: Sequence[OpenIndex], *, mode: str) -> None:
        self.tz = tz
        self.parts = tuple(parts)
        self.mode = mode

    def bound(self, year: int) -> int:
        local = datetime(year, 1, 1, tzinfo=self.tz) if year <= MAX_YEAR + 1 else None
        if local is None:  # pragma: no cover - guarded by OpenIndex
            raise OutOfRangeError(f"year {year} is outside {MIN_YEAR}..{MAX_YEAR}")
        return (local - EPOCH) // timedelta(microseconds=1)

    def intervals(self, year: int) -> list[Interval]:
        lo, hi = self.bound(year), self.bound(year + 1)
        lists = [list(p.intervals_between(lo, hi)) for p in self.parts]
        if self.mode == "union":
            return merge([iv for lst in lists for iv in lst])
        result = lists[0]
        for other in lists[1:]:
            result = intersect(result, other)
        return result


# -- the index ------------------------------------------------------------------------

# state: starts, ends, cum, cum_end, lo (UTC µs), hi (UTC µs), first year, end year
_State = tuple[list[int], list[int], list[int], list[int], int, int, int, int]


class OpenIndex:
    """Sorted UTC open intervals with cumulative business time, compiled lazily per year.

    All arguments and results are ``int`` microseconds since the epoch (UTC).
    """

    __slots__ = ("_lock", "_src", "horizon_years", "label", "state")

    def __init__(self, source: YearSource, *, horizon_years: int = 10, label: str = "") -> None:
        self._src = source
        self._lock = threading.Lock()
        self.horizon_years = horizon_years
        self.label = label
        self.state: _State = ([], [], [], [], 0, 0, 0, 0)

    # -- compilation ----------------------------------------------------------------

    def _year_of(self, us: int) -> int:
        """The (local) year whose bounds contain ``us`` (close guess, then adjusted)."""
        try:
            year = us_to_utc(us).year
        except OverflowError:
            year = MIN_YEAR - 1 if us < 0 else MAX_YEAR + 1
        if year < MIN_YEAR or year > MAX_YEAR:
            raise OutOfRangeError(
                f"instant {describe_us(us)} is outside the supported years "
                f"{MIN_YEAR}..{MAX_YEAR}{self._label()}"
            )
        src = self._src
        if year > MIN_YEAR and us < src.bound(year):
            year -= 1
        elif year < MAX_YEAR and us >= src.bound(year + 1):
            year += 1
        return year

    def _label(self) -> str:
        return f" (calendar {self.label})" if self.label else ""

    def ensure(self, us: int) -> _State:
        """Make sure the year holding ``us`` is compiled; return the current state."""
        st = self.state
        if st[4] <= us < st[5]:
            return st
        year = self._year_of(us)
        with self._lock:
            st = self.state
            if not st[0] and st[6] == st[7]:
                self._build(year, year + 1)
            else:
                y0, y1 = st[6], st[7]
                if year < y0:
                    self._build(year, y0)
                elif year >= y1:
                    self._build(y1, year + 1)
            return self.state

    def _extend_forward(self) -> bool:
        with self._lock:
            y1 = self.state[7]
            if y1 > MAX_YEAR:
                return False
            self._build(y1, y1 + 1)
            return True

    def _extend_backward(self) -> bool:
        with self._lock:
            y0 = self.state[6]
            if y0 <= MIN_YEAR:
                return False
            self._build(y0 - 1, y0)
            return True

    def _build(self, y_from: int, y_to: int) -> None:
        """Compile years [y_from, y_to) and splice them onto the current state (which
        they must adjoin). Runs under the lock; publishes a new state tuple atomically."""
        starts, ends, cum, _, lo, hi, y0, y1 = self.state
        new: list[Interval] = []
        for y in range(y_from, y_to):
            new.extend(self._src.intervals(y))
        new = merge(new)
        empty = not starts and y0 == y1
        if empty:
            ivs, base = new, 0
            lo, hi, y0, y1 = self._src.bound(y_from), self._src.bound(y_to), y_from, y_to
        elif y_from == y1:  # forward
            ivs = merge(list(zip(starts, ends, strict=True)) + new)
            base = cum[0] if cum else 0
            hi, y1 = self._src.bound(y_to), y_to
        else:  # backward: keep the cumulative values of the existing intervals
            assert y_to == y0
            total_new = sum(e - s for s, e in new)
            ivs = merge(new + list(zip(starts, ends, strict=True)))
            base = (cum[0] if cum else 0) - total_new
            lo, y0 = self._src.bound(y_from), y_from
        n_starts = [s for s, _ in ivs]
        n_ends = [e for _, e in ivs]
        n_cum: list[int] = []
        n_cum_end: list[int] = []
        acc = base
        for s, e in ivs:
            n_cum.append(acc)
            acc += e - s
            n_cum_end.append(acc)
        self.state = (n_starts, n_ends, n_cum, n_cum_end, lo, hi, y0, y1)

    # -- queries --------------------------------------------------------------------

    def cum_at(self, us: int) -> int:
        """Business time before ``us`` (relative to an arbitrary, fixed origin)."""
        starts, ends, cum, _, lo, hi, _, _ = self.state
        if not lo <= us < hi:
            starts, ends, cum, _, lo, hi, _, _ = self.ensure(us)
        i = bisect_right(starts, us) - 1
        if i < 0:
            return cum[0] if cum else 0
        end = ends[i]
        return cum[i] + ((end if us > end else us) - starts[i])

    def is_open(self, us: int) -> bool:
        starts, ends, _, _, lo, hi, _, _ = self.state
        if not lo <= us < hi:
            starts, ends, _, _, lo, hi, _, _ = self.ensure(us)
        i = bisect_right(starts, us) - 1
        return i >= 0 and us < ends[i]

    def elapsed(self, a: int, b: int) -> int:
        """Business time in ``[a, b)`` (``a <= b``): two bisects over one state."""
        st = self.state
        if not (st[4] <= a and b < st[5]):
            self.ensure(a)
            st = self.ensure(b)
        starts, ends, cum, _, _, _, _, _ = st
        i = bisect_right(starts, a) - 1
        if i < 0:
            i, ca = 0, (cum[0] if cum else 0)
        else:
            e = ends[i]
            ca = cum[i] + ((e if a > e else a) - starts[i])
        j = bisect_right(starts, b, i) - 1
        if j < 0:
            return 0
        e = ends[j]
        return cum[j] + ((e if b > e else b) - starts[j]) - ca

    def add(self, t: int, d: int) -> int:
        """Earliest ``x >= t`` with ``elapsed(t, x) == d`` (``d >= 0``)."""
        if d == 0:
            return t
        starts, ends, cum, cum_end, lo, hi, _, _ = self.state
        if lo <= t < hi:  # the hot path: one state, two bisects
            i = bisect_right(starts, t) - 1
            if i < 0:
                target = (cum[0] if cum else 0) + d
            else:
                e = ends[i]
                target = cum[i] + ((e if t > e else t) - starts[i]) + d
            j = bisect_left(cum_end, target)
            if j < len(starts):
                return starts[j] + (target - cum[j])
        else:
            target = self.cum_at(t) + d
        while True:
            starts, _, cum, cum_end, _, hi, _, _ = self.state
            j = bisect_left(cum_end, target)
            if j < len(starts):
                return starts[j] + (target - cum[j])
            self._grow_forward(t, hi, what=f"to add {timedelta(microseconds=d)}")

    def subtract(self, t: int, d: int) -> int:
        """Latest ``x <= t`` with ``elapsed(x, t) == d`` (``d >= 0``)."""
        if d == 0:
            return t
        target = self.cum_at(t) - d
        while True:
            starts, _, cum, _, lo, _, _, _ = self.state
            j = bisect_right(cum, target) - 1
            if j >= 0:
                return starts[j] + (target - cum[j])
            self._grow_backward(t, lo, what=f"to subtract {timedelta(microseconds=d)}")

    def next_open(self, us: int) -> int:
        """First open instant ``>= us``."""
        self.ensure(us)
        while True:
            starts, ends, _, _, _, hi, _, _ = self.state
            i = bisect_right(starts, us) - 1
            if i >= 0 and us < ends[i]:
                return us
            if i + 1 < len(starts):
                return starts[i + 1]
            self._grow_forward(us, hi, what="to find the next opening")

    def previous_close(self, us: int) -> int:
        """End of the latest open interval that ends at or before ``us``."""
        self.ensure(us)
        while True:
            _, ends, _, _, lo, _, _, _ = self.state
            i = bisect_right(ends, us) - 1
            if i >= 0:
                # An interval cut at the lower compiled bound may continue earlier; its
                # end is still a real close.
                return ends[i]
            # No close yet: the horizon counts from ``us`` (open time behind it is no
            # close; a calendar that never closes must not be walked back to MIN_YEAR).
            self._grow_backward(us, lo, what="to find the previous close", looking_for="close")

    def intervals_between(self, a: int, b: int) -> Iterator[Interval]:
        """Open intervals clipped to ``[a, b)``, in order (compiles what it needs)."""
        if b <= a:
            return
        self.ensure(a)
        self.ensure(b - 1)
        starts, ends, _, _, _, _, _, _ = self.state
        i = max(bisect_right(starts, a) - 1, 0)
        n = len(starts)
        while i < n and starts[i] < b:
            s, e = starts[i], ends[i]
            if e > a:
                yield (s if s > a else a, e if e < b else b)
            i += 1

    def _grow_forward(self, origin: int, hi: int, *, what: str) -> None:
        starts = self.state[0]
        last_open = self.state[1][-1] if starts else None
        reference = max(origin, last_open) if last_open is not None else origin
        if hi - reference > self.horizon_years * 366 * DAY_US:
            raise NoOpenTimeError(
                f"no open time within {self.horizon_years} years after "
                f"{describe_us(reference)}{self._label()} {what}; the calendar has no "
                "hours ahead (check 'hours', 'holidays' and 'overrides')"
            )
        if not self._extend_forward():
            raise OutOfRangeError(
                f"the answer {what} from {describe_us(origin)} lies beyond "
                f"{MAX_YEAR}{self._label()}, the last supported year"
            )

    def _grow_backward(
        self, origin: int, lo: int, *, what: str, looking_for: str = "open time"
    ) -> None:
        starts = self.state[0]
        first_open = starts[0] if starts else None
        reference = origin
        if first_open is not None and looking_for == "open time":
            reference = min(origin, first_open)
        if reference - lo > self.horizon_years * 366 * DAY_US:
            raise NoOpenTimeError(
                f"no {looking_for} within {self.horizon_years} years before "
                f"{describe_us(reference)}{self._label()} {what}"
            )
        if not self._extend_backward():
            raise OutOfRangeError(
                f"the answer {what} from {describe_us(origin)} lies before "
                f"{MIN_YEAR}{self._label()}, the first supported year"
            )
