"""Version 2 of the ticket semantics (DESIGN.md): configuration errors, statuses, rules,
calendars per ticket, SLA events and the loose ends of version 1 — by example, with the
expected values computed by hand.

Calendars are DESIGN.md's: ``business`` is Mon-Fri 08:00-17:00 New York with US holidays,
``always`` is 24x7 UTC. November 2026 is EST (-05:00); Mon 16, Fri 20, Mon 23.
"""

from __future__ import annotations

import pickle
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from support import design_policy

from slaclock import (
    ConfigError,
    Policy,
    TimelineError,
    UnknownPlanError,
    evaluate,
)

NY = ZoneInfo("America/New_York")


def at(text: str) -> datetime:
    """``at("16 09:00")`` is Mon 16 November 2026 09:00 in New York."""
    day, hm = text.split()
    return datetime.fromisoformat(f"2026-11-{int(day):02d}T{hm}:00-05:00")


def ev(when: str, kind: str, **extra: Any) -> dict[str, Any]:
    return {"at": at(when).isoformat(), "type": kind, **extra}


def ticket(*events: dict[str, Any], created: str = "16 09:00", **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "T-1",
        "created_at": at(created).isoformat(),
        "severity": "high",
        "events": list(events),
    }
    data.update(extra)
    return data


def policy(**over: Any) -> Policy:
    """DESIGN.md's agreement with ``over`` on top (severity tables merged per severity)."""
    data = design_policy()
    for sev, targets in over.pop("severities", {}).items():
        data["severities"][sev] = {**data["severities"].get(sev, {}), **targets}
    data.update(over)
    return Policy.model_validate(data)


POLICY = policy()


# -- statuses --------------------------------------------------------------------------


class TestStatuses:
    def test_an_unknown_status_names_status_ticket_and_categories(self) -> None:
        with pytest.raises(TimelineError) as err:
            evaluate(ticket(ev("16 10:00", "status", status="Waiting on vendor")), POLICY)
        msg = str(err.value)
        assert "'Waiting on vendor'" in msg
        assert "'T-1'" in msg
        for category in ("new", "open", "pending", "on_hold", "solved", "closed"):
            assert category in msg

    def test_unknown_status_accepts_them_in_the_category_given(self) -> None:
        p = policy(unknown_status="on_hold")
        t = ticket(ev("16 10:00", "status", status="Waiting on vendor"))
        res = evaluate(t, p, now=at("16 12:00")).get("resolution")
        # on_hold pauses resolution: 1h counted, paused since 10:00
        assert (res.status, res.business_elapsed) == ("paused", timedelta(hours=1))
        assert res.pauses[0].status == "Waiting on vendor"

    def test_a_ticket_starts_in_new_and_entering_open_is_a_trigger(self) -> None:
        p = policy(
            metrics={"triage": {"start": "created", "stop": "status:open"}},
            severities={"high": {"triage": "30m"}},
        )
        t = ticket(ev("16 09:20", "status", status="open"))
        tri = evaluate(t, p).get("triage")
        assert (tri.status, tri.business_elapsed) == ("met", timedelta(minutes=20))

    def test_pause_names_a_custom_status_or_a_category(self) -> None:
        # Pausing in the status 'Waiting on vendor' (mapped to on_hold), not in on_hold.
        p = policy(
            statuses={"Waiting on vendor": "on_hold", "Escalated": "on_hold"},
            pause={"resolution": ["Waiting on vendor"]},
        )
        t = ticket(
            ev("16 10:00", "status", status="Escalated"),
            ev("16 11:00", "status", status="waiting on vendor"),
            ev("16 12:00", "status", status="open"),
        )
        res = evaluate(t, p, now=at("16 13:00")).get("resolution")
        # counts 09-11 and 12-13 (Escalated is on_hold but not named): 3h
        assert res.business_elapsed == timedelta(hours=3)
        assert [(p.start, p.end) for p in res.pauses] == [(at("16 11:00"), at("16 12:00"))]

    def test_a_status_in_a_trigger_must_be_known(self) -> None:
        with pytest.raises(ConfigError, match="'waiting on vendor'"):
            policy(metrics={"x": {"start": "status:Waiting on vendor"}})


