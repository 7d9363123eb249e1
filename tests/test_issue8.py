"""Issue 8, "nothing lost, nothing silent": one test per problem the issue lists (the
reading, writing, command-line and report ones), named after it, run through the command
line in process (``main([...])``) unless a signal needs a real process. Expected values
are written by hand from the rows below."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import slaclock.cli
from slaclock import Calendar
from slaclock.cli import main
from slaclock.io import read_results

DATA = Path(__file__).resolve().parents[1] / "src" / "slaclock" / "data"
SAMPLE_POLICY = str(DATA / "sample_policy.toml")
SAMPLE_EVENTS = str(DATA / "sample_events.csv")
NOW = "2026-11-27T12:00:00-05:00"

# 24x7 in UTC: business time is wall time, every figure below is plain arithmetic.
POLICY_TOML = """
name = "always"
[calendars.always]
preset = "24x7"
timezone = "UTC"
[severities.high]
first_response = "1h"
periodic_update = "2h"
resolution = "8h"
[severities.low]
first_response = "4h"
"""
HEADER = "ticket_id,at,type,status,severity,customer\n"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


@pytest.fixture
def policy(tmp_path: Path) -> str:
    p = tmp_path / "policy.toml"
    p.write_text(POLICY_TOML, encoding="utf-8")
    return str(p)


def write(tmp_path: Path, name: str, text: str | bytes) -> str:
    p = tmp_path / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8", newline="")
    return str(p)


GOOD = HEADER + (
    "A,2026-03-02T10:00:00Z,created,,high,acme\n"
    "A,2026-03-02T10:30:00Z,agent_reply,,,\n"
    "B,2026-03-02T11:00:00Z,created,,low,globex\n"
    "B,2026-03-02T16:00:00Z,agent_reply,,,\n"
)


# -- output is atomic and never clobbers input ----------------------------------------


def test_output_onto_its_input_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, policy: str
) -> None:
    events = write(tmp_path, "events.csv", GOOD)
    code, _, err = run(capsys, "evaluate", events, "--policy", policy, "-o", events)
    assert code == 2
    assert "--output" in err
    assert "is the input file" in err
    assert Path(events).read_text(encoding="utf-8") == GOOD


def test_output_onto_its_input_through_a_symlink_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, policy: str
) -> None:
    events = write(tmp_path, "events.csv", GOOD)
    link = tmp_path / "results.csv"
    link.symlink_to(events)
    code, _, err = run(capsys, "evaluate", events, "--policy", policy, "-o", str(link))
    assert code == 2
    assert "resolves to" in err
    assert Path(events).read_text(encoding="utf-8") == GOOD
    code, _, _ = run(capsys, "report", events, "--policy", policy, "--breaches-out", policy)
    assert code == 2
    assert Path(policy).read_text(encoding="utf-8") == POLICY_TOML


@pytest.mark.parametrize(
    "problem",
    [["missing.csv"], ["events.csv", "--now", "yesterday"], ["events.csv", "--encoding", "x"]],
)
def test_existing_output_is_untouched_when_the_run_fails_early(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, policy: str, problem: list[str]
) -> None:
    write(tmp_path, "events.csv", GOOD)
    out = write(tmp_path, "results.csv", "precious\n")
    args = [str(tmp_path / problem[0]), *problem[1:]]
    code, _, _ = run(capsys, "evaluate", *args, "--policy", policy, "--format", "csv", "-o", out)
    assert code == 2
    assert Path(out).read_text(encoding="utf-8") == "precious\n"
    assert sorted(os.listdir(tmp_path)) == ["events.csv", "policy.toml", "results.csv"]


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv", "table"])
def test_a_bad_ticket_halfway_leaves_no_partial_output(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, policy: str, fmt: str
) -> None:
    text = (
        GOOD
        + "C,2026-03-02T12:00:00Z,created,,unknown-severity,x\n"
        + GOOD.replace("A,", "D,").replace("B,", "E,").split("\n", 1)[1]
    )
    events = write(tmp_path, "events.csv", text)
    out = tmp_path / f"results.{fmt}"
    code, stdout, err = run(
        capsys, "evaluate", events, "--policy", policy, "--format", fmt, "-o", str(out),
        "--grouped", "--now", "2026-03-03T00:00:00Z",
    )  # fmt: skip
    assert (code, stdout) == (2, "")
    assert f"{events}:6: ticket 'C': unknown severity 'unknown-severity'" in err
    assert not out.exists()
    assert sorted(os.listdir(tmp_path)) == ["events.csv", "policy.toml"]
    # and on standard output: nothing either
    code, stdout, _ = run(capsys, "evaluate", events, "--policy", policy, "--format", fmt)
    assert (code, stdout) == (2, "")


# -- strict reading -------------------------------------------------------------------


def test_an_unterminated_quote_is_an_error_not_a_swallowed_ticket(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, policy: str
) -> None:
    text = GOOD.replace(
        "A,2026-03-02T10:30:00Z,agent_reply,,,", 'A,2026-03-02T10:30:00Z,agent_reply,,,"x'
    )
    events = write(tmp_path, "events.csv", text)
    code, out, err = run(capsys, "evaluate", events, "--policy", policy)
    assert (code, out) == (2, "")
    assert f"slaclock: error: {events}:3: " in err
    assert "unterminated quote" in err


@pytest.mark.parametrize("stamp", ["16:00", "Monday 17:00", "Nov 2026", "5", "2026-03-02"])
def test_timestamps_with_missing_parts_are_not_completed_from_today(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, policy: str, stamp: str
) -> None:
    events = write(tmp_path, "events.csv", HEADER + f"A,{stamp},created,,high,acme\n")
    code, _, err = run(capsys, "evaluate", events, "--policy", policy, "--assume-timezone", "UTC")
    assert code == 2
    assert f"{events}:2: ticket 'A': " in err
    assert repr(stamp) in err


def test_day_month_order_is_explicit(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, policy: str
) -> None:
    events = write(
        tmp_path, "events.csv", HEADER + "A,12/11/2026 10:00,created,,high,acme\n"
        "A,12/11/2026 10:30,agent_reply,,,\n",
    )  # fmt: skip
    base = ["evaluate", events, "--policy", policy, "--assume-timezone", "UTC", "--format",
            "jsonl"]  # fmt: skip
    code, _, err = run(capsys, *base)
    assert code == 2
    assert "is ambiguous: 11 December 2026 or 12 November 2026" in err
    code, out, _ = run(capsys, *base, "--dayfirst")
    assert code == 0
    assert json.loads(out.splitlines()[0])["created_at"] == "2026-11-12T10:00:00+00:00"
    code, out, _ = run(capsys, *base, "--monthfirst")
    assert json.loads(out.splitlines()[0])["created_at"] == "2026-12-11T10:00:00+00:00"


def test_identical_duplicate_rows_do_not_change_the_periodic_update_share(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, policy: str
) -> None:
    reply = "A,2026-03-02T10:30:00Z,agent_reply,,,\n"
    text = HEADER + "A,2026-03-02T10:00:00Z,created,,high,acme\n" + reply * 3
    events = write(tmp_path, "events.csv", text)
    code, out, err = run(
        capsys, "report", events, "--policy", policy, "--now", "2026-03-02T11:00:00Z",
        "--format", "json",
    )  # fmt: skip
    assert code == 0
    doc = json.loads(out)
    periodic = next(r for r in doc["attainment"] if r["metric"] == "periodic_update")
    # one reply: cycle 1 met at 10:30, cycle 2 running; not three zero-length cycles
    assert (periodic["total"], periodic["met"], periodic["running"]) == (2, 1, 1)
    assert doc["duplicates_dropped"] == 2
    assert "dropped 2 identical duplicate event rows" in err


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("latin1.csv", (HEADER + "A,2026-03-02T10:00:00Z,created,,high,Soci\xe9t\xe9\n")
         .encode("latin-1"), "is not valid utf-8-sig"),
        ("utf16.csv", (HEADER + "A,2026-03-02T10:00:00Z,created,,high,x\n").encode("utf-16"),
         "--encoding utf-16"),
        ("long.csv", HEADER + 'A,2026-03-02T10:00:00Z,created,,high,"' + "x" * 140_000 + '"\n',
         "longer than 131,072 characters"),
        ("nan.jsonl", '{"ticket_id": "A", "at": NaN, "type": "created", "severity": "high"}\n',
         "NaN is not a number JSON allows"),
        ("huge.jsonl", '{"ticket_id": "A", "at": 1e20, "type": "created", "severity": "high"}\n',
         "outside the supported years"),
        ("inf.jsonl", '{"ticket_id": "A", "at": Infinity, "type": "created"}\n',
         "Infinity is not a number JSON allows"),
    ],
)  # fmt: skip
def test_hostile_files_are_exit_2_with_a_message_not_a_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, policy: str, name: str,
    content: str | bytes, message: str,
) -> None:  # fmt: skip
    events = write(tmp_path, name, content)
    code, out, err = run(capsys, "evaluate", events, "--policy", policy)
    assert (code, out) == (2, "")
    assert err.startswith(f"slaclock: error: {events}:")
    assert message in err


def test_hostile_options_are_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, policy: str
) -> None:
    events = write(tmp_path, "events.csv", GOOD)
    code, _, err = run(capsys, "report", events, "--policy", policy,
                       "--objective", "first_response:0.9:2bd")  # fmt: skip
    assert code == 2
    assert "business days have no fixed length" in err
    deep = tmp_path / "deep.json"
    deep.write_text('{"name": ' + "[" * 5000 + "]" * 5000 + "}", encoding="utf-8")
    code, _, err = run(capsys, "evaluate", events, "--policy", str(deep))
    assert code == 2
    assert "deep.json" in err


def test_an_objective_typo_is_exit_2_naming_the_metrics_before_reading_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, policy: str
) -> None:
    missing = str(tmp_path / "not-read.csv")
    code, out, err = run(capsys, "report", missing, "--policy", policy,
                         "--objective", "frist:0.9")  # fmt: skip
    assert (code, out) == (2, "")
    assert "--objective 'frist'" in err
    # the metrics the agreement measures (version 2 also lists its built-in definitions)
    assert "its metrics: first_response, " in err
    assert "periodic_update" in err
    assert "not-read.csv" not in err


# -- the as-of instant ------------------------------------------------------------------


def test_without_now_every_ticket_is_evaluated_at_the_latest_event(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, policy: str
) -> None:
    # A is never answered; B's reply at 18:00 is the latest event. At A's own last
    # event (its creation) A would be running; at 18:00 it is 8 hours old: breached.
    text = HEADER + (
        "A,2026-03-02T10:00:00Z,created,,high,acme\n"
        "B,2026-03-02T17:00:00Z,created,,low,globex\n"
        "B,2026-03-02T18:00:00Z,agent_reply,,,\n"
    )
    events = write(tmp_path, "events.csv", text)
    code, out, err = run(capsys, "evaluate", events, "--policy", policy, "--format", "jsonl")
    assert code == 0
    rows = {(r["ticket_id"], r["metric"]): r for r in map(json.loads, out.splitlines())}
    assert {r["as_of"] for r in rows.values()} == {"2026-03-02T18:00:00+00:00"}
    assert rows[("A", "first_response")]["status"] == "breached"
    assert rows[("A", "resolution")]["status"] == "running"
    assert "as of 2026-03-02T18:00:00+00:00, the latest event in the input" in err
    code, out, _ = run(capsys, "report", events, "--policy", policy)
    assert out.startswith(
        "SLA report as of 2026-03-02T18:00:00+00:00 (the latest event in the input)\n"
    )
    code, out, _ = run(capsys, "evaluate", events, "--policy", policy)
    assert out.startswith("Evaluated as of 2026-03-02T18:00:00+00:00 (the latest event")


def test_now_overrides_the_latest_event(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, policy: str
) -> None:
    events = write(tmp_path, "events.csv", GOOD)
    code, out, err = run(capsys, "evaluate", events, "--policy", policy, "--format", "jsonl",
                         "--now", "2026-03-05T00:00:00+00:00")  # fmt: skip
    assert (code, err) == (0, "")
    assert {json.loads(r)["as_of"] for r in out.splitlines()} == {"2026-03-05T00:00:00+00:00"}


# -- bad rows: fail, skip or quarantine -------------------------------------------------

MIXED = HEADER + (
    "A,2026-03-02T10:00:00Z,created,,high,acme\n"
    "B,2026-03-02T11:00:00Z,created,,critical ,globex\n"  # unknown severity (evaluation)
    "A,2026-03-02T10:30:00Z,agent_reply,,,\n"
    "C,2026-03-02T12:00:00Z,created,,low,initech\n"
    "C,2026-03-03T09:00:00Z,agent_reply,,,\n"  # the latest event is in a good ticket
    "D,2026-03-02T12:00:00Z,created,, high ,umbrella\n"  # spaces around a known severity
    "E,16:00,created,,high,hooli\n"  # no date
    "E,2026-03-02T13:00:00Z,agent_reply,,,\n"
)


def test_one_bad_row_does_not_discard_the_good_results(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, policy: str
) -> None:
    events = write(tmp_path, "events.csv", MIXED)
    quarantine = tmp_path / "rejected.csv"
    out = tmp_path / "results.csv"
    base = ["evaluate", events, "--policy", policy, "--format", "csv", "-o", str(out)]
    code, _, err = run(capsys, *base)
    assert code == 2
    assert f"{events}:8: ticket 'E': time in column 'at' '16:00' has no year" in err
    assert not out.exists()

    code, _, err = run(capsys, *base, "--on-error", f"quarantine={quarantine}")
    assert code == 2
    assert f"rejected 2 tickets (written to {quarantine})" in err
    got = read_results(out)
    assert sorted({r["ticket_id"] for r in got}) == ["A", "C", "D"]
    lines = quarantine.read_text(encoding="utf-8").splitlines()
    assert lines[0].split(",") == [
        "slaclock_ticket", "slaclock_line", "slaclock_reason", "ticket_id", "at", "type",
        "status", "severity", "customer",
    ]  # fmt: skip
    rejected = {(line.split(",")[0], line.split(",")[1]) for line in lines[1:]}
    assert rejected == {("B", "3"), ("E", "8"), ("E", "9")}
    assert "unknown severity 'critical'" in quarantine.read_text(encoding="utf-8")

    code, _, _ = run(capsys, *base, "--on-error", "skip", "--allow-rejects")
    assert code == 0
    clean = write(tmp_path, "clean.csv", "".join(
        line for line in MIXED.splitlines(keepends=True) if line[:2] not in ("B,", "E,")
    ))  # fmt: skip
    clean_out = tmp_path / "clean-results.csv"
    code, _, _ = run(capsys, "evaluate", clean, "--policy", policy, "--format", "csv",
                     "-o", str(clean_out))  # fmt: skip
    assert code == 0
    assert read_results(out) == read_results(clean_out)


def test_a_rejected_ticket_holding_the_latest_event_does_not_move_the_instant(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, policy: str
) -> None:
    text = GOOD + "Z,2026-03-09T10:00:00Z,created,,nope,x\n"  # latest event, bad severity
    events = write(tmp_path, "events.csv", text)
    code, out, _ = run(capsys, "evaluate", events, "--policy", policy, "--format", "jsonl",
                       "--on-error", "skip", "--allow-rejects")  # fmt: skip
    assert code == 0
    # the latest event of the tickets that evaluate: B's reply at 16:00
    assert {json.loads(r)["as_of"] for r in out.splitlines()} == {"2026-03-02T16:00:00+00:00"}


# -- report formats and checks ----------------------------------------------------------


def test_report_by_a_group_without_stopped_clocks_keeps_the_percentile_columns(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, policy: str
) -> None:
    # globex (first in order) has no stopped clock at all
    text = HEADER + (
        "A,2026-03-02T10:00:00Z,created,,high,zeta\n"
        "A,2026-03-02T10:30:00Z,agent_reply,,,\n"
        "B,2026-03-02T11:00:00Z,created,,low,globex\n"
    )
    events = write(tmp_path, "events.csv", text)
    code, out, _ = run(capsys, "report", events, "--policy", policy, "--by", "customer",
                       "--now", "2026-03-02T12:00:00Z", "--format", "json")  # fmt: skip
    assert code == 0
    pct = {(r["customer"], r["metric"]): r for r in json.loads(out)["percentiles"]}
    assert pct[("globex", "first_response")] == {
        "customer": "globex", "metric": "first_response", "count": 0,
        "p50_s": None, "p90_s": None, "p95_s": None,
    }  # fmt: skip
    assert pct[("zeta", "first_response")]["p50_s"] == 1800.0


def test_the_breach_list_groups_by_any_field(
    capsys: pytest.CaptureFixture[str], policy: str, tmp_path: Path
) -> None:
    text = GOOD.replace("customer", "region").replace("acme", "emea").replace("globex", "apac")
    events = write(tmp_path, "events.csv", text)
    code, out, _ = run(capsys, "report", events, "--policy", policy, "--by", "region",
                       "--breaches", "--now", "2026-03-02T17:00:00Z")  # fmt: skip
    assert code == 0
    table = out.split("\nBreaches\n", 1)[1].splitlines()
    assert table[0].split() == ["region", "ticket_id", "metric", "cycle", "severity",
                                "deadline", "late_business", "late_wall"]  # fmt: skip
    # B (low, 4h) answered after 5h: one hour late
    assert table[2].split()[:3] == ["apac", "B", "first_response"]


# -- safe to open anywhere --------------------------------------------------------------

HOSTILE = HEADER + (
    '"=HYPERLINK(""http://evil"")",2026-03-02T10:00:00Z,created,,high,+cmd|\' /C calc\n'
    "@SUM(1),2026-03-02T10:00:00Z,created,,high,-2+3\n"
    "\x1b[31mRED\x1b[0m,2026-03-02T10:00:00Z,created,,high,\u202eevil\n"
)


def test_csv_output_neutralises_formulas(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, policy: str
) -> None:
    events = write(tmp_path, "events.csv", HOSTILE)
    out = tmp_path / "r.csv"
    code, _, _ = run(capsys, "evaluate", events, "--policy", policy, "--format", "csv",
                     "-o", str(out), "--now", "2026-03-02T11:00:00Z")  # fmt: skip
    assert code == 0
    cells = [line.split(",")[0] for line in out.read_text(encoding="utf-8").splitlines()[1:]]
    assert all(not c.lstrip('"').startswith(("=", "+", "-", "@")) for c in cells)
    text = out.read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text
    assert "'+cmd|" in text
    assert "'@SUM(1)" in text
    assert "'-2+3" in text
    # read back, the values are the originals
    ids = {r["ticket_id"] for r in read_results(out)}
    assert '=HYPERLINK("http://evil")' in ids
    assert "@SUM(1)" in ids
    raw = tmp_path / "raw.csv"
    run(capsys, "evaluate", events, "--policy", policy, "--format", "csv", "-o", str(raw),
        "--now", "2026-03-02T11:00:00Z", "--raw-csv")  # fmt: skip
    assert "\n@SUM(1)," in raw.read_text(encoding="utf-8").replace("\r\n", "\n")


def test_control_characters_are_escaped_in_text_tables(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, policy: str
) -> None:
    events = write(tmp_path, "events.csv", HOSTILE)
    for command in (["evaluate"], ["report", "--by", "customer", "--breaches"]):
        code, out, _ = run(capsys, command[0], events, "--policy", policy, *command[1:],
                           "--now", "2026-03-02T12:00:00Z")  # fmt: skip
        assert code == 0
        assert "\x1b" not in out
        assert "\u202e" not in out
    assert "\\x1b[31mRED\\x1b[0m" in out


# -- the exit-code contract -------------------------------------------------------------


def test_an_internal_error_is_exit_3_with_a_traceback_only_with_debug(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    policy: str,
) -> None:  # fmt: skip
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr("slaclock.engine.evaluate", broken)  # what the command imports
    events = write(tmp_path, "events.csv", GOOD)
    out = tmp_path / "r.csv"
    code = main(["evaluate", events, "--policy", policy, "-o", str(out)])
    _, err = capsys.readouterr()
    assert code == 3
    assert "slaclock: error: internal error: RuntimeError: a bug" in err
    assert "--debug" in err
    assert "Traceback" not in err
    assert not out.exists()
    code = main(["evaluate", events, "--policy", policy, "--debug"])
    _, err = capsys.readouterr()
    assert code == 3
    assert "Traceback (most recent call last)" in err


def test_usage_errors_return_2_and_help_returns_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate"]) == 2
    assert "the following arguments are required" in capsys.readouterr().err
    assert main(["--help"]) == 0
    assert main(["evaluate", "x.csv", "--policy", "p.toml", "--on-error", "ignore"]) == 2
    assert "use fail, skip or quarantine=FILE" in capsys.readouterr().err


# -- smaller points ---------------------------------------------------------------------


def test_an_empty_input_writes_a_csv_with_its_header(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, policy: str
) -> None:
    events = write(tmp_path, "events.csv", HEADER)
    code, out, _ = run(capsys, "evaluate", events, "--policy", policy, "--format", "csv")
    assert code == 0
    assert out.startswith("ticket_id,plan,rule,metric,cycle,status,")
    assert len(out.splitlines()) == 1


def test_a_bom_is_accepted_in_jsonl(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, policy: str
) -> None:
    line = (
        '{"ticket_id": "A", "at": "2026-03-02T10:00:00Z", "type": "created", "severity": "high"}\n'
    )
    events = write(tmp_path, "events.jsonl", b"\xef\xbb\xbf" + line.encode())
    code, out, _ = run(capsys, "evaluate", events, "--policy", policy, "--format", "jsonl")
    assert code == 0
    assert json.loads(out.splitlines()[0])["ticket_id"] == "A"


def test_two_created_rows_of_a_ticket_must_agree(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, policy: str
) -> None:
    text = (
        HEADER
        + "A,2026-03-02T10:00:00Z,created,,high,acme\nA,2026-03-02T10:00:00Z,created,,low,acme\n"
    )
    events = write(tmp_path, "events.csv", text)
    code, _, err = run(capsys, "evaluate", events, "--policy", policy)
    assert code == 2
    assert f"{events}:3: ticket 'A': two 'created' rows disagree on the severity" in err


def test_a_severity_with_surrounding_spaces_is_known(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, policy: str
) -> None:
    events = write(tmp_path, "events.csv", HEADER + "A,2026-03-02T10:00:00Z,created,, high ,x\n")
    code, out, _ = run(capsys, "evaluate", events, "--policy", policy, "--format", "jsonl")
    assert code == 0
    assert json.loads(out.splitlines()[0])["severity"] == "high"


def test_error_positions_are_physical_lines(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, policy: str
) -> None:
    text = (
        "ticket_id,at,type,severity,note\n"
        'A,2026-03-02T10:00:00Z,created,high,"line one\nline two"\n'
        "A,2026-03-02T10:30:00Z,reply,,\n"
    )
    events = write(tmp_path, "events.csv", text)
    code, _, err = run(capsys, "evaluate", events, "--policy", policy)
    assert code == 2
    assert f"{events}:4: ticket 'A': unknown event kind 'reply'" in err


def test_a_bad_per_ticket_zone_names_the_ticket_and_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    policy = tmp_path / "zoned.toml"
    text = POLICY_TOML.replace('name = "always"', 'timezone_field = "tz"')
    if "follow_customer_zone" in Calendar.model_fields:  # version 2: calendars opt in
        text = text.replace('timezone = "UTC"', 'timezone = "UTC"\nfollow_customer_zone = true')
    policy.write_text(text)
    events = write(tmp_path, "events.csv", "ticket_id,at,type,severity,tz\n"
                   "A,2026-03-02T10:00:00Z,created,high,UTC\n"
                   "B,2026-03-02T10:00:00Z,created,high,Mars/Olympus\n")  # fmt: skip
    code, _, err = run(capsys, "evaluate", events, "--policy", str(policy))
    assert code == 2
    assert f"{events}:3: ticket 'B': " in err
    assert "'Mars/Olympus'" in err


# -- signals: temporary files removed, 130 / 143, no traceback -------------------------


def _big_log(path: Path, tickets: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write(HEADER)
        for i in range(tickets):
            fh.write(f"T{i},2026-03-02T10:00:00Z,created,,high,c{i % 7}\n")
        for i in range(tickets):
            fh.write(f"T{i},2026-03-02T10:{i % 60:02d}:00Z,agent_reply,,,\n")


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signals_clean_up_temporary_files(
    tmp_path: Path, policy: str, sig: signal.Signals, code: int
) -> None:
    events = tmp_path / "events.csv"
    _big_log(events, 40_000)
    work = tmp_path / "tmp"
    work.mkdir()
    out = tmp_path / "results.csv"
    out.write_text("precious\n")
    env = {**os.environ, "TMPDIR": str(work)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "slaclock", "evaluate", str(events), "--policy", policy,
         "--now", "2026-03-03T00:00:00Z", "--format", "csv", "-o", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        # as from a terminal: a runner that starts the tests in the background (nohup,
        # `cmd &`) has SIGINT ignored, which the child would inherit
        preexec_fn=_default_sigint,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not any(p.name.startswith("slaclock-") for p in work.iterdir()):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    time.sleep(0.3)
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == code, stderr
    assert "Traceback" not in stderr
    assert "temporary files removed" in stderr
    assert stdout == ""
    assert list(work.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.csv", "policy.toml",
                                                          "results.csv", "tmp"]  # fmt: skip
    assert out.read_text() == "precious\n"


COMMANDS = {
    "demo": [],
    "evaluate": ["e.csv", "--policy", "p.toml"],
    "report": ["e.csv", "--policy", "p.toml"],
    "deadline": ["--calendar", "8x5", "--start", "2026-03-02T10:00Z", "--within", "1h"],
    "calendar": ["c.toml"],
    "validate": ["p.toml"],
    "schema": [],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize(
    ("raised", "status", "message"),
    [
        (RuntimeError("a bug"), 3, "slaclock: error: internal error: RuntimeError: a bug"),
        (slaclock.cli.ConfigError("bad input"), 2, "slaclock: error: bad input"),
        (FileNotFoundError(2, "No such file or directory", "x.csv"), 2,
         "slaclock: error: x.csv: No such file or directory"),
        (KeyboardInterrupt(), 130, "slaclock: interrupted (SIGINT)"),
        (slaclock.cli._Terminated(), 143, "slaclock: terminated (SIGTERM)"),
    ],
)  # fmt: skip
def test_every_command_keeps_the_exit_status_contract(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, command: str,
    raised: BaseException, status: int, message: str,
) -> None:  # fmt: skip
    def fail(args: Any) -> int:
        raise raised

    monkeypatch.setattr(slaclock.cli, f"_cmd_{command}", fail)
    assert main([command, *COMMANDS[command]]) == status
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(message)
    assert "Traceback" not in err
