"""ServiceNow: incidents and their ``sys_audit`` rows in, tickets out; ``task_sla`` as the
recorded SLA results.

A directory holds the Table API's answers (``{"result": [...]}`` as JSON, or CSV exports):

- ``incident*.json|csv``: the incidents (``sys_id``, ``number``, ``opened_at``, ``state``,
  ``priority``, ``assignment_group``, ``assigned_to``, ``company``, ``contact_type``,
  ``caller_id`` and, to tell the caller's comments apart, ``caller_id.user_name``);
- ``sys_audit*.json|csv``: their history (``documentkey``, ``fieldname``, ``oldvalue``,
  ``newvalue``, ``sys_created_on``, ``user``); journal rows ``comments`` (visible to the
  caller) and ``work_notes`` (internal);
- ``task_sla*.json|csv``: :func:`read_recorded`.

Times without an offset are UTC, as the Table API returns them (``assume_timezone``).
A value at creation is the ``oldvalue`` of the field's first audit row (a row at the
opening with an empty ``oldvalue`` records the insert: its ``newvalue``), else the
incident's current value. A ``comments`` entry by the caller (or one of ``customers``) is
a ``customer_reply``, by anyone else an ``agent_reply``; ``work_notes`` are
``internal_note``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final

from ..errors import TimelineError
from ..ticket import Ticket
from ._common import (
    RecordedCycle,
    StatusMap,
    TicketDraft,
    TicketGroups,
    dump_json,
    find_files,
    iter_records,
    parse_time,
    require_files,
    text,
    truthy,
    writer_error,
    zone,
)

__all__ = ["FIELDS", "STATES", "read", "read_recorded", "write"]

STATES: Final[Mapping[str, str]] = {
    "1": "new", "new": "new",
    "2": "open", "in progress": "open",
    "3": "on_hold", "on hold": "on_hold",
    "6": "solved", "resolved": "solved",
    "7": "closed", "closed": "closed",
    "8": "closed", "canceled": "closed", "cancelled": "closed",
}  # fmt: skip
"""Incident states (values and labels) -> categories."""

FIELDS: Final[Mapping[str, str]] = {
    "assignment_group": "group",
    "assigned_to": "assignee",
    "company": "organization",
    "contact_type": "channel",
    "caller_id": "requester",
}
"""Incident fields read as ticket fields (references by their sys_id or value)."""

_TRACKED: Final = frozenset({"state", "priority", *FIELDS})
_JOURNAL: Final = {"comments": "comment", "work_notes": "note"}


def _files(path: str | Path, table: str) -> list[Path]:
    pats = (f"{table}*.json", f"{table}*.jsonl", f"{table}*.csv")
    return require_files(path, pats, what=f"servicenow {table}")


def read(
    path: str | Path,
    *,
    statuses: Mapping[str, str] | None = None,
    customers: Iterable[str] = (),
    assume_timezone: str | None = "UTC",
    spill_at: int = 250_000,
) -> Iterator[Ticket]:
    """Stream the incidents of a ServiceNow export directory as tickets (id: the
    incident ``number``). ``statuses`` maps state values or labels to a category or any
    name (over :data:`STATES`); ``customers`` are user names whose comments count as the
    customer's besides the caller's."""
    tz = zone(assume_timezone)
    smap = StatusMap(STATES, statuses)
    groups: TicketGroups = TicketGroups(spill_at=spill_at)
    for f in _files(path, "incident"):
        for where, rec in iter_records(f, "result"):
            sid = text(rec.get("sys_id"))
            if sid is None:
                raise TimelineError(f"{where}: incident has no sys_id")
            groups.add(sid, {"incident": {k: _plain(v) for k, v in rec.items()}, "where": where})
    for f in _files(path, "sys_audit"):
        for where, rec in iter_records(f, "result"):
            if (text(rec.get("tablename")) or "incident") != "incident":
                continue
            key = text(rec.get("documentkey"))
            name = text(rec.get("fieldname"))
            if key is None or name is None:
                raise TimelineError(f"{where}: audit row needs documentkey and fieldname")
            if name not in _TRACKED and name not in _JOURNAL:
                continue
            at = parse_time(rec.get("sys_created_on"), f"{where}: sys_created_on", tz)
            groups.add(key, {"where": where, "at": at.isoformat(), "field": name,
                             "old": text(rec.get("oldvalue")), "new": text(rec.get("newvalue")),
                             "user": text(rec.get("user"))})  # fmt: skip
    who = frozenset(customers)
    for sid, records in groups:
        yield _ticket(sid, records, smap, who, tz)


def _plain(value: Any) -> Any:
    return text(value) if isinstance(value, Mapping) else value


def _ticket(
    sid: str, records: list[dict[str, Any]], smap: StatusMap, customers: frozenset[str],
    tz: Any,
) -> Ticket:  # fmt: skip
    head = next((r for r in records if "incident" in r), None)
    if head is None:
        raise TimelineError(
            f"{records[0]['where']}: audit rows for {sid!r}, but no incident with that sys_id "
            "in incident*.json|csv"
        )
    inc, where = head["incident"], head["where"]
    number = text(inc.get("number")) or sid
    where = f"{where} ({number})"
    opened = parse_time(
        inc.get("opened_at") or inc.get("sys_created_on"), f"{where}: opened_at", tz
    )
    rows = [r for r in records if "incident" not in r]
    for r in rows:
        r["at"] = datetime.fromisoformat(r["at"])
    rows.sort(key=lambda r: r["at"])
    first: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r["field"] in _TRACKED:
            first.setdefault(r["field"], r)

    def initial(name: str) -> Any:
        r = first.get(name)
        if r is None:
            return text(inc.get(name))
        if r["at"] <= opened and r["old"] is None:
            return r["new"]  # the insert
        return r["old"]

    draft = TicketDraft(number, opened)
    draft.status = smap(initial("state") or "1")
    draft.severity = initial("priority") or "none"
    for name, target in FIELDS.items():
        draft.initial(target, initial(name))
    caller = {text(inc.get("caller_id.user_name")), text(inc.get("caller_id"))} - {None}
    for r in rows:
        at, name = r["at"], r["field"]
        if name in _JOURNAL:
            if name == "work_notes":
                draft.reply(at, "internal_note")
            elif r["user"] in caller or r["user"] in customers:
                draft.reply(at, "customer_reply")
            else:
                draft.reply(at, "agent_reply")
            continue
        if at <= opened and r["old"] is None:
            continue  # the insert: already the value at creation
        if at < opened:
            raise TimelineError(f"{r['where']}: a change of {name!r} before the incident opened")
        if name == "state":
            draft.status_change(at, smap(r["new"] or "1"))
        elif name == "priority":
            draft.severity_change(at, r["new"] or "none")
        else:
            draft.field(at, FIELDS[name], r["new"])
    return draft.build(where)


# -- recorded SLA results -------------------------------------------------------------

_DURATION: Final = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$")
METRICS: Final[Mapping[str, str]] = {"response": "first_response", "resolution": "resolution"}
"""``contract_sla.target`` -> slaclock metrics."""


def _duration(value: Any, where: str) -> timedelta | None:
    """A glide duration: ``1970-01-02 03:00:00`` is 27 hours; plain seconds too."""
    s = text(value)
    if s is None:
        return None
    if s.isdigit():
        return timedelta(seconds=int(s))
    m = _DURATION.match(s)
    if m is None:
        raise TimelineError(f"{where}: cannot read the duration {s!r} (1970-01-01 HH:MM:SS)")
    y, mo, d, h, mi, sec = map(int, m.groups())
    return datetime(y, mo, d, h, mi, sec) - datetime(1970, 1, 1)


def read_recorded(
    path: str | Path,
    *,
    metrics: Mapping[str, str] | None = None,
    assume_timezone: str | None = "UTC",
) -> Iterator[RecordedCycle]:
    """The SLA records ServiceNow kept (``task_sla``), one cycle each, numbered by
    ``start_time`` per incident and metric; ``cancelled`` records (replaced after a
    priority change) are left out. ``deadline`` is ``planned_end_time``, ``breached``
    ``has_breached`` (``breached_at`` the deadline), ``stopped_at`` the ``end_time`` of a
    record no longer in progress or paused, ``business_elapsed`` ``business_duration``.
    The metric comes from the SLA definition's ``target`` (``sla.target``: response,
    resolution) or its name through ``metrics``."""
    tz = zone(assume_timezone)
    names = {k.lower(): v for k, v in (metrics or {}).items()}
    numbers: dict[str, str] = {}
    for f in find_files(
        path, ("incident*.json", "incident*.jsonl", "incident*.csv"), what="servicenow"
    ):
        for _, rec in iter_records(f, "result"):
            sid, number = text(rec.get("sys_id")), text(rec.get("number"))
            if sid is not None and number is not None:
                numbers[sid] = number
    cycles: dict[tuple[str, str], list[tuple[datetime, RecordedCycle]]] = {}
    for f in _files(path, "task_sla"):
        for where, rec in iter_records(f, "result"):
            stage = (text(rec.get("stage")) or "").lower()
            if stage in ("cancelled", "canceled"):
                continue
            task = text(rec.get("task.number")) or numbers.get(text(rec.get("task")) or "")
            if task is None:
                task = text(rec.get("task"))
            if task is None:
                raise TimelineError(f"{where}: task_sla row has no task")
            sla_name = text(rec.get("sla.name")) or text(rec.get("sla")) or ""
            target = (text(rec.get("sla.target")) or "").lower()
            metric = (
                names.get(sla_name.lower())
                or METRICS.get(target)
                or re.sub(r"\W+", "_", sla_name.lower()).strip("_")
            )
            start = parse_time(rec.get("start_time"), f"{where}: start_time", tz)
            end = rec.get("end_time")
            planned = rec.get("planned_end_time")
            deadline = (
                parse_time(planned, f"{where}: planned_end_time", tz) if text(planned) else None
            )
            breached = truthy(rec.get("has_breached"))
            stopped = None
            if stage not in ("in_progress", "paused") and text(end):
                stopped = parse_time(end, f"{where}: end_time", tz)
            cycle = RecordedCycle(
                ticket_id=task, metric=metric, cycle=0, deadline=deadline, breached=breached,
                breached_at=deadline if breached else None, stopped_at=stopped,
                business_elapsed=_duration(rec.get("business_duration"), where), target=None,
                source=where,
            )  # fmt: skip
            cycles.setdefault((task, metric), []).append((start, cycle))
    for found in cycles.values():
        found.sort(key=lambda c: c[0])
        for n, (_, c) in enumerate(found, 1):
            yield RecordedCycle(**{**_fields(c), "cycle": n})


def _fields(c: RecordedCycle) -> dict[str, Any]:
    return {k: getattr(c, k) for k in RecordedCycle.__dataclass_fields__}


# -- writing (tests and docs) ---------------------------------------------------------

AGENT: Final = "cam.agent"
"""The user name that writes agent comments and work notes in :func:`write`'s export."""
_BACK: Final = {"new": "1", "open": "2", "on_hold": "3", "solved": "6", "closed": "7"}
_FIELDS_BACK: Final = {v: k for k, v in FIELDS.items()}


