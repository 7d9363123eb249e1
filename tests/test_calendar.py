"""The Calendar façade: validation, errors, composition, description, serialization.

Business-time answers on concrete calendars live in the golden tables
(``tests/cases/*.toml``); this file covers the behaviours around them. Expected values
are worked out by hand in the comments.
"""

from __future__ import annotations

import pickle
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from slaclock import (
    Calendar,
    ConfigError,
    Duration,
    NaiveDatetimeError,
    NoOpenTimeError,
    SlaClockError,
    SlaClockWarning,
    WeeklyHours,
)

NY = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")

DESK_CONFIG: dict[str, Any] = {
    "timezone": "America/New_York",
    "hours": {"mon-thu": "00:00-24:00", "fri": ["00:00-20:00"]},
    "holidays": ["2026-12-25", {"country": "US", "subdivision": "NY"}],
    "overrides": {"2026-12-24": ["08:00-12:00"], "2026-12-27": []},
}


def ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY)  # type: ignore[misc]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.fixture(scope="module")
def office() -> Calendar:
    return Calendar.preset("8x5", timezone="America/New_York")


@pytest.fixture(scope="module")
def desk() -> Calendar:
    return Calendar.model_validate(
        {"timezone": "America/New_York", "hours": {"mon-thu": "00:00-24:00", "fri": "00:00-20:00"}}
    )


class TestConfigForm:
    def test_design_example_validates(self) -> None:
        cal = Calendar.model_validate(DESK_CONFIG)
        assert cal.hours["mon"] == ("00:00-24:00",)
        assert cal.hours["fri"] == ("00:00-20:00",)
        assert "sat" not in cal.hours
        assert date(2026, 12, 25) in cal.holidays
        assert cal.overrides[date(2026, 12, 27)] == ()

    def test_canonical_day_keys(self) -> None:
        by_range = Calendar.model_validate({"timezone": "UTC", "hours": {"mon-fri": "08:00-17:00"}})
        by_day = Calendar.model_validate(
            {
                "timezone": "UTC",
                "hours": dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), "08:00-17:00"),
            }
        )
        assert by_range == by_day

    def test_wrapping_day_range(self) -> None:
        cal = Calendar.model_validate({"timezone": "UTC", "hours": {"fri-mon": "10:00-11:00"}})
        assert set(cal.hours) == {"fri", "sat", "sun", "mon"}

    def test_several_intervals_a_day(self) -> None:
        cal = Calendar.model_validate(
            {"timezone": "UTC", "hours": {"mon": ["13:00-17:00", "09:00-12:00"]}}
        )
        # 2026-01-05 is a Monday
        assert cal.elapsed(utc(2026, 1, 5), utc(2026, 1, 6)) == timedelta(hours=7)

    def test_midnight_end_is_canonical_24(self) -> None:
        cal = Calendar.model_validate({"timezone": "UTC", "hours": {"mon": "09:00-00:00"}})
        assert cal.hours["mon"] == ("09:00-24:00",)

    def test_toml_and_json_forms(self, tmp_path: Any) -> None:
        toml = tmp_path / "cal.toml"
        toml.write_text(
            'timezone = "America/New_York"\n'
            'hours = { "mon-thu" = "00:00-24:00", fri = ["00:00-20:00"] }\n'
            'holidays = ["2026-12-25", { country = "US", subdivision = "NY" }]\n'
            'overrides = { "2026-12-24" = ["08:00-12:00"], "2026-12-27" = [] }\n'
        )
        assert Calendar.from_file(toml) == Calendar.model_validate(DESK_CONFIG)