# -- metric definitions ------------------------------------------------------------------


class TestMetricDefinitions:
    def test_unknown_trigger_lists_the_vocabulary(self) -> None:
        with pytest.raises(ConfigError) as err:
            policy(metrics={"x": {"start": "ticket_created"}})
        assert "'ticket_created'" in str(err.value)
        assert "field:<name>" in str(err.value)

    def test_a_target_for_an_undefined_metric_names_it(self) -> None:
        with pytest.raises(ConfigError) as err:
            policy(severities={"high": {"time_to_assign": "1h"}})
        assert "'time_to_assign'" in str(err.value)
        assert "metrics.time_to_assign" in str(err.value)

    def test_pause_given_twice_is_an_error(self) -> None:
        with pytest.raises(ConfigError, match="given twice"):
            policy(
                metrics={"resolution": {"pause": ["pending"]}},
                pause={"resolution": ["pending", "on_hold"]},
            )

    def test_after_must_name_a_metric_and_not_loop(self) -> None:
        with pytest.raises(ConfigError, match="'ghost'"):
            policy(metrics={"x": {"start": "created", "after": "ghost"}})
        with pytest.raises(ConfigError, match="cycle"):
            policy(
                metrics={
                    "a": {"start": "created", "after": "b"},
                    "b": {"start": "created", "after": "a"},
                }
            )

    def test_a_builtin_overridden_key_by_key(self) -> None:
        # next_reply without 'after': a customer reply before the first response starts it
        p = policy(
            metrics={"next_reply": {"after": None}},
            severities={"high": {"first_response": "6h", "next_reply": "2h"}},
        )
        nr = evaluate(ticket(ev("16 10:00", "customer_reply")), p, now=at("16 11:00"))
        assert nr.get("next_reply", 1).started_at == at("16 10:00")
        assert p.metric("next_reply").cycles == "each"  # the rest is the built-in's

    def test_builtins_defined_through_the_generic_mechanism(self) -> None:
        defs = {n: POLICY.metric(n) for n in POLICY.metric_names}
        assert defs["first_response"].stop == ("agent_reply", "status:solved", "status:closed")
        assert defs["next_reply"].after == "first_response"
        assert defs["periodic_update"].start == ("created", "agent_reply", "reopen")
        assert defs["pausable_update"].pause == ("pending",)
        assert defs["agent_work"].pause == ("pending", "on_hold")
        assert {d.cycles for n, d in defs.items() if n.endswith("update")} == {"each"}

    def test_metrics_without_a_target_are_not_replayed(self) -> None:
        assert POLICY.measured_metrics == ("first_response", "resolution")
        p = policy(severities={"high": {"next_reply": "2h"}})
        # low has a first_response target; next_reply waits for it anyway
        assert p.measured_metrics == ("first_response", "next_reply", "resolution")
        only = Policy.model_validate(
            {"calendars": {"b": {"preset": "24x7", "timezone": "UTC"}},
             "severities": {"high": {"next_reply": "2h"}}}
        )  # fmt: skip
        # next_reply waits for first_response, so that one is replayed (not reported)
        assert only.measured_metrics == ("first_response", "next_reply")

    def test_an_each_metric_after_a_solve_starts_again_only_on_reopen(self) -> None:
        p = policy(
            metrics={
                "followup": {"start": "internal_note", "stop": "agent_reply", "cycles": "each"}
            },
            severities={"high": {"followup": "1h"}},
        )
        t = ticket(
            ev("16 10:00", "internal_note"),
            ev("16 10:30", "status", status="solved"),
            ev("16 11:00", "internal_note"),
            ev("16 12:00", "status", status="open"),
        )
        sla = evaluate(t, p, now=at("16 12:30"))
        assert [(m.cycle, m.status, m.started_at) for m in sla if m.name == "followup"] == [
            (1, "met", at("16 10:00")),
            (2, "running", at("16 12:00")),  # the note while solved waits for the reopen
        ]


