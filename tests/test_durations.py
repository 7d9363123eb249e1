"""Durations: the strings agreements use parse into one value type; bad ones are named."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import TypeAdapter, ValidationError

from slaclock import ConfigError, Duration, parse_duration


class TestParseExact:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("4h", timedelta(hours=4)),
            ("1h30m", timedelta(hours=1, minutes=30)),
            ("90m", timedelta(minutes=90)),
            ("45s", timedelta(seconds=45)),
            ("1.5h", timedelta(hours=1, minutes=30)),
            ("1h 30m", timedelta(hours=1, minutes=30)),
            ("2 hours", timedelta(hours=2)),
            ("  4H  ", timedelta(hours=4)),
            ("0s", timedelta(0)),
            ("PT4H", timedelta(hours=4)),
            ("PT4H30M", timedelta(hours=4, minutes=30)),
            ("PT45S", timedelta(seconds=45)),
            ("pt1h", timedelta(hours=1)),
            ("PT0.5S", timedelta(milliseconds=500)),
        ],
    )
    def test_string(self, text: str, expected: timedelta) -> None:
        d = Duration.parse(text)
        assert not d.is_business_days
        assert d.timedelta == expected
        assert d == expected

    def test_timedelta(self) -> None:
        assert Duration.parse(timedelta(minutes=7)).microseconds == 7 * 60 * 1_000_000

    def test_duration_passes_through(self) -> None:
        d = Duration.of(hours=2)
        assert Duration.parse(d) is d

    def test_parse_duration_is_shorthand(self) -> None:
        assert parse_duration("90m") == Duration.of(minutes=90)


class TestParseBusinessDays:
    @pytest.mark.parametrize(
        ("text", "n"),
        [("2 business days", 2), ("1 business day", 1), ("2bd", 2), ("3 working days", 3)],
    )
    def test_business_days(self, text: str, n: int) -> None:
        d = Duration.parse(text)
        assert d.is_business_days
        assert d.business_days == n

    def test_business_days_have_no_fixed_length(self) -> None:
        with pytest.raises(ValueError, match="business days"):
            _ = Duration.parse("2bd").timedelta

    def test_exact_has_no_business_days(self) -> None:
        with pytest.raises(ValueError, match="exact"):
            _ = Duration.parse("2h").business_days


class TestAmbiguousDay:
    @pytest.mark.parametrize("text", ["1d", "P1D", "1 day", "2 days", "P1W", "1w", "P1DT2H"])
    def test_rejected_with_both_fixes(self, text: str) -> None:
        with pytest.raises(ConfigError) as info:
            Duration.parse(text)
        message = str(info.value)
        assert repr(text) in message
        assert '"24h"' in message
        assert '"1 business day"' in message


class TestMalformed:
    @pytest.mark.parametrize(
        "text", ["4", "4x", "", "   ", "h", "PT", "P", "abc", "1h1h", "4h and", "PT4X"]
    )
    def test_names_the_string(self, text: str) -> None:
        with pytest.raises(ConfigError) as info:
            Duration.parse(text)
        assert repr(text) in str(info.value)

    def test_bare_number_suggests_a_unit(self) -> None:
        with pytest.raises(ConfigError, match=r'"4h"'):
            Duration.parse("4")

    def test_unknown_unit_is_named(self) -> None:
        with pytest.raises(ConfigError, match="unknown unit 'x'"):
            Duration.parse("4x")

    @pytest.mark.parametrize("value", [4, 4.0, None, ["4h"]])
    def test_non_string(self, value: object) -> None:
        with pytest.raises(ConfigError, match="duration"):
            Duration.parse(value)  # type: ignore[arg-type]

    def test_sub_microsecond_is_rejected(self) -> None:
        with pytest.raises(ConfigError, match="microsecond"):
            Duration.parse("0.0000001s")

    def test_config_error_is_a_value_error(self) -> None:
        with pytest.raises(ValueError, match="4x"):
            Duration.parse("4x")


class TestNegative:
    @pytest.mark.parametrize("text", ["-1h", "-PT1H", " -30m"])
    def test_negative_string(self, text: str) -> None:
        with pytest.raises(ConfigError, match="negative"):
            Duration.parse(text)

    def test_negative_timedelta(self) -> None:
        with pytest.raises(ConfigError, match="negative"):
            Duration.parse(timedelta(seconds=-1))

    def test_negative_microseconds(self) -> None:
        with pytest.raises(ConfigError, match="negative"):
            Duration(microseconds=-1)

    def test_negative_business_days(self) -> None:
        with pytest.raises(ConfigError, match="negative"):
            Duration.business_days_of(-1)

    def test_business_days_must_be_whole(self) -> None:
        with pytest.raises(ConfigError, match="whole"):
            Duration.business_days_of(1.5)  # type: ignore[arg-type]


class TestValue:
    def test_immutable(self) -> None:
        d = Duration.of(hours=1)
        with pytest.raises(AttributeError):
            d._us = 5  # type: ignore[misc]

    def test_equal_and_hash(self) -> None:
        assert Duration.parse("90m") == Duration.parse("1h30m")
        assert hash(Duration.parse("90m")) == hash(Duration.parse("PT1H30M"))
        assert Duration.parse("1bd") != Duration.parse("1h")
        assert Duration.parse("1bd") != timedelta(0)

    @pytest.mark.parametrize(
        ("text", "canonical"),
        [("90m", "1h30m"), ("PT45S", "45s"), ("0s", "0s"), ("1bd", "1 business day"),
         ("2bd", "2 business days"), ("PT0.25S", "0.25s")],
    )  # fmt: skip
    def test_str_is_canonical_and_round_trips(self, text: str, canonical: str) -> None:
        d = Duration.parse(text)
        assert str(d) == canonical
        assert Duration.parse(str(d)) == d
        assert repr(d) == f"Duration({canonical!r})"

    def test_order(self) -> None:
        assert Duration.parse("59m") < Duration.parse("1h")
        assert Duration.parse("1h") <= Duration.parse("60m")
        assert Duration.parse("1bd") < Duration.parse("2bd")

    def test_business_days_and_time_do_not_order(self) -> None:
        with pytest.raises(TypeError, match="business days"):
            _ = Duration.parse("1bd") < Duration.parse("1h")

    def test_truth(self) -> None:
        assert not Duration.parse("0s")
        assert Duration.parse("1s")
        assert not Duration.business_days_of(0)


class TestPydantic:
    def test_validates_and_serializes_as_string(self) -> None:
        adapter = TypeAdapter(Duration)
        d = adapter.validate_python("PT1H30M")
        assert d == timedelta(minutes=90)
        assert adapter.dump_python(d, mode="json") == "1h30m"
        assert adapter.validate_python(adapter.dump_python(d, mode="json")) == d

    def test_bad_value_fails_validation(self) -> None:
        with pytest.raises(ValueError, match="1d"):
            TypeAdapter(Duration).validate_python("1d")


class TestCappedToTheSupportedRange:
    """A magnitude beyond the supported years (1900-2199) fails when it is parsed, naming
    the value and the bound, instead of overflowing later in arithmetic."""

    @pytest.mark.parametrize(
        "text", ["99999999999h", "PT99999999999H", "2629753h", "9999999999999999999999s"]
    )
    def test_exact_too_long(self, text: str) -> None:
        with pytest.raises(ConfigError) as info:
            Duration.parse(text)
        message = str(info.value)
        assert repr(text) in message
        assert "2629752h" in message  # 109,573 days of 1900-2199, in hours

    def test_the_bound_itself_is_fine(self) -> None:
        # 1900-01-01 to 2200-01-01: 300 years with 73 leap days = 109,573 days
        assert Duration.parse("2629752h").timedelta == timedelta(days=109_573)

    @pytest.mark.parametrize("text", ["109574 business days", "99999999999999bd"])
    def test_business_days_too_many(self, text: str) -> None:
        with pytest.raises(ConfigError, match="109573 business days") as info:
            Duration.parse(text)
        assert repr(text) in str(info.value)

    def test_constructors_too(self) -> None:
        with pytest.raises(ConfigError, match="2629752h"):
            Duration.of(hours=1e20)
        with pytest.raises(ConfigError, match="2629752h"):
            Duration.from_timedelta(timedelta(days=200_000))
        with pytest.raises(ConfigError, match="109573 business days"):
            Duration.business_days_of(200_000)

    def test_at_validation_time(self) -> None:
        with pytest.raises(ValidationError, match="99999999999h"):
            TypeAdapter(Duration).validate_python("99999999999h")


class TestAsciiDigitsOnly:
    @pytest.mark.parametrize(
        "text", ["４h", "１h３０m", "٤h", "۴h", "PT４H", "４ business days", "४h"]
    )
    def test_other_digits_rejected(self, text: str) -> None:
        with pytest.raises(ConfigError) as info:
            Duration.parse(text)
        assert repr(text) in str(info.value)

    def test_the_hint_says_ascii(self) -> None:
        with pytest.raises(ConfigError, match="ASCII"):
            Duration.parse("٤h")
