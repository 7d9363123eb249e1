"""What ``test_spark.py`` and ``test_dask.py`` share (importable as ``scale_support``):
the engines' availability, the generated 50k-ticket log with its single-process results
(computed once per test session), a small table of edge cases written by hand, and the
comparison of result tables.

The tests skip, saying why, when pyspark / dask / Java are missing (the README's test
command does not install the ``scale`` extra); ``.ci/run`` sets
``SLACLOCK_REQUIRE_SCALE=1`` so that there a missing engine fails instead.
``SLACLOCK_SCALE_TICKETS`` makes the generated log smaller for a quick local run.
"""

from __future__ import annotations

import atexit
import functools
import importlib
import importlib.util
import os
import random
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = os.environ.get("SLACLOCK_REQUIRE_SCALE", "") not in ("", "0")
TICKETS = int(os.environ.get("SLACLOCK_SCALE_TICKETS", "50000"))
NOW = datetime(2027, 1, 15, tzinfo=UTC)
SAMPLE_POLICY = ROOT / "src" / "slaclock" / "data" / "sample_policy.toml"
COLUMNS = ("ticket_id", "at", "type", "status", "severity", "plan", "field", "value")

# pyspark 4.3 warns on import and on every conversion that it "does not yet fully support
# pandas >= 3.0.0" (the project's tests turn warnings into errors).
PYSPARK_PANDAS = "ignore:PySpark does not yet fully support pandas:FutureWarning"


