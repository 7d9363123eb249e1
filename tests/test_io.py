"""Event logs in (CSV / JSONL through a ColumnMap), results out (CSV / JSONL / JSON) and
back. Expected values are written by hand from the rows below."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from slaclock import Policy, Ticket, evaluate
from slaclock.errors import ConfigError, TimelineError
from slaclock.io import ColumnMap, read_results, read_tickets, result_rows, write_results

EST = timezone(timedelta(hours=-5))
NOW = datetime(2026, 11, 30, 12, tzinfo=EST)

HEADER = "ticket_id,at,type,status,severity,plan,customer,region\n"
# Two tickets, interleaved (ungrouped): T-2 starts between T-1's rows.
UNGROUPED = HEADER + (
    "T-1,2026-11-20T16:00:00-05:00,created,,high,premium,acme,us-east\n"
    "T-2,2026-11-20T16:10:00-05:00,created,,low,,globex,\n"
    "T-1,2026-11-20T16:40:00-05:00,agent_reply,,,,,\n"
    "T-1,2026-11-20T16:41:00-05:00,status,pending,,,,\n"
    "T-2,2026-11-23T09:00:00-05:00,agent_reply,,,,,\n"
    "T-1,2026-11-23T10:00:00-05:00,customer_reply,,,,,\n"
    "T-1,2026-11-23T10:00:00-05:00,status,open,,,,\n"
    "T-1,2026-11-23T11:30:00-05:00,severity,,critical,,,\n"
    "T-1,2026-11-23T15:00:00-05:00,status,solved,,,,\n"
)

POLICY = Policy.model_validate(
    {
        "name": "test",
        "calendars": {
            "business": {"timezone": "America/New_York", "hours": {"mon-fri": "08:00-17:00"}},
        },
        "default_calendar": "business",
        "severities": {
            "urgent": {"first_response": "1h", "resolution": "8h"},
            "high": {"first_response": "2h", "resolution": {"within": "16h", "internal": "8h"}},
            "normal": {"first_response": "4h", "resolution": "24h"},
            "low": {"first_response": "8h"},
        },
        "aliases": {"critical": "urgent"},
    }
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def by_id(path: Path, **kw: Any) -> dict[str, Ticket]:
    return {t.id: t for t in read_tickets(path, **kw)}


class TestCsv:
    def test_tickets_and_their_events(self, tmp_path: Path) -> None:
        tickets = by_id(write(tmp_path, "log.csv", UNGROUPED))
        assert sorted(tickets) == ["T-1", "T-2"]
        t1 = tickets["T-1"]
        assert t1.created_at == datetime(2026, 11, 20, 16, tzinfo=EST)
        assert t1.severity == "high"
        assert t1.plan == "premium"
        assert t1.fields == {"customer": "acme", "region": "us-east"}
        kinds = [e.type for e in t1.events]
        assert kinds == [
            "agent_reply", "status", "customer_reply", "status", "severity", "status",
        ]  # fmt: skip
        assert t1.events[4].severity == "critical"
        assert t1.events[5].status == "solved"

    def test_empty_field_is_present_as_none(self, tmp_path: Path) -> None:
        t2 = by_id(write(tmp_path, "log.csv", UNGROUPED))["T-2"]
        assert t2.plan is None
        assert t2.fields == {"customer": "globex", "region": None}

    def test_bom_and_tsv(self, tmp_path: Path) -> None:
        p = tmp_path / "log.tsv"
        p.write_text("\ufeff" + UNGROUPED.replace(",", "\t"), encoding="utf-8")
        assert sorted(by_id(p)) == ["T-1", "T-2"]

    def test_created_row_may_be_missing(self, tmp_path: Path) -> None:
        text = HEADER + (
            "T-9,2026-11-20T16:40:00-05:00,agent_reply,,low,,acme,\n"
            "T-9,2026-11-20T16:00:00-05:00,customer_reply,,,,,\n"
        )
        t = by_id(write(tmp_path, "log.csv", text))["T-9"]
        assert t.created_at == datetime(2026, 11, 20, 16, tzinfo=EST)
        assert t.severity == "low"


class TestJsonl:
    def test_same_tickets_as_csv(self, tmp_path: Path) -> None:
        lines = UNGROUPED.splitlines()
        cols = lines[0].split(",")
        rows = [dict(zip(cols, line.split(","), strict=True)) for line in lines[1:]]
        text = "\n".join(json.dumps({k: v for k, v in r.items() if v}) for r in rows) + "\n\n"
        from_jsonl = by_id(write(tmp_path, "log.jsonl", text))
        from_csv = by_id(write(tmp_path, "log.csv", UNGROUPED))
        assert from_jsonl["T-1"] == from_csv["T-1"]
        # JSONL rows without the key at all: the field is simply absent
        assert from_jsonl["T-2"].fields == {"customer": "globex"}

    def test_epoch_seconds(self, tmp_path: Path) -> None:
        row = {"ticket_id": "E", "at": 1_795_000_000, "type": "created", "severity": "low"}
        t = by_id(write(tmp_path, "log.jsonl", json.dumps(row) + "\n"))["E"]
        assert t.created_at == datetime.fromtimestamp(1_795_000_000, UTC)

    def test_bad_json_names_the_line(self, tmp_path: Path) -> None:
        p = write(tmp_path, "log.jsonl", '{"ticket_id": "A"}\n{oops\n')
        with pytest.raises(TimelineError, match=r"log\.jsonl:2: not valid JSON"):
            list(read_tickets(p))

    def test_non_object_line(self, tmp_path: Path) -> None:
        p = write(tmp_path, "log.jsonl", "[1, 2]\n")
        with pytest.raises(TimelineError, match=r":1: each line must be a JSON object"):
            list(read_tickets(p))

    def test_unknown_suffix(self, tmp_path: Path) -> None:
        with pytest.raises(ConfigError, match=r"unknown event file type '\.xlsx'"):
            list(read_tickets(write(tmp_path, "log.xlsx", "")))


# A Zendesk-like audit export, as downloaded: its own column names and event names, naive
# timestamps in the account's zone, and event kinds slaclock does not care about.
ZENDESK = (
    "Ticket ID,Updated at,Event,Status,Priority,Organization,Via\n"
    "4711,2026-11-20 16:00:00,Ticket created,new,high,Acme Corp,email\n"
    "4711,2026-11-20 16:05:00,Tags changed,new,high,Acme Corp,rule\n"
    "4711,2026-11-20 16:40:00,Public comment (agent),open,high,Acme Corp,web\n"
    "4711,2026-11-20 16:41:00,Status changed,pending,high,Acme Corp,web\n"
    "4711,2026-11-23 10:00:00,Comment (end-user),pending,high,Acme Corp,email\n"
    "4711,2026-11-23 10:00:00,Status changed,open,high,Acme Corp,email\n"
    "4711,2026-11-23 11:30:00,Priority changed,open,urgent,Acme Corp,web\n"
    "4711,2026-11-23 15:00:00,Status changed,solved,urgent,Acme Corp,web\n"
    "4712,11/24/2026 9:15 AM,Ticket created,new,normal,Globex,api\n"
    "4712,11/24/2026 9:20 AM,Private note,new,normal,Globex,web\n"
)
ZENDESK_MAP = (
    "ticket=Ticket ID,at=Updated at,kind=Event,status=Status,severity=Priority,"
    "field.customer=Organization,fields=Via,"
    "kinds.Ticket created=created,kinds.Tags changed=ignore,"
    "kinds.Public comment (agent)=agent_reply,kinds.Comment (end-user)=customer_reply,"
    "kinds.Status changed=status,kinds.Priority changed=severity,"
    "kinds.Private note=internal_note"
)


class TestHelpdeskExport:
    def tickets(self, tmp_path: Path) -> dict[str, Ticket]:
        return by_id(
            write(tmp_path, "zendesk.csv", ZENDESK),
            columns=ColumnMap.parse(ZENDESK_MAP),
            assume_timezone="America/New_York",
            grouped=True,
        )

    def test_read_without_editing(self, tmp_path: Path) -> None:
        t = self.tickets(tmp_path)["4711"]
        assert t.created_at == datetime(2026, 11, 20, 16, tzinfo=EST)
        assert t.status == "new"
        assert t.severity == "high"
        assert t.fields == {"Via": "email", "customer": "Acme Corp"}
        got = [(e.type, e.at.strftime("%m-%d %H:%M")) for e in t.events]
        assert got == [  # the "Tags changed" row is ignored
            ("agent_reply", "11-20 16:40"),
            ("status", "11-20 16:41"),
            ("customer_reply", "11-23 10:00"),
            ("status", "11-23 10:00"),
            ("severity", "11-23 11:30"),
            ("status", "11-23 15:00"),
        ]
        assert t.events[4].severity == "urgent"

    def test_lenient_timestamp_in_the_assumed_zone(self, tmp_path: Path) -> None:
        t = self.tickets(tmp_path)["4712"]
        assert t.created_at == datetime(2026, 11, 24, 9, 15, tzinfo=EST)
        assert [e.type for e in t.events] == ["internal_note"]

    def test_evaluates(self, tmp_path: Path) -> None:
        t = self.tickets(tmp_path)["4711"]
        sla = evaluate(t, POLICY, now=NOW)
        fr = sla.get("first_response")
        # high: 2h; answered after 40 business minutes, so met at 1/3 of the target
        assert (fr.status, fr.business_elapsed) == ("met", timedelta(minutes=40))
        # resolution: retroactively urgent (8h) from Fri 16:00; counted Fri 16:00-16:41
        # (41m), paused in pending until Mon 10:00, then Mon 10:00-15:00 (5h): 5h41m
        res = sla.get("resolution")
        assert (res.status, res.business_elapsed) == ("met", timedelta(hours=5, minutes=41))

    def test_naive_time_without_zone_names_file_line_and_value(self, tmp_path: Path) -> None:
        p = write(tmp_path, "zendesk.csv", ZENDESK)
        with pytest.raises(TimelineError) as err:
            list(read_tickets(p, columns=ColumnMap.parse(ZENDESK_MAP), grouped=True))
        msg = str(err.value)
        assert "zendesk.csv:2" in msg
        assert "'2026-11-20 16:00:00'" in msg
        assert "assume_timezone" in msg

    def test_unknown_kind_names_it(self, tmp_path: Path) -> None:
        cmap = ColumnMap.parse(ZENDESK_MAP.replace(",kinds.Tags changed=ignore", ""))
        p = write(tmp_path, "zendesk.csv", ZENDESK)
        with pytest.raises(
            TimelineError, match=r"zendesk\.csv:3: ticket '4711': unknown event kind 'Tags changed'"
        ):
            list(read_tickets(p, columns=cmap, assume_timezone="America/New_York"))

    def test_unknown_assumed_zone(self, tmp_path: Path) -> None:
        p = write(tmp_path, "zendesk.csv", ZENDESK)
        with pytest.raises(ConfigError, match="'Mars/Olympus'"):
            list(read_tickets(p, assume_timezone="Mars/Olympus"))


class TestErrors:
    def test_missing_ticket_id(self, tmp_path: Path) -> None:
        text = HEADER + ",2026-11-20T16:00:00-05:00,created,,high,,acme,\n"
        with pytest.raises(TimelineError, match=r"log\.csv:2: no ticket id in column"):
            list(read_tickets(write(tmp_path, "log.csv", text)))

    def test_unreadable_time(self, tmp_path: Path) -> None:
        text = HEADER + "A,yesterday-ish,created,,high,,,\n"
        with pytest.raises(TimelineError, match=r"log\.csv:2: ticket 'A': cannot read time"):
            list(read_tickets(write(tmp_path, "log.csv", text)))

    def test_status_event_without_status(self, tmp_path: Path) -> None:
        text = HEADER + "A,2026-11-20T16:00:00-05:00,created,,high,,,\n"
        text += "A,2026-11-20T17:00:00-05:00,status,,,,,\n"
        with pytest.raises(TimelineError, match=r"log\.csv:3: ticket 'A': a status event needs"):
            list(read_tickets(write(tmp_path, "log.csv", text)))

    def test_no_severity(self, tmp_path: Path) -> None:
        text = HEADER + "A,2026-11-20T16:00:00-05:00,created,,,,,\n"
        with pytest.raises(TimelineError, match=r"log\.csv:2: ticket 'A': no severity"):
            list(read_tickets(write(tmp_path, "log.csv", text)))

    def test_event_before_creation(self, tmp_path: Path) -> None:
        text = HEADER + "A,2026-11-20T16:00:00-05:00,created,,high,,,\n"
        text += "A,2026-11-20T15:00:00-05:00,agent_reply,,,,,\n"
        with pytest.raises(TimelineError, match=r"before the ticket was created"):
            list(read_tickets(write(tmp_path, "log.csv", text)))


class TestGrouping:
    def test_grouped_and_partitioned_agree(self, tmp_path: Path) -> None:
        lines = UNGROUPED.splitlines(keepends=True)
        grouped_text = lines[0] + "".join(sorted(lines[1:], key=lambda s: s.split(",")[0]))
        grouped = by_id(write(tmp_path, "g.csv", grouped_text), grouped=True)
        for partitions in (1, 2, 64):
            parted = by_id(write(tmp_path, "u.csv", UNGROUPED), partitions=partitions)
            assert parted == grouped

    def test_many_tickets_over_few_partitions(self, tmp_path: Path) -> None:
        rows = [HEADER]
        for i in range(40):
            rows.append(f"T{i},2026-11-20T16:00:00-05:00,created,,low,,c{i % 3},\n")
        for i in range(40):
            rows.append(f"T{i},2026-11-20T17:{i:02d}:00-05:00,agent_reply,,,,,\n")
        tickets = list(read_tickets(write(tmp_path, "log.csv", "".join(rows)), partitions=3))
        assert sorted(t.id for t in tickets) == sorted(f"T{i}" for i in range(40))
        assert all(len(t.events) == 1 for t in tickets)

    def test_grouped_on_an_ungrouped_file(self, tmp_path: Path) -> None:
        p = write(tmp_path, "u.csv", UNGROUPED)
        with pytest.raises(TimelineError) as err:
            list(read_tickets(p, grouped=True))
        msg = str(err.value)
        assert "u.csv:4" in msg
        assert "'T-1' appears again" in msg
        assert "not grouped" in msg


class TestColumnMapParse:
    def test_default(self) -> None:
        assert ColumnMap.parse(None) == ColumnMap()
        assert ColumnMap.parse("") == ColumnMap()

    def test_full(self) -> None:
        cmap = ColumnMap.parse(
            "ticket=Ticket ID, at=When ,kind=What,fields=a|b,kinds.Reply=agent_reply,"
            "field.customer=Org"
        )
        assert cmap.ticket == "Ticket ID"
        assert cmap.at == "When"
        assert cmap.kind == "What"
        assert cmap.fields == ("a", "b")
        assert cmap.kinds == {"Reply": "agent_reply"}
        assert cmap.renames == {"Org": "customer"}

    def test_part_without_equals(self) -> None:
        with pytest.raises(ConfigError, match=r"'ticket' must look like name=Column"):
            ColumnMap.parse("ticket")

    def test_unknown_key(self) -> None:
        with pytest.raises(ConfigError, match=r"unknown mapping key 'tikcet'"):
            ColumnMap.parse("tikcet=Ticket ID")

    def test_kind_mapped_to_a_non_kind(self) -> None:
        with pytest.raises(ConfigError, match=r"'agent_repyl' is not a kind"):
            ColumnMap.parse("kinds.Reply=agent_repyl")


TIME_COLUMNS = {"started_at", "deadline", "stopped_at", "breached_at", "internal_deadline",
                "internal_breached_at", "created_at", "as_of"}  # fmt: skip


class TestResultsRoundTrip:
    @pytest.fixture
    def rows(self, tmp_path: Path) -> list[dict[str, Any]]:
        out = []
        for t in read_tickets(write(tmp_path, "log.csv", UNGROUPED)):
            out.extend(result_rows(evaluate(t, POLICY, now=NOW), t))
        return sorted(out, key=lambda r: (str(r["ticket_id"]), str(r["metric"])))

    @pytest.mark.parametrize("fmt", ["csv", "jsonl", "json"])
    def test_round_trip(self, tmp_path: Path, rows: list[dict[str, Any]], fmt: str) -> None:
        path = tmp_path / f"results.{fmt}"
        with path.open("w", encoding="utf-8", newline="") as fh:
            assert (
                write_results(rows, fh, fmt) == len(rows) == 3
            )  # T-1: first_response, resolution; T-2: first_response
        back = read_results(path)
        assert len(back) == len(rows)
        for got, original in zip(back, rows, strict=True):
            assert set(got) == set(original)
            for key, value in original.items():
                want = value
                if key in TIME_COLUMNS and value is not None:
                    want = datetime.fromisoformat(str(value))
                    assert got[key].utcoffset() is not None
                assert got[key] == want, key
        # low has no internal target: empty cells come back as None
        t2 = next(r for r in back if r["ticket_id"] == "T-2")
        assert t2["status"] == "met"
        assert isinstance(t2["cycle"], int)
        assert isinstance(t2["business_elapsed_s"], float)
        assert isinstance(t2["at_risk"], bool)
        assert t2["internal_target"] is None
        assert t2["as_of"] == NOW
        assert t2["share_used"] == 0.0 or isinstance(t2["share_used"], float)

    def test_plain_rows_are_json(self, rows: list[dict[str, Any]]) -> None:
        assert json.loads(json.dumps(rows)) == rows
        t1 = next(r for r in rows if r["ticket_id"] == "T-1" and r["metric"] == "resolution")
        assert t1["created_at"] == "2026-11-20T16:00:00-05:00"
        assert t1["as_of"] == "2026-11-30T12:00:00-05:00"
        assert t1["field.customer"] == "acme"
        assert t1["rule"] is None

    def test_columns_in_schema_order(self, rows: list[dict[str, Any]]) -> None:
        assert list(rows[0])[:6] == ["ticket_id", "plan", "rule", "metric", "cycle", "status"]
        assert list(rows[0])[-4:] == ["created_at", "as_of", "field.customer", "field.region"]
        assert "share_used" in rows[0]

    def test_csv_header_is_the_union_of_columns(self, tmp_path: Path) -> None:
        rows = [{"ticket_id": "A", "metric": "m"}, {"ticket_id": "B", "field.region": "eu"}]
        buf = io.StringIO()
        write_results(rows, buf, "csv")
        assert buf.getvalue().splitlines() == [
            "ticket_id,metric,field.region",
            "A,m,",
            "B,,eu",
        ]

    def test_empty_csv_has_the_header(self) -> None:
        buf = io.StringIO()
        assert write_results([], buf, "csv") == 0
        header = buf.getvalue().splitlines()
        assert len(header) == 1
        assert header[0].startswith("ticket_id,plan,rule,metric,cycle,status,severity,target,")
        assert header[0].endswith(",created_at,as_of")

    def test_empty(self) -> None:
        buf = io.StringIO()
        assert write_results([], buf, "jsonl") == 0
        assert buf.getvalue() == ""
        buf = io.StringIO()
        write_results([], buf, "json")
        assert json.loads(buf.getvalue()) == []

    def test_unknown_format(self) -> None:
        with pytest.raises(ConfigError, match=r"unknown output format 'xml'"):
            write_results([{"a": 1}], io.StringIO(), "xml")  # type: ignore[arg-type]

    def test_formulas_are_neutralised_and_read_back(self, tmp_path: Path) -> None:
        rows = [
            {"ticket_id": '=HYPERLINK("http://x")', "metric": "m", "field.note": "+cmd|' /C"},
            {"ticket_id": "@SUM(A1)", "metric": "-m", "field.note": "'quoted"},
            {"ticket_id": "\tTAB", "metric": "\rCR", "field.note": "plain -1"},
        ]
        path = tmp_path / "r.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            write_results(rows, fh, "csv")
        text = path.read_bytes().decode("utf-8")
        assert text.splitlines()[1].startswith("\"'=HYPERLINK(")
        assert "'+cmd|' /C" in text
        assert "'@SUM(A1)" in text
        assert "''quoted" in text
        assert "'-m" in text
        assert "'\tTAB," in text
        assert '"\'\rCR"' in text
        assert "plain -1" in text
        assert [(r["ticket_id"], r["metric"], r["field.note"]) for r in read_results(path)] == [
            (r["ticket_id"], r["metric"], r["field.note"]) for r in rows
        ]

    def test_raw_csv_writes_cells_as_they_are(self) -> None:
        buf = io.StringIO()
        write_results([{"ticket_id": "=1+1", "business_elapsed_s": -5.0}], buf, "csv",
                      raw_csv=True)  # fmt: skip
        assert buf.getvalue().splitlines()[1] == "=1+1,-5.0"

    def test_numbers_are_not_neutralised(self) -> None:
        buf = io.StringIO()
        write_results([{"ticket_id": "A", "wall_remaining_s": -3600.0}], buf, "csv")
        assert buf.getvalue().splitlines()[1] == "A,-3600.0"

    def test_not_a_results_file(self, tmp_path: Path) -> None:
        p = write(tmp_path, "r.csv", "ticket_id,cycle\nA,two\n")
        with pytest.raises(ConfigError, match=r"r\.csv:2: result column 'cycle': cannot read"):
            read_results(p)