class TestPresets:
    def test_8x5(self, office: Calendar) -> None:
        assert office.hours == dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), ("08:00-17:00",))

    def test_24x5(self) -> None:
        cal = Calendar.preset("24x5", timezone="UTC")
        # Mon 2026-01-05 .. Mon 2026-01-12: five whole days
        assert cal.elapsed(utc(2026, 1, 5), utc(2026, 1, 12)) == timedelta(days=5)

    def test_24x7(self) -> None:
        cal = Calendar.preset("24x7", timezone="UTC")
        assert cal.elapsed(utc(2026, 1, 5), utc(2026, 1, 12)) == timedelta(days=7)

    def test_preset_with_holidays(self) -> None:
        cal = Calendar.preset("8x5", timezone="America/New_York", holidays=["2026-11-18"])
        assert not cal.is_open(ny(2026, 11, 18, 10))
        assert cal.is_open(ny(2026, 11, 19, 10))

    def test_preset_in_config(self) -> None:
        cal = Calendar.model_validate({"preset": "8x5", "timezone": "America/New_York"})
        assert cal == Calendar.preset("8x5", timezone="America/New_York")

    def test_unknown_preset(self) -> None:
        with pytest.raises(ConfigError, match="'9x5'"):
            Calendar.model_validate({"preset": "9x5", "timezone": "UTC"})

    def test_preset_and_hours(self) -> None:
        with pytest.raises(ConfigError, match="not both"):
            Calendar.model_validate(
                {"preset": "8x5", "timezone": "UTC", "hours": {"mon": "09:00-10:00"}}
            )


class TestBadConfig:
    def test_unknown_time_zone(self) -> None:
        with pytest.raises(ConfigError, match="'Mars/Olympus_Mons'"):
            Calendar.model_validate(
                {"timezone": "Mars/Olympus_Mons", "hours": {"mon": "09:00-17:00"}}
            )

    def test_unknown_time_zone_in_describe(self, office: Calendar) -> None:
        with pytest.raises(ConfigError, match="'Nowhere/Land'"):
            office.describe("Nowhere/Land")

    @pytest.mark.parametrize("key", ["funday", "mon-funday", "mon-tue-wed", ""])
    def test_unknown_day(self, key: str) -> None:
        with pytest.raises(ConfigError, match="unknown day"):
            Calendar.model_validate({"timezone": "UTC", "hours": {key: "09:00-17:00"}})

    @pytest.mark.parametrize(
        "interval",
        ["8-17", "08:00-25:00", "08:00 to 17:00", "24:00-08:00", "08:00-08:00", "08:60-09:00",
         "08:00", "", "08:00-17:00-18:00"],
    )  # fmt: skip
    def test_malformed_interval(self, interval: str) -> None:
        with pytest.raises(ConfigError) as info:
            Calendar.model_validate({"timezone": "UTC", "hours": {"mon": interval}})
        # names where it is and the offending part (the whole interval or the bad time)
        message = str(info.value)
        assert "hours['mon']" in message
        bad = interval.split("-")
        assert repr(interval) in message or any(repr(part) in message for part in bad)

    def test_interval_not_a_string(self) -> None:
        with pytest.raises(ConfigError, match="string"):
            Calendar.model_validate({"timezone": "UTC", "hours": {"mon": [900, 1700]}})

    def test_duplicate_day(self) -> None:
        with pytest.raises(ConfigError, match="'fri' is given twice"):
            Calendar.model_validate(
                {"timezone": "UTC", "hours": {"mon-fri": "08:00-17:00", "fri": "08:00-12:00"}}
            )

    @pytest.mark.parametrize(
        "hours", [{}, {"mon": []}, {"mon-sun": []}], ids=["empty", "one-closed", "all-closed"]
    )
    def test_no_hours_at_all(self, hours: dict[str, Any]) -> None:
        with pytest.raises(ConfigError, match="no open hours"):
            Calendar.model_validate({"timezone": "UTC", "hours": hours})

    def test_no_hours_even_with_empty_override(self) -> None:
        with pytest.raises(ConfigError, match="no open hours"):
            Calendar.model_validate({"timezone": "UTC", "overrides": {"2026-01-01": []}})

    def test_overnight_override(self) -> None:
        with pytest.raises(ConfigError, match="split it"):
            Calendar.model_validate(
                {"timezone": "UTC", "hours": {"mon": "09:00-17:00"},
                 "overrides": {"2026-01-01": ["22:00-06:00"]}}
            )  # fmt: skip

    def test_unknown_holiday_country(self) -> None:
        with pytest.raises(ConfigError, match="'XX'"):
            Calendar.model_validate(
                {
                    "timezone": "UTC",
                    "hours": {"mon": "09:00-17:00"},
                    "holidays": [{"country": "XX"}],
                }
            )

    def test_bad_holiday_date(self) -> None:
        with pytest.raises(ConfigError, match="holidays"):
            Calendar.model_validate(
                {"timezone": "UTC", "hours": {"mon": "09:00-17:00"}, "holidays": ["2026-02-30"]}
            )

    def test_unknown_key(self) -> None:
        with pytest.raises(ConfigError, match="hour"):
            Calendar.model_validate({"timezone": "UTC", "hour": {"mon": "09:00-17:00"}})

    def test_missing_time_zone(self) -> None:
        with pytest.raises(ConfigError, match="timezone"):
            Calendar.model_validate({"hours": {"mon": "09:00-17:00"}})

    def test_config_error_is_a_value_error(self) -> None:
        with pytest.raises(ValueError, match="no open hours"):
            Calendar.model_validate({"timezone": "UTC"})

    def test_2359_warns_and_is_literal(self) -> None:
        with pytest.warns(SlaClockWarning, match="'24:00'"):
            cal = Calendar.model_validate({"timezone": "UTC", "hours": {"mon": "09:00-23:59"}})
        # 2026-01-05 is a Monday: 09:00-23:59 is 14h59m, the last minute stays closed.
        assert cal.elapsed(utc(2026, 1, 5), utc(2026, 1, 6)) == timedelta(hours=14, minutes=59)
        assert not cal.is_open(utc(2026, 1, 5, 23, 59, 30))

    def test_2359_warns_in_overrides(self) -> None:
        with pytest.warns(SlaClockWarning, match="23:59"):
            Calendar.model_validate(
                {"timezone": "UTC", "hours": {"mon": "09:00-17:00"},
                 "overrides": {"2026-01-01": ["09:00-23:59"]}}
            )  # fmt: skip


