"""Compiled open intervals with cumulative business time (stdlib only).

A calendar is compiled one local year at a time, and only when a query needs that year,
into a :class:`YearBlock`: three parallel sequences of UTC microseconds, ``starts[i]`` and
``ends[i]`` (half-open, sorted, disjoint, maximal within the year) and ``cum[i]``, the
open time between the year's first instant and ``starts[i]``, plus the sorted local dates
that have open time. A query is then one or two binary searches in one year; a query
that spans years adds up per-year totals, which are kept (a few integers a year) even
when the year itself is evicted. So ``add(t, 1000h)`` costs what ``add(t, 1h)`` does, and
``add_business_days(t, n)`` counts open dates instead of walking them.

Memory is bounded: compiled years live in a small LRU cache (:data:`CACHE_BYTES` per
index, never fewer than two years), and a dense year (more than :data:`LIST_MAX`
intervals) is stored as ``array('q')`` (8 bytes a value) instead of a list.

Times here are plain ``int`` microseconds since 1970-01-01 UTC; the façade
(:mod:`slaclock.calendar`) converts datetimes in and out.
"""

from __future__ import annotations

import threading
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import Final, Literal, TypeAlias, final

from .errors import NoOpenTimeError, OutOfRangeError

__all__ = ["OpenIndex"]

US: Final = 1_000_000
DAY_US: Final = 86_400 * US
MIN_YEAR: Final = 1900
MAX_YEAR: Final = 2199
EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()

CACHE_BYTES: Final = 32 * 2**20
"""Default budget of one index's compiled years (estimated bytes); at least two stay."""
LIST_MAX: Final = 4096
"""A year with more intervals than this is stored as ``array('q')`` rather than lists."""
_MIN_BLOCKS: Final = 2

Interval = tuple[int, int]
DayHours = Callable[[date], Sequence[tuple[int, int]]]
"""A date -> its open wall-clock intervals, in seconds after local midnight (0..86400)."""
Ints: TypeAlias = "list[int] | array[int]"


def us_to_utc(us: int) -> datetime:
    return EPOCH + timedelta(microseconds=us)


def describe_us(us: int) -> str:
    try:
        return us_to_utc(us).isoformat()
    except OverflowError:  # pragma: no cover - only for absurd values
        return f"{us} µs since 1970"


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sort half-open intervals and join those that overlap or touch; drop empty ones.

    The one merge of the package: wall-clock seconds in the configuration, UTC
    microseconds in the index (``[(8, 12), (12, 17)]`` -> ``[(8, 17)]``).
    """
    out: list[Interval] = []
    for s, e in sorted(intervals):
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


# -- year sources ---------------------------------------------------------------------


class YearSource:
    """Knows a zone's local years and the open intervals inside each of them.

    A local date ``d`` covers the UTC instants ``[midnight(d), midnight(d + 1))``, where
    ``midnight(d)`` is the first instant whose wall time is ``d 00:00`` or later; a year
    covers its dates, from ``bound(year)`` to ``bound(year + 1)``.
    """

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz

    def pieces(self, year: int) -> list[tuple[int, int, int]]:
        """UTC-second pieces of constant offset covering local ``year`` (2 days of slack)."""
        return _zone_year_pieces(self.tz, min(max(year, MIN_YEAR - 1), MAX_YEAR))

    def midnight(self, d: date) -> int:
        """UTC microseconds at which local date ``d`` begins."""
        year = d.year - 1 if d.month == 1 and d.day == 1 and d.year > MAX_YEAR else d.year
        return first_instant_at_or_after_wall(self.pieces(year), local_day_seconds(d)) * US

    def bound(self, year: int) -> int:
        """UTC microseconds at which local ``year`` begins."""
        return self.midnight(date(year, 1, 1))

    def midnights(self, year: int) -> list[int]:
        """``midnight`` of every date of ``year`` and of the next year's first date."""
        pieces = self.pieces(year)
        first = local_day_seconds(date(year, 1, 1))
        n = (date(year + 1, 1, 1) - date(year, 1, 1)).days
        return [
            first_instant_at_or_after_wall(pieces, first + k * 86_400) * US for k in range(n)
        ] + [self.bound(year + 1)]

    def intervals(self, year: int) -> tuple[list[int], list[int]]:  # pragma: no cover
        """Starts and ends of the year's open intervals, maximal, clipped to the year."""
        raise NotImplementedError


