"""slaclock: support SLA clocks on business calendars.

When is this ticket's first response due, how much of the resolution clock is left, and
did we breach the contract? slaclock answers exactly (to the microsecond, across DST) and
fast (binary search over compiled open intervals).

The public names below are imported on first use (``import slaclock`` itself loads
almost nothing), so a command-line tool or a worker that needs one corner of the library
starts quickly.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:  # pragma: no cover - what the lazy attributes resolve to
    from .calendar import Calendar, HolidayRegion, Preset, WeeklyHours
    from .durations import Duration, parse_duration
    from .engine import evaluate
    from .errors import (
        ConfigError,
        NaiveDatetimeError,
        NoOpenTimeError,
        OutOfRangeError,
        SlaClockError,
        SlaClockWarning,
        TimelineError,
        UnknownPlanError,
        UnknownSeverityError,
    )
    from .metrics import CATEGORIES, MetricDefinition
    from .policy import (
        CalendarRule,
        Metric,
        Objective,
        Plan,
        Policy,
        SeverityTargets,
        Target,
        Terms,
    )
    from .results import (
        ExplainLine,
        Explanation,
        InternalResult,
        MetricResult,
        Pause,
        SlaEvent,
        TicketSla,
    )
    from .rules import Rule
    from .ticket import (
        AgentReply,
        CustomerReply,
        Event,
        FieldChange,
        InternalNote,
        PlanChange,
        SeverityChange,
        StatusChange,
        Ticket,
    )

__all__ = [
    # calendars and durations
    "Calendar",
    "Duration",
    "HolidayRegion",
    "Preset",
    "WeeklyHours",
    "parse_duration",
    # agreements
    "CATEGORIES",
    "CalendarRule",
    "Metric",
    "MetricDefinition",
    "Objective",
    "Plan",
    "Policy",
    "Rule",
    "SeverityTargets",
    "Target",
    "Terms",
    # tickets
    "AgentReply",
    "CustomerReply",
    "Event",
    "FieldChange",
    "InternalNote",
    "PlanChange",
    "SeverityChange",
    "StatusChange",
    "Ticket",
    # evaluation and results
    "ExplainLine",
    "Explanation",
    "InternalResult",
    "MetricResult",
    "Pause",
    "SlaEvent",
    "TicketSla",
    "evaluate",
    # errors
    "ConfigError",
    "NaiveDatetimeError",
    "NoOpenTimeError",
    "OutOfRangeError",
    "SlaClockError",
    "SlaClockWarning",
    "TimelineError",
    "UnknownPlanError",
    "UnknownSeverityError",
    # metadata
    "__version__",
]

# Where each public name lives (imported on first access).
_HOME: dict[str, str] = {}
for _module, _names in (
    ("calendar", ("Calendar", "HolidayRegion", "Preset", "WeeklyHours")),
    ("durations", ("Duration", "parse_duration")),
    ("metrics", ("CATEGORIES", "MetricDefinition")),
    ("policy", ("CalendarRule", "Metric", "Objective", "Plan", "Policy", "SeverityTargets")),
    ("policy", ("Target", "Terms")),
    ("rules", ("Rule",)),
    ("ticket", ("AgentReply", "CustomerReply", "Event", "FieldChange", "InternalNote")),
    ("ticket", ("PlanChange", "SeverityChange", "StatusChange", "Ticket")),
    ("results", ("ExplainLine", "Explanation", "InternalResult", "MetricResult", "Pause")),
    ("results", ("SlaEvent", "TicketSla")),
    ("engine", ("evaluate",)),
    ("errors", ("ConfigError", "NaiveDatetimeError", "NoOpenTimeError", "OutOfRangeError")),
    ("errors", ("SlaClockError", "SlaClockWarning", "TimelineError", "UnknownPlanError")),
    ("errors", ("UnknownSeverityError",)),
):
    _HOME.update(dict.fromkeys(_names, _module))
del _module, _names


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'slaclock' has no attribute {name!r}")
    value = getattr(import_module(f".{home}", __name__), name)
    globals()[name] = value  # the next access is a plain lookup
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
