"""Strict reading of event logs: structure (encoding, quoting, shape) with physical line
numbers, duplicates, created rows, field events, conditional kinds, and bad tickets set
aside. Every expected value is written by hand from the rows below."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from slaclock import Policy, evaluate
from slaclock.errors import ConfigError, TimelineError
from slaclock.io import ColumnMap, EventLog, read_tickets

EST = timezone(timedelta(hours=-5))
HEADER = "ticket_id,at,type,status,severity,customer\n"
T1 = "T-1,2026-11-20T16:00:00-05:00,created,,high,acme\n"
T1_REPLY = "T-1,2026-11-20T16:40:00-05:00,agent_reply,,,\n"
T2 = "T-2,2026-11-20T17:00:00-05:00,created,,low,globex\n"


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    p = tmp_path / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8", newline="")
    return p


def tickets(path: Path, **kw: Any) -> dict[str, Any]:
    return {t.id: t for t in read_tickets(path, **kw)}


class TestStructure:
    def test_unterminated_quote(self, tmp_path: Path) -> None:
        # The quote opened on line 3 is never closed: without strict reading, T-2's row
        # would be swallowed into one field of T-1's.
        text = HEADER + T1 + 'T-1,2026-11-20T16:40:00-05:00,agent_reply,,,"acme\n' + T2
        with pytest.raises(TimelineError) as err:
            list(read_tickets(write(tmp_path, "log.csv", text)))
        msg = str(err.value)
        assert msg.startswith(f"{tmp_path / 'log.csv'}:3: ")
        assert "an unterminated quote" in msg

    def test_stray_quote(self, tmp_path: Path) -> None:
        text = HEADER + T1 + 'T-1,2026-11-20T16:40:00-05:00,agent_reply,,,"a"b\n'
        with pytest.raises(TimelineError, match=r"log\.csv:3: .*not doubled"):
            list(read_tickets(write(tmp_path, "log.csv", text)))

    def test_wrong_number_of_fields(self, tmp_path: Path) -> None:
        text = HEADER + T1 + "T-1,2026-11-20T16:40:00-05:00,agent_reply,,\n"
        with pytest.raises(TimelineError, match=r"log\.csv:3: 5 fields where the header has 6"):
            list(read_tickets(write(tmp_path, "log.csv", text)))

    def test_duplicate_header(self, tmp_path: Path) -> None:
        text = "ticket_id,at,type,at\n"
        with pytest.raises(TimelineError, match=r"log\.csv:1: the header names 'at' twice"):
            list(read_tickets(write(tmp_path, "log.csv", text)))

    def test_physical_lines_count_quoted_line_breaks(self, tmp_path: Path) -> None:
        # Record 2 spans lines 2-4 (a quoted note with line breaks); the bad row is record
        # 3 but physical line 5.
        text = (
            "ticket_id,at,type,severity,note\n"
            'T-1,2026-11-20T16:00:00-05:00,created,high,"first\nsecond\nthird"\n'
            "T-1,tomorrow,agent_reply,,\n"
        )
        with pytest.raises(TimelineError, match=r"log\.csv:5: ticket 'T-1': cannot read time"):
            list(read_tickets(write(tmp_path, "log.csv", text)))

    def test_blank_lines_keep_their_numbers(self, tmp_path: Path) -> None:
        text = HEADER + "\n" + T1 + "\n\nT-1,x,agent_reply,,,\n"
        with pytest.raises(TimelineError, match=r"log\.csv:6: ticket 'T-1'"):
            list(read_tickets(write(tmp_path, "log.csv", text)))

    def test_field_over_128k(self, tmp_path: Path) -> None:
        text = HEADER + T1 + 'T-1,2026-11-20T16:40:00-05:00,agent_reply,,,"' + "x" * 140_000 + '"\n'
        with pytest.raises(TimelineError, match=r"log\.csv:3: .*longer than 131,072 characters"):
            list(read_tickets(write(tmp_path, "log.csv", text)))

    def test_nul_byte(self, tmp_path: Path) -> None:
        text = HEADER + T1 + "T-1,2026-11-20T16:40:00-05:00,agent_reply,\x00,,\n"
        with pytest.raises(TimelineError, match=r"log\.csv:3: the line contains a NUL character"):
            list(read_tickets(write(tmp_path, "log.csv", text)))

    def test_delimiter(self, tmp_path: Path) -> None:
        text = (HEADER + T1 + T1_REPLY).replace(",", ";")
        p = write(tmp_path, "log.csv", text)
        assert len(tickets(p, delimiter=";")["T-1"].events) == 1
        with pytest.raises(TimelineError, match=r"pass --delimiter"):
            list(read_tickets(p))

    def test_bad_delimiter(self, tmp_path: Path) -> None:
        with pytest.raises(ConfigError, match=r"delimiter '::' must be one character"):
            list(read_tickets(write(tmp_path, "log.csv", HEADER), delimiter="::"))


class TestEncoding:
    def test_byte_that_is_not_utf8(self, tmp_path: Path) -> None:
        # cp1252 "é" (0xE9) in "Société" on line 2, at byte 49 + 4 = 53... counted below
        row = "T-1,2026-11-20T16:00:00-05:00,created,,high,Soci\xe9t\xe9\n"
        data = HEADER.encode() + row.encode("cp1252")
        offset = len(HEADER.encode()) + row.index("\xe9")
        with pytest.raises(TimelineError) as err:
            list(read_tickets(write(tmp_path, "log.csv", data)))
        msg = str(err.value)
        assert f"log.csv:2: byte {offset} (b'\\xe9" in msg
        assert "not valid utf-8-sig" in msg
        assert "--encoding cp1252" in msg
        got = tickets(write(tmp_path, "log.csv", data), encoding="cp1252")
        assert got["T-1"].fields == {"customer": "Société"}

    def test_utf16_is_named(self, tmp_path: Path) -> None:
        data = (HEADER + T1).encode("utf-16")  # with a byte order mark
        p = write(tmp_path, "log.csv", data)
        with pytest.raises(TimelineError, match=r"log\.csv:1: .*UTF-16 byte order mark.*utf-16"):
            list(read_tickets(p))
        assert tickets(p, encoding="utf-16")["T-1"].severity == "high"

    def test_bom_in_jsonl(self, tmp_path: Path) -> None:
        line = json.dumps({"ticket_id": "J", "at": "2026-11-20T16:00:00Z", "type": "created",
                           "severity": "low"})  # fmt: skip
        p = write(tmp_path, "log.jsonl", b"\xef\xbb\xbf" + line.encode() + b"\n")
        assert tickets(p)["J"].created_at == datetime(2026, 11, 20, 16, tzinfo=UTC)

    def test_unknown_encoding(self, tmp_path: Path) -> None:
        with pytest.raises(ConfigError, match=r"unknown encoding 'klingon'"):
            list(read_tickets(write(tmp_path, "log.csv", HEADER), encoding="klingon"))


class TestJsonlValues:
    def row(self, at: Any) -> str:
        return json.dumps({"ticket_id": "J", "at": at, "type": "created", "severity": "low"})

    @pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
    def test_non_finite_literals(self, tmp_path: Path, literal: str) -> None:
        text = '{"ticket_id": "J", "at": ' + literal + ', "type": "created"}\n'
        with pytest.raises(TimelineError, match=rf"log\.jsonl:1: not valid JSON: {literal}"):
            list(read_tickets(write(tmp_path, "log.jsonl", text)))

    def test_epoch_out_of_range(self, tmp_path: Path) -> None:
        p = write(tmp_path, "log.jsonl", "\n" + self.row(1e20) + "\n")
        with pytest.raises(TimelineError, match=r"log\.jsonl:2: ticket 'J': .*1e\+20 seconds"):
            list(read_tickets(p))

    def test_lone_surrogate(self, tmp_path: Path) -> None:
        p = write(tmp_path, "log.jsonl", '{"ticket_id": "\\ud800"}\n')
        with pytest.raises(TimelineError, match=r"log\.jsonl:1: .*lone UTF-16 surrogate"):
            list(read_tickets(p))

    def test_numbers_as_ids_and_severities(self, tmp_path: Path) -> None:
        text = json.dumps({"ticket_id": 4711, "at": 1_795_208_400, "type": "created",
                           "severity": 2, "vip": True, "tags": ["a", "b"]})  # fmt: skip
        t = tickets(write(tmp_path, "log.jsonl", text + "\n"))["4711"]
        assert (t.severity, t.fields) == ("2", {"vip": True, "tags": ("a", "b")})

    def test_object_field(self, tmp_path: Path) -> None:
        text = json.dumps({"ticket_id": "J", "at": 1_795_208_400, "type": "created",
                           "severity": "low", "meta": {"a": 1}})  # fmt: skip
        with pytest.raises(TimelineError, match=r"field 'meta': \{'a': 1\} is an object"):
            list(read_tickets(write(tmp_path, "log.jsonl", text + "\n")))


class TestDuplicates:
    def test_identical_rows_are_dropped_and_counted(self, tmp_path: Path) -> None:
        # Three identical rows for one agent reply (and a second, different reply): the
        # duplicates must not make zero-length cycles.
        text = HEADER + T1 + T1_REPLY * 3 + "T-1,2026-11-20T17:00:00-05:00,agent_reply,,,\n"
        p = write(tmp_path, "log.csv", text)
        with EventLog(p) as log:
            (t,) = log.tickets()
            assert log.duplicates == 2
        assert [e.at for e in t.events] == [
            datetime(2026, 11, 20, 16, 40, tzinfo=EST), datetime(2026, 11, 20, 17, tzinfo=EST)
        ]  # fmt: skip

    def test_same_instant_written_differently_is_a_duplicate(self, tmp_path: Path) -> None:
        text = HEADER + T1 + T1_REPLY + "T-1,2026-11-20T21:40:00Z,agent_reply,,,\n"
        with EventLog(write(tmp_path, "log.csv", text)) as log:
            (t,) = log.tickets()
            assert (log.duplicates, len(t.events)) == (1, 1)

    def test_rows_that_differ_are_kept(self, tmp_path: Path) -> None:
        text = HEADER + T1 + T1_REPLY + "T-1,2026-11-20T16:40:00-05:00,agent_reply,,,other\n"
        with EventLog(write(tmp_path, "log.csv", text)) as log:
            (t,) = log.tickets()
            assert (log.duplicates, len(t.events)) == (0, 2)

    def test_periodic_share_unchanged_by_duplicates(self, tmp_path: Path) -> None:
        policy = Policy.model_validate({
            "calendars": {"always": {"preset": "24x7", "timezone": "UTC"}},
            "severities": {"high": {"periodic_update": "1h"}},
        })  # fmt: skip
        text = HEADER + T1 + T1_REPLY * 3
        (t,) = read_tickets(write(tmp_path, "log.csv", text))
        sla = evaluate(t, policy, now=datetime(2026, 11, 20, 16, 50, tzinfo=EST))
        # one reply at 16:40: cycle 1 met after 40 minutes, cycle 2 running for 10 minutes
        assert [(m.status, m.business_elapsed) for m in sla.metrics] == [
            ("met", timedelta(minutes=40)), ("running", timedelta(minutes=10)),
        ]  # fmt: skip


class TestCreatedRows:
    def test_disagreeing_created_rows(self, tmp_path: Path) -> None:
        text = HEADER + T1 + "T-1,2026-11-20T15:00:00-05:00,created,,low,acme\n"
        with pytest.raises(TimelineError) as err:
            list(read_tickets(write(tmp_path, "log.csv", text)))
        msg = str(err.value)
        assert "log.csv:3: ticket 'T-1': two 'created' rows disagree on the time" in msg
        assert "(line 2)" in msg
        assert "(line 3)" in msg

    def test_created_rows_that_complete_each_other(self, tmp_path: Path) -> None:
        text = (
            "ticket_id,at,type,status,severity,plan\n"
            "T-1,2026-11-20T16:00:00-05:00,created,,high,\n"
            "T-1,2026-11-20T16:00:00-05:00,created,open,,gold\n"
        )
        t = tickets(write(tmp_path, "log.csv", text))["T-1"]
        assert (t.severity, t.plan, t.status) == ("high", "gold", "open")

    def test_initial_status_is_new(self, tmp_path: Path) -> None:
        assert tickets(write(tmp_path, "log.csv", HEADER + T1))["T-1"].status == "new"

    def test_values_are_trimmed(self, tmp_path: Path) -> None:
        text = HEADER + " T-1 ,2026-11-20T16:00:00-05:00, created , open , high ,acme\n"
        t = tickets(write(tmp_path, "log.csv", text))["T-1"]
        assert (t.id, t.severity, t.status) == ("T-1", "high", "open")


class TestFieldEvents:
    TEXT = (
        "ticket_id,at,type,severity,field,value\n"
        "T-1,2026-11-20T16:00:00-05:00,created,high,,\n"
        "T-1,2026-11-20T16:10:00-05:00,field,,group,tier-2\n"
        "T-1,2026-11-20T16:20:00-05:00,field,,tags,vip|billing\n"
        'T-1,2026-11-20T16:30:00-05:00,field,,tags,"[""vip""]"\n'
        "T-1,2026-11-20T16:40:00-05:00,field,,assignee,\n"
    )

    def test_field_value_columns(self, tmp_path: Path) -> None:
        t = tickets(write(tmp_path, "log.csv", self.TEXT))["T-1"]
        assert [(e.field, e.value) for e in t.events] == [
            ("group", "tier-2"), ("tags", ("vip", "billing")), ("tags", ("vip",)),
            ("assignee", None),
        ]  # fmt: skip
        assert t.fields == {}  # field and value are event columns, not ticket fields

    def test_renamed_columns(self, tmp_path: Path) -> None:
        text = self.TEXT.replace("field,value", "Field Name,New Value")
        cmap = ColumnMap.parse("field=Field Name,value=New Value,lists=tags|labels")
        t = tickets(write(tmp_path, "log.csv", text), columns=cmap)["T-1"]
        assert t.events[1].value == ("vip", "billing")

    def test_field_event_needs_a_name(self, tmp_path: Path) -> None:
        text = self.TEXT + "T-1,2026-11-20T16:50:00-05:00,field,,,x\n"
        with pytest.raises(TimelineError, match=r"log\.csv:7: .*needs the field's name"):
            list(read_tickets(write(tmp_path, "log.csv", text)))


# A Zendesk-style export: the kind depends on the event type, the public flag and the
# author's role (issue 11's example).
ZENDESK = (
    "Ticket,Updated,Event,Field,Value,Public,Author role\n"
    "4711,2026-11-20T16:00:00-05:00,Create,priority,high,,end-user\n"
    "4711,2026-11-20T16:00:00-05:00,Create,group,support,,end-user\n"
    "4711,2026-11-20T16:20:00-05:00,Comment,,,false,Agent\n"
    "4711,2026-11-20T16:40:00-05:00,Comment,,,TRUE,agent\n"
    "4711,2026-11-20T16:41:00-05:00,Change,status,pending,,agent\n"
    "4711,2026-11-23T10:00:00-05:00,Comment,,,true,end-user\n"
    "4711,2026-11-23T10:05:00-05:00,Change,priority,urgent,,agent\n"
    "4711,2026-11-23T10:06:00-05:00,Change,group,tier-2,,agent\n"
)
ZENDESK_MAP = (
    "ticket=Ticket,at=Updated,kind=Event,status=Value,severity=Value,"
    "kinds.Create[field=priority]=created,kinds.Create[Field=group]=field,"
    "kinds.Comment[public=true,author role=agent]=agent_reply,"
    "kinds.Comment[public=true]=customer_reply,kinds.Comment=internal_note,"
    "kinds.Change[field=status]=status,kinds.Change[field=priority]=severity,"
    "kinds.Change=field,field=Field,value=Value"
)


class TestConditionalKinds:
    def test_zendesk_style_export(self, tmp_path: Path) -> None:
        cmap = ColumnMap.parse(ZENDESK_MAP)
        t = tickets(write(tmp_path, "zd.csv", ZENDESK), columns=cmap)["4711"]
        assert (t.severity, t.status) == ("high", "new")
        got = [(e.type, e.at.strftime("%d %H:%M")) for e in t.events]
        assert got == [
            ("field", "20 16:00"), ("internal_note", "20 16:20"), ("agent_reply", "20 16:40"),
            ("status", "20 16:41"), ("customer_reply", "23 10:00"), ("severity", "23 10:05"),
            ("field", "23 10:06"),
        ]  # fmt: skip
        assert (t.events[0].field, t.events[0].value) == ("group", "support")
        assert t.events[5].severity == "urgent"
        # other columns are ticket fields: the first value each takes
        assert t.fields == {"Public": "false", "Author role": "end-user"}

    def test_first_match_in_written_order(self) -> None:
        cmap = ColumnMap.parse("kinds.Comment=internal_note,kinds.Comment[public=true]=agent_reply")
        assert cmap.kind_of("Comment", {"public": "true"}) == "internal_note"
        cmap = ColumnMap(kinds={"Comment[public=true]": "agent_reply", "Comment": "ignore"})
        assert cmap.kind_of("Comment", {"public": " True "}) == "agent_reply"
        assert cmap.kind_of("Comment", {"public": "false"}) == "ignore"
        assert cmap.kind_of("Comment", {}) == "ignore"
        assert cmap.kind_of("status", {}) == "status"
        assert cmap.kind_of("Other", {}) is None

    def test_parse_keeps_conditions(self) -> None:
        cmap = ColumnMap.parse("kinds.Comment[public=true, role = Agent]=agent_reply,ticket=Id")
        assert cmap.kinds == {"Comment[public=true, role = Agent]": "agent_reply"}
        assert cmap.ticket == "Id"
        assert cmap.kind_of("Comment", {"public": "true", "role": "AGENT"}) == "agent_reply"

    def test_bad_condition(self) -> None:
        with pytest.raises(ConfigError, match=r"kind condition 'public' .* must look like"):
            ColumnMap.parse("kinds.Comment[public]=agent_reply")

    def test_bad_kind(self) -> None:
        with pytest.raises(ConfigError, match=r"'agent' is not a kind"):
            ColumnMap.parse("kinds.Comment[public=true]=agent")


class TestOnError:
    TEXT = (
        HEADER + T1 + T1_REPLY
        + "T-2,2026-11-20T17:00:00-05:00,created,,,globex\n"  # no severity
        + "T-3,2026-11-20T17:00:00-05:00,created,,low,initech\n"
        + "T-4,2026-11-20T17:00:00-05:00,created,,low,\n"
        + "T-4,16:00,agent_reply,,,\n"  # no date
        + "T-3,2026-11-20T17:30:00-05:00,agent_reply,,,\n"
    )  # fmt: skip

    def test_fail_names_the_first_error(self, tmp_path: Path) -> None:
        p = write(tmp_path, "log.csv", self.TEXT)
        with pytest.raises(TimelineError, match=r"log\.csv:4: ticket 'T-2': no severity"):
            list(read_tickets(p, grouped=False, partitions=1))

    def test_skip_keeps_the_good_tickets(self, tmp_path: Path) -> None:
        p = write(tmp_path, "log.csv", self.TEXT)
        with EventLog(p, on_error="skip", partitions=1) as log:
            good = {t.id: t for t in log.tickets()}
            rejects = {r.ticket_id: r for r in log.rejects}
        assert sorted(good) == ["T-1", "T-3"]
        assert len(good["T-3"].events) == 1
        assert sorted(rejects) == ["T-2", "T-4"]
        assert (rejects["T-2"].line, [n for n, _ in rejects["T-2"].rows]) == (4, [4])
        assert rejects["T-4"].line == 7
        assert "'16:00' has no year / month / day" in rejects["T-4"].reason
        assert [n for n, _ in rejects["T-4"].rows] == [6, 7]

    def test_latest_is_of_the_good_tickets(self, tmp_path: Path) -> None:
        p = write(tmp_path, "log.csv", self.TEXT)
        with EventLog(p, on_error="skip") as log:
            assert log.latest() == datetime(2026, 11, 20, 17, 30, tzinfo=EST)
            assert log.rejected == 2

    def test_unattributable_rows_always_stop(self, tmp_path: Path) -> None:
        p = write(tmp_path, "log.csv", HEADER + T1 + ",2026-11-20T16:40:00-05:00,agent_reply,,,\n")
        with pytest.raises(TimelineError, match=r"log\.csv:3: no ticket id"):
            list(read_tickets(p, on_error="skip"))

    def test_bad_mode(self, tmp_path: Path) -> None:
        with pytest.raises(ConfigError, match=r"on_error='ignore'"):
            EventLog(write(tmp_path, "log.csv", HEADER), on_error="ignore")  # type: ignore[arg-type]


class TestGroupedCheck:
    def test_seen_ids_survive_growth(self) -> None:
        from slaclock.io import _SeenIds

        seen = _SeenIds()
        ids = [f"T-{i}" for i in range(5000)]
        assert [seen.add(i) for i in ids] == [False] * 5000
        assert [seen.add(i) for i in ids[::-1]] == [True] * 5000

    def test_a_ticket_reappearing_late_in_a_large_grouped_file(self, tmp_path: Path) -> None:
        rows = [HEADER] + [f"T{i},2026-11-20T16:00:00-05:00,created,,low,x\n" for i in range(3000)]
        rows.append("T7,2026-11-20T17:00:00-05:00,agent_reply,,,\n")
        p = write(tmp_path, "log.csv", "".join(rows))
        with pytest.raises(TimelineError, match=r"log\.csv:3002: ticket 'T7' appears again"):
            list(read_tickets(p, grouped=True))
