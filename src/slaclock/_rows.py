"""The result row: one flat row per clock, defined once.

:class:`ResultRow` declares every column and its type; the writer
(:func:`slaclock.io.write_results`), the reader (:func:`slaclock.io.read_results`), the
report and the command line all go through the functions below, so a column is added or
retyped here and nowhere else.

Rows exist in two forms:

- **typed** (:func:`metric_row`, :func:`decode_row`): instants as aware ``datetime``,
  numbers as ``int`` / ``float``, flags as ``bool``, empty as ``None`` — what a
  :class:`~slaclock.report.Report` aggregates;
- **plain** (:func:`encode_row`): JSON-friendly (instants as ISO 8601 strings) — what
  files hold, what :func:`slaclock.io.result_rows` returns and what crosses a process
  boundary.

Ticket fields follow the fixed columns as ``field.<name>`` (their values are kept as
they are: text, numbers, flags, lists of tags).
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, Literal, TypedDict, get_args, get_type_hints

from ._format import csv_uncell
from .errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    from .results import MetricResult, TicketSla
    from .ticket import Ticket

__all__ = [
    "COLUMNS",
    "FIELD_PREFIX",
    "ColumnType",
    "ResultRow",
    "decode_row",
    "encode_row",
    "metric_dict",
    "metric_row",
    "ticket_row",
]

FIELD_PREFIX: Final = "field."


class ResultRow(TypedDict, total=False):
    """The columns of a result row, in order, with their types (``None`` = empty)."""

    ticket_id: str
    plan: str | None
    rule: str | None
    metric: str
    cycle: int
    status: str
    severity: str
    target: str
    calendar: str
    started_at: datetime
    deadline: datetime | None
    stopped_at: datetime | None
    business_elapsed_s: float
    business_remaining_s: float
    target_business_s: float
    share_used: float
    breached_at: datetime | None
    at_risk: bool
    warning: float | None
    wall_remaining_s: float | None
    pauses: int
    internal_target: str | None
    internal_deadline: datetime | None
    internal_status: str | None
    internal_breached_at: datetime | None
    internal_share_used: float | None
    created_at: datetime | None
    as_of: datetime


ColumnType = Literal["str", "int", "float", "bool", "time"]
_KIND: Final[dict[type, ColumnType]] = {
    str: "str",
    int: "int",
    float: "float",
    bool: "bool",
    datetime: "time",
}


def _columns() -> dict[str, ColumnType]:
    hints = get_type_hints(ResultRow)
    out: dict[str, ColumnType] = {}
    for name, hint in hints.items():
        base = [a for a in (get_args(hint) or (hint,)) if a is not type(None)]
        out[name] = _KIND[base[0]]
    return out


COLUMNS: Final[dict[str, ColumnType]] = _columns()
"""Every fixed column of :class:`ResultRow`, in order, and its type."""


def metric_row(sla: TicketSla | None, m: MetricResult) -> ResultRow:
    """The typed row of one clock; with ``sla``, also the ticket's id, plan, rule and the
    evaluation instant (``as_of``). Reads only the public attributes of the results."""
    internal = m.internal
    row: ResultRow = {}
    if sla is not None:
        row["ticket_id"] = sla.ticket_id
        row["plan"] = sla.plan
        row["rule"] = getattr(sla, "rule", None)
    wall = m.wall_remaining
    part: ResultRow = {
        "metric": m.name,
        "cycle": m.cycle,
        "status": m.status,
        "severity": m.severity,
        "target": str(m.target),
        "calendar": m.calendar,
        "started_at": m.started_at,
        "deadline": m.deadline,
        "stopped_at": m.stopped_at,
        "business_elapsed_s": m.business_elapsed.total_seconds(),
        "business_remaining_s": m.business_remaining.total_seconds(),
        "target_business_s": m.target_business.total_seconds(),
        "share_used": round(m.share_used, 6),
        "breached_at": m.breached_at,
        "at_risk": m.at_risk,
        "warning": m.warning,
        "wall_remaining_s": None if wall is None else wall.total_seconds(),
        "pauses": len(m.pauses),
        "internal_target": None if internal is None else str(internal.target),
        "internal_deadline": None if internal is None else internal.deadline,
        "internal_status": None if internal is None else internal.status,
        "internal_breached_at": None if internal is None else internal.breached_at,
        "internal_share_used": None if internal is None else round(internal.share_used, 6),
    }
    row.update(part)
    if sla is not None:
        row["as_of"] = sla.now
    return row


def metric_dict(m: MetricResult) -> dict[str, Any]:
    """The plain (JSON-friendly) row of one clock, without ticket columns: what
    ``MetricResult.as_dict()`` returns."""
    return encode_row(metric_row(None, m))


def ticket_row(
    row: ResultRow, ticket: Ticket | None, fields: tuple[str, ...] | list[str] = ()
) -> dict[str, Any]:
    """``row`` with the ticket's creation instant and its fields (``field.<name>``; all
    of them when ``fields`` is empty) appended."""
    out: dict[str, Any] = dict(row)
    out["created_at"] = None if ticket is None else ticket.created_at
    if "as_of" in out:  # keep the schema's order: created_at, as_of, then the fields
        out["as_of"] = out.pop("as_of")
    if ticket is not None:
        for k in fields or ticket.fields:
            out[FIELD_PREFIX + k] = ticket.fields.get(k)
    return out


def encode_row(row: ResultRow | dict[str, Any]) -> dict[str, Any]:
    """A typed row as plain values: instants as ISO 8601 text, lists as lists."""
    out: dict[str, Any] = {}
    for k, v in row.items():
        if isinstance(v, datetime):
            out[k] = v.isoformat()
        elif isinstance(v, tuple):
            out[k] = list(v)
        else:
            out[k] = v
    return out


def decode_row(raw: dict[str, Any], *, from_csv: bool = False) -> dict[str, Any]:
    """A row read from a file (CSV text, or JSON values) or given by a user, typed by
    :data:`COLUMNS`: empty cells become ``None``. ``from_csv`` undoes the formula
    neutralisation of slaclock's CSV output and reads field lists written as JSON."""
    out: dict[str, Any] = {}
    for k, v in raw.items():
        key = str(k)
        kind = COLUMNS.get(key)
        if isinstance(v, str) and from_csv:
            v = csv_uncell(v)
        if v is None or v == "" or (isinstance(v, float) and math.isnan(v)):
            out[key] = None
        elif kind is None:
            out[key] = _field_value(v, from_csv)
        else:
            out[key] = _typed(key, kind, v)
    return out


