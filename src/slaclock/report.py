"""Reports over many evaluated tickets: attainment per group, objective checks
("90 % of first responses within 6 business hours per customer per month"), percentiles
of business time, public vs internal targets, and breach lists.

A :class:`Report` holds flat result rows (one per clock, see :func:`slaclock.io.result_rows`),
so it is built from fresh evaluations, from a results file written earlier, or from a
pandas DataFrame. Every table is a plain tuple of frozen dataclasses with ``str()``,
``_repr_html_`` and ``to_pandas()`` (pandas optional).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, tzinfo
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .durations import Duration
from .errors import ConfigError
from .io import read_results, result_rows
from .results import TicketSla
from .statement import Notes, resolve_zone
from .ticket import Ticket

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .policy import Policy
    from .statement import ObjectiveLike, Statement

__all__ = [
    "AttainmentRow",
    "Breach",
    "ObjectiveRow",
    "PercentileRow",
    "Report",
    "Table",
]

_BUCKETS: dict[str, Callable[[datetime], str]] = {
    "day": lambda t: t.date().isoformat(),
    "week": lambda t: "{}-W{:02d}".format(*t.isocalendar()[:2]),
    "month": lambda t: t.strftime("%Y-%m"),
    "quarter": lambda t: f"{t.year}-Q{(t.month - 1) // 3 + 1}",
    "year": lambda t: str(t.year),
}


@dataclass(frozen=True, slots=True)
class AttainmentRow:
    """Met / breached / still running for one metric in one group."""

    group: tuple[Any, ...]
    metric: str
    total: int
    met: int
    breached: int
    running: int
    paused: int
    share_met: float | None
    internal_met: int
    internal_breached: int
    internal_share_met: float | None


@dataclass(frozen=True, slots=True)
class ObjectiveRow:
    """One group's attainment of an objective such as "90 % within 6h"."""

    group: tuple[Any, ...]
    metric: str
    decided: int
    hits: int
    share: float | None
    objective: float
    ok: bool | None
    missed: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PercentileRow:
    """Percentiles of business time for one metric in one group (stopped clocks)."""

    group: tuple[Any, ...]
    metric: str
    count: int
    percentiles: tuple[tuple[float, timedelta], ...]


@dataclass(frozen=True, slots=True)
class Breach:
    """A breached clock: who, which, and how late (business and wall time)."""

    ticket_id: str
    metric: str
    cycle: int
    severity: str
    customer: Any
    deadline: datetime | None
    late_business: timedelta
    late_wall: timedelta | None


class Table:
    """A tuple of rows with a header: printable, HTML in notebooks, pandas on demand."""

    def __init__(self, title: str, by: Sequence[str], rows: Sequence[Any]) -> None:
        self.title = title
        self.by = tuple(by)
        self.rows = tuple(rows)

    def __iter__(self) -> Any:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> Any:
        return self.rows[i]

    def records(self) -> list[dict[str, Any]]:
        """Rows as flat dicts (group columns spelled out)."""
        out = []
        for r in self.rows:
            d = asdict(r)
            group = d.pop("group", None)
            flat = dict(zip(self.by, group or (), strict=False))
            if "percentiles" in d:
                for q, v in d.pop("percentiles"):
                    d[f"p{q:g}"] = v
            if "missed" in d:
                d["missed"] = ",".join(d["missed"])
            flat.update(d)
            out.append(flat)
        return out

    def to_pandas(self) -> pd.DataFrame:
        """A pandas DataFrame of :meth:`records` (needs pandas)."""
        import pandas as pd

        return pd.DataFrame.from_records(self.records())

    def _cells(self) -> tuple[list[str], list[list[str]]]:
        recs = self.records()
        if not recs:
            return [], []
        cols = list(recs[0])
        return cols, [[_fmt(r[c]) for c in cols] for r in recs]

    def __str__(self) -> str:
        cols, rows = self._cells()
        if not cols:
            return f"{self.title}: no rows"
        widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(cols)]
        line = "  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True))
        out = [self.title, line, "  ".join("-" * w for w in widths)]
        out += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in rows]
        return "\n".join(out)

    def __repr__(self) -> str:
        return f"<{self.title}: {len(self.rows)} rows>"

    def _repr_html_(self) -> str:
        cols, rows = self._cells()
        head = "".join(f"<th>{escape(c)}</th>" for c in cols)
        body = "".join("<tr>" + "".join(f"<td>{escape(v)}</td>" for v in r) + "</tr>" for r in rows)
        return (
            f"<table><caption>{escape(self.title)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>"
        )


