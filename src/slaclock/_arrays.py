"""Vectorised calendar arithmetic on numpy arrays (the ``batch`` extra).

Imported lazily by :meth:`Calendar.add_array <slaclock.Calendar.add_array>` and its
siblings, never when ``slaclock`` is imported. The compiled years that the inputs reach
are laid end to end into one table (starts, ends and cumulative open time as ``int64``
microseconds), and each element is then two ``searchsorted`` lookups, as in the scalar
index: the answers are the scalar ones, element by element.

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
from typing import Any, Final, final

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
class _Table:
    """Compiled years ``y0..y1`` (inclusive) end to end, with cumulative open time from
    the start of ``y0``."""

    __slots__ = ("cum", "ends", "hi", "lo", "starts", "total", "y0", "y1")

    def __init__(self, ix: OpenIndex, y0: int, y1: int) -> None:
        starts: list[I64] = []
        ends: list[I64] = []
        cum: list[I64] = []
        base = 0
        for y in range(y0, y1 + 1):
            blk = ix.block(y)
            starts.append(np.asarray(blk.starts, dtype=np.int64))
            ends.append(np.asarray(blk.ends, dtype=np.int64))
            cum.append(np.asarray(blk.cum, dtype=np.int64) + base)
            base += blk.total
        self.y0, self.y1 = y0, y1
        self.lo, self.hi = ix.year_bound(y0), ix.year_bound(y1 + 1)
        self.starts: I64 = np.concatenate(starts)
        self.ends: I64 = np.concatenate(ends)
        self.cum: I64 = np.concatenate(cum)
        self.total = base

    def cum_at(self, x: I64) -> I64:
        """Open time in ``[lo, x)`` for ``lo <= x <= hi``."""
        if not self.starts.size:
            return np.zeros_like(x)
        i = np.searchsorted(self.starts, x, side="right") - 1
        k = np.maximum(i, 0)
        c = self.cum[k] + np.minimum(x, self.ends[k]) - self.starts[k]
        return np.where(i < 0, 0, c)

    def at(self, target: I64) -> I64:
        """The earliest instant with ``cum_at == target`` (``0 < target <= total``)."""
        j = np.searchsorted(self.cum, target, side="left") - 1
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
    if table.starts.size <= _CACHE_MAX:
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
    valid = (t != _NAT) & (d != _NAT)
    where = np.flatnonzero(valid)
    if not where.size:
        return _as_datetimes(out, shape)
    tv, dv = t[where], d[where]
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
    inside = (target <= table.total) | (dv == 0)
    if table.starts.size:
        res = np.where(dv == 0, tv, table.at(np.where(inside & (dv > 0), target, 1)))
    else:
        res = tv.copy()
    if not inside.all():  # beyond the table: the scalar index, with its errors
        for k in np.flatnonzero(~inside).tolist():
            res[k] = ix.add(int(tv[k]), int(dv[k]))
    out[where] = res
    return _as_datetimes(out, shape)


def _longer(ix: OpenIndex, table: _Table, need: int) -> _Table | None:
    """A table from ``table.y0`` reaching ``need`` cumulative open time, within the
    horizon, the supported years and :data:`TABLE_MAX`; None when it would not grow."""
    total = table.total
    size = table.starts.size
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
