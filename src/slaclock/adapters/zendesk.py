"""Zendesk: the Incremental Ticket Event export (or Ticket Audits) in, tickets out.

A directory holds the files as the API returns them:

- ``ticket_events*.json`` (saved pages, ``{"ticket_events": [...], "next_page": ...}``) or
  ``ticket_events*.jsonl`` (one event a line); ``audits*.json[l]`` (the Ticket Audits API,
  ``{"audits": [...]}``) are read the same way;
- ``users*.json[l]`` (``{"users": [...]}``): each author's ``role`` (agent or end user);
- ``custom_statuses*.json`` (``{"custom_statuses": [...]}``), when custom statuses are on;
- ``ticket_metric_events*.json[l]``: the SLA results Zendesk recorded
  (:func:`read_recorded`).

Each ticket event (audit) carries ``child_events``: one ``Create`` per property set on a
new ticket, ``Change`` children (``{"event_type": "Change", "status": "open",
"previous_value": "new"}`` in the export; ``{"field_name": "status", "value": "open"}`` in
the Ticket Audits API: both are read), and ``Comment`` children with ``public`` and
``author_id``. The comment of the creating update is the request itself and is no event.
A public comment by an agent or admin is an ``agent_reply``, by an end user a
``customer_reply``; a private one an ``internal_note``. An author missing from the users
export is the customer when they are the ticket's requester, else an agent. The same
update repeated across page boundaries is read once (by its id). Updates by the system
(``updater_id`` -1: automations, triggers) count like any other.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final

from ..errors import ConfigError, TimelineError
from ..ticket import FieldValue, Ticket
from ._common import (
    Incomplete,
    IncompleteTickets,
    RecentIds,
    RecordedCycle,
    StatusMap,
    TicketDraft,
    TicketGroups,
    dump_json,
    dump_jsonl,
    find_files,
    iso,
    iter_records,
    parse_time,
    require_files,
    stream,
    tags,
    text,
    truthy,
    writer_error,
)

__all__ = ["FIELDS", "METRICS", "STATUSES", "read", "read_recorded", "write"]

STATUSES: Final[Mapping[str, str]] = {
    "new": "new",
    "open": "open",
    "pending": "pending",
    "hold": "on_hold",
    "on-hold": "on_hold",
    "on_hold": "on_hold",
    "solved": "solved",
    "closed": "closed",
}
"""Zendesk's built-in statuses (and custom statuses' ``status_category``) -> categories."""

FIELDS: Final[Mapping[str, str]] = {
    "group_id": "group",
    "assignee_id": "assignee",
    "organization_id": "organization",
    "tags": "tags",
    "current_tags": "tags",
    "requester_id": "requester",
    "brand_id": "brand",
    "ticket_form_id": "form",
    "type": "type",
}
"""Zendesk ticket properties read as ticket fields (ids kept as text, tags as a tuple);
``channel`` comes from the creating update's ``via.channel``."""

METRICS: Final[Mapping[str, str]] = {
    "reply_time": "first_response",  # instance 1; later instances are next_reply
    "periodic_update_time": "periodic_update",
    "pausable_update_time": "pausable_update",
    "requester_wait_time": "requester_wait",
    "agent_work_time": "agent_work",
    "resolution_time": "resolution",
}
"""Zendesk metric-event metrics -> slaclock metrics."""

NO_PRIORITY: Final = "none"
_EVENT_FILES: Final = (
    "ticket_events*.json",
    "ticket_events*.jsonl",
    "ticket_events*.ndjson",
    "audits*.json",
    "audits*.jsonl",
    "ticket_audits*.json",
    "ticket_audits*.jsonl",
)
_META: Final = frozenset(
    {
        "id", "event_type", "type", "via", "via_reference_id", "previous_value",
        "field_name", "value", "public", "author_id", "body", "html_body", "plain_body",
        "attachments", "audit_id", "created_at", "metadata", "trusted", "added_tags",
        "removed_tags", "ticket_id", "timestamp", "updater_id",
    }
)  # fmt: skip
_AGENT_ROLES: Final = frozenset({"agent", "admin"})


# -- reading tickets ------------------------------------------------------------------


