"""The arithmetic of one SLA cycle on a calendar (stdlib only).

A cycle *runs* on half-open spans ``[s, e)`` of UTC microseconds (between its start,
its pauses and its stop); it *counts* the calendar's open time inside those spans, from
an ``origin`` (its start, or a restart). Everything here is pure functions of an index
(:class:`slaclock._index.OpenIndex`, or anything with the same ``add`` / ``elapsed``
methods) and integer spans, so it is property-tested on its own.

The rules (DESIGN.md, "Met, breached, running, paused"):

- the **deadline** is the earliest instant at which the counted time reaches the target
  (:func:`reach`);
- a cycle is **breached** when it is *active* (inside one of its spans: not stopped, not
  paused) at its deadline or after it; the breach instant is the deadline, or the first
  instant after it at which the cycle is active again (:func:`first_active`);
- a target in business days means exactly ``add_business_days`` for a cycle that counted
  without interruption (:func:`business_day_deadline`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Protocol

__all__ = [
    "OPEN",
    "Index",
    "business_day_deadline",
    "count",
    "first_active",
    "reach",
    "used",
]

OPEN: Final = 1 << 62
"""End of a span that has not ended (a projection into the future)."""

Span = Sequence[int]  # [start, end): two ints


class Index(Protocol):
    """What the arithmetic needs of a compiled calendar (microseconds, UTC)."""

    def add(self, t: int, d: int) -> int: ...  # pragma: no cover - protocol

    def elapsed(self, a: int, b: int) -> int: ...  # pragma: no cover - protocol


def used(ix: Index, spans: Sequence[Span], origin: int, upto: int) -> int:
    """Open time counted inside ``spans``, from ``origin`` up to ``upto``."""
    total = 0
    for s, e in spans:
        if s < origin:
            s = origin
        if e > upto:
            e = upto
        if s < e:
            total += ix.elapsed(s, e)
    return total


def reach(ix: Index, spans: Sequence[Span], origin: int, amount: int) -> int | None:
    """The earliest instant at which the time counted inside ``spans`` from ``origin``
    reaches ``amount`` (``>= 0``), or None when the spans end first. A span ending at
    :data:`OPEN` runs on forever (a projection)."""
    rem = amount
    for s, e in spans:
        if s < origin:
            s = origin
        if s >= e:
            continue
        if rem <= 0:
            return s
        if e == OPEN:
            return ix.add(s, rem)
        el = ix.elapsed(s, e)
        if rem <= el:
            return ix.add(s, rem)
        rem -= el
    return None


def count(ix: Index, spans: Sequence[Span], origin: int, amount: int) -> tuple[int, int | None]:
    """``(counted, reached)``: the open time counted inside ``spans`` from ``origin``, and
    the earliest instant at which it reached ``amount`` (None if it did not): one
    ``elapsed`` per span, the work of :func:`used` and :func:`reach` together."""
    total = 0
    hit: int | None = None
    for s, e in spans:
        if s < origin:
            s = origin
        if s >= e:
            continue
        el = ix.elapsed(s, e)
        if hit is None:
            rem = amount - total
            if rem <= 0:
                hit = s
            elif rem <= el:
                hit = ix.add(s, rem)
        total += el
    return total, hit


def first_active(spans: Sequence[Span], x: int) -> int | None:
    """The first instant ``>= x`` that lies inside one of ``spans`` (half-open), or None."""
    for s, e in spans:
        if x < e:
            y = s if s > x else x
            if y < e:
                return y
    return None


def business_day_deadline(ix: Index, deadline: int | None, bd_end: int | None) -> int | None:
    """A target of *N business days* means ``add_business_days``: when the earliest
    instant the time is used up (``deadline``) and the instant ``add_business_days``
    names (``bd_end``) differ only by closed time — a close versus the next opening —
    the deadline is ``bd_end``. After pauses that took open time, ``deadline`` stands."""
    if (
        deadline is not None
        and bd_end is not None
        and deadline <= bd_end
        and ix.elapsed(deadline, bd_end) == 0
    ):
        return bd_end
    return deadline
