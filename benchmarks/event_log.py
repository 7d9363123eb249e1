"""The ``slaclock`` command on a generated helpdesk event log.

Run: ``.venv/bin/python benchmarks/event_log.py [--tickets 100000] [--seed 7] [--dir DIR]
[--commands evaluate,report] [--inputs grouped,ungrouped]``

Writes a deterministic event log (about 10 events per ticket; 20 customers, all of 2026,
two plans, four severity names) twice — grouped by ticket, and sorted by time as an audit
export is (tickets interleaved) — into a temporary directory (or ``--dir``), then runs, as
subprocesses of this script::

    slaclock evaluate LOG --policy sample_policy.toml --now … --format jsonl -o /dev/null
    slaclock report LOG --policy sample_policy.toml --now … --by customer,month \\
        --objective first_response:0.9:6h --format json

with and without ``--grouped``, and prints wall time, events per second and the peak
resident memory of each command (``ru_maxrss`` of that child, from ``os.wait4``; the same
figure ``resource.getrusage(RUSAGE_CHILDREN)`` reports for a single child). The logs are
generated in a child process of their own: on Linux a child's ``ru_maxrss`` starts from
its parent's size at ``fork``, so a parent holding the log would inflate every figure.

With ``--check`` (the default) it also writes evaluate's JSONL once and counts a few
customers' first-response clocks independently, comparing them with the report's
per-customer, per-month attainment table.
"""

from __future__ import annotations

# ruff: noqa: E402  (the sys.path fix must run before the other imports)
import os
import sys

# benchmarks/calendar.py would shadow the standard library's `calendar` module.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import argparse
import json
import random
import subprocess
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

NY = ZoneInfo("America/New_York")
START = datetime(2026, 1, 1, 5, tzinfo=UTC)  # midnight in New York
NOW = "2027-01-15T00:00:00+00:00"
CUSTOMERS = [f"cust{i:02d}" for i in range(20)]
WEIGHTS = [20 - i for i in range(20)]  # a few big customers, a long tail
SEVERITIES = ["critical", "urgent", "high", "low"]
SEV_WEIGHTS = [1, 1, 4, 4]
REGIONS = ["us-east", "us-west", "emea"]


def ticket_events(rng: random.Random, i: int) -> list[dict[str, Any]]:
    """One ticket's rows: a created row, then about nine events, in time order.

    Instants are computed in UTC and only then shown in New York time: wall-clock
    arithmetic in a zone with daylight saving time would put some tickets inside the
    spring-forward gap (a time that does not exist), where a reply can precede its
    ticket's creation."""
    created = START + timedelta(minutes=rng.randrange(0, 525_600))
    tid = f"T-{i:07d}"
    rows: list[dict[str, Any]] = [
        {
            "ticket_id": tid,
            "at": created.astimezone(NY).isoformat(),
            "type": "created",
            "severity": rng.choices(SEVERITIES, SEV_WEIGHTS)[0],
            "plan": "premium" if rng.random() < 0.3 else "standard",
            "customer": rng.choices(CUSTOMERS, WEIGHTS)[0],
            "region": rng.choice(REGIONS),
        }
    ]
    t = created

    def add(minutes: float, kind: str, **extra: str) -> None:
        nonlocal t
        t += timedelta(minutes=max(1, round(minutes)))
        rows.append({"ticket_id": tid, "at": t.astimezone(NY).isoformat(), "type": kind, **extra})

    add(rng.expovariate(1 / 240), "agent_reply")  # first response, mean 4 h
    while len(rows) < 9:
        add(rng.uniform(1, 5), "status", status="pending")
        add(rng.expovariate(1 / 600), "customer_reply")
        add(0, "status", status="open")
        if rng.random() < 0.3:
            add(rng.uniform(5, 60), "internal_note")
        elif rng.random() < 0.05:
            add(rng.uniform(5, 60), "severity", severity=rng.choice(["high", "critical"]))
        add(rng.expovariate(1 / 300), "agent_reply")
    if rng.random() < 0.92:
        add(rng.expovariate(1 / 900), "status", status="solved")
    return rows


def generate(n: int, seed: int, directory: Path) -> tuple[Path, Path, int]:
    """Write ``events_grouped.jsonl`` and ``events_by_time.jsonl``; return paths, rows."""
    rng = random.Random(seed)
    grouped = directory / "events_grouped.jsonl"
    by_time = directory / "events_by_time.jsonl"
    lines: list[tuple[float, str]] = []
    with grouped.open("w", encoding="utf-8") as fh:
        for i in range(n):
            for row in ticket_events(rng, i):
                line = json.dumps(row, separators=(",", ":"))
                fh.write(line + "\n")
                lines.append((datetime.fromisoformat(row["at"]).timestamp(), line))
    lines.sort(key=lambda x: x[0])  # stable: a time-ordered export
    with by_time.open("w", encoding="utf-8") as fh:
        fh.writelines(line + "\n" for _, line in lines)
    return grouped, by_time, len(lines)


