"""Test data and helpers shared by several test files (importable as ``support``: pytest
puts this folder on ``sys.path``). Plain data only: nothing here calls slaclock."""

from __future__ import annotations

import copy
import re
from datetime import timedelta
from typing import Any

# The two calendars of DESIGN.md's example agreement.
CALENDARS: dict[str, Any] = {
    "business": {
        "timezone": "America/New_York",
        "hours": {"mon-fri": "08:00-17:00"},
        "holidays": [{"country": "US"}],
    },
    "always": {"preset": "24x7", "timezone": "UTC"},
}

# DESIGN.md "Agreement and ticket forms", verbatim.
_DESIGN_POLICY: dict[str, Any] = {
    "name": "Premier Success",
    "calendars": CALENDARS,
    "default_calendar": "business",
    "severities": {
        "critical": {
            "first_response": {"within": "1h", "calendar": "always"},
            "resolution": {"within": "24h", "calendar": "always", "internal": "16h"},
        },
        "high": {"first_response": "6h", "resolution": "5 business days"},
        "low": {"first_response": "1 business day"},
    },
    "aliases": {"urgent": "critical", "P1": "critical"},
    "pause": {"resolution": ["pending", "on_hold"]},
    "stop_statuses": ["solved", "closed"],
    "warn_at": [0.5, 0.75],
}


def design_policy(**changes: Any) -> dict[str, Any]:
    """A fresh copy of DESIGN.md's example agreement, with top-level keys replaced."""
    data = copy.deepcopy(_DESIGN_POLICY)
    data.update(copy.deepcopy(changes))
    return data


_SPAN = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")


def span(text: str) -> timedelta:
    """An expected business-time span written by hand: ``"1h30m"``, ``"45s"``, ``"0h"``."""
    m = _SPAN.fullmatch(text)
    assert text, "empty expected span"
    assert m, f"bad expected span {text!r}"
    h, mi, s = (int(g or 0) for g in m.groups())
    return timedelta(hours=h, minutes=mi, seconds=s)
