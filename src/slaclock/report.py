"""Reports over many evaluated tickets: attainment per group, objective checks
("90 % of first responses within 6 business hours per customer per month"), percentiles
of business time, public vs internal targets, and breach lists.

A :class:`Report` aggregates result rows (one per clock, see
:class:`slaclock._rows.ResultRow`) **as they arrive**: counts per metric and group, the
business time of stopped clocks in compact per-group arrays (exact percentiles), the
declared objectives' tallies, and the breaches (all of them, or the ``top`` most late,
each also passed to ``on_breach`` as it is found). With ``keep_rows=True`` (the default)
the rows are kept as well, so any grouping or objective may be asked afterwards; with
``keep_rows=False`` memory does not grow with the number of tickets and the report
answers the grouping (``by``) and the objectives it was built with.

Every table is a :class:`Table` of frozen rows with ``str()`` (a text table, control
characters escaped), :meth:`Table.to_markdown`, ``_repr_html_`` and ``to_pandas()``.
"""

from __future__ import annotations

import heapq
import itertools
import math
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, tzinfo
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol, final

from ._format import fmt as _fmt
from ._rows import FIELD_PREFIX, decode_row, encode_row
from .durations import Duration
from .errors import ConfigError
from .io import iter_results, typed_rows
from .results import TicketSla
from .statement import Notes, resolve_zone
from .ticket import Ticket

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .compare import Comparison
    from .policy import Policy
    from .statement import Statement

__all__ = [
    "AttainmentRow",
    "Breach",
    "ObjectiveRow",
    "ObjectiveSpec",
    "PercentileRow",
    "Report",
    "Table",
]

BUCKETS: Final = ("day", "week", "month", "quarter", "year")


def bucket(name: str, created: datetime, tz: tzinfo) -> str:
    """The label of the ``name`` bucket (day, week, month, quarter, year) an instant falls
    in, read in ``tz``."""
    created = created.astimezone(tz)
    if name == "day":
        return created.date().isoformat()
    if name == "week":
        return "{}-W{:02d}".format(*created.isocalendar()[:2])
    if name == "month":
        return created.strftime("%Y-%m")
    if name == "quarter":
        return f"{created.year}-Q{(created.month - 1) // 3 + 1}"
    return str(created.year)


# -- rows of the tables -----------------------------------------------------------------


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
    """One group's attainment of an objective such as "90 % within 6h". ``missed`` names
    the tickets that missed (at most the report's ``top`` of them); ``missed_count`` is
    how many did."""

    group: tuple[Any, ...]
    metric: str
    decided: int
    hits: int
    share: float | None
    objective: float
    ok: bool | None
    missed_count: int
    missed: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PercentileRow:
    """Percentiles (nearest rank) of business time for one metric in one group, over the
    clocks that stopped; a percentile is ``None`` where no clock stopped."""

    group: tuple[Any, ...]
    metric: str
    count: int
    percentiles: tuple[tuple[float, timedelta | None], ...]


@dataclass(frozen=True, slots=True)
class Breach:
    """A breached clock: which ticket, metric and cycle, its group, and how late (business
    time beyond the target; wall time from the deadline to the stop, or to the evaluation
    instant while it runs)."""

    ticket_id: str
    metric: str
    cycle: int
    severity: str
    group: tuple[Any, ...]
    deadline: datetime | None
    late_business: timedelta
    late_wall: timedelta | None


class _ObjectiveLike(Protocol):
    @property
    def metric(self) -> str: ...
    @property
    def share(self) -> float: ...
    @property
    def within(self) -> Any: ...