def _sn_time(t: datetime) -> str:
    from datetime import UTC

    return t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def write(tickets: Iterable[Ticket], directory: str | Path) -> None:
    """Write tickets as ServiceNow Table API answers (``incident.json``,
    ``sys_audit.json``) that :func:`read` reads back to the same tickets (to the second,
    ServiceNow's precision). A ticket needs a ``requester`` (the caller's user name);
    fields other than group, assignee, organization, channel, requester, and ``plan``
    events, are a ConfigError."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    incidents: list[dict[str, Any]] = []
    audit: list[dict[str, Any]] = []
    for n, t in enumerate(tickets, 1):
        sid = f"{n:032x}"
        caller = t.fields.get("requester")
        if caller is None:
            raise writer_error("ServiceNow", t, "it has no 'requester' (the caller)")
        for name in t.fields:
            if name not in _FIELDS_BACK:
                raise writer_error("ServiceNow", t, f"field {name!r} has no incident field")
        current: dict[str, Any] = {
            "state": _BACK.get(t.status, t.status), "priority": t.severity,
            **{_FIELDS_BACK[k]: v for k, v in t.fields.items()},
        }  # fmt: skip
        for ev in t.events:
            row: dict[str, Any] = {"tablename": "incident", "documentkey": sid,
                                   "sys_created_on": _sn_time(ev.at), "user": AGENT}  # fmt: skip
            if ev.type in ("agent_reply", "customer_reply"):
                row.update(fieldname="comments", oldvalue="", newvalue="(comment)")
                if ev.type == "customer_reply":
                    row["user"] = caller
            elif ev.type == "internal_note":
                row.update(fieldname="work_notes", oldvalue="", newvalue="(note)")
            else:
                value: Any
                if ev.type == "status":
                    name, value = "state", _BACK.get(ev.status, ev.status)
                elif ev.type == "severity":
                    name, value = "priority", ev.severity
                elif ev.type == "field" and ev.field in _FIELDS_BACK:
                    name, value = _FIELDS_BACK[ev.field], ev.value
                else:
                    raise writer_error("ServiceNow", t, f"a {ev.type!r} event has no audit form")
                row.update(fieldname=name, oldvalue=current.get(name) or "", newvalue=value or "")
                current[name] = value
            audit.append(row)
        incident = {
            "sys_id": sid, "number": t.id, "opened_at": _sn_time(t.created_at),
            **{k: ("" if v is None else {"value": v} if k in FIELDS and k != "contact_type" else v)
               for k, v in current.items()},
            "caller_id.user_name": caller,
        }  # fmt: skip
        incidents.append(incident)
    dump_json(out / "incident.json", {"result": incidents})
    dump_json(out / "sys_audit.json", {"result": audit})
