"""What every helpdesk adapter shares: finding the export's files, streaming their records
(saved API pages, JSON lines, CSV, Parquet), reading the helpdesks' timestamps, grouping
interleaved records by ticket without holding the whole export, mapping status names to
categories, assembling a :class:`~slaclock.Ticket` from values at creation and changes,
and the neutral record of an SLA cycle as the helpdesk itself recorded it."""

from __future__ import annotations

import csv
import json
import os
import tempfile
import warnings
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final, Literal, final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import ConfigError, SlaClockWarning, TimelineError
from ..ticket import FieldValue, Ticket

__all__ = [
    "Incomplete",
    "RecordedCycle",
    "StatusMap",
    "TicketDraft",
    "TicketGroups",
    "find_files",
    "iter_records",
    "parse_time",
    "zone",
]

Reply = Literal["agent_reply", "customer_reply", "internal_note"]
Incomplete = Literal["warn", "error", "skip"]
"""What to do with a ticket whose creation is not in the export: skip it and warn once at
the end (``warn``, the default), raise a :class:`~slaclock.TimelineError` (``error``), or
skip it silently (``skip``)."""


@final
@dataclass(frozen=True, slots=True)
class RecordedCycle:
    """One SLA cycle as the helpdesk recorded it (the audit's input), in slaclock's names.

    ``metric`` is a slaclock metric name (``first_response``, ``next_reply``,
    ``resolution``…; a helpdesk metric without an equivalent keeps its own name);
    ``cycle`` counts from 1 per ticket and metric as slaclock numbers cycles. ``deadline``
    is when the helpdesk said the target falls due, ``breached`` / ``breached_at`` its
    verdict, ``stopped_at`` when the cycle stopped (None: still running), and
    ``business_elapsed`` the time it counted, when it says. ``target`` is the goal it
    applied. ``source`` names the file and record it came from.
    """

    ticket_id: str
    metric: str
    cycle: int
    deadline: datetime | None
    breached: bool
    breached_at: datetime | None
    stopped_at: datetime | None
    business_elapsed: timedelta | None
    target: timedelta | None
    source: str


# -- files ----------------------------------------------------------------------------


def find_files(path: str | Path, patterns: Sequence[str], *, what: str) -> list[Path]:
    """The files of an export matching ``patterns`` (globs such as ``ticket_events*.json``)
    in a directory, sorted by name; or ``[path]`` when ``path`` is one file. An empty list
    when the directory has none."""
    p = Path(path)
    if p.is_file():
        return [p]
    if not p.is_dir():
        raise ConfigError(
            f"{what}: {str(p)!r} is neither a file nor a directory; give the directory "
            "holding the export's files"
        )
    found: dict[Path, None] = {}
    for pattern in patterns:
        for f in sorted(p.glob(pattern)):
            if f.is_file():
                found[f] = None
    return sorted(found)


def require_files(path: str | Path, patterns: Sequence[str], *, what: str) -> list[Path]:
    """As :func:`find_files`, but an error naming the directory and the expected names when
    there is none."""
    files = find_files(path, patterns, what=what)
    if not files:
        raise ConfigError(
            f"{what}: no file in {str(path)!r} matches {', '.join(patterns)}; save the "
            "export's files there under those names"
        )
    return files


def _json_error(where: str, exc: json.JSONDecodeError) -> TimelineError:
    return TimelineError(f"{where}: not valid JSON ({exc.msg} at line {exc.lineno})")


