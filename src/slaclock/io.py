"""Event logs in, results out.

Read ticket histories from CSV or JSONL — one event per row (ticket id, time, kind,
status / severity / plan, plus ticket fields) — through a :class:`ColumnMap`, so a
helpdesk export (a status-change audit log, a changelog) is read without editing it.
Write results as CSV, JSONL or JSON, and read them back.

Streaming: rows are grouped by ticket. A file whose rows of one ticket are contiguous
(``grouped=True``) is processed in one pass with one ticket in memory; otherwise rows are
first spread over temporary partition files by ticket id, then each partition is grouped
in memory — so a file of millions of events is never loaded at once.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ConfigError, TimelineError
from .results import TicketSla
from .ticket import Ticket

__all__ = [
    "ColumnMap",
    "Format",
    "iter_rows",
    "read_results",
    "read_tickets",
    "result_rows",
    "write_results",
]

Format = Literal["csv", "jsonl", "json"]
_KINDS = {"created", "agent_reply", "customer_reply", "internal_note", "status", "severity", "plan"}


@dataclass(frozen=True)
class ColumnMap:
    """Where each piece of an event lives in the input rows, and how its kinds are named.

    ``kinds`` maps the export's values of the kind column to slaclock's kinds
    (``created``, ``agent_reply``, ``customer_reply``, ``internal_note``, ``status``,
    ``severity``, ``plan``); values that are already slaclock kinds need no entry. A
    kind mapped to ``"ignore"`` is skipped. ``fields`` lists the columns copied into the
    ticket's fields (customer, region, …); by default every column not used otherwise.
    ``renames`` maps a column to the field name it is stored under
    (``field.customer=Organization`` in :meth:`parse`); a renamed column is always copied.
    A field is present on every ticket (``None`` where the ticket has no value), so
    results and reports have the same columns for all tickets.
    """

    ticket: str = "ticket_id"
    at: str = "at"
    kind: str = "type"
    status: str = "status"
    severity: str = "severity"
    plan: str = "plan"
    fields: tuple[str, ...] | None = None
    kinds: Mapping[str, str] = field(default_factory=dict)
    renames: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, spec: str | None) -> ColumnMap:
        """From ``"ticket=Ticket ID,at=Changed At,kind=Event,kinds.Reply sent=agent_reply"``;
        ``field.customer=Organization`` stores the column ``Organization`` as the ticket
        field ``customer``."""
        if not spec:
            return cls()
        values: dict[str, Any] = {}
        kinds: dict[str, str] = {}
        renames: dict[str, str] = {}
        for part in spec.split(","):
            if "=" not in part:
                raise ConfigError(f"column mapping {part!r} must look like name=Column")
            key, value = (x.strip() for x in part.split("=", 1))
            if key.startswith("kinds."):
                if value != "ignore" and value not in _KINDS:
                    raise ConfigError(
                        f"column mapping {part!r}: {value!r} is not a kind; use one of "
                        f"{', '.join(sorted(_KINDS))} or ignore"
                    )
                kinds[key[6:]] = value
            elif key.startswith("field.") and key[6:] and value:
                renames[value] = key[6:]
            elif key == "fields":
                values["fields"] = tuple(v for v in value.split("|") if v)
            elif key in ("ticket", "at", "kind", "status", "severity", "plan"):
                values[key] = value
            else:
                raise ConfigError(
                    f"unknown mapping key {key!r}; use ticket, at, kind, status, severity, "
                    "plan, fields (a|b|c), field.<name> or kinds.<value>"
                )
        return cls(**values, kinds=kinds, renames=renames)

    def used_columns(self) -> set[str]:
        return {self.ticket, self.at, self.kind, self.status, self.severity, self.plan}


class _Counted:
    """Lines of a text file, counting the characters read (for a progress bar)."""

    def __init__(self, fh: IO[str]) -> None:
        self.fh = fh
        self.chars = 0

    def __iter__(self) -> Iterator[str]:
        for line in self.fh:
            self.chars += len(line)
            yield line


def iter_rows(
    path: str | Path, *, counter: list[int] | None = None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_number, row)`` from a CSV or JSONL file (by suffix), streaming.
    When ``counter`` is given, ``counter[0]`` follows the characters read so far."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        with p.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if counter is not None:
                    counter[0] += len(line)
                if line.strip():
                    try:
                        row = json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise TimelineError(f"{p}:{n}: not valid JSON: {exc}") from None
                    if not isinstance(row, dict):
                        raise TimelineError(f"{p}:{n}: each line must be a JSON object")
                    yield n, row
    elif suffix in (".csv", ".tsv"):
        with p.open(encoding="utf-8-sig", newline="") as fh:
            lines = _Counted(fh)
            reader = csv.DictReader(lines, delimiter="\t" if suffix == ".tsv" else ",")
            for n, row in enumerate(reader, 2):
                if counter is not None:
                    counter[0] = lines.chars
                yield n, row
    else:
        raise ConfigError(f"{str(p)!r}: unknown event file type {suffix!r}; use .csv or .jsonl")


def _parse_time(value: Any, tz: ZoneInfo | None, where: str) -> datetime:
    if isinstance(value, datetime):
        t = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(float(value), UTC)
    else:
        text = str(value or "").strip()
        if not text:
            raise TimelineError(f"{where}: empty time")
        try:
            t = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            from dateutil import parser as du

            try:
                t = du.parse(text)
            except (ValueError, OverflowError):
                raise TimelineError(f"{where}: cannot read time {text!r}") from None
    if t.utcoffset() is None:
        if tz is None:
            raise TimelineError(
                f"{where}: time {str(value)!r} has no UTC offset; pass assume_timezone "
                "(--assume-timezone) to say which zone the export uses"
            )
        t = t.replace(tzinfo=tz)
    return t


def _zone(name: str | None) -> ZoneInfo | None:
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"unknown time zone {name!r} for assume_timezone") from None


def _build_ticket(
    tid: str, rows: list[tuple[int, dict[str, Any]]], cmap: ColumnMap, tz: ZoneInfo | None,
    source: str,
) -> Ticket:  # fmt: skip
    created: datetime | None = None
    severity: str | None = None
    plan: str | None = None
    status = "open"
    fields: dict[str, Any] = {}
    events: list[dict[str, Any]] = []
    used = cmap.used_columns()
    renames = cmap.renames
    for n, row in rows:
        where = f"{source}:{n} (ticket {tid!r})"
        raw_kind = str(row.get(cmap.kind, "") or "").strip()
        kind = cmap.kinds.get(raw_kind, raw_kind)
        if kind == "ignore":
            continue
        if kind not in _KINDS:
            raise TimelineError(
                f"{where}: unknown event kind {raw_kind!r}; map it with "
                f"kinds.{raw_kind}=<one of {', '.join(sorted(_KINDS))}> or ignore"
            )
        at = _parse_time(row.get(cmap.at), tz, where)
        if cmap.fields is not None:
            names = [*cmap.fields, *(c for c in renames if c not in cmap.fields)]
        else:
            names = [k for k in row if k not in used or k in renames]
        for name in names:
            key = renames.get(name, name)
            v = row.get(name)
            if v in (None, ""):
                fields.setdefault(key, None)
            elif fields.get(key) is None:
                fields[key] = v
        sev = row.get(cmap.severity) or None
        pl = row.get(cmap.plan) or None
        if kind == "created":
            created = at if created is None else min(created, at)
            severity = severity or sev
            plan = plan or pl
            if row.get(cmap.status):
                status = str(row[cmap.status])
            continue
        ev: dict[str, Any] = {"at": at, "type": kind}
        if kind == "status":
            ev["status"] = row.get(cmap.status) or ""
            if not ev["status"]:
                raise TimelineError(f"{where}: a status event needs a value in {cmap.status!r}")
        elif kind == "severity":
            if not sev:
                raise TimelineError(f"{where}: a severity event needs {cmap.severity!r}")
            ev["severity"] = sev
        elif kind == "plan":
            if not pl:
                raise TimelineError(f"{where}: a plan event needs {cmap.plan!r}")
            ev["plan"] = pl
        else:
            severity = severity or sev
            plan = plan or pl
        events.append(ev)
    if created is None:
        if not events:
            raise TimelineError(f"{source}: ticket {tid!r} has no events")
        created = min(e["at"] for e in events)
    if severity is None:
        raise TimelineError(
            f"{source}: ticket {tid!r} has no severity (give it on the 'created' row in "
            f"column {cmap.severity!r})"
        )
    return Ticket.model_validate(
        {
            "id": tid,
            "created_at": created,
            "severity": severity,
            "plan": plan,
            "status": status,
            "fields": fields,
            "events": events,
        }
    )


def read_tickets(
    path: str | Path,
    *,
    columns: ColumnMap | None = None,
    assume_timezone: str | None = None,
    grouped: bool = False,
    partitions: int = 64,
    progress: Callable[[str, float], None] | None = None,
) -> Iterator[Ticket]:
    """Stream the tickets of an event log (CSV or JSONL), in order of first appearance
    within each partition. A naive timestamp is an error unless ``assume_timezone`` names
    the export's zone; slaclock never guesses.

    ``progress(phase, share)`` is called as the file is read (``"reading"``, share of the
    file from 0 to 1; an ungrouped file is then grouped partition by partition:
    ``"grouping"``)."""
    cmap = columns or ColumnMap()
    tz = _zone(assume_timezone)
    source = str(path)
    counter = [0]
    try:
        total = max(Path(path).stat().st_size, 1)
    except OSError:
        total = 1

    def report(phase: str, share: float) -> None:
        if progress is not None:
            progress(phase, min(share, 1.0))

    if grouped:
        current: str | None = None
        buf: list[tuple[int, dict[str, Any]]] = []
        seen: set[str] = set()
        for n, row in iter_rows(path, counter=counter):
            tid = _ticket_id(row, cmap, source, n)
            if tid != current:
                if current is not None:
                    report("reading", counter[0] / total)
                    yield _build_ticket(current, buf, cmap, tz, source)
                if tid in seen:
                    raise TimelineError(
                        f"{source}:{n}: ticket {tid!r} appears again after other tickets; "
                        "the file is not grouped by ticket (drop grouped=True / --grouped)"
                    )
                seen.add(tid)
                current, buf = tid, []
            buf.append((n, row))
        if current is not None:
            yield _build_ticket(current, buf, cmap, tz, source)
        return
    with tempfile.TemporaryDirectory(prefix="slaclock-") as tmp:
        handles: dict[int, IO[str]] = {}
        try:
            for n, row in iter_rows(path, counter=counter):
                if not n % 4096:
                    report("reading", counter[0] / total)
                tid = _ticket_id(row, cmap, source, n)
                k = zlib.crc32(tid.encode()) % partitions
                fh = handles.get(k)
                if fh is None:
                    fh = open(os.path.join(tmp, f"p{k}.jsonl"), "w", encoding="utf-8")  # noqa: SIM115
                    handles[k] = fh
                fh.write(json.dumps([n, row], default=str) + "\n")
        finally:
            for fh in handles.values():
                fh.close()
        for done, k in enumerate(sorted(handles)):
            report("grouping", done / len(handles))
            groups: dict[str, list[tuple[int, dict[str, Any]]]] = {}
            with open(os.path.join(tmp, f"p{k}.jsonl"), encoding="utf-8") as fh:
                for line in fh:
                    n, row = json.loads(line)
                    groups.setdefault(_ticket_id(row, cmap, source, n), []).append((n, row))
            for tid, rows in groups.items():
                yield _build_ticket(tid, rows, cmap, tz, source)


def _ticket_id(row: Mapping[str, Any], cmap: ColumnMap, source: str, n: int) -> str:
    tid = row.get(cmap.ticket)
    if tid in (None, ""):
        raise TimelineError(
            f"{source}:{n}: no ticket id in column {cmap.ticket!r} (columns: {sorted(row)})"
        )
    return str(tid)


# -- results out ----------------------------------------------------------------------

RESULT_COLUMNS: tuple[str, ...] = (
    "ticket_id", "plan", "metric", "cycle", "status", "severity", "target", "calendar",
    "started_at", "deadline", "stopped_at", "business_elapsed_s", "business_remaining_s",
    "target_business_s",
    "share_used", "breached_at", "at_risk", "wall_remaining_s", "pauses", "internal_target",
    "internal_deadline", "internal_status", "created_at",
)  # fmt: skip


def result_rows(
    sla: TicketSla, ticket: Ticket | None = None, *, fields: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """Flat rows (one per clock) of a ticket's results, with ``created_at`` and the
    ticket ``fields`` named (all of them when ``fields`` is empty)."""
    rows = []
    extra: dict[str, Any] = {}
    if ticket is not None:
        names = fields or list(ticket.fields)
        extra = {f"field.{k}": ticket.fields.get(k) for k in names}
    for m in sla.metrics:
        row: dict[str, Any] = {"ticket_id": sla.ticket_id, "plan": sla.plan, **m.as_dict()}
        row["metric"] = row.pop("metric")
        row["created_at"] = None if ticket is None else ticket.created_at.isoformat()
        row.update(extra)
        rows.append(row)
    return rows


def write_results(rows: Iterable[Mapping[str, Any]], out: IO[str], fmt: Format) -> int:
    """Write result rows to ``out`` as CSV, JSONL or a JSON array; return the count."""
    count = 0
    if fmt == "csv":
        # The header is the union of every row's columns (tickets may carry different
        # fields), so rows are spooled to a temporary file first: memory stays flat.
        cols: dict[str, None] = {}
        with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
            for row in rows:
                cols.update(dict.fromkeys(row))
                spool.write(json.dumps(row, default=str) + "\n")
                count += 1
            if not count:
                return 0
            header = [c for c in RESULT_COLUMNS if c in cols]
            header += [c for c in cols if c not in RESULT_COLUMNS]
            writer = csv.DictWriter(out, fieldnames=header)
            writer.writeheader()
            spool.seek(0)
            for line in spool:
                writer.writerow({k: "" if v is None else v for k, v in json.loads(line).items()})
    elif fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(row, default=str) + "\n")
            count += 1
    elif fmt == "json":
        out.write("[")
        for row in rows:
            out.write(("," if count else "") + "\n  " + json.dumps(row, default=str))
            count += 1
        out.write("\n]\n" if count else "]\n")
    else:
        raise ConfigError(f"unknown output format {fmt!r}; use csv, jsonl or json")
    return count


_FLOATS = {
    "business_elapsed_s",
    "business_remaining_s",
    "target_business_s",
    "share_used",
    "wall_remaining_s",
}
_INTS = {"cycle", "pauses"}
_TIMES = {"started_at", "deadline", "stopped_at", "breached_at", "internal_deadline", "created_at"}


def read_results(path: str | Path) -> list[dict[str, Any]]:
    """Read rows written by :func:`write_results` back, with types restored (times as
    aware datetimes, numbers as numbers, empty cells as None)."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".json":
        raw: list[dict[str, Any]] = json.loads(p.read_text(encoding="utf-8"))
    else:
        raw = [row for _, row in iter_rows(p)]
    out = []
    for row in raw:
        fixed: dict[str, Any] = {}
        for k, v in row.items():
            if v == "" or v is None:
                fixed[k] = None
            elif k in _FLOATS:
                fixed[k] = float(v)
            elif k in _INTS:
                fixed[k] = int(v)
            elif k == "at_risk":
                fixed[k] = v if isinstance(v, bool) else str(v) == "True"
            elif k in _TIMES:
                fixed[k] = datetime.fromisoformat(str(v))
            else:
                fixed[k] = v
        out.append(fixed)
    return out
