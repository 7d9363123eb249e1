"""Customer statements (slaclock.statement), report buckets in a stated zone, and the
``slaclock statement`` command.

The fixture (tests/cases/statement/) is written by hand: a New York desk open Mon–Fri
09:00–17:00 with 2026-11-26 as a holiday, and a 24x7 UTC calendar for urgent tickets.
Enterprise (acme): normal first response 2h (internal 1h), resolution 3 business days;
urgent first response 1h (internal 47m), resolution 8h (internal 6h13m), both 24x7.
Standard (globex, the hostile customer): normal first response 4h (internal 3h17m).
Clocks are evaluated at 2026-12-01 00:00 New York.

acme in November 2026 (worked out by hand):

======  =======  ================================  ====================================
ticket  sev      first response                    resolution
======  =======  ================================  ====================================
A-04    normal   Mon 09:00 -> 10:30: 1h30m, met    solved Wed 12:00 (due Thu 09:00): met
A-05    normal   Tue 14:00 -> Wed 10:00: 4h used,  solved Wed 11:00: met
                 due Tue 16:00: breached, 2h late
                 (business), 18h (wall)
A-06    urgent   Fri 22:00 -> 22:30: met           solved Sat 09:00, due Sat 06:00:
                                                   breached, 3h late
A-07    normal   Wed 25th 16:00 -> 16:30: met      running (due Tue 1 Dec 16:00: the
                                                   26th is a holiday)
A-08    urgent   Mon 30th 10:00, no reply: 14h     no solve: due 18:00, 6h late
                 used, due 11:00, 13h late
======  =======  ================================  ====================================

A-03 (urgent) was created Sat 31 Oct 21:00 New York = 1 Nov 01:00 UTC: in October in
New York, in November in UTC. A-09 is created after the evaluation instant.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from slaclock import Policy, evaluate
from slaclock.cli import main
from slaclock.durations import Duration
from slaclock.errors import ConfigError
from slaclock.io import read_tickets, result_rows
from slaclock.report import Report
from slaclock.statement import (
    ObjectiveSpec,
    Statement,
    build,
    customers,
    parse_objective,
    safe_filename,
)

CASES = Path(__file__).resolve().parent / "cases" / "statement"
POLICY = CASES / "policy.toml"
EVENTS = CASES / "events.csv"
NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 12, 1, 0, 0, tzinfo=NY)
HOSTILE = "<script>alert(\"pwn\")</script> & 'Co'"
HOSTILE_TICKET = 'H-01"><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def policy() -> Policy:
    return Policy.from_file(POLICY)


@pytest.fixture(scope="module")
def pairs(policy: Policy) -> list[tuple[object, object]]:
    tickets = [t for t in read_tickets(EVENTS, grouped=True) if t.created_at <= NOW]
    return [(t, evaluate(t, policy, now=NOW)) for t in tickets]


@pytest.fixture(scope="module")
def report(pairs: list, policy: Policy) -> Report:  # type: ignore[type-arg]
    return Report.from_results(pairs, policy=policy)


@pytest.fixture(scope="module")
def acme(report: Report) -> Statement:
    return report.statement(customer="acme", month="2026-11")


def by_key(rows: object) -> dict[tuple[object, ...], object]:
    return {(r.metric, *r.group): r for r in rows}  # type: ignore[attr-defined]


# -- buckets in a stated zone ----------------------------------------------------------


class TestBucketZone:
    def test_policy_zone_by_default(self, report: Report) -> None:
        assert report.tz_name == "America/New_York"
        table = report.attainment(by=["customer", "month"], metric="first_response")
        assert table.title == "Attainment (buckets in America/New_York)"
        rows = by_key(table)
        # A-03 (Sat 31 Oct 21:00 New York)
        assert rows[("first_response", "acme", "2026-10")].total == 3  # type: ignore[attr-defined]
        assert rows[("first_response", "acme", "2026-11")].total == 5  # type: ignore[attr-defined]

    def test_tz_moves_a_late_evening_ticket(self, pairs: list) -> None:  # type: ignore[type-arg]
        report = Report.from_results(pairs, tz="UTC")
        rows = by_key(report.attainment(by=["customer", "month"], metric="first_response"))
        assert rows[("first_response", "acme", "2026-10")].total == 2  # type: ignore[attr-defined]
        assert rows[("first_response", "acme", "2026-11")].total == 6  # type: ignore[attr-defined]

    def test_day_bucket(self, pairs: list) -> None:  # type: ignore[type-arg]
        # Fri 6 Nov 22:00 New York is Sat 7 Nov 03:00 UTC.
        a06 = [p for p in pairs if p[0].id == "A-06"]
        ny = Report.from_results(a06, tz=NY).attainment(by=["day"])
        utc = Report.from_results(a06, tz=UTC).attainment(by=["day"])
        assert {r.group for r in ny} == {("2026-11-06",)}
        assert {r.group for r in utc} == {("2026-11-07",)}
        assert utc.title == "Attainment (buckets in UTC)"

    def test_without_policy_or_tz_utc_and_it_says_so(self, report: Report) -> None:
        plain = Report(report.rows)
        assert plain.tz_name == "UTC"
        assert plain.attainment(by=["month"]).title == (
            "Attainment (buckets in UTC: no policy or tz given)"
        )
        goal = plain.objective("first_response", 0.9, by=["week"])
        assert goal.title == (
            "Objective: 90% of first_response met (buckets in UTC: no policy or tz given)"
        )
        assert plain.attainment(by=["customer"]).title == "Attainment"

    def test_unknown_zone(self) -> None:
        with pytest.raises(ConfigError, match=r"unknown time zone 'Mars/Olympus'; use an IANA"):
            Report([], tz="Mars/Olympus")

    def test_results_file_with_policy(self, pairs: list, policy: Policy, tmp_path: Path) -> None:  # type: ignore[type-arg]
        from slaclock.io import write_results

        path = tmp_path / "results.jsonl"
        with path.open("w", encoding="utf-8") as out:
            write_results((row for t, s in pairs for row in result_rows(s, t)), out, "jsonl")
        again = Report.from_file(path, policy=policy)
        rows = by_key(again.attainment(by=["customer", "month"], metric="first_response"))
        assert rows[("first_response", "acme", "2026-10")].total == 3  # type: ignore[attr-defined]


# -- the statement's figures ----------------------------------------------------------


class TestFigures:
    def test_header(self, acme: Statement) -> None:
        assert (acme.customer, acme.month, acme.timezone) == ("acme", "2026-11", "America/New_York")
        assert acme.now == NOW
        assert acme.tickets == 5
        assert acme.metrics == ("first_response", "resolution")
        assert acme.severities == ("urgent", "normal")  # the policy's order

    def test_totals(self, acme: Statement) -> None:
        got = [(r.metric, r.total, r.met, r.breached, r.running, r.share_met) for r in acme.totals]
        assert got == [("first_response", 5, 3, 2, 0, 0.6), ("resolution", 5, 2, 2, 1, 0.5)]

    def test_per_severity(self, acme: Statement) -> None:
        got = {
            (r.metric, r.group[0]): (r.total, r.met, r.breached, r.running) for r in acme.attainment
        }
        assert got == {
            ("first_response", "normal"): (3, 2, 1, 0),
            ("first_response", "urgent"): (2, 1, 1, 0),
            ("resolution", "normal"): (3, 2, 0, 1),
            ("resolution", "urgent"): (2, 0, 2, 0),
        }

    def test_breaches_with_lateness(self, acme: Statement) -> None:
        got = [
            (b.breach.ticket_id, b.breach.metric, b.breach.late_business, b.breach.late_wall)
            for b in acme.breaches
        ]
        h = timedelta(hours=1)
        assert got == [
            ("A-05", "first_response", 2 * h, 18 * h),
            ("A-06", "resolution", 3 * h, 3 * h),
            ("A-08", "first_response", 13 * h, 13 * h),
            ("A-08", "resolution", 6 * h, 6 * h),
        ]
        assert acme.breaches[0].breach.deadline == datetime(2026, 11, 3, 16, tzinfo=NY)

    def test_one_explain_line_per_breach(self, acme: Statement) -> None:
        # The counted span in which the target ran out.
        a05 = acme.breaches[0].explanation
        assert a05 is not None
        assert (a05.start, a05.end) == (
            datetime(2026, 11, 3, 14, tzinfo=NY), datetime(2026, 11, 3, 17, tzinfo=NY),
        )  # fmt: skip
        assert a05.counted
        assert a05.reason == "open on business"
        assert a05.business == timedelta(hours=3)
        a06 = acme.breaches[1].explanation
        assert a06 is not None
        assert (a06.start, a06.end) == (
            datetime(2026, 11, 6, 22, tzinfo=NY), datetime(2026, 11, 7, 9, tzinfo=NY),
        )  # fmt: skip

    def test_edition(self, acme: Statement) -> None:
        ed = acme.edition
        assert ed is not None
        assert ed.agreement == "Northwind Support Agreement"
        assert ed.plans == (("enterprise", 5),)
        assert dict(ed.entitlements) == {"Named support contact": True, "Monthly statement": True}
        targets = {(t.severity, t.metric): (t.target, t.calendar, t.internal) for t in ed.targets}
        assert targets[("normal", "first_response")] == ("2h", "business", "1h")
        assert targets[("urgent", "resolution")] == ("8h", "always", "6h13m")
        assert targets[("normal", "resolution")] == ("3 business days", "business", None)

    def test_weekly_periods(self, acme: Statement) -> None:
        # 9 decided clocks < 3 per day: weeks. 1 Nov 2026 is a Sunday (week 44).
        assert acme.granularity == "week"
        assert acme.periods == tuple(f"2026-W{w}" for w in range(44, 50))
        got = {(r.metric, r.group[0]): (r.met, r.breached) for r in acme.by_period}
        assert got[("first_response", "2026-W45")] == (2, 1)
        assert got[("first_response", "2026-W49")] == (0, 1)

    def test_daily_periods(self, report: Report) -> None:
        st = report.statement(customer="acme", month="2026-11", granularity="day")
        assert st.periods[0] == "2026-11-01"
        assert st.periods[-1] == "2026-11-30"
        assert len(st.periods) == 30

    def test_trend_starts_at_the_first_month_with_tickets(self, acme: Statement) -> None:
        assert acme.trend_months == ("2026-10", "2026-11")
        got = {(r.metric, r.group[0]): (r.met, r.breached) for r in acme.trend}
        assert got[("first_response", "2026-10")] == (2, 1)  # A-02 answered after 3h of 2h
        assert got[("resolution", "2026-10")] == (3, 0)

    def test_statement_zone(self, report: Report) -> None:
        st = report.statement(customer="acme", month="2026-11", tz="UTC")
        assert st.timezone == "UTC"
        assert st.tickets == 6  # A-03 moves in

    def test_customer_without_breaches(self, report: Report) -> None:
        st = report.statement(customer="globex", month="2026-11")
        assert st.breaches == ()
        assert [(r.metric, r.met, r.breached) for r in st.totals] == [
            ("first_response", 3, 0), ("resolution", 3, 0),
        ]  # fmt: skip
        assert st.edition is not None
        assert st.edition.plans == (("standard", 3),)

    def test_customer_with_no_ticket_this_month(self, report: Report) -> None:
        st = report.statement(customer="acme", month="2026-12")
        assert (st.tickets, st.totals, st.breaches) == (0, (), ())
        assert "No tickets were opened in December 2026" in st.html()

    def test_customers(self, report: Report) -> None:
        assert customers(report, "2026-11") == sorted([HOSTILE, "acme", "globex"])
        assert customers(report, "2026-10") == ["acme", "globex"]
        assert customers(report, "2026-10", tz="UTC") == ["acme", "globex"]


class TestObjectives:
    def test_within(self, report: Report) -> None:
        goal = ObjectiveSpec("first_response", 0.9, Duration.parse("2h"))
        st = report.statement(customer="acme", month="2026-11", objectives=[goal])
        (o,) = st.objectives
        assert o.goal == "90% within 2h"
        # 1h30m, 30m, 30m within; 4h and A-08 (running, 14h) past 2h.
        assert o.total is not None
        assert (o.total.decided, o.total.hits, o.total.share, o.total.ok) == (5, 3, 0.6, False)
        per = {r.group[0]: (r.decided, r.hits) for r in o.rows}
        assert per == {"normal": (3, 2), "urgent": (2, 1)}

    def test_severity_scope_and_own_target(self, report: Report) -> None:
        goal = ObjectiveSpec("resolution", 0.5, None, ("URGENT",))
        (o,) = report.statement(customer="acme", month="2026-11", objectives=[goal]).objectives
        assert o.goal == "50% met"
        assert o.total is not None
        assert (o.total.decided, o.total.hits, o.total.ok) == (2, 0, False)
        assert [r.group for r in o.rows] == [("urgent",)]

    def test_none_by_default(self, acme: Statement) -> None:
        assert acme.objectives == ()
        assert "attainment is shown alone" in acme.html()

    def test_policy_objectives_are_read(self, pairs: list, policy: Policy) -> None:  # type: ignore[type-arg]
        data = policy.model_dump(mode="json", exclude_unset=True)
        data["objectives"] = [{"metric": "first_response", "share": 0.5}]
        with_goal = Policy.model_validate(data)
        report = Report.from_results(pairs, policy=with_goal)
        (o,) = report.statement(customer="globex", month="2026-11").objectives
        assert o.total is not None
        assert (o.total.decided, o.total.hits, o.total.ok) == (3, 3, True)

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("first_response:0.9:6h", ObjectiveSpec("first_response", 0.9, Duration.parse("6h"))),
            ("resolution:1", ObjectiveSpec("resolution", 1.0, None)),
        ],
    )
    def test_parse(self, text: str, expected: ObjectiveSpec) -> None:
        assert parse_objective(text) == expected

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("first_response", r"objective 'first_response' must look like metric:share"),
            ("first_response:lots", r"must look like metric:share\[:within\]"),
            ("first_response:1.5", r"needs a metric and a share in \(0, 1\]"),
            (":0.5", r"needs a metric"),
            ("first_response:0.9:1d", r"ambiguous"),
        ],
    )
    def test_parse_errors(self, text: str, message: str) -> None:
        with pytest.raises(ConfigError, match=message):
            parse_objective(text)


class TestErrors:
    @pytest.mark.parametrize("month", ["2026-13", "2026-1", "Nov 2026", "2026-11-01"])
    def test_bad_month(self, report: Report, month: str) -> None:
        with pytest.raises(ConfigError, match=rf"month {month!r} must be written YYYY-MM"):
            report.statement(customer="acme", month=month)

    def test_unknown_customer_names_the_known(self, report: Report) -> None:
        with pytest.raises(ConfigError, match=r"no ticket has customer = 'acne'; known: .*'acme'"):
            report.statement(customer="acne", month="2026-11")

    def test_unknown_field(self, report: Report) -> None:
        with pytest.raises(ConfigError, match=r"no ticket has a field 'organization'.*customer"):
            report.statement(customer="acme", month="2026-11", by="organization")

    def test_bounds(self, report: Report) -> None:
        with pytest.raises(ConfigError, match=r"trend_months 0 must be between 1 and 36"):
            build(report, customer="acme", month="2026-11", trend_months=0)
        with pytest.raises(ConfigError, match=r"granularity 'hour' must be"):
            build(report, customer="acme", month="2026-11", granularity="hour")  # type: ignore[arg-type]

    def test_rows_without_created_at(self, report: Report) -> None:
        rows = [{k: v for k, v in r.items() if k != "created_at"} for r in report.rows]
        with pytest.raises(ConfigError, match=r"a statement needs created_at"):
            Report(rows).statement(customer="acme", month="2026-11")


# -- the page ---------------------------------------------------------------------------


class _Outline(HTMLParser):
    """Tags, attributes and text of a page, for structural checks without a browser."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def outline(html: str) -> _Outline:
    parser = _Outline()
    parser.feed(html)
    return parser