# -- rules -------------------------------------------------------------------------------

RULES_POLICY = {
    "plans": {
        "basic": {},
        "enterprise": {"severities": {"high": {"first_response": "2h"}}},
        "chat_vip": {"severities": {"high": {"first_response": "30m"}}},
    },
    "default_plan": "basic",
    "rules": [
        {"name": "orgs", "when": {"organization": ["acme", "globex"]}, "plan": "enterprise"},
        {"when": {"channel": "chat", "tags": {"contains": "vip"}}, "plan": "chat_vip"},
        {"when": {"assignee": {"exists": False}, "channel": "phone"}, "plan": "enterprise"},
    ],
}


class TestRules:
    p = policy(**RULES_POLICY)

    @pytest.mark.parametrize(
        ("fields", "plan", "rule"),
        [
            ({"organization": "GLOBEX"}, "enterprise", "orgs"),
            ({"channel": "chat", "tags": ["vip", "eu"]}, "chat_vip", "rules[1]"),
            ({"channel": "chat", "tags": ["eu"]}, "basic", None),
            ({"channel": "phone"}, "enterprise", "rules[2]"),
            ({"channel": "phone", "assignee": "bob"}, "basic", None),
            ({}, "basic", None),
        ],
    )
    def test_first_match_wins(self, fields: dict[str, Any], plan: str, rule: str | None) -> None:
        sla = evaluate(ticket(fields=fields), self.p)
        assert (sla.plan, sla.rule) == (plan, rule)

    def test_an_explicit_plan_wins_over_rules(self) -> None:
        sla = evaluate(ticket(fields={"organization": "acme"}, plan="chat_vip"), self.p)
        assert (sla.plan, sla.rule) == ("chat_vip", None)

    def test_tags_added_by_a_field_event_change_the_plan(self) -> None:
        t = ticket(
            ev("16 09:10", "field", field="tags", value=["vip"]),
            ev("16 09:20", "agent_reply"),
            fields={"channel": "chat", "tags": []},
        )
        fr = evaluate(t, self.p).get("first_response")
        # chat_vip from 09:10, retroactive: 30m from 09:00, answered 09:20
        assert (fr.status, fr.plan, fr.target.timedelta) == (
            "met",
            "chat_vip",
            timedelta(minutes=30),
        )

    def test_an_org_to_plan_table_is_one_short_rule_list(self) -> None:
        orgs = [f"org-{i}" for i in range(500)]
        p = policy(
            plans={"basic": {}, "enterprise": {"severities": {"high": {"first_response": "2h"}}}},
            default_plan="basic",
            rules=[{"when": {"organization": orgs}, "plan": "enterprise"}],
        )
        assert evaluate(ticket(fields={"organization": "Org-321"}), p).plan == "enterprise"
        assert len(p.plans) == 2

    def test_rules_need_plans_and_known_plans(self) -> None:
        with pytest.raises(ConfigError, match="no 'plans'"):
            policy(rules=[{"plan": "gold"}])
        with pytest.raises(UnknownPlanError, match="'gold'"):
            policy(plans={"basic": {}}, rules=[{"plan": "gold"}])

    def test_a_condition_takes_one_form(self) -> None:
        with pytest.raises(ConfigError, match="exactly one"):
            policy(**{**RULES_POLICY, "rules": [{"when": {"a": {"contains": "x", "exists": True}},
                                                  "plan": "basic"}]})  # fmt: skip


# -- calendars per ticket ------------------------------------------------------------------


