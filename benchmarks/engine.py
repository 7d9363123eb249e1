"""Throughput of ``slaclock.evaluate`` on generated 10-event tickets.

Run: ``.venv/bin/python benchmarks/engine.py [--n 5000] [--seed 1]``

Prints tickets/second for the built-in sample agreement (DESIGN.md's example: 8x5 New
York with US holidays, critical on 24x7, plus next_reply targets and two plans), with
tickets validated before timing (as a host app holding ``Ticket``
objects would) and, separately, from plain dicts (validation included).
"""

from __future__ import annotations

# ruff: noqa: E402  (the sys.path fix must run before the other imports)
import os
import sys

# benchmarks/calendar.py would shadow the standard library's `calendar` module.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import argparse
import random
import time
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from slaclock import Policy, Ticket, evaluate

NY = ZoneInfo("America/New_York")

# The built-in sample agreement (the one `slaclock demo` uses): DESIGN.md's example
# agreement with next_reply targets, an internal target and two plan editions.
POLICY_FILE = Path(str(resources.files("slaclock") / "data" / "sample_policy.toml"))


def make_ticket(rng: random.Random, i: int) -> dict[str, Any]:
    created = datetime(2026, 1, 1, tzinfo=NY) + timedelta(minutes=rng.randrange(0, 525_600))
    t = created
    events: list[dict[str, Any]] = []
    kinds = ["agent_reply", "customer_reply", "status", "status", "internal_note"]
    for _ in range(10):
        t += timedelta(minutes=rng.randrange(5, 2_000))
        kind = rng.choice(kinds)
        ev: dict[str, Any] = {"at": t.isoformat(), "type": kind}
        if kind == "status":
            ev["status"] = rng.choice(["open", "pending", "on_hold", "solved", "open"])
        events.append(ev)
    return {
        "id": f"T-{i}",
        "created_at": created.isoformat(),
        "severity": rng.choice(["critical", "high", "low", "urgent"]),
        "fields": {"customer": f"c{rng.randrange(50)}"},
        "events": events,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    raw = [make_ticket(rng, i) for i in range(args.n)]
    policy = Policy.from_file(POLICY_FILE)
    tickets = [Ticket.model_validate(r) for r in raw]
    for t in tickets[:200]:  # warm the calendar indexes
        evaluate(t, policy)

    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for t in tickets:
            evaluate(t, policy)
        best = min(best, time.perf_counter() - t0)
    print(f"evaluate, Ticket objects:   {args.n / best:10,.0f} tickets/s  (10 events each)")

    t0 = time.perf_counter()
    for r in raw:
        evaluate(Ticket.model_validate(r), policy)
    el = time.perf_counter() - t0
    print(f"evaluate, from dicts:       {args.n / el:10,.0f} tickets/s  (validation included)")


if __name__ == "__main__":
    main()
