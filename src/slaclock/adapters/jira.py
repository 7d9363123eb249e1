"""Jira Service Management: issues with their changelog and comments in, tickets out.

A directory holds the files as the REST API returns them:

- ``issues*.json`` (saved search pages, ``{"issues": [...]}``, from ``/rest/api/3/search``
  with ``expand=changelog`` and ``fields=created,status,priority,assignee,reporter,
  labels,comment,<organizations field>``) or ``issues*.jsonl`` (one issue a line);
- ``sla*.json[l]``: the ``/rest/servicedeskapi/request/{key}/sla`` responses, each
  wrapped with its ``issueKey`` (or saved as ``sla-<KEY>.json``), for
  :func:`read_recorded`.

The ticket's values at creation are each field's ``from`` in its first changelog entry, or
the issue's current value when the changelog never changes it. Status names map to
categories (:data:`STATUSES`; the issue's ``statusCategory`` for its current status
otherwise). A comment with ``jsdPublic`` false is an ``internal_note``; a public one is a
``customer_reply`` when its author is a customer (``accountType`` ``customer``, one of
``customers``, or the reporter) and not one of ``agents``, else an ``agent_reply``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from ..errors import TimelineError
from ..ticket import FieldValue, Ticket
from ._common import (
    RecordedCycle,
    StatusMap,
    TicketDraft,
    dump_json,
    iter_records,
    parse_time,
    require_files,
    tags,
    text,
    writer_error,
)

__all__ = ["METRICS", "STATUSES", "read", "read_recorded", "write"]

STATUSES: Final[Mapping[str, str]] = {
    "new": "new",
    "open": "open",
    "waiting for support": "open",
    "in progress": "open",
    "work in progress": "open",
    "escalated": "open",
    "waiting for customer": "pending",
    "pending": "on_hold",
    "on hold": "on_hold",
    "on_hold": "on_hold",
    "resolved": "solved",
    "done": "solved",
    "solved": "solved",
    "closed": "closed",
    "canceled": "closed",
    "cancelled": "closed",
    "declined": "closed",
}
"""JSM's usual status names -> categories (JSM's "Pending", waiting on a third party, is
``on_hold``; "Waiting for customer" is ``pending``)."""

_CATEGORIES: Final = {"new": "open", "indeterminate": "open", "done": "solved"}

METRICS: Final[Mapping[str, str]] = {
    "time to first response": "first_response",
    "time to resolution": "resolution",
    "time to close after resolution": "time_to_close",
}
"""JSM SLA names -> slaclock metrics (others: their name in snake case)."""

ORGANIZATIONS: Final = "customfield_10002"
"""The usual id of JSM's Organizations field (pass ``organization_field`` if yours differs)."""


def read(
    path: str | Path,
    *,
    statuses: Mapping[str, str] | None = None,
    agents: Iterable[str] = (),
    customers: Iterable[str] = (),
    organization_field: str = ORGANIZATIONS,
) -> Iterator[Ticket]:
    """Stream the tickets of a JSM export directory (or one issues file), one issue at a
    time. ``agents`` / ``customers`` are account ids whose comments count as the agent's
    or the customer's whatever their account type; ``statuses`` maps status names to a
    category or any name (it wins over :data:`STATUSES`)."""
    files = require_files(path, ("issues*.json", "issues*.jsonl"), what="jira")
    smap = StatusMap(STATUSES, statuses)
    agent_ids, customer_ids = frozenset(agents), frozenset(customers)
    for f in files:
        for where, issue in iter_records(f, "issues"):
            yield _ticket(issue, where, smap, agent_ids, customer_ids, organization_field)