def iter_records(path: Path, key: str | None) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(where, record)`` for every record of one file, streaming.

    - ``.json``: one saved API page (``{key: [...], "next_page": ...}``), a bare list, or a
      single record; read one file (one page) at a time;
    - ``.jsonl`` / ``.ndjson``: one record a line, or one saved page a line;
    - ``.csv`` / ``.tsv``: one record a row (every value a string, empty cells None);
    - ``.parquet``: one record a row (needs the optional ``pyarrow``).

    ``where`` is ``file:line`` (JSON lines, CSV) or ``file:key[i]`` (pages).
    """
    suffix = path.suffix.lower()
    name = str(path)
    if suffix in (".jsonl", ".ndjson"):
        with path.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                where = f"{name}:{n}"
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise _json_error(where, exc) from None
                yield from _unpage(obj, key, where)
    elif suffix == ".json":
        try:
            with path.open(encoding="utf-8") as fh:
                obj = json.load(fh)
        except json.JSONDecodeError as exc:
            raise _json_error(name, exc) from None
        yield from _unpage(obj, key, name)
    elif suffix in (".csv", ".tsv"):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh, delimiter="\t" if suffix == ".tsv" else ",")
            for n, row in enumerate(reader, 2):
                yield f"{name}:{n}", {k: (v if v != "" else None) for k, v in row.items()}
    elif suffix == ".parquet":
        yield from _parquet_rows(path)
    else:
        raise ConfigError(
            f"{name!r}: unknown file type {suffix!r}; use .json (saved API pages), .jsonl, "
            ".csv or .parquet"
        )


def _unpage(obj: Any, key: str | None, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(obj, list):
        items, label = obj, ""
    elif isinstance(obj, dict) and key is not None and isinstance(obj.get(key), list):
        items, label = obj[key], key
    elif isinstance(obj, dict):
        yield where, obj
        return
    else:
        raise TimelineError(f"{where}: expected a JSON object or a page of them, got {obj!r:.60}")
    for i, item in enumerate(items):
        at = f"{where}:{label}[{i}]" if label else f"{where}[{i}]"
        if not isinstance(item, dict):
            raise TimelineError(f"{at}: expected a JSON object, got {item!r:.60}")
        yield at, item


def _parquet_rows(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    try:
        import pyarrow.parquet as pq  # type: ignore[import-not-found,import-untyped,unused-ignore]
    except ImportError:
        raise ConfigError(
            f"{str(path)!r} is Parquet, which needs pyarrow: pip install 'slaclock[warehouse]'"
        ) from None
    n = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=8192):
        for row in batch.to_pylist():
            n += 1
            yield f"{path}:row {n}", row


# -- values ---------------------------------------------------------------------------


def zone(name: str | None, *, option: str = "assume_timezone") -> ZoneInfo | None:
    """The ``ZoneInfo`` of an IANA name (None stays None); a ConfigError naming it."""
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"unknown time zone {name!r} for {option}; use an IANA name such as 'UTC' or "
            "'America/New_York'"
        ) from None


def parse_time(value: Any, where: str, tz: ZoneInfo | None = None) -> datetime:
    """An aware instant from a helpdesk timestamp: ISO 8601 (``Z``, ``+00:00`` or Jira's
    ``-0500``), Unix seconds, or a naive text / datetime read in ``tz`` (an error naming
    ``where`` when ``tz`` is None: slaclock never guesses a zone)."""
    if isinstance(value, datetime):
        t = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(float(value), UTC)
    elif isinstance(value, Mapping) and "iso8601" in value:  # JSM's date objects
        return parse_time(value["iso8601"], where, tz)
    elif isinstance(value, Mapping) and "epochMillis" in value:
        return datetime.fromtimestamp(int(value["epochMillis"]) / 1000, UTC)
    else:
        if value is None:
            raise TimelineError(f"{where}: no timestamp")
        text = str(value).strip()
        if not text:
            raise TimelineError(f"{where}: empty timestamp")
        if text.isdigit():
            return datetime.fromtimestamp(int(text), UTC)
        try:
            t = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            from dateutil import parser as du

            try:
                t = du.parse(text)
            except (ValueError, OverflowError):
                raise TimelineError(f"{where}: cannot read timestamp {text!r}") from None
    if t.utcoffset() is None:
        if tz is None:
            raise TimelineError(
                f"{where}: timestamp {str(value)!r} has no UTC offset; pass "
                "assume_timezone='UTC' (or the export's zone)"
            )
        t = t.replace(tzinfo=tz)
    return t


def text(value: Any) -> str | None:
    """A helpdesk value as slaclock keeps field values: ids and names as strings, empty
    as None (``1234`` -> ``"1234"``, ``""`` -> None); JSON reference objects
    (``{"value": ..., "display_value": ...}``, ``{"name": ...}``) by their value."""
    kind = type(value)
    if kind is str:
        s = value.strip()
        return s or None
    if kind is int:
        return str(value)
    if isinstance(value, Mapping):
        for k in ("value", "name", "accountId", "id"):
            if k in value:
                return text(value[k])
        return None
    if value is None or isinstance(value, bool):
        return None if value is None else str(value).lower()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = str(value).strip()
    return s or None


def tags(value: Any) -> tuple[str, ...]:
    """Tags as a sorted tuple of distinct strings, from a list or a space-separated text."""
    if value is None:
        return ()
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            try:
                value = json.loads(stripped)
            except json.JSONDecodeError:
                value = stripped.split()
        else:
            value = stripped.split()
    return tuple(sorted({str(v).strip() for v in value if str(v).strip()}))


def truthy(value: Any) -> bool:
    """A helpdesk boolean: true/false, "true"/"false", 1/0 (ServiceNow and CSV write text)."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "t")
    return bool(value)