class WeeklySource(YearSource):
    """A single-zone calendar: wall-clock hours per local date, converted to UTC."""

    def __init__(self, tz: tzinfo, day_hours: DayHours) -> None:
        super().__init__(tz)
        self.day_hours = day_hours

    def intervals(self, year: int) -> tuple[list[int], list[int]]:
        pieces = self.pieces(year)
        starts: list[int] = []
        ends: list[int] = []
        ordered = True
        d = date(year, 1, 1)
        one = timedelta(days=1)
        day_hours = self.day_hours
        k = 0  # index of the piece in force at the current day's midnight
        last_piece = len(pieces) - 1
        while d.year == year:
            hours = day_hours(d)
            if hours:
                base = local_day_seconds(d)
                while k < last_piece and pieces[k][1] <= base - pieces[k][2]:
                    k += 1
                p0, p1, off = pieces[k]
                # One offset for the whole day, and no change within a day of it (a
                # change folds wall times of the neighbouring piece into this day).
                if p0 <= base - off - 86_400 and base + 2 * 86_400 - off <= p1:
                    day = [((base + s - off) * US, (base + e - off) * US) for s, e in hours]
                else:  # a transition day: cut each wall interval at the offset changes
                    day = []
                    for s, e in hours:
                        ws, we = base + s, base + e
                        for q0, q1, qoff in pieces:
                            us0, us1 = max(ws - qoff, q0), min(we - qoff, q1)
                            if us0 < us1:
                                day.append((us0 * US, us1 * US))
                    day.sort()
                for s, e in day:
                    if ends and s == ends[-1]:  # touches the previous one: join
                        ends[-1] = e
                        continue
                    if ends and s < ends[-1]:
                        ordered = False  # a fold across midnight: merged below
                    starts.append(s)
                    ends.append(e)
            d += one
        if not ordered:
            joined = merge(zip(starts, ends, strict=True))
            starts = [s for s, _ in joined]
            ends = [e for _, e in joined]
        return _clip(starts, ends, self.bound(year), self.bound(year + 1))


class CompositeSource(YearSource):
    """Union or intersection of other calendars' indexes, with years in its own zone."""

    def __init__(
        self, tz: tzinfo, parts: Sequence[OpenIndex], *, mode: Literal["union", "intersection"]
    ) -> None:
        super().__init__(tz)
        self.parts = tuple(parts)
        self.mode = mode

    def intervals(self, year: int) -> tuple[list[int], list[int]]:
        lo, hi = self.bound(year), self.bound(year + 1)
        lists = [list(p.intervals_between(lo, hi)) for p in self.parts]
        if self.mode == "union":
            result = merge(iv for lst in lists for iv in lst)
        else:
            result = lists[0]
            for other in lists[1:]:
                result = intersect(result, other)
        return [s for s, _ in result], [e for _, e in result]


def _clip(starts: list[int], ends: list[int], lo: int, hi: int) -> tuple[list[int], list[int]]:
    if starts and (starts[0] < lo or ends[-1] > hi):
        keep = [(max(s, lo), min(e, hi)) for s, e in zip(starts, ends, strict=True)]
        keep = [(s, e) for s, e in keep if s < e]
        return [s for s, _ in keep], [e for _, e in keep]
    return starts, ends


# -- compiled years -------------------------------------------------------------------


def _store(values: list[int]) -> Ints:
    return values if len(values) <= LIST_MAX else array("q", values)


@final
class YearSummary:
    """What is kept of a year after its block is evicted: a few integers."""

    __slots__ = (
        "first_day",
        "first_start",
        "last_day",
        "last_end",
        "n_days",
        "n_intervals",
        "total",
    )

    def __init__(self, block: YearBlock) -> None:
        self.total: int = block.total
        self.n_intervals: int = len(block.starts)
        self.n_days: int = len(block.days)
        self.first_day: int | None = block.days[0] if block.days else None
        self.last_day: int | None = block.days[-1] if block.days else None
        self.first_start: int | None = block.starts[0] if block.starts else None
        self.last_end: int | None = block.ends[-1] if block.ends else None


