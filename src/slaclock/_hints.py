"""Why a helpdesk's SLA figure and slaclock's differ: the definitional differences the
audit (:mod:`slaclock.audit`) recognises, each with a cause code and a hint that says
how to configure slaclock to count the same way.

The rules are tried in order on each cycle that does not agree; the first that fits
names the cause. They read the two figures, the ticket's history (:class:`History`) and
the agreement; they never change a verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from ._format import fmt_duration
from .errors import SlaClockError
from .metrics import SOLVED

if TYPE_CHECKING:  # pragma: no cover
    from .adapters import RecordedCycle
    from .audit import Difference
    from .policy import Policy
    from .results import ExplainLine, MetricResult, TicketSla
    from .ticket import Ticket

__all__ = ["CAUSES", "Case", "Hint", "Hints", "History", "when"]

_ZERO: Final = timedelta(0)

CAUSES: Final[Mapping[str, str]] = {
    "zone": "the helpdesk's instants are shifted by whole hours: a time-zone problem",
    "reopen_cycle": "the helpdesk starts a new cycle when a solved ticket is reopened",
    "target": "the helpdesk applied another target",
    "calendar_hours": "the helpdesk counted calendar (24x7) time",
    "business_hours": "the helpdesk counted business hours where slaclock counted 24x7",
    "paused": "slaclock paused the clock where the helpdesk kept counting",
    "not_paused": "the helpdesk paused the clock where slaclock kept counting",
    "stop": "the cycle stopped at another instant",
    "no_ticket": "the ticket is not among the tickets audited",
    "no_metric": "the agreement does not define the metric",
    "no_target": "one side set no target for the ticket's terms",
    "cycles": "the two sides count a different number of cycles",
    "not_recorded": "the helpdesk recorded nothing for the metric or the ticket",
}
"""The causes the audit recognises (a row's ``cause``), and what each means."""


def _close(a: Any, b: Any, tolerance: timedelta) -> bool:
    diff: timedelta = a - b
    return abs(diff) <= tolerance


class History:
    """What the hints need to know of one ticket: its statuses (with categories) over
    time, its reopenings, its severity changes, and its events by instant."""

    def __init__(self, ticket: Ticket, policy: Policy) -> None:
        self.ticket = ticket
        self.policy = policy
        self.statuses: list[tuple[datetime, str, str]] = []
        self.reopened: list[datetime] = []
        self.severities: list[tuple[datetime, str, str]] = []
        status = ticket.status
        self.statuses.append((ticket.created_at, status, self._category(status)))
        severity = ticket.severity
        for ev in ticket.events:
            if ev.type == "status":
                before = self.statuses[-1][2]
                cat = self._category(ev.status)
                if cat != before:
                    self.statuses.append((ev.at, ev.status, cat))
                    if before in SOLVED and cat not in SOLVED:
                        self.reopened.append(ev.at)
            elif ev.type == "severity" and ev.severity != severity:
                self.severities.append((ev.at, severity, ev.severity))
                severity = ev.severity

    def _category(self, status: str) -> str:
        try:
            return self.policy.category(status, ticket=self.ticket.id)
        except SlaClockError:
            return "?"

    def events_at(self, at: datetime) -> list[str]:
        """The kinds of the ticket's events at one instant (``"status → solved"``…)."""
        out = []
        for ev in self.ticket.events:
            if ev.at == at:
                out.append(f"status → {ev.status}" if ev.type == "status" else ev.type)
        return out

    def statuses_between(self, start: datetime, end: datetime | None) -> list[tuple[str, str]]:
        """The (status, category) pairs the ticket was in during ``[start, end)``."""
        out: list[tuple[str, str]] = []
        for i, (at, status, cat) in enumerate(self.statuses):
            until = self.statuses[i + 1][0] if i + 1 < len(self.statuses) else None
            inside = (end is None or at < end) and (until is None or until > start)
            if inside and (status, cat) not in out:
                out.append((status, cat))
        return out


def when(t: datetime | None) -> str:
    return "—" if t is None else t.isoformat(timespec="minutes")


def _dur(td: timedelta) -> str:
    return fmt_duration(td)


@dataclass(frozen=True, slots=True)
class Case:
    """One cycle that does not agree, and what the rules may read about it: both sides
    (``None`` on the side that lacks it), the values that differ by name, the ticket's
    history and results, the number of cycles of the metric on each side for the
    ticket, slaclock's explanation of the cycle, and the metrics the helpdesk recorded
    for the ticket."""

    theirs: RecordedCycle | None
    ours: MetricResult | None
    fields: Mapping[str, Difference]
    history: History | None
    sla: TicketSla | None
    theirs_n: int
    ours_n: int
    lines: tuple[ExplainLine, ...] = ()
    recorded_here: frozenset[str] = frozenset()


Hint = tuple[str, str]


class Hints:
    """The known definitional differences, tried in order on each row that does not
    agree; the first that fits gives the row's ``cause`` and ``hint``."""

    def __init__(
        self,
        helpdesk: str,
        policy: Policy,
        tolerance: timedelta,
        recorded_metrics: frozenset[str],
    ) -> None:
        self.hd = helpdesk
        self.policy = policy
        self.tol = tolerance
        self.recorded_metrics = recorded_metrics

    def disagreement(self, case: Case) -> Hint | None:
        """The cause of a disagreement (both sides have the cycle), or None."""
        rules: tuple[Callable[[Case, TicketSla, History, RecordedCycle, MetricResult],
                              Hint | None], ...] = (
            self._zone, self._reopen, self._target_differs, self._calendar, self._paused,
            self._not_paused, self._stop,
        )  # fmt: skip
        sla, h, theirs, ours = case.sla, case.history, case.theirs, case.ours
        assert sla is not None
        assert h is not None
        assert theirs is not None
        assert ours is not None
        for rule in rules:
            found = rule(case, sla, h, theirs, ours)
            if found is not None:
                return found
        return None

    def one_side(self, case: Case) -> Hint:
        """The cause of a cycle that exists on one side only."""
        if case.ours is not None:
            assert case.sla is not None
            assert case.history is not None
            return self._only_ours(case, case.sla, case.history, case.ours)
        assert case.theirs is not None
        return self._only_theirs(case, case.theirs)

    # -- helpers ------------------------------------------------------------------

    def _where(self, sla: TicketSla, severity: str) -> str:
        return (
            f"[plans.{sla.plan}.severities.{severity}]" if sla.plan else f"[severities.{severity}]"
        )

    def _repeating(self, metric: str) -> bool:
        try:
            return self.policy.metric(metric).cycles == "each"
        except SlaClockError:
            return False

    def _target(self, sla: TicketSla, ticket: Ticket, metric: str) -> Any:
        try:
            terms = self.policy.terms_for(sla.plan, ticket.created_at)
            return terms.target(terms.severity(sla.severity), metric)
        except (SlaClockError, KeyError):
            return None

    def _severity_note(self, h: History, start: datetime, end: datetime | None) -> str:
        changes = [c for c in h.severities if c[0] >= start and (end is None or c[0] <= end)]
        if not changes:
            return ""
        first, last = changes[0][1], changes[-1][2]
        return (
            f" The severity changed from {first} to {last}: slaclock judges a cycle by the "
            'severity in force when it stops (severity_change = "retroactive"), while '
            f"{self.hd} may keep the target it applied first."
        )

    def _reopen_text(self, metric: str, theirs_n: int, ours_n: int) -> str:
        return (
            f"{self.hd} started a new {metric} cycle when the solved ticket was reopened "
            f"({theirs_n} cycles); slaclock's {metric} resumes its one cycle "
            f'(cycles = "once", {ours_n} cycle{"s" if ours_n != 1 else ""}). To count like '
            f'{self.hd}: [metrics.{metric}] cycles = "each", start = ["created", "reopen"].'
        )

    def _unknown_here(self, case: Case) -> list[str]:
        known = set(self.policy.metric_names)
        return sorted(m for m in case.recorded_here if m not in known)

    # -- both sides -----------------------------------------------------------------

    def _zone(
        self, case: Case, sla: TicketSla, h: History, theirs: RecordedCycle, ours: MetricResult
    ) -> Hint | None:
        shifts = []
        for a, b in ((theirs.deadline, ours.deadline), (theirs.stopped_at, ours.stopped_at)):
            if a is None or b is None:
                return None
            shifts.append(a - b)
        shift = shifts[0]
        if (
            shift == shifts[1]
            and abs(shift) > self.tol
            and abs(shift) <= timedelta(hours=14)
            and shift % timedelta(minutes=30) == _ZERO
        ):
            way = "later" if shift > _ZERO else "earlier"
            return "zone", (
                f"{self.hd}'s deadline and stop are both {_dur(abs(shift))} {way} than "
                "slaclock's: the export's times are probably read in another zone. Check "
                "the zone of timestamps without an offset (--assume-timezone, or the "
                "adapter's assume_timezone=) and of the agreement's calendar."
            )
        return None

    def _reopen(
        self, case: Case, sla: TicketSla, h: History, theirs: RecordedCycle, ours: MetricResult
    ) -> Hint | None:
        if not h.reopened or ours.repeating or case.theirs_n <= case.ours_n:
            return None
        return "reopen_cycle", self._reopen_text(ours.name, case.theirs_n, case.ours_n)

    def _target_differs(
        self, case: Case, sla: TicketSla, h: History, theirs: RecordedCycle, ours: MetricResult
    ) -> Hint | None:
        if "target" not in case.fields or theirs.target is None:
            return None
        plan = f", plan {ours.plan}" if ours.plan else ""
        return "target", (
            f"{self.hd} applied a {_dur(theirs.target)} target; slaclock {ours.target} "
            f"({_dur(ours.target_business)} of business time) for severity "
            f"{ours.severity}{plan}. Check the agreement's targets and rules against the "
            "helpdesk's SLA policies (slaclock import zendesk-policies writes Zendesk's)."
            + self._severity_note(h, ours.started_at, ours.stopped_at)
        )

    def _calendar(
        self, case: Case, sla: TicketSla, h: History, theirs: RecordedCycle, ours: MetricResult
    ) -> Hint | None:
        """Calendar against business hours, when nothing but the calendar moved slaclock's
        deadline off the start + target (no pause, no solve on the way)."""
        if "deadline" not in case.fields or theirs.deadline is None or ours.deadline is None:
            return None
        if ours.target.is_business_days or ours.pauses:
            return None
        if any(ln.reason == "solved" for ln in case.lines):
            return None
        target = theirs.target if theirs.target is not None else ours.target_business
        wall = ours.started_at + target
        if _close(theirs.deadline, wall, self.tol) and not _close(ours.deadline, wall, self.tol):
            where = self._where(sla, ours.severity)
            return "calendar_hours", (
                f"{self.hd} counted {ours.name} in calendar hours: its deadline is the start "
                f"{when(ours.started_at)} + {_dur(target)} of wall time; slaclock counted "
                f"the open hours of calendar {ours.calendar!r}. To match, give the target a "
                f'24x7 calendar: {where} {ours.name} = {{within = "{_dur(target)}", '
                'calendar = "always"}, with [calendars.always] preset = "24x7".'
            )
        if _close(ours.deadline, wall, self.tol) and not _close(theirs.deadline, wall, self.tol):
            return "business_hours", (
                f"{self.hd} counted {ours.name} in business hours, while slaclock's calendar "
                f"{ours.calendar!r} counted every hour (its deadline is the start + "
                f"{_dur(target)}). To match, give the target the helpdesk's schedule as its "
                "calendar (slaclock import zendesk-schedules / jira-calendars)."
            )
        return None

    def _paused(
        self, case: Case, sla: TicketSla, h: History, theirs: RecordedCycle, ours: MetricResult
    ) -> Hint | None:
        if not ours.pauses or _more_time(case.fields) is not True:
            return None
        statuses = ", ".join(dict.fromkeys(p.status for p in ours.pauses))
        never = (
            " Zendesk's total resolution time never pauses."
            if self.hd == "Zendesk" and ours.name == "resolution"
            else ""
        )
        return "paused", (
            f"slaclock paused {ours.name} while the ticket was {statuses}; {self.hd} "
            f"counted on (it counted more time, or fell due earlier).{never} To match, do "
            f"not pause it there: pause.{ours.name} = [] (or list only the statuses "
            f"{self.hd} pauses in)."
        )

    def _not_paused(
        self, case: Case, sla: TicketSla, h: History, theirs: RecordedCycle, ours: MetricResult
    ) -> Hint | None:
        if _more_time(case.fields) is not False:
            return None
        paused = {p.status for p in ours.pauses}
        waiting = [
            s for s, cat in h.statuses_between(ours.started_at, ours.stopped_at)
            if cat in ("pending", "on_hold") and s not in paused
        ]  # fmt: skip
        if not waiting:
            return None
        return "not_paused", (
            f"{self.hd} counted less time (or fell due later): it paused {ours.name} while "
            f"the ticket was {', '.join(dict.fromkeys(waiting))}, where slaclock counted "
            f"on. To match, pause it there: pause.{ours.name} = {_toml_list(waiting)}."
        )

    def _stop(
        self, case: Case, sla: TicketSla, h: History, theirs: RecordedCycle, ours: MetricResult
    ) -> Hint | None:
        d = case.fields.get("stopped_at")
        if d is None:
            return None
        if ours.stopped_at is not None:
            what = ", ".join(h.events_at(ours.stopped_at)) or "the evaluation instant"
            mine = f"slaclock stopped it at {when(ours.stopped_at)} on {what}"
        else:
            mine = "slaclock has it still running (no stop trigger of its definition arrived)"
        if d.theirs is not None:
            what = ", ".join(h.events_at(d.theirs)) or "no event of the ticket"
            yours = f"{self.hd} stopped it at {when(d.theirs)} ({what})"
        else:
            yours = f"{self.hd} recorded no stop"
        extra = (
            " Freshdesk fills first_responded_at / resolved_at only when the tickets are "
            "exported with include=stats."
            if self.hd == "Freshdesk" and d.theirs is None
            else ""
        )
        return "stop", (
            f"{yours}; {mine}. Compare the metric's stop triggers "
            f"(metrics.{ours.name}.stop) with the helpdesk's definition.{extra}"
        )

    # -- one side only ----------------------------------------------------------------

    def _only_theirs(self, case: Case, theirs: RecordedCycle) -> Hint:
        metric = theirs.metric
        h, sla = case.history, case.sla
        if h is None or sla is None:
            return "no_ticket", (
                f"ticket {theirs.ticket_id!r} is not among the tickets audited: it is not "
                "in the export, was created before the export starts, or was set aside. "
                "Export its history from before its creation."
            )
        if metric not in self.policy.metric_names:
            return "no_metric", (
                f"the agreement defines no metric {metric!r}: define it under "
                f"[metrics.{metric}] (start, stop, pause, cycles) and give it targets, or "
                "map the helpdesk's SLA name to one of slaclock's metrics (the adapter's "
                f"metrics= option); slaclock's metrics: {', '.join(self.policy.metric_names)}."
            )
        if (
            h.reopened
            and not self._repeating(metric)
            and case.ours_n >= 1
            and theirs.cycle > case.ours_n
        ):
            return "reopen_cycle", self._reopen_text(metric, case.theirs_n, case.ours_n)
        if self._target(sla, h.ticket, metric) is None:
            given = f"a {_dur(theirs.target)} target" if theirs.target is not None else "a target"
            plan = f", plan {sla.plan}" if sla.plan else ""
            return "no_target", (
                f"the agreement has no {metric} target for severity {sla.severity}{plan} (the "
                f"terms in force at the end), so slaclock measured no such cycle; {self.hd} "
                f"applied {given}. Add it under {self._where(sla, sla.severity)}."
                + self._severity_note(h, h.ticket.created_at, None)
            )
        return "cycles", self._cycles_text(metric, case)

    def _cycles_text(self, metric: str, case: Case) -> str:
        n = case.theirs_n
        return (
            f"{self.hd} recorded {n} {metric} cycle{'s' if n != 1 else ''} for this ticket, "
            f"slaclock {case.ours_n}: compare the metric's start triggers "
            f"(metrics.{metric}.start, cycles) with the helpdesk's definition."
        )

    def _only_ours(self, case: Case, sla: TicketSla, h: History, ours: MetricResult) -> Hint:
        metric = ours.name
        if metric not in self.recorded_metrics:
            return "not_recorded", (
                f"{self.hd} recorded no {metric} cycle for any ticket: it does not measure "
                "it, or its results for it are not in the export. Leave the metric out of "
                "the agreement to audit only what the helpdesk measures."
            )
        if not case.recorded_here:
            return "not_recorded", (
                f"{self.hd} recorded no SLA cycle at all for this ticket: no SLA policy "
                "applied to it there, or its results are missing from the export."
            )
        unknown = self._unknown_here(case)
        if case.theirs_n == 0 and unknown:
            names = ", ".join(map(repr, unknown))
            return "no_metric", (
                f"{self.hd} recorded no {metric} for this ticket but {names}, which slaclock "
                f"does not know: if that is its {metric}, map the helpdesk's SLA name to it "
                f"(the adapter's metrics= option, e.g. metrics={{<SLA name>: {metric!r}}})."
            )
        if case.theirs_n == 0:
            plan = f", plan {ours.plan}" if ours.plan else ""
            return "no_target", (
                f"{self.hd} applied no {metric} target to this ticket; slaclock's agreement "
                f"gives it {ours.target} (severity {ours.severity}{plan}). Check the "
                "agreement's rules and targets against the helpdesk's SLA policies."
                + self._severity_note(h, h.ticket.created_at, None)
            )
        if h.reopened and not ours.repeating and case.theirs_n < case.ours_n:
            return "reopen_cycle", self._reopen_text(metric, case.theirs_n, case.ours_n)
        return "cycles", self._cycles_text(metric, case)


def _more_time(fields: Mapping[str, Difference]) -> bool | None:
    """True when the helpdesk counted more time than slaclock (more business time, an
    earlier deadline, a breach slaclock does not see), False when less, None when the
    differences say neither."""
    e = fields.get("business_elapsed")
    if e is not None:
        return bool(e.theirs > e.ours)
    d = fields.get("deadline")
    if d is not None:
        return bool(d.theirs < d.ours)
    b = fields.get("breached")
    if b is not None:
        return bool(b.theirs)
    return None


def _toml_list(items: Iterable[str]) -> str:
    return "[" + ", ".join(f'"{s}"' for s in dict.fromkeys(items)) + "]"
