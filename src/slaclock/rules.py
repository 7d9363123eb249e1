"""Which terms apply to a ticket: ordered plan ``rules`` and the per-ticket calendar
(``calendar_by``), both read from the ticket's fields.

``rules = [{when = {organization = ["acme", "globex"]}, plan = "enterprise"},
{when = {channel = "chat", tags = {contains = "vip"}}, plan = "chat-vip"}, {plan = "basic"}]``:
the first rule whose conditions all hold chooses the plan. A condition on a field is

- a value: equality (for a list field such as tags: the list holds the value);
- a list of values: the field equals one of them (a list field: holds one of them);
- ``{contains = "vip"}``: a list field holds the value (a text field contains it);
- ``{exists = true}`` / ``{exists = false}``: the field has a value (not null, not empty).

Values compare trimmed and case-insensitively, like statuses and severities.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, final

from pydantic import ConfigDict, Field, PrivateAttr, field_validator, model_validator

from ._model import FrozenModel
from .errors import ConfigError, TimelineError
from .metrics import norm

__all__ = ["CalendarRule", "Condition", "Rule"]

Scalar = str | int | float | bool


@final
class Condition(FrozenModel):
    """One condition of a rule's ``when`` (see the module docstring for the short forms)."""

    equals: tuple[Scalar, ...] | None = Field(
        None, description="The field equals one of these (a list field holds one of them)."
    )
    contains: Scalar | None = Field(None, description="A list field holds this value.")
    exists: bool | None = Field(None, description="The field has a value (true) or not.")

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> Any:
        full = handler.resolve_ref_schema(handler(core_schema))
        scalar = {"type": ["string", "number", "boolean"], "description": "Equality."}
        listed = {"type": "array", "items": scalar, "description": "One of these values."}
        return {"anyOf": [scalar, listed, full]}

    @model_validator(mode="before")
    @classmethod
    def _short_forms(cls, data: Any) -> Any:
        if isinstance(data, str | int | float | bool):
            return {"equals": (data,)}
        if isinstance(data, list | tuple):
            return {"equals": tuple(data)}
        if isinstance(data, Mapping) and not data:
            raise ConfigError("an empty condition; write a value, a list, {contains} or {exists}")
        return data

    @model_validator(mode="after")
    def _one_kind(self) -> Condition:
        given = [k for k in ("equals", "contains", "exists") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ConfigError(
                f"a condition needs exactly one of a value, a list, contains or exists; got "
                f"{', '.join(given) or 'none'}"
            )
        if self.equals is not None and not self.equals:
            raise ConfigError("a condition's list of values is empty")
        return self

    def holds(self, value: Any) -> bool:
        """Does a field with ``value`` satisfy this condition?"""
        present = value is not None and value != "" and value != () and value != []
        if self.exists is not None:
            return present == self.exists
        if not present:
            return False
        items = [norm(v) for v in value] if isinstance(value, list | tuple) else None
        if self.contains is not None:
            want = norm(self.contains)
            return want in items if items is not None else want in norm(value)
        wanted = {norm(v) for v in self.equals or ()}
        if items is not None:
            return any(v in wanted for v in items)
        return norm(value) in wanted


@final
class Rule(FrozenModel):
    """``{name = "enterprise customers", when = {organization = ["acme"]}, plan =
    "enterprise"}``: when every condition holds, the ticket is measured by ``plan``."""

    name: str | None = Field(None, description="Shown in results; default 'rules[i]'.")
    when: dict[str, Condition] = Field(
        default_factory=dict, description="Field -> condition; all must hold ({} always does)."
    )
    plan: str = Field(description="The plan edition this rule selects.")

    def matches(self, fields: Mapping[str, Any]) -> bool:
        return all(cond.holds(fields.get(name)) for name, cond in self.when.items())


def _calendar_rule_schema(schema: dict[str, Any]) -> None:
    """The configuration also accepts ``field`` (one field) and ``default``."""
    props = schema.setdefault("properties", {})
    props["field"] = {"type": "string", "description": "One ticket field (instead of fields)."}
    props["default"] = {"type": "string", "description": "Older spelling of fallback."}
    schema["required"] = [r for r in schema.get("required", []) if r != "fields"]
    schema["anyOf"] = [{"required": ["fields"]}, {"required": ["field"]}]


def first_match(rules: Sequence[Rule], fields: Mapping[str, Any]) -> int | None:
    """Index of the first rule whose conditions hold, or None."""
    for i, rule in enumerate(rules):
        if rule.matches(fields):
            return i
    return None


@final
class CalendarRule(FrozenModel):
    """Choose the calendar per ticket from one or more fields:
    ``{fields = ["region", "channel"], calendars = {"us-east/chat" = "us_chat"},
    fallback = "default_desk"}`` (``field = "region"`` for one field). Keys join the
    values with ``/`` and match case-insensitively. A value not listed is an error naming
    the ticket, field and value, unless ``fallback`` names a calendar (``default`` is
    accepted as the older spelling of ``fallback``)."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", json_schema_extra=lambda s: _calendar_rule_schema(s)
    )

    fields: tuple[str, ...] = Field(description="Ticket fields whose values form the key.")
    calendars: dict[str, str] = Field(description="Key -> calendar name.")
    fallback: str | None = Field(None, description="Calendar for values not listed.")
    _lowered: dict[str, str] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        self._lowered.update({norm(k): v for k, v in self.calendars.items()})

    @model_validator(mode="before")
    @classmethod
    def _spellings(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            data = dict(data)
            if "field" in data:
                if "fields" in data:
                    raise ConfigError("calendar_by: give 'field' or 'fields', not both")
                data["fields"] = (data.pop("field"),)
            if "default" in data:
                if "fallback" in data:
                    raise ConfigError("calendar_by: give 'fallback' (or 'default'), not both")
                data["fallback"] = data.pop("default")
        return data

    @field_validator("fields", mode="before")
    @classmethod
    def _one_or_more(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = (value,)
        if isinstance(value, list | tuple) and not value:
            raise ConfigError("calendar_by needs at least one field")
        return value

    @property
    def field(self) -> str:
        """The first (often the only) field."""
        return self.fields[0]

    def key_of(self, fields: Mapping[str, Any]) -> str:
        """The lookup key of a ticket with these fields (values joined with ``/``)."""
        return "/".join(norm(v) if (v := fields.get(f)) is not None else "" for f in self.fields)

    def choose(self, fields: Mapping[str, Any], *, ticket: str) -> str:
        """The calendar name for a ticket with these fields."""
        found = self._lowered.get(self.key_of(fields))
        if found is not None:
            return found
        if self.fallback is not None:
            return self.fallback
        values = {f: fields.get(f) for f in self.fields}
        raise TimelineError(
            f"ticket {ticket!r}: no calendar for {values!r} (calendar_by "
            f"{', '.join(self.fields)}); listed: {sorted(self.calendars)}; add the value "
            "to calendar_by.calendars or set calendar_by.fallback"
        )