class TestNaiveDatetimes:
    NAIVE = datetime(2026, 11, 16, 9, 0)

    @pytest.mark.parametrize(
        ("method", "args"),
        [
            ("is_open", (NAIVE,)),
            ("next_open", (NAIVE,)),
            ("previous_close", (NAIVE,)),
            ("add", (NAIVE, "1h")),
            ("subtract", (NAIVE, "1h")),
            ("add_business_days", (NAIVE, 1)),
        ],
    )
    def test_rejected_naming_the_value(
        self, office: Calendar, method: str, args: tuple[Any, ...]
    ) -> None:
        with pytest.raises(NaiveDatetimeError) as info:
            getattr(office, method)(*args)
        message = str(info.value)
        assert repr(self.NAIVE) in message
        assert "naive" in message

    def test_elapsed_names_which_argument(self, office: Calendar) -> None:
        aware = ny(2026, 11, 16, 9)
        with pytest.raises(NaiveDatetimeError, match=r"^a=datetime"):
            office.elapsed(self.NAIVE, aware)
        with pytest.raises(NaiveDatetimeError, match=r"^b=datetime"):
            office.elapsed(aware, self.NAIVE)

    def test_open_intervals(self, office: Calendar) -> None:
        with pytest.raises(NaiveDatetimeError, match="naive"):
            list(office.open_intervals(self.NAIVE, ny(2026, 11, 17)))

    def test_is_a_type_error(self, office: Calendar) -> None:
        with pytest.raises(TypeError):
            office.add(self.NAIVE, "1h")

    def test_not_a_datetime(self, office: Calendar) -> None:
        with pytest.raises(NaiveDatetimeError, match="not a datetime"):
            office.next_open("2026-11-16T09:00:00-05:00")  # type: ignore[arg-type]


class TestBadArguments:
    def test_negative_timedelta(self, office: Calendar) -> None:
        with pytest.raises(ConfigError, match="negative"):
            office.add(ny(2026, 11, 16, 9), timedelta(hours=-1))
        with pytest.raises(ConfigError, match="negative"):
            office.subtract(ny(2026, 11, 16, 9), timedelta(hours=-1))

    def test_negative_string(self, office: Calendar) -> None:
        with pytest.raises(ConfigError, match="negative"):
            office.add(ny(2026, 11, 16, 9), "-1h")

    def test_ambiguous_day(self, office: Calendar) -> None:
        with pytest.raises(ConfigError, match="1 business day"):
            office.add(ny(2026, 11, 16, 9), "1d")

    def test_b_before_a(self, office: Calendar) -> None:
        a, b = ny(2026, 11, 16, 10), ny(2026, 11, 16, 9)
        with pytest.raises(ConfigError, match="before") as info:
            office.elapsed(a, b)
        assert repr(b) in str(info.value)
        with pytest.raises(ConfigError, match="before"):
            list(office.open_intervals(a, b))

    @pytest.mark.parametrize("n", [-1, 1.5, True])
    def test_bad_business_days(self, office: Calendar, n: Any) -> None:
        with pytest.raises(ConfigError, match="business days"):
            office.add_business_days(ny(2026, 11, 16, 9), n)

    def test_subtract_business_days(self, office: Calendar) -> None:
        with pytest.raises(ConfigError, match="add_business_days"):
            office.subtract(ny(2026, 11, 16, 9), "1 business day")