@final
@dataclass(frozen=True, slots=True)
class ObjectiveSpec:
    """An objective to check: ``share`` of ``metric`` within ``within`` business time
    (``None``: met its own target), optionally only for some severities."""

    metric: str
    share: float
    within: Duration | None = None
    severities: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not (isinstance(self.share, int | float) and 0 < self.share <= 1):
            raise ConfigError(f"objective share {self.share!r} must be in (0, 1], e.g. 0.9")
        if self.within is not None and self.within.is_business_days:
            raise ConfigError(
                f"objective within {str(self.within)!r}: business days have no fixed length "
                "in business time; give hours or minutes (e.g. 8h)"
            )

    @classmethod
    def of(cls, obj: _ObjectiveLike | ObjectiveSpec) -> ObjectiveSpec:
        """From any object with ``metric``, ``share``, ``within`` (and ``severities``),
        such as an agreement's objectives."""
        if isinstance(obj, ObjectiveSpec):
            return obj
        within = obj.within
        return cls(
            str(obj.metric),
            float(obj.share),
            None if within is None else Duration.parse(within),
            tuple(getattr(obj, "severities", ()) or ()),
        )

    @classmethod
    def parse(cls, spec: str) -> ObjectiveSpec:
        """From ``metric:share[:within]``, e.g. ``first_response:0.9:6h``."""
        metric, _, rest = spec.partition(":")
        share_text, _, within = rest.partition(":")
        try:
            share = float(share_text)
        except ValueError:
            raise ConfigError(
                f"--objective {spec!r} must look like metric:share[:within], "
                "e.g. first_response:0.9:6h"
            ) from None
        if not metric.strip():
            raise ConfigError(f"--objective {spec!r} names no metric; e.g. first_response:0.9")
        if not math.isfinite(share) or not 0 < share <= 1:
            raise ConfigError(
                f"--objective {spec!r}: share {share_text!r} must be in (0, 1], e.g. 0.9"
            )
        return cls(metric.strip(), share, Duration.parse(within) if within.strip() else None)

    @property
    def limit_s(self) -> float | None:
        return None if self.within is None else self.within.microseconds / 1e6

    @property
    def title(self) -> str:
        goal = f"within {self.within}" if self.within is not None else "met"
        only = f" ({', '.join(self.severities)})" if self.severities else ""
        return f"Objective: {self.share:.0%} of {self.metric}{only} {goal}"

    def _same(self, other: ObjectiveSpec) -> bool:
        return (self.metric, self.limit_s, self.severities) == (
            other.metric, other.limit_s, other.severities
        )  # fmt: skip


# -- tables -----------------------------------------------------------------------------


class Table:
    """A tuple of rows with a header: printable, HTML in notebooks, pandas on demand."""

    def __init__(
        self, title: str, by: Sequence[str], rows: Sequence[Any], *, note: str = ""
    ) -> None:
        self.title = title
        self.by = tuple(by)
        self.rows = tuple(rows)
        self.note = note

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> Any:
        return self.rows[i]

    def records(self) -> list[dict[str, Any]]:
        """Rows as flat dicts (group columns spelled out; ``p50``… for percentiles)."""
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

    def cells(self, *, tz: tzinfo | None = None) -> tuple[list[str], list[list[str]]]:
        """The header and the rows as text (times in ``tz`` when given)."""
        recs = self.records()
        if not recs:
            return [], []
        cols = list(recs[0])
        return [_fmt(c) for c in cols], [[_fmt(r[c], tz=tz) for c in cols] for r in recs]

    def to_text(self, *, tz: tzinfo | None = None) -> str:
        """An aligned text table, control characters escaped."""
        cols, rows = self.cells(tz=tz)
        title = _fmt(self.title)
        if not cols:
            return f"{title}: no rows" + (f" {_fmt(self.note)}" if self.note else "")
        widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(cols)]
        line = "  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True))
        out = [title, line, "  ".join("-" * w for w in widths)]
        out += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in rows]
        if self.note:
            out.append(_fmt(self.note))
        return "\n".join(line.rstrip() for line in out)

    def to_markdown(self, *, tz: tzinfo | None = None, level: int = 2) -> str:
        """A Markdown section: a heading and a pipe table (``|`` and control characters
        escaped)."""
        cols, rows = self.cells(tz=tz)
        head = f"{'#' * level} {_md(self.title)}\n\n"
        if not cols:
            return head + "No rows." + (f" {_md(self.note)}" if self.note else "") + "\n"
        out = ["| " + " | ".join(_md(c) for c in cols) + " |"]
        out.append("|" + "|".join("---" for _ in cols) + "|")
        out += ["| " + " | ".join(_md(v) for v in r) + " |" for r in rows]
        tail = f"\n{_md(self.note)}\n" if self.note else ""
        return head + "\n".join(out) + "\n" + tail

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return f"<{self.title}: {len(self.rows)} rows>"

    def _repr_html_(self) -> str:
        cols, rows = self.cells()
        head = "".join(f"<th>{escape(c)}</th>" for c in cols)
        body = "".join("<tr>" + "".join(f"<td>{escape(v)}</td>" for v in r) + "</tr>" for r in rows)
        return (
            f"<table><caption>{escape(self.title)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>"
        )


