"""The Zendesk adapter on a hand-written export (tests/fixtures/zendesk): two saved API
pages of ticket events (one update repeated across the page boundary), the users export,
custom statuses and ticket metric events. Expected tickets and cycles are written by hand
from the fixture."""

from __future__ import annotations

import json
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from slaclock import ConfigError, SlaClockWarning, Ticket, TimelineError, adapters
from slaclock.adapters import RecordedCycle, zendesk

FIXTURE = Path(__file__).parent / "fixtures" / "zendesk"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def read(path: Path = FIXTURE, **kw: Any) -> dict[str, Ticket]:
    kw.setdefault("incomplete", "skip")
    return {t.id: t for t in adapters.read("zendesk", path, **kw)}


FIELDS_101 = {
    "group": "20", "assignee": None, "organization": "9001", "requester": "501",
    "brand": None, "form": None, "type": None, "tags": ("vip",), "channel": "email",
}  # fmt: skip
T101 = Ticket.model_validate(
    {
        "id": "101",
        "created_at": "2026-11-16T14:00:00Z",
        "severity": "high",
        "status": "new",
        "fields": FIELDS_101,
        "events": [
            {"at": "2026-11-16T14:30:00Z", "type": "internal_note"},
            {"at": "2026-11-16T14:30:00Z", "type": "field", "field": "group", "value": "21"},
            {"at": "2026-11-16T15:10:00Z", "type": "agent_reply"},
            {"at": "2026-11-16T15:10:00Z", "type": "status", "status": "pending"},
            {"at": "2026-11-17T09:00:00Z", "type": "customer_reply"},
            {"at": "2026-11-17T09:00:00Z", "type": "status", "status": "open"},
            {"at": "2026-11-17T10:00:00Z", "type": "severity", "severity": "urgent"},
            {"at": "2026-11-17T11:00:00Z", "type": "agent_reply"},  # an admin's comment
            {"at": "2026-11-17T11:00:00Z", "type": "status", "status": "solved"},
            {"at": "2026-11-18T08:00:00Z", "type": "customer_reply"},
            {"at": "2026-11-18T08:00:00Z", "type": "status", "status": "open"},  # reopen
            {"at": "2026-11-18T09:00:00Z", "type": "agent_reply"},
            {"at": "2026-11-18T09:00:00Z", "type": "status", "status": "on_hold"},
            # the system (updater -1) solves it and tags it
            {"at": "2026-11-19T12:00:00Z", "type": "status", "status": "solved"},
            {"at": "2026-11-19T12:00:00Z", "type": "field", "field": "tags",
             "value": ["auto_solved", "vip"]},
        ],
    }
)  # fmt: skip
T102 = Ticket.model_validate(
    {
        "id": "102",
        "created_at": "2026-11-16T16:00:00Z",
        "severity": "normal",
        "status": "new",
        "fields": {
            "group": None, "assignee": None, "organization": None, "requester": "502",
            "brand": None, "form": None, "type": None, "tags": (), "channel": "web",
        },
        # the agent's comment creating the ticket is the request, not a reply
        "events": [
            {"at": "2026-11-16T16:20:00Z", "type": "customer_reply"},
            {"at": "2026-11-16T17:00:00Z", "type": "agent_reply"},
            {"at": "2026-11-16T17:00:00Z", "type": "status", "status": "open"},
            {"at": "2026-11-16T17:00:00Z", "type": "field", "field": "assignee", "value": "601"},
        ],
    }
)  # fmt: skip


