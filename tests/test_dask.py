"""``slaclock.dask.evaluate`` on a real Dask ``LocalCluster`` (2 worker processes): the
rows of the single-process columnar path, whatever the input order and partitioning;
equal instants keep their input order; ``now=None`` is the latest event; the agreement
reaches the workers as JSON and is validated once per worker; bad input raises
slaclock's own errors; ``import slaclock.dask`` does not hide the real Dask.

Skipped, with the reason, without dask (``pip install -e '.[scale]'``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from scale_support import (
    EDGE_NOW,
    EDGE_POLICY,
    LATEST,
    NOW,
    ROOT,
    SAMPLE_POLICY,
    as_table,
    assert_same,
    big_log,
    by_key,
    edge_reference,
    edge_rows,
    edge_table,
    need,
    scrambled,
)

need("dask.dataframe", "(dask[dataframe])")
need("distributed")
need("pandas")
need("pyarrow")

import dask.dataframe as dd  # noqa: E402
import pandas as pd  # noqa: E402
import pyarrow as pa  # noqa: E402
from distributed import Client, LocalCluster  # noqa: E402

import slaclock.dask as sla_dask  # noqa: E402
from slaclock import (  # noqa: E402
    ConfigError,
    NaiveDatetimeError,
    Policy,
    TimelineError,
    _workers,
    batch,
)


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with Client(cluster) as c:
        yield c
    cluster.close()


def partitioned(table: pa.Table, n: int) -> Any:
    """``table`` as a Dask DataFrame of ``n`` partitions, in order."""
    return dd.from_pandas(table.to_pandas(), npartitions=n, sort=False)


class TestTheGeneratedLog:
    def test_identical_to_the_single_process_run(self, client: Client) -> None:
        folder, want = big_log()
        events = dd.read_parquet(str(folder))
        assert events.npartitions >= 2
        out = sla_dask.evaluate(events, Policy.from_file(SAMPLE_POLICY), now=NOW)
        assert list(out.columns) == want.column_names
        got = out.compute()
        assert_same(as_table(got, want), want)


class TestEdges:
    def test_scrambled_input_over_partitions(self, client: Client) -> None:
        table = edge_table(scrambled(edge_rows()))
        want = edge_reference(table, EDGE_NOW)
        out = sla_dask.evaluate(partitioned(table, 5), EDGE_POLICY, now=EDGE_NOW, partitions=3)
        got = as_table(out.compute(), want)
        assert_same(got, want)
        rows_by = by_key(got)
        # Equal instants in input order: solved then open resumes the resolution clock…
        reopened = rows_by[("E-solve-reopen", "resolution", 1)]
        assert reopened["status"] == "running"
        assert reopened["business_elapsed_s"] == 3 * 3600.0
        assert reopened["deadline"] == "2026-03-02T17:00:00+00:00"
        # … open then solved stops it at 10:00.
        solved = rows_by[("E-open-solve", "resolution", 1)]
        assert (solved["status"], solved["stopped_at"]) == ("met", "2026-03-02T10:00:00+00:00")
        # A ticket without events: nobody answered within the hour.
        silent = rows_by[("E-silent", "first_response", 1)]
        assert (silent["status"], silent["breached_at"]) == (
            "breached",
            "2026-03-02T10:00:00+00:00",
        )
        assert rows_by[("E-long", "resolution", 1)]["business_elapsed_s"] == 2 * 3600.0

    def test_equal_instants_in_reverse_partitions(self, client: Client) -> None:
        # The reopen row in the first partition, the solve in the last one: input order is
        # partition order, so the ticket is reopened first and solved last.
        rows = [r for r in edge_rows() if r["ticket_id"] == "E-solve-reopen"]
        created, reply, solve, reopen = rows
        table = edge_table([reopen, created, reply, solve])
        out = sla_dask.evaluate(partitioned(table, 4), EDGE_POLICY, now=EDGE_NOW, partitions=1)
        got = by_key(pa.Table.from_pandas(out.compute(), preserve_index=False))
        resolution = got[("E-solve-reopen", "resolution", 1)]
        assert (resolution["status"], resolution["stopped_at"]) == (
            "met",
            "2026-03-02T10:00:00+00:00",
        )

    def test_now_none_is_the_latest_event(self, client: Client) -> None:
        table = edge_table(edge_rows())
        want = edge_reference(table, datetime.fromisoformat(LATEST))
        got = as_table(sla_dask.evaluate(partitioned(table, 3), EDGE_POLICY).compute(), want)
        assert set(got.column("as_of").to_pylist()) == {LATEST}
        assert_same(got, want)

    def test_aware_datetimes(self, client: Client) -> None:
        pdf = edge_table(edge_rows()).to_pandas()
        pdf["at"] = pd.to_datetime(pdf["at"], utc=True, format="ISO8601")
        table = pa.Table.from_pandas(pdf, preserve_index=False)
        want = batch.evaluate_table(batch.prepare(table), EDGE_POLICY, now=EDGE_NOW)
        ddf = dd.from_pandas(pdf, npartitions=2, sort=False)
        got = as_table(sla_dask.evaluate(ddf, EDGE_POLICY, now=EDGE_NOW).compute(), want)
        assert_same(got, want)

    def test_meta_is_what_the_partitions_hold(self, client: Client) -> None:
        table = edge_table(edge_rows())
        out = sla_dask.evaluate(partitioned(table, 2), EDGE_POLICY, now=EDGE_NOW)
        got = out.compute()
        assert dict(got.dtypes) == dict(sla_dask.meta(["customer"]).dtypes)
        assert dict(out.dtypes) == dict(got.dtypes)

    def test_the_agreement_is_validated_once_per_worker(self, client: Client) -> None:
        table = edge_table(edge_rows())
        for _ in range(2):
            sla_dask.evaluate(partitioned(table, 4), EDGE_POLICY, now=EDGE_NOW).compute()
        text = _workers.policy_text(EDGE_POLICY)
        assert json.loads(text) == Policy.model_validate(EDGE_POLICY).model_dump(mode="json")

        def cached() -> list[tuple[str, int]]:
            return [(k, id(v)) for k, v in _workers._POLICIES.items()]

        for held in client.run(cached).values():
            assert [k for k, _ in held] == [text]
        ids = client.run(cached)
        sla_dask.evaluate(partitioned(table, 4), EDGE_POLICY, now=EDGE_NOW).compute()
        assert client.run(cached) == ids  # the same validated object, not a new one


class TestErrors:
    def test_a_naive_now_fails_at_once(self) -> None:
        ddf = partitioned(edge_table(edge_rows()), 2)
        with pytest.raises(NaiveDatetimeError, match="now"):
            sla_dask.evaluate(ddf, EDGE_POLICY, now=datetime(2026, 3, 2, 12))

    def test_a_missing_column(self) -> None:
        ddf = partitioned(edge_table(edge_rows()).drop_columns(["at"]), 2)
        with pytest.raises(ConfigError, match="'at' is missing"):
            sla_dask.evaluate(ddf, EDGE_POLICY, now=EDGE_NOW)

    def test_a_bad_row_raises_slaclocks_error(self, client: Client) -> None:
        rows = edge_rows()
        rows[1] = {**rows[1], "type": "telepathy"}
        out = sla_dask.evaluate(partitioned(edge_table(rows), 2), EDGE_POLICY, now=EDGE_NOW)
        with pytest.raises(TimelineError, match="unknown event type 'telepathy'"):
            out.compute()

    def test_a_time_without_offset(self, client: Client) -> None:
        rows = edge_rows()
        rows[1] = {**rows[1], "at": "2026-03-02T09:30:00"}
        ddf = partitioned(edge_table(rows), 2)
        with pytest.raises(TimelineError, match=r"'2026-03-02T09:30:00' .*no UTC offset"):
            sla_dask.evaluate(ddf, EDGE_POLICY).compute()


def test_slaclock_dask_and_dask_side_by_side() -> None:
    code = (
        "import slaclock.dask, dask, dask.dataframe, sys\n"
        "assert dask.__name__ == 'dask' and hasattr(dask.dataframe, 'read_parquet')\n"
        "assert slaclock.dask.evaluate and slaclock.dask.__name__ == 'slaclock.dask'\n"
        "import dask as again; assert again is dask\n"
        "print('ok')\n"
    )
    for first in ("", "import dask.dataframe\n"):
        proc = subprocess.run(
            [sys.executable, "-c", first + code], capture_output=True, text=True, cwd=ROOT
        )
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip() == "ok"
