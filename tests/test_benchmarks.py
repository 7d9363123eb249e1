"""The benchmark scripts run and agree with themselves (never their speed).

- The reference replay of ``benchmarks/_reference.py`` (a second, hand-written
  implementation of the sample agreement) gives the clocks worked out by hand below, and
  so does ``evaluate``.
- ``benchmarks/engine.py`` on a few tickets: every clock of evaluate and the reference
  agree, for the generated tickets and for the one-ticket quadratic case.
- Its ``--profile`` labels every profiled function apart (dataclass constructors share a
  file name, line and name and would overwrite each other in ``pstats``), losing no call.
- ``benchmarks/analyst.py`` on a small log: the pandas script and ``slaclock evaluate``
  agree on every ticket, except where the script's rule is known to differ.
"""

from __future__ import annotations

import cProfile
import importlib.util
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from support import span

from slaclock import Policy, Ticket, evaluate

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
POLICY = Path(str(resources.files("slaclock") / "data" / "sample_policy.toml"))
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def load(name: str) -> ModuleType:
    """``benchmarks/<name>.py`` as a module (the folder is not a package)."""
    found = sys.modules.get(name)
    if found is not None:
        return found
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def run(script: str, *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, str(BENCH / script), *args],
        capture_output=True, text=True, cwd=ROOT, check=False, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def counts(pattern: str, text: str) -> list[tuple[int, int]]:
    """Pairs of numbers (with thousands separators) matched by ``pattern``."""
    found = re.findall(pattern, text)
    return [(int(a.replace(",", "")), int(b.replace(",", ""))) for a, b in found]


# -- the reference replay against clocks worked out by hand ---------------------------


ONE_US = timedelta(microseconds=1)


def us(text: str | None) -> int | None:
    return None if text is None else (datetime.fromisoformat(text) - EPOCH) // ONE_US


def clock(metric: str, cycle: int, status: str, deadline: str | None, stopped: str | None,
          elapsed: str, breached: str | None) -> tuple[Any, ...]:  # fmt: skip
    return (metric, cycle, status, us(deadline), us(stopped), span(elapsed) // ONE_US,
            us(breached))  # fmt: skip


def ticket(tid: str, created: str, severity: str, plan: str | None,
           *events: tuple[str, str, str | None]) -> Ticket:  # fmt: skip
    evs = []
    for at, kind, value in events:
        ev: dict[str, Any] = {"at": at, "type": kind}
        if value is not None:
            ev[kind] = value
        evs.append(ev)
    return Ticket.model_validate(
        {"id": tid, "created_at": created, "severity": severity, "plan": plan, "events": evs}
    )


