"""The one value formatter of slaclock's human-readable output, and the two escapes that
make output safe to open anywhere (stdlib only).

- :func:`fmt` turns a cell value into the text a table shows: ``—`` for nothing, shares
  as percentages, business time as a duration (``1h30m``), instants to the minute,
  optionally in a stated zone.
- :func:`escape_control` makes untrusted text inert on a terminal: control characters
  (ANSI escape sequences, carriage returns, bidirectional overrides…) become visible
  escapes instead of acting.
- :func:`csv_cell` / :func:`csv_uncell` neutralise spreadsheet formulas in CSV cells
  (OWASP's rule: a cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return is
  prefixed with ``'``) and undo it when slaclock reads its own CSV back.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, tzinfo
from typing import Any, Final

__all__ = ["csv_cell", "csv_uncell", "escape_control", "fmt", "fmt_duration"]

NONE: Final = "—"

# C0 and C1 controls, DEL, line/paragraph separators and the bidirectional controls
# (used to make text display in another order than it reads).
_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]"
)
_CONTROL_KEEP_NEWLINES = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]"
)
_FORMULA: Final = ("=", "+", "-", "@", "\t", "\r")


def _escape_one(m: re.Match[str]) -> str:
    c = m.group(0)
    code = ord(c)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_control(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with every control character written as a visible escape (``\\x1b``,
    ``\\u202e``); with ``keep_newlines`` the line feed is kept as it is."""
    pattern = _CONTROL_KEEP_NEWLINES if keep_newlines else _CONTROL
    return pattern.sub(_escape_one, text)


def fmt_duration(td: timedelta) -> str:
    """A span of business time as slaclock writes durations (``1h30m``; ``-2h`` when
    negative)."""
    from .durations import Duration

    if td < timedelta(0):
        return "-" + str(Duration.from_timedelta(-td))
    return str(Duration.from_timedelta(td))


def fmt(value: Any, *, tz: tzinfo | None = None) -> str:
    """The text of one table cell: ``—`` for ``None``; a float in [0, 1] as a share
    (``66.7%``), other floats with two decimals; a ``timedelta`` as a duration; a
    ``datetime`` to the minute (in ``tz`` when given); anything else as ``str`` with its
    control characters escaped."""
    if value is None:
        return NONE
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if value != value:  # NaN
            return NONE
        return f"{value:.1%}" if 0 <= value <= 1 else f"{value:.2f}"
    if isinstance(value, timedelta):
        return fmt_duration(value)
    if isinstance(value, datetime):
        if tz is not None and value.utcoffset() is not None:
            value = value.astimezone(tz)
        return f"{value:%Y-%m-%d %H:%M}"
    return escape_control(str(value))


def csv_cell(value: Any, *, raw: bool = False) -> Any:
    """A CSV cell for ``value``: text that a spreadsheet would run as a formula (it
    starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return) is prefixed with
    ``'``, and so is text that already starts with ``'`` (so :func:`csv_uncell` restores
    it exactly). Numbers are left alone; ``raw`` turns the neutralisation off."""
    if raw or not isinstance(value, str) or not value:
        return value
    if value[0] in _FORMULA or value[0] == "'":
        return "'" + value
    return value


def csv_uncell(text: str) -> str:
    """Undo :func:`csv_cell`: drop one leading ``'``."""
    return text[1:] if text[:1] == "'" else text