class TestCalendarsPerTicket:
    p = policy(
        calendar_by={
            "fields": ["region", "channel"],
            "calendars": {"us-east/chat": "always", "us-east/email": "business"},
        }
    )

    def test_an_unknown_value_names_ticket_field_and_value(self) -> None:
        with pytest.raises(TimelineError) as err:
            evaluate(ticket(fields={"region": "emea", "channel": "chat"}), self.p)
        msg = str(err.value)
        assert "'T-1'" in msg
        assert "'region'" in msg
        assert "'emea'" in msg
        assert "fallback" in msg

    def test_a_fallback_takes_unknown_values(self) -> None:
        p = policy(
            calendar_by={"field": "region", "calendars": {"apac": "always"}, "fallback": "business"}
        )
        fr = evaluate(ticket(fields={"region": "emea"}), p).get("first_response")
        assert fr.calendar == "business"

    def test_a_bad_customer_zone_names_ticket_field_and_value(self) -> None:
        data = design_policy()
        data["calendars"]["business"]["follow_customer_zone"] = True
        p = Policy.model_validate({**data, "timezone_field": "tz"})
        with pytest.raises(TimelineError) as err:
            evaluate(ticket(fields={"tz": "Mars/Olympus"}), p)
        assert "'T-1'" in str(err.value)
        assert "'tz'" in str(err.value)
        assert "'Mars/Olympus'" in str(err.value)

    def test_a_fixed_desk_keeps_its_zone(self) -> None:
        p = policy(timezone_field="tz")  # no calendar opts in
        fr = evaluate(ticket(fields={"tz": "Asia/Tokyo"}), p).get("first_response")
        assert fr.calendar == "business"
        assert fr.deadline == at("16 15:00")


# -- SLA events --------------------------------------------------------------------------


def kinds(sla: Any) -> list[tuple[str, int, str, datetime]]:
    return [(e.metric, e.cycle, e.kind, e.at) for e in sla.events()]


class TestSlaEvents:
    def test_activate_pause_resume_breach_fulfill(self) -> None:
        p = policy(severities={"high": {"first_response": "2h", "resolution": "4h"}}, warn_at=[])
        t = ticket(
            ev("16 10:00", "status", status="pending"),
            ev("16 12:00", "status", status="open"),
            ev("16 12:30", "agent_reply"),
            ev("16 14:00", "status", status="solved"),
        )
        assert kinds(evaluate(t, p)) == [
            ("first_response", 1, "activate", at("16 09:00")),
            ("resolution", 1, "activate", at("16 09:00")),
            ("resolution", 1, "pause", at("16 10:00")),
            ("first_response", 1, "breach", at("16 11:00")),
            ("resolution", 1, "resume", at("16 12:00")),
            ("first_response", 1, "fulfill", at("16 12:30")),
            ("resolution", 1, "fulfill", at("16 14:00")),
        ]

    def test_warnings_and_internal_breach(self) -> None:
        p = policy(
            severities={"high": {"first_response": {"within": "4h", "internal": "2h"}}},
            warn_at=[0.5],
        )
        sla = evaluate(ticket(ev("16 12:00", "agent_reply")), p)
        evs = [e for e in sla.events() if e.metric == "first_response"]
        assert [(e.kind, e.at, e.internal, e.share) for e in evs] == [
            ("activate", at("16 09:00"), False, None),
            ("warn", at("16 11:00"), False, 0.5),
            ("breach", at("16 11:00"), True, None),
            ("fulfill", at("16 12:00"), False, None),
        ]

    def test_reopen_fulfills_then_activates_a_once_metric(self) -> None:
        t = ticket(
            ev("16 10:00", "agent_reply"),
            ev("16 11:00", "status", status="solved"),
            ev("16 13:00", "status", status="open"),
        )
        res = [x for x in kinds(evaluate(t, POLICY, now=at("16 14:00"))) if x[0] == "resolution"]
        assert [(k, t) for _, _, k, t in res] == [
            ("activate", at("16 09:00")),
            ("fulfill", at("16 11:00")),
            ("activate", at("16 13:00")),
        ]

    def test_a_cycle_whose_target_goes_away_is_cancelled(self) -> None:
        p = Policy.model_validate(
            {"calendars": {"business": {"preset": "8x5", "timezone": "America/New_York"}},
             "severities": {"high": {"first_response": "6h"}, "low": {}}}
        )  # fmt: skip
        t = ticket(ev("16 10:00", "severity", severity="low"), ev("16 11:00", "agent_reply"))
        sla = evaluate(t, p)
        assert [m.name for m in sla] == []
        assert kinds(sla) == [
            ("first_response", 1, "activate", at("16 09:00")),
            ("first_response", 1, "cancel", at("16 10:00")),
        ]

    def test_events_are_in_the_cycles_calendar_zone_and_serialise(self) -> None:
        sla = evaluate(ticket(severity="critical"), POLICY, now=at("16 12:00"))
        first = sla.events()[0]
        assert first.at.tzinfo == ZoneInfo("UTC")  # the 'always' calendar is in UTC
        assert first.as_dict()["at"] == "2026-11-16T14:00:00+00:00"


