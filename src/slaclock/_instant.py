"""The one parser of instants given as text or numbers: event times read from exports
(:mod:`slaclock.io`) and instants given on the command line (``--now``, ``--start``).

Strict by design, so the same file gives the same result on any day:

- ISO 8601 is read as it is; other forms (``11/20/2026 4:00 PM``, ``Fri, 20 Nov 2026
  16:00:00 -0500``) by ``python-dateutil``;
- a timestamp must carry a full date and an hour: anything dateutil would complete from
  today's date (``16:00``, ``Monday 17:00``, ``Nov 2026``, ``5``) is an error, and so is a
  date alone or a two-digit year;
- day/month order is never guessed: ``12/11/2026`` is an error unless the order is stated
  (``dayfirst=True`` / ``False``; ``--dayfirst`` / ``--monthfirst``); ``11/24/2026`` has one
  reading and needs none;
- a time without an offset takes the stated zone, or is an error; a wall time that does not
  exist in that zone (inside a spring-forward gap) is an error;
- numbers are seconds since the Unix epoch, finite, within the supported years.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any, Final

from .errors import SlaClockError, TimelineError

__all__ = ["FIRST_YEAR", "LAST_YEAR", "parse_instant"]

FIRST_YEAR: Final = 1900
LAST_YEAR: Final = 2199
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MIN_EPOCH: Final = (datetime(FIRST_YEAR, 1, 1, tzinfo=UTC) - _EPOCH).total_seconds()
_MAX_EPOCH: Final = (datetime(LAST_YEAR + 1, 1, 1, tzinfo=UTC) - _EPOCH).total_seconds()
# Two defaults that differ in every part dateutil could fill in: a part that differs
# between the two readings was missing from the text.
_DEFAULT_A: Final = datetime(1901, 1, 1, 0, 0)
_DEFAULT_B: Final = datetime(1902, 2, 2, 1, 0)
_HAS_TIME: Final = re.compile(r"\d[Tt ]\d")
_ISO_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}|\d{8}")


class _Reject(Exception):
    """Raised inside dateutil's hooks; turned into the caller's error."""


def _tzinfos(name: str | None, offset: int | None) -> tzinfo | None:
    if name is None or name.upper() in ("UTC", "GMT", "Z"):
        return None if offset is None else timezone(timedelta(seconds=offset))
    raise _Reject(
        f"the zone abbreviation {name!r} is ambiguous (EST, CST and IST name several "
        "zones); write the offset instead (-05:00)"
    )


def _parser() -> Any:
    from dateutil import parser as du

    class _Info(du.parserinfo):  # type: ignore[misc]
        def convertyear(self, year: int, century_specified: bool = False) -> int:
            if year < 100 and not century_specified:
                raise _Reject(f"the two-digit year {year:02d} is ambiguous; use four digits")
            result: int = super().convertyear(year, century_specified)
            return result

    return du.parser(_Info())


_PARSER: Any = None


def _dateutil(text: str, dayfirst: bool, default: datetime) -> datetime:
    global _PARSER
    if _PARSER is None:
        _PARSER = _parser()
    result: datetime = _PARSER.parse(text, dayfirst=dayfirst, default=default, tzinfos=_tzinfos)
    return result


def parse_instant(
    value: Any,
    *,
    zone: tzinfo | None = None,
    dayfirst: bool | None = None,
    name: str = "time",
    error: type[SlaClockError] = TimelineError,
    zone_hint: str = "pass assume_timezone (--assume-timezone) to say which zone it is in",
) -> datetime:
    """Read ``value`` (a string, a number of seconds since the epoch, or a datetime) as an
    aware instant, or raise ``error`` with a message naming ``name`` and the value.

    ``zone`` is the zone of a time written without an offset (none: such a time is an
    error); ``dayfirst`` states the order of numeric day and month (``None``: an ambiguous
    one is an error)."""
    if isinstance(value, datetime):
        t = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        return _from_epoch(value, name, error)
    elif isinstance(value, str):
        t = _from_text(value, zone=zone, dayfirst=dayfirst, name=name, error=error)
    else:
        raise error(
            f"{name} {value!r} is not a timestamp; give ISO 8601 text "
            "(2026-11-20T16:00:00-05:00) or seconds since the Unix epoch"
        )
    if t.utcoffset() is None:
        if zone is None:
            raise error(f"{name} {_show(value)} has no UTC offset; {zone_hint}")
        wall = t
        t = t.replace(tzinfo=zone)
        if t.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall:
            raise error(
                f"{name} {_show(value)} does not exist in {zone} (the clocks skip that "
                "wall time); check the export's zone, or export times with an offset"
            )
    try:
        year = t.astimezone(UTC).year
    except OverflowError:
        year = t.year
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise error(
            f"{name} {_show(value)} is outside the supported years {FIRST_YEAR}–{LAST_YEAR}"
        )
    return t


def _show(value: Any) -> str:
    return repr(value.isoformat() if isinstance(value, datetime) else value)


def _from_epoch(value: float, name: str, error: type[SlaClockError]) -> datetime:
    seconds = float(value)
    if not math.isfinite(seconds):
        raise error(f"{name} {value!r} is not a finite number of seconds since the epoch")
    if not _MIN_EPOCH <= seconds < _MAX_EPOCH:
        ms = _MIN_EPOCH <= seconds / 1000 < _MAX_EPOCH
        hint = " (milliseconds? divide by 1000)" if ms else ""
        raise error(
            f"{name} {value!r} seconds since the epoch is outside the supported years "
            f"{FIRST_YEAR}–{LAST_YEAR}{hint}"
        )
    # Exact to the microsecond for integers and for floats written with up to 6 decimals.
    us = round(seconds * 1_000_000) if isinstance(value, float) else int(value) * 1_000_000
    return _EPOCH + timedelta(microseconds=us)


def _from_text(
    value: str, *, zone: tzinfo | None, dayfirst: bool | None, name: str,
    error: type[SlaClockError],
) -> datetime:  # fmt: skip
    text = value.strip()
    if not text:
        raise error(f"{name} is empty; every row needs a date and time")
    if not text.isascii():
        raise error(
            f"{name} {value!r} contains characters other than ASCII letters, digits and "
            "punctuation; write it in ISO 8601 (2026-11-20T16:00:00-05:00)"
        )
    iso = text[:-1] + "+00:00" if text[-1:] in ("Z", "z") else text
    if _ISO_DATE.match(iso):
        try:
            t = datetime.fromisoformat(iso)
        except ValueError:
            pass
        else:
            if not _HAS_TIME.search(iso):
                raise error(
                    f"{name} {value!r} is a date without a time of day; give the time too "
                    "(2026-11-20T16:00:00-05:00)"
                )
            return t
    try:
        a = _dateutil(text, bool(dayfirst), _DEFAULT_A)
        b = _dateutil(text, True, _DEFAULT_A) if dayfirst is None else a
        other = _dateutil(text, bool(dayfirst), _DEFAULT_B)
    except _Reject as exc:
        raise error(f"cannot read {name} {value!r}: {exc}") from None
    except (ValueError, OverflowError):
        raise error(
            f"cannot read {name} {value!r}; use ISO 8601 (2026-11-20T16:00:00-05:00)"
        ) from None
    if b != a:
        raise error(
            f"{name} {value!r} is ambiguous: {a:%d %B %Y} or {b:%d %B %Y}; state the "
            "order of day and month (--dayfirst or --monthfirst; dayfirst=True/False)"
        )
    missing = [
        part
        for part, attr in (("year", "year"), ("month", "month"), ("day", "day"), ("hour", "hour"))
        if getattr(a, attr) != getattr(other, attr)
    ]
    if missing:
        raise error(
            f"{name} {value!r} has no {' / '.join(missing)}: a timestamp needs a full date "
            "and time (slaclock never completes one from today's date)"
        )
    return a
