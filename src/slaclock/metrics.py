"""SLA metrics as helpdesks define them: start / stop / pause conditions over a ticket's
history (DESIGN.md, "Ticket semantics, version 2").

A :class:`MetricDefinition` says which events start a cycle of the metric, which stop it,
in which statuses it does not count, whether it runs ``once`` (and resumes on reopen) or
starts a new cycle ``each`` time, which metric must have stopped first (``after``), and
whether solving the ticket stops it (``stop_on_solve``). The built-in metrics
(:data:`BUILTIN_METRICS`) are defined through exactly this mechanism.

Triggers (``start`` / ``stop``) are written as strings:

- ``created``, ``agent_reply``, ``customer_reply``, ``internal_note``;
- ``status:<category or status>``: the ticket *enters* it (fires only on a change);
- ``reopen``: the ticket leaves ``solved`` / ``closed`` for any other status;
- ``field:<name>`` on any change of the field, ``field:<name>=<value>`` when it becomes
  the value (for a list field such as tags: when the value is added);
- ``severity``, ``plan``: the severity (or the plan in force) changes.

Statuses belong to one of six categories (:data:`CATEGORIES`); a policy maps custom
status names to them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Final, Literal, final

from pydantic import Field, WithJsonSchema, field_validator

from ._model import FrozenModel
from .errors import ConfigError

__all__ = [
    "BUILTIN_METRICS",
    "CATEGORIES",
    "Category",
    "MetricDefinition",
    "parse_trigger",
]

Category = Literal["new", "open", "pending", "on_hold", "solved", "closed"]
CATEGORIES: Final[tuple[Category, ...]] = ("new", "open", "pending", "on_hold", "solved", "closed")
"""Every status belongs to one of these; a ticket starts in ``new``."""

SOLVED: Final = frozenset({"solved", "closed"})

_PLAIN_TRIGGERS: Final = frozenset(
    {"created", "agent_reply", "customer_reply", "internal_note", "severity", "plan", "reopen"}
)
_VOCABULARY: Final = (
    "created, agent_reply, customer_reply, internal_note, severity, plan, reopen, "
    "status:<category or status>, field:<name>, field:<name>=<value>"
)


def norm(value: object) -> str:
    """How statuses, categories and field values compare: trimmed, case-insensitive."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip().lower()


def parse_trigger(text: str) -> str:
    """The canonical form of a trigger (``"Status:Pending"`` -> ``"status:pending"``,
    ``"field:group = Tier-2"`` -> ``"field:group=tier-2"``); a ``ConfigError`` names an
    unknown one and lists the vocabulary."""
    if not isinstance(text, str) or not text.strip():
        raise ConfigError(f"trigger {text!r} is empty; use one of {_VOCABULARY}")
    raw = text.strip()
    lowered = raw.lower()
    if lowered in _PLAIN_TRIGGERS:
        return lowered
    kind, sep, arg = raw.partition(":")
    kind = kind.strip().lower()
    arg = arg.strip()
    if sep and kind == "status" and arg:
        return f"status:{norm(arg)}"
    if sep and kind == "field" and arg:
        name, eq, value = arg.partition("=")
        name = name.strip()
        if not name:
            raise ConfigError(f"trigger {text!r} names no field; write field:<name>")
        return f"field:{name}={norm(value)}" if eq else f"field:{name}"
    raise ConfigError(f"unknown trigger {text!r}; use one of {_VOCABULARY}")


def _as_tuple(value: Any) -> Any:
    if isinstance(value, str):
        return (value,)
    return value


_ONE_OR_MORE: Final[dict[str, Any]] = {
    "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]
}
Triggers = Annotated[tuple[str, ...], WithJsonSchema(_ONE_OR_MORE)]


@final
class MetricDefinition(FrozenModel):
    """One metric: ``{start = ["created"], stop = ["field:assignee"], pause = ["pending"],
    cycles = "once", after = "first_response", stop_on_solve = true}``.

    ``start`` / ``stop`` / ``pause`` accept a string or a list. ``pause`` names status
    categories or statuses; ``None`` means "not set here" (the agreement's
    ``pause.<metric>`` then applies, default: never paused).
    """

    start: Triggers = Field((), description="Triggers that start a cycle.")
    stop: Triggers = Field((), description="Triggers that stop the running cycle.")
    pause: Triggers | None = Field(
        None, description="Status categories or statuses in which the cycle does not count."
    )
    cycles: Literal["once", "each"] = Field(
        "once",
        description="'once': one cycle, resumed on reopen; 'each': a new cycle per start "
        "trigger that arrives while none is running.",
    )
    after: str | None = Field(
        None, description="A metric that must have stopped before this one may start."
    )
    stop_on_solve: bool = Field(True, description="Entering solved/closed stops a cycle.")

    @field_validator("start", "stop", mode="before")
    @classmethod
    def _triggers(cls, value: Any) -> Any:
        value = _as_tuple(value)
        if isinstance(value, list | tuple):
            return tuple(parse_trigger(v) for v in value)
        return value

    @field_validator("pause", mode="before")
    @classmethod
    def _pause(cls, value: Any) -> Any:
        value = _as_tuple(value)
        if isinstance(value, list | tuple):
            return tuple(norm(v) for v in value)
        return value


def _builtin(**kw: Any) -> MetricDefinition:
    return MetricDefinition.model_validate(kw)


_UPDATE: Final = {
    "start": ["created", "agent_reply", "reopen"],
    "stop": ["agent_reply"],
    "cycles": "each",
}
BUILTIN_METRICS: Final[Mapping[str, MetricDefinition]] = {
    "first_response": _builtin(
        start="created", stop=["agent_reply", "status:solved", "status:closed"]
    ),
    "next_reply": _builtin(
        start="customer_reply", stop="agent_reply", cycles="each", after="first_response"
    ),
    "periodic_update": _builtin(**_UPDATE),
    "pausable_update": _builtin(**_UPDATE, pause="pending"),
    "requester_wait": _builtin(start="created", pause="pending"),
    "agent_work": _builtin(start="created", pause=["pending", "on_hold"]),
    "resolution": _builtin(start="created", pause=["pending", "on_hold"]),
}
"""The built-in metrics of DESIGN.md's table, in report order. ``resolution``'s pause is
the agreement's ``pause.resolution`` when set."""


def merge_definition(base: MetricDefinition | None, given: MetricDefinition) -> MetricDefinition:
    """A user's ``metrics.<name>`` over a built-in: the keys it sets win."""
    if base is None:
        return given
    data = base.model_dump()
    data.update({k: getattr(given, k) for k in given.model_fields_set})
    return MetricDefinition.model_validate(data)


def check_metric_graph(defs: Mapping[str, MetricDefinition]) -> list[str]:
    """Metric names in an order where every ``after`` comes first; a ``ConfigError`` for
    an unknown ``after`` or a cycle."""
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(name: str, path: Sequence[str]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            cycle = " -> ".join([*path, name])
            raise ConfigError(f"metrics wait for each other in a cycle ('after'): {cycle}")
        state[name] = 1
        after = defs[name].after
        if after is not None:
            if after not in defs:
                raise ConfigError(
                    f"metric {name!r} waits for unknown metric {after!r} ('after'); "
                    f"defined: {', '.join(defs)}"
                )
            visit(after, [*path, name])
        state[name] = 2
        order.append(name)

    for name in defs:
        if not defs[name].start:
            raise ConfigError(f'metric {name!r} has no start trigger; give e.g. start = "created"')
        visit(name, [])
    return order
