"""``slaclock.spark.evaluate`` on a real local Spark (``local[2]``, the machine's Java):
the rows of the single-process columnar path, whatever the input order, however the
Arrow batches cut a ticket; equal instants keep their input order; ``now=None`` is the
latest event; bad input fails with slaclock's message.

Skipped, with the reason, without pyspark or Java (``pip install -e '.[scale]'``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from datetime import datetime

import pytest
from scale_support import (
    EDGE_NOW,
    EDGE_POLICY,
    LATEST,
    NOW,
    PYSPARK_PANDAS,
    SAMPLE_POLICY,
    assert_same,
    big_log,
    by_key,
    edge_reference,
    edge_rows,
    edge_table,
    need,
    need_java,
    scrambled,
)

need("pyspark", "(and Java 17+)")
need("pandas")
need("pyarrow")
need_java()

import pandas as pd  # noqa: E402
import pyarrow as pa  # noqa: E402
from pyspark.errors import PythonException  # noqa: E402
from pyspark.sql import DataFrame, SparkSession  # noqa: E402

from slaclock import ConfigError, NaiveDatetimeError, Policy, batch  # noqa: E402
from slaclock import spark as sla_spark  # noqa: E402

pytestmark = pytest.mark.filterwarnings(PYSPARK_PANDAS)

SCHEMA = ", ".join(f"{c} string" for c in edge_table([]).column_names)


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    # The Python workers must be this interpreter (the one with slaclock installed).
    saved = {k: os.environ.get(k) for k in ("PYSPARK_PYTHON", "PYSPARK_DRIVER_PYTHON")}
    os.environ["PYSPARK_PYTHON"] = os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("slaclock-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def collected(df: DataFrame, like: pa.Table) -> pa.Table:
    """The rows of ``df`` as a pyarrow Table with the schema of ``like``."""
    return df.toArrow().select(like.column_names).cast(like.schema)


class TestTheGeneratedLog:
    def test_identical_to_the_single_process_run(self, spark: SparkSession) -> None:
        folder, want = big_log()
        events = spark.read.parquet(str(folder))
        assert events.rdd.getNumPartitions() >= 2
        got = sla_spark.evaluate(events, Policy.from_file(SAMPLE_POLICY), now=NOW)
        assert got.schema == sla_spark.spark_schema(["customer", "region"])
        assert_same(collected(got, want), want)


class TestEdges:
    @pytest.fixture
    def small_batches(self, spark: SparkSession) -> Iterator[None]:
        key = "spark.sql.execution.arrow.maxRecordsPerBatch"
        before = spark.conf.get(key)
        spark.conf.set(key, "3")
        yield
        spark.conf.set(key, before)

    def test_scrambled_input_in_small_batches(
        self, spark: SparkSession, small_batches: None
    ) -> None:
        rows = scrambled(edge_rows())
        table = edge_table(rows)
        pdf = table.to_pandas().astype(object)
        df = spark.createDataFrame(pdf.where(pdf.notna(), None), schema=SCHEMA)
        assert df.rdd.getNumPartitions() == 4  # the rows of a ticket start out apart
        want = edge_reference(table, EDGE_NOW)
        got = collected(sla_spark.evaluate(df, EDGE_POLICY, now=EDGE_NOW), want)
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
        assert solved["business_elapsed_s"] == 3600.0
        # A ticket without events: nobody answered within the hour.
        silent = rows_by[("E-silent", "first_response", 1)]
        assert (silent["status"], silent["breached_at"]) == (
            "breached",
            "2026-03-02T10:00:00+00:00",
        )
        # 23 rows in batches of 3: the ticket was carried across eight batches.
        long = rows_by[("E-long", "resolution", 1)]
        assert (long["status"], long["business_elapsed_s"]) == ("met", 2 * 3600.0)
        assert rows_by[("E-long", "first_response", 1)]["stopped_at"] == (
            "2026-03-02T08:05:00+00:00"
        )
        assert {r["field.customer"] for r in got.to_pylist()} == {"acme", "globex", "initech"}

    def test_rows_at_one_instant_are_sorted_by_input_position(
        self, spark: SparkSession, capsys: pytest.CaptureFixture[str]
    ) -> None:
        # On one machine a shuffle fetches blocks in partition order, so the test above
        # passes even without the row number; on a cluster blocks arrive in any order, and
        # only the sort by the input position keeps equal instants in input order.
        df = spark.createDataFrame([], schema=SCHEMA)
        sla_spark.evaluate(df, EDGE_POLICY, now=EDGE_NOW).explain()
        plan = capsys.readouterr().out
        assert "monotonically_increasing_id()" in plan
        sort = next(line for line in plan.splitlines() if "Sort [" in line)
        assert sort.index("ticket_id") < sort.index("_slaclock_us") < sort.index("_slaclock_row")

    def test_now_none_is_the_latest_event(self, spark: SparkSession) -> None:
        table = edge_table(edge_rows())
        df = spark.createDataFrame(table.to_pandas().astype(object), schema=SCHEMA)
        want = edge_reference(table, datetime.fromisoformat(LATEST))
        got = collected(sla_spark.evaluate(df, EDGE_POLICY), want)
        assert set(got.column("as_of").to_pylist()) == {LATEST}
        assert_same(got, want)

    def test_a_timestamp_column(self, spark: SparkSession) -> None:
        table = edge_table(edge_rows())
        pdf = table.to_pandas()
        pdf["at"] = pd.to_datetime(pdf["at"], utc=True, format="ISO8601")
        df = spark.createDataFrame(pdf.astype({c: object for c in pdf.columns if c != "at"}))
        assert dict(df.dtypes)["at"] == "timestamp"
        reference = pa.Table.from_pandas(pdf, preserve_index=False)
        want = batch.evaluate_table(batch.prepare(reference), EDGE_POLICY, now=EDGE_NOW)
        got = collected(sla_spark.evaluate(df, EDGE_POLICY, now=EDGE_NOW), want)
        assert_same(got, want)
        assert "2026-03-02T11:00:00+00:00" in got.column("created_at").to_pylist()  # E-late

    def test_an_empty_table(self, spark: SparkSession) -> None:
        df = spark.createDataFrame([], schema=SCHEMA)
        out = sla_spark.evaluate(df, EDGE_POLICY)
        assert out.count() == 0
        assert out.columns == batch.result_schema(["customer"]).names


class TestErrors:
    def test_a_naive_now_fails_at_once(self, spark: SparkSession) -> None:
        df = spark.createDataFrame([], schema=SCHEMA)
        with pytest.raises(NaiveDatetimeError, match="now"):
            sla_spark.evaluate(df, EDGE_POLICY, now=datetime(2026, 3, 2, 12))

    def test_a_missing_column(self, spark: SparkSession) -> None:
        df = spark.createDataFrame([], schema="ticket_id string, type string")
        with pytest.raises(ConfigError, match="'at' is missing"):
            sla_spark.evaluate(df, EDGE_POLICY, now=EDGE_NOW)

    def test_times_as_numbers(self, spark: SparkSession) -> None:
        schema = "ticket_id string, at long, type string"
        df = spark.createDataFrame([("T-1", 1, "created")], schema=schema)
        with pytest.raises(ConfigError, match=r"'bigint'.*ISO 8601"):
            sla_spark.evaluate(df, EDGE_POLICY, now=EDGE_NOW)

    def test_a_bad_agreement_fails_on_the_driver(self, spark: SparkSession) -> None:
        df = spark.createDataFrame([], schema=SCHEMA)
        with pytest.raises(ValueError, match="1d"):
            sla_spark.evaluate(df, {**EDGE_POLICY, "severities": {"high": {"resolution": "1d"}}})

    def test_a_bad_row_fails_with_slaclocks_message(self, spark: SparkSession) -> None:
        rows = edge_rows()
        rows[1] = {**rows[1], "type": "telepathy"}
        df = spark.createDataFrame(edge_table(rows).to_pandas().astype(object), schema=SCHEMA)
        with pytest.raises(PythonException, match="unknown event type 'telepathy'"):
            sla_spark.evaluate(df, EDGE_POLICY, now=EDGE_NOW).collect()

    def test_a_time_spark_reads_otherwise(self, spark: SparkSession) -> None:
        rows = edge_rows()
        rows[1] = {**rows[1], "at": "2026-03-02T09:30+00:00"}  # no seconds: Spark gives up
        df = spark.createDataFrame(edge_table(rows).to_pandas().astype(object), schema=SCHEMA)
        with pytest.raises(PythonException, match=r"'2026-03-02T09:30\+00:00'.*read differently"):
            sla_spark.evaluate(df, EDGE_POLICY, now=EDGE_NOW).collect()


def test_the_output_schema_is_the_result_schema() -> None:
    schema = sla_spark.spark_schema(["customer"])
    want = batch.result_schema(["customer"])
    assert schema.names == want.names
    kinds = {f.name: f.dataType.simpleString() for f in schema.fields}
    assert kinds["cycle"] == "bigint"
    assert kinds["share_used"] == "double"
    assert kinds["at_risk"] == "boolean"
    assert kinds["deadline"] == kinds["field.customer"] == "string"