class TestDurationsAccepted:
    @pytest.mark.parametrize("d", ["2h", "PT2H", "120m", timedelta(hours=2), Duration.of(hours=2)])
    def test_every_form_of_two_hours(self, office: Calendar, d: Any) -> None:
        # Friday 2026-11-20 16:00 + 2h is Monday 09:00 (DESIGN)
        assert office.add(ny(2026, 11, 20, 16), d) == ny(2026, 11, 23, 9)
        assert office.subtract(ny(2026, 11, 23, 9), d) == ny(2026, 11, 20, 16)

    def test_business_days_string_goes_to_add_business_days(self, office: Calendar) -> None:
        # Monday 15:00 + 1 business day is Tuesday 15:00
        assert office.add(ny(2026, 11, 16, 15), "1 business day") == ny(2026, 11, 17, 15)
        assert office.add(ny(2026, 11, 16, 15), "2bd") == ny(2026, 11, 18, 15)


class TestResultZone:
    def test_results_are_in_the_calendar_zone(self, office: Calendar) -> None:
        t = utc(2026, 11, 16, 15)  # 10:00 New York
        for result in (
            office.add(t, "1h"),
            office.subtract(t, "1h"),
            office.next_open(t),
            office.previous_close(t),
            office.add_business_days(t, 1),
        ):
            assert result.tzinfo is not None
            assert getattr(result.tzinfo, "key", None) == "America/New_York"
        assert office.add(t, "1h").hour == 11

    def test_tz_property(self, office: Calendar) -> None:
        assert office.tz == NY


class TestOpenIntervals:
    def test_a_week(self, office: Calendar) -> None:
        got = list(office.open_intervals(ny(2026, 11, 16), ny(2026, 11, 23)))
        assert got == [(ny(2026, 11, d, 8), ny(2026, 11, d, 17)) for d in range(16, 21)]

    def test_clipped_to_the_window(self, office: Calendar) -> None:
        got = list(office.open_intervals(ny(2026, 11, 16, 12), ny(2026, 11, 17, 9)))
        assert got == [(ny(2026, 11, 16, 12), ny(2026, 11, 16, 17)),
                       (ny(2026, 11, 17, 8), ny(2026, 11, 17, 9))]  # fmt: skip

    def test_empty_window(self, office: Calendar) -> None:
        assert list(office.open_intervals(ny(2026, 11, 16, 12), ny(2026, 11, 16, 12))) == []
        assert list(office.open_intervals(ny(2026, 11, 21), ny(2026, 11, 23))) == []

    def test_continuous_stretch_is_one_interval(self, desk: Calendar) -> None:
        # Mon 00:00 .. Fri 20:00 is one stretch, across midnights.
        got = list(desk.open_intervals(ny(2026, 11, 15), ny(2026, 11, 22)))
        assert got == [(ny(2026, 11, 16), ny(2026, 11, 20, 20))]

    def test_sum_is_elapsed(self, desk: Calendar) -> None:
        a, b = ny(2026, 10, 28, 13), ny(2026, 11, 9, 7)
        total = sum(
            (e.astimezone(UTC) - s.astimezone(UTC) for s, e in desk.open_intervals(a, b)),
            timedelta(0),
        )
        assert total == desk.elapsed(a, b)

    def test_intervals_are_in_the_calendar_zone(self, office: Calendar) -> None:
        (s, e), *_ = office.open_intervals(utc(2026, 11, 16), utc(2026, 11, 17))
        assert getattr(s.tzinfo, "key", None) == "America/New_York"
        assert getattr(e.tzinfo, "key", None) == "America/New_York"


@pytest.fixture(scope="module")
def once() -> Calendar:
    return Calendar.model_validate(
        {"timezone": "UTC", "overrides": {"2026-03-02": ["09:00-10:00"]}, "horizon_years": 2}
    )


