"""Evaluate many tickets at once: event tables in, result tables out (the ``batch`` extra:
numpy, pyarrow, pandas).

The replay is the engine's own (one pass over each ticket's events); what changes is the
calendar arithmetic, done for all the cycles of a chunk of tickets at once on numpy arrays
(:mod:`slaclock._vector`), and the input: columns of an event table instead of validated
:class:`~slaclock.Ticket` objects. The results are the very objects and figures
:func:`slaclock.evaluate` gives (a property test holds them equal).

Event tables have the columns of an event log (see :mod:`slaclock.io`): ``ticket_id``,
``at``, ``type`` (``created``, ``agent_reply``, ``customer_reply``, ``internal_note``,
``status``, ``severity``, ``plan``, ``field``), ``status``, ``severity``, ``plan``,
``field`` and ``value``, and any other column is a ticket field (its value on the
``created`` row, else the first non-empty one). Rows must be clustered by ticket and
sorted by time within a ticket; :func:`prepare` sorts a table that is not.

::

    from slaclock import batch
    results = batch.evaluate_table(events_df, policy, now=now)   # a pandas DataFrame
    for chunk in batch.evaluate_batches(record_batches, policy, now=now): ...
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from ._measure import Context, choose, result
from .engine import _compiled, _Replay, replay_events
from .errors import ConfigError, NaiveDatetimeError, TimelineError
from .io import _SeenIds
from .policy import Policy
from .results import MetricResult, TicketSla
from .ticket import Ticket

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

__all__ = [
    "LOG_SUFFIXES",
    "RESERVED",
    "evaluate_batches",
    "evaluate_many",
    "evaluate_pieces",
    "evaluate_table",
    "latest_event",
    "prepare",
    "read_log",
    "result_rows_of",
    "result_schema",
]

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US: Final = timedelta(microseconds=1)
RESERVED: Final = ("ticket_id", "at", "type", "status", "severity", "plan", "field", "value")
"""The columns with a meaning; every other column is a ticket field."""
_KINDS: Final = frozenset(
    {"created", "agent_reply", "customer_reply", "internal_note", "status", "severity",
     "plan", "field"}
)  # fmt: skip


def _numpy() -> Any:
    try:
        import numpy
    except ImportError:  # pragma: no cover - the extra is documented
        raise ConfigError(
            "slaclock.batch needs numpy (and pyarrow for tables): pip install 'slaclock[batch]'"
        ) from None
    return numpy


# -- many tickets, vectorised ---------------------------------------------------------


class _Info:
    """What a result row takes from its ticket: its id, creation instant and fields."""

    __slots__ = ("created_at", "fields", "id")

    def __init__(self, tid: str, created_at: datetime, fields: Mapping[str, Any]) -> None:
        self.id = tid
        self.created_at = created_at
        self.fields = fields


class _Pending:
    """A replayed ticket waiting for its cycles to be judged (then: its results)."""

    __slots__ = ("ctx", "cycles", "info", "now", "replay", "sla")

    def __init__(self, replay: _Replay, ctx: Context, now: datetime, info: _Info) -> None:
        self.replay = replay
        self.ctx = ctx
        self.now = now
        self.info = info
        self.cycles: list[tuple[Any, ...]] = []
        self.sla: TicketSla | None = None


def _judge_all(pending: Sequence[_Pending]) -> list[_Pending]:
    """Choose every cycle's spec, judge them all at once, build the results."""
    from ._vector import judge_many

    cases = []
    where: list[tuple[int, int]] = []
    for p, item in enumerate(pending):
        r, ctx = item.replay, item.ctx
        for m in r.in_rank_order():
            index, repeating = m.rule.index, not m.once
            for cycle in m.cycles:
                spec, cancelled = choose(ctx, cycle, index)
                upto = cycle.stop if cycle.stop is not None else ctx.now
                item.cycles.append((cycle, spec, cancelled, index, repeating, upto))
                if spec is not None:
                    stopped = cycle.stop is not None
                    runs = [(s, min(e, upto)) for s, e in cycle.runs if s < min(e, upto)]
                    running = not stopped and cycle.running
                    cases.append((spec, runs, stopped, running, upto, ctx.now))
                    where.append((p, len(item.cycles) - 1))
    verdicts = judge_many(cases)
    judged: dict[tuple[int, int], Any] = dict(zip(where, verdicts, strict=True))
    out = []
    for p, item in enumerate(pending):
        r, ctx = item.replay, item.ctx
        results: list[MetricResult] = []
        extra = []
        for k, (cycle, spec, cancelled, index, repeating, upto) in enumerate(item.cycles):
            if spec is None:
                if cancelled is not None:
                    extra.append(cancelled)
                continue
            verdict = judged.get((p, k))
            results.append(result(ctx, cycle, spec, index, repeating, upto, verdict))
        item.sla = TicketSla(
            ticket_id=r.tid,
            now=item.now,
            plan=r.terms.plan,
            severity=r.severity,
            metrics=tuple(results),
            rule=r.rule,
            _extra=tuple(extra),
        )
        out.append(item)
    return out


