"""What if the agreement changed: replay one history under two agreements.

:func:`compare` evaluates the same tickets under two agreements and returns a
:class:`Comparison`: attainment per metric (and group) side by side, and every clock
whose status changes (met → breached and back, or a clock one agreement does not
measure). :meth:`slaclock.report.Report.compare` does the same for two reports built
from the same tickets with the same ``by``. ``Comparison.summary()`` says it in
sentences: "first_response: proposed has 37 more breaches than current (37 became
breached, 0 no longer breached), 12 of them at customer=acme".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from html import escape
from typing import TYPE_CHECKING, Any, final

from ._format import fmt
from .engine import evaluate
from .errors import ConfigError
from .io import typed_rows
from .policy import Policy
from .report import Report, Table
from .results import Status, TicketSla
from .ticket import Ticket

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "Comparer",
    "Comparison",
    "SideBySideRow",
    "StatusChange",
    "compare",
    "compare_reports",
]


@final
@dataclass(frozen=True, slots=True)
class SideBySideRow:
    """Attainment of one metric in one group under both agreements: the clocks, met and
    breached under each, the share met, and how many more breaches the second has."""

    group: tuple[Any, ...]
    metric: str
    before_total: int
    before_met: int
    before_breached: int
    before_share_met: float | None
    after_total: int
    after_met: int
    after_breached: int
    after_share_met: float | None
    more_breaches: int


@final
@dataclass(frozen=True, slots=True)
class StatusChange:
    """A clock whose status is not the same under the two agreements (``None``: the
    clock does not exist under that agreement, which sets no target for it)."""

    ticket_id: str
    metric: str
    cycle: int
    group: tuple[Any, ...]
    before: Status | None
    after: Status | None
    before_deadline: datetime | None
    after_deadline: datetime | None


@final
class Comparison:
    """Attainment side by side (:attr:`attainment`, a :class:`~slaclock.report.Table` of
    :class:`SideBySideRow`) and the clocks whose status changes (:attr:`changes`, a table
    of :class:`StatusChange`; ``None`` when the reports kept no rows). ``names`` are the
    two agreements' names; :meth:`summary` says it in sentences."""

    def __init__(
        self,
        names: tuple[str, str],
        by: Sequence[str],
        rows: Sequence[SideBySideRow],
        changes: Sequence[StatusChange] | None,
    ) -> None:
        self.names = names
        self.by = tuple(by)
        a, b = names
        title = f"Attainment: {a} → {b}"
        self.attainment = Table(title, self.by, rows)
        self.changes: Table | None = (
            None
            if changes is None
            else Table(f"Status changes: {a} → {b}", self.by, _sorted_changes(changes))
        )

    def summary(self) -> list[str]:
        """One sentence per metric whose breaches change: how many more (or fewer) under
        the second agreement, how many clocks went met → breached and back, and the group
        with the largest share of the change."""
        a, b = self.names
        out = []
        per_metric: dict[str, list[SideBySideRow]] = {}
        for r in self.attainment.rows:
            per_metric.setdefault(r.metric, []).append(r)
        for metric, rows in per_metric.items():
            delta = sum(r.more_breaches for r in rows)
            flips = ""
            if self.changes is not None:
                mine = [c for c in self.changes.rows if c.metric == metric]
                worse = sum(1 for c in mine if c.before != "breached" and c.after == "breached")
                better = sum(1 for c in mine if c.before == "breached" and c.after != "breached")
                if not (delta or worse or better):
                    continue
                flips = f" ({worse:,} became breached, {better:,} no longer breached)"
            elif not delta:
                continue
            word = "more" if delta >= 0 else "fewer"
            text = f"{metric}: {b} has {abs(delta):,} {word} breaches than {a}{flips}"
            if self.by and delta:
                top = max(rows, key=lambda r: r.more_breaches if delta > 0 else -r.more_breaches)
                share = top.more_breaches
                if share and (share > 0) == (delta > 0) and len(rows) > 1:
                    where = ", ".join(
                        f"{k}={fmt(v)}" for k, v in zip(self.by, top.group, strict=False)
                    )
                    text += f", {abs(share):,} of them at {where}"
            out.append(text)
        return out

    def to_text(self, *, tz: tzinfo | None = None) -> str:
        """The summary, the side-by-side attainment and the status changes as text."""
        lines = self.summary() or [f"no clock changes status between {self.names[0]} and "
                                   f"{self.names[1]}"]  # fmt: skip
        parts = ["\n".join(lines), self.attainment.to_text(tz=tz)]
        if self.changes is not None:
            parts.append(self.changes.to_text(tz=tz))
        return "\n\n".join(parts) + "\n"

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        n = "?" if self.changes is None else len(self.changes)
        return f"<Comparison {self.names[0]} → {self.names[1]}: {n} status changes>"

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{escape(s)}</li>" for s in self.summary())
        changes = "" if self.changes is None else self.changes._repr_html_()
        return f"<div><ul>{items}</ul>{self.attainment._repr_html_()}{changes}</div>"

    def to_pandas(self) -> pd.DataFrame:
        """The side-by-side attainment as a DataFrame (needs pandas); the changes are
        ``comparison.changes.to_pandas()``."""
        return self.attainment.to_pandas()


def _sorted_changes(changes: Sequence[StatusChange]) -> list[StatusChange]:
    return sorted(changes, key=lambda c: (str(c.group), c.metric, c.ticket_id, c.cycle))


