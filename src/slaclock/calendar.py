"""The support calendar: when support is open, and business-time arithmetic on it.

A :class:`Calendar` validates from the configuration form of DESIGN.md::

    Calendar.model_validate({
        "timezone": "America/New_York",
        "hours": {"mon-thu": "00:00-24:00", "fri": ["00:00-20:00"]},
        "holidays": ["2026-12-25", {"country": "US", "subdivision": "NY"}],
        "overrides": {"2026-12-24": ["08:00-12:00"], "2026-12-27": []},
    })

and answers ``is_open``, ``next_open``, ``previous_close``, ``add``, ``subtract``,
``elapsed``, ``open_intervals`` and ``add_business_days`` exactly (to the microsecond)
and in O(log n) whatever the distance; ``add_array`` / ``elapsed_array`` do the same on
numpy ``datetime64`` arrays (the ``batch`` extra), and :attr:`Calendar.index` offers the
compiled index on integer microseconds. See ``docs/calendars.md`` for the semantics.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Final, Literal, final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ConfigDict, Field, WithJsonSchema, field_validator, model_validator

from . import _hours
from ._holidays import check_region, region_holidays
from ._index import EPOCH, CompositeSource, OpenIndex, WeeklySource, merge
from ._model import FrozenModel
from .durations import Duration
from .errors import ConfigError, NaiveDatetimeError, SlaClockWarning

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import ArrayLike, NDArray

__all__ = ["MAX_NESTING", "Calendar", "HolidayRegion", "Preset", "WeeklyHours"]

Preset = Literal["24x7", "24x5", "8x5"]
Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

PRESETS: Final[Mapping[str, Mapping[str, str]]] = {
    "24x7": {"mon-sun": "00:00-24:00"},
    "24x5": {"mon-fri": "00:00-24:00"},
    "8x5": {"mon-fri": "08:00-17:00"},
}
_ONE_US: Final = timedelta(microseconds=1)
_INTERVALS_SCHEMA: Final[dict[str, Any]] = {
    "anyOf": [
        {
            "type": "string",
            "pattern": r"^\s*\d{1,2}:\d{2}(:\d{2})?\s*-\s*\d{1,2}:\d{2}(:\d{2})?\s*$",
        },
        {"type": "array", "items": {"type": "string"}},
    ]
}
_HOURS_SCHEMA: Final[dict[str, Any]] = {
    "type": "object",
    "description": 'Day ("mon") or day range ("mon-fri") -> "HH:MM-HH:MM" or a list of them.',
    "additionalProperties": _INTERVALS_SCHEMA,
    "examples": [{"mon-fri": "08:00-17:00"}, {"mon-thu": "00:00-24:00", "fri": ["00:00-20:00"]}],
}
_OVERRIDES_SCHEMA: Final[dict[str, Any]] = {
    "type": "object",
    "description": "Date (YYYY-MM-DD) -> the hours of that date ([] closes it).",
    "additionalProperties": _INTERVALS_SCHEMA,
}
_ZERO: Final = timedelta(0)
MAX_NESTING: Final = 16
"""How deeply ``union_of`` / ``intersection_of`` may nest."""
_ISO_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence SlaClockWarning while re-validating an already validated calendar."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SlaClockWarning)
        yield


def _schema_with_preset(schema: dict[str, Any]) -> None:
    """The configuration also accepts ``preset`` (expanded into ``hours`` on validation)."""
    schema.setdefault("properties", {})["preset"] = {
        "enum": list(PRESETS),
        "description": "24x7, 24x5 (Mon-Fri all day) or 8x5 (Mon-Fri 08:00-17:00); "
        "instead of 'hours'.",
    }


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ConfigError(
            f"unknown time zone {name!r}; use an IANA name such as 'America/New_York', "
            "'Europe/London' or 'UTC'"
        ) from None


def _us(value: object, name: str) -> int:
    try:
        us: int = (value - EPOCH) // _ONE_US  # type: ignore[operator]
    except TypeError:
        raise NaiveDatetimeError.of(name, value) from None
    return us


def _duration_us(d: object, name: str = "d") -> int:
    if d.__class__ is timedelta:
        us: int = d // _ONE_US
    else:
        dur = Duration.parse(d)  # type: ignore[arg-type]
        if dur.is_business_days:
            raise ConfigError(f"{name}={d!r} counts business days; use add_business_days() for it")
        us = dur.microseconds
    if us < 0:
        raise ConfigError(f"{name}={d!r} is negative; durations must be >= 0")
    return us


@final
class HolidayRegion(FrozenModel):
    """Public holidays of a country (and optionally a subdivision) from ``holidays``."""

    country: str = Field(description="ISO 3166-1 alpha-2 code, e.g. 'US'.")
    subdivision: str | None = Field(None, description="e.g. 'NY' for New York State.")

    @model_validator(mode="after")
    def _known(self) -> HolidayRegion:
        check_region(self.country, self.subdivision)
        return self


@final
class WeeklyHours:
    """A calendar's weekly hours as seen from one time zone (see :meth:`Calendar.describe`).

    ``days`` maps ``"mon"``..``"sun"`` to tuples of ``"HH:MM-HH:MM"`` strings (empty when
    closed); :meth:`to_config` gives the ``hours`` table of a calendar configuration.
    """

    __slots__ = ("days", "timezone", "week_of")

    def __init__(self, timezone: str, days: Mapping[str, tuple[str, ...]], week_of: date | None):
        self.timezone = timezone
        self.days: dict[str, tuple[str, ...]] = {d: tuple(days.get(d, ())) for d in _hours.DAYS}
        self.week_of = week_of

    def to_config(self) -> dict[str, list[str]]:
        """The ``hours`` table of a calendar configuration (open days only)."""
        return {d: list(iv) for d, iv in self.days.items() if iv}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WeeklyHours):
            return NotImplemented
        return self.timezone == other.timezone and self.days == other.days

    __hash__ = None  # type: ignore[assignment]

    def __str__(self) -> str:
        when = f"week of {self.week_of.isoformat()}" if self.week_of else "regular week"
        lines = [f"Weekly hours in {self.timezone} ({when})"]
        for d in _hours.DAYS:
            lines.append(f"  {d}  {', '.join(self.days[d]) or 'closed'}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"WeeklyHours({self.timezone!r}, {self.to_config()!r})"

    def _repr_html_(self) -> str:
        from ._html import week_html

        return week_html(self)


class Calendar(FrozenModel):
    """When support is open: weekly hours in one IANA zone, holidays and date overrides,
    or the union / intersection of other calendars.

    Every instant passed in must be time-zone aware; results come back in the calendar's
    zone. ``Calendar.model_validate(config)`` raises :class:`~slaclock.ConfigError`.
    """

    timezone: str = Field(description="IANA time zone, e.g. 'America/New_York'.")
    hours: Annotated[dict[Day, tuple[str, ...]], WithJsonSchema(_HOURS_SCHEMA)] = Field(
        default_factory=dict,
        description="Weekly hours: day or day range ('mon-fri') -> 'HH:MM-HH:MM' or list.",
    )
    holidays: tuple[date | HolidayRegion, ...] = Field(
        (), description="Closed dates, or {country, subdivision} from the holidays package."
    )
    overrides: Annotated[dict[date, tuple[str, ...]], WithJsonSchema(_OVERRIDES_SCHEMA)] = Field(
        default_factory=dict,
        description="Date -> hours that replace that date's hours ([] closes it).",
    )
    union_of: tuple[Calendar, ...] = Field(
        (), description="Open when any of these calendars is open (follow-the-sun)."
    )
    intersection_of: tuple[Calendar, ...] = Field(
        (), description="Open when all of these calendars are open."
    )
    horizon_years: int = Field(
        10, ge=1, le=100, description="How far to search for open time before giving up."
    )
    follow_customer_zone: bool = Field(
        False,
        description="Read these hours in the customer's zone when the policy names a "
        "'timezone_field' (a desk with fixed hours leaves it false and keeps its own zone). "
        "Changes no arithmetic on the calendar itself.",
    )

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        json_schema_extra=lambda schema: _schema_with_preset(schema),
    )

    # Compiled state, stored in the instance __dict__ for speed (not pydantic fields;
    # never pickled or dumped: see __getstate__).
    _tz: ClassVar[ZoneInfo]
    _local_epoch: ClassVar[datetime]
    _ix: ClassVar[OpenIndex]
    _week: ClassVar[tuple[tuple[tuple[int, int], ...], ...]]
    _zones: ClassVar[dict[str, Calendar]]
    _depth: ClassVar[int]

    # -- validation -----------------------------------------------------------------

    @model_validator(mode="before")
    @classmethod
    def _expand_preset(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and "preset" in data:
            data = dict(data)
            name = data.pop("preset")
            if name not in PRESETS:
                raise ConfigError(
                    f"unknown preset {name!r}; use one of {', '.join(map(repr, PRESETS))}"
                )
            if "hours" in data:
                raise ConfigError(f"give either 'preset' ({name!r}) or 'hours', not both")
            data["hours"] = dict(PRESETS[name])
        return data

    @field_validator("timezone", mode="before")
    @classmethod
    def _check_zone(cls, value: Any) -> Any:
        if isinstance(value, str):
            _zone(value)
        return value

    @field_validator("hours", mode="before")
    @classmethod
    def _normalize_hours(cls, value: Any) -> Any:
        if not isinstance(value, Mapping):
            return value
        out: dict[str, tuple[str, ...]] = {}
        origin: dict[str, str] = {}
        per_day: list[list[_hours.Labelled]] = [[] for _ in _hours.DAYS]
        for key, raw in value.items():
            where = f"hours[{key!r}]"
            items = []
            spans: list[_hours.Labelled] = []
            for item in _hours.as_list(raw):
                s, e = _hours.parse_interval(item, where=where, allow_overnight=True)
                items.append(_hours.canonical_interval(s, e if e else 86_400))
                spans.append((s, e, f"{item!r} ({where})"))
            for day in _hours.parse_day_key(key):
                name = _hours.DAYS[day]
                if name in out:
                    raise ConfigError(
                        f"day {name!r} is given twice in 'hours' (in {origin[name]!r} and "
                        f"{key!r}); list each day once, or use 'overrides' for dates"
                    )
                out[name] = tuple(items)
                origin[name] = str(key)
                for s, e, label in spans:
                    if e == 0 or e > s:
                        per_day[day].append((s, e or 86_400, label))
                    else:  # overnight: the part after midnight belongs to the next day
                        per_day[day].append((s, 86_400, label))
                        per_day[(day + 1) % 7].append((0, e, f"{label[:-1]}, after midnight)"))
        for day, labelled in enumerate(per_day):
            _hours.check_day(_hours.DAYS[day], labelled)
        return {d: out[d] for d in _hours.DAYS if d in out}

    @field_validator("overrides", mode="before")
    @classmethod
    def _normalize_overrides(cls, value: Any) -> Any:
        if not isinstance(value, Mapping):
            return value
        out: dict[Any, tuple[str, ...]] = {}
        for key, raw in value.items():
            where = f"overrides[{str(key)!r}]"
            items = []
            spans: list[_hours.Labelled] = []
            for item in _hours.as_list(raw):
                s, e = _hours.parse_interval(item, where=where, allow_overnight=False)
                items.append(_hours.canonical_interval(s, e))
                spans.append((s, e, f"{item!r} ({where})"))
            _hours.check_day(str(key), spans)
            out[key] = tuple(items)
        return out

    @field_validator("holidays", mode="before")
    @classmethod
    def _parse_holidays(cls, value: Any) -> Any:
        """Each item is a date or a region, and reports only its own problem."""
        if not isinstance(value, list | tuple):
            return value
        out: list[date | HolidayRegion] = []
        for i, item in enumerate(value):
            if isinstance(item, HolidayRegion) or (
                isinstance(item, date) and not isinstance(item, datetime)
            ):
                out.append(item)
            elif isinstance(item, str) and _ISO_DATE.fullmatch(item.strip()):
                try:
                    out.append(date.fromisoformat(item.strip()))
                except ValueError as exc:
                    raise ConfigError(
                        f"holiday {item!r} is not a valid date ({exc}); write YYYY-MM-DD",
                        [((i,), f"holiday {item!r} is not a valid date ({exc})")],
                    ) from None
            elif isinstance(item, Mapping):
                try:
                    out.append(HolidayRegion.model_validate(item))
                except ConfigError as exc:
                    located = [((i, *loc), msg) for loc, msg in exc.errors] or [((i,), str(exc))]
                    raise type(exc)(str(exc), located) from None
            else:
                msg = (
                    f"holiday {item!r} is neither a date 'YYYY-MM-DD' nor a table "
                    '{"country": "US", "subdivision": "NY"}'
                )
                raise ConfigError(msg, [((i,), msg)])
        return tuple(out)

    @model_validator(mode="after")
    def _check_shape(self) -> Calendar:
        composite = bool(self.union_of) or bool(self.intersection_of)
        if self.union_of and self.intersection_of:
            raise ConfigError("give either 'union_of' or 'intersection_of', not both")
        if composite and (self.hours or self.holidays or self.overrides):
            raise ConfigError(
                "a union or intersection takes its hours from its calendars; "
                "remove 'hours', 'holidays' and 'overrides' (put them on the parts)"
            )
        if not composite and not any(self.hours.values()) and not any(self.overrides.values()):
            raise ConfigError(
                f"calendar in {self.timezone!r} has no open hours at all; give 'hours' "
                '(e.g. {"mon-fri": "08:00-17:00"}) or a preset such as "8x5"'
            )
        if self._depth > MAX_NESTING:
            raise ConfigError(
                f"'union_of' / 'intersection_of' nest {self._depth} levels deep; at most "
                f"{MAX_NESTING} are supported: flatten the composition (a union of unions "
                "is one union of all their parts)"
            )
        return self

    def model_post_init(self, context: Any, /) -> None:
        tz = _zone(self.timezone)
        label = self.timezone
        depth = 0
        if self.union_of or self.intersection_of:
            mode: Literal["union", "intersection"] = "union" if self.union_of else "intersection"
            parts = self.union_of or self.intersection_of
            depth = 1 + max(p._depth for p in parts)
            source: Any = CompositeSource(tz, [p._ix for p in parts], mode=mode)
            week: tuple[tuple[tuple[int, int], ...], ...] = ()
            label = f"{mode} in {self.timezone}"
        else:
            week = self._compile_week()
            dates = frozenset(h for h in self.holidays if isinstance(h, date))
            regions = tuple(
                (h.country, h.subdivision) for h in self.holidays if isinstance(h, HolidayRegion)
            )
            overrides = {
                d: tuple(
                    merge(
                        _hours.parse_interval(
                            iv, where="overrides", allow_overnight=False, warn=False
                        )
                        for iv in ivs
                    )
                )
                for d, ivs in self.overrides.items()
            }

            def day_hours(d: date) -> tuple[tuple[int, int], ...]:
                ov = overrides.get(d)
                if ov is not None:
                    return ov
                if d in dates:
                    return ()
                for country, sub in regions:
                    if d in region_holidays(country, sub, d.year):
                        return ()
                return week[d.weekday()]

            source = WeeklySource(tz, day_hours)
        self.__dict__["_tz"] = tz
        self.__dict__["_local_epoch"] = datetime(1970, 1, 1, tzinfo=tz)
        self.__dict__["_week"] = week
        self.__dict__["_ix"] = OpenIndex(source, horizon_years=self.horizon_years, label=label)
        self.__dict__["_zones"] = {}
        self.__dict__["_depth"] = depth

    def _compile_week(self) -> tuple[tuple[tuple[int, int], ...], ...]:
        days: list[list[tuple[int, int]]] = [[] for _ in range(7)]
        for name, ivs in self.hours.items():
            w = _hours.DAYS.index(name)
            for iv in ivs:
                s, e = _hours.parse_interval(iv, where="hours", allow_overnight=True, warn=False)
                if e > s:
                    days[w].append((s, e))
                else:  # overnight: the morning part belongs to the next weekday
                    days[w].append((s, 86_400))
                    if e:
                        days[(w + 1) % 7].append((0, e))
        return tuple(tuple(merge(d)) for d in days)

    # pydantic copies __dict__ on model_copy and pickling: rebuild the compiled state.
    def model_copy(
        self, *, update: Mapping[str, Any] | None = None, deep: bool = False
    ) -> Calendar:
        data = self.model_dump()
        data.update(update or {})
        with _quiet():  # this calendar already warned about its own configuration
            return type(self).model_validate(data)

    def __getstate__(self) -> dict[Any, Any]:
        state = super().__getstate__()
        fields = type(self).model_fields  # compiled state and caches are rebuilt on load
        state["__dict__"] = {k: v for k, v in state["__dict__"].items() if k in fields}
        return state

    def __setstate__(self, state: dict[Any, Any]) -> None:
        super().__setstate__(state)
        self.model_post_init(None)

    def __hash__(self) -> int:
        """Equal configurations hash equal (a hash of the canonical JSON, computed once)."""
        found: int | None = self.__dict__.get("_hash")
        if found is None:
            found = hash(json.dumps(self.model_dump(mode="json"), sort_keys=True))
            self.__dict__["_hash"] = found
        return found

    # -- constructors ---------------------------------------------------------------

    @classmethod
    def preset(
        cls,
        name: Preset,
        *,
        timezone: str,
        holidays: Sequence[date | str | Mapping[str, Any] | HolidayRegion] = (),
    ) -> Calendar:
        """A named calendar: ``"24x7"``, ``"24x5"`` (Mon–Fri all day) or ``"8x5"``
        (Mon–Fri 08:00–17:00), in ``timezone``, with optional ``holidays``."""
        return cls.model_validate({"preset": name, "timezone": timezone, "holidays": holidays})

    @classmethod
    def union(cls, *calendars: Calendar, timezone: str | None = None) -> Calendar:
        """Open whenever any of ``calendars`` is open (a follow-the-sun desk). Results are
        given in ``timezone`` (default: the first calendar's)."""
        if not calendars:
            raise ConfigError("Calendar.union() needs at least one calendar")
        return cls(timezone=timezone or calendars[0].timezone, union_of=calendars)

    @classmethod
    def intersection(cls, *calendars: Calendar, timezone: str | None = None) -> Calendar:
        """Open only when all of ``calendars`` are open."""
        if not calendars:
            raise ConfigError("Calendar.intersection() needs at least one calendar")
        return cls(timezone=timezone or calendars[0].timezone, intersection_of=calendars)

    # -- queries --------------------------------------------------------------------

    @property
    def tz(self) -> tzinfo:
        """The calendar's ``ZoneInfo``."""
        return self._tz

    @property
    def index(self) -> OpenIndex:
        """The compiled index: the same questions on integer microseconds.

        Every argument and result of its methods is an ``int``: microseconds since
        1970-01-01 UTC (instants) or microseconds (durations). ``add(t, d)``,
        ``subtract(t, d)``, ``elapsed(a, b)``, ``next_open(t)``, ``previous_close(t)``,
        ``is_open(t)``, ``cum_at(t)``, ``intervals_between(a, b)`` and
        ``add_business_days(t, n)`` answer exactly as the methods of this class with the
        same names; safe to call from several threads.
        """
        return self._ix

    def in_zone(self, zone: str) -> Calendar:
        """The same weekly hours, holidays and overrides read in ``zone`` (an IANA name).

        ``self`` when ``zone`` is already the calendar's; otherwise one calendar per zone,
        built once and cached on this instance (the same object comes back). A union or
        intersection cannot be re-zoned (its parts keep their own zones).
        """
        if zone == self.timezone:
            return self
        found = self._zones.get(zone)
        if found is not None:
            return found
        if self.union_of or self.intersection_of:
            kind = "union" if self.union_of else "intersection"
            raise ConfigError(
                f"a {kind} calendar cannot be re-zoned to {zone!r}: each of its parts keeps "
                "its own zone; re-zone the parts and combine them again"
            )
        _zone(zone)
        with _quiet():
            rezoned = self.model_copy(update={"timezone": zone})
        return self._zones.setdefault(zone, rezoned)

    def _from_us(self, us: int) -> datetime:
        """UTC microseconds -> an aware datetime in the calendar's zone (integer-exact)."""
        return self._tz.fromutc(self._local_epoch + _ONE_US * us)

    def is_open(self, t: datetime) -> bool:
        """True when ``t`` lies inside an open interval (start included, end excluded)."""
        try:
            us = (t - EPOCH) // _ONE_US
        except TypeError:
            raise NaiveDatetimeError.of("t", t) from None
        return self._ix.is_open(us)

    def next_open(self, t: datetime) -> datetime:
        """The first open instant ``>= t`` (``t`` itself when open)."""
        return self._from_us(self._ix.next_open(_us(t, "t")))

    def previous_close(self, t: datetime) -> datetime:
        """The end of the latest open interval that ends at or before ``t``."""
        return self._from_us(self._ix.previous_close(_us(t, "t")))

    def add(self, t: datetime, d: timedelta | Duration | str) -> datetime:
        """The earliest instant ``x >= t`` with ``elapsed(t, x) == d``.

        ``d`` is a ``timedelta``, a :class:`Duration` or a duration string; business
        days (``"2 business days"``) go through :meth:`add_business_days`. 8x5
        Friday 16:00 + 1h is Friday 17:00; + 2h is Monday 09:00.
        """
        tz = self._tz
        try:
            if t.tzinfo is tz:  # same-zone subtraction is wall-clock; utcoffset honours fold
                us = ((t - self._local_epoch) - tz.utcoffset(t)) // _ONE_US  # type: ignore[operator]
            else:
                us = (t - EPOCH) // _ONE_US
        except (TypeError, AttributeError):
            raise NaiveDatetimeError.of("t", t) from None
        if d.__class__ is timedelta:
            dus = d // _ONE_US
            if dus < 0:
                raise ConfigError(f"d={d!r} is negative; durations must be >= 0")
        else:
            dur = Duration.parse(d)
            if dur.is_business_days:
                return self.add_business_days(t, dur.business_days)
            dus = dur.microseconds
        # integer-exact: UTC wall time labelled with tz, then converted from UTC
        return tz.fromutc(self._local_epoch + _ONE_US * self._ix.add(us, dus))

    def subtract(self, t: datetime, d: timedelta | Duration | str) -> datetime:
        """The latest instant ``x <= t`` with ``elapsed(x, t) == d``."""
        us = _us(t, "t")
        return self._from_us(self._ix.subtract(us, _duration_us(d)))

    def elapsed(self, a: datetime, b: datetime) -> timedelta:
        """The open time in ``[a, b)``. ``b`` before ``a`` is an error."""
        tz = self._tz
        try:
            if a.tzinfo is tz:
                a_us = ((a - self._local_epoch) - tz.utcoffset(a)) // _ONE_US  # type: ignore[operator]
            else:
                a_us = (a - EPOCH) // _ONE_US
        except (TypeError, AttributeError):
            raise NaiveDatetimeError.of("a", a) from None
        try:
            if b.tzinfo is tz:
                b_us = ((b - self._local_epoch) - tz.utcoffset(b)) // _ONE_US  # type: ignore[operator]
            else:
                b_us = (b - EPOCH) // _ONE_US
        except (TypeError, AttributeError):
            raise NaiveDatetimeError.of("b", b) from None
        if b_us < a_us:
            raise ConfigError(f"b={b!r} is before a={a!r}; elapsed() needs a <= b")
        return _ONE_US * self._ix.elapsed(a_us, b_us)

    def open_intervals(self, a: datetime, b: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The open intervals within ``[a, b)``, clipped to it, in order."""
        a_us, b_us = _us(a, "a"), _us(b, "b")
        if b_us < a_us:
            raise ConfigError(f"b={b!r} is before a={a!r}; open_intervals() needs a <= b")
        for s, e in self._ix.intervals_between(a_us, b_us):
            yield self._from_us(s), self._from_us(e)

    def add_business_days(self, t: datetime, n: int) -> datetime:
        """The same wall-clock time ``n`` open dates later, clamped into that date's hours.

        Starts from the first open instant ``>= t``; takes its local wall time on the
        ``n``-th following date that has open hours; before that date's opening it gives
        the opening, after its closing the closing, inside a break the next opening. A
        wall time that does not exist on that date (the hour skipped by a DST change) is
        read with the offset before the change, so it moves forward by the gap: 02:30 on
        a spring-forward date in New York is 03:30. 8x5: Monday 15:00 + 1 business day
        is Tuesday 15:00. Open dates are counted from the compiled index (O(log n)).
        """
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ConfigError(f"n={n!r} must be a whole number of business days >= 0")
        return self._from_us(self._ix.add_business_days(_us(t, "t"), n))

    # -- arrays (the ``batch`` extra: numpy) ------------------------------------------

    def add_array(self, starts: ArrayLike, durations: ArrayLike) -> NDArray[np.datetime64]:
        """:meth:`add` element by element on arrays, vectorised with numpy.

        ``starts``: UTC instants as ``datetime64`` (any unit, floored to the
        microsecond; a tz-aware pandas Series or DatetimeIndex is converted to UTC);
        ``durations``: ``timedelta64`` (or one duration for all). Broadcast together.
        Returns UTC ``datetime64[us]``; ``NaT`` in either gives ``NaT``. Needs numpy
        (``pip install 'slaclock[batch]'``).
        """
        from ._arrays import add_array

        return add_array(self._ix, starts, durations)

    def elapsed_array(self, a: ArrayLike, b: ArrayLike) -> NDArray[np.timedelta64]:
        """:meth:`elapsed` element by element on arrays of UTC ``datetime64`` instants;
        returns ``timedelta64[us]`` (``NaT`` where either input is ``NaT``)."""
        from ._arrays import elapsed_array

        return elapsed_array(self._ix, a, b)

    def add_business_days_array(self, starts: ArrayLike, n: ArrayLike) -> NDArray[np.datetime64]:
        """:meth:`add_business_days` element by element: UTC ``datetime64`` starts and
        whole numbers of business days (an integer array or one integer); returns UTC
        ``datetime64[us]``, ``NaT`` where the start is ``NaT``."""
        from ._arrays import add_business_days_array

        return add_business_days_array(self._ix, starts, n)

    # -- description ----------------------------------------------------------------

    def describe(self, timezone: str | None = None, *, week_of: date | None = None) -> WeeklyHours:
        """The weekly hours as seen from ``timezone`` (default: the calendar's own).

        Without ``week_of`` the regular weekly hours are shown (holidays and overrides
        ignored) for a reference week in mid-January 2026; give ``week_of`` (any date of
        the week) to see a particular week, holidays included — offsets between zones
        differ in the weeks when only one of them observes daylight saving time.
        A desk open until 20:00 on Fridays in New York reads as 19:00 in Chicago and
        17:00 in Los Angeles.
        """
        target = _zone(timezone or self.timezone)
        if (
            week_of is None
            and not (self.union_of or self.intersection_of)
            and not any(self.hours.values())
        ):
            return WeeklyHours(target.key, {}, None)  # open on override dates only
        cal = self if week_of is not None else self._regular()
        ref = week_of or date(2026, 1, 14)
        monday = ref - timedelta(days=ref.weekday())
        tz = self._tz
        a = (datetime.combine(monday, time(0), tzinfo=tz) - EPOCH) // _ONE_US
        b = (datetime.combine(monday + timedelta(days=7), time(0), tzinfo=tz) - EPOCH) // _ONE_US
        per_day: list[list[tuple[int, int]]] = [[] for _ in range(7)]
        for s, e in cal._ix.intervals_between(a, b):
            ls = datetime.fromtimestamp(s / 1e6, target)
            le = datetime.fromtimestamp(e / 1e6, target)
            day = ls.date()
            sec = ls.hour * 3600 + ls.minute * 60 + ls.second
            while True:
                end_day = le.date()
                if day == end_day:
                    end_sec = le.hour * 3600 + le.minute * 60 + le.second
                    per_day[day.weekday()].append((sec, end_sec))
                    break
                per_day[day.weekday()].append((sec, 86_400))
                day += timedelta(days=1)
                sec = 0
        days = {
            _hours.DAYS[w]: tuple(_hours.canonical_interval(s, e) for s, e in merge(per_day[w]))
            for w in range(7)
        }
        return WeeklyHours(target.key, days, week_of and monday)

    def _regular(self) -> Calendar:
        """This calendar without holidays and overrides."""
        if self.union_of or self.intersection_of:
            parts = tuple(p._regular() for p in (self.union_of or self.intersection_of))
            key = "union_of" if self.union_of else "intersection_of"
            return Calendar.model_validate({"timezone": self.timezone, key: parts})
        with _quiet():
            return Calendar.model_validate({"timezone": self.timezone, "hours": self.hours})

    # -- display --------------------------------------------------------------------

    def __str__(self) -> str:
        return str(self.describe())

    def _repr_html_(self) -> str:
        """A week grid of the open hours (what a notebook shows for a calendar)."""
        return self.describe()._repr_html_()