# -- loose ends of version 1 ----------------------------------------------------------------


class TestLooseEnds:
    def test_explain_adds_up_after_a_carry_past_the_old_target(self) -> None:
        p = policy(severity_change="carry")
        t = ticket(ev("16 16:00", "severity", severity="low"), ev("17 09:00", "agent_reply"))
        sla = evaluate(t, p)
        fr = sla.get("first_response")
        lines = [ln for ln in sla.explain() if ln.metric == "first_response"]
        assert sum((ln.business for ln in lines), timedelta(0)) == fr.business_elapsed
        assert fr.breached_at == at("16 15:00")

    def test_explain_lists_the_time_spent_solved(self) -> None:
        t = ticket(
            ev("16 10:00", "agent_reply"),
            ev("16 11:00", "status", status="solved"),
            ev("16 13:00", "status", status="open"),
        )
        lines = list(evaluate(t, POLICY, now=at("16 14:00")).explain())
        solved = [ln for ln in lines if ln.reason == "solved"]
        assert [(ln.start, ln.end, ln.counted) for ln in solved] == [
            (at("16 11:00"), at("16 13:00"), False)
        ]

    def test_a_child_plan_overriding_only_within_keeps_the_inherited_internal(self) -> None:
        base = {"severities": {"high": {"first_response": {"within": "6h", "internal": "4h"}}}}
        with pytest.raises(ConfigError, match="looser"):
            policy(plans={"basic": base, "gold": {"extends": "basic", "severities": {
                "high": {"first_response": "3h"}}}})  # fmt: skip
        p = policy(plans={"basic": base, "gold": {"extends": "basic", "severities": {
            "high": {"first_response": "5h"}}}})  # fmt: skip
        target = p.terms_for("gold", at("16 09:00")).target("high", "first_response")
        assert target is not None
        assert str(target.internal) == "4h"

    def test_an_internal_business_day_is_compared_with_public_hours(self) -> None:
        # 1 business day on 8x5 means 9h: looser than a public 4h
        with pytest.raises(ConfigError, match="looser"):
            policy(severities={"high": {"first_response": {"within": "4h", "internal": "1bd"}}})
        # and tighter than a public 12h
        policy(severities={"high": {"first_response": {"within": "12h", "internal": "1bd"}}})

    def test_a_date_effective_from_is_midnight_in_the_default_calendar_zone(self) -> None:
        p = policy(
            versions=[{"effective_from": date(2026, 11, 17),
                       "severities": {"high": {"first_response": "2h"}}}]
        )  # fmt: skip
        # 23:30 New York on the 16th is 04:30 UTC on the 17th: still the old terms
        before = p.terms_for(None, datetime(2026, 11, 16, 23, 30, tzinfo=NY))
        after = p.terms_for(None, datetime(2026, 11, 17, 0, 0, tzinfo=NY))
        assert str(before.target("high", "first_response").within) == "6h"  # type: ignore[union-attr]
        assert str(after.target("high", "first_response").within) == "2h"  # type: ignore[union-attr]

    def test_a_naive_effective_from_is_an_error(self) -> None:
        with pytest.raises(ConfigError, match="no UTC offset"):
            policy(versions=[{"effective_from": datetime(2026, 11, 17, 9, 0), "warn_at": [0.5]}])

    def test_two_versions_taking_effect_together_are_an_error(self) -> None:
        with pytest.raises(ConfigError, match="same instant"):
            policy(versions=[{"effective_from": "2026-11-17", "warn_at": [0.5]},
                             {"effective_from": "2026-11-17", "warn_at": [0.7]}])  # fmt: skip

    def test_severities_that_differ_only_in_case_are_an_error(self) -> None:
        with pytest.raises(ConfigError, match="differ only in case"):
            policy(severities={"High": {"first_response": "6h"}, "high": {}})

    def test_next_change_and_results_in_the_calendars_zone(self) -> None:
        sla = evaluate(ticket(severity="critical"), POLICY, now=at("16 09:30"))
        fr = sla.get("first_response")
        assert fr.deadline is not None
        assert fr.deadline.tzinfo == ZoneInfo("UTC")
        nxt = sla.next_change(at("16 09:30"))
        # the 50 % warning holds from now on; the next flip is the 75 % one
        assert nxt == datetime(2026, 11, 16, 14, 45, tzinfo=UTC)
        assert nxt is not None
        assert nxt.tzinfo == ZoneInfo("UTC")

    def test_plan_terms_share_their_calendar_objects(self) -> None:
        p = policy(plans={"a": {}, "b": {"extends": "a", "warn_at": [0.9]}}, default_plan="a")
        a = p.terms_for("a", at("16 09:00")).calendars["business"]
        b = p.terms_for("b", at("16 09:00")).calendars["business"]
        assert a is b

    def test_a_long_extends_chain_resolves(self) -> None:
        plans: dict[str, Any] = {"p0": {}}
        plans.update({f"p{i}": {"extends": f"p{i - 1}"} for i in range(1, 300)})
        p = policy(plans=plans, default_plan="p0")
        assert p.terms_for("p299", at("16 09:00")).plan == "p299"

    def test_results_and_events_pickle(self) -> None:
        t = ticket(ev("16 10:00", "status", status="pending"), ev("16 12:00", "agent_reply"))
        sla = evaluate(t, POLICY, now=at("16 13:00"))
        again = pickle.loads(pickle.dumps(sla))
        assert again.metrics == sla.metrics
        assert again.events() == sla.events()
        assert str(again.explain()) == str(sla.explain())


