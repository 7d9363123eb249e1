"""The ``slaclock`` command: a thin layer that parses arguments, calls the library and
prints. Exit codes: 0 fine, 1 breaches found (with ``--fail-on-breach``), 2 bad input."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import IO, Any

from ._cli_statement import add_statement_parser  # LOCAL HOOK (issue 10), lead adds in main
from ._model import load_mapping
from .calendar import Calendar
from .durations import Duration
from .engine import evaluate
from .errors import ConfigError, SlaClockError
from .io import ColumnMap, read_tickets, result_rows, write_results
from .policy import Policy
from .report import Report
from .ticket import Ticket

DEMO_NOW = "2026-11-27T12:00:00-05:00"


class _Bar:
    """A progress bar on stderr: share of the file read (then of the partitions grouped),
    tickets done and their rate."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.phase, self.share, self.tickets = "reading", 0.0, 0
        self.start = self.last = time.monotonic()

    def update(self, phase: str, share: float) -> None:
        self.phase, self.share = phase, share

    def tick(self) -> None:
        self.tickets += 1
        now = time.monotonic()
        if self.enabled and now - self.last >= 0.2:
            self.last = now
            width = 30
            filled = int(self.share * width)
            rate = self.tickets / (now - self.start) if now > self.start else 0.0
            sys.stderr.write(
                f"\r{self.phase:<8} [{'#' * filled}{'.' * (width - filled)}] "
                f"{self.share:4.0%}  {self.tickets:,} tickets  {rate:,.0f}/s "
            )
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            took = time.monotonic() - self.start
            sys.stderr.write(
                f"\rdone     [{'#' * 30}] 100%  {self.tickets:,} tickets in {took:.1f}s   \n"
            )


def _show_progress(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "progress", None)) or (
        getattr(args, "progress", None) is None and sys.stderr.isatty()
    )


def _data(name: str) -> Path:
    return Path(str(resources.files("slaclock") / "data" / name))


def _parse_instant(text: str, name: str = "instant") -> datetime:
    try:
        t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(
            f"malformed {name} {text!r}; use ISO 8601 with an offset, e.g. 2026-11-20T16:00-05:00"
        ) from None
    if t.utcoffset() is None:  # an instant needs an offset; never guess the zone
        raise ConfigError(
            f"{name} {text!r} has no UTC offset; write e.g. {text}+00:00 or {text}-05:00"
        )
    return t


def _evaluated(args: argparse.Namespace, policy: Policy) -> Iterator[tuple[Ticket, Any]]:
    now = _parse_instant(args.now, "--now") if args.now else None
    bar = _Bar(_show_progress(args))
    tickets = read_tickets(
        args.events,
        columns=ColumnMap.parse(args.columns),
        assume_timezone=args.assume_timezone,
        grouped=args.grouped,
        progress=bar.update,
    )
    for ticket in tickets:
        yield ticket, evaluate(ticket, policy, now=now)
        bar.tick()
    bar.close()


def _cmd_demo(args: argparse.Namespace) -> int:
    policy = Policy.from_file(_data("sample_policy.toml"))
    now = _parse_instant(DEMO_NOW)
    tickets = sorted(read_tickets(_data("sample_events.csv"), grouped=True), key=lambda t: t.id)
    pairs = [(t, evaluate(t, policy, now=now)) for t in tickets]
    print("slaclock demo — the built-in 'Premier Success' agreement and 24 sample tickets")
    print(f"(8x5 New York with US holidays; critical on 24x7), evaluated at {DEMO_NOW}\n")
    header = f"{'ticket':<7} {'sev':<8} {'plan':<8} {'metric':<17} {'status':<9} {'due':<17} used"
    print(header)
    print("-" * len(header))
    for ticket, sla in pairs:
        for m in sla.metrics:
            label = m.label
            due = "—" if m.deadline is None else f"{m.deadline:%a %m-%d %H:%M}"
            flag = "  ⚠ at risk" if m.at_risk else ""
            print(
                f"{ticket.id:<7} {sla.severity:<8} {sla.plan or '':<8} {label:<17} "
                f"{m.status:<9} {due:<17} {m.share_used:6.0%}{flag}"
            )
    report = Report.from_results(pairs)
    print()
    print(report.attainment(by=["customer"], metric="first_response"))
    print()
    print(report.objective("first_response", 0.9, within="6h", by=["customer"]))
    print()
    print(report.breaches())
    print("\nNext: slaclock evaluate EVENTS --policy FILE; slaclock report … --by customer,month")
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    policy = Policy.from_file(args.policy)
    out: IO[str] = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
    breached = False
    try:
        if args.format == "table":
            for _, sla in _evaluated(args, policy):
                breached |= sla.breached
                out.write(str(sla) + "\n")
        else:

            def rows() -> Iterator[dict[str, Any]]:
                nonlocal breached
                for ticket, sla in _evaluated(args, policy):
                    breached |= sla.breached
                    yield from result_rows(sla, ticket)

            write_results(rows(), out, args.format)
    finally:
        if out is not sys.stdout:
            out.close()
    return 1 if breached and args.fail_on_breach else 0


