"""Reports: attainment, objectives, percentiles and breaches, every expected number
computed by hand from the rows written below."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from slaclock import Duration, Policy, Ticket, evaluate
from slaclock.errors import ConfigError
from slaclock.io import write_results
from slaclock.report import AttainmentRow, Breach, ObjectiveSpec, Report

H = 3600.0
EST = timezone(timedelta(hours=-5))


def row(tid: str, metric: str, status: str, elapsed_h: float, **kw: Any) -> dict[str, Any]:
    r: dict[str, Any] = {
        "ticket_id": tid,
        "metric": metric,
        "cycle": 0,
        "status": status,
        "severity": "high",
        "business_elapsed_s": elapsed_h * H,
        "share_used": kw.pop("share_used", 0.5),
        "stopped_at": None,
        "deadline": None,
        "wall_remaining_s": None,
        "internal_status": None,
    }
    r.update(kw)
    return r


STOP = "2026-11-20T12:00:00-05:00"
# acme in November (weeks 45 and 46), globex in December (week 49).
ROWS = [
    row("A1", "first_response", "met", 1, stopped_at=STOP, created_at="2026-11-02T09:00:00-05:00",
        **{"field.customer": "acme"}),
    row("A2", "first_response", "met", 5, stopped_at=STOP, created_at="2026-11-03T09:00:00-05:00",
        **{"field.customer": "acme"}),
    row("A3", "first_response", "breached", 7, share_used=7 / 6,
        stopped_at="2026-11-06T09:00:00-05:00",
        deadline="2026-11-05T16:00:00-05:00", created_at="2026-11-10T09:00:00-05:00",
        **{"field.customer": "acme"}),
    row("A4", "first_response", "running", 2, created_at="2026-11-11T09:00:00-05:00",
        **{"field.customer": "acme"}),
    row("G1", "first_response", "met", 0.5, stopped_at=STOP,
        created_at="2026-12-01T09:00:00-05:00", **{"field.customer": "globex"}),
    row("G2", "first_response", "breached", 10, share_used=1.25,
        deadline="2026-12-02T10:00:00-05:00",
        wall_remaining_s=-2 * H, created_at="2026-12-01T09:00:00-05:00",
        **{"field.customer": "globex"}),
    row("G3", "first_response", "paused", 1 / 6, created_at="2026-12-01T09:00:00-05:00",
        **{"field.customer": "globex"}),
    row("A1", "resolution", "met", 20, stopped_at=STOP, internal_status="breached",
        created_at="2026-11-02T09:00:00-05:00", **{"field.customer": "acme"}),
    row("G1", "resolution", "met", 2, stopped_at=STOP, internal_status="met",
        created_at="2026-12-01T09:00:00-05:00", **{"field.customer": "globex"}),
]  # fmt: skip


def cells(table: Any, *names: str) -> list[tuple[Any, ...]]:
    return [tuple(rec[n] for n in names) for rec in table.records()]


class TestAttainment:
    def test_by_customer(self) -> None:
        table = Report(ROWS).attainment(by=["customer"], metric="first_response")
        assert table[0] == AttainmentRow(
            group=("acme",), metric="first_response", total=4, met=2, breached=1, running=1,
            paused=0, share_met=2 / 3, internal_met=0, internal_breached=0,
            internal_share_met=None,
        )  # fmt: skip
        assert cells(table, "customer", "total", "met", "breached", "running", "paused") == [
            ("acme", 4, 2, 1, 1, 0),
            ("globex", 3, 1, 1, 0, 1),
        ]
        assert [r.share_met for r in table] == [2 / 3, 1 / 2]

    def test_every_metric_without_grouping(self) -> None:
        table = Report(ROWS).attainment()
        assert cells(table, "metric", "total", "met", "breached") == [
            ("first_response", 7, 3, 2),
            ("resolution", 2, 2, 0),
        ]

    def test_internal_targets_side_by_side(self) -> None:
        table = Report(ROWS).attainment(by=["customer"], metric="resolution")
        assert cells(table, "customer", "share_met", "internal_met", "internal_breached",
                     "internal_share_met") == [
            ("acme", 1.0, 0, 1, 0.0),
            ("globex", 1.0, 1, 0, 1.0),
        ]  # fmt: skip

    def test_by_month(self) -> None:
        table = Report(ROWS).attainment(by=["month"], metric="first_response")
        assert cells(table, "month", "total", "met", "breached") == [
            ("2026-11", 4, 2, 1),
            ("2026-12", 3, 1, 1),
        ]

    def test_by_week_and_customer(self) -> None:
        table = Report(ROWS).attainment(by=["customer", "week"], metric="first_response")
        assert cells(table, "customer", "week", "met", "breached", "running", "paused") == [
            ("acme", "2026-W45", 2, 0, 0, 0),
            ("acme", "2026-W46", 0, 1, 1, 0),
            ("globex", "2026-W49", 1, 1, 0, 1),
        ]

    def test_by_row_column(self) -> None:
        table = Report(ROWS).attainment(by=["severity"], metric="first_response")
        assert cells(table, "severity", "total") == [("high", 7)]

    def test_a_field_some_tickets_lack_groups_as_none(self) -> None:
        rows = [dict(ROWS[0], **{"field.region": "emea"}), dict(ROWS[1])]
        table = Report(rows).attainment(by=["region"])
        assert sorted(cells(table, "region", "total"), key=str) == [("emea", 1), (None, 1)]

    def test_unknown_group(self) -> None:
        with pytest.raises(ConfigError, match=r"cannot group by 'plan'; known columns: .*customer"):
            Report(ROWS).attainment(by=["plan"])

    def test_bucket_needs_created_at(self) -> None:
        rows = [{k: v for k, v in ROWS[0].items() if k != "created_at"}]
        with pytest.raises(ConfigError, match=r"cannot group by 'month': rows carry no created_at"):
            Report(rows).attainment(by=["month"])


class TestObjective:
    def test_met_own_target(self) -> None:
        table = Report(ROWS).objective("first_response", 0.9, by=["customer"])
        assert table.title == "Objective: 90% of first_response met"
        # running and paused clocks are undecided and left out
        assert cells(table, "customer", "decided", "hits", "share", "ok", "missed") == [
            ("acme", 3, 2, 2 / 3, False, "A3"),
            ("globex", 2, 1, 0.5, False, "G2"),
        ]

    def test_within(self) -> None:
        table = Report(ROWS).objective("first_response", 0.5, within="6h", by=["customer"])
        assert table.title == "Objective: 50% of first_response within 6h"
        # acme: 1h, 5h hit; 7h missed; A4 running at 2h is undecided.
        # globex: 30m hit; G2 still running at 10h has already missed; G3 paused at 10m
        # is undecided.
        assert cells(table, "customer", "decided", "hits", "share", "ok", "missed") == [
            ("acme", 3, 2, 2 / 3, True, "A3"),
            ("globex", 2, 1, 0.5, True, "G2"),
        ]

    def test_within_is_inclusive(self) -> None:
        table = Report(ROWS).objective("first_response", 1.0, within="1h", by=["customer"])
        # A1 took exactly 1h: a hit; A4 running at 2h has missed
        assert cells(table, "customer", "decided", "hits", "missed") == [
            ("acme", 4, 1, "A2,A3,A4"),
            ("globex", 2, 1, "G2"),
        ]

    def test_running_clock_breached_on_its_own_target_is_undecided_within(self) -> None:
        # target 1h, 2h used and still running: breached, but may still answer in 6h
        rows = [row("X", "first_response", "breached", 2, share_used=2.0)]
        assert cells(Report(rows).objective("first_response", 0.9), "decided", "hits") == [(1, 0)]
        within = Report(rows).objective("first_response", 0.9, within="6h")
        assert cells(within, "decided", "hits", "share", "ok") == [(0, 0, None, None)]

    @pytest.mark.parametrize("share", [0, 1.5, -0.1])
    def test_share_out_of_range(self, share: float) -> None:
        with pytest.raises(ConfigError, match=r"objective share .* must be in \(0, 1\]"):
            Report(ROWS).objective("first_response", share)


class TestPercentiles:
    def test_nearest_rank_of_stopped_clocks(self) -> None:
        table = Report(ROWS).percentiles("first_response", by=["customer"])
        # acme stopped: 1h, 5h, 7h; globex stopped: 30m (G2 and G3 never stopped)
        assert cells(table, "customer", "count", "p50", "p90", "p95") == [
            ("acme", 3, timedelta(hours=5), timedelta(hours=7), timedelta(hours=7)),
            ("globex", 1, timedelta(minutes=30), timedelta(minutes=30), timedelta(minutes=30)),
        ]

    def test_custom_quantiles(self) -> None:
        table = Report(ROWS).percentiles("first_response", q=(25, 50, 100))
        # all stopped: 30m, 1h, 5h, 7h
        assert cells(table, "count", "p25", "p50", "p100") == [
            (4, timedelta(minutes=30), timedelta(hours=1), timedelta(hours=7))
        ]


class TestBreaches:
    def test_list(self) -> None:
        table = Report(ROWS).breaches(by=["customer"])
        assert cells(table, "customer", "ticket_id", "metric", "late_business", "late_wall") == [
            ("acme", "A3", "first_response", timedelta(hours=1), timedelta(hours=17)),
            ("globex", "G2", "first_response", timedelta(hours=2), timedelta(hours=2)),
        ]
        assert table[0].deadline == datetime(2026, 11, 5, 16, tzinfo=EST)

    def test_grouped_by_any_field(self) -> None:
        rows = [dict(r, **{"field.region": "emea" if r["ticket_id"] == "G2" else "us"})
                for r in ROWS]  # fmt: skip
        table = Report(rows).breaches(by=["region", "severity"])
        assert cells(table, "region", "severity", "ticket_id") == [
            ("emea", "high", "G2"),
            ("us", "high", "A3"),
        ]
        assert "customer" not in table.records()[0]

    def test_ungrouped(self) -> None:
        assert cells(Report(ROWS).breaches(), "ticket_id") == [("A3",), ("G2",)]

    def test_filter_by_metric(self) -> None:
        assert len(Report(ROWS).breaches(metric="resolution")) == 0


POLICY = Policy.model_validate(
    {
        "name": "always",
        "calendars": {"always": {"preset": "24x7", "timezone": "UTC"}},
        "default_calendar": "always",
        "severities": {"high": {"first_response": "1h", "resolution": "4h"}},
    }
)


def ticket(tid: str, customer: str, created: str, *events: tuple[str, str]) -> Ticket:
    evs: list[dict[str, str]] = []
    for at, kind in events:
        ev = {"at": at, "type": kind}
        if kind == "solved":
            ev = {"at": at, "type": "status", "status": "solved"}
        evs.append(ev)
    return Ticket.model_validate(
        {"id": tid, "created_at": created, "severity": "high", "fields": {"customer": customer},
         "events": evs}
    )  # fmt: skip


class TestEvaluatedTickets:
    """On a 24x7 calendar business time is wall time, so every figure is plain arithmetic."""

    @pytest.fixture
    def report(self) -> Report:
        tickets = [
            ticket("K1", "a", "2026-03-02T10:00:00Z",
                   ("2026-03-02T10:30:00Z", "agent_reply"), ("2026-03-02T12:00:00Z", "solved")),
            ticket("K2", "a", "2026-03-03T10:00:00Z",
                   ("2026-03-03T11:30:00Z", "agent_reply"), ("2026-03-03T15:00:00Z", "solved")),
            ticket("K3", "b", "2026-04-01T10:00:00Z", ("2026-04-01T10:45:00Z", "agent_reply")),
        ]  # fmt: skip
        now = datetime(2026, 4, 1, 12, tzinfo=UTC)
        return Report.from_results((t, evaluate(t, POLICY, now=now)) for t in tickets)

    def test_attainment(self, report: Report) -> None:
        table = report.attainment(by=["customer", "month"])
        assert cells(table, "customer", "month", "metric", "met", "breached", "running") == [
            ("a", "2026-03", "first_response", 1, 1, 0),
            ("a", "2026-03", "resolution", 1, 1, 0),
            ("b", "2026-04", "first_response", 1, 0, 0),
            ("b", "2026-04", "resolution", 0, 0, 1),
        ]

    def test_objective(self, report: Report) -> None:
        table = report.objective("first_response", 0.9, within="1h", by=["customer"])
        assert cells(table, "customer", "decided", "hits", "share", "ok", "missed") == [
            ("a", 2, 1, 0.5, False, "K2"),
            ("b", 1, 1, 1.0, True, ""),
        ]

    def test_percentiles(self, report: Report) -> None:
        assert cells(report.percentiles("first_response"), "p50", "p90") == [
            (timedelta(minutes=45), timedelta(minutes=90))
        ]
        # only stopped resolutions: 2h and 5h
        assert cells(report.percentiles("resolution", q=(50, 100)), "count", "p50", "p100") == [
            (2, timedelta(hours=2), timedelta(hours=5))
        ]

    def test_breaches(self, report: Report) -> None:
        got = cells(report.breaches(), "ticket_id", "metric", "late_business", "late_wall")
        assert got == [
            ("K2", "first_response", timedelta(minutes=30), timedelta(minutes=30)),
            ("K2", "resolution", timedelta(hours=1), timedelta(hours=1)),
        ]
        assert report.breaches()[0].deadline == datetime(2026, 3, 3, 11, tzinfo=UTC)


class TestDisplay:
    def test_str(self) -> None:
        text = str(Report(ROWS).attainment(by=["customer"], metric="first_response"))
        lines = text.splitlines()
        assert lines[0] == "Attainment"
        assert lines[1].split() == [
            "customer", "metric", "total", "met", "breached", "running", "paused", "share_met",
            "internal_met", "internal_breached", "internal_share_met",
        ]  # fmt: skip
        assert lines[3].split() == ["acme", "first_response", "4", "2", "1", "1", "0", "66.7%",
                                    "0", "0", "—"]  # fmt: skip

    def test_empty_table(self) -> None:
        assert str(Report([]).attainment()) == "Attainment: no rows"

    def test_html_contains_the_rows(self) -> None:
        html = Report(ROWS).breaches(by=["customer"])._repr_html_()
        assert html.startswith("<table><caption>Breaches</caption>")
        assert "<th>ticket_id</th>" in html
        assert "<td>A3</td>" in html
        assert "<td>G2</td>" in html
        assert "<td>globex</td>" in html
        assert html.count("<tr>") == 3  # header and two breaches

    def test_html_escapes(self) -> None:
        rows = [dict(ROWS[0], **{"field.customer": "<Acme & Co>"})]
        html = Report(rows).attainment(by=["customer"])._repr_html_()
        assert "<td>&lt;Acme &amp; Co&gt;</td>" in html


class TestPandas:
    def test_round_trip(self) -> None:
        pytest.importorskip("pandas")
        report = Report(ROWS)
        frame = report.to_pandas()
        assert len(frame) == len(ROWS)
        back = Report.from_pandas(frame)
        assert [dict(r) for r in back.rows] == [dict(r) for r in report.rows]
        # typed: ISO text came back as aware datetimes, empty cells as None
        assert back.rows[0]["stopped_at"] == datetime(2026, 11, 20, 12, tzinfo=EST)
        assert back.rows[3]["stopped_at"] is None
        by = ["customer", "month"]
        assert back.attainment(by=by).records() == report.attainment(by=by).records()

    def test_table_to_pandas(self) -> None:
        pytest.importorskip("pandas")
        frame = Report(ROWS).attainment(by=["customer"], metric="first_response").to_pandas()
        assert list(frame["customer"]) == ["acme", "globex"]
        assert list(frame["met"]) == [2, 1]


class TestPercentileColumns:
    def test_every_group_has_every_column(self) -> None:
        # globex's resolution has no stopped clock, acme's first group has none either:
        # the columns are there, empty.
        rows = [
            row("A1", "resolution", "running", 3, **{"field.customer": "acme"}),
            row("G1", "resolution", "met", 2, stopped_at=STOP, **{"field.customer": "globex"}),
        ]
        table = Report(rows).percentiles("resolution", by=["customer"])
        assert cells(table, "customer", "count", "p50", "p90", "p95") == [
            ("acme", 0, None, None, None),
            ("globex", 1, timedelta(hours=2), timedelta(hours=2), timedelta(hours=2)),
        ]
        text = str(table).splitlines()
        assert text[1].split() == ["customer", "metric", "count", "p50", "p90", "p95"]
        assert text[3].split() == ["acme", "resolution", "0", "—", "—", "—"]

    def test_all_metrics_at_once(self) -> None:
        table = Report(ROWS).percentiles(q=(50,))
        assert cells(table, "metric", "count", "p50") == [
            ("first_response", 4, timedelta(hours=1)),
            ("resolution", 2, timedelta(hours=2)),
        ]

    def test_bad_percentile(self) -> None:
        with pytest.raises(ConfigError, match=r"percentile 101 must be between 0 and 100"):
            Report(ROWS).percentiles(q=(101,))


class TestStreaming:
    """keep_rows=False: the report answers what it was built for, in bounded memory."""

    def test_same_answers_as_a_report_that_keeps_rows(self) -> None:
        by = ["customer", "month"]
        goal = ObjectiveSpec("first_response", 0.5, Duration.parse("6h"))
        streamed = Report(ROWS, by=by, objectives=[goal], keep_rows=False)
        kept = Report(ROWS)
        assert streamed.attainment().records() == kept.attainment(by=by).records()
        assert (
            streamed.objective("first_response", 0.5, within="6h").records()
            == kept.objective("first_response", 0.5, within="6h", by=by).records()
        )
        assert streamed.percentiles().records() == kept.percentiles(by=by).records()
        assert streamed.breaches().records() == kept.breaches(by=by).records()
        assert (len(streamed), streamed.breach_count) == (9, 2)

    def test_undeclared_questions_are_refused(self) -> None:
        report = Report(ROWS, by=["customer"], keep_rows=False)
        with pytest.raises(ConfigError, match=r"keeps no rows .* to ask for by=\['month'\]"):
            report.attainment(by=["month"])
        with pytest.raises(ConfigError, match=r"declare it when building the report"):
            report.objective("first_response", 0.9)
        with pytest.raises(ConfigError, match=r"built with keep_rows=False"):
            _ = report.rows

    def test_top_keeps_the_most_late(self) -> None:
        seen: list[Breach] = []
        report = Report(ROWS, top=1, keep_rows=False, on_breach=seen.append)
        # G2 was 2 business hours late, A3 one
        assert cells(report.breaches(), "ticket_id") == [("G2",)]
        assert report.breaches().note == "(the 1 most late of 2 breached clocks)"
        assert [b.ticket_id for b in seen] == ["A3", "G2"]
        assert report.breach_count == 2

    def test_top_bounds_the_missed_ids(self) -> None:
        goal = ObjectiveSpec("first_response", 1.0, Duration.parse("1h"))
        report = Report(ROWS, objectives=[goal], top=1, keep_rows=False)
        (r,) = report.objective("first_response", 1.0, within="1h")
        # missed: A2 (5h), A3 (7h), A4 (running at 2h), G2 (10h)
        assert (r.decided, r.hits, r.missed_count, r.missed) == (6, 2, 4, ("A2",))

    def test_unknown_group_after_the_rows(self) -> None:
        report = Report(ROWS, by=["colour"], keep_rows=False)
        with pytest.raises(ConfigError, match=r"cannot group by 'colour'; known columns"):
            report.attainment()

    def test_rows_arrive_in_several_batches(self) -> None:
        report = Report(by=["customer"], keep_rows=False)
        report.add(ROWS[:4])
        report.add(ROWS[4:])
        assert cells(report.attainment(metric="first_response"), "customer", "total") == [
            ("acme", 4), ("globex", 3)
        ]  # fmt: skip

    def test_objectives_from_an_agreement(self) -> None:
        class PolicyObjective:  # what Policy.objectives will hold
            metric = "first_response"
            share = 0.5
            within = "6h"
            severities = ("high",)

        report = Report(ROWS, objectives=[PolicyObjective()], keep_rows=False)
        (r,) = report.objective("first_response", 0.5, within="6h", severities=["high"])
        assert (r.decided, r.hits) == (5, 3)

    def test_business_days_are_not_a_within(self) -> None:
        with pytest.raises(ConfigError, match=r"within '2 business days'.*give hours"):
            ObjectiveSpec.parse("first_response:0.9:2bd")


class TestObjectiveSpec:
    def test_parse(self) -> None:
        spec = ObjectiveSpec.parse("first_response:0.9:6h")
        assert (spec.metric, spec.share, spec.within) == (
            "first_response",
            0.9,
            Duration.parse("6h"),
        )
        assert spec.title == "Objective: 90% of first_response within 6h"
        assert ObjectiveSpec.parse("resolution:1").within is None

    @pytest.mark.parametrize("text", ["first_response", "first_response:ninety", ":0.9"])
    def test_malformed(self, text: str) -> None:
        with pytest.raises(ConfigError, match=r"metric:share\[:within\]|names no metric"):
            ObjectiveSpec.parse(text)

    @pytest.mark.parametrize("text", ["x:0", "x:1.5", "x:nan", "x:inf"])
    def test_share_out_of_range(self, text: str) -> None:
        with pytest.raises(ConfigError, match=r"must be in \(0, 1\]"):
            ObjectiveSpec.parse(text)


class TestRendering:
    def test_control_characters_escaped_in_text(self) -> None:
        rows = [dict(ROWS[0], **{"field.customer": "\x1b[31mred\x1b[0m\r\u202eevil"})]
        text = str(Report(rows).attainment(by=["customer"]))
        assert "\x1b" not in text
        assert "\r" not in text
        assert "\u202e" not in text
        assert "\\x1b[31mred\\x1b[0m\\x0d\\u202eevil" in text

    def test_markdown(self) -> None:
        rows = [dict(ROWS[0], **{"field.customer": "a|b"})]
        md = Report(rows).attainment(by=["customer"]).to_markdown()
        lines = md.splitlines()
        assert lines[0] == "## Attainment"
        assert lines[2].startswith("| customer | metric | total |")
        assert lines[3].startswith("|---|---|")
        assert lines[4].startswith("| a\\|b | first_response | 1 | 1 |")

    def test_times_in_a_stated_zone(self) -> None:
        table = Report(ROWS).breaches(by=["customer"])
        utc = table.to_text(tz=ZoneInfo("UTC"))
        assert "2026-11-05 21:00" in utc  # 16:00 -05:00
        assert "2026-11-05 16:00" in table.to_text()


class TestFromFile:
    def test_streams_a_results_file(self, tmp_path: Path) -> None:
        path = tmp_path / "r.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            write_results(ROWS, fh, "jsonl")
        report = Report.from_file(path, by=["customer"], keep_rows=False)
        assert cells(report.attainment(metric="first_response"), "customer", "met") == [
            ("acme", 2), ("globex", 1)
        ]  # fmt: skip


LATE = (
    row("L1", "first_response", "met", 1, stopped_at=STOP, created_at="2026-10-31T21:00:00-04:00"),
)


class TestBucketZone:
    """Buckets are read in one stated zone (issue 10's contract, kept by the streaming
    report)."""

    def test_utc_by_default_and_it_says_so(self) -> None:
        table = Report(LATE).attainment(by=["month"])
        assert table.title == "Attainment (buckets in UTC: no policy or tz given)"
        assert cells(table, "month") == [("2026-11",)]  # 01:00 UTC on 1 November
        assert Report(LATE).attainment().title == "Attainment"

    def test_stated_zone(self) -> None:
        table = Report(LATE, tz="America/New_York").attainment(by=["month"])
        assert table.title == "Attainment (buckets in America/New_York)"
        assert cells(table, "month") == [("2026-10",)]

    def test_policy_zone(self) -> None:
        policy = Policy.model_validate({
            "calendars": {"desk": {"preset": "8x5", "timezone": "America/New_York"}},
            "severities": {"high": {"first_response": "4h"}},
        })  # fmt: skip
        report = Report(LATE, policy=policy, by=["week"], keep_rows=False)
        assert report.tz_name == "America/New_York"
        assert cells(report.attainment(), "week") == [("2026-W44",)]

    def test_unknown_zone(self) -> None:
        with pytest.raises(ConfigError, match=r"unknown time zone 'Mars/Olympus'"):
            Report([], tz="Mars/Olympus")
