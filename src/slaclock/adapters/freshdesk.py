"""Freshdesk: tickets, the ticket-activities export and conversations in, tickets out.

A directory holds the files as the API returns them:

- ``tickets*.json[l]``: ``GET /api/v2/tickets?include=stats`` (a list per page): ``id``,
  ``created_at``, the current ``status`` / ``priority`` / ``group_id`` /
  ``responder_id`` / ``company_id`` / ``source`` / ``tags`` / ``requester_id``, and the
  due dates :func:`read_recorded` reads;
- ``ticket_activities*.json``: the Ticket Activities export (``{"activities_data":
  [{"ticket_id", "performed_at", "performer_id", "activity": {...}}]}``); an activity
  with ``new_ticket`` holds the values at creation, others the new values of what changed
  (``status``, ``priority``, ``group``, ``agent``, ``company``, ``tags`` /
  ``added_tags`` / ``removed_tags``…);
- ``conversations*.json[l]``: ``GET /api/v2/tickets/{id}/conversations`` answers:
  ``incoming`` (from the customer) -> ``customer_reply``, ``private`` -> ``internal_note``,
  any other -> ``agent_reply``.

A value at creation is the ``new_ticket`` activity's, else the ticket's current value when
no activity changes it. Statuses: 2 Open, 3 Pending, 4 Resolved, 5 Closed (or their names);
priorities 1-4 read as ``low``, ``medium``, ``high``, ``urgent``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from ..errors import TimelineError
from ..ticket import FieldValue, Ticket
from ._common import (
    RecordedCycle,
    StatusMap,
    TicketDraft,
    TicketGroups,
    dump_json,
    iso,
    iter_records,
    parse_time,
    require_files,
    tags,
    text,
    truthy,
    writer_error,
)

__all__ = ["PRIORITIES", "SOURCES", "STATUSES", "read", "read_recorded", "write"]

STATUSES: Final[Mapping[str, str]] = {
    "2": "open", "open": "open", "3": "pending", "pending": "pending",
    "4": "solved", "resolved": "solved", "5": "closed", "closed": "closed",
}  # fmt: skip
"""Freshdesk statuses (numbers and names) -> categories; custom ones pass through."""
PRIORITIES: Final[Mapping[str, str]] = {"1": "low", "2": "medium", "3": "high", "4": "urgent"}
SOURCES: Final[Mapping[str, str]] = {
    "1": "email", "2": "portal", "3": "phone", "7": "chat", "9": "feedback_widget",
    "10": "outbound_email",
}  # fmt: skip
"""Freshdesk ``source`` numbers -> the ``channel`` field."""

# activity / ticket key -> ticket field
_KEYS: Final = {
    "group": "group", "group_id": "group",
    "agent": "assignee", "agent_id": "assignee", "responder_id": "assignee",
    "company": "organization", "company_id": "organization",
    "source": "channel", "requester_id": "requester", "tags": "tags",
}  # fmt: skip
_FIELDS: Final = ("group", "assignee", "organization", "channel", "requester", "tags")


def _priority(value: Any) -> str | None:
    s = text(value)
    return None if s is None else PRIORITIES.get(s, s.lower())


def _field(name: str, value: Any) -> FieldValue:
    if name == "tags":
        return tags(value)
    if name == "channel":
        s = text(value)
        return None if s is None else SOURCES.get(s, s.lower())
    return text(value)


def read(
    path: str | Path, *, statuses: Mapping[str, str] | None = None, spill_at: int = 250_000
) -> Iterator[Ticket]:
    """Stream the tickets of a Freshdesk export directory. ``statuses`` maps status
    numbers or names to a category or any name (over :data:`STATUSES`)."""
    smap = StatusMap(STATUSES, statuses)
    groups: TicketGroups = TicketGroups(spill_at=spill_at)
    for f in require_files(path, ("tickets*.json", "tickets*.jsonl"), what="freshdesk tickets"):
        for where, rec in iter_records(f, "tickets"):
            tid = text(rec.get("id"))
            if tid is None:
                raise TimelineError(f"{where}: ticket has no id")
            groups.add(tid, {"kind": "ticket", "where": where, "rec": rec})
    patterns = ("ticket_activities*.json", "ticket_activities*.jsonl")
    for f in require_files(path, patterns, what="freshdesk activities"):
        for where, rec in iter_records(f, "activities_data"):
            tid = text(rec.get("ticket_id"))
            if tid is None:
                raise TimelineError(f"{where}: activity has no ticket_id")
            at = parse_time(rec.get("performed_at"), f"{where}: performed_at")
            groups.add(tid, {"kind": "activity", "where": where, "at": at.isoformat(),
                             "act": rec.get("activity") or {}})  # fmt: skip
    patterns = ("conversations*.json", "conversations*.jsonl")
    for f in require_files(path, patterns, what="freshdesk conversations"):
        for where, rec in iter_records(f, "conversations"):
            tid = text(rec.get("ticket_id"))
            if tid is None:
                raise TimelineError(f"{where}: conversation has no ticket_id")
            at = parse_time(rec.get("created_at"), f"{where}: created_at")
            kind = (
                "internal_note" if truthy(rec.get("private"))
                else "customer_reply" if truthy(rec.get("incoming"))
                else "agent_reply"
            )  # fmt: skip
            groups.add(tid, {"kind": "reply", "where": where, "at": at.isoformat(), "type": kind})
    for tid, records in groups:
        yield _ticket(tid, records, smap)


def _ticket(tid: str, records: list[dict[str, Any]], smap: StatusMap) -> Ticket:
    head = next((r for r in records if r["kind"] == "ticket"), None)
    if head is None:
        raise TimelineError(
            f"{records[0]['where']}: ticket {tid!r} is not in tickets*.json[l]; export the "
            "tickets the activities and conversations belong to"
        )
    rec, where = head["rec"], f"{head['where']} (ticket {tid})"
    created = parse_time(rec.get("created_at"), f"{where}: created_at")
    acts = [r for r in records if r["kind"] == "activity"]
    creation: dict[str, Any] = next((r["act"] for r in acts if r["act"].get("new_ticket")), {})
    changed = {_KEYS.get(k, k) for r in acts if not r["act"].get("new_ticket") for k in r["act"]}
    changed |= (
        {"tags"}
        if any("added_tags" in r["act"] or "removed_tags" in r["act"] for r in acts)
        else set()
    )

    def initial(name: str, keys: Iterable[str]) -> Any:
        for k in keys:
            if k in creation:
                return creation[k]
        if name in changed:
            return None
        return next((rec.get(k) for k in keys if k in rec), None)

    draft = TicketDraft(tid, created)
    draft.status = smap(text(initial("status", ["status"])) or "2")
    draft.severity = _priority(initial("priority", ["priority"])) or "none"
    for name in _FIELDS:
        keys = [k for k, v in _KEYS.items() if v == name]
        draft.initial(name, _field(name, initial(name, keys)))
    current = dict(draft.fields)
    events: list[tuple[datetime, int, dict[str, Any]]] = []
    for r in records:
        if r["kind"] != "ticket":
            events.append((datetime.fromisoformat(r["at"]), 0 if r["kind"] == "reply" else 1, r))
    events.sort(key=lambda e: (e[0], e[1]))
    for at, _, r in events:
        if r["kind"] == "reply":
            draft.reply(at, r["type"])
            continue
        act = r["act"]
        if act.get("new_ticket"):
            continue
        for key, value in act.items():
            if key == "status":
                draft.status_change(at, smap(text(value) or "2"))
            elif key == "priority":
                draft.severity_change(at, _priority(value) or "none")
            elif key in ("added_tags", "removed_tags"):
                have = set(current["tags"] or ())  # type: ignore[arg-type]
                have = have | set(tags(value)) if key == "added_tags" else have - set(tags(value))
                current["tags"] = tuple(sorted(have))
                draft.field(at, "tags", current["tags"])
            elif key in _KEYS:
                name = _KEYS[key]
                current[name] = _field(name, value)
                draft.field(at, name, current[name])
    return draft.build(where)


def read_recorded(path: str | Path) -> Iterator[RecordedCycle]:
    """The SLA verdicts Freshdesk keeps on each ticket (``tickets*.json[l]`` with
    ``include=stats``): ``first_response`` from ``fr_due_by`` / ``fr_escalated`` /
    ``stats.first_responded_at``, ``resolution`` from ``due_by`` / ``is_escalated`` /
    ``stats.resolved_at``. Freshdesk reports neither business time used nor cycles."""
    for f in require_files(path, ("tickets*.json", "tickets*.jsonl"), what="freshdesk tickets"):
        for where, rec in iter_records(f, "tickets"):
            tid = text(rec.get("id"))
            stats = rec.get("stats") or {}
            for metric, due, flag, stop in (
                ("first_response", "fr_due_by", "fr_escalated", "first_responded_at"),
                ("resolution", "due_by", "is_escalated", "resolved_at"),
            ):
                if tid is None or not rec.get(due):
                    continue
                deadline = parse_time(rec[due], f"{where}: {due}")
                breached = truthy(rec.get(flag))
                stopped = stats.get(stop)
                yield RecordedCycle(
                    ticket_id=tid, metric=metric, cycle=1, deadline=deadline,
                    breached=breached, breached_at=deadline if breached else None,
                    stopped_at=parse_time(stopped, where) if stopped else None,
                    business_elapsed=None, target=None, source=where,
                )  # fmt: skip


# -- writing (tests and docs) ---------------------------------------------------------

AGENT_ID: Final = 11
_BACK_STATUS: Final = {"open": 2, "pending": 3, "solved": 4, "closed": 5}
_BACK_PRIORITY: Final = {v: int(k) for k, v in PRIORITIES.items()}
_BACK_SOURCE: Final = {v: int(k) for k, v in SOURCES.items()}
_TICKET_KEYS: Final = {"group": "group_id", "assignee": "responder_id",
                       "organization": "company_id", "channel": "source",
                       "requester": "requester_id", "tags": "tags"}  # fmt: skip
_ACT_KEYS: Final = {"group": "group", "assignee": "agent", "organization": "company",
                    "channel": "source", "requester": "requester_id", "tags": "tags"}  # fmt: skip


def _num(value: Any) -> Any:
    s = str(value)
    return int(s) if s.isdigit() else s


def write(tickets: Iterable[Ticket], directory: str | Path) -> None:
    """Write tickets as a Freshdesk export (``tickets.json``, ``ticket_activities.json``,
    ``conversations.json``) that :func:`read` reads back to the same tickets. Fields other
    than group, assignee, organization, channel, requester, tags, and ``plan`` events, are
    a ConfigError."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    acts: list[dict[str, Any]] = []
    convs: list[dict[str, Any]] = []
    for t in tickets:
        for name in t.fields:
            if name not in _TICKET_KEYS:
                raise writer_error("Freshdesk", t, f"field {name!r} has no Freshdesk form")
        values: dict[str, Any] = {"status": t.status, "priority": t.severity, **t.fields}
        creation: dict[str, Any] = {
            "new_ticket": True,
            "status": _BACK_STATUS.get(t.status, t.status),
            "priority": _BACK_PRIORITY.get(t.severity, t.severity),
        }
        for name, value in t.fields.items():
            creation[_ACT_KEYS[name]] = _export(name, value)
        acts.append(_activity(t, t.created_at, creation))
        for i, ev in enumerate(t.events):
            if ev.type in ("agent_reply", "customer_reply", "internal_note"):
                convs.append({
                    "id": len(convs) + 1, "ticket_id": _num(t.id), "created_at": iso(ev.at),
                    "incoming": ev.type == "customer_reply",
                    "private": ev.type == "internal_note", "user_id": AGENT_ID,
                })  # fmt: skip
                continue
            if ev.type == "status":
                change: dict[str, Any] = {"status": _BACK_STATUS.get(ev.status, ev.status)}
                values["status"] = ev.status
            elif ev.type == "severity":
                change = {"priority": _BACK_PRIORITY.get(ev.severity, ev.severity)}
                values["priority"] = ev.severity
            elif ev.type == "field" and ev.field in _ACT_KEYS:
                change = {_ACT_KEYS[ev.field]: _export(ev.field, ev.value)}
                values[ev.field] = ev.value
            else:
                raise writer_error(
                    "Freshdesk", t, f"a {ev.type!r} event (#{i}) has no activity form"
                )
            acts.append(_activity(t, ev.at, change))
        row = {"id": _num(t.id), "created_at": iso(t.created_at),
               "status": _BACK_STATUS.get(values["status"], values["status"]),
               "priority": _BACK_PRIORITY.get(values["priority"], values["priority"])}  # fmt: skip
        for name in t.fields:
            row[_TICKET_KEYS[name]] = _export(name, values[name])
        rows.append(row)
    dump_json(out / "tickets.json", rows)
    dump_json(out / "ticket_activities.json", {"activities_data": acts})
    dump_json(out / "conversations.json", convs)


def _export(name: str, value: Any) -> Any:
    if name == "tags":
        return list(value or ())
    if name == "channel" and value in _BACK_SOURCE:
        return _BACK_SOURCE[value]
    return None if value is None else _num(value)


def _activity(t: Ticket, at: datetime, activity: dict[str, Any]) -> dict[str, Any]:
    return {"ticket_id": _num(t.id), "performer_type": "user", "performer_id": AGENT_ID,
            "performed_at": iso(at), "activity": activity}  # fmt: skip
