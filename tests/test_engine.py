"""``evaluate``: behaviours and errors, by example (expected values computed by hand).

The agreement is DESIGN.md's example: ``business`` is Mon-Fri 08:00-17:00 New York with US
holidays, ``always`` is 24x7 UTC. November 2026 is EST (-05:00); Mon 16, Fri 20, Mon 23,
Thu 26 is Thanksgiving.
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from support import design_policy

from slaclock import (
    NaiveDatetimeError,
    Policy,
    SlaClockError,
    TimelineError,
    UnknownPlanError,
    UnknownSeverityError,
    evaluate,
)

POLICY_DATA: dict[str, Any] = design_policy()  # DESIGN.md's example agreement, plus:
POLICY_DATA["severities"]["high"]["next_reply"] = "2h"
POLICY = Policy.model_validate(POLICY_DATA)
PLANS_POLICY = Policy.model_validate(
    {
        **POLICY_DATA,
        "plans": {"basic": {}, "premium": {"extends": "basic"}},
        "default_plan": "basic",
    }
)


def at(text: str) -> datetime:
    """A New York wall time in November 2026: ``at("16 09:00")`` is Mon 16 09:00 EST."""
    day, hm = text.split()
    return datetime.fromisoformat(f"2026-11-{int(day):02d}T{hm}:00-05:00")


def iso(text: str) -> str:
    return at(text).isoformat()


def ticket(*events: dict[str, Any], created: str = "16 09:00", **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "T-1",
        "created_at": iso(created),
        "severity": "high",
        "events": list(events),
    }
    data.update(extra)
    return data


def ev(when: str, kind: str, **extra: Any) -> dict[str, Any]:
    return {"at": iso(when), "type": kind, **extra}


# -- errors -----------------------------------------------------------------------------


class TestErrors:
    def test_event_before_creation_names_ticket_and_event(self) -> None:
        t = ticket(ev("16 08:00", "agent_reply"), id="T-early")
        with pytest.raises(TimelineError) as info:
            evaluate(t, POLICY)
        msg = str(info.value)
        assert "'T-early'" in msg
        assert "agent_reply" in msg
        assert "2026-11-16T08:00:00-05:00" in msg
        assert isinstance(info.value, ValueError)

    def test_unknown_event_kind(self) -> None:
        t = ticket(ev("16 10:00", "phone_call"), id="T-kind")
        with pytest.raises(TimelineError) as info:
            evaluate(t, POLICY)
        msg = str(info.value)
        assert "'T-kind'" in msg
        assert "phone_call" in msg
        assert "agent_reply" in msg  # the fix: the kinds that exist

    def test_unknown_severity_in_a_severity_event(self) -> None:
        t = ticket(ev("16 10:00", "severity", severity="apocalyptic"), id="T-sev")
        with pytest.raises(UnknownSeverityError) as info:
            evaluate(t, POLICY)
        msg = str(info.value)
        assert "'T-sev'" in msg
        assert "apocalyptic" in msg
        assert "2026-11-16T10:00:00-05:00" in msg
        assert isinstance(info.value, LookupError)

    def test_unknown_severity_at_creation(self) -> None:
        with pytest.raises(UnknownSeverityError) as info:
            evaluate(ticket(severity="meh"), POLICY)
        assert "'meh'" in str(info.value)
        assert "'T-1'" in str(info.value)

    def test_unknown_plan_on_the_ticket(self) -> None:
        with pytest.raises(UnknownPlanError) as info:
            evaluate(ticket(plan="platinum", id="T-plan"), PLANS_POLICY)
        assert "platinum" in str(info.value)
        assert "'T-plan'" in str(info.value)

    def test_unknown_plan_in_a_plan_event(self) -> None:
        t = ticket(ev("16 10:00", "plan", plan="platinum"), plan="basic", id="T-plan2")
        with pytest.raises(UnknownPlanError) as info:
            evaluate(t, PLANS_POLICY)
        msg = str(info.value)
        assert "platinum" in msg
        assert "'T-plan2'" in msg
        assert "2026-11-16T10:00:00-05:00" in msg

    def test_naive_now(self) -> None:
        with pytest.raises(NaiveDatetimeError) as info:
            evaluate(ticket(), POLICY, now=datetime(2026, 11, 16, 10, 0))
        assert isinstance(info.value, TypeError)
        assert "now" in str(info.value)

    def test_now_before_creation(self) -> None:
        with pytest.raises(TimelineError) as info:
            evaluate(ticket(id="T-now"), POLICY, now=at("16 08:59"))
        assert "'T-now'" in str(info.value)

    def test_naive_created_at(self) -> None:
        t = ticket()
        t["created_at"] = "2026-11-16T09:00:00"
        with pytest.raises(SlaClockError):
            evaluate(t, POLICY)


# -- replay order ------------------------------------------------------------------------


class TestOrder:
    def test_duplicate_events_are_harmless(self) -> None:
        events = [
            ev("16 10:00", "agent_reply"),
            ev("16 11:00", "status", status="pending"),
            ev("17 09:00", "customer_reply"),
            ev("17 09:00", "status", status="open"),
            ev("17 10:00", "agent_reply"),
            ev("17 12:00", "status", status="solved"),
        ]
        once = evaluate(ticket(*events), POLICY)
        twice = evaluate(ticket(*[e for e in events for _ in range(2)]), POLICY)
        assert once.metrics == twice.metrics
        res = once.get("resolution")
        # Mon 09-11 2h, pending to Tue 09:00, Tue 09-12 3h
        assert res.business_elapsed == timedelta(hours=5)
        assert res.status == "met"

    def test_customer_reply_then_open_at_the_same_instant(self) -> None:
        # DESIGN's example: the export logs "customer replied" then "status open".
        events = [
            ev("20 15:40", "agent_reply"),
            ev("20 15:41", "status", status="pending"),
            ev("23 10:00", "customer_reply"),
            ev("23 10:00", "status", status="open"),
        ]
        sla = evaluate(ticket(*events, created="20 15:00"), POLICY, now=at("23 11:00"))
        nr = sla.get("next_reply", 1)
        assert nr.started_at == at("23 10:00")
        assert nr.status == "running"
        assert nr.business_elapsed == timedelta(hours=1)
        res = sla.get("resolution")
        assert res.status == "running"
        # Fri 15:00-15:41 + Mon 10:00-11:00
        assert res.business_elapsed == timedelta(hours=1, minutes=41)
        assert res.pauses[0].start == at("20 15:41")
        assert res.pauses[0].end == at("23 10:00")

    def test_same_instant_events_keep_their_input_order(self) -> None:
        # After the first response (09:30): customer then agent at 10:00 starts and stops
        # a next_reply cycle at once (met, nothing used); agent then customer starts one
        # after the reply, which keeps running.
        first = ev("16 09:30", "agent_reply")
        a = evaluate(
            ticket(first, ev("16 10:00", "customer_reply"), ev("16 10:00", "agent_reply")),
            POLICY,
            now=at("16 11:00"),
        )
        b = evaluate(
            ticket(first, ev("16 10:00", "agent_reply"), ev("16 10:00", "customer_reply")),
            POLICY,
            now=at("16 11:00"),
        )
        assert a.get("next_reply", 1).status == "met"
        assert a.get("next_reply", 1).business_elapsed == timedelta(0)
        assert b.get("next_reply", 1).status == "running"
        assert b.get("next_reply", 1).business_elapsed == timedelta(hours=1)

    def test_pending_then_open_at_the_same_instant(self) -> None:
        t1 = ticket(
            ev("16 10:00", "status", status="pending"), ev("16 10:00", "status", status="open")
        )
        t2 = ticket(
            ev("16 10:00", "status", status="open"), ev("16 10:00", "status", status="pending")
        )
        assert evaluate(t1, POLICY, now=at("16 12:00")).get("resolution").status == "running"
        assert evaluate(t2, POLICY, now=at("16 12:00")).get("resolution").status == "paused"

    def test_events_after_now_are_ignored(self) -> None:
        t = ticket(ev("16 10:00", "agent_reply"))
        sla = evaluate(t, POLICY, now=at("16 09:30"))
        fr = sla.get("first_response")
        assert fr.status == "running"
        assert fr.business_elapsed == timedelta(minutes=30)
        assert fr.deadline == at("16 15:00")

    def test_without_now_the_ticket_is_evaluated_at_its_last_event(self) -> None:
        sla = evaluate(ticket(ev("17 10:00", "internal_note")), POLICY)
        assert sla.now == at("17 10:00")
        fr = sla.get("first_response")
        # Mon 09-17 8h + Tue 08-10 2h: past the 6h due Mon 15:00
        assert fr.status == "breached"
        assert fr.business_elapsed == timedelta(hours=10)
        assert fr.breached_at == at("16 15:00")

    def test_without_events_the_ticket_is_evaluated_at_creation(self) -> None:
        sla = evaluate(ticket(), POLICY)
        fr = sla.get("first_response")
        assert (fr.status, fr.business_elapsed, fr.deadline) == (
            "running",
            timedelta(0),
            at("16 15:00"),
        )


# -- clock rules ---------------------------------------------------------------------------


class TestClockRules:
    def test_internal_note_stops_nothing(self) -> None:
        sla = evaluate(ticket(ev("16 10:00", "internal_note")), POLICY, now=at("16 11:00"))
        assert sla.get("first_response").status == "running"

    def test_solving_stops_first_response_and_the_open_next_reply(self) -> None:
        t = ticket(
            ev("16 10:00", "agent_reply"),
            ev("16 11:00", "customer_reply"),
            ev("16 12:00", "status", status="solved"),
        )
        sla = evaluate(t, POLICY, now=at("17 12:00"))
        nr = sla.get("next_reply", 1)
        assert (nr.status, nr.stopped_at, nr.business_elapsed) == (
            "met",
            at("16 12:00"),
            timedelta(hours=1),
        )
        t2 = ticket(ev("16 16:00", "status", status="closed"))
        fr = evaluate(t2, POLICY, now=at("17 12:00")).get("first_response")
        # stopped by closing after 7h of a 6h target
        assert (fr.status, fr.stopped_at, fr.business_elapsed) == (
            "breached",
            at("16 16:00"),
            timedelta(hours=7),
        )
        assert fr.breached_at == at("16 15:00")

    def test_customer_reply_on_a_solved_ticket_starts_nothing_until_the_reopen(self) -> None:
        solved = [ev("16 10:00", "agent_reply"), ev("16 11:00", "status", status="solved")]
        t = ticket(*solved, ev("16 13:00", "customer_reply"))
        sla = evaluate(t, POLICY, now=at("17 14:00"))
        assert [m.label for m in sla] == ["first_response", "resolution"]  # no next_reply
        assert sla.get("resolution").status == "met"
        # reopened at 13:30: the cycle starts then, not at the reply
        t2 = ticket(
            *solved, ev("16 13:00", "customer_reply"), ev("16 13:30", "status", status="open")
        )
        nr = evaluate(t2, POLICY, now=at("16 14:00")).get("next_reply", 1)
        assert (nr.status, nr.started_at, nr.business_elapsed) == (
            "running",
            at("16 13:30"),
            timedelta(minutes=30),
        )

    def test_reply_exactly_at_the_deadline_is_met(self) -> None:
        fr = evaluate(ticket(ev("16 15:00", "agent_reply")), POLICY).get("first_response")
        assert (fr.status, fr.business_elapsed, fr.breached_at) == ("met", timedelta(hours=6), None)

    def test_deadline_at_a_close_is_breached_at_the_close(self) -> None:
        # Fri 11:00 + 6h = Fri 17:00, the close. Unanswered then: breached at 17:00, as
        # helpdesks report it, even though Monday 08:00 is the next business minute.
        t = ticket(ev("23 09:00", "agent_reply"), created="20 11:00")
        fr = evaluate(t, POLICY).get("first_response")
        assert fr.status == "breached"
        assert fr.deadline == at("20 17:00")
        assert fr.breached_at == at("20 17:00")
        assert fr.business_elapsed == timedelta(hours=7)
        # a reply on Monday 08:00 sharp used exactly 6h, but came after the deadline
        t2 = ticket(ev("23 08:00", "agent_reply"), created="20 11:00")
        fr2 = evaluate(t2, POLICY).get("first_response")
        assert (fr2.status, fr2.breached_at) == ("breached", at("20 17:00"))
        # a reply at 17:00 sharp stops the clock at its deadline: met
        t3 = ticket(ev("20 17:00", "agent_reply"), created="20 11:00")
        assert evaluate(t3, POLICY).get("first_response").status == "met"

    def test_deadline_in_a_pause_breaches_at_the_resume(self) -> None:
        # critical resolution (24h on 24x7) paused exactly when its 24h are used up.
        t = ticket(
            ev("16 09:10", "agent_reply"),
            ev("17 09:00", "status", status="on_hold"),
            ev("17 12:00", "status", status="open"),
            severity="critical",
        )
        res = evaluate(t, POLICY, now=at("17 13:00")).get("resolution")
        assert res.status == "breached"
        assert res.deadline == at("17 09:00")
        assert res.breached_at == at("17 12:00")
        assert res.business_elapsed == timedelta(hours=25)
        on_hold = evaluate(t, POLICY, now=at("17 11:00")).get("resolution")
        # exactly the target used, paused: not breached, no projected deadline
        assert (on_hold.status, on_hold.deadline) == ("paused", None)
        assert on_hold.business_elapsed == timedelta(hours=24)

    def test_solved_while_paused_closes_the_pause(self) -> None:
        t = ticket(
            ev("16 10:00", "status", status="pending"),
            ev("17 10:00", "status", status="solved"),
        )
        res = evaluate(t, POLICY).get("resolution")
        assert (res.status, res.business_elapsed, res.stopped_at) == (
            "met",
            timedelta(hours=1),
            at("17 10:00"),
        )
        assert [(p.start, p.end, p.status) for p in res.pauses] == [
            (at("16 10:00"), at("17 10:00"), "pending")
        ]

    def test_metric_without_a_target_is_not_reported(self) -> None:
        sla = evaluate(ticket(ev("16 10:00", "customer_reply"), severity="low"), POLICY)
        assert [m.name for m in sla.metrics] == ["first_response"]
        with pytest.raises(KeyError):
            sla.get("resolution")

    def test_warnings_and_at_risk(self) -> None:
        t = ticket()
        fr = evaluate(t, POLICY, now=at("16 12:00")).get("first_response")
        assert (fr.share_used, fr.warning, fr.at_risk) == (0.5, 0.5, True)
        fr = evaluate(t, POLICY, now=at("16 11:59")).get("first_response")
        assert (fr.warning, fr.at_risk) == (None, False)
        fr = evaluate(t, POLICY, now=at("16 13:30")).get("first_response")
        assert (fr.share_used, fr.warning) == (0.75, 0.75)
        assert fr.business_remaining == timedelta(hours=1, minutes=30)
        assert fr.wall_remaining == timedelta(hours=1, minutes=30)

    def test_wall_remaining_crosses_closed_hours(self) -> None:
        fr = evaluate(ticket(created="20 16:00"), POLICY, now=at("20 16:30")).get("first_response")
        # due Mon 13:00 (1h Friday + 5h Monday): 5h30m of business time, 68h30m of wall time
        assert fr.deadline == at("23 13:00")
        assert fr.business_remaining == timedelta(hours=5, minutes=30)
        assert fr.wall_remaining == timedelta(hours=68, minutes=30)

    def test_results_are_in_the_calendars_zone(self) -> None:
        sla = evaluate(ticket(severity="critical"), POLICY, now=at("16 09:30"))
        fr = sla.get("first_response")
        assert fr.deadline is not None
        assert fr.deadline.utcoffset() == timedelta(0)
        assert fr.deadline == at("16 10:00")

    def test_results_are_immutable(self) -> None:
        fr = evaluate(ticket(), POLICY).get("first_response")
        with pytest.raises(AttributeError):
            fr.status = "met"  # type: ignore[misc]

    def test_policy_as_dict_equals_policy_model(self) -> None:
        t = ticket(ev("16 10:00", "agent_reply"))
        assert evaluate(t, copy.deepcopy(POLICY_DATA)).metrics == evaluate(t, POLICY).metrics


# -- explain and next_change -------------------------------------------------------------


class TestExplain:
    TICKET = ticket(
        ev("20 16:30", "agent_reply"),
        ev("24 10:00", "status", status="pending"),
        ev("25 09:00", "status", status="open"),
        created="20 16:00",
    )
    NOW = at("27 10:00")

    def test_lines_sum_to_business_elapsed_for_every_clock(self) -> None:
        sla = evaluate(self.TICKET, POLICY, now=self.NOW)
        lines = list(sla.explain())
        for m in sla.metrics:
            mine = [ln for ln in lines if (ln.metric, ln.cycle) == (m.name, m.cycle)]
            assert mine, m.name
            total = sum((ln.business for ln in mine), timedelta(0))
            assert total == m.business_elapsed, m.name
            assert all(ln.business == timedelta(0) for ln in mine if not ln.counted)

    def test_resolution_figures(self) -> None:
        res = evaluate(self.TICKET, POLICY, now=self.NOW).get("resolution")
        # Fri 16-17 1h, Mon 9h, Tue 08-10 2h, (pending to Wed 09:00), Wed 09-17 8h,
        # Thu 26 Thanksgiving, Fri 27 08-10 2h = 22h
        assert res.business_elapsed == timedelta(hours=22)

    def test_reasons_are_named(self) -> None:
        sla = evaluate(self.TICKET, POLICY, now=self.NOW)
        reasons = [ln.reason for ln in sla.explain() if ln.metric == "resolution"]
        assert any("closed hours" in r for r in reasons)
        assert any("holiday" in r and "2026-11-26" in r for r in reasons)
        assert any("paused in 'pending'" in r for r in reasons)
        text = str(sla.explain())
        assert "T-1" in text
        assert "paused in 'pending'" in text

    def test_lines_cover_the_clock_without_gaps(self) -> None:
        sla = evaluate(self.TICKET, POLICY, now=self.NOW)
        mine = [ln for ln in sla.explain() if ln.metric == "resolution"]
        assert mine[0].start == at("20 16:00")
        assert mine[-1].end == self.NOW
        for a, b in pairwise(mine):
            assert a.end == b.start


class TestNextChange:
    def test_breach_instant_of_a_running_clock(self) -> None:
        sla = evaluate(ticket(), POLICY, now=at("16 14:00"))
        # 5h of 6h used: both warnings passed; the next flip is the breach at 15:00.
        assert sla.next_change(at("16 14:00")) == at("16 15:00")

    def test_warning_threshold_comes_first(self) -> None:
        sla = evaluate(ticket(), POLICY, now=at("16 09:00"))
        assert sla.next_change(at("16 09:00")) == at("16 12:00")  # 50% of 6h

    def test_breach_at_a_close_is_the_close(self) -> None:
        # 6h from Fri 11:00 run out at the 17:00 close: that is when it flips
        sla = evaluate(ticket(created="20 11:00"), POLICY, now=at("20 16:00"))
        assert sla.next_change(at("20 16:00")) == at("20 17:00")

    def test_nothing_to_wait_for(self) -> None:
        t = ticket(ev("16 10:00", "agent_reply"), ev("16 11:00", "status", status="solved"))
        sla = evaluate(t, POLICY)
        assert sla.next_change(at("16 11:00")) is None


class TestStrategies:
    """Severity-change strategies beyond the golden timelines."""

    STRICTER = Policy.model_validate({**POLICY_DATA, "severity_change": "stricter"})

    def test_stricter_on_a_clock_stopped_before_either_deadline(self) -> None:
        # high -> critical at 09:30, answered 09:40: critical's 10:00 is stricter than
        # high's 15:00 even though the clock stopped before reaching either.
        t = ticket(ev("16 09:30", "severity", severity="critical"), ev("16 09:40", "agent_reply"))
        fr = evaluate(t, self.STRICTER).get("first_response")
        assert (fr.status, fr.severity, fr.calendar) == ("met", "critical", "always")
        assert fr.deadline == at("16 10:00")
        assert fr.business_elapsed == timedelta(minutes=40)

    def test_stricter_on_a_paused_clock(self) -> None:
        t = ticket(
            ev("16 09:10", "agent_reply"),
            ev("16 09:20", "status", status="pending"),
            ev("16 09:30", "severity", severity="critical"),
        )
        res = evaluate(t, self.STRICTER, now=at("16 09:45")).get("resolution")
        # critical's 24h on 24x7 (due Tue 09:00 + the pause) beats high's 5 business days
        assert (res.status, res.severity, res.deadline) == ("paused", "critical", None)
        assert res.business_elapsed == timedelta(minutes=20)


class TestBusinessDayTargets:
    """DESIGN: "1 business day" means exactly ``add_business_days``."""

    def test_deadline_after_hours_is_the_next_opening_not_the_close(self) -> None:
        # Fri 20 18:00 (closed): the clock starts Mon 23 08:00; one business day later at
        # 08:00 is Tue 24 08:00. Its 9h of business time are used up at Mon 17:00 already,
        # but the contract names Tuesday 08:00.
        sla = evaluate(ticket(created="20 18:00", severity="low"), POLICY, now=at("23 12:00"))
        first = sla.get("first_response")
        assert first.status == "running"
        assert first.deadline == at("24 08:00")
        assert first.target_business == timedelta(hours=9)

    def test_answer_after_close_before_next_opening_is_met(self) -> None:
        sla = evaluate(
            ticket(ev("23 19:00", "agent_reply"), created="20 18:00", severity="low"), POLICY
        )
        first = sla.get("first_response")
        assert first.status == "met"
        assert first.business_elapsed == timedelta(hours=9)

    def test_answer_at_next_opening_plus_a_minute_is_breached_then(self) -> None:
        sla = evaluate(
            ticket(ev("24 08:01", "agent_reply"), created="20 18:00", severity="low"), POLICY
        )
        first = sla.get("first_response")
        assert first.status == "breached"
        assert first.breached_at == at("24 08:00")

    def test_inside_hours_the_same_wall_time_next_business_day(self) -> None:
        sla = evaluate(ticket(created="23 15:00", severity="low"), POLICY, now=at("23 15:00"))
        assert sla.get("first_response").deadline == at("24 15:00")


def test_pending_then_on_hold_records_two_labelled_pauses() -> None:
    sla = evaluate(
        ticket(
            ev("16 10:00", "agent_reply"),
            ev("16 11:00", "status", status="pending"),
            ev("17 09:00", "status", status="on_hold"),
            ev("18 09:00", "status", status="open"),
        ),
        POLICY,
    )
    res = sla.get("resolution")
    assert [(p.status, p.start, p.end) for p in res.pauses] == [
        ("pending", at("16 11:00"), at("17 09:00")),
        ("on_hold", at("17 09:00"), at("18 09:00")),
    ]
    reasons = {ln.reason for ln in sla.explain() if ln.metric == "resolution"}
    assert {"paused in 'pending'", "paused in 'on_hold'"} <= reasons


class TestEmbedding:
    def test_next_change_at_the_deadline_is_the_breach(self) -> None:
        # high: first response 6h on 8x5 from Mon 16 09:00 -> due Mon 16 15:00.
        sla = evaluate(ticket(), POLICY, now=at("16 15:00"))
        first = sla.get("first_response")
        assert first.status == "running"
        assert first.deadline == at("16 15:00")
        assert sla.next_change(at("16 15:00")) == at("16 15:00")
        later = evaluate(ticket(), POLICY, now=at("16 15:01"))
        assert later.get("first_response").status == "breached"

    def test_results_and_policies_pickle(self) -> None:
        import pickle

        sla = evaluate(
            ticket(ev("16 10:00", "agent_reply"), ev("16 11:00", "status", status="pending")),
            POLICY,
            now=at("17 12:00"),
        )
        again = pickle.loads(pickle.dumps(sla))
        assert again.metrics == sla.metrics
        assert str(again.explain()) == str(sla.explain())
        policy = pickle.loads(pickle.dumps(POLICY))
        assert (
            evaluate(ticket(), policy, now=at("16 12:00")).metrics
            == evaluate(ticket(), POLICY, now=at("16 12:00")).metrics
        )

    def test_statuses_compare_case_insensitively(self) -> None:
        events = (ev("16 10:00", "agent_reply"), ev("16 11:00", "status", status="Pending"))
        upper = evaluate(ticket(*events), POLICY, now=at("17 12:00")).get("resolution")
        assert upper.status == "paused"
        assert upper.business_elapsed == timedelta(hours=2)
