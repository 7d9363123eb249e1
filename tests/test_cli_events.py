"""``slaclock evaluate --format events``: the SLA events of every cycle as JSON lines."""

from __future__ import annotations

import json
from pathlib import Path

from slaclock.cli import main

POLICY = """
[calendars.business]
preset = "8x5"
timezone = "America/New_York"

[severities.high]
first_response = "2h"
resolution = "4h"
"""
EVENTS = """ticket_id,at,type,status,severity
T-1,2026-11-16T09:00:00-05:00,created,,high
T-1,2026-11-16T10:00:00-05:00,status,pending,
T-1,2026-11-16T12:00:00-05:00,status,open,
T-1,2026-11-16T12:30:00-05:00,agent_reply,,
T-1,2026-11-16T14:00:00-05:00,status,solved,
"""


def test_events_as_json_lines(tmp_path: Path) -> None:
    (tmp_path / "p.toml").write_text(POLICY, encoding="utf-8")
    (tmp_path / "e.csv").write_text(EVENTS, encoding="utf-8")
    out = tmp_path / "events.jsonl"
    code = main([
        "evaluate", str(tmp_path / "e.csv"), "--policy", str(tmp_path / "p.toml"),
        "--now", "2026-11-16T18:00:00-05:00", "--format", "events", "-o", str(out),
        "--no-progress",
    ])  # fmt: skip
    assert code == 0
    events = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    # first response: 2h from 09:00 due 11:00, answered 12:30 (breached at 11:00);
    # resolution: 09-10, paused to 12:00, 12-14: 3h of 4h, solved at 14:00
    assert [(e["metric"], e["kind"], e["at"][11:16]) for e in events] == [
        ("first_response", "activate", "09:00"),
        ("resolution", "activate", "09:00"),
        ("resolution", "pause", "10:00"),
        ("first_response", "breach", "11:00"),
        ("resolution", "resume", "12:00"),
        ("first_response", "fulfill", "12:30"),
        ("resolution", "fulfill", "14:00"),
    ]
    assert {e["ticket_id"] for e in events} == {"T-1"}
    assert events[2]["status"] == "pending"
