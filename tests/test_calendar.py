"""The Calendar façade: validation, errors, composition, description, serialization.

Business-time answers on concrete calendars live in the golden tables
(``tests/cases/*.toml``); this file covers the behaviours around them. Expected values
are worked out by hand in the comments.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import pydantic
import pytest

from slaclock import (
    Calendar,
    ConfigError,
    Duration,
    NaiveDatetimeError,
    NoOpenTimeError,
    OutOfRangeError,
    SlaClockError,
    SlaClockWarning,
    WeeklyHours,
)
from slaclock.calendar import MAX_NESTING

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
        # names where it is and the whole interval string
        message = str(info.value)
        assert "hours['mon']" in message
        assert repr(interval) in message

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
        # the query is named in the message (it is built only when the error is raised)
        with pytest.raises(NoOpenTimeError, match=r"no open time within 2 years .* to add 2:00:00"):
            once.add(utc(2026, 3, 1), "2h")
        once.add(utc(2026, 3, 1), "1h")  # 2026 and 2027 compiled: the next year's fast path
        with pytest.raises(NoOpenTimeError, match=r"to add 1:00:00\.000001"):
            once.add(utc(2026, 3, 1), timedelta(hours=1, microseconds=1))

    def test_add_business_days_after(self, once: Calendar) -> None:
        with pytest.raises(NoOpenTimeError):
            once.add_business_days(utc(2026, 3, 1), 1)

    def test_subtract_before(self, once: Calendar) -> None:
        with pytest.raises(NoOpenTimeError, match=r"to subtract 0:00:01"):
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
        assert hash(a) == hash(b)
        assert len({a, b}) == 1


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


# -- the API the engine needs (brief item 1) ---------------------------------------------


def _epoch_us(value: datetime) -> int:
    """Microseconds since the epoch, by the standard library alone."""
    return (value - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


class TestFollowCustomerZone:
    def test_defaults_to_false(self, office: Calendar) -> None:
        assert office.follow_customer_zone is False

    def test_round_trips_through_dump_and_json(self) -> None:
        cal = Calendar.model_validate(
            {"preset": "8x5", "timezone": "America/New_York", "follow_customer_zone": True}
        )
        assert cal.follow_customer_zone is True
        dumped = cal.model_dump(mode="json")
        assert dumped["follow_customer_zone"] is True
        assert Calendar.model_validate(dumped) == cal
        assert Calendar.model_validate_json(cal.model_dump_json()) == cal

    def test_in_the_json_schema(self) -> None:
        schema = Calendar.model_json_schema()
        prop = schema["$defs"]["Calendar"]["properties"]["follow_customer_zone"]
        assert prop["type"] == "boolean"
        assert prop["default"] is False
        assert "customer" in prop["description"]

    def test_changes_no_arithmetic(self, office: Calendar) -> None:
        opted = Calendar.model_validate(
            {"preset": "8x5", "timezone": "America/New_York", "follow_customer_zone": True}
        )
        assert opted != office  # a different configuration...
        t = ny(2026, 1, 9, 16)  # ...with the same answers: Friday 16:00 + 2h = Monday 09:00
        assert opted.add(t, "2h") == office.add(t, "2h") == ny(2026, 1, 12, 9)
        assert opted.elapsed(t, ny(2026, 1, 12, 12)) == timedelta(hours=5)  # 16-17, 08-12
        assert office.elapsed(t, ny(2026, 1, 12, 12)) == timedelta(hours=5)


class TestInZone:
    def test_same_hours_read_in_another_zone(self, office: Calendar) -> None:
        london = office.in_zone("Europe/London")
        assert london.timezone == "Europe/London"
        assert london.hours == office.hours
        # Monday 2026-01-12: opens 08:00 in London (08:00Z), 08:00 in New York (13:00Z)
        assert london.next_open(utc(2026, 1, 12, 7)) == utc(2026, 1, 12, 8)
        assert office.next_open(utc(2026, 1, 12, 7)) == utc(2026, 1, 12, 13)
        assert getattr(london.next_open(utc(2026, 1, 12, 7)).tzinfo, "key", None) == (
            "Europe/London"
        )

    def test_holidays_and_overrides_follow(self) -> None:
        cal = Calendar.model_validate(DESK_CONFIG)
        tokyo = cal.in_zone("Asia/Tokyo")
        assert tokyo.holidays == cal.holidays
        assert tokyo.overrides == cal.overrides
        # 2026-12-24 is an override 08:00-12:00, read in Tokyo (UTC+9): 23:00Z to 03:00Z
        tk = ZoneInfo("Asia/Tokyo")
        assert tokyo.elapsed(datetime(2026, 12, 24, tzinfo=tk), datetime(2026, 12, 25, tzinfo=tk))
        assert tokyo.elapsed(
            datetime(2026, 12, 24, tzinfo=tk), datetime(2026, 12, 25, tzinfo=tk)
        ) == timedelta(hours=4)

    def test_cached_same_object(self, office: Calendar) -> None:
        assert office.in_zone("Asia/Tokyo") is office.in_zone("Asia/Tokyo")

    def test_own_zone_is_self(self, office: Calendar) -> None:
        assert office.in_zone("America/New_York") is office

    def test_unknown_zone_named(self, office: Calendar) -> None:
        with pytest.raises(ConfigError, match="'Mars/Base'"):
            office.in_zone("Mars/Base")

    def test_union_cannot_be_rezoned(self) -> None:
        u = Calendar.union(
            Calendar.preset("8x5", timezone="Europe/London"),
            Calendar.preset("8x5", timezone="America/New_York"),
        )
        with pytest.raises(ConfigError, match=r"union calendar cannot be re-zoned to 'Asia/Tokyo'"):
            u.in_zone("Asia/Tokyo")
        i = Calendar.intersection(*u.union_of)
        with pytest.raises(ConfigError, match="intersection calendar cannot be re-zoned"):
            i.in_zone("Asia/Tokyo")

    def test_cache_not_pickled_nor_dumped(self) -> None:
        cal = Calendar.preset("8x5", timezone="America/New_York")
        fresh = Calendar.preset("8x5", timezone="America/New_York")
        cal.in_zone("Asia/Tokyo")
        assert pickle.dumps(cal) == pickle.dumps(fresh)
        assert set(cal.model_dump()) == set(Calendar.model_fields)
        again = pickle.loads(pickle.dumps(cal))
        assert again.in_zone("Asia/Tokyo") == cal.in_zone("Asia/Tokyo")

    def test_threads_get_one_object(self) -> None:
        cal = Calendar.preset("8x5", timezone="America/New_York")
        with ThreadPoolExecutor(8) as pool:
            found = list(pool.map(lambda _: cal.in_zone("Europe/Paris"), range(32)))
        assert all(x is found[0] for x in found)


class TestIndex:
    def test_microsecond_api(self, office: Calendar) -> None:
        ix = office.index
        mon_16 = _epoch_us(utc(2026, 1, 5, 21))  # Monday 16:00 EST
        hour = 3_600_000_000
        assert ix.add(mon_16, 2 * hour) == _epoch_us(utc(2026, 1, 6, 14))  # Tue 09:00 EST
        assert ix.subtract(_epoch_us(utc(2026, 1, 6, 14)), 2 * hour) == mon_16
        assert ix.elapsed(mon_16, _epoch_us(utc(2026, 1, 6, 15))) == 3 * hour  # 16-17, 08-10
        assert ix.is_open(mon_16)
        assert not ix.is_open(_epoch_us(utc(2026, 1, 5, 22)))  # 17:00 EST: closed
        assert ix.next_open(_epoch_us(utc(2026, 1, 5, 23))) == _epoch_us(utc(2026, 1, 6, 13))
        assert ix.previous_close(_epoch_us(utc(2026, 1, 6, 3))) == _epoch_us(utc(2026, 1, 5, 22))
        assert list(ix.intervals_between(mon_16, _epoch_us(utc(2026, 1, 6, 14)))) == [
            (mon_16, _epoch_us(utc(2026, 1, 5, 22))),
            (_epoch_us(utc(2026, 1, 6, 13)), _epoch_us(utc(2026, 1, 6, 14))),
        ]
        tue_15 = _epoch_us(utc(2026, 1, 6, 20))
        assert ix.cum_at(tue_15) - ix.cum_at(mon_16) == 8 * hour  # 1h Monday, 7h Tuesday
        # Monday 15:00 + 1 business day is Tuesday 15:00
        assert ix.add_business_days(_epoch_us(utc(2026, 1, 5, 20)), 1) == tue_15

    def test_is_the_calendars_compiled_index(self, office: Calendar) -> None:
        assert office.index is office.index
        assert office.index.label == "America/New_York"

    def test_cum_at_across_years(self, office: Calendar) -> None:
        ix = office.index
        a, b = _epoch_us(utc(2026, 6, 1)), _epoch_us(utc(2031, 6, 1))
        assert ix.cum_at(b) - ix.cum_at(a) == ix.elapsed(a, b)

    def test_threads_agree(self) -> None:
        cal = Calendar.preset("8x5", timezone="America/New_York", holidays=[{"country": "US"}])
        ref = Calendar.preset("8x5", timezone="America/New_York", holidays=[{"country": "US"}])
        starts = [utc(2020 + k % 9, 1 + k % 12, 1 + k % 28, k % 24) for k in range(300)]
        expected = [ref.add(t, timedelta(hours=k % 50 + 1)) for k, t in enumerate(starts)]
        cal.index.cache_bytes = 0  # compile and evict all the time

        def work(offset: int) -> list[datetime]:
            order = starts[offset:] + starts[:offset]
            got = {t: cal.add(t, timedelta(hours=starts.index(t) % 50 + 1)) for t in order}
            return [got[t] for t in starts]

        with ThreadPoolExecutor(4) as pool:
            for result in pool.map(work, (0, 75, 150, 225)):
                assert result == expected


class TestAddBusinessDaysFromTheIndex:
    def test_ten_thousand_on_8x5(self) -> None:
        cal = Calendar.preset("8x5", timezone="America/New_York")
        # 10,000 business days of a five-day week without holidays are 2,000 weeks.
        start = ny(2026, 1, 5, 10)  # a Monday
        want = datetime.combine(date(2026, 1, 5) + timedelta(weeks=2000), time(10), tzinfo=NY)
        assert cal.add_business_days(start, 10_000) == want

    def test_ten_thousand_with_us_holidays(self) -> None:
        import holidays as holidays_package

        cal = Calendar.preset("8x5", timezone="America/New_York", holidays=[{"country": "US"}])
        start = ny(2026, 1, 5, 10)
        got = cal.add_business_days(start, 10_000)
        assert got.time() == time(10)
        us = holidays_package.country_holidays("US", years=range(2026, got.year + 1))
        open_dates = [
            date(2026, 1, 5) + timedelta(days=k)
            for k in range(1, (got.date() - date(2026, 1, 5)).days + 1)
        ]
        assert sum(d.weekday() < 5 and d not in us for d in open_dates) == 10_000
        assert got.date().weekday() < 5
        assert got.date() not in us

    def test_beyond_2199_is_out_of_range(self) -> None:
        cal = Calendar.preset("8x5", timezone="America/New_York")
        with pytest.raises(OutOfRangeError, match="2199"):
            cal.add_business_days(ny(2026, 1, 5, 10), 60_000)  # about 230 years

    def test_no_open_date_within_the_horizon(self) -> None:
        config = {
            "timezone": "UTC",
            "overrides": {"2026-01-05": ["09:00-17:00"], "2031-01-06": ["09:00-17:00"]},
        }
        cal = Calendar.model_validate(config)
        assert cal.add_business_days(utc(2026, 1, 5, 10), 1) == utc(2031, 1, 6, 10)
        short = Calendar.model_validate({**config, "horizon_years": 1})
        with pytest.raises(NoOpenTimeError, match="within 1 years after 2026-01-05"):
            short.add_business_days(utc(2026, 1, 5, 10), 1)

    def test_wall_time_in_the_gap_moves_forward(self) -> None:
        cal = Calendar.preset("24x7", timezone="America/New_York")
        # Saturday 02:30 EST + 1 business day: Sunday 2026-03-08 02:30 does not exist
        # (02:00 EST -> 03:00 EDT); read with the offset before the gap it is 03:30 EDT.
        got = cal.add_business_days(ny(2026, 3, 7, 2, 30), 1)
        assert got == ny(2026, 3, 8, 3, 30)
        assert got.utcoffset() == timedelta(hours=-4)

    def test_gap_moves_forward_even_from_a_repeated_hour(self) -> None:
        london = Calendar.model_validate(
            {"timezone": "Europe/London", "hours": {"sun": "00:00-24:00"}}
        )
        # 01:30 GMT on 2026-10-25 is the second 01:30 of that night (fold=1). 22 Sundays
        # later, 2027-03-28, 01:00 GMT jumps to 02:00 BST: 01:30 is in the gap and moves
        # forward to 02:30 BST (01:30Z), not back to 00:30 GMT.
        start = datetime(2026, 10, 25, 1, 30, fold=1, tzinfo=LONDON)
        assert start.utcoffset() == timedelta(0)
        got = london.add_business_days(start, 22)
        assert got.astimezone(UTC) == utc(2027, 3, 28, 1, 30)
        assert (got.hour, got.minute) == (2, 30)

    def test_repeated_hour_keeps_the_first_occurrence(self) -> None:
        cal = Calendar.preset("24x7", timezone="America/New_York")
        # Saturday 2026-10-31 01:30 EDT + 1: Sunday 01:30 happens twice; fold 0 is EDT.
        got = cal.add_business_days(ny(2026, 10, 31, 1, 30), 1)
        assert got.astimezone(UTC) == utc(2026, 11, 1, 5, 30)


# -- bounded cost and memory (brief item 2) ------------------------------------------------


def _dense_hours() -> list[str]:
    """720 one-minute intervals a day, open on every odd minute: 12 hours a day."""
    return [
        f"{m // 60:02d}:{m % 60:02d}-{(m + 1) // 60:02d}:{(m + 1) % 60:02d}"
        for m in range(1, 1440, 2)
    ]


class TestBoundedMemory:
    def test_a_dense_year_is_compact(self) -> None:
        cal = Calendar.model_validate(
            {"timezone": "America/New_York", "hours": {"mon-sun": _dense_hours()}}
        )
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            cal.index.add(_epoch_us(utc(2026, 3, 1)), 3_600_000_000)
            kept = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
        # 720 intervals a day, 365 days: 262,800 intervals kept as three arrays of 8-byte
        # integers (about 6.3 MB); lists of Python ints kept about 90 MB a year.
        assert kept < 10 * 2**20
        assert cal.index.cached_years == (2026,)

    def test_the_year_cache_is_bounded(self) -> None:
        cal = Calendar.model_validate({"timezone": "UTC", "hours": {"mon-sun": _dense_hours()}})
        one_year = cal.elapsed(utc(2026, 1, 1), utc(2027, 1, 1))
        cal.index.cache_bytes = 0  # keeps the minimum: two years
        for year in (2027, 2028, 2029):
            assert len(cal.index.cached_years) <= 2
            cal.is_open(utc(year, 6, 1))
        assert len(cal.index.cached_years) == 2
        # evicted years are compiled again on demand, with the same answers
        assert cal.elapsed(utc(2026, 1, 1), utc(2027, 1, 1)) == one_year == timedelta(hours=4380)

    def test_default_budget(self) -> None:
        from slaclock._index import CACHE_BYTES

        cal = Calendar.preset("8x5", timezone="UTC")
        assert cal.index.cache_bytes == CACHE_BYTES == 32 * 2**20
        # an 8x5 year is a few hundred intervals: the whole supported range fits
        cal.elapsed(utc(1900, 1, 1), utc(2199, 12, 31))
        assert len(cal.index.cached_years) == 300
        assert cal.index.cached_bytes < CACHE_BYTES


class TestNestingLimit:
    @staticmethod
    def _nested(depth: int) -> Calendar:
        cal = Calendar.preset("8x5", timezone="UTC")
        for _ in range(depth):
            cal = Calendar.union(cal, Calendar.preset("8x5", timezone="Europe/London"))
        return cal

    def test_sixteen_levels_are_fine(self) -> None:
        cal = self._nested(MAX_NESTING)
        # January: UTC 08-17 and London 08-17 (= UTC): 9 hours on Monday 2026-01-05
        assert cal.elapsed(utc(2026, 1, 5), utc(2026, 1, 6)) == timedelta(hours=9)

    def test_seventeen_levels_are_refused(self) -> None:
        with pytest.raises(ConfigError, match="nest 17 levels deep; at most 16"):
            self._nested(MAX_NESTING + 1)

    def test_a_deep_document_is_a_config_error(self) -> None:
        config: dict[str, Any] = {"preset": "8x5", "timezone": "UTC"}
        for _ in range(200):
            config = {"timezone": "UTC", "union_of": [config]}
        with pytest.raises(ConfigError, match="at most 16"):
            Calendar.model_validate(config)


# -- strictness (brief item 3) --------------------------------------------------------------


class TestOverlappingIntervals:
    def test_overlap_names_both(self) -> None:
        with pytest.raises(ConfigError) as info:
            Calendar.model_validate(
                {"timezone": "UTC", "hours": {"mon-fri": ["08:00-12:00", "10:00-14:00"]}}
            )
        message = str(info.value)
        assert "'08:00-12:00'" in message
        assert "'10:00-14:00'" in message
        assert "overlap on mon" in message

    def test_touching_is_legal(self) -> None:
        cal = Calendar.model_validate(
            {"timezone": "UTC", "hours": {"mon": ["08:00-12:00", "12:00-17:00"]}}
        )
        # Monday 2026-01-05: one stretch 08:00-17:00
        assert list(cal.open_intervals(utc(2026, 1, 5), utc(2026, 1, 6))) == [
            (utc(2026, 1, 5, 8), utc(2026, 1, 5, 17))
        ]

    def test_duplicate_interval(self) -> None:
        with pytest.raises(ConfigError, match="overlap"):
            Calendar.model_validate({"timezone": "UTC", "hours": {"mon": ["09:00-17:00"] * 2}})

    def test_overnight_part_overlapping_the_next_day(self) -> None:
        with pytest.raises(ConfigError) as info:
            Calendar.model_validate(
                {"timezone": "UTC", "hours": {"fri": "20:00-08:00", "sat": "06:00-12:00"}}
            )
        message = str(info.value)
        assert "'20:00-08:00' (hours['fri'], after midnight)" in message
        assert "'06:00-12:00' (hours['sat'])" in message
        assert "overlap on sat" in message

    def test_overnight_touching_the_next_day(self) -> None:
        cal = Calendar.model_validate(
            {"timezone": "UTC", "hours": {"fri": "20:00-08:00", "sat": "08:00-12:00"}}
        )
        # Friday 2026-01-09 20:00 to Saturday 12:00 in one stretch: 16 hours
        assert cal.elapsed(utc(2026, 1, 9), utc(2026, 1, 11)) == timedelta(hours=16)

    def test_overlap_in_an_override(self) -> None:
        with pytest.raises(ConfigError, match=r"'09:00-13:00' \(overrides\['2026-12-24'\]\)"):
            Calendar.model_validate(
                {"timezone": "UTC", "hours": {"mon": "09:00-17:00"},
                 "overrides": {"2026-12-24": ["09:00-13:00", "12:00-15:00"]}}
            )  # fmt: skip

    def test_too_many_intervals_a_day(self) -> None:
        seconds = [f"00:{m:02d}:{s:02d}-00:{m:02d}:{s + 1:02d}" for m in range(60) for s in (0, 30)]
        many = [
            *seconds,
            *(f"{h:02d}:{m:02d}-{h:02d}:{m:02d}:30" for h in range(1, 24) for m in range(60)),
        ]
        with pytest.raises(ConfigError, match="at most 1440"):
            Calendar.model_validate({"timezone": "UTC", "hours": {"mon": many}})


class TestAsciiDigits:
    @pytest.mark.parametrize(
        "interval", ["０８:００-17:00", "08:00-１７:00", "٠٨:٠٠-١٧:٠٠", "۰۸:۰۰-17:00"]
    )
    def test_other_digits_rejected_in_hours(self, interval: str) -> None:
        with pytest.raises(ConfigError, match="ASCII digits") as info:
            Calendar.model_validate({"timezone": "UTC", "hours": {"mon": interval}})
        assert repr(interval) in str(info.value)

    def test_other_digits_rejected_in_overrides(self) -> None:
        with pytest.raises(ConfigError, match="ASCII"):
            Calendar.model_validate(
                {"timezone": "UTC", "hours": {"mon": "09:00-17:00"},
                 "overrides": {"2026-12-24": ["٠٩:٠٠-12:00"]}}
            )  # fmt: skip

    def test_other_digits_rejected_in_holiday_dates(self) -> None:
        with pytest.raises(ConfigError, match="holiday"):
            Calendar.model_validate(
                {"timezone": "UTC", "hours": {"mon": "09:00-17:00"}, "holidays": ["２０２６-12-25"]}
            )


class TestOneProblemPerHoliday:
    def test_unknown_country_reports_only_that(self) -> None:
        with pytest.raises(ConfigError) as info:
            Calendar.model_validate(
                {
                    "timezone": "UTC",
                    "hours": {"mon": "09:00-17:00"},
                    "holidays": [{"country": "XX"}],
                }
            )
        assert len(info.value.errors) == 1
        assert info.value.errors[0][0] == ("holidays", 0)
        assert "'XX'" in info.value.errors[0][1]
        assert "date" not in str(info.value)

    def test_bad_date_reports_only_that(self) -> None:
        with pytest.raises(ConfigError) as info:
            Calendar.model_validate(
                {"timezone": "UTC", "hours": {"mon": "09:00-17:00"},
                 "holidays": ["2026-12-25", "2026-02-30"]}
            )  # fmt: skip
        assert len(info.value.errors) == 1
        assert info.value.errors[0][0] == ("holidays", 1)
        assert "'2026-02-30'" in str(info.value)

    def test_unknown_subdivision(self) -> None:
        with pytest.raises(ConfigError, match="'ZZ'") as info:
            Calendar.model_validate(
                {"timezone": "UTC", "hours": {"mon": "09:00-17:00"},
                 "holidays": [{"country": "US", "subdivision": "ZZ"}]}
            )  # fmt: skip
        assert len(info.value.errors) == 1


class TestConfigErrorEverywhere:
    BAD: ClassVar[dict[str, Any]] = {"timezone": "UTC", "hours": {"mon": "9-17"}}

    def test_model_validate_strings(self) -> None:
        with pytest.raises(ConfigError, match="'9-17'"):
            Calendar.model_validate_strings(self.BAD)

    def test_type_adapter(self) -> None:
        adapter = pydantic.TypeAdapter(Calendar)
        with pytest.raises(ConfigError, match="'9-17'"):
            adapter.validate_python(self.BAD)
        with pytest.raises(ConfigError, match="unknown time zone"):
            adapter.validate_json('{"timezone": "Nowhere/Land", "hours": {"mon": "09:00-17:00"}}')
        good = adapter.validate_python({"timezone": "UTC", "hours": {"mon": "09:00-17:00"}})
        assert good == Calendar.model_validate({"timezone": "UTC", "hours": {"mon": "09:00-17:00"}})

    def test_not_pydantics_error(self) -> None:
        with pytest.raises(ConfigError) as info:
            pydantic.TypeAdapter(Calendar).validate_python(self.BAD)
        assert not isinstance(info.value, pydantic.ValidationError)

    def test_strings_accept_the_string_forms(self) -> None:
        cal = Calendar.model_validate_strings(
            {"timezone": "UTC", "hours": {"mon": "09:00-17:00"}, "follow_customer_zone": "true"}
        )
        assert cal.follow_customer_zone is True


class TestOneMerge:
    def test_merge_joins_touching_and_overlapping(self) -> None:
        from slaclock import _hours
        from slaclock._index import merge

        assert merge([(12, 17), (8, 12), (20, 20), (9, 10), (18, 19)]) == [(8, 17), (18, 19)]
        assert not hasattr(_hours, "merge_seconds")


# -- arrays (brief item 4) --------------------------------------------------------------------


np = pytest.importorskip("numpy")


def dt64(text: str) -> Any:
    return np.datetime64(text, "us")


class TestArrays:
    def test_add_array(self, office: Calendar) -> None:
        # Monday 2026-01-05 16:00 EST (21:00Z) + 2h: 1h Monday, 1h Tuesday: 09:00 EST (14:00Z);
        # Friday 16:00 EST + 2h: Monday 09:00 EST.
        starts = np.array(["2026-01-05T21:00", "NaT", "2026-01-09T21:00"], dtype="datetime64[us]")
        got = office.add_array(starts, np.array([2, 2, 2], dtype="timedelta64[h]"))
        assert got.dtype == np.dtype("datetime64[us]")
        assert got[0] == dt64("2026-01-06T14:00")
        assert np.isnat(got[1])
        assert got[2] == dt64("2026-01-12T14:00")

    def test_nat_duration_gives_nat(self, office: Calendar) -> None:
        got = office.add_array(
            np.array(["2026-01-05T21:00"] * 2, dtype="datetime64[us]"),
            np.array([1, "NaT"], dtype="timedelta64[h]"),
        )
        assert got[0] == dt64("2026-01-05T22:00")
        assert np.isnat(got[1])

    def test_one_duration_for_all_and_other_units(self, office: Calendar) -> None:
        starts = np.array(["2026-01-05T21:00:00.000000999"], dtype="datetime64[ns]")
        assert office.add_array(starts, "1h")[0] == dt64("2026-01-05T22:00")  # floored to µs
        assert office.add_array(starts, timedelta(minutes=30))[0] == dt64("2026-01-05T21:30")

    def test_shape_is_kept(self, office: Calendar) -> None:
        starts = np.full((2, 3), dt64("2026-01-05T13:00"))
        got = office.add_array(starts, np.timedelta64(9, "h"))
        assert got.shape == (2, 3)
        assert (got == dt64("2026-01-05T22:00")).all()

    def test_zero_duration_is_the_start(self, office: Calendar) -> None:
        sat = dt64("2026-01-10T15:00")
        assert office.add_array(np.array([sat]), np.timedelta64(0, "h"))[0] == sat

    def test_elapsed_array(self, office: Calendar) -> None:
        a = np.array(["2026-01-05T21:00", "2026-01-05T21:00", "NaT"], dtype="datetime64[us]")
        b = np.array(["2026-01-06T14:00", "2026-01-05T21:00", "2026-01-06"], dtype="datetime64[us]")
        got = office.elapsed_array(a, b)
        assert got.dtype == np.dtype("timedelta64[us]")
        assert got[0] == np.timedelta64(2, "h")  # Monday 16-17, Tuesday 08-09 EST
        assert got[1] == np.timedelta64(0, "h")
        assert np.isnat(got[2])

    def test_across_years(self, office: Calendar) -> None:
        # Thursday 2026-12-31 16:00 EST + 2h: Friday 2027-01-01 is open (no holidays here)
        got = office.add_array(np.array([dt64("2026-12-31T21:00")]), "2h")
        assert got[0] == dt64("2027-01-01T14:00")
        el = office.elapsed_array(np.array([dt64("2026-12-31T21:00")]), dt64("2027-01-01T14:00"))
        assert el[0] == np.timedelta64(2, "h")

    def test_pandas_aware_input(self, office: Calendar) -> None:
        pd = pytest.importorskip("pandas")
        starts = pd.Series(pd.to_datetime(["2026-01-05 16:00"]).tz_localize("America/New_York"))
        assert office.add_array(starts, "2h")[0] == dt64("2026-01-06T14:00")
        index = pd.DatetimeIndex(starts)
        assert office.add_array(index, "2h")[0] == dt64("2026-01-06T14:00")

    def test_aware_datetimes_as_objects(self, office: Calendar) -> None:
        got = office.add_array(np.array([ny(2026, 1, 5, 16), None], dtype=object), "2h")
        assert got[0] == dt64("2026-01-06T14:00")
        assert np.isnat(got[1])
        with pytest.raises(NaiveDatetimeError):
            office.add_array(np.array([datetime(2026, 1, 5)], dtype=object), "2h")

    def test_negative_duration_named(self, office: Calendar) -> None:
        with pytest.raises(ConfigError, match=r"durations\[1\].*negative"):
            office.add_array(
                np.array(["2026-01-05"] * 2, dtype="datetime64[us]"),
                np.array([1, -1], dtype="timedelta64[h]"),
            )

    def test_business_days_duration_refused(self, office: Calendar) -> None:
        with pytest.raises(ConfigError, match="add_business_days_array"):
            office.add_array(np.array([dt64("2026-01-05")]), "2bd")

    def test_b_before_a_named(self, office: Calendar) -> None:
        with pytest.raises(ConfigError, match=r"b\[0\].*before a\[0\]"):
            office.elapsed_array(np.array([dt64("2026-01-06")]), np.array([dt64("2026-01-05")]))

    def test_out_of_range_named(self, office: Calendar) -> None:
        with pytest.raises(OutOfRangeError, match=r"starts\[0\] = 1850"):
            office.add_array(np.array([dt64("1850-01-01")]), "1h")

    def test_wrong_dtype(self, office: Calendar) -> None:
        with pytest.raises(ConfigError, match="datetime64"):
            office.add_array(np.array([1.5]), "1h")
        with pytest.raises(ConfigError, match="timedelta64"):
            office.add_array(np.array([dt64("2026-01-05")]), np.array([3600]))

    def test_add_business_days_array(self, office: Calendar) -> None:
        # Monday 15:00 EST + 1 business day: Tuesday 15:00 EST (20:00Z); Friday: Monday.
        starts = np.array(["2026-01-05T20:00", "2026-01-09T20:00", "NaT"], dtype="datetime64[us]")
        got = office.add_business_days_array(starts, 1)
        assert got[0] == dt64("2026-01-06T20:00")
        assert got[1] == dt64("2026-01-12T20:00")
        assert np.isnat(got[2])
        with pytest.raises(ConfigError, match=r"n\[0\] = -1"):
            office.add_business_days_array(starts[:1], np.array([-1]))

    def test_the_core_does_not_import_numpy(self) -> None:
        code = (
            "import sys, slaclock\n"
            "from datetime import datetime, timezone\n"
            "cal = slaclock.Calendar.preset('8x5', timezone='UTC')\n"
            "cal.add(datetime(2026, 1, 5, tzinfo=timezone.utc), '1h')\n"
            "assert 'numpy' not in sys.modules, 'numpy imported'\n"
        )
        subprocess.run([sys.executable, "-c", code], check=True)