def read(
    path: str | Path,
    *,
    users: str | Path | Mapping[str, str] | None = None,
    custom_statuses: str | Path | None = None,
    statuses: Mapping[str, str] | None = None,
    fields: Mapping[str, str] | None = None,
    incomplete: Incomplete = "warn",
    spill_at: int = 250_000,
) -> Iterator[Ticket]:
    """Stream the tickets of a Zendesk export directory (or one ticket-events file).

    ``users``: the users export (default: ``users*.json[l]`` in the directory) or a
    mapping user id -> role. ``custom_statuses``: the custom statuses export (default:
    ``custom_statuses*.json`` there). ``statuses`` maps status names, custom statuses'
    agent labels or ids to a category or any name (it wins over the built-ins).
    ``fields`` adds Zendesk properties to read as fields (``{"360001234": "region"}``).
    A ticket created before the export starts is handled as ``incomplete`` says.
    """
    files = require_files(path, _EVENT_FILES, what="zendesk")
    base = Path(path) if Path(path).is_dir() else Path(path).parent
    roles = _roles(users if users is not None else base)
    customs = _custom_statuses(custom_statuses if custom_statuses is not None else base)
    status_map = StatusMap(STATUSES, statuses)
    field_map = {**FIELDS, **(fields or {})}
    groups: TicketGroups = TicketGroups(spill_at=spill_at)
    recent = RecentIds()
    for f in files:
        key = "audits" if "audits" in f.name else "ticket_events"
        for where, rec in iter_records(f, key):
            tid = text(rec.get("ticket_id"))
            if tid is None:
                raise TimelineError(f"{where}: ticket event has no ticket_id")
            rid = text(rec.get("id"))
            if rid is not None and recent.seen((tid, rid)):
                continue  # the same update again, across a page boundary
            groups.add(tid, _normalise(rec, where, field_map))
    gaps = IncompleteTickets(incomplete, "zendesk")

    def build(tid: str, audits: list[dict[str, Any]]) -> Ticket | None:
        return _build(tid, audits, roles, customs, status_map, gaps)

    return stream(groups, build, gaps)


def _normalise(rec: Mapping[str, Any], where: str, field_map: Mapping[str, str]) -> dict[str, Any]:
    """One update as a compact JSON record: when, who, channel, and its children as
    ``[kind, field, value, previous]`` (``["comment", public, author, None]``)."""
    stamp = rec.get("created_at") if rec.get("created_at") is not None else rec.get("timestamp")
    at = parse_time(stamp, where)
    via = rec.get("via")
    channel = text(via.get("channel")) if isinstance(via, Mapping) else None
    children: list[list[Any]] = []
    raw_children = rec.get("child_events")
    if raw_children is None:
        raw_children = rec.get("events") or ()
    for child in raw_children:
        if not isinstance(child, Mapping):
            continue
        kind = str(child.get("event_type") or child.get("type") or "").lower()
        if kind == "comment":
            author = text(child.get("author_id"))
            if author is None:
                author = text(rec.get("updater_id", rec.get("author_id")))
            children.append(["comment", truthy(child.get("public", True)), author, None])
        elif kind in ("create", "change"):
            name, value = _changed(child)
            if name is None:
                continue
            if name in ("status", "priority", "custom_status_id"):
                children.append([kind, name, text(value), text(child.get("previous_value"))])
            elif name in field_map:
                target = field_map[name]
                if target == "tags":
                    if value is None and ("added_tags" in child or "removed_tags" in child):
                        value = {"added": list(tags(child.get("added_tags"))),
                                 "removed": list(tags(child.get("removed_tags")))}  # fmt: skip
                    else:
                        value = list(tags(value))
                else:
                    value = text(value)
                children.append([kind, target, value, None])
    updater = text(rec.get("updater_id", rec.get("author_id")))
    return {"at": at.isoformat(), "by": updater, "via": channel, "where": where, "ch": children}


def _changed(child: Mapping[str, Any]) -> tuple[str | None, Any]:
    """The property a Create/Change child sets, and its value, in either shape."""
    if "field_name" in child:
        return str(child["field_name"]), child.get("value")
    keys = [k for k in child if k not in _META]
    if len(keys) == 1:
        return keys[0], child[keys[0]]
    if "tags" in child or "added_tags" in child or "removed_tags" in child:
        return "tags", child.get("tags")
    return None, None


def _roles(source: str | Path | Mapping[str, str]) -> dict[str, str]:
    if isinstance(source, Mapping):
        return {str(k): str(v).lower() for k, v in source.items()}
    out: dict[str, str] = {}
    for f in find_files(source, ("users*.json", "users*.jsonl"), what="zendesk users"):
        for where, rec in iter_records(f, "users"):
            uid = text(rec.get("id"))
            if uid is None:
                raise TimelineError(f"{where}: user has no id")
            out[uid] = str(rec.get("role") or "end-user").lower()
    return out


