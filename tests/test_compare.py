"""What-if: one history under two agreements (slaclock.compare, Report.compare and
``slaclock compare``) on tests/fixtures/audit/compare/.

events.csv holds eight tickets on a 24x7 UTC calendar, each answered some hours after
its creation and solved after 10 h:

=====  ========  ========  ======  ==============  ===========  ==========
ticket customer  severity  answer  current (6h/8h) proposed     change
=====  ========  ========  ======  ==============  ===========  ==========
A1     acme      high      5h      met             breached     worse
A2     acme      high      3h      met             met
A3     acme      high      4h30m   met             breached     worse
A4     acme      high      7h      breached        breached
G1     globex    high      5h      met             breached     worse
G2     globex    normal    5h      met             met (10h)
G3     globex    high      4h      met             met (at the deadline)
G4     globex    normal    9h      breached (8h)   met (10h)    better
=====  ========  ========  ======  ==============  ===========  ==========

Resolution (24 h under both) is met by all eight. The counts below are read off this
table, not computed by slaclock.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from slaclock import ConfigError, Policy, evaluate
from slaclock.cli import main
from slaclock.compare import Comparison, compare
from slaclock.io import read_tickets
from slaclock.report import Report

HERE = Path(__file__).parent / "fixtures" / "audit" / "compare"
EVENTS = HERE / "events.csv"
CURRENT = HERE / "current.toml"
PROPOSED = HERE / "proposed.toml"
NOW = datetime(2026, 10, 31, tzinfo=UTC)


def compared(by: tuple[str, ...] = ("customer",)) -> Comparison:
    return compare(
        read_tickets(EVENTS),
        Policy.from_file(CURRENT),
        Policy.from_file(PROPOSED),
        now=NOW,
        by=by,
        names=("current", "proposed"),
    )


def side_by_side(c: Comparison) -> dict[tuple[object, ...], tuple[int, ...]]:
    return {
        (*r.group, r.metric): (r.before_met, r.before_breached, r.after_met, r.after_breached,
                               r.more_breaches)
        for r in c.attainment
    }  # fmt: skip


class TestCompare:
    def test_attainment_side_by_side(self) -> None:
        assert side_by_side(compared()) == {
            ("acme", "first_response"): (3, 1, 1, 3, 2),
            ("acme", "resolution"): (4, 0, 4, 0, 0),
            ("globex", "first_response"): (3, 1, 3, 1, 0),
            ("globex", "resolution"): (4, 0, 4, 0, 0),
        }

    def test_status_changes(self) -> None:
        c = compared()
        assert c.changes is not None
        got = [(s.ticket_id, s.metric, s.cycle, s.group, s.before, s.after) for s in c.changes]
        assert got == [
            ("A1", "first_response", 1, ("acme",), "met", "breached"),
            ("A3", "first_response", 1, ("acme",), "met", "breached"),
            ("G1", "first_response", 1, ("globex",), "met", "breached"),
            ("G4", "first_response", 1, ("globex",), "breached", "met"),
        ]
        a1 = c.changes[0]
        # created 09:00: due 15:00 under 6 h, 13:00 under 4 h
        assert (a1.before_deadline, a1.after_deadline) == (
            datetime(2026, 10, 1, 15, tzinfo=UTC),
            datetime(2026, 10, 1, 13, tzinfo=UTC),
        )

    def test_summary(self) -> None:
        assert compared().summary() == [
            "first_response: proposed has 2 more breaches than current (3 became breached, "
            "1 no longer breached), 2 of them at customer=acme"
        ]
        # without groups there is nowhere to point at
        assert compared(by=()).summary() == [
            "first_response: proposed has 2 more breaches than current (3 became breached, "
            "1 no longer breached)"
        ]

    def test_the_same_agreement_changes_nothing(self) -> None:
        policy = Policy.from_file(CURRENT)
        c = compare(read_tickets(EVENTS), policy, policy, now=NOW)
        assert c.changes is not None
        assert len(c.changes) == 0
        assert c.summary() == []
        assert "no clock changes status between before and after" in str(c)

    def test_text_html_pandas(self) -> None:
        c = compared()
        text = str(c)
        assert text.startswith("first_response: proposed has 2 more breaches")
        assert "\nAttainment: current → proposed\ncustomer  metric" in text
        assert "\nStatus changes: current → proposed\n" in text
        assert "<li>first_response: proposed has 2 more breaches" in c._repr_html_()
        frame = c.to_pandas()
        assert list(frame["more_breaches"]) == [2, 0, 0, 0]


class TestReportCompare:
    def reports(self, **options: object) -> tuple[Report, Report]:
        tickets = list(read_tickets(EVENTS))
        out = []
        for path in (CURRENT, PROPOSED):
            policy = Policy.from_file(path)
            pairs = [(t, evaluate(t, policy, now=NOW)) for t in tickets]
            out.append(Report.from_results(pairs, **options))  # type: ignore[arg-type]
        return out[0], out[1]

    def test_same_as_compare(self) -> None:
        before, after = self.reports(by=["customer"])
        c = before.compare(after, names=("current", "proposed"))
        assert side_by_side(c) == side_by_side(compared())
        assert c.changes is not None
        assert [(s.ticket_id, s.before, s.after) for s in c.changes] == [
            ("A1", "met", "breached"),
            ("A3", "met", "breached"),
            ("G1", "met", "breached"),
            ("G4", "breached", "met"),
        ]

    def test_without_rows_no_changes(self) -> None:
        before, after = self.reports(by=["customer"], keep_rows=False)
        c = before.compare(after)
        assert c.changes is None
        assert c.summary() == ["first_response: after has 2 more breaches than before, "
                               "2 of them at customer=acme"]  # fmt: skip

    def test_other_groups_refused(self) -> None:
        before, _ = self.reports(by=["customer"])
        _, after = self.reports()
        with pytest.raises(ConfigError, match=r"grouped differently .*build both with the same"):
            before.compare(after)


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


ARGS = ("compare", str(EVENTS), "--policy", str(CURRENT), "--policy", str(PROPOSED),
        "--now", "2026-10-31T00:00:00Z")  # fmt: skip


class TestCommand:
    def test_text(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, _ = cli(capsys, *ARGS, "--by", "customer")
        assert code == 0
        lines = out.splitlines()
        assert lines[0] == (
            "What if: current → proposed, as of 2026-10-31T00:00:00+00:00 (given by --now)"
        )
        assert lines[1] == "8 tickets"
        assert lines[3].startswith("first_response: proposed has 2 more breaches")
        assert "acme      A1         first_response  1      met       breached" in out

    def test_fail_on_breach(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert cli(capsys, *ARGS, "--fail-on-breach")[0] == 1
        # the other way round the proposal has fewer breaches
        back = ("compare", str(EVENTS), "--policy", str(PROPOSED), "--policy", str(CURRENT),
                "--now", "2026-10-31T00:00:00Z", "--fail-on-breach")  # fmt: skip
        code, out, _ = cli(capsys, *back)
        assert code == 0
        assert "first_response: current has 2 fewer breaches than proposed" in out

    def test_json(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, _ = cli(capsys, *ARGS, "--by", "customer", "--format", "json")
        assert code == 0
        doc = json.loads(out)
        assert (doc["before"], doc["after"], doc["tickets"], doc["by"]) == (
            "current", "proposed", 8, ["customer"],
        )  # fmt: skip
        assert doc["attainment"][0] == {
            "customer": "acme", "metric": "first_response", "before_total": 4,
            "before_met": 3, "before_breached": 1, "before_share_met": 0.75, "after_total": 4,
            "after_met": 1, "after_breached": 3, "after_share_met": 0.25, "more_breaches": 2,
        }  # fmt: skip
        assert [(r["ticket_id"], r["before"], r["after"]) for r in doc["changes"]] == [
            ("A1", "met", "breached"), ("A3", "met", "breached"), ("G1", "met", "breached"),
            ("G4", "breached", "met"),
        ]  # fmt: skip
        assert doc["changes"][0]["after_deadline"] == "2026-10-01T13:00:00+00:00"

    def test_csv(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        target = tmp_path / "whatif.csv"
        code, _, _ = cli(capsys, *ARGS, "--format", "csv", "-o", str(target))
        assert code == 0
        rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
        assert [r["table"] for r in rows] == ["attainment"] * 2 + ["changes"] * 4
        assert rows[0]["metric"] == "first_response"
        assert rows[0]["more_breaches"] == "2"

    def test_from_an_export(self, capsys: pytest.CaptureFixture[str]) -> None:
        # the Zendesk fixture under its imported policies and under the matched ones
        fixtures = Path(__file__).parent / "fixtures"
        code, out, _ = cli(
            capsys, "compare", str(fixtures / "zendesk"), "--from", "zendesk",
            "--policy", str(fixtures / "audit" / "zendesk.toml"),
            "--policy", str(fixtures / "audit" / "zendesk-matched.toml"),
            "--format", "json",
        )  # fmt: skip
        assert code == 0
        doc = json.loads(out)
        # 101 is urgent at the end: the matched policies drop its 8 h resolution (breached)
        # and add next reply (2 cycles, met) and requester wait (breached on the 19th)
        changes = {(r["ticket_id"], r["metric"], r["cycle"]): (r["before"], r["after"])
                   for r in doc["changes"]}  # fmt: skip
        assert changes == {
            ("101", "resolution", 1): ("breached", None),
            ("101", "next_reply", 1): (None, "met"),
            ("101", "next_reply", 2): (None, "met"),
            ("101", "requester_wait", 1): (None, "breached"),
        }

    def test_usage(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, _, err = cli(capsys, "compare", str(EVENTS), "--policy", str(CURRENT))
        assert code == 2
        assert "compare takes exactly two" in err
        code, _, err = cli(capsys, *ARGS, "-o", str(CURRENT))
        assert code == 2
        assert "is the input file" in err
