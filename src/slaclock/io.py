"""Event logs in, results out.

Read ticket histories from CSV or JSONL — one event per row (ticket id, time, kind,
status / severity / plan / field change, plus ticket fields) — through a
:class:`ColumnMap`, so a helpdesk export is read without editing it. Write results as
CSV, JSONL or JSON, and read them back (the row is defined once, in
:class:`slaclock._rows.ResultRow`).

Reading is strict: the file's structure (encoding, quoting, shape) must be sound, every
timestamp must carry a full date and time (see :func:`slaclock._instant.parse_instant`),
identical duplicate rows are dropped and counted, and a ticket whose rows are wrong
(an unknown kind, a missing severity, ``created`` rows that disagree…) is either an error
(``on_error="fail"``, the default) or set aside with its reason (``"skip"``).

Streaming: rows are grouped by ticket. A file whose rows of one ticket are contiguous
(``grouped=True``) is processed in one pass with one ticket in memory; otherwise rows are
first spread over temporary partition files by ticket id, then each partition is grouped
in memory — so a file of millions of events is never loaded at once.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import tempfile
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Final, Literal, final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ._format import csv_cell
from ._instant import parse_instant
from ._reader import DEFAULT_ENCODING, file_kind, iter_rows
from ._rows import COLUMNS, FIELD_PREFIX, decode_row, encode_row, metric_row, ticket_row
from .errors import ConfigError, SlaClockError, TimelineError
from .results import TicketSla
from .ticket import Ticket

__all__ = [
    "ColumnMap",
    "EventLog",
    "Format",
    "LogTicket",
    "OnError",
    "Reject",
    "RejectSink",
    "RowWriter",
    "iter_results",
    "iter_rows",
    "read_results",
    "read_tickets",
    "result_rows",
    "write_results",
]

Format = Literal["csv", "jsonl", "json"]
OnError = Literal["fail", "skip"]
KINDS: Final = frozenset(
    {"created", "agent_reply", "customer_reply", "internal_note", "status", "severity",
     "plan", "field"}
)  # fmt: skip
_KIND_LIST: Final = ", ".join(sorted(KINDS))
_ROLES: Final = ("ticket", "at", "kind", "status", "severity", "plan", "field", "value")


# -- the column map ---------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class KindRule:
    """``kinds.<value>[<column>=<value>,…]=<kind>``: rows whose kind column holds
    ``value`` and whose other columns hold the given values (columns and values compared
    without regard to case or surrounding spaces) are events of ``kind``."""

    value: str
    when: tuple[tuple[str, str], ...]
    kind: str

    def matches(self, row: Mapping[str, Any]) -> bool:
        for col, want in self.when:
            if col in row:
                got = row[col]
            else:  # column names match without regard to case too
                lowered = col.lower()
                got = next((v for k, v in row.items() if k.lower() == lowered), None)
            if _norm(got) != want:
                return False
        return True


def _norm(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v).strip().lower()


def _split_top(spec: str) -> list[str]:
    """Split ``spec`` at commas outside square brackets."""
    parts: list[str] = []
    cur: list[str] = []
    depth = 0
    for c in spec:
        if c == "[":
            depth += 1
        elif c == "]":
            depth = max(0, depth - 1)
        if c == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(c)
    parts.append("".join(cur))
    return [p for p in parts if p.strip()]


def _kind_rule(key: str, kind: str) -> KindRule:
    """Parse ``Comment[public=true,role=agent]`` (the part after ``kinds.``)."""
    key = key.strip()
    if key.endswith("]") and "[" in key:
        value, _, inner = key[:-1].partition("[")
        when = []
        for cond in inner.split(","):
            col, eq, want = cond.partition("=")
            if not eq or not col.strip():
                raise ConfigError(
                    f"kind condition {cond!r} in {key!r} must look like column=value, "
                    "e.g. kinds.Comment[public=true,role=agent]=agent_reply"
                )
            when.append((col.strip(), want.strip().lower()))
        return KindRule(value.strip(), tuple(when), kind)
    return KindRule(key, (), kind)


@final
@dataclasses.dataclass(frozen=True)
class ColumnMap:
    """Where each piece of an event lives in the input rows, and how its kinds are named.

    ``kinds`` maps the export's values of the kind column to slaclock's kinds
    (``created``, ``agent_reply``, ``customer_reply``, ``internal_note``, ``status``,
    ``severity``, ``plan``, ``field``); values that are already slaclock kinds need no
    entry, and a kind mapped to ``"ignore"`` is skipped. A key may carry conditions on
    other columns — ``"Comment[public=true,role=agent]": "agent_reply"`` — compared
    without regard to case; the first entry that matches, in written order, wins.

    A ``field`` event names the field in the column ``field`` and its new value in the
    column ``value`` (an empty value clears it); a field listed in ``lists`` (``tags``)
    takes a list, written ``a|b|c`` or as a JSON list. Several parts may live in one
    column (``status=Value,severity=Value``): each row reads the part its kind needs, and
    a ``created`` row reads a shared column as the severity (then the plan).

    ``fields`` lists the columns copied into the ticket's fields (customer, region, …);
    by default every column not used otherwise. ``renames`` maps a column to the field
    name it is stored under (``field.customer=Organization`` in :meth:`parse`); a renamed
    column is always copied. A field is present on every ticket of a CSV file (``None``
    where the ticket has no value), so results have the same columns for all tickets.
    """

    ticket: str = "ticket_id"
    at: str = "at"
    kind: str = "type"
    status: str = "status"
    severity: str = "severity"
    plan: str = "plan"
    field: str = "field"
    value: str = "value"
    fields: tuple[str, ...] | None = None
    kinds: Mapping[str, str] = dataclasses.field(default_factory=dict)
    renames: Mapping[str, str] = dataclasses.field(default_factory=dict)
    lists: tuple[str, ...] = ("tags",)

    def __post_init__(self) -> None:
        rules: dict[str, list[KindRule]] = {}
        for key, kind in self.kinds.items():
            if kind != "ignore" and kind not in KINDS:
                raise ConfigError(
                    f"kinds.{key}={kind!r}: {kind!r} is not a kind; use one of {_KIND_LIST} "
                    "or ignore"
                )
            rule = _kind_rule(key, kind)
            rules.setdefault(rule.value, []).append(rule)
        object.__setattr__(self, "_rules", rules)

    @classmethod
    def parse(cls, spec: str | None) -> ColumnMap:
        """From ``"ticket=Ticket ID,at=Changed At,kind=Event,kinds.Reply sent=agent_reply"``;
        ``field.customer=Organization`` stores the column ``Organization`` as the ticket
        field ``customer``; ``kinds.Comment[public=true,role=agent]=agent_reply`` maps a
        kind only when other columns match; ``fields=a|b`` and ``lists=tags|labels``."""
        if not spec:
            return cls()
        values: dict[str, Any] = {}
        kinds: dict[str, str] = {}
        renames: dict[str, str] = {}
        for part in _split_top(spec):
            # kinds.Comment[public=true]=agent_reply: the '=' that counts follows the ']'
            bracket = part.find("[")
            skip = part.find("]") if 0 <= bracket < part.find("=") and "]" in part else 0
            cut = part.find("=", skip)
            if cut < 0:
                raise ConfigError(f"column mapping {part!r} must look like name=Column")
            key, value = part[:cut].strip(), part[cut + 1 :].strip()
            if key.startswith("kinds.") and key[6:]:
                kinds[key[6:]] = value
            elif key.startswith("field.") and key[6:] and value:
                renames[value] = key[6:]
            elif key in ("fields", "lists"):
                values[key] = tuple(v.strip() for v in value.split("|") if v.strip())
            elif key in _ROLES:
                if not value:
                    raise ConfigError(f"column mapping {part!r} names no column")
                values[key] = value
            else:
                raise ConfigError(
                    f"unknown mapping key {key!r}; use {', '.join(_ROLES)}, fields (a|b|c), "
                    "lists (tags|labels), field.<name> or kinds.<value>[<column>=<value>]"
                )
        return cls(**values, kinds=kinds, renames=renames)

    def used_columns(self) -> set[str]:
        """The columns that are parts of the event (not copied into ticket fields)."""
        return {getattr(self, r) for r in _ROLES}

    def kind_of(self, raw: str, row: Mapping[str, Any]) -> str | None:
        """slaclock's kind (or ``"ignore"``) for a row whose kind column holds ``raw``;
        ``None`` when nothing maps it."""
        rules: dict[str, list[KindRule]] = self.__dict__["_rules"]
        for rule in rules.get(raw, ()):
            if rule.matches(row):
                return rule.kind
        return raw if raw in KINDS else None


# -- tickets in -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Reject:
    """A ticket (or row) set aside: its id, the first physical line of its rows, why, and
    every row of it as read (``(line, row)``)."""

    ticket_id: str | None
    line: int
    reason: str
    rows: tuple[tuple[int, Mapping[str, Any]], ...]


@dataclasses.dataclass(frozen=True, slots=True)
class LogTicket:
    """A ticket read from a log, with the physical line of its first row and its rows
    (kept so a caller can quarantine the whole ticket when evaluating it fails)."""

    ticket: Ticket
    line: int
    rows: tuple[tuple[int, Mapping[str, Any]], ...]

    @property
    def latest(self) -> datetime:
        """The ticket's last event (or its creation)."""
        t = self.ticket
        return t.events[-1].at if t.events else t.created_at