def _now_us(now: datetime | None) -> int | None:
    if now is None:
        return None
    if not isinstance(now, datetime) or now.utcoffset() is None:
        raise NaiveDatetimeError.of("now", now)
    us: int = (now - _EPOCH) // _ONE_US
    return us


def evaluate_many(
    tickets: Iterable[Ticket | Mapping[str, Any]],
    policy: Policy | Mapping[str, Any],
    *,
    now: datetime | None = None,
) -> list[TicketSla]:
    """:func:`slaclock.evaluate` for many tickets, the calendar arithmetic of all their
    cycles done at once with numpy. Same results, same errors."""
    _numpy()
    if not isinstance(policy, Policy):
        policy = Policy.model_validate(policy)
    compiled = _compiled(policy)
    horizon0 = _now_us(now)
    pending = []
    for ticket in tickets:
        if not isinstance(ticket, Ticket):
            ticket = Ticket.model_validate(ticket)
        created, times = ticket.instants()
        if horizon0 is None:
            horizon = times[-1] if times else created
            at = (_EPOCH + horizon * _ONE_US).astimezone(ticket.created_at.tzinfo)
        else:
            horizon = horizon0
            if horizon < created:
                raise TimelineError(
                    f"ticket {ticket.id!r}: now={now.isoformat()} is before the ticket "  # type: ignore[union-attr]
                    f"was created ({ticket.created_at.isoformat()})"
                )
            at = now  # type: ignore[assignment]
        r = _Replay(
            policy, compiled, ticket.id, created, ticket.created_at, ticket.severity,
            ticket.plan, ticket.status, ticket.fields,
        )  # fmt: skip
        replay_events(r, ticket.events, times, horizon)
        ctx = Context(r.tid, horizon, r.changes, [c.seq for c in r.changes], compiled.targets)
        pending.append(_Pending(r, ctx, at, _Info(ticket.id, ticket.created_at, ticket.fields)))
    return [p.sla for p in _judge_all(pending) if p.sla is not None]


# -- event tables ---------------------------------------------------------------------


class _Raw:
    """An event read from a table (what the replay needs of it)."""

    __slots__ = ("field", "plan", "severity", "status", "type", "value")

    def __init__(
        self, kind: str, status: Any, severity: Any, plan: Any, field: Any, value: Any
    ) -> None:
        self.type = kind
        self.status = status
        self.severity = severity
        self.plan = plan
        self.field = field
        self.value = value

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _Raw):
            return NotImplemented
        return (self.type, self.status, self.severity, self.plan, self.field, self.value) == (
            other.type, other.status, other.severity, other.plan, other.field, other.value,
        )  # fmt: skip

    __hash__ = None  # type: ignore[assignment]


