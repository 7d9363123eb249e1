"""slaclock: support SLA clocks on business calendars.

When is this ticket's first response due, how much of the resolution clock is left, and
did we breach the contract? slaclock answers exactly (to the microsecond, across DST) and
fast (binary search over compiled open intervals).
"""

from importlib.metadata import PackageNotFoundError, version

# calendars and durations
from .calendar import Calendar, HolidayRegion, Preset, WeeklyHours
from .durations import Duration, parse_duration

# evaluation
from .engine import evaluate

# errors
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

# agreements and tickets
from .metrics import CATEGORIES, MetricDefinition
from .policy import CalendarRule, Metric, Objective, Plan, Policy, SeverityTargets, Target, Terms
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

try:
    __version__ = version("slaclock")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

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
