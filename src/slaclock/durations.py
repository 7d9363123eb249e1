"""Durations as support agreements write them: ``"4h"``, ``"1h30m"``, ``"PT4H"``,
``"2 business days"``.

One value type, :class:`Duration`, holds either an *exact* span of business time
(microseconds, consumed along a calendar's open hours) or a number of *business days*
(see :meth:`slaclock.Calendar.add_business_days`).

A bare "day" is rejected: helpdesks disagree on whether it means 24 schedule hours, 8 office
hours or the next business day, so slaclock makes the agreement say which
(``"24h"`` or ``"1 business day"``).

Digits are ASCII only (full-width and Arabic-Indic digits are rejected), and a duration
may not exceed the span of the supported years (1900-2199): :data:`MAX_MICROSECONDS` of
exact time or :data:`MAX_BUSINESS_DAYS` business days, so an absurd target fails when the
agreement is read, not later in arithmetic.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Final, final

from .errors import ConfigError

__all__ = ["MAX_BUSINESS_DAYS", "MAX_MICROSECONDS", "Duration", "parse_duration"]

MAX_BUSINESS_DAYS: Final = (date(2200, 1, 1) - date(1900, 1, 1)).days
"""The most business days a duration may count: the days of the supported years."""
MAX_MICROSECONDS: Final = MAX_BUSINESS_DAYS * 86_400_000_000
"""The longest exact duration: the span of the supported years, 1900-2199 (2,629,752h)."""
_MAX_HOURS: Final = MAX_MICROSECONDS // 3_600_000_000

_US_PER: Final = {"h": 3_600_000_000, "m": 60_000_000, "s": 1_000_000}

_UNIT_ALIASES: Final = {
    "h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h",
    "m": "m", "min": "m", "mins": "m", "minute": "m", "minutes": "m",
    "s": "s", "sec": "s", "secs": "s", "second": "s", "seconds": "s",
}  # fmt: skip
_AMBIGUOUS_UNITS: Final = {"d", "day", "days", "w", "wk", "week", "weeks"}

_NUMBER = r"([0-9]+(?:\.[0-9]+)?|\.[0-9]+)"
_COMPACT_PART = re.compile(rf"\s*{_NUMBER}\s*([a-z]+)\s*", re.ASCII)
_BUSINESS_DAYS = re.compile(r"([0-9]+)\s*(?:bd|business\s+days?|working\s+days?)", re.ASCII)
_ISO = re.compile(
    r"p(?:(?P<y>[0-9.]+)y)?(?:(?P<mo>[0-9.]+)m)?(?:(?P<w>[0-9.]+)w)?(?:(?P<d>[0-9.]+)d)?"
    r"(?:t(?:(?P<h>[0-9.]+)h)?(?:(?P<m>[0-9.]+)m)?(?:(?P<s>[0-9.]+)s)?)?",
    re.ASCII,
)

_DAY_HINT: Final = (
    'a bare "day" is ambiguous (24 schedule hours? 8 office hours? the next business day?); '
    'write "24h" for 24 hours of the calendar or "1 business day" for the next business day '
    "at the same time"
)


@final
class Duration:
    """An amount of business time, or a number of business days. Immutable and hashable.

    >>> Duration.parse("1h30m")
    Duration('1h30m')
    >>> Duration.parse("PT4H").timedelta
    datetime.timedelta(seconds=14400)
    >>> Duration.parse("2bd")
    Duration('2 business days')
    """

    __slots__ = ("_days", "_us")

    _us: int
    _days: int | None

    def __init__(self, *, microseconds: int = 0, business_days: int | None = None) -> None:
        if business_days is not None:
            if microseconds:
                raise ConfigError("a Duration is either business days or exact time, not both")
            if business_days < 0:
                raise ConfigError(
                    f"business_days={business_days!r} is negative; durations must be >= 0"
                )
            if business_days > MAX_BUSINESS_DAYS:
                raise _too_long(f"{business_days} business days")
        elif microseconds < 0:
            raise ConfigError(
                f"duration of {_show(microseconds)} is negative; durations must be >= 0"
            )
        elif microseconds > MAX_MICROSECONDS:
            raise _too_long(_show(microseconds))
        object.__setattr__(self, "_us", int(microseconds))
        object.__setattr__(self, "_days", business_days)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Duration is immutable")

    def __reduce__(self) -> tuple[object, tuple[int, int | None]]:
        return (_restore, (self._us, self._days))

    def __copy__(self) -> Duration:
        return self

    def __deepcopy__(self, memo: object) -> Duration:
        return self

    # -- constructors ---------------------------------------------------------------

    @classmethod
    def of(cls, *, hours: float = 0, minutes: float = 0, seconds: float = 0) -> Duration:
        """An exact duration: ``Duration.of(hours=4)``."""
        us = round((Decimal(str(hours)) * 3600 + Decimal(str(minutes)) * 60
                    + Decimal(str(seconds))) * 1_000_000)  # fmt: skip
        return cls(microseconds=us)

    @classmethod
    def from_timedelta(cls, value: timedelta) -> Duration:
        """An exact duration equal to ``value`` (which must not be negative)."""
        if value < timedelta(0):
            raise ConfigError(f"duration {value!r} is negative; durations must be >= 0")
        return cls(microseconds=value // timedelta(microseconds=1))

    @classmethod
    def business_days_of(cls, n: int) -> Duration:
        """``n`` business days: ``Duration.business_days_of(2)``."""
        if isinstance(n, bool) or not isinstance(n, int):
            raise ConfigError(f"business days must be a whole number, got {n!r}")
        return cls(business_days=n)

    @classmethod
    def parse(cls, value: str | timedelta | Duration) -> Duration:
        """Parse ``"4h"``, ``"1h30m"``, ``"90m"``, ``"45s"``, ``"PT4H30M"``,
        ``"2 business days"`` / ``"2bd"``, a ``timedelta`` or a ``Duration``.

        Raises :class:`~slaclock.ConfigError` naming the value when it is malformed,
        negative or an ambiguous "day".
        """
        if isinstance(value, Duration):
            return value
        if isinstance(value, timedelta):
            return cls.from_timedelta(value)
        if not isinstance(value, str):
            raise ConfigError(
                f"duration {value!r} is a {type(value).__name__}; write a string with a unit "
                'such as "4h", "90m", "PT4H" or "1 business day", or pass a timedelta'
            )
        return _parse_str(value)

    # -- accessors ------------------------------------------------------------------

    @property
    def is_business_days(self) -> bool:
        """True for a count of business days, False for exact business time."""
        return self._days is not None

    @property
    def business_days(self) -> int:
        """The number of business days; an error for an exact duration."""
        if self._days is None:
            raise ValueError(f"{self!r} is exact business time, not business days")
        return self._days

    @property
    def microseconds(self) -> int:
        """The exact duration in microseconds; an error for business days."""
        if self._days is not None:
            raise ValueError(f"{self!r} is business days; it has no fixed length")
        return self._us

    @property
    def timedelta(self) -> timedelta:
        """The exact duration as a ``timedelta``; an error for business days."""
        return timedelta(microseconds=self.microseconds)

    def __bool__(self) -> bool:
        return bool(self._days) if self._days is not None else bool(self._us)

    # -- protocol -------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Duration):
            return self._us == other._us and self._days == other._days
        if isinstance(other, timedelta):
            return self._days is None and self._us == other // timedelta(microseconds=1)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self._us, self._days))

    def __lt__(self, other: Duration) -> bool:
        if not isinstance(other, Duration):
            return NotImplemented
        if (self._days is None) != (other._days is None):
            raise TypeError(f"cannot order {self} and {other}: business days have no fixed length")
        if self._days is not None and other._days is not None:
            return self._days < other._days
        return self._us < other._us

    def __le__(self, other: Duration) -> bool:
        return self == other or self < other

    def __str__(self) -> str:
        if self._days is not None:
            return f"{self._days} business day{'s' if self._days != 1 else ''}"
        if self._us == 0:
            return "0s"
        h, rest = divmod(self._us, 3_600_000_000)
        m, rest = divmod(rest, 60_000_000)
        s, us = divmod(rest, 1_000_000)
        parts = []
        if h:
            parts.append(f"{h}h")
        if m:
            parts.append(f"{m}m")
        if s or us:
            parts.append(f"{s}.{us:06d}".rstrip("0") + "s" if us else f"{s}s")
        return "".join(parts)

    def __repr__(self) -> str:
        return f"Duration({str(self)!r})"

    # -- pydantic integration -------------------------------------------------------

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        from pydantic_core import core_schema

        return core_schema.no_info_plain_validator_function(
            cls.parse,
            serialization=core_schema.plain_serializer_function_ser_schema(str, when_used="always"),
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: Any, handler: Any) -> dict[str, Any]:
        return {
            "type": "string",
            "description": (
                'A duration: "4h", "1h30m", "90m", "45s", ISO-8601 "PT4H30M", or business '
                'days "2 business days" / "2bd". A bare day ("1d", "P1D") is rejected as '
                "ambiguous."
            ),
            "examples": ["4h", "1h30m", "PT8H", "1 business day"],
        }


def _show(us: int) -> str:
    try:
        return str(timedelta(microseconds=us))
    except OverflowError:
        return f"{us / 3_600_000_000:.6g} hours"


def _too_long(what: str) -> ConfigError:
    return ConfigError(
        f"duration {what!r} is longer than slaclock supports: at most {_MAX_HOURS}h or "
        f"{MAX_BUSINESS_DAYS} business days (the span of the supported years 1900-2199); "
        "check the number"
    )


def _restore(us: int, days: int | None) -> Duration:
    """Unpickling helper."""
    return Duration(microseconds=us, business_days=days)


def parse_duration(value: str | timedelta | Duration) -> Duration:
    """Shorthand for :meth:`Duration.parse`."""
    return Duration.parse(value)


def _decimal_us(number: str, unit: str, original: str) -> Decimal:
    try:
        amount = Decimal(number)
    except InvalidOperation:  # pragma: no cover - the regexes only pass digits
        raise ConfigError(f"malformed duration {original!r}: {number!r} is not a number") from None
    return amount * _US_PER[unit]


def _exact(total: Decimal, original: str) -> Duration:
    if total > MAX_MICROSECONDS:
        raise _too_long(original)
    if total != total.to_integral_value():
        raise ConfigError(
            f"duration {original!r} is not a whole number of microseconds; "
            "slaclock counts time to the microsecond"
        )
    return Duration(microseconds=int(total))


def _parse_str(original: str) -> Duration:
    text = original.strip().lower()
    if not text:
        raise ConfigError(f'empty duration {original!r}; write e.g. "4h" or "1 business day"')
    if text.startswith("-"):
        raise ConfigError(f"duration {original!r} is negative; durations must be >= 0")

    bd = _BUSINESS_DAYS.fullmatch(text)
    if bd:
        if len(bd.group(1)) > 9 or int(bd.group(1)) > MAX_BUSINESS_DAYS:
            raise _too_long(original)
        return Duration(business_days=int(bd.group(1)))

    if text.startswith("p"):
        iso = _ISO.fullmatch(text)
        if not iso or text in {"p", "pt"} or text.endswith("t"):
            raise ConfigError(
                f'malformed ISO-8601 duration {original!r}; expected e.g. "PT4H", "PT1H30M", '
                '"PT45S"'
            )
        if iso.group("y") or iso.group("mo") or iso.group("w") or iso.group("d"):
            raise ConfigError(
                f"duration {original!r} has a day, week, month or year part; {_DAY_HINT}"
            )
        total = Decimal(0)
        for unit in ("h", "m", "s"):
            part = iso.group(unit)
            if part is not None:
                if part.count(".") > 1 or part in {".", ""}:
                    raise ConfigError(f"malformed ISO-8601 duration {original!r}")
                total += _decimal_us(part, unit, original)
        return _exact(total, original)

    pos = 0
    total = Decimal(0)
    seen: set[str] = set()
    while pos < len(text):
        part = _COMPACT_PART.match(text, pos)
        if not part:
            break
        number, unit_word = part.group(1), part.group(2)
        if unit_word in _AMBIGUOUS_UNITS:
            raise ConfigError(f"duration {original!r} uses {unit_word!r}; {_DAY_HINT}")
        alias = _UNIT_ALIASES.get(unit_word)
        if alias is None:
            raise ConfigError(
                f"duration {original!r} has unknown unit {unit_word!r}; use h, m or s "
                '(e.g. "1h30m"), ISO-8601 ("PT1H30M") or "N business days"'
            )
        if alias in seen:
            raise ConfigError(f"duration {original!r} gives the unit {unit_word!r} twice")
        seen.add(alias)
        total += _decimal_us(number, alias, original)
        pos = part.end()
    if pos != len(text) or not seen:
        hint = ""
        if re.fullmatch(_NUMBER, text, re.ASCII):
            hint = ' (a bare number has no unit: write "4h", "90m" or "45s")'
        elif any(c.isdigit() and not c.isascii() for c in text):
            hint = " (digits must be ASCII 0-9)"
        raise ConfigError(
            f'malformed duration {original!r}{hint}; expected e.g. "4h", "1h30m", "90m", '
            '"45s", "PT4H30M" or "2 business days"'
        )
    return _exact(total, original)