def run(cmd: list[str], stdout: Any = subprocess.DEVNULL) -> tuple[float, int, str]:
    """Run ``cmd``; return (wall seconds, peak RSS in KiB of that child, its stdout)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE, text=True)
    out = ""
    if stdout is subprocess.PIPE and proc.stdout is not None:
        out = proc.stdout.read()
    err = proc.stderr.read() if proc.stderr is not None else ""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err}")
    return wall, usage.ru_maxrss, out


def check(report_json: str, results: Path, customers: list[str]) -> list[str]:
    """Compare the report's first_response rows for ``customers`` (``--format json``)
    with a count of the evaluate JSONL output; return the lines describing each
    comparison."""
    counted: Counter[tuple[str, str, str]] = Counter()
    with results.open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            if r["metric"] == "first_response":
                counted[(r["field.customer"], r["created_at"][:7], r["status"])] += 1
    lines = []
    for cells in json.loads(report_json)["attainment"]:
        key = (cells["customer"], cells["month"])
        if cells["metric"] != "first_response" or key[0] not in customers:
            continue
        want = {s: counted[(*key, s)] for s in ("met", "breached", "running")}
        got = {s: int(cells[s]) for s in ("met", "breached", "running")}
        if got != want:
            raise SystemExit(f"report disagrees for {key}: report {got}, counted {want}")
        lines.append(f"  {key[0]} {key[1]}: report {got} == counted")
    if not lines:
        raise SystemExit("no report rows found for the checked customers")
    return [*lines[:3], f"  … {len(lines) - 3} more (customer, month) rows agree"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tickets", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--dir", type=Path, help="write the logs here (default: a temp dir)")
    ap.add_argument("--no-check", dest="check", action="store_false")
    ap.add_argument(
        "--commands", default="evaluate,report", help="which to run (default evaluate,report)"
    )
    ap.add_argument(
        "--inputs", default="grouped,ungrouped", help="which logs (default grouped,ungrouped)"
    )
    ap.add_argument(
        "--reuse", action="store_true",
        help="with --dir: reuse the logs generated there for the same --tickets and --seed",
    )  # fmt: skip
    ap.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.generate_only:
        grouped, by_time, n_rows = generate(args.tickets, args.seed, args.dir)
        print(n_rows)
        return

    policy = str(resources.files("slaclock") / "data" / "sample_policy.toml")
    exe = [sys.executable, "-m", "slaclock"]
    with tempfile.TemporaryDirectory(prefix="slaclock-bench-") as tmp:
        directory = args.dir or Path(tmp)
        directory.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        grouped = directory / "events_grouped.jsonl"
        by_time = directory / "events_by_time.jsonl"
        stamp = directory / "generated.json"
        wanted = {"tickets": args.tickets, "seed": args.seed}
        if args.reuse and stamp.exists() and json.loads(stamp.read_text())["for"] == wanted:
            n_rows = json.loads(stamp.read_text())["rows"]
            how = "reused"
        else:
            gen = [sys.executable, os.path.abspath(__file__), "--generate-only"]
            gen += ["--tickets", str(args.tickets), "--seed", str(args.seed)]
            gen += ["--dir", str(directory)]
            n_rows = int(subprocess.run(gen, check=True, capture_output=True, text=True).stdout)
            stamp.write_text(json.dumps({"for": wanted, "rows": n_rows}))
            how = f"generated in {time.perf_counter() - t0:.1f}s"
        size = grouped.stat().st_size / 2**20
        print(f"log: {args.tickets:,} tickets, {n_rows:,} events, {size:.0f} MiB JSONL ({how})")
        print(f"python {sys.version.split()[0]}, {sys.platform}\n")
        print(f"{'command':<10} {'input':<22} {'wall s':>8} {'events/s':>10} {'peak MiB':>9}")
        common = ["--policy", policy, "--now", NOW, "--no-progress"]
        report_json = ""
        commands = [c for c in args.commands.split(",") if c]
        inputs = [i for i in args.inputs.split(",") if i]
        for key, label, path, extra in (
            ("grouped", "grouped", grouped, ["--grouped"]),
            ("ungrouped", "by time (ungrouped)", by_time, []),
        ):
            if key not in inputs:
                continue
            for command, tail in (
                ("evaluate", ["--format", "jsonl", "-o", os.devnull]),
                ("report", ["--by", "customer,month", "--objective", "first_response:0.9:6h",
                            "--format", "json"]),
            ):  # fmt: skip
                if command not in commands:
                    continue
                cmd = [*exe, command, str(path), *common, *extra, *tail]
                wall, rss_kib, out = run(cmd, subprocess.PIPE)
                if command == "report":
                    report_json = out
                print(
                    f"{command:<10} {label:<22} {wall:8.1f} {n_rows / wall:10,.0f} "
                    f"{rss_kib / 1024:9.0f}"
                )
        if args.check and report_json:
            results = directory / "results.jsonl"
            cmd = [*exe, "evaluate", str(grouped), *common, "--grouped", "--format", "jsonl"]
            run([*cmd, "-o", str(results)])
            print("\ncheck: report vs an independent count of evaluate's JSONL (first_response)")
            print("\n".join(check(report_json, results, CUSTOMERS[:2] + CUSTOMERS[-1:])))


if __name__ == "__main__":
    main()
