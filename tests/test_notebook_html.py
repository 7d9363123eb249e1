"""Notebook views: HTML for a clock, an audit trail and an agreement (slaclock._html),
and the matplotlib plots' zone, legend and shading (slaclock.plot)."""

from __future__ import annotations

from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from slaclock import Policy, Ticket, evaluate
from slaclock._html import explanation_html, metric_html, policy_html
from slaclock.results import ExplainLine, Explanation

POLICY = Path(__file__).resolve().parent / "cases" / "statement" / "policy.toml"
NY = ZoneInfo("America/New_York")
EVIL = '<b onmouseover="x()">T&1</b>'


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.captions: list[str] = []
        self._in_caption = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._in_caption = tag == "caption"

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption":
            self._in_caption = False

    def handle_data(self, data: str) -> None:
        if self._in_caption:
            self.captions.append(data)


def parsed(html: str) -> _Cells:
    p = _Cells()
    p.feed(html)
    return p


@pytest.fixture(scope="module")
def policy() -> Policy:
    return Policy.from_file(POLICY)


@pytest.fixture(scope="module")
def sla(policy: Policy):  # type: ignore[no-untyped-def]
    # Normal, enterprise: first response 2h (internal 1h) on Mon-Fri 09-17 New York.
    # Created Tue 14:00, pending 15:00-16:00 (resolution pauses), answered Wed 10:00.
    ticket = Ticket.model_validate(
        {
            "id": EVIL,
            "created_at": datetime(2026, 11, 3, 14, tzinfo=NY),
            "severity": "normal",
            "plan": "enterprise",
            "fields": {"customer": "acme"},
            "events": [
                {"at": datetime(2026, 11, 3, 15, tzinfo=NY), "type": "status", "status": "pending"},
                {"at": datetime(2026, 11, 3, 16, tzinfo=NY), "type": "status", "status": "open"},
                {"at": datetime(2026, 11, 4, 10, tzinfo=NY), "type": "agent_reply"},
            ],
        }
    )
    return evaluate(ticket, policy, now=datetime(2026, 11, 4, 12, tzinfo=NY))


class TestMetricHtml:
    def test_fields_and_status(self, sla) -> None:  # type: ignore[no-untyped-def]
        fr = sla.get("first_response")
        html = metric_html(fr)
        assert html.startswith("<table><caption>first_response</caption>")
        # 14:00-17:00 and 09:00-10:00: 4h of the 2h target
        assert "<td>4h (200% of target)</td>" in html
        assert 'color:#c62828;font-weight:bold">breached</span>' in html
        assert '<th scope="row">internal target</th><td>1h: ' in html
        assert "Tue 2026-11-03 16:00 EST" in html  # the deadline

    def test_pauses_listed(self, sla) -> None:  # type: ignore[no-untyped-def]
        html = metric_html(sla.get("resolution"))
        assert "pending Tue 2026-11-03 15:00 EST → Tue 2026-11-03 16:00 EST" in html


class TestExplanationHtml:
    def test_rows_and_escaping(self, sla) -> None:  # type: ignore[no-untyped-def]
        html = explanation_html(sla.explain())
        assert "<b " not in html
        assert "Ticket &lt;b onmouseover=&quot;x()&quot;&gt;T&amp;1&lt;/b&gt;" in html
        page = parsed(html)
        assert page.tags.count("tr") == 1 + len(sla.explain())
        assert "paused in &#x27;pending&#x27;" in html

    def test_hand_made_lines(self) -> None:
        t = datetime(2026, 11, 2, 9, tzinfo=NY)
        lines = (
            ExplainLine("first_response", 0, t, t + timedelta(hours=8), True, "open on x",
                        timedelta(hours=8)),
            ExplainLine("first_response", 0, t + timedelta(hours=8), None, False, "<closed>",
                        timedelta(0)),
        )  # fmt: skip
        html = explanation_html(Explanation("T-1", lines))
        assert html.count('<th scope="row">first_response</th>') == 1  # once per clock
        assert "<td>yes</td><td>8h</td><td>open on x</td>" in html
        assert "<td>…</td><td>no</td><td>0s</td><td>&lt;closed&gt;</td>" in html


class TestPolicyHtml:
    def test_a_table_per_plan(self, policy: Policy) -> None:
        html = policy_html(policy)
        page = parsed(html)
        assert page.tags.count("table") == 2
        captions = "".join(page.captions)
        assert "plan standard (default)" in captions
        assert "plan enterprise, extends standard" in captions
        assert html.count('<th scope="row">urgent</th>') == 2
        assert "2h <small" in html
        assert "(internal 1h)" in html
        assert "(internal 3h17m)" in html  # standard normal
        assert "Named support contact: True" in html
        assert "business</strong>: Mon–Fri 09:00-17:00 (America/New_York, 1 holiday rule)" in html

    def test_single_edition_and_escaping(self) -> None:
        policy = Policy.model_validate(
            {
                "name": "<i>Acme</i>",
                "calendars": {"always": {"preset": "24x7", "timezone": "UTC"}},
                "severities": {"high": {"first_response": "1h"}},
            }
        )
        html = policy_html(policy)
        assert "<i>" not in html
        assert "&lt;i&gt;Acme&lt;/i&gt;" in html
        assert parsed(html).tags.count("table") == 1
        assert "around the clock (UTC)" in html


class TestPlots:
    @pytest.fixture(autouse=True)
    def _agg(self) -> None:
        matplotlib = pytest.importorskip("matplotlib")
        matplotlib.use("Agg")

    def test_zone_in_axis_label_and_title(self, sla) -> None:  # type: ignore[no-untyped-def]
        from slaclock.plot import plot_ticket

        ax = plot_ticket(sla)
        assert ax.get_xlabel() == "time (America/New_York)"
        assert ax.get_title().endswith("at 2026-11-04 12:00 America/New_York")
        ax = plot_ticket(sla, tz="Europe/Paris")
        assert ax.get_xlabel() == "time (Europe/Paris)"
        assert ax.get_title().endswith("at 2026-11-04 18:00 Europe/Paris")

    def test_legend_and_internal_deadline(self, sla) -> None:  # type: ignore[no-untyped-def]
        from slaclock.plot import plot_ticket

        ax = plot_ticket(sla)
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert labels == [
            "counted", "closed hours / holiday", "paused", "deadline", "internal deadline",
            "breached", "stopped",
        ]  # fmt: skip
        dashed = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
        assert dashed  # the internal deadline (1h: Tue 15:00)

    def test_span_kinds_follow_explain(self) -> None:
        from slaclock.plot import span_kind

        t = datetime(2026, 11, 2, 9, tzinfo=NY)

        def kind(counted: bool, reason: str) -> str:
            return span_kind(ExplainLine("m", 0, t, t, counted, reason, timedelta(0)))

        assert kind(True, "open on business") == "counted"
        assert kind(False, "closed hours") == "closed"
        assert kind(False, "holiday 2026-11-26 (US)") == "closed"
        assert kind(False, "closed hours (override for 2026-12-24)") == "closed"
        assert kind(False, "paused in 'pending'") == "paused"
        assert kind(False, "solved") == "other"
        assert kind(False, "before the severity change (clock restarted)") == "other"

    def test_attainment_axis_names_the_bucket_zone(self, policy: Policy, sla) -> None:  # type: ignore[no-untyped-def]
        from slaclock.report import Report

        report = Report.from_results([], policy=policy)
        ax = report.plot(bucket="week")
        assert ax.get_xlabel() == "week of creation (America/New_York)"