# The columns a report reads; the CLI keeps only these (plus the grouping fields) so a
# report on a large log holds a few hundred bytes per clock.
_REPORT_COLUMNS = (
    "ticket_id", "metric", "cycle", "status", "severity", "stopped_at", "business_elapsed_s",
    "share_used", "internal_status", "created_at", "field.customer",
)  # fmt: skip
_BREACH_COLUMNS = ("deadline", "wall_remaining_s")


def _report_rows(
    pairs: Iterable[tuple[Ticket, Any]], by: Sequence[str]
) -> Iterator[dict[str, Any]]:
    keep = [*_REPORT_COLUMNS, *by, *(f"field.{b}" for b in by)]
    for ticket, sla in pairs:
        for row in result_rows(sla, ticket):
            slim = {k: row[k] for k in keep if k in row}
            if row["status"] == "breached":
                slim.update({k: row[k] for k in _BREACH_COLUMNS})
            for k, v in slim.items():
                if isinstance(v, str) and k != "stopped_at":
                    slim[k] = sys.intern(v)
            yield slim


def _cmd_report(args: argparse.Namespace) -> int:
    policy = Policy.from_file(args.policy)
    by = [b.strip() for b in args.by.split(",") if b.strip()] if args.by else []
    report = Report(_report_rows(_evaluated(args, policy), by))
    print(report.attainment(by=by))
    failed = False
    for spec in args.objective or []:
        metric, _, rest = spec.partition(":")
        share_text, _, within = rest.partition(":")
        try:
            share = float(share_text)
        except ValueError:
            raise ConfigError(
                f"--objective {spec!r} must look like metric:share[:within], "
                "e.g. first_response:0.9:6h"
            ) from None
        table = report.objective(metric, share, within=within or None, by=by)
        print()
        print(table)
        failed |= any(r.ok is False for r in table)
    for metric in ("first_response", "resolution"):
        print()
        print(report.percentiles(metric, by=by))
    breaches = report.breaches()
    print(f"\n{len(breaches)} breached clocks")
    if args.breaches:
        print(breaches)
    return 1 if args.fail_on_breach and (len(breaches) or failed) else 0


def _cmd_deadline(args: argparse.Namespace) -> int:
    cal = _load_calendar(args.calendar, args.timezone)
    start = _parse_instant(args.start, "--start")
    print(cal.add(start, Duration.parse(args.within)).isoformat())
    return 0


def _cmd_calendar(args: argparse.Namespace) -> int:
    cal = _load_calendar(args.file, None)
    print(cal.describe(args.timezone))
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    data = load_mapping(args.file)
    kind = args.kind
    if kind == "auto":
        kind = "calendar" if "timezone" in data and "severities" not in data else "policy"
    model = Calendar if kind == "calendar" else Policy
    try:
        obj = model.model_validate(data)
    except ConfigError as exc:  # name the file, as Policy.from_file does
        raise ConfigError(f"{args.file}: {exc}", exc.errors) from exc
    if isinstance(obj, Policy):
        plans = ", ".join(obj.plans) or "no plans"
        latest = datetime(2199, 1, 1, tzinfo=UTC)  # the terms in force today and after
        editions: list[str | None] = [*obj.plans] or [None]
        sevs = sorted({sev for plan in editions for sev in obj.terms_for(plan, latest).severities})
        print(f"{args.file}: valid policy {obj.name!r} ({plans}; severities {', '.join(sevs)})")
    else:
        print(f"{args.file}: valid calendar")
        print(obj.describe())
    return 0


