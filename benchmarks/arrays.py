"""Benchmark the calendar's array API, business days and the bounded year cache.

Run from the repository root (needs the ``batch`` extra, i.e. numpy)::

    .venv/bin/python benchmarks/arrays.py [--n 100000] [--reps 7] [--dense-years 6]

Three parts, one process, one thread:

1. ``Calendar.add_array`` / ``elapsed_array`` on ``--n`` UTC ``datetime64[us]`` instants
   in 2026 (durations 1-40 business hours, ends up to two weeks later), beside the scalar
   loops over the same values (``Calendar.add`` on aware datetimes and ``index.add`` on
   integers), with elements/s and the ratio. Every array answer is checked against the
   scalar one. Goal: >= 5,000,000 elements/s for 100k-element arrays on 8x5.
2. ``add_business_days`` for n = 1 .. 10,000 on 8x5 with US holidays (warm index): the
   cost per call should not grow with n (the index counts open dates per year).
3. A dense calendar, 720 one-minute intervals a day: compile time and memory kept per
   year (tracemalloc), then ``--dense-years`` years queried in turn: the cache stays
   within its budget (``CACHE_BYTES``) instead of growing by one year each time.

Figures are the best of ``--reps`` runs (``time.perf_counter``, garbage collector paused).
"""

from __future__ import annotations

# ruff: noqa: E402  (the sys.path fix below must run before the other imports)
import os
import sys

# benchmarks/calendar.py is named like the standard library's ``calendar`` module, which
# the standard library and holidays import: keep this directory off the import path.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import argparse
import gc
import platform
import random
import time
import tracemalloc
import warnings
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from slaclock import Calendar
from slaclock._index import CACHE_BYTES

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US = timedelta(microseconds=1)
GOAL = 5_000_000