class TestPage:
    def test_self_contained(self, acme: Statement) -> None:
        html = acme.html()
        assert html.startswith("<!DOCTYPE html>")
        page = outline(html)
        names = [t for t, _ in page.tags]
        assert "script" not in names
        assert "link" not in names
        assert "img" not in names
        for _, attrs in page.tags:
            assert not {"src", "href"} & set(attrs)
            assert not any(k.startswith("on") for k in attrs)
        assert "url(" not in html
        assert "@import" not in html
        # the only URL is the SVG namespace
        assert set(re.findall(r"https?://[^\s\"']+", html)) == {"http://www.w3.org/2000/svg"}

    def test_accessibility_basics(self, acme: Statement) -> None:
        page = outline(acme.html())
        assert [t for t, _ in page.tags].count("h1") == 1
        tables = [t for t, _ in page.tags if t == "table"]
        assert len(tables) >= 4
        col_headers = [a for t, a in page.tags if t == "th" and a.get("scope") == "col"]
        assert len(col_headers) >= 4 * 2
        svgs = [a for t, a in page.tags if t == "svg"]
        assert len(svgs) == 2
        for a in svgs:
            assert a.get("role") == "img"
            assert a.get("aria-labelledby")
        assert ("html", {"lang": "en"}) in page.tags

    def test_one_metric_order_in_both_charts(self, report: Report) -> None:
        # globex has no resolution clock decided in week 46 and acme none in week 44: the
        # series (and so the colours) still come in the agreement's order in both charts.
        for customer in ("acme", "globex"):
            html = report.statement(customer=customer, month="2026-11").html()
            legends = re.findall(r'class="legend-item" data-series="([^"]+)"', html)
            assert legends == ["First response", "Resolution"] * 2

    def test_figures_carry_their_values(self, acme: Statement) -> None:
        html = acme.html()
        assert '<span data-figure="tickets" data-value="5">5</span>' in html
        assert '<span data-figure="share_met" data-value="0.6">60.0%</span>' in html
        assert '<span data-figure="late_wall" data-value="64800.0">18h</span>' in html
        assert "Tue 3 Nov 2026 16:00" in html  # A-05's deadline, New York
        assert "Tue 3 Nov 2026 14:00 → 17:00: counted 3h (open on business)" in html
        assert "America/New_York" in html
        assert "Tue 1 Dec 2026 00:00" in html  # as of

    def test_times_in_the_statement_zone(self, report: Report) -> None:
        html = report.statement(customer="acme", month="2026-11", tz="Europe/Paris").html()
        assert "Tue 3 Nov 2026 22:00" in html  # A-05's deadline, 16:00 New York
        assert "Europe/Paris" in html

    def test_no_internal_figures_unless_asked(self, report: Report) -> None:
        for customer in ("acme", "globex"):
            html = report.statement(customer=customer, month="2026-11").html()
            assert "internal" not in html.lower()
            for private in ("3h17m", "47m", "6h13m"):
                assert private not in html
        html = report.statement(customer="globex", month="2026-11", internal=True).html()
        assert "Internal edition" in html
        assert "internal 3h17m" in html
        assert 'data-figure="internal_breached" data-value="2"' in html  # G-03, G-04

    def test_hostile_customer_and_ticket_are_escaped(self, report: Report) -> None:
        st = report.statement(customer=HOSTILE, month="2026-11")
        html = st.html()
        assert "<script" not in html
        assert "<img" not in html
        assert "&lt;script&gt;alert(&quot;pwn&quot;)&lt;/script&gt; &amp; &#x27;Co&#x27;" in html
        assert "H-01&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
        page = outline(html)
        assert HOSTILE in "".join(page.text)
        assert HOSTILE_TICKET in "".join(page.text)
        assert not [a for _, a in page.tags if any(k.startswith("on") for k in a)]

    def test_write(self, acme: Statement, tmp_path: Path) -> None:
        path = acme.write(tmp_path / "acme.html")
        assert path.read_text(encoding="utf-8") == acme.html()
        assert acme._repr_html_() == acme.html()


