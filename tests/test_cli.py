"""The ``slaclock`` command, called in-process through ``main([...])`` (and once as
``python -m slaclock``): output, formats, exit codes 0 / 1 / 2 and error locations."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from slaclock.cli import main
from slaclock.io import read_results

DATA = Path(__file__).resolve().parents[1] / "src" / "slaclock" / "data"
POLICY = str(DATA / "sample_policy.toml")
EVENTS = str(DATA / "sample_events.csv")
NOW = "2026-11-27T12:00:00-05:00"
N_TICKETS = 24


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def evaluate_args(*extra: str) -> list[str]:
    return ["evaluate", EVENTS, "--policy", POLICY, "--now", NOW, "--grouped", *extra]


class TestDemo:
    def test_table_and_summary(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, _ = run(capsys, "demo")
        assert code == 0
        assert "24 sample tickets" in out
        assert out.count("\nT-10") > 0
        header = next(line for line in out.splitlines() if line.startswith("ticket "))
        assert header.split() == ["ticket", "sev", "plan", "metric", "status", "due", "used"]
        assert {f"T-{1000 + i}" for i in range(1, N_TICKETS + 1)} <= set(out.split())
        assert "\nAttainment\ncustomer  metric" in out
        assert "Objective: 90% of first_response within 6h" in out
        assert "\nBreaches\n" in out
        assert "Next: slaclock evaluate" in out

    def test_python_m(self) -> None:
        proc = subprocess.run(
            [sys.executable, "-m", "slaclock", "demo"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        assert "Attainment" in proc.stdout
        assert proc.stderr == ""


class TestEvaluate:
    def test_table(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, err = run(capsys, *evaluate_args())
        assert code == 0
        assert out.count("Ticket T-") == N_TICKETS
        assert "Ticket T-1003 (critical, plan standard)" in out
        assert err == ""  # no progress when stderr is not a terminal

    def test_csv_read_back(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        out_path = tmp_path / "results.csv"
        code, out, _ = run(capsys, *evaluate_args("--format", "csv", "-o", str(out_path)))
        assert (code, out) == (0, "")
        rows = read_results(out_path)
        assert len({r["ticket_id"] for r in rows}) == N_TICKETS
        t1003 = {r["metric"]: r for r in rows if r["ticket_id"] == "T-1003"}
        assert t1003["first_response"]["status"] == "breached"
        assert t1003["first_response"]["business_elapsed_s"] == 75 * 60.0  # 1h15m on 24x7
        assert t1003["first_response"]["field.customer"] == "acme"
        assert t1003["first_response"]["created_at"].utcoffset() is not None

    def test_jsonl_and_json_agree_with_csv(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        got = {}
        for fmt in ("csv", "jsonl", "json"):
            path = tmp_path / f"results.{fmt}"
            assert run(capsys, *evaluate_args("--format", fmt, "-o", str(path)))[0] == 0
            got[fmt] = read_results(path)
        # CSV carries text; compare the typed columns slaclock restores
        keys = (
            "ticket_id",
            "metric",
            "cycle",
            "status",
            "deadline",
            "business_elapsed_s",
            "share_used",
        )
        for fmt in ("jsonl", "json"):
            assert [tuple(r[k] for k in keys) for r in got[fmt]] == [
                tuple(r[k] for k in keys) for r in got["csv"]
            ]

    def test_jsonl_to_stdout(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, _ = run(capsys, *evaluate_args("--format", "jsonl"))
        assert code == 0
        rows = [json.loads(line) for line in out.splitlines()]
        assert Counter(r["status"] for r in rows)["breached"] == 7

    def test_fail_on_breach(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, _, _ = run(capsys, *evaluate_args("--format", "jsonl", "--fail-on-breach"))
        assert code == 1

    def test_progress_when_asked(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, _, err = run(capsys, *evaluate_args("--format", "jsonl", "--progress"))
        assert code == 0
        assert f"100%  {N_TICKETS} tickets in" in err
        assert "[" + "#" * 30 + "]" in err

    def test_no_progress_when_not_a_terminal(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, _, err = run(capsys, *evaluate_args("--format", "jsonl"))
        assert code == 0
        assert "tickets in" not in err

    def test_naive_now(self, capsys: pytest.CaptureFixture[str]) -> None:
        argv = evaluate_args()
        argv[argv.index(NOW)] = "2026-11-27T12:00:00"
        code, out, err = run(capsys, *argv)
        assert (code, out) == (2, "")
        assert "--now '2026-11-27T12:00:00' has no UTC offset" in err

    def test_missing_events_file(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        code, _, err = run(capsys, "evaluate", str(tmp_path / "nope.csv"), "--policy", POLICY)
        assert code == 2
        assert "nope.csv" in err
        assert "Traceback" not in err

    def test_bad_event_names_line(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        log = tmp_path / "log.csv"
        log.write_text(
            "ticket_id,at,type,severity\nA,2026-11-20 16:00,created,high\n", encoding="utf-8"
        )
        code, _, err = run(capsys, "evaluate", str(log), "--policy", POLICY)
        assert code == 2
        assert "log.csv:2" in err
        assert "--assume-timezone" in err
        code, out, _ = run(
            capsys, "evaluate", str(log), "--policy", POLICY, "--now", NOW,
            "--assume-timezone", "America/New_York",
        )  # fmt: skip
        assert code == 0
        assert "Ticket A (high, plan standard)" in out

    def test_column_map(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        log = tmp_path / "export.csv"
        log.write_text(
            "Ticket,When,What,Priority,Org\n"
            "9,2026-11-20T16:00:00-05:00,New ticket,high,Acme\n"
            "9,2026-11-20T16:30:00-05:00,Reply,,\n",
            encoding="utf-8",
        )
        columns = (
            "ticket=Ticket,at=When,kind=What,severity=Priority,field.customer=Org,"
            "kinds.New ticket=created,kinds.Reply=agent_reply"
        )
        code, out, err = run(
            capsys, "evaluate", str(log), "--policy", POLICY, "--now", NOW,
            "--columns", columns, "--format", "jsonl",
        )  # fmt: skip
        assert code == 0, err
        first = json.loads(out.splitlines()[0])
        assert first["field.customer"] == "Acme"
        assert first["business_elapsed_s"] == 30 * 60.0


class TestReport:
    def test_by_customer_month_with_objective(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, err = run(
            capsys, "report", EVENTS, "--policy", POLICY, "--now", NOW,
            "--by", "customer,month", "--objective", "first_response:0.9:6h",
        )  # fmt: skip
        assert (code, err) == (0, "")
        blocks = out.split("\n\n")
        assert blocks[0].splitlines() == [
            "SLA report as of 2026-11-27T12:00:00-05:00 (given by --now)",
            "24 tickets, 54 clocks, 7 breached; 0 rejected, 0 duplicate events dropped",
        ]
        attainment = blocks[1].splitlines()
        # months are read in the zone of the agreement's default calendar, and it says so
        assert attainment[0] == "Attainment (buckets in America/New_York)"
        assert attainment[1].split()[:5] == ["customer", "month", "metric", "total", "met"]
        fr = {
            tuple(line.split()[:2]): line.split()[3:7]
            for line in attainment[3:]
            if line.split()[2] == "first_response"
        }
        # same counts as the demo's per-customer table: all sample tickets are November
        assert fr[("acme", "2026-11")] == ["9", "7", "2", "0"]
        assert fr[("globex", "2026-11")] == ["5", "5", "0", "0"]
        objective = blocks[2].splitlines()
        assert objective[0] == (
            "Objective: 90% of first_response within 6h (buckets in America/New_York)"
        )
        globex = next(line for line in objective if line.startswith("globex"))
        assert globex.split()[-3:] == ["False", "1", "T-1008"]
        percentiles = blocks[3].splitlines()
        assert percentiles[0] == (
            "Business time used (stopped clocks) (buckets in America/New_York)"
        )
        assert percentiles[1].split() == ["customer", "month", "metric", "count", "p50", "p90",
                                          "p95"]  # fmt: skip
        assert {line.split()[2] for line in percentiles[3:]} == {
            "first_response", "next_reply", "resolution"
        }  # fmt: skip
        assert out.rstrip().endswith("7 breached clocks")

    def test_breaches_and_fail(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, _ = run(
            capsys, "report", EVENTS, "--policy", POLICY, "--now", NOW, "--breaches",
            "--fail-on-breach",
        )  # fmt: skip
        assert code == 1
        assert "\nBreaches\nticket_id" in out
        assert "T-1017" in out

    def test_breaches_grouped_and_bounded(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        every = tmp_path / "breaches.csv"
        code, out, _ = run(
            capsys, "report", EVENTS, "--policy", POLICY, "--now", NOW, "--breaches",
            "--by", "region,severity", "--top", "2", "--breaches-out", str(every),
        )  # fmt: skip
        assert code == 0
        table = out.split("\nBreaches\n", 1)[1].splitlines()
        assert table[0].split()[:3] == ["region", "severity", "ticket_id"]
        assert len(table) == 2 + 2 + 1  # header, rule, two rows, the note
        assert table[-1] == "(the 2 most late of 7 breached clocks)"
        rows = every.read_text(encoding="utf-8").splitlines()
        assert (
            rows[0] == "region,severity,ticket_id,metric,cycle,deadline,late_business_s,late_wall_s"
        )
        assert len(rows) == 1 + 7

    def test_bad_objective(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, _, err = run(
            capsys, "report", EVENTS, "--policy", POLICY, "--now", NOW,
            "--objective", "first_response:ninety",
        )  # fmt: skip
        assert code == 2
        assert "must look like metric:share[:within]" in err

    def test_unknown_group(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, err = run(capsys, "report", EVENTS, "--policy", POLICY, "--by", "colour")
        assert (code, out) == (2, "")
        assert "cannot group by 'colour'" in err

    @pytest.mark.parametrize("fmt", ["json", "csv", "markdown"])
    def test_formats(self, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
        code, out, _ = run(
            capsys, "report", EVENTS, "--policy", POLICY, "--now", NOW, "--by", "customer",
            "--objective", "first_response:0.9:6h", "--breaches", "--format", fmt,
        )  # fmt: skip
        assert code == 0
        if fmt == "json":
            doc = json.loads(out)
            assert doc["as_of"] == NOW
            assert doc["as_of_source"] == "given by --now"
            assert (doc["tickets"], doc["breached"], doc["rejected"]) == (24, 7, 0)
            acme = next(
                r for r in doc["attainment"]
                if r["customer"] == "acme" and r["metric"] == "first_response"
            )  # fmt: skip
            assert (acme["met"], acme["breached"]) == (7, 2)
            assert doc["objectives"][0]["title"] == "Objective: 90% of first_response within 6h"
            assert "p50_s" in doc["percentiles"][0]
            assert doc["breaches"]["count"] == 7
            assert len(doc["breaches"]["shown"]) == 7
            assert isinstance(doc["breaches"]["shown"][0]["late_business_s"], float)
        elif fmt == "csv":
            lines = out.splitlines()
            assert lines[0].startswith("table,as_of,as_of_source,timezone,tickets")
            assert lines[1].startswith(f"summary,{NOW},given by --now,,24,")
            assert any(line.startswith("attainment,") for line in lines)
            assert any(line.startswith("Objective: 90% of first_response") for line in lines)
            assert sum(line.startswith("breaches,") for line in lines) == 7
        else:
            assert out.startswith(f"# SLA report as of {NOW} (given by --now)\n")
            assert "\n## Attainment\n\n| customer | metric |" in out
            assert "\n## Breaches\n" in out

    def test_timezone(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, _ = run(
            capsys, "report", EVENTS, "--policy", POLICY, "--now", NOW, "--breaches",
            "--timezone", "UTC", "--format", "json",
        )  # fmt: skip
        assert code == 0
        doc = json.loads(out)
        assert doc["as_of"] == "2026-11-27T17:00:00+00:00"
        assert all(b["deadline"].endswith("+00:00") for b in doc["breaches"]["shown"])
        code, _, err = run(capsys, "report", EVENTS, "--policy", POLICY, "--timezone", "Mars")
        assert code == 2
        assert "--timezone 'Mars' is not a time zone" in err

    def test_output_file(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        target = tmp_path / "report.md"
        code, out, _ = run(
            capsys, "report", EVENTS, "--policy", POLICY, "--now", NOW, "--format", "markdown",
            "-o", str(target),
        )  # fmt: skip
        assert (code, out) == (0, "")
        assert target.read_text(encoding="utf-8").startswith("# SLA report as of")


class TestPolicyErrors:
    def test_bad_policy_file(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        bad = tmp_path / "bad.toml"
        bad.write_text('name = "x"\n[severities.high]\nfirst_response = "1d"\n')
        code, out, err = run(capsys, "evaluate", EVENTS, "--policy", str(bad))
        assert (code, out) == (2, "")
        assert "bad.toml" in err
        assert "severities.high.first_response" in err
        assert "'1d'" in err

    def test_toml_syntax_error(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        bad = tmp_path / "broken.toml"
        bad.write_text("name = \n")
        code, _, err = run(capsys, "validate", str(bad))
        assert code == 2
        assert "broken.toml" in err


class TestValidate:
    def test_valid_policy(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, _ = run(capsys, "validate", POLICY)
        assert code == 0
        assert "valid policy 'Premier Success'" in out
        assert "standard, premium" in out

    def test_valid_calendar(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        cal = tmp_path / "desk.toml"
        cal.write_text('timezone = "America/New_York"\nhours = { "mon-fri" = "08:00-17:00" }\n')
        code, out, _ = run(capsys, "validate", str(cal))
        assert code == 0
        assert "valid calendar" in out
        assert "mon  08:00-17:00" in out

    def test_errors_with_location(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps({"name": "x", "severities": {"low": {"resolution": "2 weeks"}}}))
        code, out, err = run(capsys, "validate", str(bad))
        assert (code, out) == (2, "")
        assert "bad.json" in err
        assert "severities.low.resolution" in err


class TestSchema:
    @pytest.mark.parametrize("kind", ["policy", "calendar"])
    def test_json_schema(self, capsys: pytest.CaptureFixture[str], kind: str) -> None:
        code, out, _ = run(capsys, "schema", "--kind", kind)
        assert code == 0
        schema = json.loads(out)
        if "$ref" in schema:  # the calendar refers to its own definition (it is recursive)
            schema = schema["$defs"][schema["$ref"].rsplit("/", 1)[1]]
        assert schema["type"] == "object"
        assert schema["additionalProperties"] is False
        assert ("severities" if kind == "policy" else "timezone") in schema["properties"]


class TestDeadline:
    def test_preset(self, capsys: pytest.CaptureFixture[str]) -> None:
        # 8x5 New York: Friday 16:00 + 2h = 1h on Friday, 1h from Monday 08:00
        code, out, _ = run(
            capsys, "deadline", "--calendar", "8x5", "--timezone", "America/New_York",
            "--start", "2026-11-20T16:00:00-05:00", "--within", "2h",
        )  # fmt: skip
        assert (code, out) == (0, "2026-11-23T09:00:00-05:00\n")

    def test_business_day(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, _ = run(
            capsys, "deadline", "--calendar", "8x5", "--timezone", "America/New_York",
            "--start", "2026-11-16T15:00:00-05:00", "--within", "1 business day",
        )  # fmt: skip
        assert (code, out) == (0, "2026-11-17T15:00:00-05:00\n")

    def test_bad_duration(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, _, err = run(
            capsys, "deadline", "--calendar", "24x7", "--start", "2026-11-16T15:00:00Z",
            "--within", "1d",
        )  # fmt: skip
        assert code == 2
        assert "'1d'" in err


class TestCalendar:
    def test_seen_from_los_angeles(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        desk = tmp_path / "desk.toml"
        desk.write_text(
            'timezone = "America/New_York"\n'
            'hours = { "mon-thu" = "00:00-24:00", fri = ["00:00-20:00"] }\n'
        )
        code, out, _ = run(capsys, "calendar", str(desk), "--timezone", "America/Los_Angeles")
        assert code == 0
        lines = [line.split() for line in out.splitlines()[1:]]
        # New York Monday 00:00 is Sunday 21:00 in Los Angeles; Friday 20:00 is 17:00
        assert lines == [
            ["mon", "00:00-24:00"],
            ["tue", "00:00-24:00"],
            ["wed", "00:00-24:00"],
            ["thu", "00:00-24:00"],
            ["fri", "00:00-17:00"],
            ["sat", "closed"],
            ["sun", "21:00-24:00"],
        ]
        assert "America/Los_Angeles" in out.splitlines()[0]