def _table(data: Any) -> pa.Table:
    import pyarrow as pa

    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover
        pd = None
    if pd is not None and isinstance(data, pd.DataFrame):
        return pa.Table.from_pandas(data, preserve_index=False)
    raise ConfigError(
        f"an event table is a pandas DataFrame, a pyarrow Table or RecordBatch; got "
        f"{type(data).__name__}"
    )


def prepare(data: Any, *, ticket: str = "ticket_id", at: str = "at") -> Any:
    """``data`` (a pandas DataFrame or a pyarrow Table) with its rows clustered by ticket
    (in order of first appearance) and sorted by time within a ticket; rows at the same
    instant keep their order. Returns the same kind of table."""
    np = _numpy()
    table = _table(data)
    for name in (ticket, at):
        if name not in table.column_names:
            raise ConfigError(f"the event table has no column {name!r}: {table.column_names}")
    ids = table.column(ticket).to_pylist()
    first: dict[Any, int] = {}
    rank = np.fromiter((first.setdefault(t, len(first)) for t in ids), np.int64, len(ids))
    times = _instants(table.column(at))
    order = np.lexsort((np.arange(len(ids)), times, rank))
    out = table.take(order)
    if not isinstance(data, type(table)):
        return out.to_pandas()
    return out


def _instants(column: Any) -> Any:
    """The column's instants as int64 µs since the epoch (UTC); an error names the first
    value without an offset or that cannot be read."""
    import pyarrow as pa
    import pyarrow.compute as pc

    np = _numpy()
    col = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if pa.types.is_timestamp(col.type):
        if col.type.tz is None:
            raise TimelineError(
                "the event table's times have no zone; give them an offset (or a "
                "timestamp type with a zone)"
            )
        ts = col
    else:
        texts = col.cast(pa.string())
        try:
            ts = pc.cast(texts, pa.timestamp("us", tz="UTC"))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            bad = next((v for v in texts.to_pylist() if not _is_instant(v)), None)
            if isinstance(bad, str) and _parses(bad):
                raise TimelineError(
                    f"time {bad!r} in the event table has no UTC offset; slaclock never "
                    "guesses the zone"
                ) from None
            raise TimelineError(
                f"cannot read time {bad!r} in the event table; write ISO 8601 with an "
                "offset, e.g. 2026-11-16T09:00:00-05:00"
            ) from None
        # pyarrow reads a time without an offset as UTC: slaclock never guesses the zone
        offset = pc.match_substring_regex(texts, r"(Z|z|[+-]\d\d(:?\d\d)?)$")
        if len(texts) and pc.all(pc.fill_null(offset, True)).as_py() is False:
            naive = texts.filter(pc.invert(pc.fill_null(offset, True)))[0].as_py()
            raise TimelineError(
                f"time {naive!r} in the event table has no UTC offset; slaclock never "
                "guesses the zone"
            )
    if ts.null_count:
        raise TimelineError("the event table has rows without a time in 'at'")
    return np.asarray(ts.cast(pa.timestamp("us", tz="UTC")).cast(pa.int64()))


def _has_offset(text: str) -> bool:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).utcoffset() is not None
    except ValueError:
        return False


def _parses(text: str) -> bool:
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _is_instant(text: Any) -> bool:
    return isinstance(text, str) and _has_offset(text)


def _created_at(value: Any, us: int) -> datetime:
    """The creation instant as the table gave it (its offset kept, for the output)."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
    return _EPOCH + us * _ONE_US


def _text(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, float) and v != v:  # NaN from pandas
        return None
    if isinstance(v, str):
        return v if v.strip() else None
    return v


def _texts(table: pa.Table, name: str) -> list[str]:
    """A column as trimmed text, ``""`` for empty (as the event-log reader reads cells)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if name not in table.column_names:
        return [""] * table.num_rows
    col = table.column(name)
    if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        return [_plain(v) for v in col.to_pylist()]
    texts: list[str] = pc.fill_null(pc.utf8_trim_whitespace(col), "").to_pylist()
    return texts


