"""Zendesk as ELT tools land it in a warehouse: the ``ticket``, ``ticket_field_history``,
``ticket_comment`` and ``user`` tables, exported as CSV or Parquet (Parquet needs the
optional ``pyarrow``: ``pip install 'slaclock[warehouse]'``).

A directory holds one file (or ``name-*`` shards) per table: ``ticket.csv``,
``ticket_field_history.csv``, ``ticket_comment.csv``, ``user.csv`` (or ``.parquet``).
Timestamps without an offset are UTC, as these tools write them (``assume_timezone``).

- ``ticket``: ``id``, ``created_at``, ``via_channel`` and the current ``status``,
  ``priority``, ``group_id``… (used for a field the history never mentions);
- ``ticket_field_history``: ``ticket_id``, ``field_name``, ``updated``, ``value``: one row
  per value a field took, the value at creation stamped at (or before) ``created_at``;
- ``ticket_comment``: ``ticket_id``, ``created``, ``public``, ``user_id``; the first
  comment, at the creation, is the request itself and is no event;
- ``user``: ``id``, ``role`` (agent, admin, end-user).

Statuses, priorities and fields are read as the Zendesk adapter reads them
(:data:`slaclock.adapters.zendesk.STATUSES`, :data:`~slaclock.adapters.zendesk.FIELDS`).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Final, Literal

from ..errors import ConfigError, TimelineError
from ..ticket import Ticket
from ._common import (
    StatusMap,
    TicketDraft,
    TicketGroups,
    find_files,
    iter_records,
    parse_time,
    require_files,
    tags,
    text,
    truthy,
    writer_error,
    zone,
)
from .zendesk import FIELDS, NO_PRIORITY, STATUSES

__all__ = ["read", "write"]

_AGENTS: Final = frozenset({"agent", "admin"})


def _table(path: str | Path, name: str, *, required: bool = True) -> list[Path]:
    pats = (f"{name}.csv", f"{name}.parquet", f"{name}-*.csv", f"{name}-*.parquet")
    if required:
        return require_files(path, pats, what=f"zendesk-warehouse {name}")
    return find_files(path, pats, what=f"zendesk-warehouse {name}")


def read(
    path: str | Path,
    *,
    statuses: Mapping[str, str] | None = None,
    fields: Mapping[str, str] | None = None,
    assume_timezone: str | None = "UTC",
    spill_at: int = 250_000,
) -> Iterator[Ticket]:
    """Stream the tickets of a directory of Zendesk warehouse tables. ``statuses`` and
    ``fields`` work as in :func:`slaclock.adapters.zendesk.read`."""
    if not Path(path).is_dir():
        raise ConfigError(f"zendesk-warehouse: {str(path)!r} must be the directory of tables")
    tz = zone(assume_timezone)
    smap = StatusMap(STATUSES, statuses)
    field_map = {**FIELDS, **(fields or {})}
    roles: dict[str, str] = {}
    for f in _table(path, "user", required=False) + _table(path, "users", required=False):
        for _, row in iter_records(f, None):
            uid = text(row.get("id"))
            if uid is not None:
                roles[uid] = str(row.get("role") or "end-user").lower()
    groups: TicketGroups = TicketGroups(spill_at=spill_at)
    for f in _table(path, "ticket"):
        for where, row in iter_records(f, None):
            tid = text(row.get("id"))
            if tid is None:
                raise TimelineError(f"{where}: ticket row has no id")
            created = parse_time(row.get("created_at"), f"{where}: created_at", tz)
            current = {k: _json(v) for k, v in row.items() if k in field_map or k in
                       ("status", "priority", "via_channel")}  # fmt: skip
            groups.add(tid, {"kind": "ticket", "where": where, "at": created.isoformat(),
                             "current": current})  # fmt: skip
    for f in _table(path, "ticket_field_history"):
        for where, row in iter_records(f, None):
            name = text(row.get("field_name"))
            tid = text(row.get("ticket_id"))
            if tid is None or name is None:
                raise TimelineError(f"{where}: history row needs ticket_id and field_name")
            if name not in field_map and name not in ("status", "priority"):
                continue
            at = parse_time(row.get("updated"), f"{where}: updated", tz)
            groups.add(tid, {"kind": "change", "where": where, "at": at.isoformat(),
                             "field": name, "value": _json(row.get("value"))})  # fmt: skip
    for f in _table(path, "ticket_comment"):
        for where, row in iter_records(f, None):
            tid = text(row.get("ticket_id"))
            if tid is None:
                raise TimelineError(f"{where}: comment row has no ticket_id")
            at = parse_time(row.get("created"), f"{where}: created", tz)
            groups.add(tid, {"kind": "comment", "where": where, "at": at.isoformat(),
                             "public": truthy(row.get("public")),
                             "user": text(row.get("user_id"))})  # fmt: skip
    for tid, records in groups:
        yield _ticket(tid, records, smap, field_map, roles)


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return value


def _ticket(
    tid: str, records: list[dict[str, Any]], smap: StatusMap, field_map: Mapping[str, str],
    roles: Mapping[str, str],
) -> Ticket:  # fmt: skip
    head = next((r for r in records if r["kind"] == "ticket"), None)
    if head is None:
        raise TimelineError(f"{records[0]['where']}: ticket {tid!r} is not in the ticket table")
    created = datetime.fromisoformat(head["at"])
    where = f"{head['where']} (ticket {tid})"
    current = head["current"]
    rest = [r for r in records if r["kind"] != "ticket"]
    for r in rest:
        r["at"] = datetime.fromisoformat(r["at"])
    # at one instant: comments, then the changes they came with
    rest.sort(key=lambda r: (r["at"], r["kind"] != "comment"))
    at_creation: dict[str, Any] = {}
    seen: set[str] = set()
    for r in rest:
        if r["kind"] == "change":
            seen.add(r["field"])
            if r["at"] <= created:
                at_creation[r["field"]] = r["value"]

    def initial(name: str) -> Any:
        if name in at_creation:
            return at_creation[name]
        return None if name in seen else current.get(name)

    draft = TicketDraft(tid, created)
    status = text(initial("status"))
    draft.status = smap(status) if status else "new"
    draft.severity = text(initial("priority")) or NO_PRIORITY
    targets: dict[str, list[str]] = {}
    for src, dst in field_map.items():
        targets.setdefault(dst, []).append(src)
    for dst, srcs in targets.items():
        value = next((initial(s) for s in srcs if initial(s) is not None), None)
        draft.initial(dst, _value(dst, value))
    draft.initial("channel", text(current.get("via_channel")))
    requester = draft.fields.get("requester")
    description = True
    for r in rest:
        if r["kind"] == "comment":
            if description and r["at"] <= created:
                description = False
                continue  # the request itself
            if not r["public"]:
                draft.reply(r["at"], "internal_note")
            elif (roles.get(r["user"] or "") in _AGENTS) or (
                r["user"] not in roles and r["user"] != requester
            ):
                draft.reply(r["at"], "agent_reply")
            else:
                draft.reply(r["at"], "customer_reply")
        elif r["at"] > created:
            name = r["field"]
            if name == "status":
                draft.status_change(r["at"], smap(text(r["value"]) or "new"))
            elif name == "priority":
                draft.severity_change(r["at"], text(r["value"]) or NO_PRIORITY)
            else:
                draft.field(r["at"], field_map[name], _value(field_map[name], r["value"]))
    return draft.build(where)


def _value(name: str, value: Any) -> Any:
    return tags(value) if name == "tags" else text(value)


# -- writing (tests and docs) ---------------------------------------------------------

AGENT_ID: Final = "1001"
CUSTOMER_ID: Final = "2002"
_BACK: Final = {"on_hold": "hold"}
_COLUMNS: Final = {
    "group": "group_id", "assignee": "assignee_id", "organization": "organization_id",
    "requester": "requester_id", "brand": "brand_id", "form": "ticket_form_id",
    "type": "type", "tags": "tags",
}  # fmt: skip


def write(
    tickets: Iterable[Ticket], directory: str | Path, *, format: Literal["csv", "parquet"] = "csv"
) -> None:
    """Write tickets as the four warehouse tables (CSV, or Parquet with pyarrow) that
    :func:`read` reads back to the same tickets. Fields other than the Zendesk ones
    (:data:`~slaclock.adapters.zendesk.FIELDS`' targets and ``channel``), and ``plan``
    events, are a ConfigError."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    t_rows: list[dict[str, Any]] = []
    h_rows: list[dict[str, Any]] = []
    c_rows: list[dict[str, Any]] = []
    users = {AGENT_ID: "agent", CUSTOMER_ID: "end-user"}
    for t in tickets:
        customer = str(t.fields.get("requester") or CUSTOMER_ID)
        users.setdefault(customer, "end-user")
        created = _stamp(t.created_at)
        row: dict[str, Any] = {"id": t.id, "created_at": created,
                               "via_channel": t.fields.get("channel") or ""}  # fmt: skip
        priority = "" if t.severity == NO_PRIORITY else t.severity
        values: dict[str, Any] = {"status": _BACK.get(t.status, t.status), "priority": priority}
        for name, value in t.fields.items():
            if name == "channel":
                continue
            if name not in _COLUMNS:
                raise writer_error("Zendesk warehouse", t, f"field {name!r} has no column")
            values[_COLUMNS[name]] = _cell(value)
        for col, value in values.items():
            if value != "":
                h_rows.append({"ticket_id": t.id, "field_name": col, "updated": created,
                               "value": value})  # fmt: skip
        c_rows.append({"ticket_id": t.id, "created": created, "public": "true",
                       "user_id": customer})  # fmt: skip
        for ev in t.events:
            at = _stamp(ev.at)
            if ev.type in ("agent_reply", "customer_reply", "internal_note"):
                by = customer if ev.type == "customer_reply" else AGENT_ID
                public = "false" if ev.type == "internal_note" else "true"
                c_rows.append({"ticket_id": t.id, "created": at, "public": public, "user_id": by})
                continue
            if ev.type == "status":
                col, value = "status", _BACK.get(ev.status, ev.status)
            elif ev.type == "severity":
                col, value = "priority", "" if ev.severity == NO_PRIORITY else ev.severity
            elif ev.type == "field" and ev.field in _COLUMNS:
                col, value = _COLUMNS[ev.field], _cell(ev.value)
            else:
                raise writer_error("Zendesk warehouse", t, f"a {ev.type!r} event has no row")
            values[col] = value
            h_rows.append({"ticket_id": t.id, "field_name": col, "updated": at, "value": value})
        row.update(values)
        t_rows.append(row)
    u_rows = [{"id": k, "role": v} for k, v in users.items()]
    for name, rows in (("ticket", t_rows), ("ticket_field_history", h_rows),
                       ("ticket_comment", c_rows), ("user", u_rows)):  # fmt: skip
        _dump(out / f"{name}.{format}", rows, format)


def _stamp(t: datetime) -> str:
    from datetime import UTC

    return t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _cell(value: Any) -> str:
    if isinstance(value, tuple):
        return " ".join(value)
    return "" if value is None else str(value)


def _dump(path: Path, rows: list[dict[str, Any]], format: str) -> None:
    columns: dict[str, None] = {}
    for r in rows:
        columns.update(dict.fromkeys(r))
    if format == "parquet":
        try:
            import pyarrow as pa  # type: ignore[import-not-found,import-untyped,unused-ignore]
            import pyarrow.parquet as pq  # type: ignore[import-not-found,import-untyped,unused-ignore]
        except ImportError:
            raise ConfigError(
                "writing Parquet needs pyarrow: pip install 'slaclock[warehouse]'"
            ) from None
        table = pa.table({c: [str(r.get(c, "")) for r in rows] for c in columns})
        pq.write_table(table, path)
        return
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(columns))
        w.writeheader()
        w.writerows(rows)
