"""The one instant parser: full dates and times only, day/month order stated, offsets or
a stated zone, finite epochs within the supported years. Expected instants written by
hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from slaclock._instant import parse_instant
from slaclock.errors import ConfigError, TimelineError

NY = ZoneInfo("America/New_York")
EST = timezone(timedelta(hours=-5))


class TestIso:
    @pytest.mark.parametrize(
        ("text", "want"),
        [
            ("2026-11-20T16:00:00-05:00", datetime(2026, 11, 20, 16, tzinfo=EST)),
            ("2026-11-20T21:00Z", datetime(2026, 11, 20, 21, tzinfo=UTC)),
            ("2026-11-20 21:00:00+00:00", datetime(2026, 11, 20, 21, tzinfo=UTC)),
            ("  2026-11-20T21:00:00.250000+00:00 ", datetime(2026, 11, 20, 21, 0, 0, 250000, UTC)),
        ],
    )
    def test_read_as_written(self, text: str, want: datetime) -> None:
        got = parse_instant(text)
        assert got == want
        assert got.utcoffset() == want.utcoffset()

    def test_naive_takes_the_stated_zone(self) -> None:
        got = parse_instant("2026-07-01 09:00", zone=NY)
        assert got == datetime(2026, 7, 1, 13, tzinfo=UTC)

    def test_naive_without_zone(self) -> None:
        with pytest.raises(TimelineError, match=r"'2026-07-01 09:00' has no UTC offset"):
            parse_instant("2026-07-01 09:00")

    def test_date_alone(self) -> None:
        with pytest.raises(TimelineError, match=r"'2026-11-20' is a date without a time of day"):
            parse_instant("2026-11-20", zone=NY)

    def test_wall_time_in_the_spring_forward_gap(self) -> None:
        # New York skips 02:00-03:00 on 8 March 2026
        with pytest.raises(TimelineError, match=r"'2026-03-08 02:30' does not exist in America"):
            parse_instant("2026-03-08 02:30", zone=NY)

    def test_repeated_hour_reads_the_first(self) -> None:
        # 01:30 happens twice on 1 November 2026; the first is EDT (-04:00)
        got = parse_instant("2026-11-01 01:30", zone=NY)
        # compare instants: a wall time in a repeated hour never equals another zone's
        assert got.timestamp() == datetime(2026, 11, 1, 5, 30, tzinfo=UTC).timestamp()


class TestIncomplete:
    """Anything dateutil would complete from today's date is an error."""

    @pytest.mark.parametrize(
        ("text", "missing"),
        [
            ("16:00", "year / month / day"),
            ("Monday 17:00", "year / month / day"),
            ("Nov 2026", "day / hour"),
            ("5", "year / month / hour"),
            ("Nov 20 2026", "hour"),
        ],
    )
    def test_missing_parts(self, text: str, missing: str) -> None:
        with pytest.raises(TimelineError) as err:
            parse_instant(text, zone=NY)
        msg = str(err.value)
        assert repr(text) in msg
        assert f"has no {missing}:" in msg
        assert "never completes one from today" in msg

    def test_two_digit_year(self) -> None:
        with pytest.raises(TimelineError, match=r"two-digit year 26 is ambiguous"):
            parse_instant("11/24/26 9:15", zone=NY)


class TestDayMonthOrder:
    def test_ambiguous_without_order(self) -> None:
        with pytest.raises(TimelineError) as err:
            parse_instant("12/11/2026 10:00", zone=NY)
        msg = str(err.value)
        assert "'12/11/2026 10:00' is ambiguous: 11 December 2026 or 12 November 2026" in msg
        assert "--dayfirst or --monthfirst" in msg

    def test_order_stated(self) -> None:
        assert parse_instant("12/11/2026 10:00", zone=NY, dayfirst=True) == datetime(
            2026, 11, 12, 10, tzinfo=NY
        )
        assert parse_instant("12/11/2026 10:00", zone=NY, dayfirst=False) == datetime(
            2026, 12, 11, 10, tzinfo=NY
        )

    def test_one_reading_needs_no_order(self) -> None:
        assert parse_instant("11/24/2026 9:15 AM", zone=NY) == datetime(
            2026, 11, 24, 9, 15, tzinfo=NY
        )

    def test_same_day_and_month(self) -> None:
        assert parse_instant("11/11/2026 09:00", zone=NY) == datetime(2026, 11, 11, 9, tzinfo=NY)

    def test_rfc_2822(self) -> None:
        assert parse_instant("Fri, 20 Nov 2026 16:00:00 -0500") == datetime(
            2026, 11, 20, 21, tzinfo=UTC
        )

    def test_zone_abbreviation(self) -> None:
        with pytest.raises(TimelineError, match=r"zone abbreviation 'EST' is ambiguous"):
            parse_instant("Nov 20 2026 4:00 PM EST")


class TestNumbers:
    def test_epoch_seconds(self) -> None:
        assert parse_instant(1_795_208_400) == datetime(2026, 11, 20, 21, tzinfo=UTC)
        assert parse_instant(1_795_208_400.5) == datetime(2026, 11, 20, 21, 0, 0, 500000, UTC)

    @pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
    def test_not_finite(self, value: float) -> None:
        with pytest.raises(TimelineError, match=r"is not a finite number of seconds"):
            parse_instant(value)

    def test_out_of_range(self) -> None:
        with pytest.raises(TimelineError, match=r"1e\+20 seconds .* outside the supported years"):
            parse_instant(1e20)

    def test_milliseconds_hint(self) -> None:
        with pytest.raises(TimelineError, match=r"milliseconds\? divide by 1000"):
            parse_instant(1_795_208_400_000)

    def test_bool_is_not_a_time(self) -> None:
        with pytest.raises(TimelineError, match=r"True is not a timestamp"):
            parse_instant(True)


class TestText:
    def test_non_ascii_digits(self) -> None:
        with pytest.raises(TimelineError, match=r"other than ASCII"):
            parse_instant("２０２６-11-20T16:00Z")

    def test_empty(self) -> None:
        with pytest.raises(TimelineError, match=r"time is empty"):
            parse_instant("  ")

    def test_years_out_of_range(self) -> None:
        with pytest.raises(TimelineError, match=r"outside the supported years 1900–2199"):
            parse_instant("0099-01-01T10:00:00+00:00")

    def test_garbage(self) -> None:
        with pytest.raises(TimelineError, match=r"cannot read time 'yesterday-ish'"):
            parse_instant("yesterday-ish")

    def test_error_class_and_name(self) -> None:
        with pytest.raises(ConfigError, match=r"--now '2026-11-27T12:00' has no UTC offset; X"):
            parse_instant("2026-11-27T12:00", name="--now", error=ConfigError, zone_hint="X")