class _Bad(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _zone(name: str | None) -> ZoneInfo | None:
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"unknown time zone {name!r} for assume_timezone (--assume-timezone); use an "
            "IANA name such as America/New_York or UTC"
        ) from None


def _text(v: Any) -> str:
    if v.__class__ is str:
        return v.strip()
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v).strip()


def _value(v: Any, name: str, is_list: bool, line: int) -> Any:
    """A field's value from a cell: ``None`` when empty; a tuple for list fields."""
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if isinstance(v, list):
        if not all(isinstance(x, str) for x in v):
            raise _Bad(line, f"field {name!r}: a list may hold only text, not {v!r}")
        return tuple(x.strip() for x in v)
    if isinstance(v, dict):
        raise _Bad(
            line, f"field {name!r}: {v!r} is an object; a field holds text, a number, "
            "a flag or a list of text (leave the column out with fields=a|b)"
        )  # fmt: skip
    if isinstance(v, str):
        text = v.strip()
        if is_list:
            if text.startswith("["):
                try:
                    items = json.loads(text)
                except ValueError:
                    raise _Bad(line, f"field {name!r}: {text!r} is not a JSON list") from None
                return _value(items, name, True, line)
            return tuple(x.strip() for x in text.split("|") if x.strip())
        return text
    return v