def _fmt(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.1%}" if 0 <= v <= 1 else f"{v:.2f}"
    if isinstance(v, timedelta):
        sign = "-" if v < timedelta(0) else ""
        return sign + str(Duration.from_timedelta(abs(v)))
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M")
    return str(v)


class Report:
    """Flat result rows of many tickets, and the questions support leads ask of them."""

    def __init__(
        self,
        rows: Iterable[Mapping[str, Any]],
        *,
        tz: str | tzinfo | None = None,
        policy: Policy | None = None,
    ) -> None:
        """``tz``: the zone of day / week / month buckets (default: the zone of
        ``policy``'s default calendar, else UTC; tables grouped by a bucket say which).
        ``policy``: the agreement, for that zone and for :meth:`statement`."""
        self.rows: tuple[Mapping[str, Any], ...] = tuple(rows)
        self._known: frozenset[str] | None = None
        # -- buckets in a stated zone, statements (issue 10) -------------------------------
        self.policy = policy
        self.tz, self.tz_name, self._tz_source = resolve_zone(tz, policy)
        self._notes: Notes | None = None

    def _titled(self, title: str, by: Sequence[str]) -> str:
        """A table title that says the zone of its buckets, when it has any."""
        if not any(b in _BUCKETS for b in by):
            return title
        how = ": no policy or tz given" if self._tz_source == "default" else ""
        return f"{title} (buckets in {self.tz_name}{how})"

    def statement(
        self,
        *,
        customer: str,
        month: str,
        by: str = "customer",
        tz: str | tzinfo | None = None,
        objectives: Iterable[ObjectiveLike] | None = None,
        internal: bool = False,
        now: datetime | None = None,
        granularity: Literal["auto", "day", "week"] = "auto",
    ) -> Statement:
        """The monthly SLA statement of one customer (``month`` as ``"YYYY-MM"``); see
        :func:`slaclock.statement.build`. ``.html()`` gives the page to send."""
        from .statement import build

        return build(
            self, customer=customer, month=month, by=by, tz=tz, objectives=objectives,
            internal=internal, now=now, granularity=granularity,
        )  # fmt: skip

    @classmethod
    def from_results(
        cls,
        results: Iterable[tuple[Ticket, TicketSla]],
        *,
        fields: Sequence[str] = (),
        tz: str | tzinfo | None = None,
        policy: Policy | None = None,
    ) -> Report:
        """From ``(ticket, evaluate(ticket, policy))`` pairs. Pass the ``policy`` for
        buckets in its zone and for statements (which also keep one ``explain()`` line
        per breached clock from here)."""
        rows: list[Mapping[str, Any]] = []
        notes = Notes()
        for ticket, sla in results:
            rows.extend(result_rows(sla, ticket, fields=fields))
            notes.add(sla)
        report = cls(rows, tz=tz, policy=policy)
        report._notes = notes
        return report

    @classmethod
    def from_file(
        cls, path: str | Path, *, tz: str | tzinfo | None = None, policy: Policy | None = None
    ) -> Report:
        """From a results file written by ``slaclock evaluate`` (CSV, JSONL or JSON)."""
        return cls(read_results(path), tz=tz, policy=policy)

    @classmethod
    def from_pandas(
        cls, frame: pd.DataFrame, *, tz: str | tzinfo | None = None, policy: Policy | None = None
    ) -> Report:
        """From a DataFrame with the columns of :meth:`to_pandas`."""
        rows = []
        for rec in frame.to_dict(orient="records"):
            rows.append({str(k): (None if _isnan(v) else _py(v)) for k, v in rec.items()})
        return cls(rows, tz=tz, policy=policy)

    def to_pandas(self) -> pd.DataFrame:
        """One row per clock (needs pandas)."""
        import pandas as pd

        return pd.DataFrame.from_records([dict(r) for r in self.rows])

    def __len__(self) -> int:
        return len(self.rows)

    def plot(self, *, metric: str | None = None, bucket: str = "month", ax: Any = None) -> Any:
        """Share met per ``bucket`` of creation (day, week, month, quarter, year), one line
        per metric (needs matplotlib); returns the ``Axes``."""
        from .plot import plot_attainment

        return plot_attainment(self, metric=metric, bucket=bucket, ax=ax)

    def _repr_html_(self) -> str:
        return self.attainment()._repr_html_()

    # -- grouping -------------------------------------------------------------------

    def _columns(self) -> frozenset[str]:
        """Every column of every row (computed once, on the first miss)."""
        if self._known is None:
            known: set[str] = set()
            for row in self.rows:
                known.update(row)
            self._known = frozenset(known)
        return self._known

    def _key(self, row: Mapping[str, Any], by: Sequence[str]) -> tuple[Any, ...]:
        key: list[Any] = []
        for name in by:
            if name in _BUCKETS:
                created = row.get("created_at")
                if created is None:
                    raise ConfigError(
                        f"cannot group by {name!r}: rows carry no created_at "
                        "(build the report from tickets, or from results with created_at)"
                    )
                if isinstance(created, str):
                    created = datetime.fromisoformat(created)
                key.append(_BUCKETS[name](created.astimezone(self.tz)))
            elif name in row:
                key.append(row[name])
            elif f"field.{name}" in row:
                key.append(row[f"field.{name}"])
            elif name in self._columns() or f"field.{name}" in self._columns():
                key.append(None)  # another ticket has this field; this one has no value
            else:
                names = sorted({k.removeprefix("field.") for k in self._columns()} | set(_BUCKETS))
                raise ConfigError(f"cannot group by {name!r}; known columns: {names}")
        return tuple(key)

    def _groups(
        self, by: Sequence[str], metric: str | None
    ) -> dict[tuple[Any, tuple[Any, ...]], list[Mapping[str, Any]]]:
        groups: dict[tuple[Any, tuple[Any, ...]], list[Mapping[str, Any]]] = {}
        for row in self.rows:
            if metric is not None and row.get("metric") != metric:
                continue
            groups.setdefault((row.get("metric"), self._key(row, by)), []).append(row)
        return dict(sorted(groups.items(), key=lambda kv: (str(kv[0][1]), str(kv[0][0]))))

    # -- questions ------------------------------------------------------------------

    def attainment(self, *, by: Sequence[str] = (), metric: str | None = None) -> Table:
        """Share met (of met + breached), breached, still running, per metric and group;
        internal targets side by side."""
        out = []
        for (m, key), rows in self._groups(by, metric).items():
            counts = {s: sum(1 for r in rows if r.get("status") == s) for s in
                      ("met", "breached", "running", "paused")}  # fmt: skip
            i_met = sum(1 for r in rows if r.get("internal_status") == "met")
            i_br = sum(1 for r in rows if r.get("internal_status") == "breached")
            decided = counts["met"] + counts["breached"]
            out.append(
                AttainmentRow(
                    group=key,
                    metric=str(m),
                    total=len(rows),
                    met=counts["met"],
                    breached=counts["breached"],
                    running=counts["running"],
                    paused=counts["paused"],
                    share_met=counts["met"] / decided if decided else None,
                    internal_met=i_met,
                    internal_breached=i_br,
                    internal_share_met=i_met / (i_met + i_br) if i_met + i_br else None,
                )
            )
        return Table(self._titled("Attainment", by), by, out)

    def objective(
        self,
        metric: str,
        share: float,
        *,
        within: str | timedelta | Duration | None = None,
        by: Sequence[str] = (),
    ) -> Table:
        """Check "``share`` of ``metric`` within ``within`` business time" per group.

        Without ``within`` a clock counts as a hit when it met its own target. Clocks
        still running or paused are not decided yet and left out of the share.
        """
        if not 0 < share <= 1:
            raise ConfigError(f"objective share {share!r} must be in (0, 1], e.g. 0.9")
        limit = None if within is None else Duration.parse(within).microseconds / 1e6
        out = []
        for (m, key), rows in self._groups(by, metric).items():
            hits = decided = 0
            missed: list[str] = []
            for r in rows:
                if limit is None:
                    if r.get("status") not in ("met", "breached"):
                        continue
                    hit = r.get("status") == "met"
                else:
                    elapsed = float(r.get("business_elapsed_s") or 0)
                    if r.get("stopped_at") is None and elapsed <= limit:
                        continue  # still counting: undecided, whatever its own target says
                    hit = elapsed <= limit
                decided += 1
                hits += hit
                if not hit:
                    missed.append(str(r.get("ticket_id")))
            got = hits / decided if decided else None
            out.append(
                ObjectiveRow(
                    group=key,
                    metric=str(m),
                    decided=decided,
                    hits=hits,
                    share=got,
                    objective=share,
                    ok=None if got is None else got >= share,
                    missed=tuple(missed),
                )
            )
        goal = f"within {Duration.parse(within)}" if within is not None else "met"
        return Table(self._titled(f"Objective: {share:.0%} of {metric} {goal}", by), by, out)

    def percentiles(
        self, metric: str, *, q: Sequence[float] = (50, 90, 95), by: Sequence[str] = ()
    ) -> Table:
        """Percentiles (nearest-rank) of business time used by stopped clocks."""
        out = []
        for (m, key), rows in self._groups(by, metric).items():
            values = sorted(
                float(r.get("business_elapsed_s") or 0)
                for r in rows
                if r.get("stopped_at") is not None
            )
            pcts = tuple(
                (float(p), timedelta(seconds=_nearest_rank(values, p))) for p in q if values
            )
            out.append(PercentileRow(group=key, metric=str(m), count=len(values), percentiles=pcts))
        return Table(self._titled(f"Business time of {metric}", by), by, out)

    def breaches(self, *, metric: str | None = None) -> Table:
        """Every breached clock, latest deadline last, with how late it was."""
        out = []
        for r in self.rows:
            if r.get("status") != "breached" or (metric and r.get("metric") != metric):
                continue
            elapsed = float(r.get("business_elapsed_s") or 0)
            if r.get("target_business_s") is not None:
                target_s = float(r["target_business_s"])
            else:  # rows from an older results file
                used = float(r.get("share_used", r.get("used")) or 0)
                target_s = elapsed / used if used else 0.0
            deadline = _time(r.get("deadline"))
            end = _time(r.get("stopped_at"))
            late_wall = None
            if deadline is not None:
                if end is None:
                    remaining = r.get("wall_remaining_s")
                    late_wall = None if remaining is None else -timedelta(seconds=float(remaining))
                else:
                    late_wall = end - deadline
            out.append(
                Breach(
                    ticket_id=str(r.get("ticket_id")),
                    metric=str(r.get("metric")),
                    cycle=int(r.get("cycle") or 0),
                    severity=str(r.get("severity")),
                    customer=r.get("field.customer", r.get("customer")),
                    deadline=deadline,
                    late_business=timedelta(seconds=round(elapsed - target_s)),
                    late_wall=late_wall,
                )
            )
        out.sort(key=lambda b: (b.deadline is None, b.deadline or datetime.min, b.ticket_id))
        return Table("Breaches", (), out)


def _time(v: Any) -> datetime | None:
    if v is None or v == "":
        return None
    if isinstance(v, datetime):
        return v
    return datetime.fromisoformat(str(v))


def _nearest_rank(values: Sequence[float], p: float) -> float:
    if not values:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(values)))
    return values[min(rank, len(values)) - 1]


def _isnan(v: Any) -> bool:
    return isinstance(v, float) and math.isnan(v)


def _py(v: Any) -> Any:
    if hasattr(v, "to_pydatetime"):
        return v.to_pydatetime()
    if hasattr(v, "item"):
        return v.item()
    return v
