"""Parsing of the calendar configuration's day keys and wall-clock intervals.

Digits are ASCII only (``re.ASCII`` and explicit ``[0-9]``): full-width or Arabic-Indic
digits, which ``int()`` would accept, are rejected. Intervals of one day must not
overlap (touching is fine: ``"08:00-12:00"`` and ``"12:00-17:00"``).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from itertools import pairwise
from typing import Final

from .errors import ConfigError, SlaClockWarning

DAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NAMES: Final = {
    **{d: i for i, d in enumerate(DAYS)},
    **{n: i for i, n in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))},
    "tues": 1, "wednes": 2, "thur": 3, "thurs": 3,
}  # fmt: skip
MAX_INTERVALS_PER_DAY: Final = 1_440
"""The most open intervals one day may have (after joining touching ones)."""
_TIME = re.compile(r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?", re.ASCII)
_INTERVAL = re.compile(r"\s*([0-9:]+)\s*-\s*([0-9:]+)\s*", re.ASCII)


def parse_day_key(key: str) -> list[int]:
    """``"mon"`` -> [0]; ``"mon-fri"`` -> [0..4]; ``"fri-mon"`` wraps -> [4, 5, 6, 0]."""
    text = str(key).strip().lower()
    parts = [p.strip() for p in text.split("-")]
    if len(parts) not in (1, 2) or any(p not in _DAY_NAMES for p in parts):
        raise ConfigError(
            f"unknown day {key!r} in 'hours'; use mon, tue, wed, thu, fri, sat, sun "
            'or a range such as "mon-fri"'
        )
    first = _DAY_NAMES[parts[0]]
    last = _DAY_NAMES[parts[-1]]
    days = [first]
    while days[-1] != last:
        days.append((days[-1] + 1) % 7)
    return days


def parse_time(text: str, *, interval: str, where: str, is_end: bool) -> int:
    """``"08:30"`` -> seconds after midnight; ``"24:00"`` allowed only as an end.
    Errors name the whole ``interval`` the time belongs to."""
    what = "end" if is_end else "start"
    m = _TIME.fullmatch(text.strip())
    if not m:
        raise ConfigError(
            f"malformed interval {interval!r} in {where}: its {what} {text!r} is not HH:MM "
            "(ASCII digits, such as '08:30')"
        )
    h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if mi > 59 or s > 59 or h > 24 or (h == 24 and (mi or s)):
        raise ConfigError(
            f"interval {interval!r} in {where}: its {what} {text!r} is not a valid time of "
            "day (00:00..24:00)"
        )
    if h == 24 and not is_end:
        raise ConfigError(
            f"interval {interval!r} in {where} starts at {text!r}; '24:00' can only end an "
            "interval (write '00:00' for the start of the day)"
        )
    return h * 3600 + mi * 60 + s


def format_time(seconds: int) -> str:
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}:{s:02d}" if s else f"{h:02d}:{m:02d}"


def parse_interval(
    text: object, *, where: str, allow_overnight: bool, warn: bool = True
) -> tuple[int, int]:
    """``"08:00-17:00"`` -> (28800, 61200). With ``allow_overnight`` an end before the start
    (``"22:00-06:00"``) is returned as is (end < start); the caller splits it."""
    if not isinstance(text, str):
        raise ConfigError(
            f"interval {text!r} in {where} is a {type(text).__name__}; "
            "write it as a string 'HH:MM-HH:MM'"
        )
    m = _INTERVAL.fullmatch(text)
    if not m:
        ascii_hint = (
            " with ASCII digits 0-9" if any(c.isdigit() and not c.isascii() for c in text) else ""
        )
        raise ConfigError(
            f"malformed interval {text!r} in {where}; expected 'HH:MM-HH:MM'{ascii_hint} such "
            "as '08:00-17:00' (or '22:00-06:00' for an overnight shift)"
        )
    start = parse_time(m.group(1), interval=text, where=where, is_end=False)
    end = parse_time(m.group(2), interval=text, where=where, is_end=True)
    if end == 86_340 and warn:
        warnings.warn(
            f"interval {text!r} in {where} ends at 23:59 and leaves the day's last minute "
            "closed; write '24:00' for the end of the day",
            SlaClockWarning,
            stacklevel=2,
        )
    if start == end:
        raise ConfigError(
            f"interval {text!r} in {where} is empty; use '00:00-24:00' for the whole day"
        )
    if end < start and not allow_overnight:
        raise ConfigError(
            f"interval {text!r} in {where} ends before it starts; an override covers its "
            "own date only, so split it: the part after midnight goes on the next date"
        )
    return start, end


def canonical_interval(start: int, end: int) -> str:
    return f"{format_time(start)}-{format_time(end)}"


Labelled = tuple[int, int, str]
"""An interval in seconds of its day, and how to name it in a message."""


def check_day(day: str, items: Sequence[Labelled]) -> None:
    """One day's intervals must not overlap (touching is fine) and must number at most
    :data:`MAX_INTERVALS_PER_DAY`; the error names both intervals."""
    ordered = sorted(items)
    for (_, e1, first), (s2, _, second) in pairwise(ordered):
        if s2 < e1:
            raise ConfigError(
                f"intervals {first} and {second} overlap on {day}; give each stretch of "
                "open time once (intervals may touch: '08:00-12:00' and '12:00-17:00')"
            )
    joined = 1 + sum(s2 > e1 for (_, e1, _), (s2, _, _) in pairwise(ordered))
    if ordered and joined > MAX_INTERVALS_PER_DAY:
        raise ConfigError(
            f"{day} has {joined} separate open intervals; at most {MAX_INTERVALS_PER_DAY} a "
            "day are supported (join touching intervals or use coarser hours)"
        )


def as_list(value: object) -> list[object]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return list(value)
    raise ConfigError(
        f"hours {value!r} must be a string 'HH:MM-HH:MM' or a list of them (use [] for closed)"
    )
