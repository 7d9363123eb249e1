"""``slaclock import``: a helpdesk's agreement or calendars as slaclock TOML.

::

    slaclock import zendesk-policies sla_policies.json [--schedules schedules.json
                                     [--schedule NAME]] [-o policy.toml]
    slaclock import zendesk-schedules schedules.json [--holidays holidays.json] [-o cal.toml]
    slaclock import jira-calendars calendars.json [--recurring-years 10] [-o cal.toml]

The TOML goes to standard output (or ``-o``); what could not be translated is a comment
in it and a warning on standard error. ``cli.py`` calls :func:`add_import_parser`.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from . import importers
from ._atomic import AtomicOutput
from .errors import ConfigError

__all__ = ["add_import_parser"]


def add_import_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``import`` command (with its three kinds) to the CLI's subparsers."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "import", help="turn a helpdesk's SLA policies or calendars into slaclock TOML"
    )
    kinds = p.add_subparsers(dest="kind", required=True)

    k = kinds.add_parser("zendesk-policies", help="Zendesk SLA policies -> a policy")
    k.add_argument("file", help="the GET /api/v2/slas/policies response, saved as JSON")
    k.add_argument("--schedules", help="Zendesk schedules file: the business-hours calendar")
    k.add_argument("--holidays", help="Zendesk holidays file for --schedules")
    k.add_argument("--schedule", help="which schedule (its name) when the file has several")
    k.add_argument("--name", default="Zendesk SLA policies", help="the policy's name")
    _output(k)

    k = kinds.add_parser("zendesk-schedules", help="Zendesk schedules -> calendars")
    k.add_argument("file", help="the GET /api/v2/business_hours/schedules response")
    k.add_argument("--holidays", help="the .../schedules/{id}/holidays response")
    _output(k)

    k = kinds.add_parser("jira-calendars", help="JSM working-hours calendars -> calendars")
    k.add_argument("file", help="the calendars, saved as JSON")
    k.add_argument(
        "--recurring-years", type=int, default=10, help="years a recurring holiday repeats"
    )
    _output(k)
    p.set_defaults(func=run_import)
    return p


def _output(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--output", help="write the TOML here instead of standard output")


def run_import(args: argparse.Namespace) -> int:
    """The handler of ``slaclock import``: 0 when written (warnings on stderr)."""
    if args.kind == "zendesk-policies":
        schedule = None
        if args.schedules:
            cals = importers.zendesk_schedules(args.schedules, holidays=args.holidays)
            found = cals.data["calendars"]
            if args.schedule is not None:
                key = args.schedule if args.schedule in found else importers.slug(args.schedule)
                if key not in found:
                    raise ConfigError(
                        f"--schedule {args.schedule!r} is not in {args.schedules!r}; "
                        f"schedules: {', '.join(found)}"
                    )
                schedule = found[key]
            elif len(found) == 1:
                schedule = next(iter(found.values()))
            else:
                raise ConfigError(
                    f"{args.schedules!r} has {len(found)} schedules ({', '.join(found)}); "
                    "choose one with --schedule"
                )
        result = importers.zendesk_policies(args.file, schedule=schedule, name=args.name)
    elif args.kind == "zendesk-schedules":
        result = importers.zendesk_schedules(args.file, holidays=args.holidays)
    else:
        result = importers.jira_calendars(args.file, recurring_years=args.recurring_years)
    _check(args.kind, result.data)
    for warning in result.warnings:
        print(f"slaclock: warning: {warning}", file=sys.stderr)
    with AtomicOutput(args.output) as out:  # whole or not at all
        out.fh.write(result.toml)
        out.commit()
    return 0


def _check(kind: str, data: dict[str, Any]) -> None:
    """Validate what was imported before writing it: a file ``slaclock validate`` would
    refuse is never written (a ``ConfigError`` naming the problem instead)."""
    from .calendar import Calendar
    from .policy import Policy

    if kind == "zendesk-policies":
        Policy.model_validate(data)
    else:
        for cal in data.get("calendars", {}).values():
            Calendar.model_validate(cal)