# Sample agreement: business = 8x5 New York with US holidays; "always" = 24x7 UTC.
# fmt: off
GOLDEN = [
    pytest.param(
        # high: first response 6h, resolution 5 business days (across the DST change of
        # Sunday 2026-03-08: the same wall time, now in EDT).
        ticket("A", "2026-03-02T15:00:00-05:00", "high", None,
               ("2026-03-02T16:00:00-05:00", "agent_reply", None)),
        [
            clock("first_response", 1, "met", "2026-03-03T12:00:00-05:00",
                  "2026-03-02T16:00:00-05:00", "1h", None),
            clock("resolution", 1, "running", "2026-03-09T15:00:00-04:00", None, "1h", None),
        ],
        id="high-met-resolution-across-dst",
    ),
    pytest.param(
        # low: 1 business day from Thursday 15:00 skips Friday 2026-07-03 (Independence
        # Day observed): Monday 15:00; the customer's reply before the first response
        # starts nothing. Resolution: 10 open dates later, Friday 07-17 15:00.
        ticket("B", "2026-07-02T15:00:00-04:00", "low", None,
               ("2026-07-06T16:00:00-04:00", "customer_reply", None),
               ("2026-07-06T16:30:00-04:00", "agent_reply", None)),
        [
            clock("first_response", 1, "breached", "2026-07-06T15:00:00-04:00",
                  "2026-07-06T16:30:00-04:00", "10h30m", "2026-07-06T15:00:00-04:00"),
            clock("resolution", 1, "running", "2026-07-17T15:00:00-04:00", None, "10h30m",
                  None),
        ],
        id="low-holiday-business-day",
    ),
    pytest.param(
        # premium high: first response 2h. Solved at 10:00, the customer writes at 11:00
        # (solved: next_reply waits for the reopen), reopened at 13:00: next_reply #1
        # from 13:00, answered 14:00 (8h target: Wednesday 12:00). Critical at 14:10
        # counts retroactively for resolution only (24h on 24x7), paused from 14:30.
        ticket("C", "2026-03-03T09:00:00-05:00", "high", "premium",
               ("2026-03-03T09:30:00-05:00", "agent_reply", None),
               ("2026-03-03T10:00:00-05:00", "status", "solved"),
               ("2026-03-03T11:00:00-05:00", "customer_reply", None),
               ("2026-03-03T13:00:00-05:00", "status", "open"),
               ("2026-03-03T14:00:00-05:00", "agent_reply", None),
               ("2026-03-03T14:10:00-05:00", "severity", "critical"),
               ("2026-03-03T14:30:00-05:00", "status", "pending")),
        [
            clock("first_response", 1, "met", "2026-03-03T11:00:00-05:00",
                  "2026-03-03T09:30:00-05:00", "30m", None),
            clock("next_reply", 1, "met", "2026-03-04T12:00:00-05:00",
                  "2026-03-03T14:00:00-05:00", "1h", None),
            clock("resolution", 1, "paused", None, None, "2h30m", None),
        ],
        id="premium-reopen-next-reply-retroactive-critical",
    ),
    pytest.param(
        # critical (24x7): the customer's reply while solved is answered before the
        # reopen, so no next_reply cycle; resolution resumes at the reopen.
        ticket("D", "2026-03-04T10:00:00-05:00", "critical", None,
               ("2026-03-04T10:20:00-05:00", "agent_reply", None),
               ("2026-03-04T10:30:00-05:00", "status", "solved"),
               ("2026-03-04T11:00:00-05:00", "customer_reply", None),
               ("2026-03-04T11:10:00-05:00", "agent_reply", None),
               ("2026-03-04T12:00:00-05:00", "status", "open")),
        [
            clock("first_response", 1, "met", "2026-03-04T16:00:00+00:00",
                  "2026-03-04T15:20:00+00:00", "20m", None),
            clock("resolution", 1, "running", "2026-03-05T16:30:00+00:00", None, "30m", None),
        ],
        id="critical-answered-while-solved",
    ),
    pytest.param(
        # high: 6h from Monday 11:00 runs out at the 17:00 close; answered 17:26, in
        # closed time: breached at 17:00 with exactly 6h used.
        ticket("E", "2026-03-02T11:00:00-05:00", "high", None,
               ("2026-03-02T17:26:00-05:00", "agent_reply", None)),
        [
            clock("first_response", 1, "breached", "2026-03-02T17:00:00-05:00",
                  "2026-03-02T17:26:00-05:00", "6h", "2026-03-02T17:00:00-05:00"),
            clock("resolution", 1, "running", "2026-03-09T11:00:00-04:00", None, "6h", None),
        ],
        id="deadline-at-the-close",
    ),
]
# fmt: on


@pytest.fixture(scope="module")
def reference() -> tuple[ModuleType, Policy, Any]:
    ref = load("_reference")
    policy = Policy.from_file(POLICY)
    span_ = (datetime(2025, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))
    return ref, policy, ref.RefPolicy(policy, *span_)