def _plain(v: Any) -> str:
    from .io import _text

    return _text(v)


def _tickets(table: pa.Table, seen: _SeenIds) -> Iterator[tuple[Any, ...]]:
    """``(id, created_us, created_at, severity, plan, status, fields, events, times)``
    per ticket of a clustered table (the rows of a ticket contiguous), by the rules of
    the event-log reader (:mod:`slaclock.io`): the first ``created`` row gives the
    creation, severity, plan and status (other ``created`` rows must agree); a reply's
    severity stands in for a missing one; a field keeps the first value it takes;
    identical rows count once. Column-wise work is done once per table."""
    np = _numpy()
    names = table.column_names
    if "ticket_id" not in names or "at" not in names:
        raise ConfigError(f"the event table needs 'ticket_id' and 'at' columns; it has {names}")
    n = table.num_rows
    if not n:
        return
    times = _instants(table.column("at")).tolist()
    raw_at = table.column("at").to_pylist()
    ids = table.column("ticket_id").to_pylist()
    kinds = _texts(table, "type")
    bad = set(kinds) - _KINDS
    if bad:
        raise TimelineError(
            f"unknown event type {sorted(bad)[0]!r}; use one of {', '.join(sorted(_KINDS))}"
        )
    status = _texts(table, "status")
    severity = _texts(table, "severity")
    plan = _texts(table, "plan")
    field = _texts(table, "field")
    value = table.column("value").to_pylist() if "value" in names else [None] * n
    starts = [0]
    for k in range(1, n):
        if ids[k] != ids[k - 1]:
            starts.append(k)
    bounds = np.asarray(starts, dtype=np.int64)
    ends = np.append(bounds[1:], n)
    # Each field's first value per ticket: the first row where it is not empty.
    extra = [c for c in names if c not in RESERVED]
    extra_values = {c: table.column(c).to_pylist() for c in extra}
    firsts: dict[str, list[Any]] = {}
    for name, raw in extra_values.items():
        empty = np.fromiter(
            (v is None or (isinstance(v, str) and not v.strip()) for v in raw), np.bool_, n
        )
        where = np.where(empty, n, np.arange(n, dtype=np.int64))
        first = np.minimum.reduceat(where, bounds)
        firsts[name] = [raw[int(f)] if f < e else None for f, e in zip(first, ends, strict=True)]
    for t, start in enumerate(starts):
        end = int(ends[t])
        tid = ids[start]
        if tid is None or tid == "":
            raise TimelineError(f"row {start}: no ticket id in 'ticket_id'")
        if seen.add(tid):
            raise TimelineError(
                f"row {start}: ticket {tid!r} appears again after other tickets; the table is "
                "not clustered by ticket (use slaclock.batch.prepare)"
            )
        rows = range(start, end)
        yield _ticket(
            str(tid), rows, times, raw_at, kinds, status, severity, plan, field, value,
            {name: firsts[name][t] for name in extra},
            [extra_values[c] for c in extra],
        )  # fmt: skip


