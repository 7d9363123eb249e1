"""The example agreements of ``examples/policies`` and their sample tickets.

Every TOML agreement loads, round-trips through JSON, and the sample tickets of
``examples/tickets/<policy>.json`` replay to the deadlines and statuses written below by
hand (worked out on paper from the agreement's text, never by calling slaclock).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from slaclock import ConfigError, Policy, Ticket, UnknownPlanError, evaluate

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "examples" / "policies"
TICKETS = ROOT / "examples" / "tickets"
POLICY_FILES = sorted(POLICIES.glob("*.toml"))

NY = ZoneInfo("America/New_York")
CHI = ZoneInfo("America/Chicago")
LA = ZoneInfo("America/Los_Angeles")
LON = ZoneInfo("Europe/London")
BER = ZoneInfo("Europe/Berlin")
SYD = ZoneInfo("Australia/Sydney")


def policy(name: str) -> Policy:
    return Policy.from_file(POLICIES / f"{name}.toml")


def tickets(name: str) -> dict[str, Ticket]:
    raw = json.loads((TICKETS / f"{name}.json").read_text(encoding="utf-8"))
    return {t["id"]: Ticket.model_validate(t) for t in raw}


def at(*args: int, tz: Any = UTC) -> datetime:
    return datetime(*args, tzinfo=tz)


# -- every example loads ------------------------------------------------------------------


def test_the_three_examples_exist() -> None:
    names = {p.stem for p in POLICY_FILES}
    assert {"four_severity", "live_chat_regions", "basic_premium", "saas_segments"} <= names


@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: p.stem)
class TestEveryExample:
    def test_loads(self, path: Path) -> None:
        p = Policy.from_file(path)
        assert p.name

    def test_starts_with_an_explanation(self, path: Path) -> None:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# ")

    def test_is_explained_in_the_docs(self, path: Path) -> None:
        docs = (ROOT / "docs" / "agreements.md").read_text(encoding="utf-8")
        assert f"examples/policies/{path.name}" in docs

    def test_has_sample_tickets(self, path: Path) -> None:
        assert len(tickets(path.stem)) >= 4

    def test_sample_tickets_evaluate(self, path: Path) -> None:
        p = Policy.from_file(path)
        for t in tickets(path.stem).values():
            assert evaluate(t, p).metrics

    def test_round_trips_through_json_without_defaults(self, path: Path) -> None:
        p = Policy.from_file(path)
        dumped = p.model_dump(mode="json", exclude_unset=True)
        json.dumps(dumped)  # plain JSON data
        assert Policy.model_validate(dumped) == p

    def test_round_trips_through_json_with_defaults(self, path: Path) -> None:
        p = Policy.from_file(path)
        assert Policy.model_validate(p.model_dump(mode="json")) == p

    def test_round_trip_measures_the_same(self, path: Path) -> None:
        p = Policy.from_file(path)
        q = Policy.model_validate(json.loads(json.dumps(p.model_dump(mode="json"))))
        for t in tickets(path.stem).values():
            assert evaluate(t, q) == evaluate(t, p)


def test_json_schema() -> None:
    schema = Policy.model_json_schema()
    json.dumps(schema)
    for key in ("calendars", "severities", "plans", "versions", "calendar_by", "warn_at"):
        assert key in schema["properties"]


# -- four_severity.toml -------------------------------------------------------------------


class TestFourSeverity:
    p = policy("four_severity")
    t = tickets("four_severity")

    def test_low_within_one_business_day(self) -> None:
        # Monday 15:00 New York (no customer zone given) -> Tuesday 15:00; replied 14:30.
        m = evaluate(self.t["FS-1"], self.p).get("first_response")
        assert (m.status, m.deadline) == ("met", at(2026, 1, 6, 15, tz=NY))
        assert m.calendar == "business"

    def test_medium_in_the_customers_zone(self) -> None:
        # Berlin Friday 10:00: 7 h on Friday (to 17:00), 5 h on Monday from 08:00 -> 13:00.
        m = evaluate(self.t["FS-2"], self.p).get("first_response")
        assert m.status == "breached"
        assert m.deadline == at(2026, 1, 12, 13, tz=BER)
        assert m.breached_at == at(2026, 1, 12, 13, tz=BER)
        assert m.calendar == "business@Europe/Berlin"

    def test_high_running_and_at_risk(self) -> None:
        # Los Angeles Thursday 16:00: 1 h Thursday, 5 h Friday from 08:00 -> Friday 13:00.
        now = at(2026, 1, 9, 12, tz=LA)
        sla = evaluate(self.t["FS-3"], self.p, now=now)
        m = sla.get("first_response")
        assert (m.status, m.deadline) == ("running", at(2026, 1, 9, 13, tz=LA))
        assert m.business_elapsed == timedelta(hours=5)
        assert m.at_risk
        assert m.warning == 0.75
        assert m.wall_remaining == timedelta(hours=1)
        # 5 business days: Thursday 16:00 -> the next Thursday 16:00.
        r = sla.get("resolution")
        assert (r.status, r.deadline) == ("running", at(2026, 1, 15, 16, tz=LA))

    def test_high_next_change_is_the_half_way_warning(self) -> None:
        # 50 % of 6 h = 3 h: 1 h on Thursday, then Friday 08:00 + 2 h.
        sla = evaluate(self.t["FS-3"], self.p)
        assert sla.next_change(at(2026, 1, 8, 16, 5, tz=LA)) == at(2026, 1, 9, 10, tz=LA)
        assert sla.next_change(at(2026, 1, 9, 10, tz=LA)) == at(2026, 1, 9, 11, 30, tz=LA)

    def test_critical_runs_around_the_clock_and_pauses_in_pending(self) -> None:
        # Saturday 03:00 UTC; acknowledged 03:45 (due 04:00). Resolution: 1 h counted,
        # pending 04:00-10:00 not counted, 23 h more from 10:00 -> Sunday 09:00 UTC.
        sla = evaluate(self.t["FS-4"], self.p)
        fr, res = sla.get("first_response"), sla.get("resolution")
        assert (fr.status, fr.deadline) == ("met", at(2026, 1, 10, 4))
        assert (res.status, res.deadline) == ("met", at(2026, 1, 11, 9))
        assert res.business_elapsed == timedelta(hours=23)
        assert [(pz.start, pz.end, pz.status) for pz in res.pauses] == [
            (at(2026, 1, 10, 4), at(2026, 1, 10, 10), "pending")
        ]

    def test_email_desk_is_closed_on_saturday_only(self) -> None:
        # Email, Friday 20:00 NY: 4 h Friday, Saturday closed, Sunday 00:00 + 8 h = 08:00.
        m = evaluate(self.t["FS-5"], self.p).get("first_response")
        assert (m.status, m.deadline, m.calendar) == (
            "met",
            at(2026, 1, 11, 8, tz=NY),
            "email_desk",
        )

    def test_critical_email_still_runs_24x7(self) -> None:
        # The critical target names its calendar, so the channel rule does not apply.
        sla = evaluate(self.t["FS-6"], self.p, now=at(2026, 1, 10, 14, tz=NY))
        m = sla.get("first_response")
        assert (m.status, m.calendar) == ("breached", "always")
        assert m.deadline == m.breached_at == at(2026, 1, 10, 13, tz=NY)

    def test_critical_assign_and_escalate_within_the_hour(self) -> None:
        # FS-9 (critical, Wed 02:00 UTC): assigned 02:20, answered 02:40, escalated to
        # tier-2 at 03:30 - half an hour after its 1 h (24x7) escalation deadline.
        sla = evaluate(self.t["FS-9"], self.p)
        assign = sla.get("time_to_assign")
        assert (assign.status, assign.business_elapsed) == ("met", timedelta(minutes=20))
        esc = sla.get("escalation")
        assert (esc.status, esc.breached_at, esc.stopped_at) == (
            "breached",
            at(2026, 1, 7, 3),
            at(2026, 1, 7, 3, 30),
        )
        assert sla.get("first_response").status == "met"
        # only critical tickets have these targets
        assert "time_to_assign" not in {m.name for m in evaluate(self.t["FS-1"], self.p)}

    def test_calendars(self) -> None:
        terms = self.p.terms_for(None, at(2026, 1, 5))
        email = terms.calendars["email_desk"]
        assert email.is_open(at(2026, 1, 11, 3, tz=NY))  # Sunday night
        assert not email.is_open(at(2026, 1, 10, 12, tz=NY))  # Saturday
        assert terms.calendars["business"].describe().to_config() == {
            d: ["08:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")
        }


# -- live_chat_regions.toml ---------------------------------------------------------------


class TestLiveChatRegions:
    p = policy("live_chat_regions")
    t = tickets("live_chat_regions")

    def test_us_friday_cutoff_is_one_instant(self) -> None:
        terms = self.p.terms_for("other", at(2026, 1, 9))
        saturday = at(2026, 1, 10, 12)
        closes = {
            name: terms.calendars[name].previous_close(saturday)
            for name in ("us_east", "us_central", "us_pacific")
        }
        assert closes["us_east"] == at(2026, 1, 9, 20, tz=NY)
        assert closes["us_central"] == at(2026, 1, 9, 19, tz=CHI)
        assert closes["us_pacific"] == at(2026, 1, 9, 17, tz=LA)
        assert len(set(closes.values())) == 1  # 01:00 UTC on Saturday

    def test_pacific_and_eastern_chats_of_the_same_instant(self) -> None:
        # LC-1 (Pacific 16:50) and LC-2 (Eastern 19:50) arrive together, 10 minutes before
        # the cut-off: both count 10 minutes on Friday, then resume at their Monday 00:00.
        saturday = at(2026, 1, 10, 12)
        pac = evaluate(self.t["LC-1"], self.p, now=saturday).get("first_response")
        east = evaluate(self.t["LC-2"], self.p, now=saturday).get("first_response")
        assert pac.calendar == "us_pacific"
        assert east.calendar == "us_east"
        assert pac.business_elapsed == east.business_elapsed == timedelta(minutes=10)
        assert pac.status == east.status == "running"
        assert pac.deadline == at(2026, 1, 12, 0, 5, tz=LA)
        assert east.deadline == at(2026, 1, 12, 0, 5, tz=NY)

    def test_pacific_reply_on_monday_is_met(self) -> None:
        m = evaluate(self.t["LC-1"], self.p).get("first_response")
        assert (m.status, m.deadline) == ("met", at(2026, 1, 12, 0, 5, tz=LA))

    def test_eastern_breached_on_monday(self) -> None:
        now = at(2026, 1, 12, 0, 10, tz=NY)
        m = evaluate(self.t["LC-2"], self.p, now=now).get("first_response")
        assert (m.status, m.breached_at) == ("breached", at(2026, 1, 12, 0, 5, tz=NY))

    def test_central_closes_at_19(self) -> None:
        # Friday 18:55 Central: 5 minutes, then Monday 00:00 + 10 minutes.
        m = evaluate(self.t["LC-7"], self.p).get("first_response")
        assert (m.calendar, m.deadline) == ("us_central", at(2026, 1, 12, 0, 10, tz=CHI))

    def test_enterprise_apac(self) -> None:
        sla = evaluate(self.t["LC-3"], self.p)
        fr = sla.get("first_response")
        assert (fr.status, fr.deadline, fr.calendar) == (
            "met",
            at(2026, 1, 12, 9, 5, tz=SYD),
            "apac",
        )
        nr = sla.get("next_reply", 1)
        assert (nr.status, nr.breached_at) == ("breached", at(2026, 1, 12, 9, 40, tz=SYD))
        res = sla.get("resolution")
        assert (res.status, res.deadline) == ("met", at(2026, 1, 14, 9, tz=SYD))

    def test_enterprise_urgent_across_the_weekend(self) -> None:
        # Friday 23:59 London: 1 minute on Friday, then Monday 00:00 + 1 minute.
        m = evaluate(self.t["LC-4"], self.p).get("first_response")
        assert (m.status, m.deadline) == ("met", at(2026, 1, 12, 0, 1, tz=LON))

    def test_unknown_region_and_no_plan_use_the_defaults(self) -> None:
        sla = evaluate(self.t["LC-5"], self.p)
        assert sla.plan == "other"
        m = sla.get("first_response")
        assert (m.calendar, m.status, m.breached_at) == (
            "uk_eu",
            "breached",
            at(2026, 1, 13, 10, 15),
        )

    def test_email_is_answered_on_office_hours_by_region(self) -> None:
        # LC-8: email from us-east, Fri 16:30 Eastern: 15 minutes of office hours (09-17),
        # due 16:45 on Friday; answered Monday 09:10 after 30m + 10m.
        m = evaluate(self.t["LC-8"], self.p).get("first_response")
        assert (m.calendar, m.status, m.breached_at) == (
            "office_new_york",
            "breached",
            at(2026, 1, 9, 16, 45, tz=NY),
        )
        assert m.business_elapsed == timedelta(minutes=40)
        # LC-9: "UK"/"Email" (any case), Fri 17:20 London: 10 minutes to the 17:30 close,
        # 5 more from Monday 09:00; answered 09:05 sharp: met at its deadline.
        m = evaluate(self.t["LC-9"], self.p).get("first_response")
        assert (m.calendar, m.status, m.deadline) == (
            "office_london",
            "met",
            at(2026, 1, 12, 9, 5, tz=LON),
        )

    def test_upgrade_applies_retroactively(self) -> None:
        # 15 minutes as "other" would be met at 10:07; enterprise's 5 minutes, counted from
        # creation, were over at 10:05.
        sla = evaluate(self.t["LC-6"], self.p)
        assert sla.plan == "enterprise"
        m = sla.get("first_response")
        assert (m.status, m.deadline) == ("breached", at(2026, 1, 13, 10, 5))

    def test_entitlements(self) -> None:
        jan = at(2026, 1, 5)
        enterprise = self.p.terms_for("enterprise", jan).entitlements
        other = self.p.terms_for("other", jan).entitlements
        features = {
            "customer_success_manager",
            "quarterly_business_reviews",
            "incident_reporting",
            "monthly_reporting",
        }
        assert enterprise == dict.fromkeys(features, True)
        assert other == dict.fromkeys(features, False)
        assert self.p.terms_for(None, jan).plan == "other"

    def test_extends_overrides_only_what_differs(self) -> None:
        jan = at(2026, 1, 5)
        other = self.p.terms_for("other", jan)
        ent = self.p.terms_for("enterprise", jan)
        assert str(ent.target("normal", "first_response").within) == "5m"
        assert str(ent.target("urgent", "first_response").within) == "2m"
        assert str(other.target("normal", "first_response").within) == "15m"
        for sev in ("normal", "urgent"):
            for metric in ("next_reply", "resolution"):
                assert ent.target(sev, metric) == other.target(sev, metric)
        assert ent.calendars == other.calendars
        assert ent.calendar_by == other.calendar_by


# -- basic_premium.toml -------------------------------------------------------------------


class TestSaasSegments:
    p = policy("saas_segments")
    t = tickets("saas_segments")

    def test_an_organisation_not_listed_is_free(self) -> None:
        # SA-1: 2 business days from Mon 10:00 = Wed 10:00; answered Wed 09:00
        sla = evaluate(self.t["SA-1"], self.p)
        assert (sla.plan, sla.rule) == ("free", None)
        fr = sla.get("first_response")
        assert (fr.status, fr.deadline) == ("met", at(2026, 1, 7, 10, tz=NY))

    def test_a_paid_chat(self) -> None:
        # SA-2 (Umbrella, any case): 30 min from Tue 16:50 = 10 min + Wed 08:00-08:20
        sla = evaluate(self.t["SA-2"], self.p)
        assert (sla.plan, sla.rule) == ("paid_chat", "paid chat")
        fr = sla.get("first_response")
        assert (fr.status, fr.breached_at) == ("breached", at(2026, 1, 7, 8, 20, tz=NY))

    def test_enterprise_urgent_email_around_the_clock(self) -> None:
        # SA-3: Sat 03:00 UTC, 1 h on 24x7 (internal 30 min); answered 03:40
        fr = evaluate(self.t["SA-3"], self.p).get("first_response")
        assert (fr.status, fr.calendar, fr.deadline) == ("met", "always", at(2026, 1, 10, 4))
        assert fr.internal is not None
        assert (fr.internal.status, fr.internal.breached_at) == ("breached", at(2026, 1, 10, 3, 30))

    def test_moving_the_organisation_changes_the_plan(self) -> None:
        # SA-4: created 10:00 as newco (free); moved to Globex at 10:05: enterprise chat,
        # 10 minutes from creation (retroactive), answered 10:12
        sla = evaluate(self.t["SA-4"], self.p)
        assert (sla.plan, sla.rule) == ("enterprise_chat", "enterprise chat")
        fr = sla.get("first_response")
        assert (fr.status, fr.breached_at) == ("breached", at(2026, 1, 6, 10, 10, tz=NY))

    def test_paid_next_reply(self) -> None:
        # SA-5: customer 11:00 Mon, 8 business hours: Mon 11-17 (6h) + Tue 08-10 -> 10:00;
        # answered Tue 09:00
        nr = evaluate(self.t["SA-5"], self.p).get("next_reply", 1)
        assert (nr.status, nr.deadline, nr.business_elapsed) == (
            "met",
            at(2026, 1, 6, 10, tz=NY),
            timedelta(hours=7),
        )

    def test_chat_plans_override_only_the_first_response(self) -> None:
        jan = at(2026, 1, 5)
        chat = self.p.terms_for("enterprise_chat", jan).severities["urgent"]
        assert str(chat["first_response"].within) == "5m"
        assert str(chat["resolution"].within) == "2 business days"  # from enterprise
        assert str(chat["next_reply"].within) == "8h"  # from paid


class TestBasicPremium:
    p = policy("basic_premium")
    t = tickets("basic_premium")

    def test_basic_is_the_default_plan(self) -> None:
        # Monday 15:00 + 1 business day = Tuesday 15:00; replied 16:00.
        sla = evaluate(self.t["BP-1"], self.p)
        assert sla.plan == "basic"
        m = sla.get("first_response")
        assert (m.status, m.deadline, m.breached_at) == (
            "breached",
            at(2026, 1, 6, 15, tz=LON),
            at(2026, 1, 6, 15, tz=LON),
        )

    def test_internal_target_under_the_public_one(self) -> None:
        # P2 is an alias of high. Monday 09:00: public 6 h -> 15:00, internal 4 h -> 13:00.
        sla = evaluate(self.t["BP-2"], self.p)
        assert sla.severity == "high"
        m = sla.get("first_response")
        assert (m.status, m.deadline) == ("met", at(2026, 1, 5, 15, tz=LON))
        assert m.internal is not None
        assert str(m.internal.target) == "4h"
        assert (m.internal.status, m.internal.deadline, m.internal.breached_at) == (
            "breached",
            at(2026, 1, 5, 13, tz=LON),
            at(2026, 1, 5, 13, tz=LON),
        )

    def test_premium_urgent_on_a_saturday(self) -> None:
        sla = evaluate(self.t["BP-3"], self.p)
        fr = sla.get("first_response")
        assert (fr.status, fr.calendar, fr.deadline) == ("met", "always", at(2026, 1, 10, 11))
        assert fr.internal is not None
        assert fr.internal.status == "breached"
        # The agent reply on Saturday met update #1 (0 business hours used) and started #2,
        # which counts from Monday 08:00: 3 h used when the ticket is solved at 11:00.
        assert sla.get("periodic_update", 1).status == "met"
        upd = sla.get("periodic_update", 2)
        assert (upd.status, upd.deadline) == ("met", at(2026, 1, 12, 12))
        assert upd.business_elapsed == timedelta(hours=3)
        # 2 business days from Saturday = Wednesday 08:00, i.e. 18 business hours
        # (Monday and Tuesday): the clock reaches them at Tuesday 17:00.
        res = sla.get("resolution")
        assert (res.status, res.business_elapsed) == ("met", timedelta(hours=3))
        assert res.business_elapsed + res.business_remaining == timedelta(hours=18)

    def test_january_ticket_keeps_januarys_terms(self) -> None:
        # Premium urgent, 30 January: 1 h (internal 30 min) -> replied at 10:45: met.
        m = evaluate(self.t["BP-5"], self.p).get("first_response")
        assert (str(m.target), m.status, m.deadline) == ("1h", "met", at(2026, 1, 30, 11))
        assert m.internal is not None
        assert m.internal.breached_at == at(2026, 1, 30, 10, 30)

    def test_march_ticket_has_the_renegotiated_terms(self) -> None:
        # From 1 March: 30 min (internal 15 min), still around the clock.
        m = evaluate(self.t["BP-4"], self.p).get("first_response")
        assert (str(m.target), m.status, m.deadline) == ("30m", "met", at(2026, 3, 5, 10, 30))
        assert m.calendar == "always"
        assert m.internal is not None
        assert (m.internal.status, m.internal.breached_at) == ("breached", at(2026, 3, 5, 10, 15))

    def test_versions_in_force(self) -> None:
        def urgent(created: datetime) -> str:
            terms = self.p.terms_for("premium", created)
            return str(terms.target("urgent", "first_response").within)

        assert urgent(at(2026, 2, 28, 23, 59, tz=LON)) == "1h"
        assert urgent(at(2026, 3, 1, tz=UTC)) == "30m"
        # Basic was not renegotiated.
        terms = self.p.terms_for("basic", at(2026, 3, 5))
        assert str(terms.target("urgent", "first_response").within) == "4h"

    def test_pending_across_easter(self) -> None:
        # 5 business days from Thursday 2 April 09:00 skip Good Friday and Easter Monday:
        # Monday 13 April 09:00, i.e. 45 business hours. 3 h count on Thursday before the
        # ticket goes pending at 12:00; it reopens on Tuesday 10:00; 42 h more end on
        # Monday 13 April at 16:00.
        ticket = self.t["BP-6"]
        during = evaluate(ticket, self.p, now=at(2026, 4, 6, 12, tz=LON)).get("resolution")
        assert (during.status, during.deadline) == ("paused", None)
        assert during.business_elapsed == timedelta(hours=3)
        done = evaluate(ticket, self.p).get("resolution")
        assert (done.status, done.deadline) == ("met", at(2026, 4, 13, 16, tz=LON))
        assert done.business_elapsed == timedelta(hours=41)

    def test_premium_overrides_only_what_differs(self) -> None:
        jan = at(2026, 1, 5)
        basic = self.p.terms_for("basic", jan)
        premium = self.p.terms_for("premium", jan)
        assert premium.target("low", "first_response") == basic.target("low", "first_response")
        assert str(premium.target("normal", "first_response").within) == "8h"
        assert basic.target("high", "first_response").internal is None
        assert str(premium.target("high", "first_response").internal) == "4h"
        assert premium.aliases == basic.aliases


# -- bad agreements -----------------------------------------------------------------------


def _base(**over: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "calendars": {"business": {"preset": "8x5", "timezone": "UTC"}},
        "severities": {"high": {"first_response": "6h"}},
    }
    config.update(over)
    return config


BAD = {
    "unknown calendar in a target": (
        _base(severities={"high": {"first_response": {"within": "6h", "calendar": "nope"}}}),
        ["severities.high.first_response", "'nope'"],
    ),
    "unknown metric": (
        _base(severities={"high": {"first_reply": "6h"}}),
        ["severities.high", "'first_reply'", "first_response"],
    ),
    "bare day": (
        _base(severities={"high": {"first_response": "1d"}}),
        ["severities.high", "first_response", "'1d'", "24h", "1 business day"],
    ),
    "ISO day": (
        _base(severities={"high": {"resolution": "P1D"}}),
        ["severities.high", "resolution", "'P1D'"],
    ),
    "alias to an unknown severity": (
        _base(aliases={"P1": "critical"}),
        ["alias 'P1'", "'critical'", "'high'"],
    ),
    "extends cycle": (
        _base(plans={"a": {"extends": "b"}, "b": {"extends": "a"}}, default_plan="a"),
        ["cycle", "a", "b"],
    ),
    "extends an unknown plan": (
        _base(plans={"a": {"extends": "zzz"}}),
        ["extends", "'zzz'", "'a'"],
    ),
    "unknown calendar in a plan": (
        _base(
            plans={
                "gold": {
                    "severities": {"high": {"first_response": {"within": "1h", "calendar": "x"}}}
                }
            }
        ),
        ["plans.gold.severities.high.first_response.calendar", "'x'"],
    ),
    "calendar_by to an unknown calendar": (
        _base(calendar_by={"field": "region", "calendars": {"us": "ghost"}}),
        ["calendar_by", "'us'", "'ghost'"],
    ),
    "warn_at as a percentage": (_base(warn_at=[75]), ["warn_at", "75"]),
    "unknown strategy": (_base(severity_change="sometimes"), ["severity_change", "retroactive"]),
    "internal looser than public": (
        _base(severities={"high": {"first_response": {"within": "4h", "internal": "6h"}}}),
        ["severities.high", "first_response", "'6h'", "'4h'"],
    ),
    "unknown time zone": (
        _base(calendars={"business": {"preset": "8x5", "timezone": "Mars/Base"}}),
        ["calendars.business", "'Mars/Base'"],
    ),
    "misspelt key": (_base(severites={}), ["severites"]),
}


@pytest.mark.parametrize(("config", "expected"), BAD.values(), ids=BAD.keys())
def test_bad_agreement(config: dict[str, Any], expected: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        Policy.model_validate(config)
    message = str(info.value)
    for part in expected:
        assert part in message
    assert isinstance(info.value, ValueError)


def test_bad_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(
        '[calendars.business]\npreset = "8x5"\ntimezone = "UTC"\n'
        '[severities.low]\nfirst_response = "1d"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"broken\.toml") as info:
        Policy.from_file(path)
    assert "'1d'" in str(info.value)


def test_unknown_default_plan() -> None:
    with pytest.raises(UnknownPlanError, match="'gold'"):
        Policy.model_validate(_base(plans={"basic": {}}, default_plan="gold"))


def test_error_locations_are_structured() -> None:
    target = {"within": "6h", "calendar": "nope"}
    with pytest.raises(ConfigError) as info:
        Policy.model_validate(_base(severities={"high": {"first_response": target}}))
    locations = [loc for loc, _ in info.value.errors]
    assert any(tuple(loc[:3]) == ("severities", "high", "first_response") for loc in locations)


def test_error_in_a_version_names_the_version() -> None:
    bad_version = {
        "effective_from": "2026-03-01",
        "severities": {"high": {"first_response": {"within": "1h", "calendar": "ghost"}}},
    }
    with pytest.raises(ConfigError) as info:
        Policy.model_validate(_base(versions=[bad_version]))
    message = str(info.value)
    assert "'ghost'" in message
    assert "versions" in message or "2026-03-01" in message


def test_version_dates_are_dates() -> None:
    p = policy("basic_premium")
    (version,) = p.plans["premium"].versions
    assert version.effective_from == date(2026, 3, 1)