class TestReferenceByHand:
    @pytest.mark.parametrize(("tk", "expected"), GOLDEN)
    def test_reference_replay(
        self, reference: tuple[ModuleType, Policy, Any], tk: Ticket, expected: list[Any]
    ) -> None:
        ref, _, ref_policy = reference
        assert ref.replay(tk, ref_policy) == expected

    @pytest.mark.parametrize(("tk", "expected"), GOLDEN)
    def test_evaluate(
        self, reference: tuple[ModuleType, Policy, Any], tk: Ticket, expected: list[Any]
    ) -> None:
        ref, policy, _ = reference
        assert ref.clocks_of(evaluate(tk, policy).metrics) == expected

    def test_unsupported_agreements_are_refused(
        self, reference: tuple[ModuleType, Policy, Any]
    ) -> None:
        ref, _, _ = reference
        custom = Policy.model_validate(
            {
                "calendars": {"c": {"preset": "24x7", "timezone": "UTC"}},
                "metrics": {"time_to_assign": {"start": "created", "stop": "field:assignee"}},
                "severities": {"high": {"time_to_assign": "1h"}},
            }
        )
        lo, hi = datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
        with pytest.raises(NotImplementedError, match="time_to_assign"):
            ref.RefPolicy(custom, lo, hi)


# -- the scripts ----------------------------------------------------------------------


def test_engine_script_agrees_with_the_reference() -> None:
    out = run("engine.py", "--n", "200", "--reps", "1", "--edges", "300", "--quadratic", "300")
    found = counts(r"([\d,]+) clocks compared, ([\d,]+) agree", out)
    assert len(found) == 3, out  # the 200 tickets, the edge cases, the quadratic case
    (compared, agree), (e_compared, e_agree), (q_compared, q_agree) = found
    assert compared == agree, out
    assert compared >= 200  # every ticket has a first_response clock
    assert e_compared == e_agree, out
    assert e_compared >= 300
    assert q_compared == q_agree, out
    assert q_compared > 100  # ~1 in 3 of its 150 next_reply cycles has no target (low)
    assert "DIFFERS" not in out
    for label in ("evaluate, Ticket objects", "reference replay", "ratio reference / evaluate"):
        assert label in out
    assert "quadratic case: one ticket, 300 severity changes and 300 replies" in out


def test_profile_labels_every_function_apart() -> None:
    engine = load("engine")
    policy = Policy.from_file(POLICY)
    rng = engine.random.Random(3)
    tickets = [Ticket.model_validate(engine.make_ticket(rng, i)) for i in range(30)]
    prof = cProfile.Profile()
    prof.enable()
    for t in tickets:
        evaluate(t, policy)
    prof.disable()
    labelled = engine._Labelled(prof)
    entries = prof.getstats()
    codes = {e.code for e in entries if not isinstance(e.code, str)}
    labels = {labelled.label(c) for c in codes}
    assert len(labels) == len(codes)  # no two functions share a label
    assert not [lb for lb in labels if "__create_fn__" in lb[2]]
    labelled.create_stats()
    assert sum(v[1] for v in labelled.stats.values()) == sum(e.callcount for e in entries)


def test_engine_profile_option_prints_the_top_functions() -> None:
    out = run("engine.py", "--n", "30", "--reps", "1", "--edges", "0", "--quadratic", "0",
              "--profile")  # fmt: skip
    assert "top 25 by own time" in out
    assert "slaclock/engine.py" in out
    assert "__create_fn__" not in out


def test_analyst_script_agrees_with_slaclock() -> None:
    out = run("analyst.py", "--tickets", "150", "--reps", "1")
    [(compared, agree)] = counts(r"([\d,]+) tickets compared, ([\d,]+) agree", out)
    [at_close] = [int(x) for x in re.findall(r"(\d+) differ by the breach at a deadline", out)]
    [other] = [int(x) for x in re.findall(r"(\d+) differ otherwise", out)]
    assert compared == 150, out
    assert other == 0, out
    assert agree + at_close == compared
    assert "slaclock evaluate (CLI)" in out
    assert "pandas + np.busday_count" in out