def _ticket(
    tid: str, rows: range, times: list[int], raw_at: list[Any], kinds: list[str],
    status: list[str], severity: list[str], plan: list[str], field: list[str],
    value: list[Any], firsts: dict[str, Any], extras: list[list[Any]],
) -> tuple[Any, ...]:  # fmt: skip
    """One ticket from its rows (see :func:`_tickets`)."""
    from .io import _value as cell

    created: tuple[int, str, str, str] | None = None  # (row, severity, plan, status)
    fallback = ""
    events: list[_Raw] = []
    ev_times: list[int] = []
    # A row identical to the previous one (an export's duplicate) counts once; only
    # rows that share an instant can be identical.
    check = len({times[k] for k in rows}) < len(rows)
    last: tuple[Any, ...] | None = None
    for k in rows:
        if check:
            key = (times[k], kinds[k], status[k], severity[k], plan[k], field[k],
                   repr(value[k]), *(repr(c[k]) for c in extras))  # fmt: skip
            if key == last:
                continue
            last = key
        kind, sev, pl, st = kinds[k], severity[k], plan[k], status[k]
        if kind == "created":
            if created is None:
                created = (k, sev, pl, st)
            else:
                for got, want in zip((times[k], sev, pl, st), (times[created[0]], *created[1:]),
                                     strict=True):  # fmt: skip
                    if got and want and got != want:
                        raise TimelineError(f"ticket {tid!r}: two 'created' rows disagree")
                created = (created[0], created[1] or sev, created[2] or pl, created[3] or st)
            continue
        if kind == "status" and not st:
            raise TimelineError(f"ticket {tid!r}: a status event needs a value in 'status'")
        if kind == "severity" and not sev:
            raise TimelineError(f"ticket {tid!r}: a severity event needs 'severity'")
        if kind == "plan" and not pl:
            raise TimelineError(f"ticket {tid!r}: a plan event needs 'plan'")
        name = field[k] if kind == "field" else ""
        if kind == "field" and not name:
            raise TimelineError(f"ticket {tid!r}: a field event needs 'field'")
        if kind not in ("status", "severity", "plan", "field"):
            fallback = fallback or sev
        events.append(
            _Raw(kind, st, sev, pl, name,
                 cell(value[k], name, name == "tags", k) if kind == "field" else None)
        )  # fmt: skip
        ev_times.append(times[k])
    if created is None:
        if not events:
            raise TimelineError(f"ticket {tid!r}: no events")
        start = min(ev_times)
        first = next(k for k in rows if times[k] == start and kinds[k] != "created")
        sev, pl, st = fallback, "", ""
    else:
        first, sev, pl, st = created
        sev = sev or fallback
        start = times[first]
    if not sev:
        raise TimelineError(
            f"ticket {tid!r} has no severity (give it on the 'created' row, column 'severity')"
        )
    if any(t < start for t in ev_times):
        raise TimelineError(f"ticket {tid!r}: an event is before the ticket was created")
    if any(a > b for a, b in itertools.pairwise(ev_times)):
        order = sorted(range(len(ev_times)), key=ev_times.__getitem__)  # stable
        events = [events[i] for i in order]
        ev_times = [ev_times[i] for i in order]
    fields = {name: cell(v, name, name == "tags", rows.start) for name, v in firsts.items()}
    return (tid, start, _created_at(raw_at[first], start), sev, pl or None, st or "new",
            fields, events, ev_times)  # fmt: skip


def evaluate_batches(
    batches: Iterable[Any],
    policy: Policy | Mapping[str, Any],
    *,
    now: datetime | None = None,
    chunk_tickets: int = 1024,
) -> Iterator[TicketSla]:
    """The results of the tickets of an event table given in pieces (pyarrow record
    batches or tables, or pandas DataFrames), in order, ``chunk_tickets`` judged at once.
    A ticket may run across pieces (rows must stay clustered by ticket and sorted)."""
    for item in evaluate_pieces(batches, policy, now=now, chunk_tickets=chunk_tickets):
        assert item.sla is not None
        yield item.sla


