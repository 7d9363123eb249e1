"""Evaluate an event table on Dask (the ``scale`` extra: dask[dataframe], distributed).

:func:`evaluate` takes a Dask DataFrame holding an event log — the columns of
:mod:`slaclock.batch`: ``ticket_id``, ``at``, ``type``, ``status``, ``severity``,
``plan``, ``field``, ``value``, and any other column is a ticket field — and returns a
lazy Dask DataFrame of result rows (the columns of
:func:`slaclock.batch.result_schema`), one per clock, the very rows
:func:`slaclock.batch.evaluate_table` gives for the same table in one process.

How: the rows are numbered in input order, shuffled on ``ticket_id`` (a ticket's rows
all land in one partition), and each partition is put back in input order, sorted with
:func:`slaclock.batch.prepare` (clustered by ticket, by instant within a ticket, rows at
one instant in input order) and evaluated by the columnar kernel (``map_partitions``,
with ``meta`` from the result schema). The agreement travels to the workers as its JSON
dump and is validated once per worker process. slaclock (with the ``batch`` extra) must
be installed on the workers.

::

    import slaclock.dask
    results = slaclock.dask.evaluate(events, policy, now=now)  # lazy
    results.to_parquet("s3://bucket/sla-results/")

(This module is ``slaclock.dask``; inside it, the real Dask is imported by its absolute
name, so ``import slaclock.dask`` and ``import dask`` live side by side.)
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from . import batch
from ._workers import latest, policy_of, policy_text
from .errors import ConfigError
from .policy import Policy

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["evaluate", "meta"]

_PART: Final = "_slaclock_part"
_POS: Final = "_slaclock_pos"


def _dataframe_module() -> Any:
    try:
        return importlib.import_module("dask.dataframe")
    except ImportError:  # pragma: no cover - the extra is documented
        raise ConfigError(
            "slaclock.dask needs dask[dataframe]: pip install 'slaclock[scale]'"
        ) from None


def meta(fields: Sequence[str] = ()) -> pd.DataFrame:
    """An empty pandas DataFrame with the columns and dtypes of the result rows
    (:func:`slaclock.batch.result_schema`): the ``meta`` of :func:`evaluate`'s result."""
    return batch.result_schema(fields).empty_table().to_pandas()


def _number(frame: pd.DataFrame, partition_info: Mapping[str, Any] | None = None) -> Any:
    """``frame`` with its input position: partition number and row within it."""
    import numpy as np

    number = 0 if partition_info is None else int(partition_info["number"])
    return frame.assign(**{_PART: np.int64(number), _POS: np.arange(len(frame), dtype=np.int64)})


def _latest_of(frame: pd.DataFrame) -> pd.DataFrame:
    """The latest instant of a partition (µs) and its ``at`` value, as one row (none for
    an empty partition)."""
    import pandas as pd
    import pyarrow as pa

    if len(frame) == 0:
        return pd.DataFrame({"us": pd.Series([], dtype="int64"), "at": pd.Series([], dtype=object)})
    times = batch._instants(pa.Array.from_pandas(frame["at"]))
    k = int(times.argmax())
    return pd.DataFrame(
        {"us": [int(times[k])], "at": pd.Series([frame["at"].iloc[k]], dtype=object)}
    )


def _kernel(
    frame: pd.DataFrame,
    *,
    agreement: str,
    now: datetime | None,
    columns: Sequence[str],
    fields: Sequence[str],
    chunk_tickets: int,
) -> pd.DataFrame:
    """What every partition runs: rows of whole tickets in, result rows out."""
    import pyarrow as pa

    policy = policy_of(agreement)
    schema = batch.result_schema(fields)
    if len(frame) == 0:
        return schema.empty_table().to_pandas()
    ordered = frame.sort_values([_PART, _POS], kind="stable")[list(columns)]
    table = batch.prepare(pa.Table.from_pandas(ordered, preserve_index=False))
    pieces = batch._evaluate_pieces([table], policy, now=now, chunk_tickets=chunk_tickets)
    rows = list(batch.result_rows_of(pieces, fields))
    return pa.Table.from_pylist(rows, schema=schema).to_pandas()


def evaluate(
    ddf: Any,
    policy: Policy | Mapping[str, Any],
    *,
    now: datetime | None = None,
    partitions: int | None = None,
    chunk_tickets: int = 4096,
) -> Any:
    """The SLA clocks of every ticket of the event table ``ddf`` (a
    ``dask.dataframe.DataFrame``), as a lazy Dask DataFrame of result rows (columns and
    dtypes of :func:`meta`; the rows of :func:`slaclock.batch.evaluate_table`).

    ``ddf`` needs ``ticket_id`` and ``at`` (ISO 8601 text with an offset, or an aware
    datetime column); its rows may come in any order: they are shuffled on ticket (into
    ``partitions``, default as many as ``ddf`` has) and sorted by instant within each
    ticket, rows at one instant keeping their input order.

    ``now`` is the instant every ticket is evaluated at. ``None`` means one instant for
    all tickets, the latest event in the input, as ``slaclock evaluate`` does without
    ``--now``: it is computed first (the input is read once for it; persist ``ddf`` if
    that is expensive).

    Errors in the rows (an unknown event type, a time without offset) are raised when
    the result is computed, as slaclock's own exceptions (:class:`~slaclock.TimelineError`
    …). A bad agreement, a naive ``now`` or a missing column raise here.
    """
    _dataframe_module()
    batch._numpy()
    text = policy_text(policy)
    batch._now_us(now)
    names = list(ddf.columns)
    missing = [c for c in ("ticket_id", "at") if c not in names]
    if missing:
        raise ConfigError(
            f"the event table needs the columns 'ticket_id' and 'at'; {missing[0]!r} is "
            f"missing from {names}"
        )
    if partitions is not None and partitions < 1:
        raise ConfigError(f"partitions={partitions!r} must be at least 1 (or None)")
    if chunk_tickets < 1:
        raise ConfigError(f"chunk_tickets={chunk_tickets!r} must be at least 1")
    columns = [c for c in names if c not in (_PART, _POS)]
    fields = [c for c in columns if c not in batch.RESERVED]
    if now is None:
        import pandas as pd

        found = ddf[["at"]].map_partitions(_latest_of, meta=_latest_of(pd.DataFrame({"at": []})))
        tops = found.compute()
        if len(tops):
            k = int(tops["us"].to_numpy().argmax())
            now = latest(int(tops["us"].iloc[k]), tops["at"].iloc[k])
    numbered = ddf[columns].map_partitions(_number, meta=_number(ddf._meta[columns]))
    shuffled = numbered.shuffle(on="ticket_id", npartitions=partitions)
    return shuffled.map_partitions(
        _kernel,
        agreement=text,
        now=now,
        columns=columns,
        fields=fields,
        chunk_tickets=chunk_tickets,
        meta=meta(fields),
        align_dataframes=False,
    )