class TestTickets:
    def test_the_export_reads_as_the_hand_written_tickets(self) -> None:
        assert read() == {"101": T101, "102": T102}

    def test_a_ticket_created_before_the_export_is_left_out_with_one_warning(self) -> None:
        with pytest.warns(SlaClockWarning, match=r"1 ticket\(s\) left out .*'103'"):
            ids = [t.id for t in adapters.read("zendesk", FIXTURE)]
        assert sorted(ids) == ["101", "102"]

    def test_incomplete_error_names_the_ticket(self) -> None:
        with pytest.raises(TimelineError, match=r"ticket '103' has no creating update"):
            read(incomplete="error")

    def test_a_jsonl_file_with_the_same_update_twice_reads_it_once(self, tmp_path: Path) -> None:
        pages = sorted(FIXTURE.glob("ticket_events-*.json"))
        lines = [
            json.dumps(rec)
            for page in pages
            for rec in json.loads(page.read_text())["ticket_events"]
        ]
        assert len(lines) == 14  # update 90007 is on both pages
        (tmp_path / "ticket_events.jsonl").write_text("\n".join(lines) + "\n")
        for name in ("users.json", "custom_statuses.json"):
            (tmp_path / name).write_text((FIXTURE / name).read_text())
        assert read(tmp_path) == {"101": T101, "102": T102}

    def test_without_the_users_export_the_requester_is_the_customer(self, tmp_path: Path) -> None:
        for page in FIXTURE.glob("ticket_events-*.json"):
            (tmp_path / page.name).write_text(page.read_text())
        tickets = read(tmp_path)
        assert [e.type for e in tickets["102"].events][:2] == ["customer_reply", "agent_reply"]
        # without the custom statuses, the plain status change says "hold"
        assert tickets["101"].events[12].status == "on_hold"  # type: ignore[union-attr]

    def test_roles_given_as_a_mapping_win(self) -> None:
        # 601 said to be an end user: their public comments become customer replies
        roles = {"501": "end-user", "502": "end-user", "601": "end-user", "602": "admin"}
        t = read(users=roles)["102"]
        assert [e.type for e in t.events][:2] == ["customer_reply", "customer_reply"]

    def test_a_custom_status_label_mapped_by_the_user_is_kept(self) -> None:
        t = read(statuses={"Waiting on vendor": "Waiting on vendor"})["101"]
        assert t.events[12].status == "Waiting on vendor"  # type: ignore[union-attr]

    def test_extra_fields(self, tmp_path: Path) -> None:
        rec = {
            "id": 1, "ticket_id": 7, "created_at": "2026-11-16T14:00:00Z", "updater_id": 1,
            "via": {"channel": "api"},
            "child_events": [
                {"event_type": "Create", "status": "open"},
                {"event_type": "Create", "field_name": "360001", "value": "emea"},
            ],
        }  # fmt: skip
        (tmp_path / "ticket_events.jsonl").write_text(json.dumps(rec) + "\n")
        t = read(tmp_path, fields={"360001": "region"})["7"]
        assert t.fields["region"] == "emea"
        assert t.severity == "none"  # no priority at creation
        assert t.status == "open"


class TestErrors:
    def test_no_event_files(self, tmp_path: Path) -> None:
        with pytest.raises(ConfigError, match=r"no file in .* matches ticket_events\*\.json"):
            read(tmp_path)

    def test_bad_json_names_the_file_and_line(self, tmp_path: Path) -> None:
        (tmp_path / "ticket_events.jsonl").write_text(
            '{"id": 1, "ticket_id": 1, "timestamp": 0}\n{oops\n'
        )
        with pytest.raises(TimelineError, match=r"ticket_events\.jsonl:2: not valid JSON"):
            read(tmp_path)

    def test_a_record_without_time_is_named(self, tmp_path: Path) -> None:
        (tmp_path / "ticket_events.jsonl").write_text('{"id": 1, "ticket_id": 1}\n')
        with pytest.raises(TimelineError, match=r"ticket_events\.jsonl:1: no timestamp"):
            read(tmp_path)

    def test_a_record_without_ticket_id_is_named(self, tmp_path: Path) -> None:
        (tmp_path / "ticket_events.json").write_text('{"ticket_events": [{"id": 3}]}')
        with pytest.raises(
            TimelineError, match=r"ticket_events\.json:ticket_events\[0\]: .*ticket_id"
        ):
            read(tmp_path)

    def test_unknown_source(self) -> None:
        with pytest.raises(ConfigError, match=r"unknown helpdesk 'zendsk'; use one of zendesk"):
            adapters.read("zendsk", FIXTURE)

    def test_bad_custom_status(self, tmp_path: Path) -> None:
        (tmp_path / "ticket_events.jsonl").write_text("")
        (tmp_path / "custom_statuses.json").write_text('{"custom_statuses": [{"id": 1}]}')
        with pytest.raises(ConfigError, match=r"custom status needs an id and a status_category"):
            read(tmp_path)


