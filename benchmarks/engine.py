"""Throughput of ``slaclock.evaluate`` on generated 10-event tickets, beside a minimal
reference replay measured in the same run on the same tickets.

Run: ``.venv/bin/python benchmarks/engine.py [--n 5000] [--seed 1] [--reps 3] [--cpu N]
[--edges 3000] [--quadratic 25000] [--profile]``

The agreement is the built-in sample (``slaclock/data/sample_policy.toml``: 8x5 New York
with US holidays, critical on 24x7, first_response / next_reply / resolution targets, an
internal target, two plans). Tickets are validated before timing (as a host app holding
``Ticket`` objects would); a separate run measures evaluation from plain dicts.

It prints:

- tickets/s of ``evaluate`` and of the reference replay (``benchmarks/_reference.py``:
  bisect over precompiled intervals, business days by jumping to the n-th open date), the
  best of ``--reps`` passes each, run in turns, and their ratio;
- how many clocks (metric cycles) of every ticket the two computed, and how many agree
  on status, deadline, stopped_at, business_elapsed and breached_at (they must all);
  then the same check on ``--edges`` tickets built to hit boundaries (events on whole
  hours, every status, aliases, half of them evaluated at a random ``now``);
- the quadratic case: one ticket with ``--quadratic`` severity changes interleaved with
  as many replies, validated and evaluated once, in seconds (and checked the same way);
- with ``--profile``: cProfile of ``evaluate``, the top 25 functions by own time, with
  every function labelled by its qualified name (dataclass constructors, compiled from
  ``<string>``, would otherwise share one label and overwrite each other in pstats).
"""

from __future__ import annotations

# ruff: noqa: E402  (the sys.path fix must run before the other imports)
import os
import sys

# benchmarks/calendar.py would shadow the standard library's `calendar` module.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import argparse
import cProfile
import gc
import importlib.util
import platform
import pstats
import random
import subprocess
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any
from zoneinfo import ZoneInfo

from slaclock import Policy, Ticket, evaluate


def load_sibling(name: str) -> ModuleType:
    """Import ``benchmarks/<name>.py`` by path (this folder is not on ``sys.path``)."""
    found = sys.modules.get(name)
    if found is not None:
        return found
    spec = importlib.util.spec_from_file_location(name, os.path.join(_HERE, f"{name}.py"))
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


ref = load_sibling("_reference")

NY = ZoneInfo("America/New_York")
START = datetime(2026, 1, 1, 5, tzinfo=UTC)  # midnight in New York
NOW = datetime(2027, 1, 15, tzinfo=UTC)
# The reference precompiles its calendars over these years.
SPAN = (datetime(2025, 1, 1, tzinfo=UTC), datetime(2029, 1, 1, tzinfo=UTC))

# The built-in sample agreement (the one `slaclock demo` uses): DESIGN.md's example
# agreement with next_reply targets, an internal target and two plan editions.
POLICY_FILE = Path(str(resources.files("slaclock") / "data" / "sample_policy.toml"))


def make_ticket(rng: random.Random, i: int) -> dict[str, Any]:
    """A ticket with 10 events. Times are drawn in UTC (wall-clock arithmetic in New York
    would put some inside the spring-forward gap) and written in New York time."""
    created = START + timedelta(minutes=rng.randrange(0, 525_600))
    t = created
    events: list[dict[str, Any]] = []
    kinds = ["agent_reply", "customer_reply", "status", "status", "internal_note"]
    for _ in range(10):
        t += timedelta(minutes=rng.randrange(5, 2_000))
        kind = rng.choice(kinds)
        if kind == "internal_note" and rng.random() < 0.25:
            kind = "severity"  # ~5 % of events: a retroactive severity change
        ev: dict[str, Any] = {"at": t.astimezone(NY).isoformat(), "type": kind}
        if kind == "status":
            ev["status"] = rng.choice(["open", "pending", "on_hold", "solved", "open", "closed"])
        elif kind == "severity":
            ev["severity"] = rng.choice(["critical", "high", "low"])
        events.append(ev)
    return {
        "id": f"T-{i}",
        "created_at": created.astimezone(NY).isoformat(),
        "severity": rng.choice(["critical", "high", "low", "urgent"]),
        "plan": "premium" if rng.random() < 0.3 else None,
        "fields": {"customer": f"c{rng.randrange(50)}"},
        "events": events,
    }