def _field_value(v: Any, from_csv: bool) -> Any:
    if isinstance(v, list):
        return tuple(str(x) for x in v)
    if from_csv and isinstance(v, str) and v.startswith("[") and v.endswith("]"):
        try:
            parsed = json.loads(v)
        except ValueError:
            return v
        if isinstance(parsed, list) and all(isinstance(x, str) for x in parsed):
            return tuple(parsed)
    if hasattr(v, "item") and not isinstance(v, str):  # numpy scalars from pandas
        return v.item()
    return v


def _typed(key: str, kind: ColumnType, v: Any) -> Any:
    try:
        if kind == "time":
            if isinstance(v, datetime):
                return v
            if hasattr(v, "to_pydatetime"):  # a pandas Timestamp
                return v.to_pydatetime()
            t = datetime.fromisoformat(str(v))
            if t.utcoffset() is None:
                raise ValueError("no UTC offset")
            return t
        if kind == "float":
            return float(v)
        if kind == "int":
            if isinstance(v, float) and not v.is_integer():
                raise ValueError("not a whole number")
            return int(v)
        if kind == "bool":
            if isinstance(v, bool):
                return v
            if hasattr(v, "item"):
                return bool(v.item())
            text = str(v).strip().lower()
            if text in ("true", "1"):
                return True
            if text in ("false", "0"):
                return False
            raise ValueError("not True or False")
        return str(v)
    except (ValueError, TypeError, OverflowError) as exc:
        raise ConfigError(
            f"result column {key!r}: cannot read {v!r} as {kind} ({exc}); is this a file "
            "written by slaclock evaluate?"
        ) from None
