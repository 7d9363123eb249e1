"""The ``slaclock statement`` subcommand: one self-contained HTML statement per customer
and month (see :mod:`slaclock.statement`).

``cli.py`` hooks it in with :func:`add_statement_parser`. Building the parser imports
nothing heavy (``slaclock --help`` stays fast): :func:`run_statement` imports the library,
and the CLI's shared helpers, when it runs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    from .results import TicketSla
    from .ticket import Ticket

__all__ = ["add_statement_parser", "run_statement"]

_EPILOG = """\
Tickets count in the month they were created, in --timezone (default: the zone of the
policy's default calendar). Clocks are evaluated at --now, by default the end of the month
(or the current time while the month is not over); the page states both. Private
(internal) targets appear only with --internal.

examples:
  slaclock statement events.csv --policy policy.toml --customer acme --month 2026-11 \\
      -o acme-2026-11.html
  slaclock statement events.csv --policy policy.toml --all-customers statements/ \\
      --month 2026-11 --by organization --objective first_response:0.9:6h
"""


def add_statement_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    """Add ``statement`` to the ``slaclock`` command's subparsers; returns its parser."""
    from .cli import _add_events_args

    p = subparsers.add_parser(
        "statement",
        help="monthly SLA statement per customer, as a self-contained HTML page",
        description="Write the monthly SLA statement of one customer, or of every customer.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_events_args(p)
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--customer", help="the customer (a value of the --by field)")
    who.add_argument(
        "--all-customers",
        metavar="DIR",
        help="one statement per customer with tickets in the month, written into DIR",
    )
    p.add_argument("--month", required=True, help="the month, YYYY-MM (e.g. 2026-11)")
    p.add_argument(
        "--output", "-o", help="with --customer: the HTML file ('-' for standard output)"
    )
    p.add_argument(
        "--by", default="customer", help="the ticket field naming the customer (default customer)"
    )
    p.add_argument("--timezone", help="IANA zone of the month and of the times on the page")
    p.add_argument(
        "--internal", action="store_true", help="also show the private (internal) targets"
    )
    p.add_argument(
        "--objective",
        action="append",
        help="metric:share[:within], e.g. first_response:0.9:6h (repeatable; replaces the "
        "policy's objectives)",
    )
    p.add_argument(
        "--granularity",
        choices=["auto", "day", "week"],
        default="auto",
        help="the attainment chart's periods (auto: days when the month is busy)",
    )
    p.set_defaults(func=run_statement)
    return p


def _customer_of(ticket: Ticket, by: str) -> Any:
    if by in ticket.fields:
        return ticket.fields[by]
    return getattr(ticket, by, None) if by in ("plan", "severity") else None


def run_statement(args: argparse.Namespace) -> int:
    """Handle ``slaclock statement``; returns the exit code."""
    from .cli import _Bar, _parse_instant, _show_progress
    from .engine import evaluate
    from .io import ColumnMap, read_tickets
    from .policy import Policy
    from .report import Report
    from .statement import (
        _created,
        _field,
        _months_back,
        _parse_month,
        customers,
        parse_objective,
        resolve_zone,
        safe_filename,
    )

    if args.all_customers is not None and args.output is not None:
        raise ConfigError(
            f"--output {args.output!r} goes with --customer; --all-customers writes one file "
            "per customer into its folder"
        )
    policy = Policy.from_file(args.policy)
    zone, _, _ = resolve_zone(args.timezone, policy)
    year, mon = _parse_month(args.month)
    after = datetime(year + mon // 12, mon % 12 + 1, 1, tzinfo=zone)
    months = _months_back(args.month, 6)
    since = datetime(*_parse_month(months[0]), 1, tzinfo=zone)
    if args.now:
        now = _parse_instant(args.now, "--now")
    else:
        now = min(after, datetime.now(UTC).astimezone(zone))
    objectives = [parse_objective(x) for x in args.objective] if args.objective else None
    bar = _Bar(_show_progress(args))
    seen: set[str] = set()  # customers of the period, to name them when --customer is unknown

    def pairs() -> Iterator[tuple[Ticket, TicketSla]]:
        if args.source:  # --from: a helpdesk export
            from ._cli_export import export_tickets

            tickets = export_tickets(args, progress=bar.update)
        else:
            tickets = read_tickets(
                args.events,
                columns=ColumnMap.parse(args.columns),
                assume_timezone=args.assume_timezone,
                grouped=args.grouped,
                progress=bar.update,
            )
        for ticket in tickets:
            if not since <= ticket.created_at < after or ticket.created_at > now:
                continue
            value = _customer_of(ticket, args.by)
            if value not in (None, ""):
                seen.add(str(value))
            if args.customer is not None and (value is None or str(value) != args.customer):
                continue
            yield ticket, evaluate(ticket, policy, now=now)
            bar.tick()
        bar.close()

    report = Report.from_results(pairs(), policy=policy, tz=zone)
    if args.customer is not None:
        if not report.rows:
            known = ", ".join(map(repr, sorted(seen)[:20])) or "none"
            raise ConfigError(
                f"no ticket created from {since:%Y-%m-%d} to {args.month} has {args.by} = "
                f"{args.customer!r}; {args.by} values there: {known}"
            )
        names = [args.customer]
    else:
        names = customers(report, args.month, by=args.by)
        if not names:
            print(
                f"no ticket created in {args.month} ({report.tz_name}) has a {args.by!r} "
                "field; no statement written"
            )
            return 0
    breached = False
    written: list[str] = []
    for name in names:
        statement = report.statement(
            customer=name,
            month=args.month,
            by=args.by,
            objectives=objectives,
            internal=args.internal,
            now=now,
            granularity=args.granularity,
        )
        breached |= bool(statement.breaches)
        if args.customer is not None and args.output == "-":
            sys.stdout.write(statement.html())
            continue
        if args.customer is not None:
            path = Path(args.output or safe_filename(name, args.month))
        else:
            folder = Path(args.all_customers)
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / safe_filename(name, args.month)
        statement.write(path)
        n, b = statement.tickets, len(statement.breaches)
        written.append(
            f"{path}  ({name}: {n} ticket{'s' if n != 1 else ''}, "
            f"{b} breach{'es' if b != 1 else ''})"
        )
    if written:
        print(f"{len(written)} statement{'s' if len(written) != 1 else ''} for {args.month}, "
              f"as of {now.isoformat()}:")  # fmt: skip
        print("\n".join(written))
    if args.all_customers is not None:
        unassigned = {
            str(r.get("ticket_id"))
            for r in report.rows
            if _field(r, args.by) in (None, "")
            and f"{_created(r) or after:%Y-%m}" == args.month  # rows carry created_at
        }
        if unassigned:
            print(
                f"{len(unassigned)} ticket(s) of {args.month} have no {args.by!r}: in no statement"
            )
    return 1 if breached and args.fail_on_breach else 0