class TestNoOpenTimeAhead:
    """Open only on 2026-03-02 09:00-10:00 UTC: questions beyond it must fail, not loop."""

    def test_answers_around_the_one_hour(self, once: Calendar) -> None:
        assert once.next_open(utc(2026, 1, 1)) == utc(2026, 3, 2, 9)
        assert once.add(utc(2026, 1, 1), "1h") == utc(2026, 3, 2, 10)
        assert once.elapsed(utc(2025, 1, 1), utc(2027, 1, 1)) == timedelta(hours=1)
        assert once.previous_close(utc(2026, 6, 1)) == utc(2026, 3, 2, 10)

    def test_next_open_after(self, once: Calendar) -> None:
        with pytest.raises(NoOpenTimeError, match="no open time"):
            once.next_open(utc(2026, 3, 2, 10))

    def test_add_after(self, once: Calendar) -> None:
        with pytest.raises(NoOpenTimeError, match="no open time"):
            once.add(utc(2026, 3, 3), "1s")

    def test_add_more_than_there_is(self, once: Calendar) -> None:
        with pytest.raises(NoOpenTimeError):
            once.add(utc(2026, 3, 1), "2h")

    def test_add_business_days_after(self, once: Calendar) -> None:
        with pytest.raises(NoOpenTimeError):
            once.add_business_days(utc(2026, 3, 1), 1)

    def test_subtract_before(self, once: Calendar) -> None:
        with pytest.raises(NoOpenTimeError):
            once.subtract(utc(2026, 3, 2, 9), "1s")

    def test_previous_close_before(self, once: Calendar) -> None:
        with pytest.raises(NoOpenTimeError):
            once.previous_close(utc(2026, 3, 2, 9, 30))

    def test_is_a_value_error(self, once: Calendar) -> None:
        with pytest.raises(ValueError, match="no open time"):
            once.next_open(utc(2027, 1, 1))

    def test_default_horizon(self) -> None:
        cal = Calendar.model_validate(
            {"timezone": "America/New_York", "overrides": {"2026-03-02": ["09:00-10:00"]}}
        )
        with pytest.raises(NoOpenTimeError, match="10 years") as info:
            cal.next_open(ny(2026, 3, 3))
        assert isinstance(info.value, SlaClockError)


class TestNoCloseBehind:
    """A calendar that never closes has no previous close: a clear error within the
    horizon, not a walk back to the first supported year."""

    def test_24x7_previous_close(self) -> None:
        cal = Calendar.model_validate({"preset": "24x7", "timezone": "UTC", "horizon_years": 2})
        with pytest.raises(NoOpenTimeError, match="2 years") as info:
            cal.previous_close(utc(2026, 6, 1))
        assert "close" in str(info.value)

    def test_is_quick(self) -> None:
        cal = Calendar.preset("24x7", timezone="America/New_York")
        with pytest.raises(NoOpenTimeError, match="10 years"):
            cal.previous_close(ny(2026, 6, 1))
        # the calendar still answers afterwards
        assert cal.elapsed(ny(2026, 1, 1), ny(2026, 1, 2)) == timedelta(hours=24)

    def test_union_of_always_open(self) -> None:
        always = Calendar.preset("24x7", timezone="UTC")
        u = Calendar.union(always, Calendar.preset("8x5", timezone="UTC"))
        with pytest.raises(NoOpenTimeError):
            u.previous_close(utc(2026, 6, 1))


class TestAddBusinessDays:
    def test_zero_is_first_open_instant(self, office: Calendar) -> None:
        assert office.add_business_days(ny(2026, 11, 16, 7), 0) == ny(2026, 11, 16, 8)
        assert office.add_business_days(ny(2026, 11, 16, 9), 0) == ny(2026, 11, 16, 9)

    def test_many(self, office: Calendar) -> None:
        # 10 business days from Monday 2026-11-16 10:00 is Monday 2026-11-30 10:00
        assert office.add_business_days(ny(2026, 11, 16, 10), 10) == ny(2026, 11, 30, 10)

    def test_into_a_break_gives_the_next_opening(self) -> None:
        # Monday is 09:00-17:00, Tuesday has a break 12:00-13:00: Monday 12:30 + 1 business
        # day lands in Tuesday's break and moves to 13:00 (DESIGN does not say; the
        # docstring does).
        cal = Calendar.model_validate(
            {
                "timezone": "UTC",
                "hours": {"mon": "09:00-17:00", "tue": ["09:00-12:00", "13:00-17:00"]},
            }
        )
        assert cal.add_business_days(utc(2026, 1, 5, 12, 30), 1) == utc(2026, 1, 6, 13)


