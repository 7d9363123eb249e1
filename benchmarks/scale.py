"""Throughput past one process: ``slaclock.spark`` and ``slaclock.dask`` with 1 and 2
workers, beside the single-process columnar path, on one generated event log, in one run.

Run: ``.venv/bin/python benchmarks/scale.py [--tickets 1000000] [--seed 7] [--workers 1,2]
[--engines columnar,spark,dask] [--files 8] [--dir DIR] [--reuse]`` (needs the ``scale``
extra and Java 17+ for Spark: ``pip install -e '.[scale]'``)

The log is ``event_log.py``'s (about 11.6 rows per ticket, instants computed in UTC and
written with New York offsets, grouped by ticket), written as ``--files`` Parquet files of
whole tickets (text columns), in a child process so that its memory is not counted
against the engines. Every engine evaluates all of it on the sample agreement at
``2027-01-15T00:00:00+00:00`` and produces every result row:

- **columnar**: ``slaclock.batch.evaluate_table`` on each file in turn, in this process
  (one core);
- **spark N**: a ``local[N]`` session (``spark.sql.shuffle.partitions`` = 4 N), the files
  read with ``spark.read.parquet``, ``slaclock.spark.evaluate``, written to Spark's
  ``noop`` sink (every row computed, none collected);
- **dask N**: a ``LocalCluster`` of N worker processes with one thread each, the files
  read with ``dask.dataframe.read_parquet``, ``slaclock.dask.evaluate``, the rows counted
  on the workers.

Wall time is from the start of the job to its last row (the engine's start-up is shown
apart). It prints events/s and tickets/s per engine, the speed-up of N workers over one,
the machine and its load average before and after each engine, and a check: the count of
result rows per (metric, status) must be the same for every engine.
"""

from __future__ import annotations

# ruff: noqa: E402  (the sys.path fix must run before the other imports)
import os
import sys

# benchmarks/calendar.py would shadow the standard library's `calendar` module.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import argparse
import importlib.util
import json
import platform
import random
import subprocess
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any

NOW = datetime(2027, 1, 15, tzinfo=UTC)
COLUMNS = (
    "ticket_id", "at", "type", "status", "severity", "plan", "field", "value", "customer",
    "region",
)  # fmt: skip
POLICY = Path(str(resources.files("slaclock") / "data" / "sample_policy.toml"))


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


def log_table(first: int, count: int, rng: random.Random) -> Any:
    """Tickets ``first`` … ``first + count - 1`` of ``event_log.py``'s generator as a
    pyarrow Table of text columns (an all-empty column keeps its type)."""
    import pyarrow as pa

    event_log = load_sibling("event_log")
    columns: dict[str, list[Any]] = {c: [] for c in COLUMNS}
    for i in range(first, first + count):
        for row in event_log.ticket_events(rng, i):
            for name, values in columns.items():
                values.append(row.get(name))
    return pa.table({c: pa.array(v, pa.string()) for c, v in columns.items()})