def _side_by_side(before: Report, after: Report, by: Sequence[str]) -> list[SideBySideRow]:
    a = {(r.group, r.metric): r for r in before.attainment(by=by)}
    b = {(r.group, r.metric): r for r in after.attainment(by=by)}
    keys = sorted(dict.fromkeys([*a, *b]), key=lambda k: (str(k[0]), k[1]))
    out = []
    for key in keys:
        ra, rb = a.get(key), b.get(key)
        out.append(
            SideBySideRow(
                group=key[0], metric=key[1],
                before_total=ra.total if ra else 0, before_met=ra.met if ra else 0,
                before_breached=ra.breached if ra else 0,
                before_share_met=ra.share_met if ra else None,
                after_total=rb.total if rb else 0, after_met=rb.met if rb else 0,
                after_breached=rb.breached if rb else 0,
                after_share_met=rb.share_met if rb else None,
                more_breaches=(rb.breached if rb else 0) - (ra.breached if ra else 0),
            )
        )  # fmt: skip
    return out


def _changes_of_rows(
    before: Iterable[Mapping[str, Any]],
    after: Iterable[Mapping[str, Any]],
    key: Callable[[Mapping[str, Any]], tuple[Any, ...]],
) -> list[StatusChange]:
    """The clocks (ticket, metric, cycle) whose status differs between two sets of rows."""
    a = {(str(r.get("ticket_id")), str(r.get("metric")), int(r.get("cycle") or 0)): r
         for r in before}  # fmt: skip
    b = {(str(r.get("ticket_id")), str(r.get("metric")), int(r.get("cycle") or 0)): r
         for r in after}  # fmt: skip
    out = []
    for k in dict.fromkeys([*a, *b]):
        ra, rb = a.get(k), b.get(k)
        sa = None if ra is None else ra.get("status")
        sb = None if rb is None else rb.get("status")
        if sa == sb:
            continue
        row = rb if rb is not None else ra
        assert row is not None
        out.append(
            StatusChange(
                ticket_id=k[0], metric=k[1], cycle=k[2], group=key(row),
                before=sa, after=sb,
                before_deadline=None if ra is None else ra.get("deadline"),
                after_deadline=None if rb is None else rb.get("deadline"),
            )
        )  # fmt: skip
    return out


def compare_reports(
    before: Report, after: Report, *, names: tuple[str, str] = ("before", "after")
) -> Comparison:
    """Two reports of the same tickets under two agreements, side by side (what
    :meth:`Report.compare <slaclock.report.Report.compare>` returns). Both must be built
    with the same ``by``; the status changes need both to keep their rows."""
    if tuple(before.by) != tuple(after.by):
        raise ConfigError(
            f"the reports are grouped differently (by={list(before.by)!r} and "
            f"by={list(after.by)!r}); build both with the same by="
        )
    rows = _side_by_side(before, after, before.by)
    changes = None
    if before.keep_rows and after.keep_rows:
        changes = _changes_of_rows(before.rows, after.rows, after._main.key)
    return Comparison(names, before.by, rows, changes)


class Comparer:
    """The comparison fed ticket by ticket (what :func:`compare` and ``slaclock
    compare`` use): :meth:`add` takes one ticket's results under both agreements,
    :meth:`result` gives the :class:`Comparison`. Memory holds the counts per metric and
    group and the status changes, not the results."""

    def __init__(
        self,
        before: Policy,
        after: Policy,
        *,
        by: Sequence[str] = (),
        names: tuple[str, str] = ("before", "after"),
        tz: str | tzinfo | None = None,
    ) -> None:
        self.by = tuple(by)
        self.names = names
        self.before = Report(by=self.by, keep_rows=False, top=0, tz=tz, policy=before)
        self.after = Report(by=self.by, keep_rows=False, top=0, tz=tz, policy=after)
        self.changes: list[StatusChange] = []
        self.tickets = 0

    def add(self, ticket: Ticket, before: TicketSla, after: TicketSla) -> None:
        """One ticket evaluated under the first and the second agreement."""
        self.tickets += 1
        rows_a = typed_rows(before, ticket)
        rows_b = typed_rows(after, ticket)
        self.before.add(rows_a, typed=True)
        self.after.add(rows_b, typed=True)
        self.changes += _changes_of_rows(rows_a, rows_b, self.after._main.key)

    def result(self) -> Comparison:
        """The comparison of every ticket added."""
        rows = _side_by_side(self.before, self.after, self.by)
        return Comparison(self.names, self.by, rows, self.changes)


def compare(
    tickets: Iterable[Ticket],
    before: Policy | Mapping[str, Any],
    after: Policy | Mapping[str, Any],
    *,
    now: datetime | None = None,
    by: Sequence[str] = (),
    names: tuple[str, str] = ("before", "after"),
    tz: str | tzinfo | None = None,
) -> Comparison:
    """Replay ``tickets`` under two agreements at ``now`` (each ticket at its last event
    when ``None``, as :func:`~slaclock.evaluate` does) and compare: attainment per metric
    and ``by`` group side by side, and every clock whose status changes. ``names`` name
    the two agreements in the tables and the summary; ``tz`` is the zone of day / week /
    month buckets in ``by`` (as for :class:`~slaclock.report.Report`). Streams: memory
    holds the counts and the changes, not the results."""
    pa = before if isinstance(before, Policy) else Policy.model_validate(before)
    pb = after if isinstance(after, Policy) else Policy.model_validate(after)
    comparer = Comparer(pa, pb, by=by, names=names, tz=tz)
    for ticket in tickets:
        comparer.add(ticket, evaluate(ticket, pa, now=now), evaluate(ticket, pb, now=now))
    return comparer.result()