def best_of(fn: Callable[[], Any], reps: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(reps):
        gc.collect()
        gc.disable()
        try:
            t0 = time.perf_counter()
            out = fn()
            best = min(best, time.perf_counter() - t0)
        finally:
            gc.enable()
    return best, out


def calendars() -> dict[str, Calendar]:
    zone = "America/New_York"
    return {
        "8x5": Calendar.preset("8x5", timezone=zone, holidays=[{"country": "US"}]),
        "24x5-fri20": Calendar.model_validate(
            {"timezone": zone, "hours": {"mon-thu": "00:00-24:00", "fri": "00:00-20:00"}}
        ),
        "24x7": Calendar.preset("24x7", timezone=zone),
    }


def inputs(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    lo = (datetime(2026, 1, 1, tzinfo=UTC) - EPOCH) // US
    year = 365 * 86_400_000_000
    starts = lo + rng.integers(0, year, n)
    starts -= starts % 60_000_000  # whole minutes, as helpdesk exports are
    durations = rng.integers(1, 41, n) * 3_600_000_000
    ends = starts + rng.integers(0, 14 * 86_400_000_000, n)
    return (
        starts.view("datetime64[us]"),
        durations.view("timedelta64[us]"),
        ends.view("datetime64[us]"),
    )


def arrays_part(args: argparse.Namespace) -> bool:
    starts, durations, ends = inputs(args.n, args.seed)
    s_int = starts.view(np.int64).tolist()
    d_int = durations.view(np.int64).tolist()
    e_int = ends.view(np.int64).tolist()
    s_dt = [EPOCH + us * US for us in s_int]
    d_td = [us * US for us in d_int]
    e_dt = [EPOCH + us * US for us in e_int]
    m = min(args.n, args.scalar_n)
    print(f"\n1. arrays: n={args.n} elements (scalar loops on the first {m}, rate per element)")
    head = (
        f"  {'calendar':<11} {'op':<8} {'array el/s':>12} {'Calendar loop':>14} "
        f"{'index loop':>11} {'array/Calendar':>15} {'array/index':>12}  check"
    )
    print(head)
    print("  " + "-" * (len(head) - 2))
    met = True
    for name, cal in calendars().items():
        ix = cal.index
        cal.add_array(starts, durations)  # warm: compile the years reached
        cal.elapsed_array(starts, ends)
        for op in ("add", "elapsed"):
            if op == "add":
                dt_arr, got = best_of(lambda c=cal: c.add_array(starts, durations), args.reps)
                dt_cal, want = best_of(
                    lambda c=cal: [c.add(t, d) for t, d in zip(s_dt[:m], d_td[:m], strict=True)],
                    max(1, args.reps // 2),
                )
                dt_ix, want_ix = best_of(
                    lambda i=ix: [i.add(t, d) for t, d in zip(s_int[:m], d_int[:m], strict=True)],
                    max(1, args.reps // 2),
                )
                ok = got[:m].view(np.int64).tolist() == want_ix == [(x - EPOCH) // US for x in want]
            else:
                dt_arr, got = best_of(lambda c=cal: c.elapsed_array(starts, ends), args.reps)
                dt_cal, want = best_of(
                    lambda c=cal: [
                        c.elapsed(a, b) for a, b in zip(s_dt[:m], e_dt[:m], strict=True)
                    ],
                    max(1, args.reps // 2),
                )
                dt_ix, want_ix = best_of(
                    lambda i=ix: [
                        i.elapsed(a, b) for a, b in zip(s_int[:m], e_int[:m], strict=True)
                    ],
                    max(1, args.reps // 2),
                )
                ok = got[:m].view(np.int64).tolist() == want_ix == [x // US for x in want]
            rate, rate_cal, rate_ix = args.n / dt_arr, m / dt_cal, m / dt_ix
            print(
                f"  {name:<11} {op:<8} {rate:>12,.0f} {rate_cal:>14,.0f} {rate_ix:>11,.0f} "
                f"{rate / rate_cal:>14.1f}x {rate / rate_ix:>11.1f}x  "
                f"{'same as scalar' if ok else 'DIFFERENT'}"
            )
            if name == "8x5":
                met = met and rate >= GOAL
            met = met and ok
    print(f"  goal: array add/elapsed >= {GOAL:,} elements/s on 8x5: {'MET' if met else 'MISSED'}")
    return met


def business_days_part(args: argparse.Namespace) -> None:
    cal = calendars()["8x5"]
    rng = random.Random(args.seed)
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    starts = [t0 + timedelta(minutes=rng.randrange(365 * 1440)) for _ in range(2_000)]
    print("\n2. add_business_days on 8x5 with US holidays (2,000 starts in 2026, warm index)")
    for n in (1, 10, 100, 1_000, 10_000):
        cal.add_business_days(starts[0], n)  # compile the years reached
        dt, out = best_of(lambda n=n: [cal.add_business_days(t, n) for t in starts], args.reps)
        print(f"  n={n:>6}: {dt / len(starts) * 1e6:6.2f} µs/call   e.g. -> {out[0].date()}")


def dense_part(args: argparse.Namespace) -> None:
    hours = [
        f"{m // 60:02d}:{m % 60:02d}-{(m + 1) // 60:02d}:{(m + 1) % 60:02d}"
        for m in range(1, 1440, 2)
    ]
    print(
        "\n3. dense calendar: 720 one-minute intervals a day, America/New_York "
        f"(cache budget {CACHE_BYTES / 2**20:.0f} MiB)"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cal = Calendar.model_validate({"timezone": "America/New_York", "hours": {"mon-sun": hours}})
    ix = cal.index
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    t = time.perf_counter()
    cal.is_open(datetime(2026, 6, 1, tzinfo=UTC))
    dt = time.perf_counter() - t
    kept, peak = tracemalloc.get_traced_memory()
    intervals = len(ix.block(2026).starts)
    print(
        f"  one year: {intervals:,} intervals, compiled in {dt:.2f} s (under "
        f"tracemalloc), kept {(kept - base) / 2**20:.1f} MiB (peak "
        f"{(peak - base) / 2**20:.1f} MiB while compiling)"
    )
    print("  years queried in turn -> years cached, their estimate, memory traced now (peak):")
    for k in range(args.dense_years):
        tracemalloc.reset_peak()
        cal.elapsed(datetime(2026 + k, 3, 1, tzinfo=UTC), datetime(2026 + k, 3, 2, tzinfo=UTC))
        now, peak = tracemalloc.get_traced_memory()
        print(
            f"    {2026 + k}: {len(ix.cached_years)} cached, {ix.cached_bytes / 2**20:5.1f} MiB "
            f"estimated, {(now - base) / 2**20:5.1f} MiB traced ({(peak - base) / 2**20:5.1f})"
        )
    tracemalloc.stop()


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--n", type=int, default=100_000, help="elements per array")
    p.add_argument("--scalar-n", type=int, default=20_000, help="elements for the scalar loops")
    p.add_argument("--reps", type=int, default=7)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--dense-years", type=int, default=6, help="0 skips part 3")
    args = p.parse_args(argv)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"slaclock array benchmark — n={args.n}, reps={args.reps}, seed={args.seed}")
    print(
        f"  python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average {load}"
    )
    ok = arrays_part(args)
    business_days_part(args)
    if args.dense_years:
        dense_part(args)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
