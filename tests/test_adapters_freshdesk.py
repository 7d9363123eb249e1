"""The Freshdesk adapter on a hand-written export (tests/fixtures/freshdesk): tickets with
stats, the ticket-activities export and conversations. Expected tickets and verdicts are
written by hand from the fixture."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from slaclock import ConfigError, Ticket, TimelineError, adapters
from slaclock.adapters import freshdesk

FIXTURE = Path(__file__).parent / "fixtures" / "freshdesk"

T1 = Ticket.model_validate(
    {
        "id": "1",
        "created_at": "2026-11-16T14:00:00Z",
        "severity": "high",  # the new_ticket activity's, not today's "urgent"
        "status": "open",
        "fields": {"group": "Billing", "assignee": None, "organization": "Acme",
                   "channel": "email", "requester": "901", "tags": ("vip",)},
        "events": [
            {"at": "2026-11-16T14:10:00Z", "type": "agent_reply"},
            {"at": "2026-11-16T14:10:00Z", "type": "status", "status": "pending"},
            {"at": "2026-11-17T09:00:00Z", "type": "customer_reply"},  # incoming
            {"at": "2026-11-17T09:00:00Z", "type": "status", "status": "open"},
            {"at": "2026-11-17T09:30:00Z", "type": "internal_note"},  # private
            {"at": "2026-11-17T10:00:00Z", "type": "severity", "severity": "urgent"},
            {"at": "2026-11-17T10:00:00Z", "type": "field", "field": "group",
             "value": "Escalations"},
            {"at": "2026-11-17T10:00:00Z", "type": "field", "field": "assignee", "value": "Cam"},
            {"at": "2026-11-17T10:00:00Z", "type": "field", "field": "tags",
             "value": ["refund", "vip"]},
            {"at": "2026-11-17T12:00:00Z", "type": "agent_reply"},
            {"at": "2026-11-17T12:00:00Z", "type": "status", "status": "solved"},
            {"at": "2026-11-18T08:00:00Z", "type": "customer_reply"},
            {"at": "2026-11-18T08:00:00Z", "type": "status", "status": "open"},  # reopen
            {"at": "2026-11-18T08:30:00Z", "type": "agent_reply"},
            {"at": "2026-11-18T09:00:00Z", "type": "status", "status": "Waiting on Third Party"},
            {"at": "2026-11-18T09:00:00Z", "type": "field", "field": "tags", "value": ["vip"]},
            {"at": "2026-11-19T12:00:00Z", "type": "status", "status": "closed"},
        ],
    }
)  # fmt: skip
T2 = Ticket.model_validate(
    {
        "id": "2",
        "created_at": "2026-11-16T16:00:00Z",
        "severity": "low",  # no activity: the ticket's current values
        "status": "open",
        "fields": {"group": None, "assignee": None, "organization": None, "channel": "phone",
                   "requester": "902", "tags": ()},
        "events": [{"at": "2026-11-16T16:30:00Z", "type": "agent_reply"}],
    }
)  # fmt: skip


def read(path: Path = FIXTURE, **kw: object) -> dict[str, Ticket]:
    return {t.id: t for t in adapters.read("freshdesk", path, **kw)}


def test_the_export_reads_as_the_hand_written_tickets() -> None:
    assert read() == {"1": T1, "2": T2}


def test_statuses_option() -> None:
    t = read(statuses={"Waiting on Third Party": "on_hold"})["1"]
    assert t.events[14].status == "on_hold"  # type: ignore[union-attr]


def test_activities_of_a_ticket_not_exported(tmp_path: Path) -> None:
    (tmp_path / "tickets.json").write_text("[]")
    (tmp_path / "ticket_activities.json").write_text(
        (FIXTURE / "ticket_activities.json").read_text()
    )
    (tmp_path / "conversations.json").write_text("[]")
    with pytest.raises(TimelineError, match=r"ticket '1' is not in tickets\*\.json"):
        read(tmp_path)
    (tmp_path / "ticket_activities.json").unlink()
    with pytest.raises(ConfigError, match=r"no file in .* matches ticket_activities"):
        read(tmp_path)


def test_recorded_verdicts() -> None:
    got = {(c.ticket_id, c.metric): c for c in adapters.read_recorded("freshdesk", FIXTURE)}
    fr = got["1", "first_response"]
    assert (fr.deadline, fr.breached, fr.stopped_at) == (
        datetime(2026, 11, 16, 15, tzinfo=UTC), False, datetime(2026, 11, 16, 14, 10, tzinfo=UTC),
    )  # fmt: skip
    res = got["1", "resolution"]
    assert (res.breached, res.breached_at) == (True, datetime(2026, 11, 17, 14, tzinfo=UTC))
    assert got["2", "resolution"].stopped_at is None
    assert len(got) == 4


def test_round_trip(tmp_path: Path) -> None:
    freshdesk.write([T1, T2], tmp_path)
    assert read(tmp_path) == {"1": T1, "2": T2}