def evaluate_pieces(
    batches: Iterable[Any],
    policy: Policy | Mapping[str, Any],
    *,
    now: datetime | None = None,
    chunk_tickets: int = 1024,
) -> Iterator[_Pending]:
    """:func:`evaluate_batches`, each ticket's results with what its result rows take from
    the ticket (``item.sla``, ``item.info``: ``id``, ``created_at``, ``fields``); for
    :func:`result_rows_of` and the command line."""
    import pyarrow as pa

    _numpy()
    if not isinstance(policy, Policy):
        policy = Policy.model_validate(policy)
    compiled = _compiled(policy)
    horizon0 = _now_us(now)
    carry: pa.Table | None = None
    pending: list[_Pending] = []
    seen = _SeenIds()  # the tickets met so far (fingerprints: 1M tickets, 16-32 MB)

    def run(table: pa.Table) -> Iterator[_Pending]:
        for tid, created, created_at, sev, pl, st, fields, events, times in _tickets(table, seen):
            if horizon0 is None:
                horizon = times[-1] if times else created
                at = (_EPOCH + horizon * _ONE_US).astimezone(created_at.tzinfo)
            else:
                horizon, at = horizon0, now
                if horizon < created:
                    raise TimelineError(
                        f"ticket {tid!r}: now={now.isoformat()} is before the ticket was "  # type: ignore[union-attr]
                        f"created ({created_at.isoformat()})"
                    )
            r = _Replay(policy, compiled, tid, created, created_at, sev, pl, st, fields)
            replay_events(r, events, times, horizon)
            ctx = Context(tid, horizon, r.changes, [c.seq for c in r.changes], compiled.targets)
            pending.append(_Pending(r, ctx, at, _Info(tid, created_at, fields)))
            if len(pending) >= chunk_tickets:
                yield from _judge_all(pending)
                pending.clear()

    for piece in batches:
        table = _table(piece)
        if table.num_rows == 0:
            continue
        if carry is not None:
            table = pa.concat_tables([carry, table.select(carry.column_names)])
        # The last ticket may go on in the next piece: keep its rows back.
        ids = table.column("ticket_id")
        last = ids[-1]
        np = _numpy()
        same = np.asarray(ids.to_pylist(), dtype=object) == last.as_py()
        cut = int(len(same) - np.argmin(same[::-1])) if not same.all() else 0
        carry = table.slice(cut)
        yield from run(table.slice(0, cut))
    if carry is not None and carry.num_rows:
        yield from run(carry)
    if pending:
        yield from _judge_all(pending)


def result_schema(fields: Sequence[str] = ()) -> pa.Schema:
    """The pyarrow schema of result rows (the columns ``slaclock evaluate --format csv``
    writes, instants as ISO 8601 text in each cycle's calendar zone), with the ticket
    ``fields`` as ``field.<name>`` text columns."""
    import pyarrow as pa

    from ._rows import COLUMNS, FIELD_PREFIX

    kinds = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(),
             "bool": pa.bool_(), "time": pa.string()}  # fmt: skip
    cols = [pa.field(name, kinds[kind]) for name, kind in COLUMNS.items()]
    cols += [pa.field(FIELD_PREFIX + f, pa.string()) for f in fields]
    return pa.schema(cols)


def result_rows_of(items: Iterable[Any], fields: Sequence[str] = ()) -> Iterator[dict[str, Any]]:
    """Plain result rows (as ``slaclock.io.result_rows`` writes them) of evaluated
    tickets; ticket fields as text."""
    from ._rows import FIELD_PREFIX, encode_row, metric_row, ticket_row

    for item in items:
        sla, info = item.sla, item.info
        for m in sla.metrics:
            row = encode_row(ticket_row(metric_row(sla, m), info, tuple(fields)))
            for f in fields:
                v = row.get(FIELD_PREFIX + f)
                row[FIELD_PREFIX + f] = None if v is None else str(v)
            yield row


def evaluate_table(
    data: Any, policy: Policy | Mapping[str, Any], *, now: datetime | None = None
) -> Any:
    """The results of every ticket of an event table, one row per cycle — the columns of
    :func:`result_schema` — as the same kind of table: a pandas DataFrame for a
    DataFrame, a pyarrow Table otherwise. The table must be clustered by ticket and
    sorted by time (see :func:`prepare`)."""
    import pyarrow as pa

    table = _table(data)
    fields = [c for c in table.column_names if c not in RESERVED]
    rows = list(result_rows_of(evaluate_pieces([table], policy, now=now), fields))
    out = pa.Table.from_pylist(rows, schema=result_schema(fields))
    if not isinstance(data, (pa.Table, pa.RecordBatch)):
        return out.to_pandas()
    return out