def _md(text: str) -> str:
    return _fmt(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


# -- aggregation ------------------------------------------------------------------------


class _Cell:
    """The counts of one metric in one group, and the business time of its stopped
    clocks (seconds, a compact array)."""

    __slots__ = ("breached", "i_breached", "i_met", "met", "paused", "running", "stopped",
                 "total", "unsorted")  # fmt: skip

    def __init__(self) -> None:
        self.total = self.met = self.breached = self.running = self.paused = 0
        self.i_met = self.i_breached = 0
        self.stopped = array("d")
        self.unsorted = False


class _Tally:
    """One objective's count in one group: decided, hits and the tickets that missed."""

    __slots__ = ("decided", "hits", "missed", "missed_count")

    def __init__(self) -> None:
        self.decided = self.hits = self.missed_count = 0
        self.missed: list[str] = []


class _Aggregate:
    """Everything a report answers for one grouping, updated row by row."""

    def __init__(
        self,
        by: tuple[str, ...],
        objectives: Sequence[ObjectiveSpec],
        top: int | None,
        on_breach: Callable[[Breach], None] | None,
        tz: tzinfo,
    ) -> None:
        for name in by:
            if not name:
                raise ConfigError("an empty name in by=; e.g. by=['customer', 'month']")
        self.by = by
        self.tz = tz
        self.objectives = tuple(objectives)
        self.top = top
        self.on_breach = on_breach
        self.cells: dict[tuple[str, tuple[Any, ...]], _Cell] = {}
        self.tallies: list[dict[tuple[str, tuple[Any, ...]], _Tally]] = [{} for _ in objectives]
        self.breaches: list[tuple[float, int, Breach]] = []  # a heap when top is set
        self.breach_count = 0
        self.found: set[str] = set()
        self.known: set[str] = set()
        self.rows = 0
        self._seq = itertools.count()

    def key(self, row: Mapping[str, Any]) -> tuple[Any, ...]:
        key: list[Any] = []
        for name in self.by:
            if name in BUCKETS:
                created = row.get("created_at")
                if not isinstance(created, datetime):
                    raise ConfigError(
                        f"cannot group by {name!r}: rows carry no created_at "
                        "(build the report from tickets, or from results with created_at)"
                    )
                key.append(bucket(name, created, self.tz))
                continue
            if name in row:
                v = row[name]
            elif FIELD_PREFIX + name in row:
                v = row[FIELD_PREFIX + name]
            else:
                self.known.update(row)
                key.append(None)  # another ticket may have this field; this one has none
                continue
            self.found.add(name)
            try:
                hash(v)
            except TypeError:
                v = repr(v)
            key.append(v)
        return tuple(key)

    def add(self, row: Mapping[str, Any]) -> None:
        if not self.rows:
            self.known.update(row)
        self.rows += 1
        metric = str(row.get("metric"))
        key = self.key(row)
        cell = self.cells.get((metric, key))
        if cell is None:
            cell = self.cells[(metric, key)] = _Cell()
        status = row.get("status")
        cell.total += 1
        if status == "met":
            cell.met += 1
        elif status == "breached":
            cell.breached += 1
        elif status == "running":
            cell.running += 1
        elif status == "paused":
            cell.paused += 1
        internal = row.get("internal_status")
        if internal == "met":
            cell.i_met += 1
        elif internal == "breached":
            cell.i_breached += 1
        elapsed = row.get("business_elapsed_s") or 0.0
        stopped = row.get("stopped_at") is not None
        if stopped:
            cell.stopped.append(elapsed)
            cell.unsorted = True
        for spec, tallies in zip(self.objectives, self.tallies, strict=True):
            if spec.metric != metric or (
                spec.severities and row.get("severity") not in spec.severities
            ):
                continue
            limit = spec.limit_s
            if limit is None:
                if status not in ("met", "breached"):
                    continue
                hit = status == "met"
            else:
                if not stopped and elapsed <= limit:
                    continue  # still counting: undecided, whatever its own target says
                hit = elapsed <= limit
            tally = tallies.get(key)
            if tally is None:
                tally = tallies[key] = _Tally()
            tally.decided += 1
            if hit:
                tally.hits += 1
            else:
                tally.missed_count += 1
                if self.top is None or len(tally.missed) < self.top:
                    tally.missed.append(str(row.get("ticket_id")))
        if status == "breached":
            self._breach(row, metric, key, elapsed)

    def _breach(self, row: Mapping[str, Any], metric: str, key: tuple[Any, ...],
                elapsed: float) -> None:  # fmt: skip
        target = row.get("target_business_s")
        if target is None:  # rows from an older results file
            used = float(row.get("share_used") or row.get("used") or 0)
            target = elapsed / used if used else 0.0
        deadline = row.get("deadline")
        end = row.get("stopped_at")
        late_wall = None
        if isinstance(deadline, datetime):
            if isinstance(end, datetime):
                late_wall = end - deadline
            elif row.get("wall_remaining_s") is not None:
                late_wall = -timedelta(seconds=float(row["wall_remaining_s"]))
        late = elapsed - float(target)
        b = Breach(
            ticket_id=str(row.get("ticket_id")),
            metric=metric,
            cycle=int(row.get("cycle") or 0),
            severity=str(row.get("severity")),
            group=key,
            deadline=deadline if isinstance(deadline, datetime) else None,
            late_business=timedelta(seconds=round(late)),
            late_wall=late_wall,
        )
        self.breach_count += 1
        if self.on_breach is not None:
            self.on_breach(b)
        item = (late, -next(self._seq), b)  # ties: the earlier breach ranks higher
        if self.top is None:
            self.breaches.append(item)
        elif self.top > 0:
            if len(self.breaches) < self.top:
                heapq.heappush(self.breaches, item)
            elif item[:2] > self.breaches[0][:2]:
                heapq.heapreplace(self.breaches, item)

    def check_by(self) -> None:
        for name in self.by:
            if name not in BUCKETS and name not in self.found and self.rows:
                names = sorted({k.removeprefix(FIELD_PREFIX) for k in self.known} | set(BUCKETS))
                raise ConfigError(f"cannot group by {name!r}; known columns: {names}")

    def sorted_cells(self, metric: str | None) -> list[tuple[tuple[str, tuple[Any, ...]], _Cell]]:
        self.check_by()
        items = [(k, c) for k, c in self.cells.items() if metric is None or k[0] == metric]
        return sorted(items, key=lambda kv: (str(kv[0][1]), str(kv[0][0])))


# -- the report -------------------------------------------------------------------------


class Report:
    """Result rows of many tickets, aggregated as they arrive, and the questions support
    leads ask of them.

    ``rows`` are result rows, plain (as files hold them) or typed; ``by`` the grouping
    aggregated as rows arrive (ticket fields, result columns, or creation buckets
    ``day`` / ``week`` / ``month`` / ``quarter`` / ``year``); ``objectives`` the objectives
    tallied as rows arrive (:class:`ObjectiveSpec`, or an agreement's objectives).
    ``keep_rows=False`` keeps memory flat: the report then answers only ``by`` and
    ``objectives``. ``top`` bounds the breaches (and the ids of missed tickets per
    objective and group) kept, the most late first; ``on_breach`` is called with every
    breach as it is found (to write them all to a file). ``tz`` is the zone of day / week /
    month buckets (default: the zone of ``policy``'s default calendar, else UTC; a table
    grouped by a bucket says which)."""

    def __init__(
        self,
        rows: Iterable[Mapping[str, Any]] = (),
        *,
        by: Sequence[str] = (),
        objectives: Iterable[ObjectiveSpec | _ObjectiveLike] = (),
        keep_rows: bool = True,
        top: int | None = None,
        on_breach: Callable[[Breach], None] | None = None,
        tz: str | tzinfo | None = None,
        policy: Policy | None = None,
    ) -> None:
        if top is not None and top < 0:
            raise ConfigError(f"top={top!r} must be 0 or more (how many breaches to keep)")
        # -- buckets in a stated zone (issue 10): tables grouped by one name it ----------
        self.policy = policy
        self.tz, self.tz_name, self._tz_source = resolve_zone(tz, policy)
        self.by = tuple(by)
        self.objectives = tuple(ObjectiveSpec.of(o) for o in objectives)
        self.keep_rows = keep_rows
        self.top = top
        self._rows: list[dict[str, Any]] | None = [] if keep_rows else None
        self._main = _Aggregate(self.by, self.objectives, top, on_breach, self.tz)
        self._cache: dict[tuple[tuple[str, ...], tuple[ObjectiveSpec, ...]], _Aggregate] = {}
        self._notes: Notes | None = None  # what statements keep from from_results()
        self.add(rows)

    def add(self, rows: Iterable[Mapping[str, Any]], *, typed: bool = False) -> None:
        """Aggregate more rows; ``typed=True`` when they are already typed (from
        :func:`slaclock.io.typed_rows`), which skips decoding them."""
        self._cache.clear()
        main, kept = self._main, self._rows
        for raw in rows:
            row = dict(raw) if typed else decode_row(dict(raw))
            main.add(row)
            if kept is not None:
                kept.append(row)

    @classmethod
    def from_results(
        cls, results: Iterable[tuple[Ticket, TicketSla]], *, fields: Sequence[str] = (),
        **options: Any,
    ) -> Report:  # fmt: skip
        """From ``(ticket, evaluate(ticket, policy))`` pairs; ``options`` as for the
        constructor."""
        report = cls(**options)
        notes = Notes()
        for ticket, sla in results:
            report.add(typed_rows(sla, ticket, fields=fields), typed=True)
            notes.add(sla)
        report._notes = notes
        return report

    def statement(
        self,
        *,
        customer: str,
        month: str,
        by: str = "customer",
        tz: str | tzinfo | None = None,
        objectives: Iterable[Any] | None = None,
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

    def compare(self, other: Report, *, names: tuple[str, str] = ("before", "after")) -> Comparison:
        """This report (the same tickets under one agreement) beside ``other`` (under
        another), built with the same ``by``: attainment side by side and the clocks whose
        status changes (those need ``keep_rows=True`` on both); see
        :class:`slaclock.compare.Comparison`."""
        from .compare import compare_reports

        return compare_reports(self, other, names=names)

    @classmethod
    def from_file(cls, path: str | Path, **options: Any) -> Report:
        """From a results file written by ``slaclock evaluate`` (CSV, JSONL or JSON),
        streamed."""
        report = cls(**options)
        report.add(iter_results(path), typed=True)
        return report

    @classmethod
    def from_pandas(cls, frame: pd.DataFrame, **options: Any) -> Report:
        """From a DataFrame with the columns of :meth:`to_pandas`."""
        return cls(frame.to_dict(orient="records"), **options)

    @property
    def rows(self) -> tuple[dict[str, Any], ...]:
        """The typed rows (only with ``keep_rows=True``)."""
        if self._rows is None:
            raise ConfigError(
                "this report was built with keep_rows=False and holds no rows; build it "
                "with keep_rows=True to keep them"
            )
        return tuple(self._rows)

    def to_pandas(self) -> pd.DataFrame:
        """One row per clock, times as ISO 8601 text as in the CSV output (needs pandas
        and ``keep_rows=True``)."""
        import pandas as pd

        return pd.DataFrame.from_records([encode_row(r) for r in self.rows])

    def __len__(self) -> int:
        return self._main.rows

    def _titled(self, title: str, by: Sequence[str]) -> str:
        """A table title that says the zone of its buckets, when it has any."""
        if not any(b in BUCKETS for b in by):
            return title
        how = ": no policy or tz given" if self._tz_source == "default" else ""
        return f"{title} (buckets in {self.tz_name}{how})"

    @property
    def breach_count(self) -> int:
        """How many clocks are breached (all of them, whatever ``top`` keeps)."""
        return self._main.breach_count

    @property
    def metrics(self) -> tuple[str, ...]:
        """The metrics seen, in order of first appearance."""
        return tuple(dict.fromkeys(m for m, _ in self._main.cells))

    def plot(self, *, metric: str | None = None, bucket: str = "month", ax: Any = None) -> Any:
        """Share met per ``bucket`` of creation (day, week, month, quarter, year), one line
        per metric (needs matplotlib); returns the ``Axes``."""
        from .plot import plot_attainment

        return plot_attainment(self, metric=metric, bucket=bucket, ax=ax)

    def _repr_html_(self) -> str:
        return self.attainment()._repr_html_()

    def _aggregate(
        self, by: Sequence[str] | None, objective: ObjectiveSpec | None = None
    ) -> tuple[_Aggregate, int | None]:
        """The aggregate for ``by`` (and ``objective``), with the index of the objective's
        tallies in it."""
        key = self.by if by is None else tuple(by)
        if key == self.by:
            if objective is None:
                return self._main, None
            for i, spec in enumerate(self.objectives):
                if spec._same(objective):
                    return self._main, i
        specs = () if objective is None else (objective,)
        cached = self._cache.get((key, specs))
        if cached is None:
            if self._rows is None:
                what = f"by={list(key)!r}"
                if key == self.by and objective is not None:
                    what = f"the {objective.title}"
                raise ConfigError(
                    f"this report keeps no rows (keep_rows=False) and was built for "
                    f"by={list(self.by)!r} and objectives {[o.title for o in self.objectives]}; "
                    f"to ask for {what}, declare it when building the report"
                )
            cached = _Aggregate(key, specs, None, None, self.tz)
            for row in self._rows:
                cached.add(row)
            self._cache[(key, specs)] = cached
        return cached, (None if objective is None else 0)

    # -- questions ------------------------------------------------------------------

    def attainment(self, *, by: Sequence[str] | None = None, metric: str | None = None) -> Table:
        """Share met (of met + breached), breached, still running, per metric and group;
        internal targets side by side. ``by`` defaults to the report's grouping."""
        agg, _ = self._aggregate(by)
        out = []
        for (m, key), c in agg.sorted_cells(metric):
            decided = c.met + c.breached
            out.append(
                AttainmentRow(
                    group=key, metric=m, total=c.total, met=c.met, breached=c.breached,
                    running=c.running, paused=c.paused,
                    share_met=c.met / decided if decided else None,
                    internal_met=c.i_met, internal_breached=c.i_breached,
                    internal_share_met=(
                        c.i_met / (c.i_met + c.i_breached) if c.i_met + c.i_breached else None
                    ),
                )
            )  # fmt: skip
        return Table(self._titled("Attainment", agg.by), agg.by, out)

    def objective(
        self,
        metric: str,
        share: float,
        *,
        within: str | timedelta | Duration | None = None,
        by: Sequence[str] | None = None,
        severities: Sequence[str] = (),
    ) -> Table:
        """Check "``share`` of ``metric`` within ``within`` business time" per group
        (counting only clocks of ``severities`` when given).

        Without ``within`` a clock counts as a hit when it met its own target. Clocks
        still counting are not decided yet and left out of the share (one that has
        already used more than ``within`` is a decided miss).
        """
        spec = ObjectiveSpec(
            metric, share, None if within is None else Duration.parse(within), tuple(severities)
        )
        agg, index = self._aggregate(by, spec)
        assert index is not None
        tallies = agg.tallies[index]
        out = []
        for (m, key), _ in agg.sorted_cells(metric):
            t = tallies.get(key) or _Tally()
            got = t.hits / t.decided if t.decided else None
            out.append(
                ObjectiveRow(
                    group=key, metric=m, decided=t.decided, hits=t.hits, share=got,
                    objective=share, ok=None if got is None else got >= share,
                    missed_count=t.missed_count, missed=tuple(t.missed),
                )
            )  # fmt: skip
        return Table(self._titled(spec.title, agg.by), agg.by, out)

    def percentiles(
        self,
        metric: str | None = None,
        *,
        q: Sequence[float] = (50, 90, 95),
        by: Sequence[str] | None = None,
    ) -> Table:
        """Percentiles (nearest rank) of the business time used by stopped clocks, per
        metric (all of them unless ``metric``) and group; every group has every
        percentile column, ``None`` where no clock stopped."""
        for p in q:
            if not 0 <= p <= 100:
                raise ConfigError(f"percentile {p!r} must be between 0 and 100")
        agg, _ = self._aggregate(by)
        out = []
        for (m, key), c in agg.sorted_cells(metric):
            if c.unsorted:
                c.stopped = array("d", sorted(c.stopped))
                c.unsorted = False
            values = c.stopped
            pcts = tuple(
                (float(p), None if not values else timedelta(seconds=_nearest_rank(values, p)))
                for p in q
            )
            out.append(PercentileRow(group=key, metric=m, count=len(values), percentiles=pcts))
        title = f"Business time of {metric}" if metric else "Business time used (stopped clocks)"
        return Table(self._titled(title, agg.by), agg.by, out)

    def breaches(
        self,
        *,
        metric: str | None = None,
        by: Sequence[str] | None = None,
        top: int | None = None,
    ) -> Table:
        """The breached clocks grouped by ``by`` (the report's grouping by default), latest
        deadline last within a group; the ``top`` most late of them when the report (or
        this call) bounds them. The title says how many there are in all."""
        agg, _ = self._aggregate(by)
        agg.check_by()
        ranked = sorted(
            (item for item in agg.breaches if metric is None or item[2].metric == metric),
            key=lambda item: item[:2],
            reverse=True,
        )
        items = [b for _, _, b in (ranked if top is None else ranked[:top])]
        total = agg.breach_count if metric is None else None
        items.sort(key=lambda b: (str(b.group), b.deadline is None,
                                  b.deadline or datetime.min, b.ticket_id))  # fmt: skip
        note = ""
        if total is not None and total > len(items):
            note = f"(the {len(items)} most late of {total:,} breached clocks)"
        return Table(self._titled("Breaches", agg.by), agg.by, items, note=note)


def _nearest_rank(values: Sequence[float], p: float) -> float:
    rank = max(1, math.ceil(p / 100 * len(values)))
    return values[min(rank, len(values)) - 1]
