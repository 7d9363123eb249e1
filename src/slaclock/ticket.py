"""A ticket and its history: the events slaclock replays through an agreement.

Events are a tagged union on ``type``: ``agent_reply`` (public), ``customer_reply``,
``internal_note`` (answers nobody), ``status``, ``severity``, ``plan`` and ``field`` (any
other attribute that changes: group, assignee, organization, tags, channel). They are sorted
stably by time (events at the same instant keep their input order). Validation errors are
:class:`~slaclock.TimelineError` naming the ticket and the event.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Final, Literal, final

from pydantic import AwareDatetime, Field, PrivateAttr, ValidationError, model_validator

from ._model import FrozenModel
from .errors import TimelineError

__all__ = [
    "AgentReply",
    "CustomerReply",
    "Event",
    "FieldChange",
    "FieldValue",
    "InternalNote",
    "PlanChange",
    "SeverityChange",
    "StatusChange",
    "Ticket",
]


class _Event(FrozenModel):
    at: AwareDatetime = Field(description="When it happened (aware: with an offset).")


@final
class AgentReply(_Event):
    """A public reply from an agent: stops first_response and the running next_reply cycle,
    and counts as the periodic update."""

    type: Literal["agent_reply"] = "agent_reply"


@final
class CustomerReply(_Event):
    """A message from the customer: starts a next_reply cycle when none is running."""

    type: Literal["customer_reply"] = "customer_reply"


@final
class InternalNote(_Event):
    """A private note: stops no clock."""

    type: Literal["internal_note"] = "internal_note"


@final
class StatusChange(_Event):
    """The ticket enters ``status`` (``open``, ``pending``, ``on_hold``, ``solved``…)."""

    type: Literal["status"] = "status"
    status: str


@final
class SeverityChange(_Event):
    """The ticket's severity becomes ``severity``."""

    type: Literal["severity"] = "severity"
    severity: str


@final
class PlanChange(_Event):
    """The ticket's plan edition becomes ``plan``."""

    type: Literal["plan"] = "plan"
    plan: str


FieldValue = str | int | float | bool | tuple[str, ...] | None
"""A ticket field's value: a scalar, a list of strings (tags), or ``None`` (not set)."""


@final
class FieldChange(_Event):
    """The ticket field ``field`` (group, assignee, organization, tags, channel…) becomes
    ``value``; ``None`` clears it. A ticket's ``fields`` are the values at creation."""

    type: Literal["field"] = "field"
    field: str = Field(min_length=1)
    value: FieldValue = None


Event = Annotated[
    AgentReply
    | CustomerReply
    | InternalNote
    | StatusChange
    | SeverityChange
    | PlanChange
    | FieldChange,
    Field(discriminator="type"),
]
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US: Final = timedelta(microseconds=1)
_KINDS = "agent_reply, customer_reply, internal_note, status, severity, plan, field"


@final
class Ticket(FrozenModel):
    """A ticket: id, creation time, severity, plan, free fields, and its events."""

    id: str
    created_at: AwareDatetime
    severity: str
    plan: str | None = None
    status: str = Field(
        "new", description="The status at creation (a category or a name the policy maps)."
    )
    fields: dict[str, FieldValue] = Field(default_factory=dict)
    events: tuple[Event, ...] = ()
    _times: tuple[int, tuple[int, ...]] | None = PrivateAttr(None)

    @model_validator(mode="before")
    @classmethod
    def _check_kinds(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            tid = data.get("id", "?")
            events = data.get("events") or ()
            if isinstance(events, list | tuple):
                for i, ev in enumerate(events):
                    if isinstance(ev, Mapping):
                        kind = ev.get("type")
                        if kind not in _KINDS.split(", "):
                            raise TimelineError(
                                f"ticket {tid!r}: event {i} ({dict(ev)!r}) has unknown type "
                                f"{kind!r}; use one of {_KINDS}"
                            )
        return data

    @model_validator(mode="after")
    def _order(self) -> Ticket:
        created = (self.created_at - _EPOCH) // _ONE_US
        times = [(ev.at - _EPOCH) // _ONE_US for ev in self.events]
        for i, t in enumerate(times):
            if t < created:
                ev = self.events[i]
                raise TimelineError(
                    f"ticket {self.id!r}: event {i} ({ev.type} at {ev.at.isoformat()}) is "
                    f"before the ticket was created ({self.created_at.isoformat()})"
                )
        if any(a > b for a, b in itertools.pairwise(times)):
            order = sorted(range(len(times)), key=times.__getitem__)  # stable
            object.__setattr__(self, "events", tuple(self.events[i] for i in order))
            times = [times[i] for i in order]
        self._times = (created, tuple(times))
        return self

    def instants(self) -> tuple[int, tuple[int, ...]]:
        """The creation and the (sorted) events as microseconds since the epoch, UTC
        (computed once, at validation)."""
        private = self.__pydantic_private__  # (skips BaseModel.__getattr__: a hot path)
        found = private.get("_times") if private else None
        if found is None:  # built without validation (model_construct)
            created = (self.created_at - _EPOCH) // _ONE_US
            found = (created, tuple((ev.at - _EPOCH) // _ONE_US for ev in self.events))
            self._times = found
        return found

    # Ticket errors are timeline errors, not configuration errors.
    @classmethod
    def _wrap_error(cls, exc: ValidationError, data: Any) -> Exception:
        tid = data.get("id", "?") if isinstance(data, Mapping) else "?"
        lines = []
        for err in exc.errors(include_url=False):
            msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
            loc = ".".join(str(p) for p in err.get("loc", ()))
            lines.append(f"{msg}" if not loc else f"at {loc}: {msg}")
        if len(lines) == 1 and lines[0].startswith(f"ticket {tid!r}"):
            return TimelineError(lines[0])
        return TimelineError(f"ticket {tid!r}: " + "; ".join(lines))

    def until(self, now: datetime) -> Ticket:
        """This ticket with only the events at or before ``now``."""
        kept = tuple(e for e in self.events if e.at <= now)
        copy = self.model_copy(update={"events": kept})
        created, times = self.instants()
        copy._times = (created, times[: len(kept)])  # the events are sorted: a prefix
        return copy
