"""Check a helpdesk's own SLA figures against slaclock's.

:func:`audit` evaluates tickets read from a helpdesk export and compares every cycle,
keyed by ticket, metric and cycle number, with the cycle the helpdesk recorded
(:func:`slaclock.adapters.read_recorded`): breached or not, the breach instant, the
deadline, the instant it was fulfilled (stopped), the business time counted and the
target, where the helpdesk recorded them. Every cycle gets a verdict:

- ``agree``: every value both sides have is equal (within ``tolerance``);
- ``disagree``: some value differs; :attr:`AuditRow.differences` lists both values;
- ``only_theirs`` / ``only_ours``: the cycle exists on one side only.

A row that does not agree carries slaclock's :meth:`~slaclock.TicketSla.explain` lines
of its figure and, where the difference has a known cause (the helpdesk counted
calendar hours, paused where slaclock does not, starts a new cycle on reopen, applied
another target, read the times in another zone…; see :data:`CAUSES`), a ``cause`` and a
``hint`` saying how to configure slaclock to count the same way.

The audit is taken **as of** one instant (``now``): what the helpdesk recorded after it
(a breach, a stop) is a projection and counts as not having happened yet. The business
time of a cycle still running depends on when it was read, so it is compared only once
both sides have stopped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from html import escape
from typing import TYPE_CHECKING, Any, Final, Literal, final

from ._format import escape_control, fmt, fmt_duration
from ._hints import CAUSES as _CAUSES
from ._hints import Case, Hints, History
from .adapters import RecordedCycle
from .engine import evaluate
from .errors import ConfigError
from .policy import Policy
from .report import Table
from .results import ExplainLine, MetricResult, TicketSla
from .ticket import Ticket

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "CAUSES",
    "FIELDS",
    "HELPDESKS",
    "VERDICTS",
    "AuditReport",
    "AuditRow",
    "Auditor",
    "Difference",
    "MetricCounts",
    "Verdict",
    "audit",
]

Verdict = Literal["agree", "disagree", "only_theirs", "only_ours"]
VERDICTS: Final[tuple[Verdict, ...]] = ("agree", "disagree", "only_theirs", "only_ours")

FIELDS: Final = ("breached", "breached_at", "deadline", "stopped_at", "business_elapsed", "target")
"""The values compared, in this order."""

HELPDESKS: Final[Mapping[str, str]] = {
    "zendesk": "Zendesk",
    "zendesk-warehouse": "Zendesk",
    "jira": "JSM",
    "servicenow": "ServiceNow",
    "freshdesk": "Freshdesk",
}
"""Helpdesk (``--from``) names -> how the audit names them."""

_ZERO: Final = timedelta(0)


# -- rows --------------------------------------------------------------------------------


@final
@dataclass(frozen=True, slots=True)
class Difference:
    """One value on which the helpdesk (``theirs``) and slaclock (``ours``) disagree;
    ``None`` is "none" (not breached, not stopped)."""

    field: str
    theirs: Any
    ours: Any


@final
@dataclass(frozen=True, slots=True)
class AuditRow:
    """One cycle (``ticket_id``, ``metric``, ``cycle``) as both sides see it.

    ``theirs`` is the helpdesk's record, ``ours`` slaclock's result (``None`` on the side
    that has no such cycle). ``differences`` lists the values that differ; ``cause`` (a
    short code, see :data:`CAUSES`) and ``hint`` say why when the audit recognises a
    definitional difference; ``explain`` is slaclock's account of its figure (the
    :meth:`~slaclock.TicketSla.explain` lines of this cycle) for every row that does not
    agree."""

    ticket_id: str
    metric: str
    cycle: int
    verdict: Verdict
    differences: tuple[Difference, ...] = ()
    theirs: RecordedCycle | None = None
    ours: MetricResult | None = None
    cause: str | None = None
    hint: str | None = None
    explain: tuple[ExplainLine, ...] = ()

    @property
    def label(self) -> str:
        """``"101 next_reply #1"``."""
        return f"{self.ticket_id} {self.metric} #{self.cycle}"

    def record(self) -> dict[str, Any]:
        """A flat dict: the key, the verdict, the fields that differ, both sides' values
        (``theirs_<field>``, ``ours_<field>``), the cause, the hint and the explanation as
        text (one line per span)."""
        theirs, ours = _values(self.theirs), _our_values(self.ours)
        out: dict[str, Any] = {
            "ticket_id": self.ticket_id, "metric": self.metric, "cycle": self.cycle,
            "verdict": self.verdict, "differs": ";".join(d.field for d in self.differences),
        }  # fmt: skip
        for name in FIELDS:
            out[f"theirs_{name}"] = theirs.get(name)
            out[f"ours_{name}"] = ours.get(name)
        out["status"] = None if self.ours is None else self.ours.status
        out["cause"] = self.cause
        out["hint"] = self.hint
        out["source"] = None if self.theirs is None else self.theirs.source
        out["explain"] = "\n".join(_explain_line(ln) for ln in self.explain)
        return out


@final
@dataclass(frozen=True, slots=True)
class MetricCounts:
    """How the cycles of one metric came out: ``compared`` cycles exist on both sides
    (``agree`` + ``disagree``); ``only_theirs`` / ``only_ours`` on one side only."""

    metric: str
    compared: int = 0
    agree: int = 0
    disagree: int = 0
    only_theirs: int = 0
    only_ours: int = 0


CAUSES: Final = _CAUSES
"""The causes the audit recognises (a row's ``cause``), and what each means."""


# -- the audit report ------------------------------------------------------------------


@final
class AuditReport:
    """Every compared cycle (:attr:`rows`), the counts per metric (:attr:`counts`), and
    the instant and tolerance of the audit. ``str()`` is the text report (the
    disagreements with both values, the hint and slaclock's explanation, then the cycles
    on one side only); ``_repr_html_`` shows it in a notebook; :meth:`to_pandas` gives
    one row per cycle."""

    def __init__(
        self,
        rows: Sequence[AuditRow],
        *,
        now: datetime | None,
        tolerance: timedelta,
        helpdesk: str,
        tickets: int,
        as_of_source: str = "",
    ) -> None:
        self.rows = tuple(rows)
        self.as_of_source = as_of_source
        self.now = now
        self.as_of_source = as_of_source
        self.tolerance = tolerance
        self.helpdesk = helpdesk
        self.tickets = tickets

    @property
    def counts(self) -> tuple[MetricCounts, ...]:
        """Counts per metric, in order of first appearance."""
        found: dict[str, Counter[str]] = {}
        for r in self.rows:
            found.setdefault(r.metric, Counter())[r.verdict] += 1
        return tuple(
            MetricCounts(
                metric=m,
                compared=c["agree"] + c["disagree"],
                agree=c["agree"],
                disagree=c["disagree"],
                only_theirs=c["only_theirs"],
                only_ours=c["only_ours"],
            )
            for m, c in found.items()
        )

    @property
    def total(self) -> MetricCounts:
        """The counts over every metric (``metric`` is ``"all"``)."""
        c = Counter(r.verdict for r in self.rows)
        return MetricCounts(
            "all", c["agree"] + c["disagree"], c["agree"], c["disagree"], c["only_theirs"],
            c["only_ours"],
        )  # fmt: skip

    @property
    def mismatches(self) -> tuple[AuditRow, ...]:
        """The rows that do not agree (disagreements and cycles on one side only)."""
        return tuple(r for r in self.rows if r.verdict != "agree")

    @property
    def has_mismatch(self) -> bool:
        """Whether any cycle disagrees or exists on one side only."""
        return any(r.verdict != "agree" for r in self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[AuditRow]:
        return iter(self.rows)

    def get(self, ticket_id: str, metric: str, cycle: int = 1) -> AuditRow:
        """The row of one cycle; a ``KeyError`` naming what exists for the ticket."""
        for r in self.rows:
            if (r.ticket_id, r.metric, r.cycle) == (ticket_id, metric, cycle):
                return r
        have = sorted((r.metric, r.cycle) for r in self.rows if r.ticket_id == ticket_id)
        raise KeyError(
            f"no audited cycle {metric!r} #{cycle} for ticket {ticket_id!r}; it has {have}"
        )

    def counts_table(self) -> Table:
        """The counts per metric as a :class:`~slaclock.report.Table`."""
        rows = [*self.counts, self.total] if self.rows else []
        return Table("Cycles per metric", (), rows)

    def records(self) -> list[dict[str, Any]]:
        """Every row as :meth:`AuditRow.record`."""
        return [r.record() for r in self.rows]

    def to_pandas(self) -> pd.DataFrame:
        """One row per cycle with the columns of :meth:`AuditRow.record` (needs pandas)."""
        import pandas as pd

        columns = list(AuditRow("", "", 0, "agree").record())
        return pd.DataFrame.from_records(self.records(), columns=columns)

    # -- text -----------------------------------------------------------------------

    def headline(self) -> str:
        """``"4 tickets, 7 cycles: 3 agree, 2 disagree, 1 only in Zendesk, 1 only in
        slaclock"``."""
        t = self.total
        return (
            f"{self.tickets:,} tickets, {len(self.rows):,} cycles: {t.agree:,} agree, "
            f"{t.disagree:,} disagree, {t.only_theirs:,} only in {self.helpdesk}, "
            f"{t.only_ours:,} only in slaclock"
        )

    def to_text(self, *, tz: tzinfo | None = None) -> str:
        """The report as text: the headline, the counts per metric, then every row that
        does not agree with both values, the hint and slaclock's explanation. Instants
        are shown in ``tz`` (default: the zone of slaclock's cycle, else as recorded)."""
        when = "—" if self.now is None else self.now.isoformat()
        if self.as_of_source:
            when += f" ({self.as_of_source})"
        out = [
            f"Audit of {self.helpdesk}'s SLA figures as of {when}, tolerance "
            f"{fmt_duration(self.tolerance)}",
            self.headline(),
            "",
            self.counts_table().to_text(),
        ]
        sections: tuple[tuple[Verdict, str], ...] = (
            ("disagree", "Disagreements"),
            ("only_theirs", f"Only in {self.helpdesk}"),
            ("only_ours", "Only in slaclock"),
        )
        for verdict, title in sections:
            rows = [r for r in self.rows if r.verdict == verdict]
            if not rows:
                continue
            out += ["", f"{title} ({len(rows):,})"]
            for r in rows:
                out += _row_text(r, self.helpdesk, tz)
        return "\n".join(out) + "\n"

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return f"<AuditReport: {self.headline()}>"

    def _repr_html_(self) -> str:
        counts = self.counts_table()._repr_html_()
        items = []
        for r in self.mismatches:
            diffs = "".join(
                f"<tr><td>{escape(d.field)}</td><td>{escape(_show(d.theirs, None))}</td>"
                f"<td>{escape(_show(d.ours, None))}</td></tr>"
                for d in r.differences
            )
            table = (
                f"<table><thead><tr><th>value</th><th>{escape(self.helpdesk)}</th>"
                f"<th>slaclock</th></tr></thead><tbody>{diffs}</tbody></table>"
                if diffs
                else ""
            )
            hint = f"<p><em>{escape(r.cause or '')}</em>: {escape(r.hint)}</p>" if r.hint else ""
            lines = "\n".join(_explain_line(ln) for ln in r.explain)
            pre = f"<pre>{escape(lines)}</pre>" if lines else ""
            items.append(
                f"<li><strong>{escape(escape_control(r.label))}</strong> "
                f"({escape(r.verdict)}){table}{hint}{pre}</li>"
            )
        body = f"<ul>{''.join(items)}</ul>" if items else "<p>Every cycle agrees.</p>"
        return (
            f"<div><p><strong>Audit of {escape(self.helpdesk)}'s SLA figures</strong>: "
            f"{escape(self.headline())}</p>{counts}{body}</div>"
        )


def _show(value: Any, tz: tzinfo | None) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        shown = value.astimezone(tz) if tz is not None else value
        return shown.isoformat(timespec="minutes")
    if value is None:
        return "—"
    return fmt(value)


def _explain_line(ln: ExplainLine) -> str:
    end = "…" if ln.end is None else f"{ln.end:%a %Y-%m-%d %H:%M}"
    mark = "counted" if ln.counted else "not counted"
    return (
        f"{ln.start:%a %Y-%m-%d %H:%M} → {end:<20} {mark:<11} "
        f"{fmt_duration(ln.business):>9}  {escape_control(ln.reason)}"
    )


def _row_text(r: AuditRow, helpdesk: str, tz: tzinfo | None) -> list[str]:
    zone = tz
    if zone is None and r.ours is not None and r.ours.deadline is not None:
        zone = r.ours.deadline.tzinfo
    elif zone is None and r.ours is not None:
        zone = r.ours.started_at.tzinfo
    out = [f"  {escape_control(r.label)}"]
    if r.verdict == "disagree":
        width = max(len(d.field) for d in r.differences)
        for d in r.differences:
            out.append(
                f"    {d.field:<{width}}  {helpdesk} {_show(d.theirs, zone)}  "
                f"slaclock {_show(d.ours, zone)}"
            )
    elif r.theirs is not None:
        out.append(f"    {helpdesk}: {_summary(_values(r.theirs), zone)}")
    elif r.ours is not None:
        out.append(f"    slaclock: {_summary(_our_values(r.ours), zone)}")
    if r.hint:
        out.append(f"    hint ({r.cause}): {escape_control(r.hint)}")
    if r.theirs is not None and r.verdict != "only_ours":
        out.append(f"    recorded in {escape_control(r.theirs.source)}")
    if r.explain:
        out.append("    slaclock's figure:")
        out += [f"      {_explain_line(ln)}" for ln in r.explain]
    return out


def _summary(values: Mapping[str, Any], tz: tzinfo | None) -> str:
    parts = [f"{k} {_show(v, tz)}" for k, v in values.items() if v is not None]
    return ", ".join(parts)


def _values(c: RecordedCycle | None) -> dict[str, Any]:
    if c is None:
        return {}
    return {
        "breached": c.breached, "breached_at": c.breached_at, "deadline": c.deadline,
        "stopped_at": c.stopped_at, "business_elapsed": c.business_elapsed,
        "target": c.target,
    }  # fmt: skip


def _our_values(m: MetricResult | None) -> dict[str, Any]:
    if m is None:
        return {}
    return {
        "breached": m.status == "breached", "breached_at": m.breached_at,
        "deadline": m.deadline, "stopped_at": m.stopped_at,
        "business_elapsed": m.business_elapsed, "target": m.target_business,
    }  # fmt: skip


# -- the audit ------------------------------------------------------------------------


def _close(a: Any, b: Any, tolerance: timedelta) -> bool:
    """Whether two instants (or two durations) are within ``tolerance``."""
    diff: timedelta = a - b
    return abs(diff) <= tolerance


@dataclass(slots=True)
class _Seen:
    """What the helpdesk's record says once read as of ``now``."""

    breached: bool
    breached_at: datetime | None
    stopped_at: datetime | None


def _as_of(c: RecordedCycle, now: datetime | None) -> _Seen:
    breached, at, stopped = c.breached, c.breached_at, c.stopped_at
    if now is not None:
        if breached and at is not None and at > now:
            breached, at = False, None
        if stopped is not None and stopped > now:
            stopped = None
    return _Seen(breached, at if breached else None, stopped)


def _differences(
    theirs: RecordedCycle, seen: _Seen, ours: MetricResult, tolerance: timedelta
) -> list[Difference]:
    out: list[Difference] = []
    our_breached = ours.status == "breached"
    if seen.breached != our_breached:
        out.append(Difference("breached", seen.breached, our_breached))
    elif (
        our_breached
        and seen.breached_at is not None
        and ours.breached_at is not None
        and not _close(seen.breached_at, ours.breached_at, tolerance)
    ):
        out.append(Difference("breached_at", seen.breached_at, ours.breached_at))
    if (
        theirs.deadline is not None
        and ours.deadline is not None
        and not _close(theirs.deadline, ours.deadline, tolerance)
    ):
        out.append(Difference("deadline", theirs.deadline, ours.deadline))
    if (seen.stopped_at is None) != (ours.stopped_at is None) or (
        seen.stopped_at is not None
        and ours.stopped_at is not None
        and not _close(seen.stopped_at, ours.stopped_at, tolerance)
    ):
        out.append(Difference("stopped_at", seen.stopped_at, ours.stopped_at))
    if (
        theirs.business_elapsed is not None
        and seen.stopped_at is not None
        and ours.stopped_at is not None
        and not _close(theirs.business_elapsed, ours.business_elapsed, tolerance)
    ):
        out.append(Difference("business_elapsed", theirs.business_elapsed, ours.business_elapsed))
    if theirs.target is not None and not _close(theirs.target, ours.target_business, tolerance):
        out.append(Difference("target", theirs.target, ours.target_business))
    return out


class Auditor:
    """The audit, fed ticket by ticket (what :func:`audit` and ``slaclock audit`` use).

    ``recorded`` is read at once and held by ticket; each :meth:`add` compares one
    evaluated ticket with the helpdesk's cycles for it; :meth:`finish` adds the recorded
    cycles of tickets never added and returns the :class:`AuditReport`. ``now`` is the
    instant the tickets are evaluated at (recorded breaches and stops after it count as
    not yet happened); ``as_of_source`` says where it comes from, for the report."""

    def __init__(
        self,
        recorded: Iterable[RecordedCycle],
        policy: Policy | Mapping[str, Any],
        *,
        now: datetime | None = None,
        tolerance: timedelta = _ZERO,
        helpdesk: str | None = None,
        as_of_source: str = "",
    ) -> None:
        if not isinstance(tolerance, timedelta) or tolerance < _ZERO:
            raise ConfigError(
                f"tolerance {tolerance!r} must be a timedelta of 0 or more, e.g. "
                "timedelta(seconds=60)"
            )
        if now is not None and (not isinstance(now, datetime) or now.utcoffset() is None):
            raise ConfigError(f"now {now!r} must be an aware datetime (with a UTC offset)")
        self.policy = policy if isinstance(policy, Policy) else Policy.model_validate(policy)
        self.now = now
        self.as_of_source = as_of_source
        self.tolerance = tolerance
        self.helpdesk = HELPDESKS.get(str(helpdesk), helpdesk) if helpdesk else "the helpdesk"
        self._pending: dict[str, list[RecordedCycle]] = {}
        metrics: set[str] = set()
        for c in recorded:
            self._pending.setdefault(c.ticket_id, []).append(c)
            metrics.add(c.metric)
        self._hints = Hints(self.helpdesk, self.policy, tolerance, frozenset(metrics))
        self.rows: list[AuditRow] = []
        self.tickets = 0

    def add(self, ticket: Ticket, sla: TicketSla) -> None:
        """Compare one ticket's results (``evaluate(ticket, policy, now=...)``) with what
        the helpdesk recorded for it."""
        self.tickets += 1
        theirs = {(c.metric, c.cycle): c for c in self._pending.pop(ticket.id, [])}
        ours = {(m.name, m.cycle): m for m in sla.metrics}
        n_theirs = Counter(m for m, _ in theirs)
        n_ours = Counter(m for m, _ in ours)
        history: History | None = None  # built for the first cycle that does not agree
        every: list[ExplainLine] | None = None

        def explain(metric: str, cycle: int) -> tuple[ExplainLine, ...]:
            nonlocal every
            if every is None:
                every = list(sla.explain())
            return tuple(ln for ln in every if (ln.metric, ln.cycle) == (metric, cycle))

        here = frozenset(n_theirs)
        for key in [*ours, *(k for k in theirs if k not in ours)]:
            metric, cycle = key
            t, o = theirs.get(key), ours.get(key)
            diffs: list[Difference] = []
            if t is not None and o is not None:
                diffs = _differences(t, _as_of(t, self.now), o, self.tolerance)
                if not diffs:
                    self.rows.append(AuditRow(ticket.id, metric, cycle, "agree", (), t, o))
                    continue
            lines = explain(metric, cycle) if o is not None else ()
            if history is None:
                history = History(ticket, self.policy)
            case = Case(
                t, o, {d.field: d for d in diffs}, history, sla, n_theirs[metric],
                n_ours[metric], lines, here,
            )  # fmt: skip
            if t is not None and o is not None:
                verdict: Verdict = "disagree"
                why = self._hints.disagreement(case)
            else:
                verdict = "only_ours" if o is not None else "only_theirs"
                why = self._hints.one_side(case)
            cause, hint = why if why is not None else (None, None)
            row = AuditRow(
                ticket.id, metric, cycle, verdict, tuple(diffs), t, o, cause, hint, lines
            )
            self.rows.append(row)

    def finish(self) -> AuditReport:
        """The report: every row so far, then the recorded cycles of tickets never added
        (``only_theirs``, cause ``no_ticket``)."""
        rows = list(self.rows)
        for tid, cycles in self._pending.items():
            for c in cycles:
                case = Case(c, None, {}, None, None, 0, 0)
                cause, hint = self._hints.one_side(case)
                rows.append(
                    AuditRow(tid, c.metric, c.cycle, "only_theirs", (), c, None, cause, hint)
                )
        return AuditReport(
            rows, now=self.now, tolerance=self.tolerance, helpdesk=self.helpdesk,
            tickets=self.tickets, as_of_source=self.as_of_source,
        )  # fmt: skip


def audit(
    tickets: Iterable[Ticket],
    recorded: Iterable[RecordedCycle],
    policy: Policy | Mapping[str, Any],
    *,
    now: datetime | None = None,
    tolerance: timedelta = _ZERO,
    helpdesk: str | None = None,
) -> AuditReport:
    """Compare slaclock's results for ``tickets`` under ``policy`` with the SLA cycles the
    helpdesk recorded (``recorded``, e.g. ``adapters.read_recorded("zendesk", path)``).

    Every ticket is evaluated at ``now``; without it, at the latest event of all the
    tickets (they are then held in memory: pass ``now`` to stream them). Instants and
    durations within ``tolerance`` of each other agree. ``helpdesk`` (``"zendesk"``,
    ``"jira"``…) names the helpdesk in the report and tailors the hints.

    Raises what :func:`~slaclock.evaluate` raises for a ticket the agreement cannot
    evaluate, and :class:`~slaclock.ConfigError` for a negative tolerance or a naive
    ``now``."""
    source = "given"
    if now is None:
        held = list(tickets)
        latest = [t.events[-1].at if t.events else t.created_at for t in held]
        now = max(latest) if latest else None
        tickets = held
        source = "the latest event of the tickets"
    auditor = Auditor(
        recorded, policy, now=now, tolerance=tolerance, helpdesk=helpdesk, as_of_source=source
    )
    for ticket in tickets:
        auditor.add(ticket, evaluate(ticket, auditor.policy, now=now))
    return auditor.finish()
