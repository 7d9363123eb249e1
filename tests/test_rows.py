"""The result row, defined once: its columns and types, typed and plain forms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from slaclock import Policy, Ticket, evaluate
from slaclock._format import csv_cell, csv_uncell, escape_control, fmt
from slaclock._rows import COLUMNS, decode_row, encode_row, metric_dict, metric_row, ticket_row

POLICY = Policy.model_validate(
    {
        "calendars": {"always": {"preset": "24x7", "timezone": "UTC"}},
        "severities": {"high": {"first_response": {"within": "1h", "internal": "30m"}}},
    }
)
TICKET = Ticket.model_validate(
    {"id": "K", "created_at": "2026-03-02T10:00:00Z", "severity": "high",
     "fields": {"customer": "a", "tags": ["x", "y"]},
     "events": [{"at": "2026-03-02T10:45:00Z", "type": "agent_reply"}]}
)  # fmt: skip
NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


class TestSchema:
    def test_columns_and_types(self) -> None:
        assert list(COLUMNS)[:4] == ["ticket_id", "plan", "rule", "metric"]
        assert list(COLUMNS)[-2:] == ["created_at", "as_of"]
        assert COLUMNS["cycle"] == "int"
        assert COLUMNS["share_used"] == "float"
        assert COLUMNS["at_risk"] == "bool"
        assert COLUMNS["deadline"] == "time"
        assert COLUMNS["rule"] == "str"

    def test_metric_row_of_a_met_clock(self) -> None:
        sla = evaluate(TICKET, POLICY, now=NOW)
        (m,) = sla.metrics
        row = metric_row(sla, m)
        assert set(row) == set(COLUMNS) - {"created_at"}
        # answered after 45 minutes of a 1 hour target, internal target 30 minutes missed
        assert row["status"] == "met"
        assert row["business_elapsed_s"] == 2700.0
        assert row["share_used"] == 0.75
        assert row["deadline"] == datetime(2026, 3, 2, 11, tzinfo=UTC)
        assert row["internal_status"] == "breached"
        assert row["internal_breached_at"] == datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
        assert row["internal_share_used"] == 1.5
        assert row["as_of"] == NOW
        assert row["rule"] is None
        assert "ticket_id" not in metric_row(None, m)

    def test_plain_and_typed(self) -> None:
        sla = evaluate(TICKET, POLICY, now=NOW)
        typed = ticket_row(metric_row(sla, sla.metrics[0]), TICKET)
        assert list(typed)[-4:] == ["created_at", "as_of", "field.customer", "field.tags"]
        plain = encode_row(typed)
        assert plain["stopped_at"] == "2026-03-02T10:45:00+00:00"
        assert plain["field.tags"] == ["x", "y"]
        assert decode_row(plain) == typed
        assert metric_dict(sla.metrics[0])["deadline"] == "2026-03-02T11:00:00+00:00"

    def test_decode_csv_text(self) -> None:
        raw = {"cycle": "2", "at_risk": "False", "share_used": "0.5", "deadline": "",
               "field.tags": '["a", "b"]', "field.note": "'=1"}  # fmt: skip
        assert decode_row(raw, from_csv=True) == {
            "cycle": 2, "at_risk": False, "share_used": 0.5, "deadline": None,
            "field.tags": ("a", "b"), "field.note": "=1",
        }  # fmt: skip


class TestFormat:
    def test_values(self) -> None:
        assert fmt(None) == "—"
        assert fmt(0.6667) == "66.7%"
        assert fmt(2.5) == "2.50"
        assert fmt(True) == "True"
        assert fmt(timedelta(hours=1, minutes=30)) == "1h30m"
        assert fmt(-timedelta(hours=2)) == "-2h"
        assert fmt(datetime(2026, 3, 2, 10, tzinfo=UTC)) == "2026-03-02 10:00"
        est = timedelta(hours=-5)
        from datetime import timezone

        assert fmt(datetime(2026, 3, 2, 10, tzinfo=UTC), tz=timezone(est)) == "2026-03-02 05:00"
        assert fmt("a\x1bb") == "a\\x1bb"

    def test_escape_control(self) -> None:
        assert escape_control("x\x07\x7f\u202e\u2028y") == "x\\x07\\x7f\\u202e\\u2028y"
        assert escape_control("a\nb\tc", keep_newlines=True) == "a\nb\\x09c"
        assert escape_control("é ü 日本") == "é ü 日本"

    def test_csv_cell(self) -> None:
        for text in ("=1+1", "+1", "-1", "@A", "\tx", "\rx", "'x"):
            assert csv_cell(text) == "'" + text
            assert csv_uncell(csv_cell(text)) == text
        assert csv_cell("a=1") == "a=1"
        assert csv_cell(-1.5) == -1.5
        assert csv_cell("=1", raw=True) == "=1"
        assert csv_cell("") == ""
