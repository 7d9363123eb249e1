"""Monthly SLA statements for customers: the figures of one customer's month, and the
self-contained HTML page that a support manager sends as it is.

A :class:`Statement` is built from a :class:`~slaclock.report.Report` (so every figure on
the page is one of the report's figures) with :func:`build` or
:meth:`Report.statement <slaclock.report.Report.statement>`, and rendered by
:meth:`Statement.html`: one HTML file with inline CSS and SVG charts (no scripts, no
network, no external assets) that prints cleanly to PDF. It shows the agreement and
edition in force, attainment per metric and severity, the objectives, a daily or weekly
chart, every breach with its lateness and one line of ``explain()``, and the month-over-
month trend, with every time in the customer's zone (stated on the page). Private
(internal) targets stay off the page unless ``internal=True``.

Which tickets: those whose field ``by`` (default ``customer``) equals the customer and
that were *created* in the month, in the statement's zone (as the report buckets them).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol, final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .durations import Duration
from .errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    from .policy import Policy, Terms
    from .report import AttainmentRow, Breach, ObjectiveRow, Report
    from .results import ExplainLine, TicketSla

__all__ = [
    "BreachLine",
    "Edition",
    "Notes",
    "ObjectiveLike",
    "ObjectiveResult",
    "ObjectiveSpec",
    "Statement",
    "TargetLine",
    "build",
    "customers",
    "parse_objective",
    "resolve_zone",
    "safe_filename",
]

Granularity = Literal["auto", "day", "week"]
_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
_LATEST: Final = datetime(2199, 1, 1, tzinfo=UTC)


# -- zones ------------------------------------------------------------------------------


def resolve_zone(tz: str | tzinfo | None, policy: Policy | None) -> tuple[tzinfo, str, str]:
    """The zone for buckets and times: ``tz`` if given, else the zone of the policy's
    default calendar, else UTC. Returns ``(zone, name, source)`` with ``source`` one of
    ``"tz"``, ``"policy"``, ``"default"``."""
    if tz is not None:
        if isinstance(tz, str):
            try:
                return ZoneInfo(tz), tz, "tz"
            except (ZoneInfoNotFoundError, ValueError):
                raise ConfigError(
                    f"unknown time zone {tz!r}; use an IANA name such as 'America/New_York' "
                    "or 'UTC'"
                ) from None
        return tz, str(tz), "tz"
    if policy is not None:
        name = policy_zone(policy)
        return ZoneInfo(name), name, "policy"
    return UTC, "UTC", "default"


def policy_zone(policy: Policy) -> str:
    """The IANA zone of the policy's default calendar (of its default plan, as in force
    for tickets created from now on)."""
    plan = policy.default_plan or (next(iter(policy.plans)) if policy.plans else None)
    terms = policy.terms_for(plan, _LATEST)
    return terms.calendars[terms.default_calendar].timezone


# -- what a statement needs beyond the flat rows ---------------------------------------


class Notes:
    """Kept by :meth:`Report.from_results <slaclock.report.Report.from_results>` for
    statements: one line of ``explain()`` per breached clock (the span in which its
    deadline fell), the plan-selecting rule per ticket when the results carry one, and
    the latest evaluation instant."""

    __slots__ = ("lines", "now", "rules")

    def __init__(self) -> None:
        self.lines: dict[tuple[str, str, int], ExplainLine] = {}
        self.rules: dict[str, str] = {}
        self.now: datetime | None = None

    def add(self, sla: TicketSla) -> None:
        """Note what a statement needs from one ticket's results."""
        if self.now is None or sla.now > self.now:
            self.now = sla.now
        rule = getattr(sla, "rule", None)
        if rule is not None:
            self.rules[sla.ticket_id] = str(rule)
        if not sla.breached:
            return
        lines = list(sla.explain())
        for m in sla.metrics:
            if m.status != "breached":
                continue
            own = [ln for ln in lines if ln.metric == m.name and ln.cycle == m.cycle]
            line = _deadline_line(own, m.deadline)
            if line is not None:
                self.lines[(sla.ticket_id, m.name, m.cycle)] = line


def _deadline_line(lines: Sequence[ExplainLine], deadline: datetime | None) -> ExplainLine | None:
    """The counted span in which the clock reached its target (``start < deadline <=
    end``), else the last span."""
    if deadline is not None:
        for ln in lines:
            if ln.counted and ln.start < deadline and (ln.end is None or deadline <= ln.end):
                return ln
    return lines[-1] if lines else None