def _custom_statuses(source: str | Path) -> dict[str, tuple[str, str]]:
    """Custom status id -> (agent label, category)."""
    out: dict[str, tuple[str, str]] = {}
    patterns = ("custom_statuses*.json", "custom_statuses*.jsonl")
    for f in find_files(source, patterns, what="zendesk custom statuses"):
        for where, rec in iter_records(f, "custom_statuses"):
            sid = text(rec.get("id"))
            cat = str(rec.get("status_category") or "").lower()
            if sid is None or cat not in STATUSES:
                raise ConfigError(
                    f"{where}: a custom status needs an id and a status_category (one of "
                    f"new, open, pending, hold, solved); got {dict(rec)!r:.120}"
                )
            out[sid] = (str(rec.get("agent_label") or sid), STATUSES[cat])
    return out


def _build(
    tid: str,
    audits: list[dict[str, Any]],
    roles: Mapping[str, str],
    customs: Mapping[str, tuple[str, str]],
    status_map: StatusMap,
    gaps: IncompleteTickets,
) -> Ticket | None:
    audits.sort(key=lambda a: datetime.fromisoformat(a["at"]))  # stable: file order on ties
    start = next((i for i, a in enumerate(audits) if any(c[0] == "create" for c in a["ch"])), None)
    if start is None:
        gaps.missing(tid, audits[0]["where"], "has no creating update (no Create event)")
        return None
    first = audits[start]
    draft = TicketDraft(tid, datetime.fromisoformat(first["at"]))
    for name in ("group", "assignee", "organization", "requester", "brand", "form", "type"):
        draft.initial(name, None)
    draft.initial("tags", ())
    draft.initial("channel", first["via"])
    draft.severity = NO_PRIORITY

    def status_of(audit: dict[str, Any]) -> str | None:
        custom = next((c for c in audit["ch"] if c[1] == "custom_status_id" and c[2]), None)
        if custom is not None and customs.get(custom[2]) is not None:
            label, category = customs[custom[2]]
            return status_map.user(custom[2]) or status_map.user(label) or category
        plain = next((c for c in audit["ch"] if c[1] == "status" and c[2]), None)
        return None if plain is None else status_map(plain[2])

    status = status_of(first)
    if status is not None:
        draft.status = status
    for c in first["ch"]:
        if c[1] == "priority":
            draft.severity = c[2] or NO_PRIORITY
        elif c[1] not in ("status", "custom_status_id", "comment") and c[0] != "comment":
            draft.initial(c[1], _value(c[1], c[2], draft.fields.get(c[1])))
    current = dict(draft.fields)
    for audit in audits[start + 1 :]:
        at = datetime.fromisoformat(audit["at"])
        status = status_of(audit)
        status_done = False
        for c in audit["ch"]:
            if c[0] == "comment":
                public, author = c[1], c[2]
                if not public:
                    draft.reply(at, "internal_note")
                elif _is_agent(author, roles, current.get("requester")):
                    draft.reply(at, "agent_reply")
                else:
                    draft.reply(at, "customer_reply")
            elif c[1] in ("status", "custom_status_id"):
                if status is not None and not status_done:
                    draft.status_change(at, status)
                    status_done = True
            elif c[1] == "priority":
                draft.severity_change(at, c[2] or NO_PRIORITY)
            else:
                value = _value(c[1], c[2], current.get(c[1]))
                current[c[1]] = value
                draft.field(at, c[1], value)
    return draft.build(first["where"])


def _value(name: str, value: Any, current: FieldValue) -> FieldValue:
    if name != "tags":
        return value  # type: ignore[no-any-return]
    if isinstance(value, Mapping):  # added / removed only
        have = set(current if isinstance(current, tuple) else ())
        have |= set(value.get("added", ()))
        have -= set(value.get("removed", ()))
        return tuple(sorted(have))
    return tuple(value or ())


def _is_agent(author: str | None, roles: Mapping[str, str], requester: Any) -> bool:
    role = roles.get(author or "")
    if role is not None:
        return role in _AGENT_ROLES
    return not (author is not None and author == requester)


# -- recorded SLA results -------------------------------------------------------------


