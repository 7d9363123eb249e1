"""The ServiceNow adapter on a hand-written export (tests/fixtures/servicenow): incidents
(JSON), their sys_audit rows (CSV, with the insert audited) and task_sla records. Expected
tickets and cycles are written by hand from the fixture."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from slaclock import ConfigError, Ticket, TimelineError, adapters
from slaclock.adapters import servicenow

FIXTURE = Path(__file__).parent / "fixtures" / "servicenow"

INC1 = Ticket.model_validate(
    {
        "id": "INC0010001",
        "created_at": "2026-11-16T14:00:00Z",
        "severity": "3",  # the insert's value; raised to 2 later
        "status": "new",
        "fields": {"group": "grp1", "assignee": None, "organization": "acme",
                   "channel": "email", "requester": "usrana"},
        "events": [
            {"at": "2026-11-16T14:20:00Z", "type": "agent_reply"},
            {"at": "2026-11-16T14:20:00Z", "type": "status", "status": "open"},
            {"at": "2026-11-16T14:30:00Z", "type": "status", "status": "on_hold"},
            {"at": "2026-11-16T15:00:00Z", "type": "severity", "severity": "2"},
            {"at": "2026-11-17T09:00:00Z", "type": "customer_reply"},  # the caller
            {"at": "2026-11-17T09:00:00Z", "type": "status", "status": "open"},
            {"at": "2026-11-17T09:30:00Z", "type": "internal_note"},  # work notes
            {"at": "2026-11-17T10:00:00Z", "type": "field", "field": "group", "value": "grp2"},
            {"at": "2026-11-17T10:00:00Z", "type": "field", "field": "assignee",
             "value": "usrcam"},
            {"at": "2026-11-17T12:00:00Z", "type": "agent_reply"},
            {"at": "2026-11-17T12:00:00Z", "type": "status", "status": "solved"},
            {"at": "2026-11-18T08:00:00Z", "type": "customer_reply"},
            {"at": "2026-11-18T08:00:00Z", "type": "status", "status": "open"},  # reopen
            {"at": "2026-11-19T12:00:00Z", "type": "status", "status": "closed"},
        ],
    }
)  # fmt: skip
INC2 = Ticket.model_validate(
    {
        "id": "INC0010002",
        "created_at": "2026-11-16T16:00:00Z",
        "severity": "4",
        "status": "open",  # never audited: the current state
        "fields": {"group": "grp1", "assignee": None, "organization": None,
                   "channel": "phone", "requester": "usrbo"},
        "events": [{"at": "2026-11-16T16:45:00Z", "type": "agent_reply"}],
    }
)  # fmt: skip


def read(path: Path = FIXTURE, **kw: object) -> dict[str, Ticket]:
    return {t.id: t for t in adapters.read("servicenow", path, **kw)}


def test_the_export_reads_as_the_hand_written_tickets() -> None:
    assert read() == {"INC0010001": INC1, "INC0010002": INC2}


def test_customers_and_statuses_options() -> None:
    t = read(customers=["dee.agent"], statuses={"3": "Awaiting caller"})
    assert t["INC0010002"].events[0].type == "customer_reply"
    assert t["INC0010001"].events[2].status == "Awaiting caller"  # type: ignore[union-attr]


def test_naive_times_need_a_zone(tmp_path: Path) -> None:
    for f in FIXTURE.glob("*"):
        (tmp_path / f.name).write_text(f.read_text())
    with pytest.raises(TimelineError, match=r"has no UTC offset; pass assume_timezone"):
        read(tmp_path, assume_timezone=None)
    with pytest.raises(ConfigError, match=r"unknown time zone 'Mars/Base'"):
        read(tmp_path, assume_timezone="Mars/Base")


def test_audit_rows_without_their_incident(tmp_path: Path) -> None:
    (tmp_path / "incident.json").write_text('{"result": []}')
    (tmp_path / "sys_audit.csv").write_text((FIXTURE / "sys_audit.csv").read_text())
    with pytest.raises(TimelineError, match=r"sys_audit\.csv:2: audit rows for 'a1b2.*no incident"):
        read(tmp_path)


def test_recorded_cycles() -> None:
    got = {
        (c.ticket_id, c.metric, c.cycle): c for c in adapters.read_recorded("servicenow", FIXTURE)
    }
    assert set(got) == {
        ("INC0010001", "first_response", 1),
        ("INC0010001", "resolution", 1),  # the cancelled record is left out
        ("INC0010002", "p4_response", 1),  # no sla.target: named after the SLA
    }
    res = got["INC0010001", "resolution", 1]
    deadline = datetime(2026, 11, 17, 8, tzinfo=UTC)
    assert (res.deadline, res.breached, res.breached_at) == (deadline, True, deadline)
    assert res.stopped_at == datetime(2026, 11, 19, 12, tzinfo=UTC)
    assert res.business_elapsed == timedelta(hours=27, minutes=30)
    running = got["INC0010002", "p4_response", 1]
    assert (running.stopped_at, running.business_elapsed) == (None, timedelta(0))
    mapped = adapters.read_recorded(
        "servicenow", FIXTURE, metrics={"P4 response": "first_response"}
    )
    assert ("INC0010002", "first_response", 1) in {(c.ticket_id, c.metric, c.cycle) for c in mapped}


def test_round_trip(tmp_path: Path) -> None:
    servicenow.write([INC1, INC2], tmp_path)
    assert read(tmp_path) == {"INC0010001": INC1, "INC0010002": INC2}