def test_identical_events_at_one_instant_count_once() -> None:
    # Three copies of one agent reply (an export's duplicate rows) make one update, not
    # three zero-length cycles that would each count as met.
    p = policy(severities={"high": {"periodic_update": "4h"}})
    reply = ev("16 10:00", "agent_reply")
    once = evaluate(ticket(reply), p, now=at("16 12:00"))
    thrice = evaluate(ticket(reply, reply, reply), p, now=at("16 12:00"))
    assert [(m.cycle, m.status) for m in thrice if m.name == "periodic_update"] == [
        (1, "met"),
        (2, "running"),
    ]
    assert thrice.metrics == once.metrics


def test_a_repeated_event_counts_once_only_right_after_itself() -> None:
    # agent, agent at 10:00 is one reply listed twice; agent, customer, agent at 10:00
    # is a round trip within a second: the customer's message is answered.
    p = policy(severities={"high": {"next_reply": "2h"}})
    twice = ticket(
        ev("16 09:30", "customer_reply"),
        ev("16 10:00", "agent_reply"),
        ev("16 10:00", "agent_reply"),
        ev("16 10:30", "customer_reply"),
    )
    r = evaluate(twice, p, now=at("16 11:00"))
    assert r.get("first_response").stopped_at == at("16 10:00")
    nr = r.get("next_reply", 1)
    assert (nr.status, nr.started_at) == ("running", at("16 10:30"))
    round_trip = ticket(
        ev("16 09:30", "agent_reply"),
        ev("16 10:00", "agent_reply"),
        ev("16 10:00", "customer_reply"),
        ev("16 10:00", "agent_reply"),
    )
    r = evaluate(round_trip, p, now=at("16 11:00"))
    nr = r.get("next_reply", 1)
    assert (nr.status, nr.stopped_at) == ("met", at("16 10:00"))
    assert [m.cycle for m in r.metrics if m.name == "next_reply"] == [1]