def _ticket(
    issue: Mapping[str, Any], where: str, smap: StatusMap, agents: frozenset[str],
    customers: frozenset[str], org_field: str,
) -> Ticket:  # fmt: skip
    key = text(issue.get("key")) or text(issue.get("id"))
    if key is None:
        raise TimelineError(f"{where}: issue has no key")
    where = f"{where} (issue {key})"
    fields = issue.get("fields") or {}
    created = parse_time(fields.get("created"), f"{where}: fields.created")
    histories = list((issue.get("changelog") or {}).get("histories") or ())
    changes: list[tuple[datetime, int, str, Mapping[str, Any]]] = []
    for n, h in enumerate(histories):
        at = parse_time(h.get("created"), f"{where}: changelog entry {n}")
        for item in h.get("items") or ():
            name = _field_of(item, org_field)
            if name is not None:
                changes.append((at, n, name, item))
    changes.sort(key=lambda c: (c[0], c[1]))
    first: dict[str, Mapping[str, Any]] = {}
    for _, _, name, item in changes:
        first.setdefault(name, item)

    def initial(name: str, current: Any) -> Any:
        item = first.get(name)
        if item is None:
            return current
        return _item_value(name, item, "from")

    status_now = fields.get("status") or {}
    category = _CATEGORIES.get(str((status_now.get("statusCategory") or {}).get("key")))
    now_name = text(status_now.get("name"))
    extra = {now_name.lower(): category} if now_name and category else {}
    status_map = StatusMap({**extra, **STATUSES}, None)

    def status_of(name: Any) -> str:
        return smap.user(name) or status_map(name)

    draft = TicketDraft(str(key), created)
    draft.status = status_of(initial("status", now_name) or "open")
    severity = initial("priority", text(fields.get("priority")))
    draft.severity = severity or "none"
    reporter = text(fields.get("reporter"))
    draft.initial("requester", reporter)
    draft.initial("assignee", initial("assignee", text(fields.get("assignee"))))
    draft.initial("organization", initial("organization", _org(fields.get(org_field))))
    draft.initial("tags", initial("tags", tags(fields.get("labels"))))
    # at one instant, comments first (a reply, then the transition it caused)
    events: list[tuple[datetime, int, str, Any]] = [
        (at, 10**9 + n, name, _item_value(name, item, "to")) for at, n, name, item in changes
    ]
    comments = (fields.get("comment") or {}).get("comments") or issue.get("comments") or ()
    for i, c in enumerate(comments):
        at = parse_time(c.get("created"), f"{where}: comment {i}")
        public = c.get("jsdPublic", c.get("public", True))
        author = c.get("author") or {}
        account = text(author.get("accountId")) or text(author.get("name"))
        if public is False or str(public).lower() == "false":
            kind = "internal_note"
        elif account in agents:
            kind = "agent_reply"
        elif (
            account in customers
            or str(author.get("accountType", "")).lower() == "customer"
            or (account is not None and account == reporter)
        ):
            kind = "customer_reply"
        else:
            kind = "agent_reply"
        events.append((at, i, "\0comment", kind))
    events.sort(key=lambda e: (e[0], e[1]))
    for at, _, name, value in events:
        if at < created:
            raise TimelineError(f"{where}: a change at {at.isoformat()} is before creation")
        if name == "\0comment":
            draft.reply(at, value)
        elif name == "status":
            draft.status_change(at, status_of(value))
        elif name == "priority":
            draft.severity_change(at, value or "none")
        else:
            draft.field(at, name, value)
    return draft.build(where)


_ITEMS: Final = {
    "status": "status",
    "priority": "priority",
    "assignee": "assignee",
    "labels": "tags",
}


def _field_of(item: Mapping[str, Any], org_field: str) -> str | None:
    fid = str(item.get("fieldId") or "")
    name = str(item.get("field") or "").lower()
    if fid == org_field or name == "organizations":
        return "organization"
    return _ITEMS.get(fid) or _ITEMS.get(name)