def need(module: str, why: str = "") -> ModuleType:
    """``module`` imported, or the calling test module skipped (failed when the engines
    are required) with the reason."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        reason = f"{module} is not installed ({exc}); pip install -e '.[scale]' {why}".strip()
        if REQUIRED:
            raise RuntimeError(f"SLACLOCK_REQUIRE_SCALE is set but {reason}") from exc
        pytest.skip(reason, allow_module_level=True)


def need_java() -> None:
    """Spark needs a Java runtime (17 or later for pyspark 4)."""
    home = os.environ.get("JAVA_HOME")
    found = (home and Path(home, "bin", "java").exists()) or shutil.which("java")
    if not found:
        reason = "no Java runtime (java on PATH or JAVA_HOME) for Spark"
        if REQUIRED:
            raise RuntimeError(f"SLACLOCK_REQUIRE_SCALE is set but there is {reason}")
        pytest.skip(reason, allow_module_level=True)


def _bench(name: str) -> ModuleType:
    found = sys.modules.get(name)
    if found is not None:
        return found
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


_TMP = Path(tempfile.mkdtemp(prefix="slaclock-scale-tests-"))
atexit.register(shutil.rmtree, _TMP, True)


@functools.cache
def big_log() -> tuple[Path, Any]:
    """``event_log.py``'s generator (seed 7, instants computed in UTC, written with New
    York offsets), :data:`TICKETS` tickets, as the engines get it: sorted by time (an
    audit export: tickets interleaved, a ticket's rows spread over the files) in four
    Parquet files; and the single-process result table (``batch.evaluate_table`` on the
    log grouped by ticket, at :data:`NOW`)."""
    import numpy as np
    import pyarrow.parquet as pq

    from slaclock import Policy, batch

    grouped = _bench("scale").log_table(0, TICKETS, random.Random(7))
    order = np.argsort(batch._instants(grouped.column("at")), kind="stable")
    by_time = grouped.take(order)
    folder = _TMP / "log"
    folder.mkdir()
    quarter = -(-by_time.num_rows // 4)
    for k in range(4):
        pq.write_table(by_time.slice(k * quarter, quarter), folder / f"part-{k}.parquet")
    want = batch.evaluate_table(grouped, Policy.from_file(SAMPLE_POLICY), now=NOW)
    return folder, want


# -- edge cases, worked out by hand ---------------------------------------------------

EDGE_POLICY: dict[str, Any] = {
    "calendars": {"always": {"preset": "24x7", "timezone": "UTC"}},
    "default_calendar": "always",
    "severities": {"high": {"first_response": "1h", "resolution": "8h"}},
}
EDGE_NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)
LATEST = "2026-03-02T07:00:00-05:00"  # E-late's customer reply: the latest event (12:00Z)


def _row(tid: str, at: str, kind: str, **extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = {**dict.fromkeys(COLUMNS), "customer": None}
    row.update(ticket_id=tid, at=at, type=kind, **extra)
    return row


def edge_rows() -> list[dict[str, Any]]:
    """Five tickets on a 24x7 UTC desk (first response 1 h, resolution 8 h), in order."""
    day = "2026-03-02T"
    rows = [
        # A solve and a reopen at one instant, in this order: resolution resumes.
        _row("E-solve-reopen", day + "09:00:00+00:00", "created", severity="high",
             customer="acme"),
        _row("E-solve-reopen", day + "09:30:00+00:00", "agent_reply"),
        _row("E-solve-reopen", day + "10:00:00+00:00", "status", status="solved"),
        _row("E-solve-reopen", day + "10:00:00+00:00", "status", status="open"),
        # The same two events the other way round: resolution is met at 10:00.
        _row("E-open-solve", day + "09:00:00+00:00", "created", severity="high",
             customer="globex"),
        _row("E-open-solve", day + "09:30:00+00:00", "agent_reply"),
        _row("E-open-solve", day + "10:00:00+00:00", "status", status="open"),
        _row("E-open-solve", day + "10:00:00+00:00", "status", status="solved"),
        # No event after creation.
        _row("E-silent", day + "09:00:00+00:00", "created", severity="high",
             customer="initech"),
    ]  # fmt: skip
    # Many rows (cut across Arrow batches when batches are small).
    rows.append(_row("E-long", day + "08:00:00+00:00", "created", severity="high",
                     customer="acme"))  # fmt: skip
    rows.append(_row("E-long", day + "08:05:00+00:00", "agent_reply"))
    for k in range(20):
        minute = 10 + 4 * k
        kind = "customer_reply" if k % 2 == 0 else "agent_reply"
        rows.append(_row("E-long", f"{day}{8 + minute // 60:02d}:{minute % 60:02d}:00+00:00", kind))
    rows.append(_row("E-long", day + "10:00:00+00:00", "status", status="solved"))
    # Written in New York time; its last event is the latest of the table.
    rows += [
        _row("E-late", day + "06:00:00-05:00", "created", severity="high", customer="acme"),
        _row("E-late", day + "06:20:00-05:00", "agent_reply"),
        _row("E-late", LATEST, "customer_reply"),
    ]
    return rows


def scrambled(rows: list[dict[str, Any]], seed: int = 5) -> list[dict[str, Any]]:
    """``rows`` in a random order (tickets interleaved, a ticket's rows out of time
    order), except that rows of one ticket at one instant keep their relative order."""
    rng = random.Random(seed)
    slots = list(range(len(rows)))
    rng.shuffle(slots)
    out: list[dict[str, Any] | None] = [None] * len(rows)
    groups: dict[tuple[str, str], list[int]] = {}
    for i, row in enumerate(rows):
        groups.setdefault((row["ticket_id"], row["at"]), []).append(i)
    for members in groups.values():
        for i, slot in zip(members, sorted(slots[i] for i in members), strict=True):
            out[slot] = rows[i]
    assert all(r is not None for r in out)
    return [r for r in out if r is not None]


def edge_table(rows: list[dict[str, Any]]) -> Any:
    """``rows`` as a pyarrow Table of text columns (the ticket field ``customer`` last)."""
    import pyarrow as pa

    names = [*COLUMNS, "customer"]
    schema = pa.schema([(c, pa.string()) for c in names])
    return pa.Table.from_pylist([{c: r.get(c) for c in names} for r in rows], schema=schema)


def edge_reference(table: Any, now: datetime | None) -> Any:
    """The single-process results of an edge table (put in order by ``batch.prepare``)."""
    from slaclock import batch

    return batch.evaluate_table(batch.prepare(table), EDGE_POLICY, now=now)


# -- comparing result tables ----------------------------------------------------------

KEYS = [("ticket_id", "ascending"), ("metric", "ascending"), ("cycle", "ascending")]


def as_table(frame: Any, like: Any) -> Any:
    """A pandas result frame as a pyarrow Table with the schema of ``like``."""
    import pyarrow as pa

    return pa.Table.from_pandas(frame[like.column_names], schema=like.schema, preserve_index=False)


def assert_same(got: Any, want: Any) -> None:
    """Two result tables hold the same rows (in any order); else the first difference."""
    assert got.column_names == want.column_names
    assert got.num_rows == want.num_rows, (got.num_rows, want.num_rows)
    a, b = got.sort_by(KEYS), want.sort_by(KEYS)
    if a.equals(b):
        return
    for name in a.column_names:
        x, y = a.column(name).to_pylist(), b.column(name).to_pylist()
        for i, (u, v) in enumerate(zip(x, y, strict=True)):
            if u != v and not (u != u and v != v):  # NaN == NaN here
                key = {k: a.column(k)[i].as_py() for k, _ in KEYS}
                raise AssertionError(f"{key}: column {name!r} is {u!r}, single process {v!r}")
    raise AssertionError("the tables differ")  # pragma: no cover - types only


def by_key(table: Any) -> dict[tuple[str, str, int], dict[str, Any]]:
    """Result rows by (ticket, metric, cycle)."""
    return {(r["ticket_id"], r["metric"], r["cycle"]): r for r in table.to_pylist()}
