"""Support agreements as data: metrics, severity matrices, plan editions, rules, dates.

A :class:`Policy` validates from the agreement form of DESIGN.md (the same in Python,
TOML and JSON). Its *terms* — calendars, severity matrix, aliases, pause rules, stop
statuses, warning thresholds, severity-change strategy, entitlements, objectives — may be
refined by plan editions (``plans``, one may ``extends`` another and override only what
differs) and by dated ``versions`` (``effective_from``): a ticket is measured by the terms
in force when it was created. :meth:`Policy.terms_for` resolves them into a
:class:`Terms`; every plan × version is resolved once, at load, and shares its
:class:`~slaclock.Calendar` objects.

Policy-wide (not per plan): metric definitions (``metrics``), the status vocabulary
(``statuses``, ``unknown_status``) and the ordered plan ``rules``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final, Literal, final
from zoneinfo import ZoneInfo

from pydantic import Field, PrivateAttr, field_validator, model_validator

from ._model import FrozenModel
from .calendar import Calendar
from .durations import Duration
from .errors import ConfigError, TimelineError, UnknownPlanError, UnknownSeverityError
from .metrics import (
    BUILTIN_METRICS,
    CATEGORIES,
    Category,
    MetricDefinition,
    check_metric_graph,
    merge_definition,
    norm,
)
from .rules import CalendarRule, Rule, first_match

__all__ = [
    "CalendarRule",
    "ChangeStrategy",
    "Metric",
    "Objective",
    "Plan",
    "Policy",
    "SeverityTargets",
    "Target",
    "Terms",
    "Version",
]

Metric = str
"""A metric's name: a built-in (``first_response``…) or one the policy defines."""
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
    "objectives",
)
_FIRST: Final = datetime(1900, 1, 1, tzinfo=UTC)
# Reference week (regular hours) for comparing a business-day target with one in hours.
_PROBE_WEEK: Final = date(2026, 1, 12)


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
        a, b = self.internal, self.within
        if a is not None and a.is_business_days == b.is_business_days and b < a:
            raise ConfigError(
                f"internal target {str(a)!r} is looser than the public {str(b)!r}; "
                "an internal target must be tighter (or equal)"
            )
        return self


SeverityTargets = dict[str, Target]
"""The targets of one severity: metric name -> :class:`Target` (a metric left out is not
measured for that severity)."""


@final
class Objective(FrozenModel):
    """An attainment goal: ``{metric = "first_response", share = 0.9, within = "6h"}`` is
    "90 % of first responses within 6 business hours"; without ``within``, "90 % met
    their target". ``severities`` limits it to some severities (default: all)."""

    metric: str
    share: float = Field(gt=0, le=1, description="The share that must be hit, e.g. 0.9.")
    within: Duration | None = None
    severities: tuple[str, ...] = ()


def _targets_short_form(value: Any) -> Any:
    """Short targets (``"6h"``) as tables, so a plan that overrides only ``within`` keeps
    the inherited ``internal`` when the matrices are merged."""
    if isinstance(value, Mapping):
        return {
            sev: {m: ({"within": t} if isinstance(t, str) else t) for m, t in targets.items()}
            if isinstance(targets, Mapping)
            else targets
            for sev, targets in value.items()
        }
    return value


