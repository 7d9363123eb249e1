"""Shared hypothesis strategies for the calendar properties.

Everything here produces plain data (configuration dicts, aware datetimes, timedeltas),
built without slaclock's internals, so the brute-force reference can read the same
configurations independently of the engine.

A *scenario* is a calendar configuration plus a focus date: random holidays and overrides
are placed around the focus, and random instants are drawn near it, so they interact.
Focus dates favour DST transitions of the zones below and local year boundaries (where the
engine splices its per-year tables).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

ZONES = (
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "UTC",
    "America/Santiago",
)
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# Local dates of the DST transitions in 2025-2027 (checked with zoneinfo), and year ends.
TRANSITIONS: dict[str, tuple[date, ...]] = {
    zone: tuple(date.fromisoformat(d) for d in dates)
    for zone, dates in {
        "America/New_York": (
            "2025-03-09", "2025-11-02", "2026-03-08", "2026-11-01", "2027-03-14", "2027-11-07",
        ),
        "Europe/London": (
            "2025-03-30", "2025-10-26", "2026-03-29", "2026-10-25", "2027-03-28", "2027-10-31",
        ),
        "Australia/Lord_Howe": (  # 30-minute shifts at 02:00
            "2025-04-06", "2025-10-05", "2026-04-05", "2026-10-04", "2027-04-04", "2027-10-03",
        ),
        "America/Santiago": (  # at midnight
            "2025-04-05", "2025-09-07", "2026-04-04", "2026-09-06", "2027-04-03", "2027-09-05",
        ),
    }.items()
}  # fmt: skip
DST_DATES = tuple(d for dates in TRANSITIONS.values() for d in dates)
YEAR_ENDS = (date(2025, 12, 31), date(2026, 1, 1), date(2026, 12, 31), date(2027, 1, 1))
FIRST_DAY, LAST_DAY = date(2025, 1, 15), date(2027, 12, 15)

MINUTE = timedelta(minutes=1)
MICROSECOND = timedelta(microseconds=1)


def hhmm(minutes: int) -> str:
    h, m = divmod(minutes, 60)
    return f"{h:02d}:{m:02d}"


# -- wall-clock intervals ---------------------------------------------------------------


def _snap(x: int) -> int:
    """One cheap draw -> a minute of the day: on the half hour (DST shifts are on the half
    hour, so boundaries then meet transitions exactly) or any minute, or 24:00."""
    if x >= 2880:
        return 1440
    return (x // 60) * 30 if x % 2 == 0 else x // 2


_minute = st.integers(0, 2879).map(_snap)
_minute_or_end = st.integers(0, 2999).map(_snap)


@st.composite
def weekly_interval(draw: st.DrawFn) -> str:
    """``"HH:MM-HH:MM"``: ordinary, ending at 24:00 or 00:00 (midnight), or overnight."""
    start = draw(_minute)
    end = draw(_minute_or_end)
    if end == start or end == 1439:  # empty, or the "23:59" that warns
        end = 1440 if start != 0 else 720
    if end == 1440 and start != 0 and start % 2:
        return f"{hhmm(start)}-00:00"  # "09:00-00:00" means 09:00 to midnight
    return f"{hhmm(start)}-{hhmm(end)}"  # end < start is an overnight shift


@st.composite
def date_interval(draw: st.DrawFn) -> str:
    """An override interval: within its date, start < end."""
    a = draw(_minute)
    b = draw(_minute_or_end)
    lo, hi = min(a, b), max(a, b)
    if lo == hi or hi == 1439:
        hi = 1440
    return f"{hhmm(lo)}-{hhmm(hi)}"


def _minutes_of(interval: str) -> tuple[int, int]:
    start, end = (int(p[:2]) * 60 + int(p[3:]) for p in interval.split("-"))
    return start, end


def _overlaps(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(start < e and s < end for s, e in taken)


@st.composite
def weekly_hours(draw: st.DrawFn) -> dict[str, list[str]]:
    """Random hours per weekday (0-2 intervals a day, incl. split and overnight shifts),
    never all closed and never overlapping (calendars reject overlaps; touching is fine),
    counting an overnight shift's part after midnight on the next day. Keys are the
    canonical day names."""
    hours: dict[str, list[str]] = {}
    taken: list[list[tuple[int, int]]] = [[] for _ in DAYS]
    counts = draw(st.lists(st.integers(0, 2), min_size=7, max_size=7))
    for w, (day, n) in enumerate(zip(DAYS, counts, strict=True)):
        for _ in range(n):
            text = draw(weekly_interval())
            start, end = _minutes_of(text)
            if end == 0 or end > start:
                parts = [(w, start, end or 1440)]
            else:  # overnight: the part after midnight belongs to the next weekday
                parts = [(w, start, 1440), ((w + 1) % 7, 0, end)]
            if any(_overlaps(taken[d], s, e) for d, s, e in parts):
                continue
            for d, s, e in parts:
                taken[d].append((s, e))
            hours.setdefault(day, []).append(text)
    if not hours:
        hours[draw(st.sampled_from(DAYS))] = [draw(weekly_interval())]
    return hours


@st.composite
def date_hours(draw: st.DrawFn) -> list[str]:
    """An override's hours: 0-2 intervals within the date that do not overlap."""
    out: list[str] = []
    taken: list[tuple[int, int]] = []
    for text in draw(st.lists(date_interval(), max_size=2)):
        start, end = _minutes_of(text)
        if not _overlaps(taken, start, end):
            taken.append((start, end))
            out.append(text)
    return out