def _dedup_key(row: Mapping[str, Any], at_col: str, at: datetime) -> Any:
    """What makes two rows of a ticket identical: the same instant (however written) and
    the same cells."""
    cells = dict(row)
    cells[at_col] = at.timestamp()
    key = tuple(cells.items())
    try:
        hash(key)
    except TypeError:  # JSON lists or objects in a cell
        return json.dumps(cells, sort_keys=True, default=str)
    return key


@dataclasses.dataclass
class _Builder:
    """Turns the rows of one ticket into a :class:`Ticket` (or raises :class:`_Bad`)."""

    cmap: ColumnMap
    zone: ZoneInfo | None
    dayfirst: bool | None
    duplicates: int = 0

    def build(self, tid: str, rows: Sequence[tuple[int, Mapping[str, Any]]]) -> Ticket:
        cmap = self.cmap
        created: tuple[int, datetime, str, str, str] | None = None
        fallback_sev = ""
        fields: dict[str, Any] = {}
        events: list[tuple[int, dict[str, Any]]] = []
        last_key: Any = None
        used = cmap.used_columns()
        renames = cmap.renames
        lists = set(cmap.lists)
        names_of: dict[tuple[str, ...], list[str]] = {}
        for n, row in rows:
            raw_kind = _text(row.get(cmap.kind))
            kind = cmap.kind_of(raw_kind, row)
            if kind is None:
                raise _Bad(
                    n, f"unknown event kind {raw_kind!r} in column {cmap.kind!r}; map it with "
                    f"kinds.{raw_kind or '<value>'}=<one of {_KIND_LIST}> or ignore"
                )  # fmt: skip
            if kind == "ignore":
                continue
            try:
                at = parse_instant(row.get(cmap.at), zone=self.zone, dayfirst=self.dayfirst,
                                   name=f"time in column {cmap.at!r}")  # fmt: skip
            except SlaClockError as exc:
                raise _Bad(n, str(exc)) from None
            key = _dedup_key(row, cmap.at, at)
            if key == last_key:
                self.duplicates += 1  # the previous row again: an export's duplicate
                continue
            last_key = key
            keys = tuple(row)
            names = names_of.get(keys)
            if names is None:
                if cmap.fields is not None:
                    names = [*cmap.fields, *(c for c in renames if c not in cmap.fields)]
                else:
                    names = [k for k in keys if k not in used or k in renames]
                names_of[keys] = names
            for name in names:
                fname = renames.get(name, name)
                if fields.get(fname) is not None:
                    continue  # the first value a field takes is kept
                v = _value(row.get(name), fname, fname in lists, n)
                if v is None:
                    fields.setdefault(fname, None)
                else:
                    fields[fname] = v
            sev = _text(row.get(cmap.severity))
            plan = _text(row.get(cmap.plan))
            status = _text(row.get(cmap.status))
            if kind == "created":
                # a column shared by several roles is the severity, then the plan
                if cmap.status in (cmap.severity, cmap.plan):
                    status = ""
                if cmap.plan == cmap.severity:
                    plan = ""
                if created is None:
                    created = (n, at, sev, plan, status)
                else:
                    created = self._agree(created, (n, at, sev, plan, status))
                continue
            ev: dict[str, Any] = {"at": at, "type": kind}
            if kind == "status":
                if not status:
                    raise _Bad(n, f"a status event needs a value in column {cmap.status!r}")
                ev["status"] = status
            elif kind == "severity":
                if not sev:
                    raise _Bad(n, f"a severity event needs a value in column {cmap.severity!r}")
                ev["severity"] = sev
            elif kind == "plan":
                if not plan:
                    raise _Bad(n, f"a plan event needs a value in column {cmap.plan!r}")
                ev["plan"] = plan
            elif kind == "field":
                name = _text(row.get(cmap.field))
                if not name:
                    raise _Bad(n, f"a field event needs the field's name in column {cmap.field!r}")
                ev["field"] = name
                ev["value"] = _value(row.get(cmap.value), name, name in lists, n)
            else:
                fallback_sev = fallback_sev or sev
            events.append((n, ev))
        first_line = rows[0][0] if rows else 0
        if created is None:
            if not events:
                raise _Bad(first_line, "no events (every row is ignored by the column map)")
            start = min(ev["at"] for _, ev in events)
            severity, plan, status = fallback_sev, "", ""
        else:
            _, start, severity, plan, status = created
            severity = severity or fallback_sev
        if not severity:
            raise _Bad(
                first_line, f"no severity (give it on the 'created' row, in column "
                f"{cmap.severity!r})"
            )  # fmt: skip
        for n, ev in events:
            if ev["at"] < start:
                raise _Bad(
                    n, f"{ev['type']} at {ev['at'].isoformat()} is before the ticket was "
                    f"created ({start.isoformat()})"
                )  # fmt: skip
        try:
            return Ticket.model_validate(
                {"id": tid, "created_at": start, "severity": severity, "plan": plan or None,
                 "status": status or "new", "fields": fields,
                 "events": [ev for _, ev in events]}
            )  # fmt: skip
        except SlaClockError as exc:
            raise _Bad(first_line, str(exc).removeprefix(f"ticket {tid!r}: ")) from None

    @staticmethod
    def _agree(
        a: tuple[int, datetime, str, str, str], b: tuple[int, datetime, str, str, str]
    ) -> tuple[int, datetime, str, str, str]:
        names = ("time", "severity", "plan", "status")
        for i, name in enumerate(names, 1):
            x, y = a[i], b[i]
            if x and y and x != y:
                shown = tuple(v.isoformat() if isinstance(v, datetime) else v for v in (x, y))
                raise _Bad(
                    b[0], f"two 'created' rows disagree on the {name}: {shown[0]!r} (line "
                    f"{a[0]}) and {shown[1]!r} (line {b[0]}); keep one created row per ticket"
                )  # fmt: skip
        return (a[0], a[1], a[2] or b[2], a[3] or b[3], a[4] or b[4])


