"""``slaclock audit``, ``slaclock compare`` and ``--from``: helpdesk exports on the
command line.

::

    slaclock evaluate|report|statement EXPORT --from zendesk --policy P ...
    slaclock audit EXPORT --from zendesk --policy P [--now T] [--tolerance 60s]
                   [--format text|json|csv] [-o OUT] [--fail-on-mismatch]
    slaclock compare EVENTS --policy current.toml --policy proposed.toml [--by customer]
                   [--from zendesk] [--format text|json|csv] [-o OUT]

``--from`` replaces the event-log reader with :func:`slaclock.adapters.read` over a
directory of exported files (:mod:`slaclock._cli_export`). ``cli.py`` hooks the commands
in with :func:`add_audit_parsers`. Building the parsers imports nothing heavy (``slaclock
--help`` stays fast): the handlers import the library, and the CLI's shared helpers, when
they run.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._format import csv_cell
from ._reader import DEFAULT_ENCODING
from .adapters import SOURCES
from .durations import Duration
from .errors import ConfigError, SlaClockError

if TYPE_CHECKING:  # pragma: no cover
    from .audit import AuditReport, AuditRow
    from .compare import Comparison
    from .results import TicketSla
    from .ticket import Ticket

__all__ = ["add_audit_parsers", "add_from_option", "run_audit", "run_compare"]


def add_from_option(p: argparse.ArgumentParser, *, required: bool = False) -> None:
    p.add_argument(
        "--from",
        dest="source",
        choices=SOURCES,
        required=required,
        metavar="|".join(SOURCES),
        help="read a helpdesk export: the positional argument is then the directory of "
        "its files as the API returns them (see the helpdesk guides)",
    )


# -- audit -------------------------------------------------------------------------------


def _tolerance(text: str) -> timedelta:
    try:
        d = Duration.parse(text)
    except SlaClockError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if d.is_business_days:
        raise argparse.ArgumentTypeError(
            f"{text!r}: a tolerance is wall time; give seconds or minutes, e.g. 60s"
        )
    return timedelta(microseconds=d.microseconds)


def _add_audit_parser(sub: Any) -> None:
    from .cli import _on_error

    p: argparse.ArgumentParser = sub.add_parser(
        "audit",
        help="compare a helpdesk's recorded SLA results with slaclock's, cycle by cycle",
        description="Evaluate a helpdesk export and compare every SLA cycle with the one "
        "the helpdesk recorded: breached or not, breach instant, deadline, fulfilled "
        "instant, business time, target.",
    )
    p.add_argument("events", metavar="EXPORT", help="the directory of the export's files")
    add_from_option(p, required=True)
    p.add_argument("--policy", required=True, help="agreement file (.toml or .json)")
    p.add_argument(
        "--now",
        help="evaluate every ticket at this instant (ISO 8601 with offset); default: the "
        "latest event in the export. Recorded breaches and stops after it count as not "
        "yet happened",
    )
    p.add_argument(
        "--tolerance",
        type=_tolerance,
        default=timedelta(0),
        help="instants and durations this close agree (e.g. 60s; default 0s)",
    )
    p.add_argument("--format", choices=["text", "json", "csv"], default="text")
    p.add_argument("--output", "-o", help="write here instead of standard output")
    p.add_argument("--timezone", help="show instants in this zone (IANA name)")
    p.add_argument(
        "--fail-on-mismatch",
        action="store_true",
        help="exit 1 when any cycle disagrees or exists on one side only",
    )
    p.add_argument("--assume-timezone", help="zone of times without an offset (servicenow exports)")
    p.add_argument(
        "--on-error", type=_on_error, default=("fail", None),
        metavar="fail|skip|quarantine=FILE",
        help="a ticket the agreement cannot evaluate stops the run (fail, default) or is "
        "set aside (skip; quarantine also writes it to FILE)",
    )  # fmt: skip
    p.add_argument(
        "--allow-rejects", action="store_true", help="exit 0 even when tickets were set aside"
    )
    p.add_argument(
        "--raw-csv", action="store_true", help="write CSV cells as they are (no neutralising)"
    )
    p.add_argument(
        "--progress", action=argparse.BooleanOptionalAction, default=None,
        help="progress on stderr (default: when stderr is a terminal)",
    )  # fmt: skip
    p.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS,
        help="print the traceback of an internal error",
    )  # fmt: skip
    # what cli._Run reads of an event log's options: unset here
    p.set_defaults(
        func=run_audit, columns=None, dayfirst=None, encoding=DEFAULT_ENCODING, delimiter=None,
        grouped=False,
    )  # fmt: skip


def run_audit(args: argparse.Namespace) -> int:
    """Handle ``slaclock audit``: 0, or 1 with ``--fail-on-mismatch`` when a cycle does
    not agree, or 2 for bad input (and tickets set aside, unless ``--allow-rejects``)."""
    from . import adapters
    from ._cli_export import TIMEZONE_OPTION
    from .audit import Auditor
    from .cli import (
        EXIT_BREACHES,
        EXIT_OK,
        _check_outputs,
        _load_policy,
        _Run,
        _zone,
    )

    policy = _load_policy(args.policy)
    tz = _zone(args.timezone, "--timezone")
    _check_outputs(args, ("--output", args.output))
    options = {"assume_timezone": args.assume_timezone} if args.assume_timezone else {}
    if args.source not in TIMEZONE_OPTION:
        options = {}
    recorded = list(adapters.read_recorded(args.source, args.events, **options))
    from ._atomic import AtomicOutput

    auditors: list[Auditor] = []
    with _Run(args, policy) as run, AtomicOutput(args.output) as out:

        def start(header: str) -> Callable[[Ticket, TicketSla], None]:
            auditor = Auditor(
                recorded, policy, now=run.as_of, tolerance=args.tolerance,
                helpdesk=args.source, as_of_source=run.source,
            )  # fmt: skip
            auditors[:] = [auditor]
            return auditor.add

        run.run(start)
        report = auditors[0].finish()
        out.fh.write(_render_audit(report, args, tz, run.log.rejected))
        out.commit()
    status: int = run.finish()
    if status != EXIT_OK:
        return status
    return EXIT_BREACHES if args.fail_on_mismatch and report.has_mismatch else EXIT_OK


def _machine(value: Any, tz: tzinfo | None) -> Any:
    if isinstance(value, datetime):
        return (value.astimezone(tz) if tz is not None else value).isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    return value


def _audit_record(row: AuditRow, tz: tzinfo | None, *, lines: bool) -> dict[str, Any]:
    """A row for JSON and CSV: durations in seconds (``_s`` columns), instants as ISO
    8601 text; the explanation as a list of spans (JSON) or text (CSV)."""
    out: dict[str, Any] = {}
    for k, v in row.record().items():
        if k == "explain":
            continue
        if k.endswith(("business_elapsed", "target")):
            out[f"{k}_s"] = _machine(v, tz)
        else:
            out[k] = _machine(v, tz)
    if lines:
        out["explain"] = [
            {"start": _machine(ln.start, tz), "end": _machine(ln.end, tz),
             "counted": ln.counted, "reason": ln.reason,
             "business_s": ln.business.total_seconds()}
            for ln in row.explain
        ]  # fmt: skip
    else:
        out["explain"] = row.record()["explain"]
    return out


def _render_audit(
    report: AuditReport, args: argparse.Namespace, tz: tzinfo | None, rejected: int
) -> str:
    if args.format == "text":
        return report.to_text(tz=tz)
    if args.format == "json":
        total = report.total
        doc = {
            "helpdesk": report.helpdesk,
            "as_of": _machine(report.now, tz),
            "as_of_source": report.as_of_source,
            "tolerance_s": report.tolerance.total_seconds(),
            "tickets": report.tickets,
            "cycles": len(report),
            "agree": total.agree,
            "disagree": total.disagree,
            "only_theirs": total.only_theirs,
            "only_ours": total.only_ours,
            "rejected": rejected,
            "counts": [
                {
                    "metric": c.metric,
                    "compared": c.compared,
                    "agree": c.agree,
                    "disagree": c.disagree,
                    "only_theirs": c.only_theirs,
                    "only_ours": c.only_ours,
                }
                for c in report.counts
            ],
            "rows": [_audit_record(r, tz, lines=True) for r in report.rows],
        }
        return json.dumps(doc, indent=2) + "\n"
    records = [_audit_record(r, tz, lines=False) for r in report.rows]
    from .audit import AuditRow

    columns = list(_audit_record(AuditRow("", "", 0, "agree"), None, lines=False))
    return _csv(columns, records, raw=args.raw_csv)


def _csv(columns: Sequence[str], records: Sequence[Mapping[str, Any]], *, raw: bool) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([csv_cell(c, raw=raw) for c in columns])
    for r in records:
        writer.writerow(["" if r.get(c) is None else csv_cell(r.get(c), raw=raw) for c in columns])
    return buf.getvalue()


# -- compare -------------------------------------------------------------------------------


def _add_compare_parser(sub: Any) -> None:
    from .cli import _add_events_args

    p: argparse.ArgumentParser = sub.add_parser(
        "compare",
        help="replay the same tickets under two agreements and compare them",
        description="Evaluate every ticket under two agreements (--policy twice: the "
        "current one, then the proposed one) and show attainment side by side and the "
        "clocks whose status changes.",
        conflict_handler="resolve",
    )
    _add_events_args(p)
    p.add_argument(
        "--policy",
        action="append",
        required=True,
        help="agreement file; give it twice: the current agreement, then the proposed one",
    )
    p.add_argument(
        "--fail-on-breach",
        action="store_true",
        help="exit 1 when the second agreement has more breached clocks than the first",
    )
    p.add_argument("--by", help="group by fields / buckets, e.g. customer,month")
    p.add_argument("--format", choices=["text", "json", "csv"], default="text")
    p.add_argument("--output", "-o", help="write here instead of standard output")
    p.add_argument("--timezone", help="zone of day/week/month buckets and of the times shown")
    p.set_defaults(func=run_compare)


def _names(paths: Sequence[str]) -> tuple[str, str]:
    a, b = (Path(p).stem for p in paths)
    if a == b:
        return (str(paths[0]), str(paths[1]))
    return (a, b)


def run_compare(args: argparse.Namespace) -> int:
    """Handle ``slaclock compare``: 0, or 1 with ``--fail-on-breach`` when the second
    agreement breaches more clocks, or 2 for bad input."""
    from ._atomic import AtomicOutput
    from .cli import EXIT_BREACHES, EXIT_OK, _by, _load_policy, _Run, _zone
    from .compare import Comparer
    from .engine import evaluate

    if len(args.policy) != 2:
        raise ConfigError(
            f"--policy given {len(args.policy)} time(s); compare takes exactly two: "
            "--policy current.toml --policy proposed.toml"
        )
    first, second = (_load_policy(p) for p in args.policy)
    names = _names(args.policy)
    by = _by(args.by)
    tz = _zone(args.timezone, "--timezone")
    from ._atomic import check_distinct

    check_distinct(
        [("--output", args.output), ("--on-error quarantine=", args.on_error[1])],
        [args.events, *args.policy],
    )
    comparers: list[Comparer] = []
    with _Run(args, first) as run, AtomicOutput(args.output) as out:

        def start(header: str) -> Callable[[Ticket, TicketSla], None]:
            comparer = Comparer(first, second, by=by, names=names, tz=args.timezone)
            comparers[:] = [comparer]

            def sink(ticket: Ticket, sla: TicketSla) -> None:
                try:
                    other = evaluate(ticket, second, now=sla.now)
                except SlaClockError as exc:
                    raise ConfigError(f"{args.policy[1]}: {exc}") from None
                comparer.add(ticket, sla, other)

            return sink

        run.run(start)
        comparer = comparers[0]
        comparison = comparer.result()
        out.fh.write(_render_compare(comparison, comparer.tickets, run, args, tz))
        out.commit()
    status: int = run.finish()
    if status != EXIT_OK:
        return status
    more = sum(r.more_breaches for r in comparison.attainment.rows)
    return EXIT_BREACHES if args.fail_on_breach and more > 0 else EXIT_OK


def _render_compare(
    comparison: Comparison, tickets: int, run: Any, args: argparse.Namespace, tz: tzinfo | None
) -> str:
    a, b = comparison.names
    changes = comparison.changes.records() if comparison.changes is not None else []
    if args.format == "json":
        doc = {
            "before": a,
            "after": b,
            "as_of": _machine(run.as_of, tz),
            "as_of_source": run.source,
            "tickets": tickets,
            "by": list(comparison.by),
            "summary": comparison.summary(),
            "attainment": [
                {k: _machine(v, tz) for k, v in r.items()} for r in comparison.attainment.records()
            ],
            "changes": [{k: _machine(v, tz) for k, v in r.items()} for r in changes],
        }
        return json.dumps(doc, indent=2) + "\n"
    if args.format == "csv":
        rows = [{"table": "attainment", **r} for r in comparison.attainment.records()]
        rows += [{"table": "changes", **r} for r in changes]
        cols: dict[str, None] = {"table": None}
        for r in rows:
            cols.update(dict.fromkeys(r))
        recs = [{k: _machine(v, tz) for k, v in r.items()} for r in rows]
        return _csv(list(cols), recs, raw=args.raw_csv)
    head = f"What if: {a} → {b}, {run.header()}"
    return f"{head}\n{tickets:,} tickets\n\n{comparison.to_text(tz=tz)}"


def add_audit_parsers(sub: Any) -> None:
    """Add ``audit`` and ``compare`` to the ``slaclock`` command's subparsers."""
    _add_audit_parser(sub)
    _add_compare_parser(sub)
