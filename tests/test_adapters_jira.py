"""The Jira Service Management adapter on a hand-written export (tests/fixtures/jira):
a saved search page with changelogs and comments, and SLA responses. Expected tickets
and cycles are written by hand from the fixture."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from slaclock import ConfigError, Ticket, TimelineError, adapters
from slaclock.adapters import jira

FIXTURE = Path(__file__).parent / "fixtures" / "jira"
EST = timezone(timedelta(hours=-5))

HELP_1 = Ticket.model_validate(
    {
        "id": "HELP-1",
        "created_at": "2026-11-16T09:00:00-05:00",
        "severity": "High",  # before the change to Highest
        "status": "open",  # "Waiting for support" before its first transition
        "fields": {"requester": "cust-ana", "assignee": None, "organization": "Acme",
                   "tags": ("vip",)},
        "events": [
            {"at": "2026-11-16T10:00:00-05:00", "type": "agent_reply"},
            {"at": "2026-11-16T10:00:00-05:00", "type": "status", "status": "pending"},
            {"at": "2026-11-16T11:00:00-05:00", "type": "severity", "severity": "Highest"},
            {"at": "2026-11-17T08:00:00-05:00", "type": "customer_reply"},
            {"at": "2026-11-17T08:00:00-05:00", "type": "status", "status": "open"},
            {"at": "2026-11-17T08:30:00-05:00", "type": "internal_note"},
            # a custom status passes through as its name
            {"at": "2026-11-17T09:00:00-05:00", "type": "status", "status": "Waiting on vendor"},
            {"at": "2026-11-17T12:00:00-05:00", "type": "agent_reply"},
            {"at": "2026-11-17T12:00:00-05:00", "type": "status", "status": "solved"},
            # another customer of the organisation reopens it
            {"at": "2026-11-18T09:00:00-05:00", "type": "customer_reply"},
            {"at": "2026-11-18T09:00:00-05:00", "type": "status", "status": "open"},
            {"at": "2026-11-18T10:00:00-05:00", "type": "field", "field": "organization",
             "value": "Acme EU"},
            {"at": "2026-11-18T10:00:00-05:00", "type": "field", "field": "assignee",
             "value": "agent-cam"},
            {"at": "2026-11-18T10:00:00-05:00", "type": "field", "field": "tags",
             "value": ["escalated", "vip"]},
            {"at": "2026-11-18T11:00:00-05:00", "type": "agent_reply"},
            {"at": "2026-11-19T09:00:00-05:00", "type": "status", "status": "closed"},
        ],
    }
)  # fmt: skip
HELP_2 = Ticket.model_validate(
    {
        "id": "HELP-2",
        "created_at": "2026-11-16T12:00:00+01:00",
        "severity": "Medium",
        "status": "open",  # "Triage", in the To Do category
        "fields": {"requester": "cust-eve", "assignee": None, "organization": None, "tags": ()},
        "events": [{"at": "2026-11-16T12:30:00+01:00", "type": "agent_reply"}],
    }
)


def read(path: Path = FIXTURE, **kw: object) -> dict[str, Ticket]:
    return {t.id: t for t in adapters.read("jira", path, **kw)}


class TestTickets:
    def test_the_export_reads_as_the_hand_written_tickets(self) -> None:
        assert read() == {"HELP-1": HELP_1, "HELP-2": HELP_2}

    def test_agents_and_customers_lists_win(self) -> None:
        t = read(customers=["helper-fay"], agents=["cust-ben"])
        assert t["HELP-2"].events[0].type == "customer_reply"
        assert t["HELP-1"].events[9].type == "agent_reply"

    def test_statuses_map(self) -> None:
        t = read(statuses={"Waiting on vendor": "on_hold"})["HELP-1"]
        assert t.events[6].status == "on_hold"  # type: ignore[union-attr]

    def test_errors_name_the_issue(self, tmp_path: Path) -> None:
        (tmp_path / "issues.jsonl").write_text('{"key": "X-1", "fields": {}}\n')
        with pytest.raises(TimelineError, match=r"issues\.jsonl:1 \(issue X-1\): fields\.created"):
            read(tmp_path)
        with pytest.raises(ConfigError, match=r"no file in .* matches issues\*\.json"):
            read(tmp_path / "..")


class TestRecorded:
    def test_cycles_as_written_by_hand(self) -> None:
        got = {(c.ticket_id, c.metric, c.cycle): c for c in adapters.read_recorded("jira", FIXTURE)}
        assert set(got) == {
            ("HELP-1", "first_response", 1),
            ("HELP-1", "resolution", 1),
            ("HELP-1", "resolution", 2),  # the ongoing cycle after the reopen
            ("HELP-2", "first_response", 1),  # from sla-HELP-2.json's name
        }
        fr = got["HELP-1", "first_response", 1]
        assert fr.deadline == datetime(2026, 11, 16, 13, tzinfo=EST)
        assert (fr.breached, fr.stopped_at) == (False, datetime(2026, 11, 16, 10, tzinfo=EST))
        assert (fr.business_elapsed, fr.target) == (timedelta(hours=1), timedelta(hours=4))
        res = got["HELP-1", "resolution", 1]
        assert (res.breached, res.breached_at) == (True, datetime(2026, 11, 17, 10, tzinfo=EST))
        ongoing = got["HELP-1", "resolution", 2]
        assert (ongoing.stopped_at, ongoing.breached) == (None, False)
        assert ongoing.business_elapsed == timedelta(hours=2)
        other = got["HELP-2", "first_response", 1]
        assert other.stopped_at == datetime(2026, 11, 16, 15, 30, tzinfo=UTC)

    def test_a_record_without_issue_is_named(self, tmp_path: Path) -> None:
        (tmp_path / "sla.jsonl").write_text('{"values": []}\n')
        with pytest.raises(TimelineError, match=r"sla\.jsonl:1: SLA record names no issue"):
            list(adapters.read_recorded("jira", tmp_path))


class TestRoundTrip:
    def test_written_and_read_again_is_the_same(self, tmp_path: Path) -> None:
        jira.write([HELP_1, HELP_2], tmp_path)
        assert read(tmp_path) == {"HELP-1": HELP_1, "HELP-2": HELP_2}

    def test_what_jsm_cannot_say_is_refused(self, tmp_path: Path) -> None:
        t = HELP_2.model_copy(update={"fields": {"channel": "chat"}})
        with pytest.raises(ConfigError, match=r"field 'channel' has no JSM form"):
            jira.write([t], tmp_path)
