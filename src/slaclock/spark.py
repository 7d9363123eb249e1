"""Evaluate an event table on Spark (the ``scale`` extra: pyspark, with Java 17 or later).

:func:`evaluate` takes a Spark DataFrame holding an event log — the columns of
:mod:`slaclock.batch`: ``ticket_id``, ``at``, ``type``, ``status``, ``severity``,
``plan``, ``field``, ``value``, and any other column is a ticket field — and returns a
Spark DataFrame of result rows (the columns of :func:`slaclock.batch.result_schema`),
one per clock, the very rows :func:`slaclock.batch.evaluate_table` gives for the same
table in one process.

How: the rows are numbered in input order, repartitioned by ``ticket_id`` (a ticket's
rows all land in one partition), sorted within each partition by ticket, instant and
that number (so rows at one instant keep their input order), and each partition runs
through the columnar kernel with ``mapInPandas``; a ticket cut across two Arrow batches
is carried over. The agreement travels to the executors as its JSON dump and is
validated once per Python worker. slaclock (with the ``batch`` extra) must be installed
where the executors run Python.

::

    from slaclock import spark as sla_spark
    results = sla_spark.evaluate(events, policy, now=now)  # a lazy Spark DataFrame
    results.write.parquet("s3://bucket/sla-results/")
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from . import batch
from ._workers import latest, policy_of, policy_text
from .errors import ConfigError, TimelineError
from .policy import Policy

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import pyarrow as pa
    from pyspark.sql import DataFrame
    from pyspark.sql.types import StructType

__all__ = ["evaluate", "spark_schema"]

_ROW: Final = "_slaclock_row"
_US: Final = "_slaclock_us"


def spark_schema(fields: Sequence[str] = ()) -> StructType:
    """:func:`slaclock.batch.result_schema` as a Spark ``StructType`` (text, ``long``,
    ``double`` and ``boolean`` columns, all nullable)."""
    import pyarrow as pa
    from pyspark.sql import types as T

    kinds = {
        pa.string(): T.StringType(),
        pa.int64(): T.LongType(),
        pa.float64(): T.DoubleType(),
        pa.bool_(): T.BooleanType(),
    }
    return T.StructType(
        [T.StructField(f.name, kinds[f.type], True) for f in batch.result_schema(fields)]
    )


def _arrow_types(df: DataFrame) -> dict[str, pa.DataType]:
    """The Arrow type of each plain input column, so that a batch in which a column is all
    empty keeps its type (pandas alone would make it ``null`` and the carried rows of a
    ticket could not be joined to the next batch)."""
    import pyarrow as pa
    from pyspark.sql import types as T

    kinds: list[tuple[type, pa.DataType]] = [
        (T.StringType, pa.string()),
        (T.LongType, pa.int64()),
        (T.IntegerType, pa.int32()),
        (T.ShortType, pa.int16()),
        (T.DoubleType, pa.float64()),
        (T.FloatType, pa.float32()),
        (T.BooleanType, pa.bool_()),
    ]
    out: dict[str, pa.DataType] = {}
    for f in df.schema.fields:
        for spark_type, arrow_type in kinds:
            if isinstance(f.dataType, spark_type):
                out[f.name] = arrow_type
    return out


def _instant_column(df: DataFrame) -> tuple[Any, bool]:
    """A Spark expression for the instant of ``at`` in µs since the epoch, and whether
    ``at`` is a timestamp column (else text, read again and checked by the kernel)."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    kind = df.schema["at"].dataType
    if isinstance(kind, T.TimestampType):
        return F.unix_micros(F.col("at")), True
    if isinstance(kind, T.StringType):
        return F.unix_micros(F.try_to_timestamp(F.col("at"))), False
    raise ConfigError(
        f"the event table's 'at' column has type {kind.simpleString()!r}; give ISO 8601 "
        "text with an offset (2026-11-16T09:00:00-05:00) or a timestamp column (not "
        "timestamp_ntz: slaclock never guesses the zone)"
    )


def _latest(df: DataFrame, us: Any, is_timestamp: bool) -> datetime | None:
    """The latest event of the table (one Spark aggregation), with the offset its text
    has; ``None`` for an empty table."""
    from pyspark.sql import functions as F

    row = df.agg(F.max(us).alias("us"), F.max_by(F.col("at"), us).alias("at")).first()
    if row is None:
        return None
    return latest(row["us"], None if is_timestamp else row["at"])


def _check_instants(table: pa.Table) -> None:
    """The kernel reads ``at`` itself; the rows were sorted by Spark's reading of it. They
    must agree, else the sort was not by the instant slaclock sees."""
    import numpy as np

    ours = batch._instants(table.column("at"))
    spark = table.column(_US).fill_null(-(2**62)).to_numpy()
    bad = np.flatnonzero(ours != spark)
    if len(bad):
        value = table.column("at")[int(bad[0])].as_py()
        raise TimelineError(
            f"time {value!r} in 'at' is read differently by Spark, so the rows cannot "
            "be sorted by it; write ISO 8601 with seconds and an offset "
            "(2026-11-16T09:00:00-05:00) or give 'at' as a timestamp column"
        )


