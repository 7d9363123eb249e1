"""The Zendesk warehouse adapter on hand-written tables (tests/fixtures/zendesk-warehouse,
the same tickets as the Zendesk fixture, as ELT tools land them), CSV and Parquet.
Expected tickets are written by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from slaclock import ConfigError, Ticket, TimelineError, adapters
from slaclock.adapters import warehouse

FIXTURE = Path(__file__).parent / "fixtures" / "zendesk-warehouse"
NONE = {"assignee": None, "brand": None, "form": None, "tags": ()}

T101 = Ticket.model_validate(
    {
        "id": "101",
        "created_at": "2026-11-16T14:00:00Z",
        "severity": "high",
        "status": "new",
        "fields": {**NONE, "group": "20", "organization": "9001", "requester": "501",
                   "type": "incident", "channel": "email"},
        "events": [
            {"at": "2026-11-16T14:30:00Z", "type": "internal_note"},
            {"at": "2026-11-16T14:30:00Z", "type": "field", "field": "group", "value": "21"},
            {"at": "2026-11-16T15:10:00Z", "type": "agent_reply"},
            {"at": "2026-11-16T15:10:00Z", "type": "status", "status": "pending"},
            {"at": "2026-11-17T09:00:00Z", "type": "customer_reply"},
            {"at": "2026-11-17T09:00:00Z", "type": "status", "status": "open"},
            {"at": "2026-11-17T10:00:00Z", "type": "severity", "severity": "urgent"},
            {"at": "2026-11-17T11:00:00Z", "type": "agent_reply"},
            {"at": "2026-11-17T11:00:00Z", "type": "status", "status": "solved"},
            {"at": "2026-11-18T08:00:00Z", "type": "customer_reply"},
            {"at": "2026-11-18T08:00:00Z", "type": "status", "status": "open"},
            {"at": "2026-11-18T09:00:00Z", "type": "agent_reply"},
            {"at": "2026-11-18T09:00:00Z", "type": "status", "status": "on_hold"},
            {"at": "2026-11-19T12:00:00Z", "type": "status", "status": "solved"},
        ],
    }
)  # fmt: skip
T102 = Ticket.model_validate(
    {
        "id": "102",
        "created_at": "2026-11-16T16:00:00Z",
        "severity": "normal",
        "status": "new",
        "fields": {**NONE, "group": None, "organization": None, "requester": "502",
                   "type": None, "channel": "web"},
        "events": [
            {"at": "2026-11-16T16:20:00Z", "type": "customer_reply"},
            {"at": "2026-11-16T17:00:00Z", "type": "agent_reply"},
            {"at": "2026-11-16T17:00:00Z", "type": "status", "status": "open"},
            {"at": "2026-11-16T17:00:00Z", "type": "field", "field": "assignee", "value": "601"},
        ],
    }
)  # fmt: skip


def read(path: Path = FIXTURE, **kw: object) -> dict[str, Ticket]:
    return {t.id: t for t in adapters.read("zendesk-warehouse", path, **kw)}


def test_the_tables_read_as_the_hand_written_tickets() -> None:
    assert read() == {"101": T101, "102": T102}


def test_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no file in .* matches ticket\.csv"):
        read(tmp_path)
    with pytest.raises(ConfigError, match=r"must be the directory of tables"):
        read(FIXTURE / "ticket.csv")
    (tmp_path / "ticket.csv").write_text("id,created_at\n")
    (tmp_path / "ticket_field_history.csv").write_text("field_name,ticket_id,updated,value\n")
    (tmp_path / "ticket_comment.csv").write_text(
        "ticket_id,created,public,user_id\n7,2026-11-16 10:00:00,true,1\n"
    )
    with pytest.raises(TimelineError, match=r"ticket_comment\.csv:2: ticket '7' is not in"):
        read(tmp_path)


def test_no_recorded_results() -> None:
    with pytest.raises(ConfigError, match=r"carry no recorded SLA results"):
        adapters.read_recorded("zendesk-warehouse", FIXTURE)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_round_trip(tmp_path: Path, fmt: str) -> None:
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    warehouse.write([T101, T102], tmp_path, format=fmt)  # type: ignore[arg-type]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{t}.{fmt}" for t in ("ticket", "ticket_field_history", "ticket_comment", "user")
    )
    assert read(tmp_path) == {"101": T101, "102": T102}