class TestRecorded:
    def test_cycles_as_written_by_hand(self) -> None:
        got = {
            (c.ticket_id, c.metric, c.cycle): c for c in adapters.read_recorded("zendesk", FIXTURE)
        }
        assert set(got) == {
            ("101", "first_response", 1),
            ("101", "next_reply", 1),  # reply_time instance 2
            ("101", "requester_wait", 1),
            ("102", "first_response", 1),
        }  # agent_work_time had no SLA applied: no cycle
        fr = got["101", "first_response", 1]
        assert (fr.deadline, fr.breached, fr.breached_at) == (at(16, 15), True, at(16, 15))
        assert (fr.stopped_at, fr.business_elapsed, fr.target) == (
            at(16, 15, 10), timedelta(minutes=70), timedelta(hours=1),
        )  # fmt: skip
        nr = got["101", "next_reply", 1]
        assert (nr.deadline, nr.breached, nr.stopped_at) == (at(17, 11), False, at(17, 11))
        assert nr.business_elapsed == timedelta(hours=2)
        rw = got["101", "requester_wait", 1]
        # three breach events: two deleted (rescheduled), the last one real
        assert (rw.deadline, rw.breached, rw.breached_at) == (at(19, 4, 50), True, at(19, 4, 50))
        assert rw.stopped_at == at(19, 12)
        assert rw.business_elapsed == timedelta(minutes=1870)
        other = got["102", "first_response", 1]
        assert (other.breached, other.business_elapsed) == (False, timedelta(0))
        assert other.source.endswith("ticket_metric_events.jsonl:12")

    def test_a_breach_after_now_is_only_a_projection(self) -> None:
        cycles = adapters.read_recorded("zendesk", FIXTURE, now=at(18, 12))
        rw = next(c for c in cycles if c.metric == "requester_wait")
        assert (rw.breached, rw.breached_at, rw.deadline) == (False, None, at(19, 4, 50))

    def test_a_running_cycle_has_no_stop(self, tmp_path: Path) -> None:
        lines = [
            {"id": 1, "ticket_id": 5, "metric": "agent_work_time", "instance_id": 1,
             "type": "apply_sla", "time": "2026-11-16T14:00:00Z",
             "sla": {"target_in_seconds": 5400, "business_hours": True}},
            {"id": 2, "ticket_id": 5, "metric": "agent_work_time", "instance_id": 1,
             "type": "fulfill", "time": "2026-11-16T15:00:00Z"},
            {"id": 3, "ticket_id": 5, "metric": "agent_work_time", "instance_id": 1,
             "type": "activate", "time": "2026-11-16T16:00:00Z"},
        ]  # fmt: skip
        (tmp_path / "ticket_metric_events.jsonl").write_text(
            "\n".join(json.dumps(x) for x in lines)
        )
        (c,) = adapters.read_recorded("zendesk", tmp_path)
        assert c == RecordedCycle(
            ticket_id="5", metric="agent_work", cycle=1, deadline=None, breached=False,
            breached_at=None, stopped_at=None, business_elapsed=None,
            target=timedelta(minutes=90), source=c.source,
        )  # fmt: skip


class TestRoundTrip:
    @pytest.mark.parametrize("page_size", [None, 3])
    def test_written_and_read_again_is_the_same(
        self, tmp_path: Path, page_size: int | None
    ) -> None:
        zendesk.write([T101, T102], tmp_path, page_size=page_size)
        assert read(tmp_path) == {"101": T101, "102": T102}

    def test_a_ticket_without_fields(self, tmp_path: Path) -> None:
        t = Ticket.model_validate(
            {"id": "9", "created_at": "2026-11-16T14:00:00Z", "severity": "low",
             "events": [{"at": "2026-11-16T14:05:00Z", "type": "customer_reply"},
                        {"at": "2026-11-16T14:06:00Z", "type": "severity", "severity": "none"}]}
        )  # fmt: skip
        zendesk.write([t], tmp_path)
        (back,) = adapters.read("zendesk", tmp_path)
        assert back.events == t.events
        assert (back.severity, back.status) == ("low", "new")

    def test_what_zendesk_cannot_say_is_refused(self, tmp_path: Path) -> None:
        t = Ticket.model_validate(
            {"id": "9", "created_at": "2026-11-16T14:00:00Z", "severity": "low",
             "fields": {"region": "emea"}}
        )  # fmt: skip
        with pytest.raises(ConfigError, match=r"ticket '9'.*field 'region' has no Zendesk"):
            zendesk.write([t], tmp_path)


def test_spilling_to_partitions_gives_the_same_tickets() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SlaClockWarning)
        spilled = {t.id: t for t in zendesk.read(FIXTURE, spill_at=2)}
    assert spilled == {"101": T101, "102": T102}