def _item_value(name: str, item: Mapping[str, Any], side: str) -> FieldValue:
    raw = item.get(side)
    shown = item.get(f"{side}String")
    if name == "tags":
        return tags(shown if shown is not None else raw)
    if name == "assignee":
        return text(raw) if raw is not None else None
    if name == "organization":
        value = text(shown) if shown is not None else text(raw)
        return None if value is None else value.strip("[]").split(",")[0].strip() or None
    return text(shown) if shown is not None else text(raw)


def _org(value: Any) -> str | None:
    if isinstance(value, list):
        return text(value[0]) if value else None
    return text(value)


# -- recorded SLA cycles --------------------------------------------------------------

_SLA_NAME: Final = re.compile(r"^sla[-_](?P<key>.+)$", re.IGNORECASE)


def read_recorded(
    path: str | Path, *, metrics: Mapping[str, str] | None = None
) -> Iterator[RecordedCycle]:
    """The SLA cycles JSM recorded: each SLA's ``completedCycles`` in order, then its
    ``ongoingCycle``, numbered from 1. ``deadline`` is ``breachTime``, ``breached`` as
    JSM says (``breached_at`` then the breach time), ``stopped_at`` the completed cycle's
    ``stopTime``, ``business_elapsed`` its ``elapsedTime`` and ``target`` its
    ``goalDuration``. ``metrics`` maps SLA names to slaclock metrics (over
    :data:`METRICS`)."""
    names = {k.lower(): v for k, v in {**METRICS, **(metrics or {})}.items()}
    files = require_files(path, ("sla*.json", "sla*.jsonl"), what="jira SLA")
    for f in files:
        m = _SLA_NAME.match(f.stem)
        from_name = m.group("key") if m and f.suffix.lower() == ".json" else None
        for where, rec in iter_records(f, "__records__"):
            key = text(rec.get("issueKey")) or text(rec.get("key")) or from_name
            if key is None:
                raise TimelineError(
                    f"{where}: SLA record names no issue; wrap each response as "
                    '{"issueKey": "HELP-1", ...} or save it as sla-HELP-1.json'
                )
            for sla in rec.get("values") or ():
                title = str(sla.get("name") or "")
                metric = names.get(title.lower()) or re.sub(r"\W+", "_", title.lower()).strip("_")
                cycles = [*(sla.get("completedCycles") or ())]
                if sla.get("ongoingCycle"):
                    cycles.append(sla["ongoingCycle"])
                for n, c in enumerate(cycles, 1):
                    yield _cycle(key, metric, n, c, f"{where}: {title} cycle {n}")


def _cycle(key: str, metric: str, n: int, c: Mapping[str, Any], where: str) -> RecordedCycle:
    deadline = parse_time(c["breachTime"], where) if c.get("breachTime") else None
    breached = bool(c.get("breached"))
    stopped = parse_time(c["stopTime"], where) if c.get("stopTime") else None
    return RecordedCycle(
        ticket_id=key,
        metric=metric,
        cycle=n,
        deadline=deadline,
        breached=breached,
        breached_at=deadline if breached else None,
        stopped_at=stopped,
        business_elapsed=_millis(c.get("elapsedTime")),
        target=_millis(c.get("goalDuration")),
        source=where,
    )


def _millis(value: Any) -> timedelta | None:
    if isinstance(value, Mapping) and value.get("millis") is not None:
        return timedelta(milliseconds=int(value["millis"]))
    return None


# -- writing (tests and docs) ---------------------------------------------------------

AGENT: Final = "agent-1"
"""The agent account of :func:`write`'s export."""
CUSTOMER: Final = "customer-1"
"""The customer account (reporter, unless the ticket has a ``requester``)."""
_BACK: Final = {
    "new": "New", "open": "Waiting for support", "pending": "Waiting for customer",
    "on_hold": "Pending", "solved": "Resolved", "closed": "Closed",
}  # fmt: skip
_CATEGORY_KEY: Final = {"solved": "done", "closed": "done"}