def minutes(value: Any) -> timedelta | None:
    """Whole minutes as a duration (None stays None)."""
    if value is None or value == "":
        return None
    return timedelta(minutes=float(value))


# -- statuses -------------------------------------------------------------------------


@final
class StatusMap:
    """Helpdesk status names (or ids) to slaclock's categories: the user's map first, then
    the helpdesk's built-ins, compared trimmed and case-insensitively; anything else
    passes through as its name (the policy's ``statuses`` table may map it)."""

    __slots__ = ("_builtin", "_user")

    def __init__(
        self, builtin: Mapping[str, str], user: Mapping[str, str] | None = None
    ) -> None:  # fmt: skip
        self._builtin = {_key(k): v for k, v in builtin.items()}
        self._user = {_key(k): v for k, v in (user or {}).items()}

    def user(self, name: Any) -> str | None:
        """The user's mapping of ``name``, if any."""
        return self._user.get(_key(name))

    def __call__(self, name: Any) -> str:
        key = _key(name)
        found = self._user.get(key) or self._builtin.get(key)
        return found if found is not None else str(name).strip()


def _key(value: Any) -> str:
    return str(value).strip().lower()


# -- duplicates and grouping by ticket ------------------------------------------------


@final
class RecentIds:
    """Ids seen among the last ``window`` records: drops the records an incremental
    export repeats across a page boundary (the next page starts at the previous one's
    end time) without remembering every id of a large export."""

    __slots__ = ("_order", "_seen", "_window")

    def __init__(self, window: int = 100_000) -> None:
        from collections import deque

        self._seen: set[Any] = set()
        self._order: deque[Any] = deque()
        self._window = window

    def seen(self, key: Any) -> bool:
        """Whether ``key`` was seen recently; remembers it otherwise."""
        if key in self._seen:
            return True
        self._seen.add(key)
        self._order.append(key)
        if len(self._order) > self._window:
            self._seen.discard(self._order.popleft())
        return False


@final
class TicketGroups:
    """Records of many tickets, interleaved, regrouped by ticket without holding a whole
    export: kept in memory up to ``spill_at`` records, then spread over temporary
    partition files by ticket id (each partition grouped in memory on the way out).
    Records must be JSON-serialisable. Groups come out in order of first appearance (or
    partition by partition after a spill), each group's records in insertion order."""

    __slots__ = ("_count", "_handles", "_memory", "_partitions", "_spill_at", "_tmp")

    def __init__(self, *, spill_at: int = 250_000, partitions: int = 64) -> None:
        self._memory: dict[str, list[Any]] = {}
        self._count = 0
        self._spill_at = spill_at
        self._partitions = partitions
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._handles: dict[int, Any] = {}

    def add(self, ticket: str, record: Any) -> None:
        if self._tmp is None:
            self._memory.setdefault(ticket, []).append(record)
            self._count += 1
            if self._count > self._spill_at:
                self._spill()
        else:
            self._write(ticket, record)

    def _spill(self) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="slaclock-adapter-")
        for tid, records in self._memory.items():
            for rec in records:
                self._write(tid, rec)
        self._memory = {}

    def _write(self, ticket: str, record: Any) -> None:
        assert self._tmp is not None
        k = zlib.crc32(ticket.encode()) % self._partitions
        fh = self._handles.get(k)
        if fh is None:
            fh = open(os.path.join(self._tmp.name, f"p{k}.jsonl"), "w", encoding="utf-8")  # noqa: SIM115
            self._handles[k] = fh
        fh.write(json.dumps([ticket, record]) + "\n")

    def __iter__(self) -> Iterator[tuple[str, list[Any]]]:
        if self._tmp is None:
            yield from self._memory.items()
            self._memory = {}
            return
        try:
            for fh in self._handles.values():
                fh.close()
            for k in sorted(self._handles):
                groups: dict[str, list[Any]] = {}
                with open(os.path.join(self._tmp.name, f"p{k}.jsonl"), encoding="utf-8") as fh:
                    for line in fh:
                        tid, rec = json.loads(line)
                        groups.setdefault(tid, []).append(rec)
                yield from groups.items()
        finally:
            self._tmp.cleanup()
            self._tmp = None
            self._handles = {}


