"""Agreement importers: Zendesk SLA policies and schedules, JSM calendars (fixtures under
tests/fixtures/zendesk and tests/fixtures/jira), and ``slaclock import``. Expected
configurations are written by hand from the fixtures."""

from __future__ import annotations

import argparse
import tomllib
from pathlib import Path
from typing import Any

import pytest

from slaclock import Calendar, ConfigError, Policy, importers
from slaclock._cli_import import add_import_parser

ZD = Path(__file__).parent / "fixtures" / "zendesk"
JIRA = Path(__file__).parent / "fixtures" / "jira"

SUPPORT_HOURS = {
    "timezone": "America/New_York",
    "hours": {"mon-thu": "09:00-17:00", "fri": "09:00-15:00"},
    "holidays": ["2026-11-26", "2026-12-25"],
}
NIGHT_DESK = {
    "timezone": "Europe/Berlin",
    # Monday 20:00 to Tuesday 06:00 is split at midnight
    "hours": {"mon": "20:00-24:00", "tue": "00:00-06:00", "sat": "18:00-24:00"},
    "holidays": ["2026-12-24", "2026-12-25", "2026-12-26"],
}
EMPTY = {"low": {}, "normal": {}, "high": {}, "urgent": {}, "none": {}}
ALWAYS = "always"
POLICY: dict[str, Any] = {
    "name": "Zendesk SLA policies",
    "default_plan": "no_sla",
    "default_calendar": "business",
    "pause": {"resolution": []},
    "rules": [
        {"name": "Enterprise (any 1/3)", "plan": "enterprise",
         "when": {"group": {"exists": True}, "organization": "9001"}},
        {"name": "Enterprise (any 2/3)", "plan": "enterprise",
         "when": {"group": {"exists": True}, "tags": ["vip", "gold"]}},
        {"name": "Enterprise (any 3/3)", "plan": "enterprise",
         "when": {"group": {"exists": True}, "channel": "chat"}},
        {"name": "Standard", "plan": "standard", "when": {}},
    ],
    "calendars": {
        "business": SUPPORT_HOURS,
        "always": {"preset": "24x7", "timezone": "America/New_York"},
    },
    "plans": {
        "enterprise": {"severities": {
            **EMPTY,
            "high": {
                "first_response": {"within": "1h", "calendar": ALWAYS},
                "next_reply": "2h",
                "requester_wait": {"within": "24h", "calendar": ALWAYS},
            },
            "urgent": {
                "first_response": {"within": "30m", "calendar": ALWAYS},
                "resolution": {"within": "8h", "calendar": ALWAYS},
            },
        }},
        "standard": {"severities": {
            **EMPTY,
            "normal": {"first_response": "8h"},
            "high": {"first_response": "4h"},
            "urgent": {"first_response": "1h"},
        }},
        "no_sla": {"severities": EMPTY},
    },
}  # fmt: skip


def schedules() -> importers.Imported:
    return importers.zendesk_schedules(ZD / "schedules.json", holidays=ZD / "holidays.json")


class TestZendeskSchedules:
    def test_calendars_as_written_by_hand(self) -> None:
        got = schedules()
        assert got.data == {"calendars": {"support_hours": SUPPORT_HOURS, "night_desk": NIGHT_DESK}}
        assert tomllib.loads(got.toml) == got.data
        for cal in got.data["calendars"].values():
            Calendar.model_validate(cal)

    def test_holidays_without_a_schedule_id_need_one_schedule(self, tmp_path: Path) -> None:
        (tmp_path / "h.json").write_text('{"holidays": [{"start_date": "2026-12-25"}]}')
        with pytest.raises(ConfigError, match=r"without schedule_id and there are 2 schedules"):
            importers.zendesk_schedules(ZD / "schedules.json", holidays=tmp_path / "h.json")

    def test_unknown_zone_is_named(self) -> None:
        data = {"schedule": {"name": "X", "time_zone": "Atlantis", "intervals": []}}
        with pytest.raises(ConfigError, match=r"schedule 'X': unknown time zone 'Atlantis'"):
            importers.zendesk_schedules(data)

    def test_interval_outside_the_week(self) -> None:
        data = [
            {
                "name": "X",
                "time_zone": "UTC",
                "intervals": [{"start_time": 10000, "end_time": 10200}],
            }
        ]
        with pytest.raises(ConfigError, match=r"interval 10000-10200 must lie within the week"):
            importers.zendesk_schedules(data)

    def test_a_sunday_to_saturday_week(self) -> None:
        data = [
            {
                "name": "All week",
                "time_zone": "UTC",
                "intervals": [{"start_time": 0, "end_time": 10080}],
            }
        ]
        cal = importers.zendesk_schedules(data).data["calendars"]["all_week"]
        assert cal == {"timezone": "Etc/UTC", "hours": {"mon-sun": "00:00-24:00"}}