def _kernel(
    frames: Iterator[pd.DataFrame],
    *,
    agreement: str,
    now: datetime | None,
    columns: Sequence[str],
    types: Mapping[str, pa.DataType],
    fields: Sequence[str],
    is_timestamp: bool,
    chunk_tickets: int,
) -> Iterator[pd.DataFrame]:
    """What every partition runs: pandas batches of sorted rows in, result rows out."""
    import pandas as pd
    import pyarrow as pa

    policy = policy_of(agreement)
    names = [f.name for f in batch.result_schema(fields)]
    types = {**types, _US: pa.int64()}

    def tables() -> Iterator[pa.Table]:
        for frame in frames:
            if is_timestamp:
                frame = frame.assign(at=pd.to_datetime(frame[_US], unit="us", utc=True))
            arrays = []
            for name in (*columns, _US):
                values = frame[name]
                kind = types.get(name)
                arrays.append(pa.Array.from_pandas(values, type=kind))
            table = pa.Table.from_arrays(arrays, names=[*columns, _US])
            if not is_timestamp:
                _check_instants(table)
            yield table.drop_columns([_US])

    done: list[Any] = []
    pieces = batch._evaluate_pieces(tables(), policy, now=now, chunk_tickets=chunk_tickets)
    for item in pieces:
        done.append(item)
        if len(done) >= chunk_tickets:
            yield pd.DataFrame(list(batch.result_rows_of(done, fields)), columns=names)
            done.clear()
    if done:
        yield pd.DataFrame(list(batch.result_rows_of(done, fields)), columns=names)


def evaluate(
    df: DataFrame,
    policy: Policy | Mapping[str, Any],
    *,
    now: datetime | None = None,
    partitions: int | None = None,
    chunk_tickets: int = 4096,
) -> DataFrame:
    """The SLA clocks of every ticket of the event table ``df``, as a Spark DataFrame of
    result rows (:func:`spark_schema`; the rows of :func:`slaclock.batch.evaluate_table`).

    ``df`` needs ``ticket_id`` and ``at`` (ISO 8601 text with an offset, or a timestamp
    column); its rows may come in any order: they are repartitioned by ticket (into
    ``partitions``, default ``spark.sql.shuffle.partitions``) and sorted by instant
    within each ticket, rows at one instant keeping their input order.

    ``now`` is the instant every ticket is evaluated at. ``None`` means one instant for
    all tickets, the latest event in the input, as ``slaclock evaluate`` does without
    ``--now``: it is found first with a Spark aggregation (an action: the input is read
    once for it), so cache ``df`` if it is expensive to read twice.

    The result is lazy: bad rows (an unknown event type, a ticket without severity, a
    time without offset) raise when it is computed, as Spark's ``PythonException``
    carrying slaclock's message. A bad agreement, a naive ``now`` or a missing column
    raise here, as :class:`~slaclock.ConfigError` / :class:`~slaclock.NaiveDatetimeError`.
    """
    from pyspark.sql import functions as F

    batch._numpy()
    text = policy_text(policy)
    batch._now_us(now)  # a naive instant is an error now, not on an executor
    missing = [c for c in ("ticket_id", "at") if c not in df.columns]
    if missing:
        raise ConfigError(
            f"the event table needs the columns 'ticket_id' and 'at'; {missing[0]!r} is "
            f"missing from {df.columns}"
        )
    if partitions is not None and partitions < 1:
        raise ConfigError(f"partitions={partitions!r} must be at least 1 (or None)")
    if chunk_tickets < 1:
        raise ConfigError(f"chunk_tickets={chunk_tickets!r} must be at least 1")
    columns = [c for c in df.columns if c not in (_ROW, _US)]
    fields = [c for c in columns if c not in batch.RESERVED]
    us, is_timestamp = _instant_column(df)
    if now is None:
        now = _latest(df, us, is_timestamp)
    numbered = df.select(*columns).withColumn(_ROW, F.monotonically_increasing_id())
    numbered = numbered.withColumn(_US, us)
    if is_timestamp:
        numbered = numbered.drop("at").withColumn("at", F.lit(None).cast("string"))
    shuffled = (
        numbered.repartition(partitions, "ticket_id")
        if partitions is not None
        else numbered.repartition("ticket_id")
    )
    ordered = shuffled.sortWithinPartitions("ticket_id", _US, _ROW).select(*columns, _US)
    kernel = functools.partial(
        _kernel,
        agreement=text,
        now=now,
        columns=columns,
        types=_arrow_types(df),
        fields=fields,
        is_timestamp=is_timestamp,
        chunk_tickets=chunk_tickets,
    )
    return ordered.mapInPandas(kernel, schema=spark_schema(fields))
