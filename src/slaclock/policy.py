"""Support agreements as data: severity matrices, plan editions, effective dates.

A :class:`Policy` validates from the agreement form of DESIGN.md (the same in Python,
TOML and JSON). Its *terms* — calendars, severity matrix, aliases, pause rules, stop
statuses, warning thresholds, severity-change strategy, entitlements — may be refined by
plan editions (``plans``, one may ``extends`` another and override only what differs) and
by dated ``versions`` (``effective_from``): a ticket is measured by the terms in force when
it was created. :meth:`Policy.terms_for` resolves them into a :class:`Terms`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any, Final, Literal, final

from pydantic import Field, field_validator, model_validator

from ._model import FrozenModel
from .calendar import Calendar
from .durations import Duration
from .errors import ConfigError, UnknownPlanError, UnknownSeverityError

__all__ = [
    "METRICS",
    "CalendarRule",
    "Metric",
    "Plan",
    "Policy",
    "ChangeStrategy",
    "SeverityTargets",
    "Target",
    "Terms",
]

Metric = Literal["first_response", "next_reply", "periodic_update", "resolution"]
METRICS: Final[tuple[Metric, ...]] = (
    "first_response",
    "next_reply",
    "periodic_update",
    "resolution",
)
ChangeStrategy = Literal["retroactive", "restart", "carry", "stricter"]

_TERM_KEYS: Final = (
    "calendars",
    "default_calendar",
    "severities",
    "aliases",
    "pause",
    "stop_statuses",
    "warn_at",
    "severity_change",
    "calendar_by",
    "timezone_field",
    "entitlements",
)
_DEFAULT_PAUSE: Final[dict[Metric, tuple[str, ...]]] = {"resolution": ("pending", "on_hold")}


@final
class Target(FrozenModel):
    """One target of the matrix: ``"6h"`` or ``{"within": "1h", "calendar": "always",
    "internal": "30m"}``."""

    within: Duration = Field(description="The contractual (public) target.")
    calendar: str | None = Field(None, description="Calendar name; default_calendar if unset.")
    internal: Duration | None = Field(
        None, description="A private target, tighter than the public one."
    )

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> Any:
        full = handler.resolve_ref_schema(handler(core_schema))
        short = {"type": "string", "description": 'Short form: the public target, e.g. "6h".'}
        return {"anyOf": [short, full]}

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, data: Any) -> Any:
        if isinstance(data, str | Duration):
            return {"within": data}
        return data

    @model_validator(mode="after")
    def _internal_tighter(self) -> Target:
        if self.internal is not None:
            a, b = self.internal, self.within
            if a.is_business_days == b.is_business_days and b < a:
                raise ConfigError(
                    f"internal target {str(a)!r} is looser than the public {str(b)!r}; "
                    "an internal target must be tighter (or equal)"
                )
        return self


@final
class SeverityTargets(FrozenModel):
    """The targets of one severity; a metric left out is not measured for it."""

    first_response: Target | None = None
    next_reply: Target | None = None
    periodic_update: Target | None = None
    resolution: Target | None = None

    def get(self, metric: Metric) -> Target | None:
        value: Target | None = getattr(self, metric)
        return value


@final
class CalendarRule(FrozenModel):
    """Choose the calendar per ticket from a ticket field: ``{"field": "region",
    "calendars": {"us-east": "us_east", "emea": "emea"}}``. A value not listed falls back
    to ``default`` (or the policy's default calendar)."""

    field: str
    calendars: dict[str, str]
    default: str | None = None


def _check_metric_keys(value: Any, where: str) -> Any:
    if isinstance(value, Mapping):
        for key in value:
            if key not in METRICS:
                raise ConfigError(
                    f"unknown metric {key!r} in {where}; use one of {', '.join(METRICS)}"
                )
    return value


class _TermsFields(FrozenModel):
    """Fields shared by a policy, a plan and a version (all optional here)."""

    calendars: dict[str, Calendar] | None = None
    default_calendar: str | None = None
    severities: dict[str, SeverityTargets] | None = None
    aliases: dict[str, str] | None = None
    pause: dict[Metric, tuple[str, ...]] | None = Field(
        None, description="Metric -> statuses that pause it. Default: resolution pauses in "
        "pending and on_hold."
    )  # fmt: skip
    stop_statuses: tuple[str, ...] | None = None
    warn_at: tuple[float, ...] | None = None
    severity_change: ChangeStrategy | None = None
    calendar_by: CalendarRule | None = None
    timezone_field: str | None = Field(
        None, description="Ticket field holding the customer's IANA zone; the calendars' "
        "hours are then read in that zone."
    )  # fmt: skip
    entitlements: dict[str, Any] | None = None

    @field_validator("severities", mode="before")
    @classmethod
    def _severity_metrics(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            for sev, targets in value.items():
                _check_metric_keys(targets, f"severities.{sev}")
        return value

    @field_validator("pause", mode="before")
    @classmethod
    def _pause_metrics(cls, value: Any) -> Any:
        return _check_metric_keys(value, "pause")

    @field_validator("warn_at")
    @classmethod
    def _warn_range(cls, value: tuple[float, ...] | None) -> tuple[float, ...] | None:
        if value is not None:
            for v in value:
                if not 0 < v < 1:
                    raise ConfigError(
                        f"warn_at value {v!r} must be a share of the target between 0 and 1 "
                        "(e.g. 0.75)"
                    )
            return tuple(sorted(set(value)))
        return value


class Version(_TermsFields):
    """Terms in force from ``effective_from`` (tickets created at or after it)."""

    effective_from: date | datetime


class Plan(_TermsFields):
    """A plan edition (Basic, Premium, Enterprise…): terms, entitlements, and optionally
    the plan it ``extends`` (only what differs needs to be given) and dated versions."""

    extends: str | None = None
    versions: tuple[Version, ...] = ()


@final
class Terms(FrozenModel):
    """Fully resolved terms for one plan at one date (what a ticket is measured by)."""

    plan: str | None
    calendars: dict[str, Calendar]
    default_calendar: str
    severities: dict[str, SeverityTargets]
    aliases: dict[str, str] = Field(default_factory=dict)
    pause: dict[Metric, tuple[str, ...]] = Field(default_factory=lambda: dict(_DEFAULT_PAUSE))
    stop_statuses: tuple[str, ...] = ("solved", "closed")
    warn_at: tuple[float, ...] = ()
    severity_change: ChangeStrategy = "retroactive"
    calendar_by: CalendarRule | None = None
    timezone_field: str | None = None
    entitlements: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> Terms:
        names = set(self.calendars)
        problems: list[tuple[tuple[str | int, ...], str]] = []
        if self.default_calendar not in names:
            problems.append((("default_calendar",), f"default_calendar {self.default_calendar!r} "
                             f"is not one of the calendars {sorted(names)}"))  # fmt: skip
        for sev, targets in self.severities.items():
            for metric in METRICS:
                t = targets.get(metric)
                if t is not None and t.calendar is not None and t.calendar not in names:
                    problems.append(
                        (("severities", sev, metric, "calendar"),
                         f"unknown calendar {t.calendar!r}; defined: {sorted(names)}")
                    )  # fmt: skip
        for alias, sev in self.aliases.items():
            if sev not in self.severities:
                problems.append(
                    (("aliases", alias), f"alias {alias!r} points to unknown severity {sev!r}; "
                     f"defined: {sorted(self.severities)}")
                )  # fmt: skip
        if self.calendar_by is not None:
            for value, cal in self.calendar_by.calendars.items():
                if cal not in names:
                    problems.append(
                        (("calendar_by", "calendars", value),
                         f"maps {value!r} to unknown calendar {cal!r}; defined: {sorted(names)}")
                    )  # fmt: skip
            if self.calendar_by.default is not None and self.calendar_by.default not in names:
                problems.append(
                    (("calendar_by", "default"),
                     f"{self.calendar_by.default!r} is not a calendar; defined: {sorted(names)}")
                )  # fmt: skip
        if problems:
            raise ConfigError("; ".join(msg for _, msg in problems), problems)
        return self

    def severity(self, name: str, *, where: str = "") -> str:
        """The canonical severity for ``name`` (aliases resolved, case kept)."""
        if name in self.severities:
            return name
        alias = self.aliases.get(name)
        if alias is not None:
            return alias
        lowered = {k.lower(): k for k in self.severities}
        if name.lower() in lowered:
            return lowered[name.lower()]
        lowered_alias = {k.lower(): v for k, v in self.aliases.items()}
        if name.lower() in lowered_alias:
            return lowered_alias[name.lower()]
        raise UnknownSeverityError.of(name, [*self.severities, *self.aliases], where=where)

    def target(self, severity: str, metric: Metric) -> Target | None:
        return self.severities[severity].get(metric)

    def calendar_name(self, target: Target, fields: Mapping[str, Any]) -> str:
        """The calendar a target runs on for a ticket with these fields."""
        if target.calendar is not None:
            return target.calendar
        rule = self.calendar_by
        if rule is not None:
            value = fields.get(rule.field)
            if value is not None and str(value) in rule.calendars:
                return rule.calendars[str(value)]
            if rule.default is not None:
                return rule.default
        return self.default_calendar


def _deep_merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _deep_merge(dict(out[key]), value)
        else:
            out[key] = value
    return out


def _terms_dump(model: _TermsFields) -> dict[str, Any]:
    raw = model.model_dump(exclude_unset=True, exclude_none=True, by_alias=False)
    return {k: v for k, v in raw.items() if k in _TERM_KEYS}


def _effective_key(v: date | datetime) -> datetime:
    if isinstance(v, datetime):
        if v.tzinfo is None:
            return v.replace(tzinfo=UTC)
        return v
    return datetime(v.year, v.month, v.day, tzinfo=UTC)


class Policy(_TermsFields):
    """A support agreement: terms, optional plan editions and dated versions.

    ``Policy.model_validate(config)`` raises :class:`~slaclock.ConfigError` listing each
    problem with its location; every plan and version is resolved and checked at load.
    """

    name: str = ""
    plans: dict[str, Plan] = Field(default_factory=dict)
    default_plan: str | None = None
    versions: tuple[Version, ...] = ()

    @model_validator(mode="after")
    def _resolve_all(self) -> Policy:
        if self.default_plan is not None and self.default_plan not in self.plans:
            raise UnknownPlanError.of(self.default_plan, list(self.plans), where="default_plan")
        for plan in self.plans.values():
            if plan.extends is not None and plan.extends not in self.plans:
                raise UnknownPlanError.of(plan.extends, list(self.plans), where="extends")
        cache: dict[tuple[str | None, int, int], Terms] = {}
        self.__dict__["_terms_cache"] = cache
        for plan_name in [None, *self.plans] if not self.plans else list(self.plans):
            self._chain(plan_name)  # detects cycles
            for when in self._version_dates(plan_name):
                self.terms_for(plan_name, when)
        return self

    def _chain(self, plan: str | None) -> list[str]:
        chain: list[str] = []
        current = plan
        while current is not None:
            if current in chain:
                cycle = " -> ".join([*chain, current])
                raise ConfigError(
                    f"plans extend each other in a cycle: {cycle}",
                    [(("plans", current, "extends"), f"cycle {cycle}")],
                )
            chain.append(current)
            current = self.plans[current].extends
        return list(reversed(chain))

    def _version_dates(self, plan: str | None) -> list[datetime]:
        dates = [datetime(1900, 1, 1, tzinfo=UTC)]
        dates += [_effective_key(v.effective_from) for v in self.versions]
        for name in self._chain(plan):
            dates += [_effective_key(v.effective_from) for v in self.plans[name].versions]
        return sorted(set(dates))

    @property
    def plan_names(self) -> tuple[str, ...]:
        return tuple(self.plans)

    def resolve_plan(self, plan: str | None, *, where: str = "") -> str | None:
        """The plan edition to use for a ticket's ``plan`` field."""
        if not self.plans:
            return None
        if plan is None:
            if self.default_plan is None:
                raise UnknownPlanError(
                    f"ticket has no plan{f' ({where})' if where else ''} and the policy has "
                    f"no default_plan; plans: {', '.join(map(repr, self.plans))}"
                )
            return self.default_plan
        if plan in self.plans:
            return plan
        lowered = {k.lower(): k for k in self.plans}
        if plan.lower() in lowered:
            return lowered[plan.lower()]
        raise UnknownPlanError.of(plan, list(self.plans), where=where)

    def terms_for(self, plan: str | None, created_at: datetime) -> Terms:
        """The terms a ticket of ``plan`` created at ``created_at`` is measured by."""
        name = self.resolve_plan(plan)
        v_idx = sum(1 for v in self.versions if _effective_key(v.effective_from) <= created_at)
        chain = self._chain(name)
        p_idx = 0
        plan_versions: list[list[Version]] = []
        for link in chain:
            vs = sorted(self.plans[link].versions, key=lambda v: _effective_key(v.effective_from))
            in_force = [v for v in vs if _effective_key(v.effective_from) <= created_at]
            plan_versions.append(in_force)
            p_idx = p_idx * 97 + len(in_force)
        cache: dict[tuple[str | None, int, int], Terms] = self.__dict__["_terms_cache"]
        key = (name, v_idx, p_idx)
        found = cache.get(key)
        if found is not None:
            return found
        data = _terms_dump(self)
        for v in sorted(self.versions, key=lambda v: _effective_key(v.effective_from))[:v_idx]:
            data = _deep_merge(data, _terms_dump(v))
        for link, in_force in zip(chain, plan_versions, strict=True):
            data = _deep_merge(data, _terms_dump(self.plans[link]))
            for v in in_force:
                data = _deep_merge(data, _terms_dump(v))
        data["plan"] = name
        if "default_calendar" not in data:
            cals = data.get("calendars") or {}
            if len(cals) == 1:
                data["default_calendar"] = next(iter(cals))
            else:
                where = f"plan {name!r}" if name else "the policy"
                raise ConfigError(
                    f"{where} needs 'default_calendar' (calendars: {sorted(cals) or 'none'})"
                    if cals
                    else f"{where} defines no calendars; add e.g. calendars.business = "
                    '{preset = "8x5", timezone = "America/New_York"}'
                )
        if not data.get("severities"):
            where = f"plan {name!r}" if name else "the policy"
            raise ConfigError(f"{where} defines no severities")
        try:
            terms = Terms.model_validate(data)
        except ConfigError as exc:
            prefix: tuple[str | int, ...] = ("plans", name) if name else ()
            since = ""
            if created_at > datetime(1900, 1, 2, tzinfo=UTC):
                since = f" (terms in force from {created_at.date().isoformat()})"
            located = [(prefix + loc, msg + since) for loc, msg in exc.errors]
            lines = [f"invalid terms{since}: {len(located)} problem(s)"]
            lines += [
                f"  at {'.'.join(map(str, loc)) or '(top level)'}: {msg}" for loc, msg in located
            ]
            raise ConfigError("\n".join(lines), located) from exc
        cache[key] = terms
        return terms