def write_log(tickets: int, seed: int, directory: Path, files: int) -> tuple[int, int]:
    """Write the log as ``files`` Parquet files of whole tickets (``part-NNN.parquet``)
    into ``directory``; return (events, files written). Deterministic for a seed."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    per_file = -(-tickets // files)
    events = written = 0
    for k in range(files):
        first = k * per_file
        count = min(per_file, tickets - first)
        if count <= 0:
            break
        schema = pa.schema([(c, pa.string()) for c in COLUMNS])
        with pq.ParquetWriter(directory / f"part-{k:03d}.parquet", schema) as w:
            for start in range(first, first + count, 50_000):
                table = log_table(start, min(50_000, first + count - start), rng)
                w.write_table(table)
                events += table.num_rows
        written += 1
    return events, written


def machine() -> str:
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next(ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"python {platform.python_version()}; {cpu}; {os.cpu_count()} CPUs"


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def columnar(paths: list[Path], policy: Any) -> tuple[float, float, Counter[tuple[str, str]]]:
    import pyarrow.parquet as pq

    from slaclock import batch

    counts: Counter[tuple[str, str]] = Counter()
    t0 = time.perf_counter()
    for path in paths:
        out = batch.evaluate_table(pq.read_table(path), policy, now=NOW)
        pairs = out.group_by(["metric", "status"]).aggregate([([], "count_all")]).to_pylist()
        for pair in pairs:
            counts[(pair["metric"], pair["status"])] += pair["count_all"]
    return 0.0, time.perf_counter() - t0, counts


def spark(
    directory: Path, policy: Any, workers: int
) -> tuple[float, float, Counter[tuple[str, str]]]:
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    from slaclock import spark as sla_spark

    t0 = time.perf_counter()
    session = (
        SparkSession.builder.master(f"local[{workers}]")
        .appName("slaclock-scale")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "4g")
        .config("spark.sql.shuffle.partitions", str(4 * workers))
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    assert session.sparkContext.master == f"local[{workers}]", session.sparkContext.master
    started = time.perf_counter() - t0
    try:
        events = session.read.parquet(str(directory))
        t0 = time.perf_counter()
        out = sla_spark.evaluate(events, policy, now=NOW)
        out.write.format("noop").mode("overwrite").save()
        wall = time.perf_counter() - t0
        pairs = out.groupBy("metric", "status").count().collect()
        counts = Counter({(r["metric"], r["status"]): int(r["count"]) for r in pairs})
    finally:
        session.stop()
    return started, wall, counts


def dask(
    directory: Path, policy: Any, workers: int
) -> tuple[float, float, Counter[tuple[str, str]]]:
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    from slaclock import dask as sla_dask

    t0 = time.perf_counter()
    cluster = LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = Client(cluster)
    started = time.perf_counter() - t0
    try:
        events = dd.read_parquet(str(directory))
        t0 = time.perf_counter()
        out = sla_dask.evaluate(events, policy, now=NOW, partitions=4 * workers).persist()
        rows = len(out)
        wall = time.perf_counter() - t0
        pairs = out.groupby(["metric", "status"]).size().compute()
        counts = Counter({(m, s): int(n) for (m, s), n in pairs.items()})
        assert sum(counts.values()) == rows
        del out
    finally:
        client.close()
        cluster.close()
    return started, wall, counts


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--tickets", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workers", default="1,2", help="worker counts (default 1,2)")
    ap.add_argument("--engines", default="columnar,spark,dask")
    ap.add_argument("--files", type=int, default=8, help="Parquet files of the log (8)")
    ap.add_argument("--dir", type=Path, help="write the log here (default: a temp dir)")
    ap.add_argument("--reuse", action="store_true", help="with --dir: reuse a log there")
    ap.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.generate_only:
        print(json.dumps(write_log(args.tickets, args.seed, args.dir, args.files)))
        return
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")

    from slaclock import Policy

    policy = Policy.from_file(POLICY)
    engines = [e for e in args.engines.split(",") if e]
    workers = [int(w) for w in args.workers.split(",") if w]
    with tempfile.TemporaryDirectory(prefix="slaclock-scale-") as tmp:
        directory = args.dir or Path(tmp)
        stamp = directory / "generated.json"
        wanted = {"tickets": args.tickets, "seed": args.seed, "files": args.files}
        t0 = time.perf_counter()
        if args.reuse and stamp.exists() and json.loads(stamp.read_text())["for"] == wanted:
            events = json.loads(stamp.read_text())["events"]
            how = "reused"
        else:
            gen = [sys.executable, os.path.abspath(__file__), "--generate-only"]
            gen += ["--dir", str(directory / "events"), "--tickets", str(args.tickets)]
            gen += ["--seed", str(args.seed), "--files", str(args.files)]
            out = subprocess.run(gen, check=True, capture_output=True, text=True).stdout
            events = json.loads(out)[0]
            stamp.write_text(json.dumps({"for": wanted, "events": events}))
            how = f"generated in {time.perf_counter() - t0:.0f} s"
        paths = sorted((directory / "events").glob("part-*.parquet"))
        print(f"log: {args.tickets:,} tickets, {events:,} events in {len(paths)} Parquet "
              f"files ({how})")  # fmt: skip
        print(f"machine: {machine()}")
        versions = []
        for name in ("pyarrow", "pandas", "pyspark", "dask"):
            try:
                versions.append(f"{name} {__import__(name).__version__}")
            except ImportError:
                versions.append(f"{name} missing")
        print("versions: " + ", ".join(versions))
        print(f"agreement: the sample ({POLICY.name}); now = {NOW.isoformat()}\n")
        print(f"{'engine':<10} {'workers':>7} {'start s':>8} {'wall s':>8} {'events/s':>10} "
              f"{'tickets/s':>10} {'speed-up':>8}  load before -> after")  # fmt: skip
        runs: list[tuple[str, int, Callable[[], Any]]] = []
        if "columnar" in engines:
            runs.append(("columnar", 1, lambda: columnar(paths, policy)))
        for name, fn in (("spark", spark), ("dask", dask)):
            if name in engines:
                for w in workers:
                    runs.append((name, w, lambda fn=fn, w=w: fn(directory / "events", policy, w)))
        results: dict[str, Counter[tuple[str, str]]] = {}
        one: dict[str, float] = {}
        for name, w, fn in runs:
            before = load()
            started, wall, counts = fn()
            after = load()
            results[f"{name} {w}"] = counts
            one.setdefault(name, wall)
            speedup = one[name] / wall
            start = f"{started:8.1f}" if started else f"{'-':>8}"
            print(f"{name:<10} {w:>7} {start} {wall:8.1f} {events / wall:10,.0f} "
                  f"{args.tickets / wall:10,.0f} {speedup:8.2f}  {before} -> {after}",
                  flush=True)  # fmt: skip
        labels = list(results)
        first = results[labels[0]]
        print(f"\ncheck: result rows per (metric, status): {sum(first.values()):,} rows")
        for label in labels[1:]:
            same = results[label] == first
            print(f"  {label} vs {labels[0]}: {'identical' if same else 'DIFFERENT'}")
            if not same:
                raise SystemExit(f"{label}: {dict(results[label])} != {dict(first)}")


if __name__ == "__main__":
    main()