def _jira_time(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def write(tickets: Iterable[Ticket], directory: str | Path) -> None:
    """Write tickets as a saved JSM search page (``issues.json``) that :func:`read` reads
    back to the same tickets (up to milliseconds, Jira's precision). Fields other than
    assignee, organization, tags and requester, and ``plan`` events, are a ConfigError."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    dump_json(out / "issues.json", {"startAt": 0, "issues": [_issue(t) for t in tickets]})


def _issue(ticket: Ticket) -> dict[str, Any]:
    allowed = {"assignee", "organization", "tags", "requester"}
    for name in ticket.fields:
        if name not in allowed:
            raise writer_error("JSM", ticket, f"field {name!r} has no JSM form")
    reporter = ticket.fields.get("requester") or CUSTOMER
    current: dict[str, Any] = {
        "status": ticket.status, "priority": ticket.severity,
        "assignee": ticket.fields.get("assignee"),
        "organization": ticket.fields.get("organization"),
        "tags": ticket.fields.get("tags") or (),
    }  # fmt: skip
    histories: list[dict[str, Any]] = []
    comments: list[dict[str, Any]] = []
    for i, ev in enumerate(ticket.events):
        when = _jira_time(ev.at)
        if ev.type in ("agent_reply", "customer_reply", "internal_note"):
            author = (
                {"accountId": reporter, "accountType": "customer"}
                if ev.type == "customer_reply"
                else {"accountId": AGENT, "accountType": "atlassian"}
            )
            comments.append({"id": str(i), "author": author, "created": when,
                             "jsdPublic": ev.type != "internal_note"})  # fmt: skip
            continue
        if ev.type == "status":
            item = {"field": "status", "fieldtype": "jira",
                    "fromString": _BACK.get(current["status"], current["status"]),
                    "toString": _BACK.get(ev.status, ev.status)}  # fmt: skip
            current["status"] = ev.status
        elif ev.type == "severity":
            item = {"field": "priority", "fieldtype": "jira",
                    "fromString": current["priority"], "toString": ev.severity}  # fmt: skip
            current["priority"] = ev.severity
        elif ev.type == "field" and ev.field == "assignee":
            item = {"field": "assignee", "fieldId": "assignee", "from": current["assignee"],
                    "to": ev.value}  # fmt: skip
            current["assignee"] = ev.value
        elif ev.type == "field" and ev.field == "organization":
            item = {"field": "Organizations", "fieldId": ORGANIZATIONS,
                    "fromString": current["organization"], "toString": ev.value}  # fmt: skip
            current["organization"] = ev.value
        elif ev.type == "field" and ev.field == "tags":
            item = {"field": "labels", "fieldId": "labels",
                    "fromString": " ".join(current["tags"]),
                    "toString": " ".join(ev.value or ())}  # type: ignore[arg-type]  # fmt: skip
            current["tags"] = ev.value or ()
        else:
            raise writer_error("JSM", ticket, f"a {ev.type!r} event has no JSM form")
        histories.append({"id": str(i), "author": {"accountId": AGENT}, "created": when,
                          "items": [item]})  # fmt: skip
    status = current["status"]
    fields = {
        "created": _jira_time(ticket.created_at),
        "status": {"name": _BACK.get(status, status),
                   "statusCategory": {"key": _CATEGORY_KEY.get(status, "indeterminate")}},
        "priority": {"name": current["priority"]},
        "reporter": {"accountId": reporter, "accountType": "customer"},
        "assignee": None if current["assignee"] is None else {"accountId": current["assignee"]},
        ORGANIZATIONS: [{"name": org}] if (org := current["organization"]) is not None else [],
        "labels": list(current["tags"]),
        "comment": {"comments": comments, "total": len(comments)},
    }  # fmt: skip
    changelog = {"startAt": 0, "total": len(histories), "histories": histories}
    return {"id": ticket.id, "key": ticket.id, "fields": fields, "changelog": changelog}