@final
class YearBlock:
    """One compiled local year; immutable once built (shared by threads without locks).

    ``starts`` / ``ends``: its open intervals in UTC microseconds, clipped to
    ``[lo, hi)``; ``cum[i]``: open time in ``[lo, starts[i])``; ``total``: open time of
    the year; ``days``: ordinals (``date.toordinal()``) of its local dates with open time.
    """

    __slots__ = (
        "cum",
        "days",
        "ends",
        "first_day",
        "hi",
        "lo",
        "midnights",
        "nbytes",
        "starts",
        "total",
        "used",
        "year",
    )

    def __init__(self, year: int, lo: int, hi: int, starts: list[int], ends: list[int],
                 midnights: Sequence[int]) -> None:  # fmt: skip
        cum: list[int] = []
        acc = 0
        for s, e in zip(starts, ends, strict=True):
            cum.append(acc)
            acc += e - s
        first = date(year, 1, 1).toordinal()
        days: list[int] = []
        next_mid = midnights[0]  # the start of the first date not yet counted
        k = -1  # the last date counted
        for s, e in zip(starts, ends, strict=True):
            if e <= next_mid:
                continue  # lies within a date already counted
            ks = max(bisect_right(midnights, s) - 1, k + 1)
            ke = bisect_left(midnights, e) - 1
            days.extend(range(first + ks, first + ke + 1))
            k = ke
            next_mid = midnights[k + 1]
        self.year = year
        self.lo = lo
        self.hi = hi
        self.starts: Ints = _store(starts)
        self.ends: Ints = _store(ends)
        self.cum: Ints = _store(cum)
        self.total = acc
        self.days: Ints = _store(days)
        self.first_day = first
        self.midnights: Ints = array("q", midnights)
        per_value = 40 if isinstance(self.starts, list) else 8
        self.nbytes = 3 * per_value * len(starts) + 40 * len(days) + 8 * len(midnights) + 400
        self.used = 0

    def rel(self, us: int) -> int:
        """Open time in ``[lo, us)`` for ``lo <= us <= hi``."""
        starts = self.starts
        i = bisect_right(starts, us) - 1
        if i < 0:
            return 0
        e = self.ends[i]
        return self.cum[i] + ((e if us > e else us) - starts[i])

    def at(self, target: int) -> int:
        """The earliest instant with ``rel == target`` (``0 < target <= total``)."""
        cum = self.cum
        j = bisect_left(cum, target) - 1
        return self.starts[j] + (target - cum[j])

    def clamp_into_day(self, day: int, us: int) -> int:
        """``us`` clamped into the open hours of the local date with ordinal ``day`` (one
        of ``days``): before its opening the opening, after its closing the closing, in a
        break the next opening."""
        k = day - self.first_day
        day_lo, day_hi = self.midnights[k], self.midnights[k + 1]
        starts, ends = self.starts, self.ends
        first = bisect_right(ends, day_lo)  # the date's first interval
        last = bisect_left(starts, day_hi) - 1  # and its last
        opening = starts[first] if starts[first] > day_lo else day_lo
        closing = ends[last] if ends[last] < day_hi else day_hi
        if us <= opening:
            return opening
        if us >= closing:
            return closing
        i = bisect_right(starts, us) - 1
        return us if us < ends[i] else starts[i + 1]

    def at_latest(self, target: int) -> int:
        """The latest instant with ``rel == target`` (``0 <= target < total``)."""
        cum = self.cum
        j = bisect_right(cum, target) - 1
        return self.starts[j] + (target - cum[j])


def _what(what: str, amount: int | None) -> str:
    """``"to add 4:00:00"``: a query, for an error message."""
    return what if amount is None else f"{what} {_td(amount)}"


_EMPTY: Final = YearBlock(1970, 0, 0, [], [], [0])  # holds no instant: lo == hi


# -- the index ------------------------------------------------------------------------