class TestUnionAndIntersection:
    """London 09:00-17:00 and New York 09:00-17:00 on weekdays.

    January: London is UTC+0 (09-17Z), New York UTC-5 (14-22Z): union 09-22Z (13h),
    intersection 14-17Z (3h). Between 2026-03-08 and 2026-03-29 New York is already on
    EDT (13-21Z) and London still on GMT: union 09-21Z (12h), intersection 13-17Z (4h).
    """

    @pytest.fixture
    def parts(self) -> tuple[Calendar, Calendar]:
        london = Calendar.model_validate(
            {"timezone": "Europe/London", "hours": {"mon-fri": "09:00-17:00"}}
        )
        new_york = Calendar.model_validate(
            {"timezone": "America/New_York", "hours": {"mon-fri": "09:00-17:00"}}
        )
        return london, new_york

    def test_union_in_january(self, parts: tuple[Calendar, Calendar]) -> None:
        u = Calendar.union(*parts)
        # Monday 2026-01-12
        assert u.elapsed(utc(2026, 1, 12), utc(2026, 1, 13)) == timedelta(hours=13)
        assert u.is_open(utc(2026, 1, 12, 21, 59))
        assert not u.is_open(utc(2026, 1, 12, 22))
        assert u.next_open(utc(2026, 1, 12, 22)) == utc(2026, 1, 13, 9)

    def test_intersection_in_january(self, parts: tuple[Calendar, Calendar]) -> None:
        i = Calendar.intersection(*parts)
        assert i.elapsed(utc(2026, 1, 12), utc(2026, 1, 13)) == timedelta(hours=3)
        # Monday 14:00Z + 4h: 3h on Monday, 1h from Tuesday 14:00Z
        assert i.add(utc(2026, 1, 12, 14), "4h") == utc(2026, 1, 13, 15)

    def test_between_the_two_dst_changes(self, parts: tuple[Calendar, Calendar]) -> None:
        # Monday 2026-03-16
        u, i = Calendar.union(*parts), Calendar.intersection(*parts)
        assert u.elapsed(utc(2026, 3, 16), utc(2026, 3, 17)) == timedelta(hours=12)
        assert i.elapsed(utc(2026, 3, 16), utc(2026, 3, 17)) == timedelta(hours=4)
        assert i.next_open(utc(2026, 3, 16, 12)) == utc(2026, 3, 16, 13)

    def test_results_in_the_first_calendar_zone(self, parts: tuple[Calendar, Calendar]) -> None:
        u = Calendar.union(*parts)
        result = u.add(utc(2026, 1, 12, 16), "2h")
        assert getattr(result.tzinfo, "key", None) == "Europe/London"
        assert result == utc(2026, 1, 12, 18)
        v = Calendar.union(parts[1], parts[0])
        assert getattr(v.add(utc(2026, 1, 12, 16), "2h").tzinfo, "key", None) == "America/New_York"

    def test_results_in_a_chosen_zone(self, parts: tuple[Calendar, Calendar]) -> None:
        u = Calendar.union(*parts, timezone="Asia/Tokyo")
        result = u.next_open(utc(2026, 1, 12, 22))
        assert getattr(result.tzinfo, "key", None) == "Asia/Tokyo"
        assert result == utc(2026, 1, 13, 9)

    def test_part_holidays_apply(self, parts: tuple[Calendar, Calendar]) -> None:
        london = Calendar.model_validate(
            {
                "timezone": "Europe/London",
                "hours": {"mon-fri": "09:00-17:00"},
                "holidays": ["2026-01-12"],
            }
        )
        u = Calendar.union(london, parts[1])
        assert u.elapsed(utc(2026, 1, 12), utc(2026, 1, 13)) == timedelta(hours=8)
        i = Calendar.intersection(london, parts[1])
        assert i.elapsed(utc(2026, 1, 12), utc(2026, 1, 13)) == timedelta(0)

    def test_nested(self, parts: tuple[Calendar, Calendar]) -> None:
        tokyo = Calendar.model_validate(
            {"timezone": "Asia/Tokyo", "hours": {"mon-fri": "09:00-17:00"}}
        )
        # Tokyo 09-17 JST is 00-08Z: follow the sun covers 00-08Z and 09-22Z on 2026-01-13
        sun = Calendar.union(Calendar.union(*parts), tokyo)
        assert sun.elapsed(utc(2026, 1, 13), utc(2026, 1, 14)) == timedelta(hours=21)

    def test_needs_a_calendar(self) -> None:
        with pytest.raises(ConfigError, match="at least one"):
            Calendar.union()
        with pytest.raises(ConfigError, match="at least one"):
            Calendar.intersection()

    def test_composite_takes_no_hours(self, parts: tuple[Calendar, Calendar]) -> None:
        with pytest.raises(ConfigError, match="union or intersection"):
            Calendar(timezone="UTC", hours={"mon": ("09:00-10:00",)}, union_of=parts)

    def test_disjoint_intersection_has_no_open_time(self, parts: tuple[Calendar, Calendar]) -> None:
        night = Calendar.model_validate(
            {"timezone": "Europe/London", "hours": {"mon-fri": "20:00-22:00"}}
        )
        i = Calendar.intersection(parts[0], night)
        assert i.elapsed(utc(2026, 1, 12), utc(2026, 1, 19)) == timedelta(0)


