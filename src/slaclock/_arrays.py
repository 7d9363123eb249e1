"""Vectorised calendar arithmetic on numpy arrays (the ``batch`` extra).

Imported lazily by :meth:`Calendar.add_array <slaclock.Calendar.add_array>` and its
siblings, never when ``slaclock`` is imported. The compiled years that the inputs reach
are laid end to end into one table (starts, ends and cumulative open time as ``int64``
microseconds), and each element is then two sorted-array lookups, as in the scalar index:
the answers are the scalar ones, element by element. A lookup is a bucket table (the
count of keys below each of about ``4 n`` evenly spaced values) followed by at most a
few compare-and-step passes, which is several times faster than ``np.searchsorted`` on
unsorted queries; tables whose keys bunch up fall back to ``searchsorted``.

Inputs are UTC instants as ``datetime64`` (any unit; finer units are floored to the
microsecond) and ``timedelta64`` durations; results are UTC ``datetime64[us]`` /
``timedelta64[us]`` arrays of the broadcast shape. ``NaT`` in gives ``NaT`` out.

When the table an input needs would exceed :data:`TABLE_MAX` intervals (a dense calendar
over many years), or for answers beyond the years the table reaches (the horizon, the
last supported year), the elements concerned go through the scalar index one by one: the
same answers, and the same errors.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final, Literal, final

import numpy as np
from numpy.typing import NDArray

from ._index import EPOCH, MAX_YEAR, MIN_YEAR, OpenIndex, describe_us
from .durations import Duration
from .errors import ConfigError, NaiveDatetimeError, OutOfRangeError

__all__ = ["add_array", "add_business_days_array", "elapsed_array"]

TABLE_MAX: Final = 2_000_000
"""The most intervals laid out at once for one call; beyond, elements go one by one."""
_CACHE_MAX: Final = 200_000
"""A table up to this size stays cached on the index for the next call."""
_NAT: Final = np.iinfo(np.int64).min
_ONE_US: Final = timedelta(microseconds=1)

I64 = NDArray[np.int64]


@final
class _Lookup:
    """``np.searchsorted(keys, x, side)`` for ``lo <= x <= hi`` through a bucket table."""

    __slots__ = ("first", "keys", "lo", "shift", "side", "steps")

    _MAX_STEPS: Final = 4

    def __init__(self, keys: I64, lo: int, hi: int, side: Literal["left", "right"]) -> None:
        self.keys, self.lo, self.side = keys, lo, side
        buckets = max(1, 4 * keys.size)
        self.shift = max(0, ((hi - lo) // buckets).bit_length())  # width: a power of two
        n = (hi - lo) >> self.shift
        bases = lo + (np.arange(n + 2, dtype=np.int64) << self.shift)
        self.first: I64 = np.searchsorted(keys, bases, side=side).astype(np.int64)
        self.steps = int(np.diff(self.first).max()) if n else 0
        if self.steps <= self._MAX_STEPS:
            self.keys = np.append(keys, np.iinfo(np.int64).max)  # a sentinel to step onto

    def count(self, x: I64) -> I64:
        if self.steps > self._MAX_STEPS:
            return np.searchsorted(self.keys, x, side=self.side).astype(np.int64)
        c: I64 = self.first[(x - self.lo) >> self.shift]  # lo <= x <= hi
        keys = self.keys
        for _ in range(self.steps):
            c += keys[c] <= x if self.side == "right" else keys[c] < x
        return c


@final
class _Table:
    """Compiled years ``y0..y1`` (inclusive) end to end, with cumulative open time from
    the start of ``y0``. Index 0 holds an empty interval at ``lo``, so a count of keys
    is directly an index (``count == 0``: before the first interval, nothing open)."""

    __slots__ = ("by_cum", "by_start", "cum", "ends", "hi", "lo", "starts", "total", "y0", "y1")

    def __init__(self, ix: OpenIndex, y0: int, y1: int) -> None:
        self.lo, self.hi = ix.year_bound(y0), ix.year_bound(y1 + 1)
        starts: list[I64] = [np.array([self.lo], dtype=np.int64)]
        ends: list[I64] = [np.array([self.lo], dtype=np.int64)]
        cum: list[I64] = [np.zeros(1, dtype=np.int64)]
        base = 0
        for y in range(y0, y1 + 1):
            blk = ix.block(y)
            starts.append(np.asarray(blk.starts, dtype=np.int64))
            ends.append(np.asarray(blk.ends, dtype=np.int64))
            cum.append(np.asarray(blk.cum, dtype=np.int64) + base)
            base += blk.total
        self.y0, self.y1 = y0, y1
        self.starts: I64 = np.concatenate(starts)
        self.ends: I64 = np.concatenate(ends)
        self.cum: I64 = np.concatenate(cum)
        self.total = base
        self.by_start = _Lookup(self.starts[1:], self.lo, self.hi, "right")
        self.by_cum = _Lookup(self.cum[1:], 0, base, "left")

    @property
    def size(self) -> int:
        return int(self.starts.size) - 1

    def cum_at(self, x: I64) -> I64:
        """Open time in ``[lo, x)`` for ``lo <= x <= hi``."""
        i = self.by_start.count(x)  # intervals starting at or before x; 0: none
        return self.cum[i] + np.minimum(x, self.ends[i]) - self.starts[i]

    def at(self, target: I64) -> I64:
        """The earliest instant with ``cum_at == target`` (``0 < target <= total``)."""
        j = self.by_cum.count(target)  # intervals with less before them; >= 1
        return self.starts[j] + (target - self.cum[j])


def _size(ix: OpenIndex, y0: int, y1: int) -> int:
    return sum(ix.summary(y).n_intervals for y in range(y0, y1 + 1))


def _table(ix: OpenIndex, y0: int, y1: int) -> _Table | None:
    """The table of years ``y0..y1`` (cached on the index when small), or None when it
    would be larger than :data:`TABLE_MAX`."""
    cached = ix.arrays
    if isinstance(cached, _Table) and cached.y0 <= y0 and y1 <= cached.y1:
        return cached
    if _size(ix, y0, y1) > TABLE_MAX:
        return None
    table = _Table(ix, y0, y1)
    if table.size <= _CACHE_MAX:
        ix.arrays = table
    return table


# -- conversions ------------------------------------------------------------------------


def _instants(values: Any, name: str) -> I64:
    """UTC instants -> int64 microseconds (NaT as the int64 minimum)."""
    if getattr(getattr(values, "dtype", None), "tz", None) is not None:  # tz-aware pandas
        values = values.dt.tz_convert(None) if hasattr(values, "dt") else values.tz_convert(None)
    arr = np.asarray(values)
    if arr.dtype.kind == "M":
        return arr.astype("datetime64[us]").view(np.int64)
    if arr.dtype == object:
        flat = [_object_instant(v, name) for v in arr.ravel().tolist()]
        return np.array(flat, dtype=np.int64).reshape(arr.shape)
    raise ConfigError(
        f"{name} is an array of {arr.dtype}; pass UTC instants as datetime64 "
        "(e.g. np.array(['2026-01-05T14:00'], dtype='datetime64[us]')) or aware datetimes"
    )


def _object_instant(value: object, name: str) -> int:
    if value is None:
        return int(_NAT)
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise NaiveDatetimeError.of(name, value)
        us: int = (value - EPOCH) // _ONE_US
        return us
    if isinstance(value, np.datetime64):
        return int(np.array(value).astype("datetime64[us]").view(np.int64))
    raise NaiveDatetimeError.of(name, value)


def _durations(values: Any) -> I64:
    """Durations -> int64 microseconds (NaT as the int64 minimum)."""
    if isinstance(values, str | Duration):
        dur = Duration.parse(values)
        if dur.is_business_days:
            raise ConfigError(
                f"durations={values!r} counts business days; use add_business_days_array()"
            )
        return np.array(dur.microseconds, dtype=np.int64)
    if isinstance(values, timedelta):
        return np.array(values // _ONE_US, dtype=np.int64)
    arr = np.asarray(values)
    if arr.dtype.kind == "m":
        return arr.astype("timedelta64[us]").view(np.int64)
    if arr.dtype == object and all(isinstance(v, timedelta) for v in arr.ravel().tolist()):
        return arr.astype("timedelta64[us]").view(np.int64)
    raise ConfigError(
        f"durations is an array of {arr.dtype}; pass timedelta64 values "
        "(e.g. np.array([4], dtype='timedelta64[h]')) or one duration such as '4h'"
    )


def _as_datetimes(us: I64, shape: tuple[int, ...]) -> NDArray[np.datetime64]:
    return us.view("datetime64[us]").reshape(shape)


def _check_range(ix: OpenIndex, values: I64, where: I64, name: str) -> None:
    lo, hi = ix.year_bound(MIN_YEAR), ix.year_bound(MAX_YEAR + 1)
    bad = (values < lo) | (values >= hi)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise OutOfRangeError(
            f"{name}[{int(where[k])}] = {describe_us(int(values[k]))} is outside the "
            f"supported years {MIN_YEAR}..{MAX_YEAR}"
        )


def _first(mask: NDArray[np.bool_], where: I64) -> int:
    return int(where[int(np.flatnonzero(mask)[0])])


# -- operations -------------------------------------------------------------------------


def add_array(ix: OpenIndex, starts: Any, durations: Any) -> NDArray[np.datetime64]:
    """``ix.add`` element by element; see the module docstring."""
    t, d = np.broadcast_arrays(_instants(starts, "starts"), _durations(durations))
    shape = t.shape
    t, d = t.ravel(), d.ravel()
    out = np.full(t.shape, _NAT, dtype=np.int64)
    where = np.flatnonzero((t != _NAT) & (d != _NAT))
    if not where.size:
        return _as_datetimes(out, shape)
    everything = where.size == t.size
    tv, dv = (t, d) if everything else (t[where], d[where])
    negative = dv < 0
    if negative.any():
        k = _first(negative, where)
        raise ConfigError(
            f"durations[{k}] = {np.timedelta64(int(d[k]), 'us')} is negative; durations "
            "must be >= 0"
        )
    _check_range(ix, tv, where, "starts")
    y0, y1 = ix.year_of(int(tv.min())), ix.year_of(int(tv.max()))
    table = _table(ix, y0, y1)
    if table is None:
        out[where] = [ix.add(int(a), int(b)) for a, b in zip(tv, dv, strict=True)]
        return _as_datetimes(out, shape)
    target = table.cum_at(tv) + dv
    need = int(target.max())
    if need > table.total:
        table = _longer(ix, table, need) or table
    zero = dv == 0
    beyond = target > table.total
    if table.size:
        res = table.at(np.where(beyond | zero, 1, target))
        res[zero] = tv[zero]
    else:
        res = tv.copy()
    if (beyond & ~zero).any():  # beyond the table: the scalar index, with its errors
        for k in np.flatnonzero(beyond & ~zero).tolist():
            res[k] = ix.add(int(tv[k]), int(dv[k]))
    if everything:
        return _as_datetimes(res, shape)
    out[where] = res
    return _as_datetimes(out, shape)


def _longer(ix: OpenIndex, table: _Table, need: int) -> _Table | None:
    """A table from ``table.y0`` reaching ``need`` cumulative open time, within the
    horizon, the supported years and :data:`TABLE_MAX`; None when it would not grow."""
    total = table.total
    size = table.size
    y = table.y1
    empty_years = 0
    while total < need and y < MAX_YEAR and empty_years <= ix.horizon_years:
        s = ix.summary(y + 1)
        if size + s.n_intervals > TABLE_MAX:
            break
        y += 1
        total += s.total
        size += s.n_intervals
        empty_years = 0 if s.total else empty_years + 1
    if y == table.y1:
        return None
    return _table(ix, table.y0, y)


def elapsed_array(ix: OpenIndex, a: Any, b: Any) -> NDArray[np.timedelta64]:
    """``ix.elapsed`` element by element; see the module docstring."""
    av, bv = np.broadcast_arrays(_instants(a, "a"), _instants(b, "b"))
    shape = av.shape
    av, bv = av.ravel(), bv.ravel()
    out = np.full(av.shape, _NAT, dtype=np.int64)
    where = np.flatnonzero((av != _NAT) & (bv != _NAT))
    if where.size:
        x, y = av[where], bv[where]
        backwards = y < x
        if backwards.any():
            k = _first(backwards, where)
            raise ConfigError(
                f"b[{k}] = {np.datetime64(int(bv[k]), 'us')} is before a[{k}] = "
                f"{np.datetime64(int(av[k]), 'us')}; elapsed_array() needs a <= b"
            )
        _check_range(ix, x, where, "a")
        _check_range(ix, y, where, "b")
        table = _table(ix, ix.year_of(int(x.min())), ix.year_of(int(y.max())))
        if table is None:
            out[where] = [ix.elapsed(int(p), int(q)) for p, q in zip(x, y, strict=True)]
        else:
            out[where] = table.cum_at(y) - table.cum_at(x)
    return out.view("timedelta64[us]").reshape(shape)


def add_business_days_array(ix: OpenIndex, starts: Any, n: Any) -> NDArray[np.datetime64]:
    """``ix.add_business_days`` element by element (a loop over the scalar index, which
    counts open dates in O(log n): no vectorised kernel yet)."""
    counts = np.asarray(n)
    if counts.dtype.kind not in "iu":
        raise ConfigError(
            f"n is an array of {counts.dtype}; pass whole numbers of business days >= 0"
        )
    t, c = np.broadcast_arrays(_instants(starts, "starts"), counts.astype(np.int64))
    shape = t.shape
    t, c = t.ravel(), c.ravel()
    out = np.full(t.shape, _NAT, dtype=np.int64)
    where = np.flatnonzero(t != _NAT)
    negative = c[where] < 0
    if negative.any():
        k = _first(negative, where)
        raise ConfigError(f"n[{k}] = {int(c[k])} must be a whole number of business days >= 0")
    _check_range(ix, t[where], where, "starts")
    out[where] = [ix.add_business_days(int(t[k]), int(c[k])) for k in where]
    return _as_datetimes(out, shape)