# -- tickets --------------------------------------------------------------------------


@final
class TicketDraft:
    """A ticket being assembled from a helpdesk's records: values at creation, then events.

    ``field`` changes are recorded as :class:`~slaclock.FieldChange` events only when the
    value actually changes; ``status`` and ``severity`` likewise.
    """

    __slots__ = ("_current", "created_at", "events", "fields", "id", "severity", "status")

    def __init__(self, ticket_id: str, created_at: datetime) -> None:
        self.id = ticket_id
        self.created_at = created_at
        self.severity: str | None = None
        self.status = "new"
        self.fields: dict[str, FieldValue] = {}
        self.events: list[dict[str, Any]] = []
        self._current: dict[str, Any] = {}

    def initial(self, name: str, value: FieldValue) -> None:
        """A field's value at creation."""
        self.fields[name] = value
        self._current[name] = value

    def field(self, at: datetime, name: str, value: FieldValue) -> None:
        if name not in self._current:  # not set at creation: it was empty then
            self.fields[name] = None
            self._current[name] = None
        if self._current[name] != value:
            self._current[name] = value
            self.events.append({"at": at, "type": "field", "field": name, "value": value})

    def status_change(self, at: datetime, status: str) -> None:
        current = self._current.get("\0status", self.status)
        if status != current:
            self._current["\0status"] = status
            self.events.append({"at": at, "type": "status", "status": status})

    def severity_change(self, at: datetime, severity: str) -> None:
        current = self._current.get("\0severity", self.severity)
        if severity != current:
            self._current["\0severity"] = severity
            self.events.append({"at": at, "type": "severity", "severity": severity})

    def reply(self, at: datetime, kind: Reply) -> None:
        self.events.append({"at": at, "type": kind})

    def build(self, where: str) -> Ticket:
        if self.severity is None:
            raise TimelineError(f"{where}: ticket {self.id!r} has no priority at creation")
        return Ticket.model_validate(
            {
                "id": self.id,
                "created_at": self.created_at,
                "severity": self.severity,
                "status": self.status,
                "fields": self.fields,
                "events": self.events,
            }
        )


class IncompleteTickets:
    """Tickets whose creation is not in the export, handled as ``incomplete`` says."""

    def __init__(self, policy: Incomplete, what: str) -> None:
        if policy not in ("warn", "error", "skip"):
            raise ConfigError(f"incomplete={policy!r}; use 'warn', 'error' or 'skip'")
        self.policy = policy
        self.what = what
        self.skipped: list[str] = []

    def missing(self, ticket_id: str, where: str, detail: str) -> None:
        if self.policy == "error":
            raise TimelineError(
                f"{where}: ticket {ticket_id!r} {detail}; export from before it was created, "
                "or pass incomplete='skip' to leave such tickets out"
            )
        self.skipped.append(ticket_id)

    def finish(self) -> None:
        if self.skipped and self.policy == "warn":
            first = ", ".join(map(repr, self.skipped[:5]))
            more = f" and {len(self.skipped) - 5} more" if len(self.skipped) > 5 else ""
            warnings.warn(
                f"{self.what}: {len(self.skipped)} ticket(s) left out because their creation "
                f"is not in the export ({first}{more}); export from an earlier start time, "
                "or pass incomplete='skip' to silence this",
                SlaClockWarning,
                stacklevel=3,
            )


def stream(
    groups: Iterable[tuple[str, list[Any]]],
    build: Callable[[str, list[Any]], Ticket | None],
    incomplete: IncompleteTickets,
) -> Iterator[Ticket]:
    """Build a ticket from each group (None: left out), then report the incomplete ones."""
    for tid, records in groups:
        ticket = build(tid, records)
        if ticket is not None:
            yield ticket
    incomplete.finish()


def iso(t: datetime) -> str:
    """An instant as the helpdesks write it: UTC with ``Z``."""
    return t.astimezone(UTC).isoformat().replace("+00:00", "Z")


def dump_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def dump_jsonl(path: Path, records: Iterable[Any]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec) + "\n")


def writer_error(helpdesk: str, ticket: Ticket, detail: str) -> ConfigError:
    return ConfigError(f"cannot write ticket {ticket.id!r} as a {helpdesk} export: {detail}")


EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
