"""Reports: attainment, objectives, percentiles and breaches, every expected number
computed by hand from the rows written below."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from slaclock import Policy, Ticket, evaluate
from slaclock.errors import ConfigError
from slaclock.report import AttainmentRow, Report

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
        table = Report(ROWS).breaches()
        assert cells(table, "ticket_id", "metric", "customer", "late_business", "late_wall") == [
            ("A3", "first_response", "acme", timedelta(hours=1), timedelta(hours=17)),
            ("G2", "first_response", "globex", timedelta(hours=2), timedelta(hours=2)),
        ]
        assert table[0].deadline == datetime(2026, 11, 5, 16, tzinfo=EST)

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
        html = Report(ROWS).breaches()._repr_html_()
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
        assert [dict(r) for r in back.rows] == ROWS
        by = ["customer", "month"]
        assert back.attainment(by=by).records() == report.attainment(by=by).records()

    def test_table_to_pandas(self) -> None:
        pytest.importorskip("pandas")
        frame = Report(ROWS).attainment(by=["customer"], metric="first_response").to_pandas()
        assert list(frame["customer"]) == ["acme", "globex"]
        assert list(frame["met"]) == [2, 1]