class TestDescribe:
    def test_own_zone(self, desk: Calendar) -> None:
        hours = desk.describe()
        assert isinstance(hours, WeeklyHours)
        assert hours.timezone == "America/New_York"
        assert hours.to_config() == {
            "mon": ["00:00-24:00"], "tue": ["00:00-24:00"], "wed": ["00:00-24:00"],
            "thu": ["00:00-24:00"], "fri": ["00:00-20:00"],
        }  # fmt: skip

    def test_friday_cutoff_in_chicago_and_los_angeles(self, desk: Calendar) -> None:
        chicago = desk.describe("America/Chicago")
        assert chicago.days["fri"] == ("00:00-19:00",)
        assert chicago.days["sun"] == ("23:00-24:00",)
        assert chicago.days["sat"] == ()
        la = desk.describe("America/Los_Angeles")
        assert la.days["fri"] == ("00:00-17:00",)
        assert la.days["sun"] == ("21:00-24:00",)
        assert la.days["mon"] == ("00:00-24:00",)

    def test_in_london(self, desk: Calendar) -> None:
        # January: London is 5h ahead of New York
        london = desk.describe("Europe/London")
        assert london.days["mon"] == ("05:00-24:00",)
        assert london.days["fri"] == ("00:00-24:00",)
        assert london.days["sat"] == ("00:00-01:00",)
        assert london.days["sun"] == ()

    def test_week_when_only_one_zone_has_changed(self, desk: Calendar) -> None:
        # Week of 2026-03-09: New York on EDT (UTC-4), London on GMT: 4h ahead, so
        # Friday 20:00 New York is Saturday 00:00 London.
        london = desk.describe("Europe/London", week_of=date(2026, 3, 11))
        assert london.week_of == date(2026, 3, 9)
        assert london.days["mon"] == ("04:00-24:00",)
        assert london.days["fri"] == ("00:00-24:00",)
        assert london.days["sat"] == ()

    def test_week_of_shows_holidays(self) -> None:
        cal = Calendar.preset("8x5", timezone="America/New_York", holidays=[{"country": "US"}])
        week = cal.describe(week_of=date(2026, 11, 26))
        assert week.days["thu"] == ()
        assert week.days["wed"] == ("08:00-17:00",)
        assert cal.describe().days["thu"] == ("08:00-17:00",)

    def test_overnight_shift(self) -> None:
        cal = Calendar.model_validate({"timezone": "UTC", "hours": {"mon": "22:00-06:00"}})
        assert cal.describe().to_config() == {"mon": ["22:00-24:00"], "tue": ["00:00-06:00"]}

    def test_override_only_calendar(self) -> None:
        cal = Calendar.model_validate(
            {"timezone": "UTC", "overrides": {"2026-03-02": ["09:00-10:00"]}}
        )
        assert cal.describe().to_config() == {}

    def test_to_config_round_trip(self, desk: Calendar) -> None:
        again = Calendar.model_validate(
            {"timezone": desk.timezone, "hours": desk.describe().to_config()}
        )
        assert again == desk

    def test_described_calendar_is_the_same_in_winter(self, desk: Calendar) -> None:
        chicago = Calendar.model_validate(
            {"timezone": "America/Chicago", "hours": desk.describe("America/Chicago").to_config()}
        )
        a, b = ny(2026, 1, 5), ny(2026, 2, 2)
        assert list(chicago.open_intervals(a, b)) == list(desk.open_intervals(a, b))

    def test_str(self, office: Calendar) -> None:
        text = str(office)
        assert "America/New_York" in text
        assert "sat  closed" in text
        assert "mon  08:00-17:00" in text