# -- objectives -------------------------------------------------------------------------


class ObjectiveLike(Protocol):
    """An objective such as "90 % of first responses within 6h": the policy's
    ``Objective`` or an :class:`ObjectiveSpec`. ``within`` None means "met its own
    target"; empty ``severities`` means every severity."""

    @property
    def metric(self) -> str: ...
    @property
    def share(self) -> float: ...
    @property
    def within(self) -> Duration | None: ...
    @property
    def severities(self) -> tuple[str, ...]: ...


@final
@dataclass(frozen=True, slots=True)
class ObjectiveSpec:
    """An objective given outside the policy (``--objective metric:share[:within]``)."""

    metric: str
    share: float
    within: Duration | None = None
    severities: tuple[str, ...] = ()


def parse_objective(text: str) -> ObjectiveSpec:
    """``"first_response:0.9:6h"`` -> an objective (``within`` optional)."""
    metric, _, rest = text.partition(":")
    share_text, _, within = rest.partition(":")
    try:
        share = float(share_text)
    except ValueError:
        raise ConfigError(
            f"objective {text!r} must look like metric:share[:within], e.g. first_response:0.9:6h"
        ) from None
    if not metric or not 0 < share <= 1:
        raise ConfigError(
            f"objective {text!r} needs a metric and a share in (0, 1], e.g. first_response:0.9"
        )
    return ObjectiveSpec(metric, share, Duration.parse(within) if within else None)


# -- the model --------------------------------------------------------------------------


@final
@dataclass(frozen=True, slots=True)
class TargetLine:
    """One target of the edition's matrix, as the customer reads it."""

    severity: str
    metric: str
    target: str
    calendar: str
    internal: str | None


@final
@dataclass(frozen=True, slots=True)
class Edition:
    """The agreement in force: its name, the plans the month's tickets were on (most
    common first, with their ticket counts), and the main plan's terms."""

    agreement: str
    plans: tuple[tuple[str, int], ...]
    plan: str | None
    entitlements: tuple[tuple[str, Any], ...]
    targets: tuple[TargetLine, ...]
    calendars: tuple[tuple[str, str], ...]
    rules: tuple[str, ...] = ()


@final
@dataclass(frozen=True, slots=True)
class ObjectiveResult:
    """An objective checked on the month: per severity in its scope, and over all of
    them (``total``, the verdict)."""

    metric: str
    share: float
    within: Duration | None
    severities: tuple[str, ...]
    rows: tuple[ObjectiveRow, ...]
    total: ObjectiveRow | None

    @property
    def goal(self) -> str:
        """``"90% within 6h"`` or ``"90% met"``."""
        return f"{self.share:.0%} " + (
            f"within {self.within}" if self.within is not None else "met"
        )


@final
@dataclass(frozen=True, slots=True)
class BreachLine:
    """A breached clock and the one ``explain()`` line of the span where its deadline
    fell (``None`` when the report was not built from evaluations)."""

    breach: Breach
    explanation: ExplainLine | None


@final
@dataclass(frozen=True, slots=True)
class Statement:
    """One customer's month. Tables are the :class:`~slaclock.report.Report`'s rows."""

    customer: str
    by: str
    month: str
    timezone: str
    zone: tzinfo = field(repr=False)
    now: datetime | None
    internal: bool
    edition: Edition | None
    tickets: int
    metrics: tuple[str, ...]
    severities: tuple[str, ...]
    attainment: tuple[AttainmentRow, ...]
    totals: tuple[AttainmentRow, ...]
    objectives: tuple[ObjectiveResult, ...]
    granularity: Literal["day", "week"]
    periods: tuple[str, ...]
    by_period: tuple[AttainmentRow, ...]
    trend_months: tuple[str, ...]
    trend: tuple[AttainmentRow, ...]
    breaches: tuple[BreachLine, ...]

    @property
    def title(self) -> str:
        return f"Service level statement: {self.customer} — {_month_name(self.month)}"

    def html(self) -> str:
        """The statement as one self-contained HTML page."""
        from ._statement_html import render

        return render(self)

    def _repr_html_(self) -> str:
        return self.html()

    def write(self, path: str | Path) -> Path:
        """Write :meth:`html` to ``path`` (UTF-8); returns the path."""
        p = Path(path)
        p.write_text(self.html(), encoding="utf-8")
        return p


# -- building ---------------------------------------------------------------------------