def read_recorded(
    path: str | Path, *, now: datetime | None = None, spill_at: int = 250_000
) -> Iterator[RecordedCycle]:
    """The SLA cycles Zendesk recorded, from ``ticket_metric_events*.json[l]``.

    Only metric instances an SLA policy applied to (an ``apply_sla`` event) are cycles.
    ``reply_time`` instance 1 is ``first_response``; instance *n* > 1 is ``next_reply``
    cycle *n* - 1. The deadline is the time of the latest ``breach`` event; the cycle is
    breached when a breach event was not ``deleted`` (Zendesk deletes the scheduled
    breach when the metric is fulfilled in time) and, when ``now`` is given, lies at or
    before it. ``stopped_at`` is the last ``fulfill`` not followed by an ``activate``;
    ``business_elapsed`` comes from the last ``update_status`` (business minutes when
    the SLA counts business hours, calendar minutes otherwise).
    """
    patterns = ("ticket_metric_events*.json", "ticket_metric_events*.jsonl")
    files = require_files(path, patterns, what="zendesk ticket metric events")
    groups: TicketGroups = TicketGroups(spill_at=spill_at)
    recent = RecentIds()
    for f in files:
        for where, rec in iter_records(f, "ticket_metric_events"):
            rid = text(rec.get("id"))
            if rid is not None and recent.seen(rid):
                continue
            tid = text(rec.get("ticket_id"))
            metric = text(rec.get("metric"))
            if tid is None or metric is None:
                raise TimelineError(f"{where}: a metric event needs ticket_id and metric")
            key = f"{tid}\0{metric}\0{int(rec.get('instance_id') or 1)}"
            groups.add(key, {"where": where, **{k: rec.get(k) for k in _METRIC_KEYS}})
    for key, records in groups:
        tid, metric, instance = key.split("\0")
        cycle = _recorded(tid, metric, int(instance), records, now)
        if cycle is not None:
            yield cycle


_METRIC_KEYS: Final = ("id", "type", "time", "sla", "status", "deleted")


def _recorded(
    tid: str, metric: str, instance: int, records: list[dict[str, Any]], now: datetime | None
) -> RecordedCycle | None:
    for r in records:
        r["at"] = parse_time(r["time"], r["where"])
    records.sort(key=lambda r: (r["at"], int(r["id"] or 0)))
    applied = [r for r in records if r["type"] == "apply_sla" and isinstance(r["sla"], Mapping)]
    if not applied:
        return None
    sla = applied[-1]["sla"]
    business = truthy(sla.get("business_hours", False))
    if sla.get("target_in_seconds") is not None:
        target: timedelta | None = timedelta(seconds=float(sla["target_in_seconds"]))
    elif sla.get("target") is not None:
        target = timedelta(minutes=float(sla["target"]))
    else:
        target = None
    breaches = sorted(
        (r for r in records if r["type"] == "breach"), key=lambda r: int(r["id"] or 0)
    )
    deadline = breaches[-1]["at"] if breaches else None
    real = [
        r["at"] for r in breaches if not truthy(r["deleted"]) and (now is None or r["at"] <= now)
    ]
    stopped_at = None
    for r in records:
        if r["type"] == "fulfill":
            stopped_at = r["at"]
        elif r["type"] == "activate":
            stopped_at = None
    elapsed = None
    updates = [
        r for r in records if r["type"] == "update_status" and isinstance(r["status"], Mapping)
    ]
    if updates:
        minutes_ = updates[-1]["status"].get("business" if business else "calendar")
        elapsed = None if minutes_ is None else timedelta(minutes=float(minutes_))
    name = METRICS.get(metric, metric)
    cycle = instance
    if metric == "reply_time" and instance > 1:
        name, cycle = "next_reply", instance - 1
    return RecordedCycle(
        ticket_id=tid,
        metric=name,
        cycle=cycle,
        deadline=deadline,
        breached=bool(real),
        breached_at=min(real) if real else None,
        stopped_at=stopped_at,
        business_elapsed=elapsed,
        target=target,
        source=applied[-1]["where"],
    )


# -- writing (tests and docs) ---------------------------------------------------------

AGENT_ID: Final = 1001
"""The agent who writes replies and internal notes in :func:`write`'s export."""
CUSTOMER_ID: Final = 2002
"""The end user who writes customer replies in :func:`write`'s export (when the ticket
has no ``requester`` field)."""
_BACK: Final = {"on_hold": "hold"}
_FIELDS_BACK: Final = {
    "group": "group_id",
    "assignee": "assignee_id",
    "organization": "organization_id",
    "tags": "tags",
    "requester": "requester_id",
    "brand": "brand_id",
    "form": "ticket_form_id",
    "type": "type",
}