class TestFilenames:
    @pytest.mark.parametrize(
        ("customer", "expected"),
        [("acme", "acme-2026-11.html"), ("Globex.Corp", "Globex.Corp-2026-11.html")],
    )
    def test_plain(self, customer: str, expected: str) -> None:
        assert safe_filename(customer, "2026-11") == expected

    @pytest.mark.parametrize("customer", ["../../etc/passwd", "a/b", "..", "", HOSTILE, "C:\\x"])
    def test_cannot_leave_the_folder(self, customer: str) -> None:
        name = safe_filename(customer, "2026-11")
        assert "/" not in name
        assert "\\" not in name
        assert not name.startswith(".")
        assert re.fullmatch(r"[A-Za-z0-9._-]+-2026-11\.html", name)

    def test_distinct_names_stay_distinct(self) -> None:
        assert safe_filename("a b", "2026-11") != safe_filename("a_b", "2026-11")
        assert safe_filename("a b", "2026-11") != safe_filename("a/b", "2026-11")


# -- the command ------------------------------------------------------------------------

ARGS = ["statement", str(EVENTS), "--policy", str(POLICY), "--month", "2026-11",
        "--now", "2026-12-01T00:00:00-05:00", "--grouped", "--no-progress"]  # fmt: skip


class TestCommand:
    def test_one_customer(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        out = tmp_path / "acme.html"
        assert main([*ARGS, "--customer", "acme", "-o", str(out)]) == 0
        printed = capsys.readouterr().out
        assert f"{out}  (acme: 5 tickets, 4 breaches)" in printed
        html = out.read_text(encoding="utf-8")
        assert '<span data-figure="tickets" data-value="5">5</span>' in html
        assert "internal" not in html.lower()

    def test_all_customers(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        folder = tmp_path / "statements"
        assert main([*ARGS, "--all-customers", str(folder)]) == 0
        printed = capsys.readouterr().out
        names = sorted(p.name for p in folder.iterdir())
        assert names == sorted(
            ["acme-2026-11.html", "globex-2026-11.html", safe_filename(HOSTILE, "2026-11")]
        )
        assert "3 statements for 2026-11" in printed
        assert "1 ticket(s) of 2026-11 have no 'customer': in no statement" in printed  # N-01

    def test_objective_timezone_internal(self, tmp_path: Path) -> None:
        out = tmp_path / "acme.html"
        argv = [*ARGS, "--customer", "acme", "-o", str(out), "--timezone", "UTC", "--internal",
                "--objective", "first_response:0.9:2h"]  # fmt: skip
        assert main(argv) == 0
        html = out.read_text(encoding="utf-8")
        assert '<span data-figure="tickets" data-value="6">6</span>' in html  # A-03 in UTC
        assert "90% within 2h" in html
        assert "Internal edition" in html

    def test_stdout_and_fail_on_breach(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert main([*ARGS, "--customer", "acme", "-o", "-", "--fail-on-breach"]) == 1
        assert capsys.readouterr().out.startswith("<!DOCTYPE html>")
        assert main([*ARGS, "--customer", "globex", "-o", "-", "--fail-on-breach"]) == 0

    def test_default_now_is_the_end_of_a_past_month(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        events = tmp_path / "events.csv"
        events.write_text(
            "ticket_id,at,type,status,severity,plan,customer\n"
            "X-1,2025-03-03T09:00:00-05:00,created,,normal,standard,initech\n",
            encoding="utf-8",
        )
        out = tmp_path / "x.html"
        argv = ["statement", str(events), "--policy", str(POLICY), "--month", "2025-03",
                "--customer", "initech", "-o", str(out)]  # fmt: skip
        assert main(argv) == 0
        assert "as of 2025-04-01T00:00:00-04:00" in capsys.readouterr().out
        html = out.read_text(encoding="utf-8")
        # never answered: 4h of the 1 March business day, breached; still running at the
        # end of the month
        assert "Tue 1 Apr 2025 00:00" in html
        assert '<span data-figure="breach_count" data-value="2">2</span>' in html

    def test_errors(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        assert main([*ARGS, "--customer", "nobody"]) == 2
        err = capsys.readouterr().err
        assert "no ticket created from 2026-06-01 to 2026-11 has customer = 'nobody'" in err
        assert "'acme'" in err
        assert main([*ARGS, "--all-customers", str(tmp_path), "-o", "x.html"]) == 2
        assert "--output 'x.html' goes with --customer" in capsys.readouterr().err
        assert main([*ARGS[:4], "--month", "11/2026", "--customer", "acme"]) == 2
        assert "month '11/2026' must be written YYYY-MM" in capsys.readouterr().err
        # usage errors are exit 2 with argparse's message, never a SystemExit from main
        assert main([*ARGS, "--customer", "acme", "--all-customers", str(tmp_path)]) == 2
        assert "not allowed with argument --customer" in capsys.readouterr().err