# -- event-log files ------------------------------------------------------------------

LOG_SUFFIXES: Final = (".csv", ".tsv", ".jsonl", ".ndjson", ".parquet")


def read_log(path: str | Path, *, block_size: int = 1 << 22) -> Iterator[pa.Table]:
    """The rows of an event-log file (CSV, TSV, JSONL or Parquet) as pyarrow tables of
    about ``block_size`` bytes, streaming. CSV cells are read as text (as the event-log
    reader reads them); JSONL values keep their JSON types."""
    import pyarrow as pa

    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in (".csv", ".tsv"):
        import pyarrow.csv as pcsv

        delimiter = "\t" if suffix == ".tsv" else ","
        with p.open(encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh, delimiter=delimiter), [])
        if not header:
            return
        reader = pcsv.open_csv(
            p,
            read_options=pcsv.ReadOptions(block_size=block_size, encoding="utf8"),
            parse_options=pcsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pcsv.ConvertOptions(
                column_types={name: pa.string() for name in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        for batch in reader:
            yield pa.Table.from_batches([batch])
    elif suffix in (".jsonl", ".ndjson"):
        import pyarrow.json as pjson

        # The columns with a meaning as text (not timestamps pyarrow would infer); the
        # ticket fields keep their JSON types, as the event-log reader keeps them.
        text = pa.schema([(c, pa.string()) for c in RESERVED if c != "value"])
        # Streaming, block by block (memory flat whatever the file's size). The other
        # columns' types are inferred from the first block; a later block that does not
        # fit them (a new key, a text value in a number column) raises, and the command
        # line then reads the log with its strict reader.
        # Parsed JSON takes some 30x its text in Arrow memory: blocks a quarter of the
        # size (from a megabyte up) keep a block's working set near the CSV reader's (as
        # fast, measured).
        reader = pjson.open_json(
            p,
            read_options=pjson.ReadOptions(
                block_size=block_size // 4 if block_size >= 1 << 20 else block_size,
                use_threads=False,
            ),
            parse_options=pjson.ParseOptions(explicit_schema=text),
        )
        for batch in reader:
            yield pa.Table.from_batches([batch])
    elif suffix == ".parquet":
        import pyarrow.parquet as pq

        for batch in pq.ParquetFile(p).iter_batches():
            yield pa.Table.from_batches([batch])
    else:
        raise ConfigError(
            f"{str(p)!r}: unknown event file type {suffix!r}; use one of {', '.join(LOG_SUFFIXES)}"
        )


def latest_event(tables: Iterable[pa.Table]) -> datetime | None:
    """The instant the command line evaluates at without ``--now``: the latest last
    event (or creation) of the tickets of a clustered log, as written in the file."""
    np = _numpy()
    best: tuple[int, Any] | None = None
    for table in tables:
        if not table.num_rows:
            continue
        us = _instants(table.column("at"))
        top = int(us.max())
        if best is not None and top <= best[0]:
            continue
        # The first ticket (in file order) with its last event at that instant, and that
        # event as written: its last row at that instant (its creation if nothing else).
        at = table.column("at").to_pylist()
        ids = table.column("ticket_id").to_pylist()
        kinds = (
            table.column("type").to_pylist() if "type" in table.column_names else [None] * len(ids)
        )
        rows = [int(i) for i in np.flatnonzero(us == top)]
        mine = [i for i in rows if ids[i] == ids[rows[0]]]
        events = [i for i in mine if kinds[i] != "created"] or mine
        best = (top, at[events[-1]])
    if best is None:
        return None
    return _created_at(best[1], best[0])


_evaluate_pieces = evaluate_pieces  # the name the scale-out modules were first given