def write(
    tickets: Iterable[Ticket], directory: str | Path, *, page_size: int | None = None
) -> None:
    """Write tickets as a Zendesk export that :func:`read` reads back to the same tickets:
    ``ticket_events.jsonl`` (or, with ``page_size``, saved API pages
    ``ticket_events-0001.json``…) and ``users.json``. Used by the tests and the docs.

    Only what a Zendesk export can say is written: a ``plan`` or a field other than
    group, assignee, organization, tags, requester, brand, form, type (and channel, at
    creation) is a ConfigError."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    users: dict[int | str, str] = {AGENT_ID: "agent", CUSTOMER_ID: "end-user"}
    records: list[dict[str, Any]] = []
    ids = iter(range(1, 10**9))
    for ticket in tickets:
        records.extend(_ticket_records(ticket, ids, users))
    records.sort(key=lambda r: r["created_at"])
    if page_size is None:
        dump_jsonl(out / "ticket_events.jsonl", records)
    else:
        pages = [records[i : i + page_size] for i in range(0, len(records), page_size)] or [[]]
        for n, page in enumerate(pages, 1):
            last = n == len(pages)
            dump_json(
                out / f"ticket_events-{n:04d}.json",
                {
                    "ticket_events": page,
                    "next_page": None if last else f"ticket_events-{n + 1:04d}.json",
                    "count": len(page),
                    "end_of_stream": last,
                },
            )
    dump_json(
        out / "users.json",
        {"users": [{"id": uid, "role": role} for uid, role in users.items()]},
    )


def _zid(value: Any) -> int | str:
    s = str(value)
    return int(s) if s.isdigit() else s


def _ticket_records(
    ticket: Ticket, ids: Iterator[int], users: dict[int | str, str]
) -> list[dict[str, Any]]:
    fields = dict(ticket.fields)
    channel = fields.pop("channel", None)
    requester = fields.get("requester")
    customer: int | str = CUSTOMER_ID if requester is None else _zid(requester)
    if requester is not None:
        users.setdefault(customer, "end-user")
    children: list[dict[str, Any]] = [
        {"id": next(ids), "event_type": "Create", "status": _BACK.get(ticket.status, ticket.status)}
    ]
    if ticket.severity != NO_PRIORITY:
        children.append({"id": next(ids), "event_type": "Create", "priority": ticket.severity})
    for name, value in fields.items():
        if name not in _FIELDS_BACK:
            raise writer_error("Zendesk", ticket, f"field {name!r} has no Zendesk property")
        if value is None or value == ():
            continue
        key = _FIELDS_BACK[name]
        val = list(value) if isinstance(value, tuple) else _zid(value)
        children.append({"id": next(ids), "event_type": "Create", key: val})
    children.append(
        {"id": next(ids), "event_type": "Comment", "public": True, "author_id": customer}
    )
    records = [_audit(ticket, ticket.created_at, next(ids), customer, children, channel)]
    status = ticket.status
    current = dict(fields)
    for ev in ticket.events:
        by: int | str = AGENT_ID
        if ev.type == "agent_reply":
            child: dict[str, Any] = {"event_type": "Comment", "public": True, "author_id": AGENT_ID}
        elif ev.type == "customer_reply":
            by = customer
            child = {"event_type": "Comment", "public": True, "author_id": customer}
        elif ev.type == "internal_note":
            child = {"event_type": "Comment", "public": False, "author_id": AGENT_ID}
        elif ev.type == "status":
            child = {
                "event_type": "Change",
                "status": _BACK.get(ev.status, ev.status),
                "previous_value": _BACK.get(status, status),
            }
            status = ev.status
        elif ev.type == "severity":
            child = {"event_type": "Change", "field_name": "priority",
                     "value": None if ev.severity == NO_PRIORITY else ev.severity}  # fmt: skip
        elif ev.type == "field" and ev.field in _FIELDS_BACK:
            key = _FIELDS_BACK[ev.field]
            new: Any = ev.value
            new = list(new) if isinstance(new, tuple) else (None if new is None else _zid(new))
            prev = current.get(ev.field)
            child = {"event_type": "Change", key: new,
                     "previous_value": list(prev) if isinstance(prev, tuple) else prev}  # fmt: skip
            current[ev.field] = ev.value
        else:
            raise writer_error("Zendesk", ticket, f"a {ev.type!r} event has no Zendesk form")
        child["id"] = next(ids)
        records.append(_audit(ticket, ev.at, next(ids), by, [child], "web"))
    return records


def _audit(
    ticket: Ticket, at: datetime, rid: int, by: int | str, children: list[dict[str, Any]],
    channel: Any,
) -> dict[str, Any]:  # fmt: skip
    return {
        "id": rid,
        "ticket_id": _zid(ticket.id),
        "timestamp": int(at.timestamp()),
        "created_at": iso(at),
        "updater_id": by,
        "via": {"channel": channel},
        "event_type": "Audit",
        "child_events": children,
    }