class TestZendeskPolicies:
    def test_policy_as_written_by_hand(self) -> None:
        sched = schedules().data["calendars"]["support_hours"]
        got = importers.zendesk_policies(ZD / "sla_policies.json", schedule=sched)
        assert got.data == POLICY
        assert tomllib.loads(got.toml) == POLICY

    def test_untranslated_conditions_are_comments_and_warnings(self) -> None:
        got = importers.zendesk_policies(ZD / "sla_policies.json", schedule=SUPPORT_HOURS)
        comment = (
            '  # condition {"field": "priority", "operator": "is_not", "value": "low"} not '
            "translated (the Zendesk adapter keeps no ticket field for 'priority'); the rule "
            "ignores it"
        )
        assert got.toml.count(comment) == 3  # once per expanded 'any' rule
        assert (
            "'Enterprise': metric 'group_ownership_time' has no slaclock equivalent"
            in (got.warnings[0])
        )
        assert len(got.warnings) == 4

    def test_without_a_schedule_the_business_calendar_is_a_marked_placeholder(self) -> None:
        got = importers.zendesk_policies(ZD / "sla_policies.json")
        assert got.data["calendars"]["business"] == {
            "timezone": "UTC", "hours": {"mon-fri": "09:00-17:00"},
        }  # fmt: skip
        assert "# PLACEHOLDER: replace with your Zendesk schedule" in got.toml
        assert any("placeholder" in w for w in got.warnings)

    def test_operators_and_fields(self) -> None:
        pol = {
            "id": 1, "title": "Ops", "position": 1,
            "filter": {"all": [
                {"field": "assignee_id", "operator": "is", "value": ""},
                {"field": "current_tags", "operator": "includes", "value": "vip"},
                {"field": "ticket_type_id", "operator": "is", "value": 2},
                {"field": "brand_id", "operator": "less_than", "value": "7"},
                {"field": "via_id", "operator": "is", "value": "44"},
                {"field": "current_tags", "operator": "not_includes", "value": "spam"},
            ]},
            "policy_metrics": [
                {"priority": "low", "metric": "agent_work_time", "target_in_seconds": 5430,
                 "business_hours": False},
            ],
        }  # fmt: skip
        got = importers.zendesk_policies([pol])
        (rule,) = [r for r in got.data["rules"] if r["plan"] == "ops"]
        assert rule["when"] == {
            "assignee": {"exists": False}, "tags": {"contains": "vip"}, "type": "incident",
        }  # fmt: skip
        assert len(got.warnings) == 3  # less_than, channel 44, not_includes
        assert got.data["plans"]["ops"]["severities"]["low"] == {
            "agent_work": {"within": "1h30m30s", "calendar": "always"}
        }
        assert got.data["default_calendar"] == "always"  # no business-hours target
        assert "business" not in got.data["calendars"]

    @pytest.mark.skipif(
        "rules" not in Policy.model_fields, reason="needs the version-2 policy (rules, plans)"
    )
    def test_the_imported_policy_validates(self) -> None:
        got = importers.zendesk_policies(ZD / "sla_policies.json", schedule=SUPPORT_HOURS)
        policy = Policy.model_validate(got.data)
        assert list(policy.plans) == ["enterprise", "standard", "no_sla"]

    def test_bad_file(self, tmp_path: Path) -> None:
        (tmp_path / "p.json").write_text("{nope")
        with pytest.raises(ConfigError, match=r"p\.json' is not valid JSON"):
            importers.zendesk_policies(tmp_path / "p.json")
        with pytest.raises(ConfigError, match=r"cannot read Zendesk SLA policies file"):
            importers.zendesk_policies(tmp_path / "missing.json")