class TestSerialization:
    CONFIGS: tuple[dict[str, Any], ...] = (
        DESK_CONFIG,
        {"preset": "8x5", "timezone": "America/New_York"},
        {"timezone": "Australia/Lord_Howe", "hours": {"mon-fri": "22:00-06:00"}},
    )

    @pytest.mark.parametrize("config", CONFIGS)
    def test_model_dump_json_round_trip(self, config: dict[str, Any]) -> None:
        cal = Calendar.model_validate(config)
        again = Calendar.model_validate(cal.model_dump(mode="json"))
        assert again == cal
        assert Calendar.model_validate_json(cal.model_dump_json()) == cal

    def test_dump_is_canonical(self) -> None:
        dumped = Calendar.model_validate(DESK_CONFIG).model_dump(mode="json")
        assert dumped["hours"]["fri"] == ["00:00-20:00"]
        assert dumped["holidays"] == ["2026-12-25", {"country": "US", "subdivision": "NY"}]
        assert dumped["overrides"] == {"2026-12-24": ["08:00-12:00"], "2026-12-27": []}

    def test_composite_round_trip(self) -> None:
        u = Calendar.union(
            Calendar.preset("8x5", timezone="Europe/London"),
            Calendar.preset("8x5", timezone="America/New_York"),
        )
        again = Calendar.model_validate(u.model_dump(mode="json"))
        assert again == u
        # 8x5: London 08-17Z, New York 13-22Z in January: union 08-22Z
        assert again.elapsed(utc(2026, 1, 12), utc(2026, 1, 13)) == timedelta(hours=14)

    @pytest.mark.parametrize("config", CONFIGS)
    def test_pickle(self, config: dict[str, Any]) -> None:
        cal = Calendar.model_validate(config)
        t = ny(2026, 12, 24, 11)
        expected = cal.add(t, "3h")  # compile before pickling
        again = pickle.loads(pickle.dumps(cal))
        assert again == cal
        assert again.add(t, "3h") == expected
        assert pickle.loads(pickle.dumps(again)).add(t, "3h") == expected

    def test_model_copy_recompiles(self, office: Calendar) -> None:
        copy = office.model_copy(update={"timezone": "Europe/London"})
        assert copy.next_open(utc(2026, 1, 12, 7)) == utc(2026, 1, 12, 8)
        assert office.next_open(utc(2026, 1, 12, 7)) == utc(2026, 1, 12, 13)

    def test_frozen(self, office: Calendar) -> None:
        with pytest.raises(ValueError, match="frozen"):
            office.timezone = "UTC"  # type: ignore[misc]

    def test_hashable_equal_calendars(self) -> None:
        a = Calendar.preset("8x5", timezone="UTC")
        b = Calendar.model_validate({"timezone": "UTC", "hours": {"mon-fri": "08:00-17:00"}})
        assert a == b


class TestNotebookDisplay:
    def test_calendar_html_is_a_week_grid_with_open_cells(self) -> None:
        cal = Calendar.preset("8x5", timezone="America/New_York")
        html = cal._repr_html_()
        assert html.count("<tr>") == 1 + 7  # header + one row per day
        # Mon-Fri 08:00-17:00: 9 fully open hours a day, none at the weekend
        assert html.count("#4caf50") == 5 * 9

    def test_23_59_warns_once_per_configuration(self) -> None:
        def build_and_show() -> None:
            cal = Calendar.model_validate({"timezone": "UTC", "hours": {"mon-fri": "09:00-23:59"}})
            cal.describe("America/New_York")
            cal._repr_html_()

        with pytest.warns(SlaClockWarning) as record:
            build_and_show()
        assert len(record) == 1