@final
class OpenIndex:
    """The compiled calendar: the microsecond-level API behind :class:`~slaclock.Calendar`.

    Every argument and result is an ``int``: microseconds since 1970-01-01 UTC, or a
    duration in microseconds. The answers are those of the calendar's methods of the
    same names (``Calendar.add`` is ``index.add`` with datetimes converted in and out),
    so they obey DESIGN.md's calendar semantics exactly.

    Cost: every query is one or two binary searches within a compiled local year; a
    query that crosses years adds up per-year totals (kept for every year ever compiled,
    a few integers each). Years compile lazily, the first time a query reaches them.

    Memory: compiled years are cached up to ``cache_bytes`` (estimated; default
    :data:`CACHE_BYTES`, at least two years stay), least recently used out first.

    Thread safety: all methods may be called from several threads at once. A compiled
    year is immutable once published; compiling, caching and evicting run under a lock;
    no answer depends on which thread compiled a year or on what the cache holds.
    """

    __slots__ = (
        "_base",
        "_blocks",
        "_bounds",
        "_bytes",
        "_hot",
        "_lock",
        "_src",
        "_summaries",
        "_tick",
        "_view",
        "arrays",
        "cache_bytes",
        "horizon_years",
        "label",
    )

    def __init__(
        self,
        source: YearSource,
        *,
        horizon_years: int = 10,
        label: str = "",
        cache_bytes: int = CACHE_BYTES,
    ) -> None:
        self._src = source
        self._lock = threading.Lock()
        self.horizon_years = horizon_years
        self.label = label
        self.cache_bytes = cache_bytes
        self._blocks: dict[int, YearBlock] = {}
        self._summaries: dict[int, YearSummary] = {}
        self._bounds: dict[int, int] = {}
        self._base: dict[int, int] = {}
        self._bytes = 0
        self._tick = 0
        self._hot = _EMPTY
        self._view: tuple[list[int], list[YearBlock]] = ([], [])
        self.arrays: object = None
        """A slot for :mod:`slaclock._arrays` to cache its numpy tables in."""

    @property
    def tz(self) -> tzinfo:
        """The zone in which the index's local dates and years are read."""
        return self._src.tz

    # -- years and blocks -----------------------------------------------------------

    def year_bound(self, year: int) -> int:
        """UTC microseconds at which local ``year`` begins."""
        found = self._bounds.get(year)
        if found is None:
            found = self._bounds[year] = self._src.bound(year)
        return found

    def _label(self) -> str:
        return f" (calendar {self.label})" if self.label else ""

    def _range_error(self, us: int) -> OutOfRangeError:
        return OutOfRangeError(
            f"instant {describe_us(us)} is outside the supported years "
            f"{MIN_YEAR}..{MAX_YEAR}{self._label()}"
        )

    def year_of(self, us: int) -> int:
        """The local year whose bounds contain ``us``; OutOfRangeError outside 1900-2199."""
        try:
            year = us_to_utc(us).year
        except OverflowError:
            raise self._range_error(us) from None
        year = min(max(year, MIN_YEAR), MAX_YEAR)
        if us < self.year_bound(year):
            year -= 1
        elif us >= self.year_bound(year + 1):
            year += 1
        if year < MIN_YEAR or year > MAX_YEAR:
            raise self._range_error(us)
        return year

    def block(self, year: int) -> YearBlock:
        """The compiled ``year`` (compiled now if it is not cached)."""
        found = self._blocks.get(year)
        if found is not None:
            self._tick += 1  # approximate LRU: races only blur the order
            found.used = self._tick
            return found
        with self._lock:
            found = self._blocks.get(year)
            if found is None:
                found = self._compile(year)
        return found

    def summary(self, year: int) -> YearSummary:
        """The totals of ``year`` (compiling it once if it never was)."""
        found = self._summaries.get(year)
        if found is None:
            self.block(year)
            found = self._summaries[year]
        return found

    def _compile(self, year: int) -> YearBlock:
        """Compile, cache and publish ``year``; evict the least recently used years over
        budget. Runs under the lock."""
        lo, hi = self.year_bound(year), self.year_bound(year + 1)
        starts, ends = self._src.intervals(year)
        blk = YearBlock(year, lo, hi, starts, ends, self._src.midnights(year))
        self._tick += 1
        blk.used = self._tick
        blocks = dict(self._blocks)
        blocks[year] = blk
        self._bytes += blk.nbytes
        while self._bytes > self.cache_bytes and len(blocks) > _MIN_BLOCKS:
            hot = self._hot
            victim = min(
                (b for b in blocks.values() if b is not blk and b is not hot),
                key=lambda b: b.used,
            )
            del blocks[victim.year]
            self._bytes -= victim.nbytes
        self._summaries[year] = YearSummary(blk)
        ordered = sorted(blocks.values(), key=lambda b: b.lo)
        self._blocks = blocks
        self._view = ([b.lo for b in ordered], ordered)
        return blk

    def _find(self, us: int) -> YearBlock:
        """The compiled year holding ``us`` (which becomes the hot one)."""
        los, blocks = self._view
        i = bisect_right(los, us) - 1
        if i >= 0:
            blk = blocks[i]
            if us < blk.hi:
                self._tick += 1
                blk.used = self._tick
                self._hot = blk
                return blk
        blk = self.block(self.year_of(us))
        self._hot = blk
        return blk

    @property
    def cached_years(self) -> tuple[int, ...]:
        """The years compiled and cached right now (for tests and diagnostics)."""
        return tuple(sorted(self._blocks))

    @property
    def cached_bytes(self) -> int:
        """Estimated memory of the cached years."""
        return self._bytes

    # -- queries --------------------------------------------------------------------

    def is_open(self, us: int) -> bool:
        """True when ``us`` lies in an open interval (start included, end excluded)."""
        blk = self._hot
        if not blk.lo <= us < blk.hi:
            blk = self._find(us)
        i = bisect_right(blk.starts, us) - 1
        return i >= 0 and us < blk.ends[i]

    def cum_at(self, us: int) -> int:
        """Open time before ``us``, counted from an origin fixed for the life of the
        index, so ``cum_at(b) - cum_at(a) == elapsed(a, b)``. The origin is the start of
        the first year this method was asked about; a later question about a distant
        year compiles the years in between (once)."""
        blk = self._hot
        if not blk.lo <= us < blk.hi:
            blk = self._find(us)
        return self._year_base(blk.year) + blk.rel(us)

    def _year_base(self, year: int) -> int:
        found = self._base.get(year)
        if found is not None:
            return found
        with self._lock:
            if not self._base:
                self._base[year] = 0
        origin = next(iter(self._base))
        if year >= origin:
            base = sum(self.summary(y).total for y in range(origin, year))
        else:
            base = -sum(self.summary(y).total for y in range(year, origin))
        self._base[year] = base
        return base

    def elapsed(self, a: int, b: int) -> int:
        """Open time in ``[a, b)`` (``a <= b``)."""
        blk = self._hot
        if blk.lo <= a and b <= blk.hi:  # the hot path: one year, two bisects
            starts, ends, cum = blk.starts, blk.ends, blk.cum
            i = bisect_right(starts, a) - 1
            if i < 0:
                i, ca = 0, 0
            else:
                e = ends[i]
                ca = cum[i] + ((e if a > e else a) - starts[i])
            j = bisect_right(starts, b, i) - 1
            if j < 0:
                return 0
            e = ends[j]
            return cum[j] + ((e if b > e else b) - starts[j]) - ca
        first = self._find(a)
        if b <= first.hi:
            return first.rel(b) - first.rel(a)
        total = first.total - first.rel(a)
        last = self._find(b)
        for y in range(first.year + 1, last.year):
            total += self.summary(y).total
        return total + last.rel(b)

    def add(self, t: int, d: int) -> int:
        """Earliest ``x >= t`` with ``elapsed(t, x) == d`` (``d >= 0``)."""
        if d == 0:
            return t
        blk = self._hot
        if not blk.lo <= t < blk.hi:
            blk = self._find(t)
        starts, cum = blk.starts, blk.cum
        i = bisect_right(starts, t) - 1
        if i < 0:
            target = d
        else:
            e = blk.ends[i]
            target = cum[i] + ((e if t > e else t) - starts[i]) + d
        if target <= blk.total:  # the hot path: the answer is in the same year
            j = bisect_left(cum, target) - 1
            return starts[j] + (target - cum[j])
        rem = target - blk.total
        nxt = self._blocks.get(blk.year + 1)  # the next year, when compiled: inline
        if nxt is not None and rem <= nxt.total:
            cum = nxt.cum
            j = bisect_left(cum, rem) - 1
            return nxt.starts[j] + (rem - cum[j])
        return self._add_later(blk, rem, t, "to add", d)

    def _add_later(
        self, blk: YearBlock, rem: int, origin: int, what: str, amount: int | None = None
    ) -> int:
        """The instant after ``rem`` more open time from the end of ``blk``'s year (``what``
        and ``amount`` describe the query, for an error)."""
        year = blk.year + 1
        s = self._summaries.get(year)
        if s is not None and rem <= s.total and year <= MAX_YEAR:
            # The common case, the next year and compiled: no horizon to check (the year
            # after the one holding ``origin`` is always within horizon_years >= 1 of it).
            return self.block(year).at(rem)
        reference = max(origin, blk.ends[-1]) if blk.starts else origin
        while True:
            self._check_ahead(year, reference, origin, what, amount)
            s = self.summary(year)
            if rem <= s.total:
                return self.block(year).at(rem)
            rem -= s.total
            if s.last_end is not None:
                reference = s.last_end
            year += 1

    def _check_ahead(
        self, year: int, reference: int, origin: int, what: str, amount: int | None = None
    ) -> None:
        """Before compiling ``year`` forward: the horizon, then the last supported year
        (the query, ``what`` and ``amount``, is described only in the error: this runs on
        every query that crosses a year)."""
        if self.year_bound(year) - reference > self.horizon_years * 366 * DAY_US:
            what = _what(what, amount)
            raise NoOpenTimeError(
                f"no open time within {self.horizon_years} years after "
                f"{describe_us(reference)}{self._label()} {what}; the calendar has no "
                "hours ahead (check 'hours', 'holidays' and 'overrides')"
            )
        if year > MAX_YEAR:
            what = _what(what, amount)
            raise OutOfRangeError(
                f"the answer {what} from {describe_us(origin)} lies beyond "
                f"{MAX_YEAR}{self._label()}, the last supported year"
            )

    def _check_behind(
        self, year: int, reference: int, origin: int, what: str, looking_for: str,
        amount: int | None = None,
    ) -> None:  # fmt: skip
        """Before compiling ``year`` backward: the horizon, then the first supported year."""
        if reference - self.year_bound(year + 1) > self.horizon_years * 366 * DAY_US:
            what = _what(what, amount)
            raise NoOpenTimeError(
                f"no {looking_for} within {self.horizon_years} years before "
                f"{describe_us(reference)}{self._label()} {what}"
            )
        if year < MIN_YEAR:
            what = _what(what, amount)
            raise OutOfRangeError(
                f"the answer {what} from {describe_us(origin)} lies before "
                f"{MIN_YEAR}{self._label()}, the first supported year"
            )

    def subtract(self, t: int, d: int) -> int:
        """Latest ``x <= t`` with ``elapsed(x, t) == d`` (``d >= 0``)."""
        if d == 0:
            return t
        blk = self._find(t)
        target = blk.rel(t) - d
        if target >= 0:
            return blk.at_latest(target)
        rem = -target  # open time still needed before the year's start
        what = "to subtract"
        reference = min(t, blk.starts[0]) if blk.starts else t
        year = blk.year - 1
        while True:
            self._check_behind(year, reference, t, what, "open time", d)
            s = self.summary(year)
            if rem <= s.total:
                return self.block(year).at_latest(s.total - rem)
            rem -= s.total
            if s.first_start is not None:
                reference = s.first_start
            year -= 1

    def next_open(self, us: int) -> int:
        """First open instant ``>= us``."""
        blk = self._find(us)
        starts = blk.starts
        i = bisect_right(starts, us) - 1
        if i >= 0 and us < blk.ends[i]:
            return us
        if i + 1 < len(starts):
            return starts[i + 1]
        what = "to find the next opening"
        reference = max(us, blk.ends[-1]) if starts else us
        year = blk.year + 1
        while True:
            self._check_ahead(year, reference, us, what)
            s = self.summary(year)
            if s.first_start is not None:
                return s.first_start
            year += 1

    def previous_close(self, us: int) -> int:
        """End of the latest open interval that ends at or before ``us``."""
        blk = self._find(us)
        i = bisect_right(blk.ends, us) - 1
        if i >= 0:
            return blk.ends[i]
        # No close yet: the horizon counts from ``us`` (open time behind it is no close;
        # a calendar that never closes must not be walked back to MIN_YEAR).
        what = "to find the previous close"
        year = blk.year - 1
        while True:
            self._check_behind(year, us, us, what, "close")
            s = self.summary(year)
            if s.last_end is not None:
                ends = self.block(year).ends
                k = len(ends) - 1
                if ends[k] == self.year_bound(year + 1) and self.is_open(ends[k]):
                    k -= 1  # cut at the year's end, not closed there
                if k >= 0:
                    return ends[k]
            year -= 1

    def intervals_between(self, a: int, b: int) -> Iterator[Interval]:
        """Open intervals clipped to ``[a, b)``, in order (compiles what it needs)."""
        if b <= a:
            return
        blk = self._find(a)
        last_year = self.year_of(b - 1)
        pending: Interval | None = None
        while True:
            starts, ends = blk.starts, blk.ends
            i = max(bisect_right(starts, a) - 1, 0)
            n = len(starts)
            while i < n and starts[i] < b:
                s, e = starts[i], ends[i]
                if e > a:
                    s, e = (s if s > a else a), (e if e < b else b)
                    if pending is None:
                        pending = (s, e)
                    elif s == pending[1]:  # continues across the year's end
                        pending = (pending[0], e)
                    else:
                        yield pending
                        pending = (s, e)
                i += 1
            if blk.year >= last_year:
                break
            blk = self.block(blk.year + 1)
        if pending is not None:
            yield pending

    def add_business_days(self, t: int, n: int) -> int:
        """``Calendar.add_business_days`` on microseconds (``n >= 0``).

        From the first open instant ``s >= t``: the same local wall time on the ``n``-th
        following local date that has open time, clamped into that date's open hours
        (before its opening: the opening; after its closing: the closing; in a break: the
        next opening). A wall time that the target date skips (a DST gap) is read with
        the offset before the gap, so it moves forward by the gap (02:30 -> 03:30).
        Counts open dates per compiled year: O(log n) plus one step per year crossed.
        """
        start = self.next_open(t)
        if n == 0:
            return start
        d0, time_of_day, fold = self._local(start, self._find(start).year)
        blk, day = self._nth_open_day(d0, n, start)
        wall = (day - _EPOCH_ORDINAL) * DAY_US + time_of_day
        return blk.clamp_into_day(day, self._instant(wall, fold, blk.year))

    def _local(self, us: int, year: int) -> tuple[int, int, int]:
        """The local date (ordinal), time of day (µs) and fold of ``us`` in local ``year``
        (fold 1: the second occurrence of a repeated wall time)."""
        pieces = self._src.pieces(year)
        sec = us // US
        k = 0
        while not pieces[k][0] <= sec < pieces[k][1]:
            k += 1
        off = pieces[k][2]
        fold = 0
        for p0, p1, other in pieces[:k]:  # an earlier instant with the same wall time?
            if p0 <= sec + off - other < p1:
                fold = 1
        day, time_of_day = divmod(us + off * US, DAY_US)
        return day + _EPOCH_ORDINAL, time_of_day, fold

    def _instant(self, wall: int, fold: int, year: int) -> int:
        """The instant of local wall time ``wall`` (µs since the naive local epoch) in
        local ``year``: in a repeated hour the occurrence ``fold`` asks for; in a
        skipped hour read with the offset before the gap (it moves forward by the gap)."""
        first = last = before = None
        for p0, p1, off in self._src.pieces(year):
            u = wall - off * US
            if u >= p0 * US:
                before = u
                if u < p1 * US:
                    first = u if first is None else first
                    last = u
        if first is None or last is None:
            assert before is not None
            return before
        return last if fold else first

    def _nth_open_day(self, d0: int, n: int, start: int) -> tuple[YearBlock, int]:
        """The ordinal of the ``n``-th date after ``d0`` that has open time, and its
        compiled year (``start``: the instant counted from, for messages)."""
        year = date.fromordinal(d0).year
        blk = self.block(year)
        days = blk.days
        k = bisect_right(days, d0)
        if n <= len(days) - k:
            return blk, days[k + n - 1]
        need = n - (len(days) - k)
        last_open = max(d0, days[-1]) if days else d0
        limit = 366 * self.horizon_years
        while True:
            year += 1
            if year > MAX_YEAR:
                raise OutOfRangeError(
                    f"{n} business days after {describe_us(start)} lie beyond {MAX_YEAR}"
                    f"{self._label()}, the last supported year"
                )
            s = self.summary(year)
            gap_end = s.first_day if s.first_day is not None else date(year + 1, 1, 1).toordinal()
            if gap_end - last_open > limit:
                raise NoOpenTimeError(
                    f"no date with open hours within {self.horizon_years} years after "
                    f"{date.fromordinal(last_open).isoformat()}{self._label()} (counting "
                    f"{n} business days from {describe_us(start)})"
                )
            if need <= s.n_days:
                blk = self.block(year)
                return blk, blk.days[need - 1]
            need -= s.n_days
            if s.last_day is not None:
                last_open = s.last_day


def _td(us: int) -> timedelta | str:
    try:
        return timedelta(microseconds=us)
    except OverflowError:
        return f"{us} µs"
