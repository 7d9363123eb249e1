"""The ``slaclock`` command: a thin layer that parses arguments, calls the library and
prints. Exit codes: 0 fine, 1 breaches found (with ``--fail-on-breach``), 2 bad input."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from .calendar import Calendar
from .durations import Duration
from .errors import SlaClockError


def _demo(args: argparse.Namespace) -> int:
    ny = ZoneInfo("America/New_York")
    desk = Calendar.preset("8x5", timezone="America/New_York", holidays=[{"country": "US"}])
    chat = Calendar.model_validate(
        {"timezone": "America/New_York", "hours": {"mon-thu": "00:00-24:00", "fri": "00:00-20:00"}}
    )
    print("slaclock demo: business-time arithmetic on support calendars\n")
    print("Desk: 8x5 (Mon-Fri 08:00-17:00) in New York, US federal holidays\n")
    start = datetime(2026, 11, 20, 16, 0, tzinfo=ny)
    rows = []
    for within in ("1h", "2h", "6h", "12h", "1 business day", "40h"):
        due = desk.add(start, within)
        rows.append((within, due.strftime("%a %Y-%m-%d %H:%M %Z")))
    print(f"Ticket opened {start:%a %Y-%m-%d %H:%M %Z}; Thanksgiving is Thu 2026-11-26")
    print(f"  {'target':<16} due")
    for within, due_text in rows:
        print(f"  {within:<16} {due_text}")
    a, b = start, datetime(2026, 11, 30, 12, 0, tzinfo=ny)
    print(
        f"\nBusiness time from {a:%a %m-%d %H:%M} to {b:%a %m-%d %H:%M}: "
        f"{Duration.from_timedelta(desk.elapsed(a, b))}"
    )
    print(f"(wall-clock time: {b - a})\n")
    print("Live chat open Mon-Thu all day and Friday until 20:00 New York time:")
    for zone in ("America/New_York", "America/Chicago", "America/Los_Angeles"):
        print(chat.describe(zone))
    return 0


def _deadline(args: argparse.Namespace) -> int:
    cal = _load_calendar(args.calendar, args.timezone)
    start = _parse_instant(args.start)
    due = cal.add(start, Duration.parse(args.within))
    print(due.isoformat())
    return 0


def _calendar(args: argparse.Namespace) -> int:
    cal = _load_calendar(args.file, None)
    print(cal.describe(args.timezone))
    return 0


def _load_calendar(spec: str, timezone: str | None) -> Calendar:
    if spec in ("24x7", "24x5", "8x5"):
        return Calendar.preset(spec, timezone=timezone or "UTC")  # type: ignore[arg-type]
    return Calendar.from_file(spec)


def _parse_instant(text: str) -> datetime:
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        raise SlaClockError(f"malformed instant {text!r}; use ISO 8601 with an offset") from None
    if t.utcoffset() is None:  # an instant needs an offset; never guess the zone
        raise SlaClockError(
            f"instant {text!r} has no UTC offset; write e.g. {text}+00:00 or {text}-05:00"
        )
    return t


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="slaclock", description="Support SLA clocks on business calendars."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("demo", help="run a demo on built-in sample data")
    p.set_defaults(func=_demo)
    p = sub.add_parser("deadline", help="when is a target due on a calendar")
    p.add_argument("--calendar", required=True, help="calendar file (TOML/JSON) or a preset")
    p.add_argument("--timezone", help="time zone for a preset (default UTC)")
    p.add_argument("--start", required=True, help="ISO 8601 instant with offset")
    p.add_argument("--within", required=True, help='duration, e.g. "4h" or "1 business day"')
    p.set_defaults(func=_deadline)
    p = sub.add_parser("calendar", help="show a calendar's weekly hours")
    p.add_argument("file", help="calendar file (TOML/JSON)")
    p.add_argument("--timezone", help="show the hours as seen from this zone")
    p.set_defaults(func=_calendar)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except SlaClockError as exc:
        print(f"slaclock: error: {exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