def _near(focus: date, days: int) -> st.SearchStrategy[date]:
    return st.integers(-days, days).map(lambda k: focus + timedelta(days=k))


@st.composite
def focus_dates(draw: st.DrawFn, zone: str | None = None) -> date:
    """A DST transition date (of ``zone`` when it has any), a year end, or any date."""
    own = TRANSITIONS.get(zone, ()) if zone else DST_DATES
    choices = [st.sampled_from(YEAR_ENDS), st.dates(min_value=FIRST_DAY, max_value=LAST_DAY)]
    if own:
        choices = [st.sampled_from(own), st.sampled_from(own), *choices]
    return draw(st.one_of(choices))


@dataclass(frozen=True)
class Scenario:
    config: dict[str, Any]
    focus: date

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.config["timezone"])


@st.composite
def scenarios(
    draw: st.DrawFn, *, zones: tuple[str, ...] = ZONES, country_holidays: bool = True
) -> Scenario:
    """A random calendar configuration and its focus date."""
    zone = draw(st.sampled_from(zones))
    focus = draw(focus_dates(zone))
    config: dict[str, Any] = {"timezone": zone, "hours": draw(weekly_hours())}
    holidays: list[Any] = [d.isoformat() for d in draw(st.lists(_near(focus, 6), max_size=3))]
    if country_holidays and draw(st.integers(0, 9)) == 0:
        holidays.append({"country": "US"})
    if holidays:
        config["holidays"] = holidays
    override_dates = draw(st.lists(_near(focus, 6), max_size=3, unique=True))
    if override_dates:
        config["overrides"] = {d.isoformat(): draw(date_hours()) for d in override_dates}
    return Scenario(config, focus)


# -- instants and durations ---------------------------------------------------------------


def _as_zone(value: datetime, zone: str | None) -> datetime:
    return value if zone is None else value.astimezone(ZoneInfo(zone))


@st.composite
def instants_near(
    draw: st.DrawFn, focus: date, *, days: int = 4, whole_minutes: bool = False
) -> datetime:
    """An aware instant within ``days`` of the focus date, given in a random zone
    (the calendar's answer must not depend on the zone of its input)."""
    base = datetime(focus.year, focus.month, focus.day, 12, tzinfo=UTC)
    minutes = draw(st.integers(-days * 1440, days * 1440))
    t = base + minutes * MINUTE
    if not whole_minutes:
        t += draw(st.sampled_from([0, 0, 1, 30_000_000, 59_999_999])) * MICROSECOND
    return _as_zone(t, draw(st.sampled_from((None, *ZONES))))


def instants_2025_2027() -> st.SearchStrategy[datetime]:
    """Any aware instant from 2025 to 2027, in a random zone."""
    return st.builds(
        _as_zone,
        st.datetimes(
            min_value=datetime(2025, 1, 2), max_value=datetime(2027, 12, 30), timezones=st.just(UTC)
        ),
        st.sampled_from((None, *ZONES)),
    )


def durations(*, max_hours: int = 120, whole_minutes: bool = False) -> st.SearchStrategy[timedelta]:
    """Business durations from 0 up to ``max_hours``; zero and tiny ones included."""
    minutes = st.one_of(st.just(0), st.integers(1, 120), st.integers(0, max_hours * 60)).map(
        lambda m: m * MINUTE
    )
    if whole_minutes:
        return minutes
    return st.one_of(
        minutes,
        st.integers(1, 1_000_000).map(lambda us: us * MICROSECOND),
        st.builds(lambda m, us: m + us * MICROSECOND, minutes, st.integers(0, 59_999_999)),
    )