def _cmd_schema(args: argparse.Namespace) -> int:
    model = Calendar if args.kind == "calendar" else Policy
    print(json.dumps(model.model_json_schema(), indent=2))
    return 0


def _load_calendar(spec: str, timezone: str | None) -> Calendar:
    if spec in ("24x7", "24x5", "8x5"):
        return Calendar.preset(spec, timezone=timezone or "UTC")  # type: ignore[arg-type]
    return Calendar.from_file(spec)


def _add_events_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("events", help="event log: .csv or .jsonl, one event per row")
    p.add_argument("--policy", required=True, help="agreement file (.toml or .json)")
    p.add_argument("--now", help="evaluate at this instant (ISO 8601 with offset)")
    p.add_argument(
        "--columns",
        help="column mapping, e.g. 'ticket=Ticket ID,at=Time,kind=Event,"
        "kinds.Public reply=agent_reply,fields=customer|region'",
    )
    p.add_argument("--assume-timezone", help="zone of timestamps that carry no offset")
    p.add_argument(
        "--grouped", action="store_true", help="rows of each ticket are contiguous (one pass)"
    )
    p.add_argument("--fail-on-breach", action="store_true", help="exit 1 when breaches exist")
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress on stderr (default: when stderr is a terminal)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="slaclock", description="Support SLA clocks on business calendars."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("demo", help="evaluate built-in sample tickets and print a report")
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("evaluate", help="evaluate every ticket of an event log")
    _add_events_args(p)
    p.add_argument("--format", choices=["table", "csv", "jsonl", "json"], default="table")
    p.add_argument("--output", "-o", help="write here instead of standard output")
    p.set_defaults(func=_cmd_evaluate)

    p = sub.add_parser("report", help="attainment, objectives, percentiles, breaches")
    _add_events_args(p)
    p.add_argument("--by", help="group by fields / buckets, e.g. customer,month")
    p.add_argument(
        "--objective",
        action="append",
        help="metric:share[:within], e.g. first_response:0.9:6h (repeatable)",
    )
    p.add_argument("--breaches", action="store_true", help="list every breached clock")
    p.set_defaults(func=_cmd_report)

    add_statement_parser(sub)  # LOCAL HOOK (issue 10), lead adds in main

    p = sub.add_parser("deadline", help="when is a target due on a calendar")
    p.add_argument("--calendar", required=True, help="calendar file (TOML/JSON) or a preset")
    p.add_argument("--timezone", help="time zone for a preset (default UTC)")
    p.add_argument("--start", required=True, help="ISO 8601 instant with offset")
    p.add_argument("--within", required=True, help='duration, e.g. "4h" or "1 business day"')
    p.set_defaults(func=_cmd_deadline)

    p = sub.add_parser("calendar", help="show a calendar's weekly hours, from any zone")
    p.add_argument("file", help="calendar file (TOML/JSON)")
    p.add_argument("--timezone", help="show the hours as seen from this zone")
    p.set_defaults(func=_cmd_calendar)

    p = sub.add_parser("validate", help="check a policy or calendar file")
    p.add_argument("file")
    p.add_argument("--kind", choices=["auto", "policy", "calendar"], default="auto")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("schema", help="print the JSON Schema of the configuration")
    p.add_argument("--kind", choices=["policy", "calendar"], default="policy")
    p.set_defaults(func=_cmd_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except SlaClockError as exc:
        print(f"slaclock: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # pragma: no cover - e.g. piped into head
        return 0
    except OSError as exc:  # a missing events file, an unwritable --output
        print(f"slaclock: error: {exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
