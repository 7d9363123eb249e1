"""The breach rule for many cycles at once, vectorised with numpy (the ``batch`` extra).

:func:`judge_many` gives, for each cycle, exactly what :func:`slaclock._measure._judge`
gives for its public target — ``(status, deadline, breached_at, counted)`` — with the
calendar arithmetic done on whole arrays: the spans of all cycles on one calendar are laid
end to end, their open time is one :meth:`~slaclock.Calendar.elapsed_array`, the instants
the targets are reached one :meth:`~slaclock.Calendar.add_array`, and the per-cycle sums
and "first span where…" searches are numpy reductions. Cycles whose spec carries an
earlier spec (``carry``) are left to the scalar code (``None`` in the answer).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:  # pragma: no cover
    from ._measure import Judged, Spec

__all__ = ["Case", "judge_many"]

I64 = NDArray[np.int64]
_NONE = np.iinfo(np.int64).min  # "no instant"

# One cycle to judge: spec, spans (clipped to where it is judged), stopped, running,
# x0 (the stop, or now), now.
Case = tuple["Spec", Sequence[tuple[int, int]], bool, bool, int, int]


def _dt(us: I64) -> NDArray[np.datetime64]:
    return us.astype("datetime64[us]")


def _us(dt: NDArray[Any]) -> I64:
    """UTC ``datetime64`` -> int64 µs since the epoch."""
    return dt.astype("datetime64[us]").astype(np.int64)


def _td(us: I64) -> NDArray[np.timedelta64]:
    return us.astype("timedelta64[us]")


def _span_us(td: NDArray[Any]) -> I64:
    """``timedelta64`` -> int64 µs."""
    return td.astype("timedelta64[us]").astype(np.int64)


def judge_many(cases: Sequence[Case]) -> list[Judged | None]:
    """The public target's verdict of each case (None: leave it to the scalar code)."""
    out: list[Judged | None] = [None] * len(cases)
    groups: dict[int, list[int]] = {}
    for i, (spec, *_rest) in enumerate(cases):
        if spec.prior is None:
            groups.setdefault(id(spec.resolved.cal), []).append(i)
    for members in groups.values():
        for i, judged in zip(members, _judge_group([cases[i] for i in members]), strict=True):
            out[i] = judged
    return out


def _judge_group(cases: Sequence[Case]) -> list[Judged]:
    """Cases that share one calendar."""
    cal = cases[0][0].resolved.cal
    n = len(cases)
    origin = np.fromiter((c[0].origin for c in cases), np.int64, n)
    amount = np.fromiter((c[0].target_us - c[0].init for c in cases), np.int64, n)
    target = np.fromiter((c[0].target_us for c in cases), np.int64, n)
    init = target - amount
    bd_end = np.fromiter(
        (_NONE if c[0].bd_end is None else c[0].bd_end for c in cases), np.int64, n
    )
    stopped = np.fromiter((c[2] for c in cases), np.bool_, n)
    running = np.fromiter((c[3] for c in cases), np.bool_, n)
    x0 = np.fromiter((c[4] for c in cases), np.int64, n)
    now = np.fromiter((c[5] for c in cases), np.int64, n)

    # The spans, end to end, clipped to each cycle's origin; owner = the cycle's index.
    counts = np.fromiter((len(c[1]) for c in cases), np.int64, n)
    owner = np.repeat(np.arange(n, dtype=np.int64), counts)
    total = int(counts.sum())
    starts = np.empty(total, np.int64)
    ends = np.empty(total, np.int64)
    k = 0
    for c in cases:
        for s, e in c[1]:
            starts[k] = s
            ends[k] = e
            k += 1
    starts = np.maximum(starts, origin[owner])
    keep = starts < ends
    starts, ends, owner = starts[keep], ends[keep], owner[keep]

    el = _span_us(cal.elapsed_array(_dt(starts), _dt(ends)))
    counted = np.zeros(n, np.int64)
    np.add.at(counted, owner, el)
    # Open time before each span within its cycle (an exclusive running sum per owner).
    running_sum = np.cumsum(el) - el
    first_of = np.full(n, total, np.int64)
    if owner.size:
        idx = np.arange(owner.size, dtype=np.int64)
        np.minimum.at(first_of, owner, idx)
        before = running_sum - running_sum[first_of[owner]]
    else:
        before = running_sum
    rem = amount[owner] - before
    reaches = rem <= el
    # The first span of each cycle where the amount is reached.
    hit = np.full(n, _NONE, np.int64)
    if reaches.any():
        cand = np.flatnonzero(reaches)
        owners_c, first = np.unique(owner[cand], return_index=True)
        pick = cand[first]
        at_start = rem[pick] <= 0
        where = np.where(at_start, starts[pick], 0)
        moving = ~at_start
        if moving.any():
            where[moving] = _us(cal.add_array(_dt(starts[pick][moving]), _td(rem[pick][moving])))
        hit[owners_c] = where
    # A target in business days: the add_business_days instant when only closed time
    # separates it from the earliest one.
    has = (hit != _NONE) & (bd_end != _NONE) & (hit <= bd_end)
    if has.any():
        sub = np.flatnonzero(has)
        gap = _span_us(cal.elapsed_array(_dt(hit[sub]), _dt(bd_end[sub])))
        hit[sub[gap == 0]] = bd_end[sub[gap == 0]]
    # Breached: active at the deadline or after it: the first span that ends after it.
    breach = np.full(n, _NONE, np.int64)
    hit_o = hit[owner]
    after = (hit_o != _NONE) & (ends > hit_o)
    if after.any():
        cand = np.flatnonzero(after)
        owners_c, first = np.unique(owner[cand], return_index=True)
        pick = cand[first]
        breach[owners_c] = np.maximum(starts[pick], hit_o[pick])
    # Cycles that did not reach their target: the projection from x0.
    project = (hit == _NONE) & (stopped | running)
    projected = np.full(n, _NONE, np.int64)
    if project.any():
        sub = np.flatnonzero(project)
        left = target[sub] - (init[sub] + counted[sub])
        x = _us(cal.add_array(_dt(x0[sub]), _td(left)))
        bd = bd_end[sub]
        near = (bd != _NONE) & (x <= bd)
        if near.any():
            gap = _span_us(cal.elapsed_array(_dt(x[near]), _dt(bd[near])))
            xs = x[near]
            xs[gap == 0] = bd[near][gap == 0]
            x[near] = xs
        projected[sub] = x

    out: list[Judged] = []
    for i in range(n):
        got = int(init[i] + counted[i])
        h = int(hit[i])
        if h != _NONE:
            b = int(breach[i])
            if b != _NONE:
                out.append(("breached", h, b, got))
            elif stopped[i]:
                out.append(("met", h, None, got))
            elif running[i]:
                nw = int(now[i])
                out.append(("running", h if h > nw else nw, None, got))
            else:
                out.append(("paused", None, None, got))
        elif not stopped[i] and not running[i]:
            out.append(("paused", None, None, got))
        else:
            out.append(("met" if stopped[i] else "running", int(projected[i]), None, got))
    return out