class _SeenIds:
    """The ticket ids seen so far, as 64-bit fingerprints (``hash``) in one open-addressed
    array: 16–32 bytes an id instead of about 90 for a set of strings, so checking that a
    grouped log of millions of tickets is really grouped keeps memory small. Two distinct
    ids share a fingerprint with a probability of about n² / 2⁶⁵ (3 in 10⁸ for a million
    tickets)."""

    def __init__(self) -> None:
        self._table = array("q", bytes(8 * 1024))
        self._mask = 1023
        self._count = 0

    def add(self, key: str) -> bool:
        """Record ``key``; ``True`` when it was seen before."""
        h = hash(key) or 1  # 0 marks an empty slot
        table, mask = self._table, self._mask
        i = h & mask
        while True:
            v = table[i]
            if v == 0:
                break
            if v == h:
                return True
            i = (i + 1) & mask
        table[i] = h
        self._count += 1
        if self._count * 2 > mask:
            self._grow()
        return False

    def _grow(self) -> None:
        old = self._table
        self._mask = mask = self._mask * 2 + 1
        table = self._table = array("q", bytes(8 * (mask + 1)))
        for h in old:
            if h:
                i = h & mask
                while table[i]:
                    i = (i + 1) & mask
                table[i] = h


def _auto_partitions(path: str | Path) -> int:
    try:
        size = os.path.getsize(path)
    except OSError:
        size = 0
    return max(64, min(512, size // (4 << 20)))


class RejectSink:
    """What a ticket source does with a ticket it cannot read: raise its error naming
    where it is (``on_error="fail"``), or set it aside (``"skip"``): passed to
    ``on_reject``, else appended to :attr:`rejects`, and counted in :attr:`rejected`."""

    source: str
    on_error: str
    on_reject: Callable[[Reject], None] | None
    rejects: list[Reject]
    rejected: int

    def _where(self, line: int) -> str:
        """Where a ticket's rows are, for its error message (``FILE:LINE``)."""
        return f"{self.source}:{line}"

    def reject(
        self, tid: str | None, rows: Sequence[tuple[int, Mapping[str, Any]]], line: int,
        reason: str,
    ) -> None:  # fmt: skip
        """Set a ticket aside (``on_error="skip"``) or raise its error (``"fail"``)."""
        who = f"ticket {tid!r}: " if tid is not None else ""
        if self.on_error == "fail":
            raise TimelineError(f"{self._where(line)}: {who}{reason}")
        self.rejected += 1
        rej = Reject(tid, line, reason, tuple(rows))
        if self.on_reject is not None:
            self.on_reject(rej)
        else:
            self.rejects.append(rej)


class EventLog(RejectSink):
    """An event log on disk, read ticket by ticket (a context manager: it owns the
    temporary partition files of an ungrouped log and removes them on exit).

    :meth:`entries` yields each ticket read (with its line and rows); a ticket whose rows
    are wrong raises :class:`~slaclock.TimelineError` naming ``FILE:LINE`` when
    ``on_error="fail"``, or is passed to ``on_reject`` (default: appended to
    :attr:`rejects`) when ``on_error="skip"``. Every pass recounts :attr:`rejects` and
    :attr:`duplicates` (identical duplicate rows dropped). :meth:`latest` is the latest
    event of the tickets that read well: the instant a log is evaluated at when no
    ``now`` is given.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        columns: ColumnMap | None = None,
        assume_timezone: str | None = None,
        dayfirst: bool | None = None,
        encoding: str = DEFAULT_ENCODING,
        delimiter: str | None = None,
        grouped: bool = False,
        partitions: int | None = None,
        on_error: OnError = "fail",
        on_reject: Callable[[Reject], None] | None = None,
        progress: Callable[[str, float], None] | None = None,
    ) -> None:
        if on_error not in ("fail", "skip"):
            raise ConfigError(f"on_error={on_error!r}; use 'fail' or 'skip'")
        file_kind(path)  # an unknown suffix is an error before anything is read
        self.path = path
        self.source = str(path)
        self.cmap = columns or ColumnMap()
        self.zone = _zone(assume_timezone)
        self.dayfirst = dayfirst
        self.encoding = encoding
        self.delimiter = delimiter
        self.grouped = grouped
        self.partitions = partitions or _auto_partitions(path)
        self.on_error = on_error
        self.on_reject = on_reject
        self.progress = progress
        self.rejects: list[Reject] = []
        self.rejected = 0
        self.duplicates = 0
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._parts: list[str] | None = None
        self._latest: datetime | None = None
        self._scanned = False

    def __enter__(self) -> EventLog:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Remove the temporary partition files."""
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None
            self._parts = None

    def _report(self, phase: str, share: float) -> None:
        if self.progress is not None:
            self.progress(phase, min(max(share, 0.0), 1.0))

    def _total(self) -> int:
        try:
            return max(os.path.getsize(self.path), 1)
        except OSError:
            return 1

    def _rows(self, counter: list[int]) -> Iterator[tuple[int, dict[str, Any]]]:
        return iter_rows(self.path, encoding=self.encoding, delimiter=self.delimiter,
                         counter=counter)  # fmt: skip

    def _tid(self, row: Mapping[str, Any], n: int) -> str:
        tid = _text(row.get(self.cmap.ticket))
        if not tid:
            raise TimelineError(
                f"{self.source}:{n}: no ticket id in column {self.cmap.ticket!r} (columns: "
                f"{sorted(row)}); map the id column with ticket=<column>"
            )
        return tid

    def _groups(self) -> Iterator[tuple[str, list[tuple[int, Mapping[str, Any]]]]]:
        counter = [0]
        total = self._total()
        if self.grouped:
            current: str | None = None
            buf: list[tuple[int, Mapping[str, Any]]] = []
            seen = _SeenIds()
            for n, row in self._rows(counter):
                tid = self._tid(row, n)
                if tid != current:
                    if current is not None:
                        self._report("reading", counter[0] / total)
                        yield current, buf
                    if seen.add(tid):
                        raise TimelineError(
                            f"{self.source}:{n}: ticket {tid!r} appears again after other "
                            "tickets; the file is not grouped by ticket (drop grouped=True / "
                            "--grouped)"
                        )
                    current, buf = tid, []
                buf.append((n, row))
            if current is not None:
                yield current, buf
            return
        parts = self._partition(counter, total)
        for done, name in enumerate(parts):
            self._report("grouping", done / max(len(parts), 1))
            groups: dict[str, list[tuple[int, Mapping[str, Any]]]] = {}
            with open(name, encoding="utf-8") as fh:
                for line in fh:
                    n, tid, row = json.loads(line)
                    groups.setdefault(tid, []).append((n, row))
            yield from groups.items()

    def _partition(self, counter: list[int], total: int) -> list[str]:
        if self._parts is not None:
            return self._parts
        self._tmp = tempfile.TemporaryDirectory(prefix="slaclock-")
        handles: dict[int, IO[str]] = {}
        try:
            for n, row in self._rows(counter):
                if not n % 4096:
                    self._report("reading", counter[0] / total)
                tid = self._tid(row, n)
                k = zlib.crc32(tid.encode()) % self.partitions
                fh = handles.get(k)
                if fh is None:
                    fh = open(os.path.join(self._tmp.name, f"p{k}.jsonl"), "w", encoding="utf-8")  # noqa: SIM115
                    handles[k] = fh
                fh.write(json.dumps([n, tid, row], ensure_ascii=False) + "\n")
        finally:
            for fh in handles.values():
                fh.close()
        self._parts = [os.path.join(self._tmp.name, f"p{k}.jsonl") for k in sorted(handles)]
        return self._parts

    def entries(self) -> Iterator[LogTicket]:
        """Every ticket that reads well, with its first line and rows (one pass)."""
        builder = _Builder(self.cmap, self.zone, self.dayfirst)
        self.rejects, self.rejected, self.duplicates = [], 0, 0
        latest: datetime | None = None
        for tid, rows in self._groups():
            try:
                ticket = builder.build(tid, rows)
            except _Bad as bad:
                self.duplicates = builder.duplicates
                self.reject(tid, rows, bad.line, bad.message)
                continue
            self.duplicates = builder.duplicates
            entry = LogTicket(ticket, rows[0][0], tuple(rows))
            if latest is None or entry.latest > latest:
                latest = entry.latest
            yield entry
        self._latest, self._scanned = latest, True

    def latest(self) -> datetime | None:
        """The latest event of the tickets that read well (a pass over the log unless
        one was already made); ``None`` for a log without tickets."""
        if not self._scanned:
            for _ in self.entries():
                pass
        return self._latest

    def tickets(self) -> Iterator[Ticket]:
        """Every ticket that reads well (one pass)."""
        for entry in self.entries():
            yield entry.ticket


def read_tickets(
    path: str | Path,
    *,
    columns: ColumnMap | None = None,
    assume_timezone: str | None = None,
    dayfirst: bool | None = None,
    encoding: str = DEFAULT_ENCODING,
    delimiter: str | None = None,
    grouped: bool = False,
    partitions: int | None = None,
    on_error: OnError = "fail",
    progress: Callable[[str, float], None] | None = None,
) -> Iterator[Ticket]:
    """Stream the tickets of an event log (CSV, TSV or JSONL), in order of first
    appearance within each partition (file order with ``grouped=True``).

    A naive timestamp is an error unless ``assume_timezone`` names the export's zone;
    numeric dates whose day and month could be swapped need ``dayfirst``; slaclock never
    guesses. With ``on_error="skip"`` tickets whose rows are wrong are left out (use
    :class:`EventLog` to see them). ``progress(phase, share)`` is called as the file is
    read (``"reading"``; an ungrouped file is then grouped partition by partition:
    ``"grouping"``)."""
    with EventLog(
        path, columns=columns, assume_timezone=assume_timezone, dayfirst=dayfirst,
        encoding=encoding, delimiter=delimiter, grouped=grouped, partitions=partitions,
        on_error=on_error, progress=progress,
    ) as log:  # fmt: skip
        yield from log.tickets()


# -- results out ------------------------------------------------------------------------

RESULT_COLUMNS: Final[tuple[str, ...]] = tuple(COLUMNS)


def result_rows(
    sla: TicketSla, ticket: Ticket | None = None, *, fields: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """Plain (JSON-friendly) rows, one per clock, of a ticket's results: the columns of
    :class:`~slaclock._rows.ResultRow` (times as ISO 8601 text), then the ticket
    ``fields`` as ``field.<name>`` (all of them when ``fields`` is empty)."""
    return [encode_row(r) for r in typed_rows(sla, ticket, fields=fields)]


def typed_rows(
    sla: TicketSla, ticket: Ticket | None = None, *, fields: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """:func:`result_rows` with typed values (aware datetimes), as a report reads them."""
    return [ticket_row(metric_row(sla, m), ticket, tuple(fields)) for m in sla.metrics]


def _json_default(v: Any) -> Any:
    if isinstance(v, datetime):
        return v.isoformat()
    raise TypeError(f"{type(v).__name__} is not a result value")


_ENCODER: Final = json.JSONEncoder(default=_json_default)


def _csv_value(v: Any, raw: bool) -> Any:
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.isoformat()
    if isinstance(v, list | tuple):
        return csv_cell(json.dumps(list(v), ensure_ascii=False), raw=raw)
    return csv_cell(v, raw=raw)


@final
class RowWriter:
    """Rows written one by one as CSV, JSONL or a JSON array (see :func:`write_results`);
    call :meth:`close` to finish the output."""

    def __init__(
        self, out: IO[str], fmt: Format, *, raw_csv: bool = False,
        empty_header: Sequence[str] = RESULT_COLUMNS, first: Sequence[str] = RESULT_COLUMNS,
    ) -> None:  # fmt: skip
        if fmt not in ("csv", "jsonl", "json"):
            raise ConfigError(f"unknown output format {fmt!r}; use csv, jsonl or json")
        self.out, self.fmt, self.raw_csv = out, fmt, raw_csv
        self.empty_header, self.first = tuple(empty_header), tuple(first)
        self.count = 0
        self._cols: dict[str, None] = {}
        # CSV: the header is the union of every row's columns (tickets may carry
        # different fields), so rows are spooled to a temporary file first, as CSV: their
        # cells already written out, after the number of the columns they fill.
        self._spool: IO[str] | None = None
        self._spool_writer: Any = None
        self._shapes: dict[tuple[str, ...], int] = {}
        if fmt == "csv":
            self._spool = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")  # noqa: SIM115
            self._spool_writer = csv.writer(self._spool)
        elif fmt == "json":
            out.write("[")

    def write(self, row: Mapping[str, Any]) -> None:
        """Write one row (typed or plain)."""
        if self._spool is not None:
            keys = tuple(row)
            shape = self._shapes.get(keys)
            if shape is None:
                shape = self._shapes[keys] = len(self._shapes)
                self._cols.update(dict.fromkeys(keys))
            raw = self.raw_csv
            self._spool_writer.writerow([shape, *(_csv_value(v, raw) for v in row.values())])
            self.count += 1
            return
        text = _ENCODER.encode(row)
        if self.fmt == "jsonl":
            self.out.write(text + "\n")
        else:
            self.out.write(("," if self.count else "") + "\n  " + text)
        self.count += 1

    def close(self) -> int:
        """Finish the output (the CSV header and rows; the JSON array's end); return the
        number of rows."""
        if self._spool is not None:
            spool, self._spool = self._spool, None
            with spool:
                cols = self._cols
                if self.count:
                    header = [c for c in self.first if c in cols]
                    header += [c for c in cols if c not in self.first]
                else:
                    header = list(self.empty_header)
                writer = csv.writer(self.out)
                writer.writerow([csv_cell(h, raw=self.raw_csv) for h in header])
                # where each of a shape's cells goes in the header (-1: not there)
                places = {n: [header.index(k) for k in keys] for keys, n in self._shapes.items()}
                width = len(header)
                spool.seek(0)
                for rec in csv.reader(spool):
                    cells = [""] * width
                    for i, v in zip(places[int(rec[0])], rec[1:], strict=True):
                        cells[i] = v
                    writer.writerow(cells)
        elif self.fmt == "json":
            self.out.write("\n]\n" if self.count else "]\n")
        return self.count

    def discard(self) -> None:
        """Drop a CSV spool without writing it."""
        if self._spool is not None:
            self._spool.close()
            self._spool = None
            self._spool_writer = None


def write_results(
    rows: Iterable[Mapping[str, Any]], out: IO[str], fmt: Format, *, raw_csv: bool = False
) -> int:
    """Write result rows (typed or plain) to ``out`` as CSV, JSONL or a JSON array; return
    the count. CSV cells that a spreadsheet would run as formulas are neutralised
    (prefixed with ``'``) unless ``raw_csv``; an empty CSV still has its header."""
    writer = RowWriter(out, fmt, raw_csv=raw_csv)
    try:
        for row in rows:
            writer.write(row)
    except BaseException:
        writer.discard()
        raise
    return writer.close()


def iter_results(path: str | Path, *, encoding: str = DEFAULT_ENCODING) -> Iterator[dict[str, Any]]:
    """Stream rows written by :func:`write_results` back, typed (times as aware
    datetimes, numbers as numbers, empty cells as ``None``, lists of tags as tuples)."""
    p = Path(path)
    if p.suffix.lower() == ".json":
        try:
            raw = json.loads(p.read_text(encoding=encoding))
        except ValueError as exc:
            raise ConfigError(f"{p}: not a JSON array of result rows: {exc}") from None
        if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
            raise ConfigError(f"{p}: a JSON results file is an array of objects")
        for row in raw:
            yield decode_row(row)
        return
    csv_file = file_kind(p) != "jsonl"
    for n, row in iter_rows(p, encoding=encoding):
        try:
            yield decode_row(row, from_csv=csv_file)
        except ConfigError as exc:
            raise ConfigError(f"{p}:{n}: {exc}") from None


def read_results(path: str | Path, *, encoding: str = DEFAULT_ENCODING) -> list[dict[str, Any]]:
    """All rows of a results file (CSV, JSONL or JSON), typed; see :func:`iter_results`."""
    return list(iter_results(path, encoding=encoding))


def field_columns(row: Mapping[str, Any]) -> list[str]:
    """The ticket-field columns (``field.<name>``) of a result row."""
    return [k for k in row if k.startswith(FIELD_PREFIX)]