class TestJiraCalendars:
    def test_calendars_as_written_by_hand(self) -> None:
        got = importers.jira_calendars(JIRA / "calendars.json", recurring_years=3)
        assert got.data == {
            "calendars": {
                "sample_9_5_calendar": {
                    "timezone": "Europe/London",
                    "hours": {"mon-thu": "09:00-17:00", "fri": ["09:00-12:30", "13:30-17:00"]},
                    "holidays": ["2026-11-27", "2026-12-25", "2027-12-25", "2028-12-25"],
                },
                "weekend_on_call": {"timezone": "Asia/Tokyo", "hours": {"sat-sun": "08:00-20:00"}},
            }
        }
        assert tomllib.loads(got.toml) == got.data
        for cal in got.data["calendars"].values():
            Calendar.model_validate(cal)

    def test_bad_weekday_and_time(self) -> None:
        with pytest.raises(ConfigError, match=r"calendar 'C': unknown weekday 'someday'"):
            importers.jira_calendars([{"name": "C", "timezone": "UTC",
                                       "workingTimes": [{"weekday": "SOMEDAY"}]}])  # fmt: skip
        with pytest.raises(ConfigError, match=r"cannot read the time '9am'"):
            importers.jira_calendars([{"name": "C", "timezone": "UTC", "workingTimes": [
                {"weekday": "MONDAY", "start": "9am", "end": "17:00"}]}])  # fmt: skip
        with pytest.raises(ConfigError, match=r"working time 17:00-09:00 on mon must start"):
            importers.jira_calendars([{"name": "C", "timezone": "UTC", "workingTimes": [
                {"weekday": "MONDAY", "start": "17:00", "end": "09:00"}]}])  # fmt: skip


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="slaclock")
    add_import_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


class TestCommand:
    def test_zendesk_policies_with_a_schedule(self, tmp_path: Path, capsys: Any) -> None:
        out = tmp_path / "policy.toml"
        code = run([
            "import", "zendesk-policies", str(ZD / "sla_policies.json"),
            "--schedules", str(ZD / "schedules.json"), "--holidays", str(ZD / "holidays.json"),
            "--schedule", "Support Hours", "-o", str(out),
        ])  # fmt: skip
        assert code == 0
        assert tomllib.loads(out.read_text()) == POLICY
        assert capsys.readouterr().err.count("slaclock: warning:") == 4

    def test_several_schedules_need_a_choice(self) -> None:
        argv = ["import", "zendesk-policies", str(ZD / "sla_policies.json"),
                "--schedules", str(ZD / "schedules.json")]  # fmt: skip
        with pytest.raises(ConfigError, match=r"has 2 schedules \(support_hours, night_desk\)"):
            run(argv)
        with pytest.raises(ConfigError, match=r"--schedule 'Day desk' is not in"):
            run([*argv, "--schedule", "Day desk"])

    def test_schedules_and_calendars_to_stdout(self, capsys: Any) -> None:
        assert run(["import", "zendesk-schedules", str(ZD / "schedules.json")]) == 0
        cals = tomllib.loads(capsys.readouterr().out)["calendars"]
        assert cals["night_desk"] == NIGHT_DESK
        assert "holidays" not in cals["support_hours"]  # no holidays file given
        assert run(["import", "jira-calendars", str(JIRA / "calendars.json")]) == 0
        cals = tomllib.loads(capsys.readouterr().out)["calendars"]
        assert len(cals["sample_9_5_calendar"]["holidays"]) == 11  # 10 Christmases + offsite

    def test_a_failed_import_leaves_the_output_as_it_was(self, tmp_path: Path) -> None:
        out = tmp_path / "policy.toml"
        out.write_text("# the policy we had\n")
        argv = ["import", "zendesk-policies", str(ZD / "sla_policies.json"),
                "--schedules", str(ZD / "schedules.json"), "-o", str(out)]  # fmt: skip
        with pytest.raises(ConfigError, match=r"choose one with --schedule"):
            run(argv)
        assert out.read_text() == "# the policy we had\n"
        missing = tmp_path / "nowhere" / "cal.toml"
        with pytest.raises(ConfigError, match=r"the directory .*nowhere' does not exist"):
            run(["import", "zendesk-schedules", str(ZD / "schedules.json"), "-o", str(missing)])
        assert not missing.parent.exists()
        assert [p.name for p in tmp_path.iterdir()] == ["policy.toml"]  # no temporary left

    def test_what_is_written_validates(self, tmp_path: Path) -> None:
        out = tmp_path / "cals.toml"
        assert run(["import", "jira-calendars", str(JIRA / "calendars.json"), "-o", str(out)]) == 0
        for cal in tomllib.loads(out.read_text())["calendars"].values():
            Calendar.model_validate(cal)  # what slaclock validate would check