def _parse_month(month: str) -> tuple[int, int]:
    m = _MONTH.fullmatch(month)
    if not m:
        raise ConfigError(f"month {month!r} must be written YYYY-MM, e.g. 2026-11")
    return int(m.group(1)), int(m.group(2))


def _month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _months_back(month: str, n: int) -> tuple[str, ...]:
    year, mon = _parse_month(month)
    out = []
    for k in range(n - 1, -1, -1):
        idx = year * 12 + (mon - 1) - k
        out.append(_month_key(idx // 12, idx % 12 + 1))
    return tuple(out)


def _month_name(month: str) -> str:
    year, mon = _parse_month(month)
    return f"{date(year, mon, 1):%B} {year}"


def _created(row: Mapping[str, Any]) -> datetime | None:
    v = row.get("created_at")
    if v is None or v == "":
        return None
    if isinstance(v, datetime):
        return v
    return datetime.fromisoformat(str(v))


def _field(row: Mapping[str, Any], by: str) -> Any:
    if f"field.{by}" in row:
        return row[f"field.{by}"]
    return row.get(by)


def customers(
    report: Report, month: str, *, by: str = "customer", tz: str | tzinfo | None = None
) -> list[str]:
    """The customers (values of ``by``) with tickets created in ``month`` (in ``tz``,
    default the report's zone), sorted; tickets without a value are left out."""
    _parse_month(month)
    zone = report.tz if tz is None else resolve_zone(tz, None)[0]
    found = set()
    for row in report.rows:
        created, value = _created(row), _field(row, by)
        if value not in (None, "") and created is not None:
            found.update([str(value)] if f"{created.astimezone(zone):%Y-%m}" == month else [])
    return sorted(found)


def build(
    report: Report,
    *,
    customer: str,
    month: str,
    by: str = "customer",
    tz: str | tzinfo | None = None,
    objectives: Iterable[ObjectiveLike] | None = None,
    internal: bool = False,
    now: datetime | None = None,
    granularity: Granularity = "auto",
    trend_months: int = 6,
) -> Statement:
    """The statement of ``customer`` for ``month`` (``"YYYY-MM"``) from ``report``.

    ``tz`` defaults to the report's zone (its policy's default calendar zone, else UTC);
    ``objectives`` to the policy's (none: attainment alone); ``now`` (the instant the
    figures are as of, stated on the page) to the latest evaluation instant the report
    noted. ``granularity`` ``"auto"`` charts days when the month has at least three
    decided clocks per day, else weeks.
    """
    from .report import Report

    policy = report.policy
    if tz is None:
        zone, zone_name = report.tz, report.tz_name
    else:
        zone, zone_name, _ = resolve_zone(tz, policy)
    _parse_month(month)
    if granularity not in ("auto", "day", "week"):
        raise ConfigError(f"granularity {granularity!r} must be 'auto', 'day' or 'week'")
    if not 1 <= trend_months <= 36:
        raise ConfigError(f"trend_months {trend_months!r} must be between 1 and 36, e.g. 6")
    if not any(f"field.{by}" in r or by in r for r in report.rows):
        names = sorted({k.removeprefix("field.") for r in report.rows for k in r})
        raise ConfigError(
            f"no ticket has a field {by!r} to choose the customer by; fields: {names}"
        )

    months = _months_back(month, trend_months)
    own: list[Mapping[str, Any]] = []  # the customer's rows of the trend's months
    rows: list[Mapping[str, Any]] = []  # ... of the statement's month
    active: set[str] = set()  # months of own with tickets
    seen_customer = False
    for row in report.rows:
        value = _field(row, by)
        if value is None or str(value) != customer:
            continue
        seen_customer = True
        created = _created(row)
        if created is None:
            raise ConfigError(
                "a statement needs created_at in the rows: build the report with "
                "Report.from_results, or from results written with created_at"
            )
        key = f"{created.astimezone(zone):%Y-%m}"
        if key in months:
            own.append(row)
            active.add(key)
            if key == month:
                rows.append(row)
    if not seen_customer:
        known = sorted({str(v) for r in report.rows if (v := _field(r, by)) not in (None, "")})
        shown = ", ".join(map(repr, known[:20])) + (" …" if len(known) > 20 else "")
        raise ConfigError(f"no ticket has {by} = {customer!r}; known: {shown or 'none'}")

    # The trend starts at the customer's first month with tickets (within trend_months).
    months = months[next((i for i, m in enumerate(months) if m in active), len(months) - 1) :]
    month_report = Report(rows, tz=zone, policy=policy)
    trend_report = Report(own, tz=zone, policy=policy)

    metrics = _metric_order(policy, dict.fromkeys(str(r.get("metric")) for r in own))
    severities = _severity_order(policy, {str(r.get("severity")) for r in rows})

    chosen = list(_policy_objectives(policy, month) if objectives is None else objectives)
    results = tuple(_objective(o, rows, zone, policy) for o in chosen)

    totals = tuple(month_report.attainment())
    decided = sum(r.met + r.breached for r in totals)
    days = _days(month)
    if granularity == "auto":
        granularity = "day" if decided >= 3 * len(days) else "week"
    if granularity == "day":
        periods = tuple(d.isoformat() for d in days)
    else:
        periods = tuple(dict.fromkeys("{}-W{:02d}".format(*d.isocalendar()[:2]) for d in days))

    notes: Notes | None = getattr(report, "_notes", None)
    breach_lines = tuple(
        BreachLine(b, None if notes is None else notes.lines.get((b.ticket_id, b.metric, b.cycle)))
        for b in month_report.breaches()
    )
    if now is None and notes is not None:
        now = notes.now
    if now is not None:
        now = now.astimezone(zone)
    rules = (
        ()
        if notes is None
        else tuple(sorted({notes.rules[t] for t in _ids(rows) if t in notes.rules}))
    )
    return Statement(
        customer=customer,
        by=by,
        month=month,
        timezone=zone_name,
        zone=zone,
        now=now,
        internal=internal,
        edition=None if policy is None else _edition(policy, rows, month, zone, rules),
        tickets=len(_ids(rows)),
        metrics=metrics,
        severities=severities,
        attainment=tuple(month_report.attainment(by=["severity"])),
        totals=totals,
        objectives=results,
        granularity=granularity,
        periods=periods,
        by_period=tuple(month_report.attainment(by=[granularity])),
        trend_months=months,
        trend=tuple(trend_report.attainment(by=["month"])),
        breaches=breach_lines,
    )


def _ids(rows: Iterable[Mapping[str, Any]]) -> dict[str, None]:
    return dict.fromkeys(str(r.get("ticket_id")) for r in rows)


def _days(month: str) -> list[date]:
    year, mon = _parse_month(month)
    d = date(year, mon, 1)
    out = []
    while d.month == mon:
        out.append(d)
        d += timedelta(days=1)
    return out


def _metric_order(policy: Policy | None, present: Mapping[str, None]) -> tuple[str, ...]:
    """The metrics present, in the order the agreement's matrix names them (the same
    order, and so the same colour, in every table and chart), others after them."""
    order: list[str] = []
    if policy is not None:
        plans: list[str | None] = [*policy.plans] or [None]
        for plan in plans:
            for targets in policy.terms_for(plan, _LATEST).severities.values():
                order += [m for m, _ in _targets_of(targets) if m not in order]
    known = [m for m in order if m in present]
    return tuple(known + [m for m in present if m not in known])


def _severity_order(policy: Policy | None, present: set[str]) -> tuple[str, ...]:
    order: list[str] = []
    if policy is not None:
        plans: list[str | None] = [*policy.plans] or [None]
        for plan in plans:
            order += [s for s in policy.terms_for(plan, _LATEST).severities if s not in order]
    known = [s for s in order if s in present]
    return tuple(known + sorted(present - set(known)))


def _objective(
    o: ObjectiveLike, rows: Sequence[Mapping[str, Any]], zone: tzinfo, policy: Policy | None
) -> ObjectiveResult:
    from .report import Report

    scope = {s.lower() for s in o.severities}
    chosen = [
        r
        for r in rows
        if r.get("metric") == o.metric and (not scope or str(r.get("severity")).lower() in scope)
    ]
    sub = Report(chosen, tz=zone, policy=policy)
    within = o.within
    per = tuple(sub.objective(o.metric, o.share, within=within, by=["severity"]))
    total = tuple(sub.objective(o.metric, o.share, within=within))
    return ObjectiveResult(
        metric=o.metric,
        share=o.share,
        within=within,
        severities=tuple(o.severities),
        rows=per,
        total=total[0] if total else None,
    )


def _targets_of(severity_targets: Any) -> list[tuple[str, Any]]:
    """``(metric, Target)`` pairs of one severity, whatever the matrix's shape (a model
    with a field per metric, or a mapping of user-defined metric names)."""
    if isinstance(severity_targets, Mapping):
        return [(str(k), v) for k, v in severity_targets.items() if v is not None]
    names = getattr(type(severity_targets), "model_fields", {})
    return [(n, getattr(severity_targets, n)) for n in names if getattr(severity_targets, n)]


def _edition(
    policy: Policy,
    rows: Sequence[Mapping[str, Any]],
    month: str,
    zone: tzinfo,
    rules: tuple[str, ...],
) -> Edition:
    per_plan: Counter[str] = Counter()
    latest: dict[str, datetime] = {}
    for row in {str(r.get("ticket_id")): r for r in rows}.values():  # one row per ticket
        plan = row.get("plan")
        if plan not in (None, ""):
            per_plan[str(plan)] += 1
            created = _created(row)
            if created is not None:
                latest[str(plan)] = max(latest.get(str(plan), created), created)
    plans = tuple(sorted(per_plan.items(), key=lambda kv: (-kv[1], kv[0])))
    main = plans[0][0] if plans else (policy.default_plan if policy.plans else None)
    year, mon = _parse_month(month)
    when = latest.get(main or "", datetime(year, mon, 1, tzinfo=zone))
    terms: Terms = policy.terms_for(main, when)
    targets = []
    for sev, st in terms.severities.items():
        for metric, target in _targets_of(st):
            cal = target.calendar or terms.default_calendar
            internal = getattr(target, "internal", None)
            targets.append(
                TargetLine(
                    sev,
                    metric,
                    str(target.within),
                    cal,
                    None if internal is None else str(internal),
                )
            )
    calendars = tuple(
        (name, _describe_calendar(cal))
        for name, cal in terms.calendars.items()
        if any(t.calendar == name for t in targets)
    )
    return Edition(
        agreement=policy.name,
        plans=plans,
        plan=main,
        entitlements=tuple(terms.entitlements.items()),
        targets=tuple(targets),
        calendars=calendars,
        rules=rules,
    )


def _describe_calendar(cal: Any) -> str:
    """``"Mon–Fri 09:00-17:00 (America/New_York, 1 holiday rule)"``: a calendar's weekly
    hours in one line (from ``describe()``)."""
    week = cal.describe()
    spans: dict[tuple[str, ...], list[str]] = {}
    for day, hours in week.days.items():
        if hours:
            spans.setdefault(tuple(hours), []).append(day)
    if not spans:
        text = "never open"
    elif (
        len(spans) == 1
        and len(next(iter(spans.values()))) == 7
        and next(iter(spans)) == ("00:00-24:00",)
    ):
        text = "around the clock"
    else:
        text = "; ".join(f"{_day_range(days)} {', '.join(h)}" for h, days in spans.items())
    holidays = len(getattr(cal, "holidays", ()) or ())
    extra = f", {holidays} holiday rule{'s' if holidays != 1 else ''}" if holidays else ""
    return f"{text} ({cal.timezone}{extra})"


_DAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _day_range(days: list[str]) -> str:
    idx = [_DAYS.index(d) for d in days]
    if idx == list(range(idx[0], idx[0] + len(idx))) and len(idx) > 2:
        return f"{days[0].capitalize()}–{days[-1].capitalize()}"
    return ", ".join(d.capitalize() for d in days)


def safe_filename(customer: str, month: str) -> str:
    """A file name for a customer's statement that cannot leave its folder:
    ``"acme-2026-11.html"``; other characters become ``_`` and a short hash keeps two
    customers whose names differ only there apart."""
    import hashlib

    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", customer).strip("._-")[:60] or "customer"
    if slug != customer:
        slug += "-" + hashlib.sha1(customer.encode("utf-8")).hexdigest()[:6]
    return f"{slug}-{month}.html"


def _policy_objectives(policy: Any, month: str) -> tuple[Any, ...]:
    """The objectives of the agreement's terms in force in ``month`` (the default plan's
    when it has plans), or ()."""
    if policy is None:
        return ()
    terms_for = getattr(policy, "terms_for", None)
    if terms_for is None:
        return tuple(getattr(policy, "objectives", None) or ())
    year, mon = (int(x) for x in month.split("-"))
    start = datetime(year, mon, 1, tzinfo=UTC)
    plans = getattr(policy, "plans", {}) or {}
    plan = getattr(policy, "default_plan", None) or (next(iter(plans)) if plans else None)
    return tuple(terms_for(plan, start).objectives)