def edge_ticket(rng: random.Random, i: int) -> tuple[dict[str, Any], datetime | None]:
    """A ticket for the agreement check only: up to 13 events on whole hours (so replies,
    solves and pauses fall exactly on opens, closes and deadlines), every status (``new``
    too), severity aliases in other cases, plan names in other cases; and a ``now`` on a
    whole hour inside or after its life (None: at its last event)."""
    created = START + timedelta(hours=rng.randrange(0, 8_760))
    t = created
    events: list[dict[str, Any]] = []
    kinds = [
        "agent_reply",
        "customer_reply",
        "status",
        "status",
        "status",
        "severity",
        "internal_note",
    ]
    for _ in range(rng.randrange(0, 14)):
        t += timedelta(hours=rng.choice([0, 0, 1, 1, 2, 3, 6, 9, 15, 24]))
        kind = rng.choice(kinds)
        ev: dict[str, Any] = {"at": t.astimezone(NY).isoformat(), "type": kind}
        if kind == "status":
            ev["status"] = rng.choice(["open", "pending", "on_hold", "solved", "closed", "new"])
        elif kind == "severity":
            ev["severity"] = rng.choice(["critical", "high", "low", "P1", "Urgent"])
        events.append(ev)
    now = None
    if rng.random() < 0.5:
        now = created + timedelta(hours=rng.randrange(0, (t - created) // timedelta(hours=1) + 30))
    data = {
        "id": f"E-{i}",
        "created_at": created.astimezone(NY).isoformat(),
        "severity": rng.choice(["critical", "high", "low"]),
        "plan": rng.choice([None, "premium", "standard", "Premium"]),
        "events": events,
    }
    return data, now


def quadratic_ticket(n: int) -> dict[str, Any]:
    """One ticket with ``n`` severity changes (critical, high, low in turn) interleaved
    with ``n`` replies (customer, agent in turn), one event every 7 minutes."""
    created = datetime(2026, 1, 5, 14, tzinfo=UTC)
    events: list[dict[str, Any]] = []
    severities = ["critical", "high", "low"]
    for k in range(n):
        at = created + timedelta(minutes=14 * k + 7)
        events.append({"at": at.isoformat(), "type": "severity", "severity": severities[k % 3]})
        kind = "customer_reply" if k % 2 == 0 else "agent_reply"
        events.append({"at": (at + timedelta(minutes=7)).isoformat(), "type": kind})
    return {"id": "Q-1", "created_at": created.isoformat(), "severity": "high", "events": events}


# -- timing ---------------------------------------------------------------------------


def best_of(fns: dict[str, Callable[[], Any]], reps: int) -> dict[str, tuple[float, Any]]:
    """Run each function ``reps`` times, in turns (a, b, a, b, …) so that load from other
    processes hits them alike; the best wall time of each counts (``gc.collect()`` before
    every run; the collector stays on, as in an application)."""
    best = dict.fromkeys(fns, float("inf"))
    outs: dict[str, Any] = {}
    for _ in range(reps):
        for name, fn in fns.items():
            gc.collect()
            t0 = time.perf_counter()
            outs[name] = fn()
            best[name] = min(best[name], time.perf_counter() - t0)
    return {name: (best[name], outs[name]) for name in fns}


def pin(cpu: int | None) -> str:
    if cpu is None:
        try:
            allowed = sorted(os.sched_getaffinity(0))
        except AttributeError:  # pragma: no cover - not Linux
            return "not pinned"
        if len(allowed) < (os.cpu_count() or 0):
            return f"pinned by the caller to CPU {','.join(map(str, allowed))}"
        return "not pinned (use --cpu N, or taskset)"
    try:
        os.sched_setaffinity(0, {cpu})
    except (AttributeError, OSError) as exc:  # pragma: no cover - not Linux
        return f"not pinned ({exc})"
    return f"pinned to CPU {cpu}"


def machine() -> str:
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next(ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        allowed = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover
        allowed = os.cpu_count() or 0
    one, five, fifteen = os.getloadavg()
    return (
        f"python {platform.python_version()}; {cpu}; {os.cpu_count()} CPUs ({allowed} "
        f"usable); load average {one:.2f} {five:.2f} {fifteen:.2f}"
    )


def source_state() -> str:
    """The commit measured, and whether src/ differs from it."""
    root = os.path.dirname(_HERE)
    try:
        commit = subprocess.run(
            ["git", "-C", root, "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        dirty = subprocess.run(
            ["git", "-C", root, "status", "--porcelain", "--", "src"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "source: not a git checkout"
    return f"source: commit {commit}, src/ {'MODIFIED' if dirty else 'clean'}"


# -- agreement ------------------------------------------------------------------------


def check(
    tickets: list[Ticket], theirs: Iterable[Any], mine: Iterable[list[Any]], show: int = 5
) -> tuple[int, int]:
    """Compare evaluate's clocks with the reference's, ticket by ticket; print the first
    ``show`` tickets that differ; return (clocks compared, clocks that agree)."""
    compared = agree = shown = 0
    for ticket, sla, clocks in zip(tickets, theirs, mine, strict=True):
        a = {(c[0], c[1]): c for c in ref.clocks_of(sla.metrics)}
        b = {(c[0], c[1]): c for c in clocks}
        n, ok, bad = ref.compare(b, a)
        compared += n
        agree += ok
        if bad and shown < show:
            shown += 1
            print(f"  DIFFERS: ticket {ticket.id} ({ticket.severity}, plan {ticket.plan})")
            for key in bad:
                for who, found in (("evaluate", a.get(key)), ("reference", b.get(key))):
                    text = "no clock" if found is None else ref.describe(found, NY)
                    print(f"    {who:<9} {text}")
    return compared, agree


# -- profile --------------------------------------------------------------------------


def code_names() -> dict[CodeType, str]:
    """Qualified names of the functions of slaclock and of these benchmarks, keyed by code
    object (a dataclass's generated ``__init__`` gets its class's name)."""
    names: dict[CodeType, str] = {}
    for mod_name, mod in list(sys.modules.items()):
        if not (mod_name.startswith(("slaclock", "pydantic")) or mod_name == "_reference"):
            continue
        for obj in list(vars(mod).values()):
            members = vars(obj).items() if isinstance(obj, type) else [("", obj)]
            for attr, fn in members:
                fn = getattr(fn, "__func__", fn)
                fn = getattr(fn, "fget", fn)
                code = getattr(fn, "__code__", None)
                if isinstance(code, CodeType):
                    owner = f"{obj.__qualname__}." if isinstance(obj, type) else ""
                    names.setdefault(code, owner + (attr or fn.__name__))
    return names


class _Labelled:
    """A profile's raw entries as ``pstats`` input, one label per code object:
    ``(file, line, qualified name)``."""

    def __init__(self, prof: cProfile.Profile) -> None:
        self.prof = prof
        self.names = code_names()
        root = os.path.dirname(_HERE)
        self.prefixes = (os.path.join(root, "src", ""), os.path.join(root, ""))

    def label(self, code: Any) -> tuple[str, int, str]:
        if isinstance(code, str):  # a built-in function
            return ("~", 0, code)
        path = code.co_filename
        for base in self.prefixes:
            path = path.removeprefix(base)
        return (path, code.co_firstlineno, self.names.get(code, code.co_qualname))

    def create_stats(self) -> None:
        label = self.label
        stats: dict[tuple[str, int, str], Any] = {}
        entries = self.prof.getstats()
        for entry in entries:
            func = label(entry.code)
            nc, cc = entry.callcount, entry.callcount - entry.reccallcount
            old = stats.get(func)
            if old is not None:  # same label twice: add up (keeps every call)
                cc, nc = cc + old[0], nc + old[1]
                tt, ct = entry.inlinetime + old[2], entry.totaltime + old[3]
                callers = old[4]
            else:
                tt, ct, callers = entry.inlinetime, entry.totaltime, {}
            stats[func] = (cc, nc, tt, ct, callers)
        for entry in entries:
            caller = label(entry.code)
            for sub in entry.calls or ():
                callee = stats[label(sub.code)][4]
                prev = callee.get(caller, (0, 0, 0.0, 0.0))
                callee[caller] = (
                    prev[0] + sub.callcount, prev[1] + sub.callcount - sub.reccallcount,
                    prev[2] + sub.inlinetime, prev[3] + sub.totaltime,
                )  # fmt: skip
        self.stats = stats


def profile(tickets: list[Ticket], policy: Policy, top: int = 25) -> None:
    prof = cProfile.Profile()
    prof.enable()
    for t in tickets:
        evaluate(t, policy)
    prof.disable()
    st = pstats.Stats(_Labelled(prof), stream=sys.stdout)  # type: ignore[arg-type]
    total = st.total_tt  # type: ignore[attr-defined]
    print(f"\ncProfile of evaluate over {len(tickets):,} tickets ({total:.2f} s profiled)")
    for key, title in (("tottime", "own time"), ("cumulative", "cumulative time")):
        print(f"\ntop {top} by {title}:")
        st.sort_stats(key).print_stats(top)


# -- main -----------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=5000, help="tickets (default 5000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--reps", type=int, default=3, help="best of this many passes (3)")
    ap.add_argument("--cpu", type=int, default=None, help="pin the process to this CPU")
    ap.add_argument(
        "--quadratic", type=int, default=25_000, metavar="N",
        help="severity changes (and replies) of the one-ticket case; 0 skips it",
    )  # fmt: skip
    ap.add_argument(
        "--edges", type=int, default=3_000, metavar="N",
        help="tickets of the edge-case agreement check (whole hours, random now); 0 skips it",
    )  # fmt: skip
    ap.add_argument("--profile", action="store_true", help="also profile evaluate")
    args = ap.parse_args()

    pinned = pin(args.cpu)
    print(machine())
    print(f"{source_state()}; one process, {pinned}; best of {args.reps} passes, in turns\n")

    rng = random.Random(args.seed)
    raw = [make_ticket(rng, i) for i in range(args.n)]
    policy = Policy.from_file(POLICY_FILE)
    tickets = [Ticket.model_validate(r) for r in raw]
    reference = ref.RefPolicy(policy, *SPAN)
    for t in tickets[:200]:  # warm the calendar indexes (the reference compiled its own)
        evaluate(t, policy)
        ref.replay(t, reference)

    runs = best_of(
        {
            "evaluate": lambda: [evaluate(t, policy) for t in tickets],
            "reference": lambda: [ref.replay(t, reference) for t in tickets],
        },
        args.reps,
    )
    (t_eval, slas), (t_ref, clocks) = runs["evaluate"], runs["reference"]
    n = args.n
    print(f"{n:,} tickets, 10 events each, sample agreement, evaluated at their last event")
    print(f"  evaluate, Ticket objects:   {n / t_eval:10,.0f} tickets/s")
    print(f"  reference replay:           {n / t_ref:10,.0f} tickets/s")
    print(f"  ratio reference / evaluate: {t_eval / t_ref:10.2f}x")
    gc.collect()
    t0 = time.perf_counter()
    for r in raw:
        evaluate(Ticket.model_validate(r), policy)
    el = time.perf_counter() - t0
    print(f"  evaluate, from dicts:       {n / el:10,.0f} tickets/s  (validated too; one pass)")

    compared, agree = check(tickets, slas, clocks)
    print(f"\nreference vs evaluate: {compared:,} clocks compared, {agree:,} agree")
    print("  (status, deadline, stopped_at, business_elapsed, breached_at of every cycle)")

    if args.edges:
        e_rng = random.Random(args.seed)
        cases = [edge_ticket(e_rng, i) for i in range(args.edges)]
        e_tickets = [Ticket.model_validate(data) for data, _ in cases]
        e_slas = [
            evaluate(t, policy, now=now) for t, (_, now) in zip(e_tickets, cases, strict=True)
        ]
        e_clocks = [
            ref.replay(t, reference, None if now is None else ref.to_us(now))
            for t, (_, now) in zip(e_tickets, cases, strict=True)
        ]
        e_compared, e_agree = check(e_tickets, e_slas, e_clocks)
        print(f"\nedge cases: {args.edges:,} tickets on whole hours, half at a random now")
        print(f"  reference vs evaluate: {e_compared:,} clocks compared, {e_agree:,} agree")

    if args.quadratic:
        q = args.quadratic
        data = quadratic_ticket(q)
        gc.collect()
        t0 = time.perf_counter()
        ticket = Ticket.model_validate(data)
        t1 = time.perf_counter()
        sla = evaluate(ticket, policy)
        t2 = time.perf_counter()
        mine = ref.replay(ticket, reference)
        t3 = time.perf_counter()
        print(f"\nquadratic case: one ticket, {q:,} severity changes and {q:,} replies")
        print(f"  Ticket.model_validate: {t1 - t0:8.2f} s")
        print(f"  evaluate:              {t2 - t1:8.2f} s  ({len(sla.metrics):,} clocks)")
        print(f"  reference replay:      {t3 - t2:8.2f} s")
        q_compared, q_agree = check([ticket], [sla], [mine])
        print(f"  reference vs evaluate: {q_compared:,} clocks compared, {q_agree:,} agree")

    if args.profile:
        profile(tickets, policy)


if __name__ == "__main__":
    main()