class _TermsFields(FrozenModel):
    """Fields shared by a policy, a plan and a version (all optional here)."""

    calendars: dict[str, Calendar] | None = None
    default_calendar: str | None = None
    severities: dict[str, dict[str, Target]] | None = None
    aliases: dict[str, str] | None = None
    pause: dict[str, tuple[str, ...]] | None = Field(
        None, description="Metric -> status categories or statuses that pause it (the "
        "version-1 form of metrics.<name>.pause). Default: resolution pauses in pending "
        "and on_hold."
    )  # fmt: skip
    stop_statuses: tuple[str, ...] | None = Field(
        None, description="Categories or statuses that solve the ticket (default solved, closed)."
    )
    warn_at: tuple[float, ...] | None = None
    severity_change: ChangeStrategy | None = None
    calendar_by: CalendarRule | None = None
    timezone_field: str | None = Field(
        None, description="Ticket field holding the customer's IANA zone; calendars with "
        "follow_customer_zone = true are read in that zone."
    )  # fmt: skip
    entitlements: dict[str, Any] | None = None
    objectives: tuple[Objective, ...] | None = None

    @field_validator("severities", mode="before")
    @classmethod
    def _short_targets(cls, value: Any) -> Any:
        return _targets_short_form(value)

    @field_validator("pause", mode="before")
    @classmethod
    def _pause_lists(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return {k: (v,) if isinstance(v, str) else v for k, v in value.items()}
        return value

    @field_validator("pause")
    @classmethod
    def _pause_norm(cls, value: dict[str, tuple[str, ...]] | None) -> Any:
        if value is None:
            return value
        return {k: tuple(norm(s) for s in v) for k, v in value.items()}

    @field_validator("stop_statuses")
    @classmethod
    def _stop_norm(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return None if value is None else tuple(norm(s) for s in value)

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
    """Terms in force from ``effective_from`` (tickets created at or after it). A date
    means midnight in the zone of the policy's default calendar; a datetime needs an
    offset."""

    effective_from: date | datetime

    @field_validator("effective_from")
    @classmethod
    def _aware(cls, value: date | datetime) -> date | datetime:
        if isinstance(value, datetime) and value.utcoffset() is None:
            raise ConfigError(
                f"effective_from {value.isoformat()!r} has no UTC offset; write a date "
                "(midnight in the default calendar's zone) or a time with an offset, e.g. "
                f"{value.isoformat()}+00:00"
            )
        return value


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
    severities: dict[str, dict[str, Target]]
    aliases: dict[str, str] = Field(default_factory=dict)
    pause: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    stop_statuses: tuple[str, ...] = ("solved", "closed")
    warn_at: tuple[float, ...] = ()
    severity_change: ChangeStrategy = "retroactive"
    calendar_by: CalendarRule | None = None
    timezone_field: str | None = None
    entitlements: dict[str, Any] = Field(default_factory=dict)
    objectives: tuple[Objective, ...] = ()
    _lowered: dict[str, str] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> Terms:
        problems = list(_term_problems(self))
        if problems:
            raise ConfigError("; ".join(msg for _, msg in problems), problems)
        low = self._lowered
        for k in self.severities:
            low[norm(k)] = k
        for k, v in self.aliases.items():
            low.setdefault(norm(k), v)
        return self

    def severity(self, name: str, *, where: str = "") -> str:
        """The canonical severity for ``name`` (aliases resolved; compared trimmed and
        case-insensitively)."""
        if name in self.severities:
            return name
        alias = self.aliases.get(name)
        if alias is not None:
            return alias
        found = self._lowered.get(norm(name))
        if found is not None:
            return found
        raise UnknownSeverityError.of(name, [*self.severities, *self.aliases], where=where)

    def target(self, severity: str, metric: str) -> Target | None:
        """The target of ``metric`` for a canonical ``severity`` (None: not measured)."""
        return self.severities[severity].get(metric)

    def calendar_name(self, target: Target, fields: Mapping[str, Any], *, ticket: str = "?") -> str:
        """The calendar a target runs on for a ticket with these fields."""
        if target.calendar is not None:
            return target.calendar
        if self.calendar_by is not None:
            return self.calendar_by.choose(fields, ticket=ticket)
        return self.default_calendar


def _term_problems(t: Terms) -> Iterator[tuple[tuple[str | int, ...], str]]:
    names = set(t.calendars)
    if t.default_calendar not in names:
        yield (("default_calendar",), f"default_calendar {t.default_calendar!r} is not one of "
               f"the calendars {sorted(names)}")  # fmt: skip
    seen: dict[str, str] = {}
    for sev in t.severities:
        other = seen.setdefault(norm(sev), sev)
        if other != sev:
            yield (("severities", sev), f"severities {other!r} and {sev!r} differ only in case; "
                   "severities compare case-insensitively, so keep one")  # fmt: skip
    for sev, targets in t.severities.items():
        for metric, target in targets.items():
            if target.calendar is not None and target.calendar not in names:
                msg = f"unknown calendar {target.calendar!r}; defined: {sorted(names)}"
                yield (("severities", sev, metric, "calendar"), msg)
            elif target.internal is not None and (
                target.internal.is_business_days != target.within.is_business_days
            ):
                cal = t.calendars.get(target.calendar or t.default_calendar)
                if cal is not None and _looser(cal, target.internal, target.within):
                    yield (("severities", sev, metric, "internal"),
                           f"internal target {str(target.internal)!r} is looser than the "
                           f"public {str(target.within)!r} on calendar "
                           f"{target.calendar or t.default_calendar!r}; an internal target "
                           "must be tighter (or equal)")  # fmt: skip
    for alias, sev in t.aliases.items():
        if sev not in t.severities:
            yield (("aliases", alias), f"alias {alias!r} points to unknown severity {sev!r}; "
                   f"defined: {sorted(t.severities)}")  # fmt: skip
    rule = t.calendar_by
    if rule is not None:
        for value, cal_name in rule.calendars.items():
            if cal_name not in names:
                yield (("calendar_by", "calendars", value),
                       f"maps {value!r} to unknown calendar {cal_name!r}; defined: "
                       f"{sorted(names)}")  # fmt: skip
        if rule.fallback is not None and rule.fallback not in names:
            yield (("calendar_by", "fallback"),
                   f"{rule.fallback!r} is not a calendar; defined: {sorted(names)}")  # fmt: skip


def _looser(cal: Calendar, internal: Duration, public: Duration) -> bool:
    """Does ``internal`` mean more business time than ``public`` on ``cal``, for a clock
    starting at any opening or mid-day of a reference week?"""
    tz = cal.tz
    for day in range(7):
        d = _PROBE_WEEK + timedelta(days=day)
        for hour in (0, 9, 13):
            start = cal.next_open(datetime.combine(d, time(hour), tzinfo=tz))
            a = cal.elapsed(start, cal.add(start, internal))
            b = cal.elapsed(start, cal.add(start, public))
            if a > b:
                return True
    return False


def _deep_merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _deep_merge(dict(out[key]), value)
        else:
            out[key] = value
    return out


def _terms_dump(model: _TermsFields) -> dict[str, Any]:
    """The terms a policy, plan or version sets (calendars kept as objects)."""
    raw = model.model_dump(
        exclude_unset=True, exclude_none=True, exclude={"calendars"}, by_alias=False
    )
    data = {k: v for k, v in raw.items() if k in _TERM_KEYS}
    if model.calendars is not None:
        data["calendars"] = dict(model.calendars)
    if "severities" in data:  # keep only what was written for each target
        data["severities"] = {
            sev: {
                m: tgt.model_dump(exclude_unset=True, exclude_none=True)
                for m, tgt in (model.severities or {})[sev].items()
            }
            for sev in data["severities"]
        }
    return data


def _merge_terms(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Merge terms: calendars replace by name (objects), everything else deep-merges."""
    cals = over.get("calendars")
    rest = {k: v for k, v in over.items() if k != "calendars"}
    out = _deep_merge(base, rest)
    if cals is not None:
        out["calendars"] = {**base.get("calendars", {}), **cals}
    return out


class Policy(_TermsFields):
    """A support agreement: metrics, terms, optional plan editions, rules and versions.

    ``Policy.model_validate(config)`` raises :class:`~slaclock.ConfigError` listing each
    problem with its location; every plan and version is resolved and checked at load.
    """

    name: str = ""
    plans: dict[str, Plan] = Field(default_factory=dict)
    default_plan: str | None = None
    versions: tuple[Version, ...] = ()
    metrics: dict[str, MetricDefinition] = Field(
        default_factory=dict,
        description="Metric definitions: new metrics, or built-ins overridden key by key.",
    )
    statuses: dict[str, Category] = Field(
        default_factory=dict,
        description="Custom status name -> category (new, open, pending, on_hold, solved, "
        "closed); compared case-insensitively.",
    )
    unknown_status: Category | None = Field(
        None, description="Category of statuses neither a category nor in 'statuses' "
        "(default: such a status is an error)."
    )  # fmt: skip
    rules: tuple[Rule, ...] = Field(
        (), description="Ordered plan rules; the first whose conditions hold chooses the plan."
    )

    _defs: dict[str, MetricDefinition] = PrivateAttr(default_factory=dict)
    _measured: tuple[str, ...] = PrivateAttr(())
    _zone: str = PrivateAttr("UTC")
    _status_map: dict[str, str] = PrivateAttr(default_factory=dict)
    _terms: dict[int, Terms] = PrivateAttr(default_factory=dict)  # by version signature
    _data: dict[int, dict[str, Any]] = PrivateAttr(default_factory=dict)
    _sigs: dict[tuple[str | None, datetime], int] = PrivateAttr(default_factory=dict)
    _sig_ids: dict[tuple[str | None, int, int], int] = PrivateAttr(default_factory=dict)
    _dates: dict[str | None, list[datetime]] = PrivateAttr(default_factory=dict)
    _keys: dict[str | None, list[tuple[datetime, int]]] = PrivateAttr(default_factory=dict)
    _cache: dict[str, Any] = PrivateAttr(default_factory=dict)  # the engine's compiled form

    def _repr_html_(self) -> str:
        """The matrix as one table per plan (what a notebook shows for an agreement)."""
        from ._html import policy_html

        return policy_html(self)

    def __eq__(self, other: object) -> bool:
        """Equal configurations (the load-time caches are not compared)."""
        if not isinstance(other, Policy):
            return NotImplemented
        return self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]

    @field_validator("statuses", mode="before")
    @classmethod
    def _status_values(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return {k: norm(v) if isinstance(v, str) else v for k, v in value.items()}
        return value

    # -- load-time resolution --------------------------------------------------------

    @model_validator(mode="after")
    def _resolve_all(self) -> Policy:
        if self.default_plan is not None and self.default_plan not in self.plans:
            raise UnknownPlanError.of(self.default_plan, list(self.plans), where="default_plan")
        for name, plan in self.plans.items():
            if plan.extends is not None and plan.extends not in self.plans:
                raise UnknownPlanError.of(plan.extends, list(self.plans), where=f"{name}.extends")
        for i, rule in enumerate(self.rules):
            if not self.plans:
                raise ConfigError("'rules' choose a plan, but the policy defines no 'plans'")
            if self._plan_key(rule.plan) is None:
                raise UnknownPlanError.of(rule.plan, list(self.plans), where=f"rules[{i}].plan")
        self._status_map = {norm(k): v for k, v in self.statuses.items()}
        for cat in CATEGORIES:
            self._status_map.setdefault(cat, cat)
        self._defs = self._definitions()
        self._zone = self._default_zone()
        self._check_cycles()
        editions: list[str | None] = [*self.plans] or [None]
        for plan_name in editions:
            for when in self._version_dates(plan_name):
                self.terms_for(plan_name, when)
        self._check_terms_metrics()
        return self

    def _definitions(self) -> dict[str, MetricDefinition]:
        defs: dict[str, MetricDefinition] = {}
        given = dict(self.metrics)
        for name, base in BUILTIN_METRICS.items():
            defs[name] = merge_definition(base, given.pop(name)) if name in given else base
        defs.update(given)
        try:
            check_metric_graph(defs)
        except ConfigError as exc:
            raise ConfigError(str(exc), [(("metrics",), str(exc))]) from None
        for name, d in defs.items():
            for trig in (*d.start, *d.stop):
                if trig.startswith("status:"):
                    self._check_status_name(trig[7:], ("metrics", name))
            for st in d.pause or ():
                self._check_status_name(st, ("metrics", name, "pause"))
        return defs

    def _check_status_name(self, name: str, where: tuple[str | int, ...]) -> None:
        if name in self._status_map or self.unknown_status is not None:
            return
        msg = (
            f"{name!r} is neither a status category ({', '.join(CATEGORIES)}) nor a status "
            "named in 'statuses'; add it to 'statuses' or set 'unknown_status'"
        )
        raise ConfigError(msg, [(where, msg)])

    def _default_zone(self) -> str:
        """The zone of the policy's default calendar (dates in effective_from mean
        midnight there)."""
        for source in (self, self.plans.get(self.default_plan or "")):
            if source is not None and source.calendars:
                name = source.default_calendar
                if name is None and len(source.calendars) == 1:
                    name = next(iter(source.calendars))
                cal = source.calendars.get(name or "")
                if cal is not None:
                    return cal.timezone
        return "UTC"

    def _check_terms_metrics(self) -> None:
        defs = self._defs
        measured: list[str] = []
        problems: list[tuple[tuple[str | int, ...], str]] = []
        explicit_pause = {n for n, d in self.metrics.items() if "pause" in d.model_fields_set}
        sources: list[tuple[tuple[str | int, ...], _TermsFields]] = [((), self)]
        sources += [(("versions", i), v) for i, v in enumerate(self.versions)]
        for pname, plan in self.plans.items():
            sources.append((("plans", pname), plan))
            sources += [(("plans", pname, "versions", i), v) for i, v in enumerate(plan.versions)]
        for loc, src in sources:
            for sev, targets in (src.severities or {}).items():
                for metric in targets:
                    if metric not in defs:
                        problems.append((
                            (*loc, "severities", sev, metric),
                            f"unknown metric {metric!r}; defined: {', '.join(defs)} (define "
                            f"new ones under metrics.{metric})",
                        ))  # fmt: skip
                    elif metric not in measured:
                        measured.append(metric)
            for metric, statuses in (src.pause or {}).items():
                if metric not in defs:
                    problems.append(((*loc, "pause", metric),
                                     f"unknown metric {metric!r} in pause; defined: "
                                     f"{', '.join(defs)}"))  # fmt: skip
                elif metric in explicit_pause:
                    problems.append(((*loc, "pause", metric),
                                     f"the pause of {metric!r} is given twice: in "
                                     f"pause.{metric} and in metrics.{metric}.pause; keep "
                                     "one"))  # fmt: skip
                for st in statuses:
                    try:
                        self._check_status_name(st, (*loc, "pause", metric))
                    except ConfigError as exc:
                        problems.extend(exc.errors)
            for i, obj in enumerate(src.objectives or ()):
                if obj.metric not in defs:
                    problems.append(((*loc, "objectives", i, "metric"),
                                     f"unknown metric {obj.metric!r}; defined: "
                                     f"{', '.join(defs)}"))  # fmt: skip
        if problems:
            lines = [f"invalid policy: {len(problems)} problem(s)"]
            lines += [f"  at {'.'.join(map(str, loc))}: {msg}" for loc, msg in problems]
            raise ConfigError("\n".join(lines), problems)
        # Replay what is measured, and what a measured metric waits for.
        need = set(measured)
        for name in list(need):
            after = defs[name].after
            while after is not None and after not in need:
                need.add(after)
                after = defs[after].after
        self._measured = tuple(n for n in defs if n in need)

    def _plan_key(self, plan: str) -> str | None:
        if plan in self.plans:
            return plan
        lowered = {norm(k): k for k in self.plans}
        return lowered.get(norm(plan))

    def _check_cycles(self) -> None:
        """Plans that extend each other in a cycle are an error (one pass over them)."""
        done: set[str] = set()
        for start in self.plans:
            path: list[str] = []
            on_path: set[str] = set()
            current: str | None = start
            while current is not None and current not in done:
                if current in on_path:
                    cycle = " -> ".join([*path[path.index(current) :], current])
                    raise ConfigError(
                        f"plans extend each other in a cycle: {cycle}",
                        [(("plans", current, "extends"), f"cycle {cycle}")],
                    )
                path.append(current)
                on_path.add(current)
                current = self.plans[current].extends
            done.update(path)

    def _effective(self, v: Version) -> datetime:
        when = v.effective_from
        if isinstance(when, datetime):
            return when
        return datetime.combine(when, time(0), tzinfo=ZoneInfo(self._zone))

    def _sorted_versions(self, plan: str | None) -> list[tuple[datetime, int]]:
        """``(effective instant, index)`` of the versions of the policy (plan None) or
        of one plan, in order; two with the same instant are an error."""
        found = self._keys.get(plan)
        if found is not None:
            return found
        versions = self.versions if plan is None else self.plans[plan].versions
        keyed = sorted((self._effective(v), i) for i, v in enumerate(versions))
        for (a, i), (b, j) in itertools.pairwise(keyed):
            if a == b:
                where = "versions" if plan is None else f"plans.{plan}.versions"
                msg = (
                    f"{where}[{i}] and {where}[{j}] take effect at the same instant "
                    f"({a.isoformat()}); give each version its own effective_from"
                )
                loc = (*(("plans", plan) if plan else ()), "versions", j, "effective_from")
                raise ConfigError(msg, [(loc, msg)])
        self._keys[plan] = keyed
        return keyed

    def _version_dates(self, plan: str | None) -> list[datetime]:
        """Every instant from which the terms of ``plan`` change (memoised: a plan without
        versions of its own shares its parent's list)."""
        memo = self._dates
        path: list[str] = []
        current = plan
        while current is not None and current not in memo:
            path.append(current)
            current = self.plans[current].extends
        if current is None and None not in memo:
            memo[None] = sorted({_FIRST, *(k for k, _ in self._sorted_versions(None))})
        dates = memo[current]
        for name in reversed(path):
            own = self._sorted_versions(name)
            if own:
                dates = sorted({*dates, *(k for k, _ in own)})
            memo[name] = dates
        return memo[plan]

    # -- queries ---------------------------------------------------------------------

    @property
    def plan_names(self) -> tuple[str, ...]:
        return tuple(self.plans)

    @property
    def metric_names(self) -> tuple[str, ...]:
        """Every metric the policy knows (built-ins first, then its own), in report order."""
        return tuple(self._defs)

    @property
    def measured_metrics(self) -> tuple[str, ...]:
        """The metrics some severity has a target for (and those they wait for)."""
        return self._measured

    def metric(self, name: str) -> MetricDefinition:
        """The definition of metric ``name`` (built-in or the policy's own)."""
        try:
            return self._defs[name]
        except KeyError:
            raise ConfigError(
                f"unknown metric {name!r}; defined: {', '.join(self._defs)}"
            ) from None

    def category(self, status: str, *, ticket: str = "?") -> str:
        """The category of a status name (case-insensitive); a ``TimelineError`` naming
        the status, the ticket and the categories when it is unknown."""
        key = norm(status)
        found = self._status_map.get(key)
        if found is not None:
            return found
        if self.unknown_status is not None:
            return self.unknown_status
        raise TimelineError(
            f"ticket {ticket!r}: unknown status {status!r}; it is not a category "
            f"({', '.join(CATEGORIES)}) and the policy's 'statuses' does not map it "
            f"(mapped: {sorted(self.statuses) or 'none'}); add it to 'statuses' or set "
            "'unknown_status'"
        )

    def resolve_plan(self, plan: str | None, *, where: str = "") -> str | None:
        """The plan edition to use for a ticket's explicit ``plan`` (None: the default)."""
        if not self.plans:
            return None
        if plan is None:
            if self.default_plan is None:
                raise UnknownPlanError(
                    f"ticket has no plan{f' ({where})' if where else ''}, no rule matched and "
                    f"the policy has no default_plan; plans: {', '.join(map(repr, self.plans))}"
                )
            return self.default_plan
        found = self._plan_key(plan)
        if found is None:
            raise UnknownPlanError.of(plan, list(self.plans), where=where)
        return found

    def plan_for(
        self, fields: Mapping[str, Any], explicit: str | None = None, *, where: str = ""
    ) -> tuple[str | None, str | None]:
        """``(plan, rule)`` for a ticket: its explicit plan wins, else the first rule that
        matches its fields (``rule`` is its name, or ``"rules[i]"``), else
        ``default_plan`` (``rule`` None)."""
        if explicit is not None or not self.rules:
            return self.resolve_plan(explicit, where=where), None
        i = first_match(self.rules, fields)
        if i is None:
            return self.resolve_plan(None, where=where), None
        rule = self.rules[i]
        return self.resolve_plan(rule.plan), rule.name or f"rules[{i}]"

    @property
    def status_map(self) -> dict[str, str]:
        """Status name (trimmed, lower case) -> category, the categories included."""
        return self._status_map

    @property
    def has_versions(self) -> bool:
        """Whether any terms depend on the creation date (dated versions)."""
        return bool(self.versions) or any(p.versions for p in self.plans.values())

    @property
    def engine_cache(self) -> dict[str, Any]:
        """Where the engine keeps what it compiles from this policy (private use)."""
        return self._cache

    def all_terms(self) -> tuple[Terms, ...]:
        """Every resolved plan × version (each once)."""
        return tuple({id(t): t for t in self._terms.values()}.values())

    @property
    def rule_fields(self) -> frozenset[str]:
        """The ticket fields the rules read."""
        return frozenset(f for r in self.rules for f in r.when)

    def terms_for(self, plan: str | None, created_at: datetime) -> Terms:
        """The terms a ticket of ``plan`` created at ``created_at`` is measured by."""
        name = self.resolve_plan(plan)
        sig = self._signature(name, created_at)
        found = self._terms.get(sig)
        if found is not None:
            return found
        terms = self._validate_terms(name, dict(self._data[sig]), created_at)
        self._terms[sig] = terms
        return terms

    def _in_force(self, plan: str | None, when: datetime) -> int:
        keyed = self._sorted_versions(plan)
        n = 0
        for k, _ in keyed:
            if k > when:
                break
            n += 1
        return n

    def _signature(self, plan: str | None, when: datetime) -> int:
        """A number for the terms of ``plan`` in force at ``when``: equal numbers, equal
        terms. Builds (and memoises) the merged terms data of the plan and its ancestors
        along the way, iteratively, so an ``extends`` chain resolves in linear time."""
        sigs = self._sigs
        path: list[str | None] = []
        current: str | None = plan
        while (current, when) not in sigs:
            path.append(current)
            if current is None:
                break
            current = self.plans[current].extends
        for name in reversed(path):
            own = self._in_force(name, when)
            if name is None:
                parent = -1
            else:
                up = self.plans[name].extends
                parent = sigs[(up, when)]
            sig = self._data_sig(name, parent, own)
            sigs[(name, when)] = sig
        return sigs[(plan, when)]

    def _data_sig(self, name: str | None, parent: int, own: int) -> int:
        """The signature of the terms of ``name`` over its parent's (``parent``) with its
        first ``own`` versions, building their merged data from the one with one version
        fewer (so versions resolve in linear time too)."""
        ids = self._sig_ids
        key = (name, parent, own)
        sig = ids.get(key)
        if sig is not None:
            return sig
        k = own
        while k > 0 and (name, parent, k - 1) not in ids:
            k -= 1
        if k == 0 and (name, parent, 0) not in ids:
            source: _TermsFields = self if name is None else self.plans[name]
            data = _terms_dump(source)
            if name is not None:
                data = _merge_terms(self._data[parent], data)
            ids[(name, parent, 0)] = len(ids)
            self._data[ids[(name, parent, 0)]] = data
            k = 1
        versions = self._sorted_versions(name)
        all_versions = self.versions if name is None else self.plans[name].versions
        for j in range(k, own + 1):
            before = self._data[ids[(name, parent, j - 1)]]
            data = _merge_terms(before, _terms_dump(all_versions[versions[j - 1][1]]))
            ids[(name, parent, j)] = len(ids)
            self._data[ids[(name, parent, j)]] = data
        return ids[key]

    def _validate_terms(
        self, name: str | None, data: dict[str, Any], created_at: datetime
    ) -> Terms:
        data["plan"] = name
        where = f"plan {name!r}" if name else "the policy"
        if "default_calendar" not in data:
            cals = data.get("calendars") or {}
            if len(cals) == 1:
                data["default_calendar"] = next(iter(cals))
            else:
                raise ConfigError(
                    f"{where} needs 'default_calendar' (calendars: {sorted(cals) or 'none'})"
                    if cals
                    else f"{where} defines no calendars; add e.g. calendars.business = "
                    '{preset = "8x5", timezone = "America/New_York"}'
                )
        if "severities" not in data:
            raise ConfigError(f"{where} defines no severities")
        try:
            return Terms.model_validate(data)
        except ConfigError as exc:
            prefix: tuple[str | int, ...] = ("plans", name) if name else ()
            since = ""
            if created_at > _FIRST + timedelta(days=1):
                since = f" (terms in force from {created_at.date().isoformat()})"
            located = [(prefix + loc, msg + since) for loc, msg in exc.errors]
            lines = [f"invalid terms{since}: {len(located)} problem(s)"]
            lines += [
                f"  at {'.'.join(map(str, loc)) or '(top level)'}: {msg}" for loc, msg in located
            ]
            raise ConfigError("\n".join(lines), located) from exc
