"""The ``slaclock`` command: a thin layer that parses arguments, calls the library and
prints.

The contract (``docs/reference/cli.md``): exit status 0 fine, 1 breaches found (only with
``--fail-on-breach``), 2 bad input or usage (``slaclock: error: FILE:LINE: …`` on
stderr), 3 an internal error (its traceback only with ``--debug``); 130 / 143 after
SIGINT / SIGTERM. No exception escapes :func:`main`. Output files are written whole or
not at all and never onto an input; tickets are evaluated at one instant, stated in the
output.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from importlib import resources
from pathlib import Path
from types import FrameType, TracebackType
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ._atomic import AtomicOutput, check_distinct
from ._cli_audit import add_audit_parsers, add_from_option
from ._cli_import import add_import_parser
from ._cli_statement import add_statement_parser
from ._format import csv_cell, escape_control
from ._instant import parse_instant
from .durations import Duration
from .errors import ConfigError, SlaClockError

# The library proper (pydantic models, the engine, readers, reports) is imported by the
# functions that use it, not here: ``slaclock --help`` and usage errors stay fast.
if TYPE_CHECKING:  # pragma: no cover
    from ._cli_export import ExportLog
    from .calendar import Calendar
    from .io import EventLog, LogTicket, OnError, Reject, RowWriter
    from .policy import Policy
    from .report import Breach, ObjectiveSpec, Report, Table
    from .results import TicketSla
    from .ticket import Ticket

DEMO_NOW = "2026-11-27T12:00:00-05:00"
EXIT_OK: Final = 0
EXIT_BREACHES: Final = 1
EXIT_INPUT: Final = 2
EXIT_INTERNAL: Final = 3
EXIT_SIGINT: Final = 130
EXIT_SIGTERM: Final = 143


class _Terminated(BaseException):
    """SIGTERM, raised where the program is so that every ``with`` block cleans up."""


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
    """An instant given on the command line: ISO 8601 (or another full date and time)
    with an offset; see :func:`slaclock._instant.parse_instant`."""
    return parse_instant(
        text, name=name, error=ConfigError,
        zone_hint=f"write e.g. {text}+00:00 or {text}-05:00",
    )  # fmt: skip


def _note(text: str) -> None:
    print(f"slaclock: {escape_control(text, keep_newlines=True)}", file=sys.stderr)


# -- loading what the command needs ------------------------------------------------------


def _load_policy(path: str) -> Policy:
    from .policy import Policy

    try:
        return Policy.from_file(path)
    except RecursionError:
        raise ConfigError(
            f"{path}: the agreement is nested too deeply to read; flatten it"
        ) from None
    except OverflowError as exc:
        raise ConfigError(f"{path}: a value is out of range ({exc})") from None


def metric_names(policy: Policy) -> list[str]:
    """The metrics an agreement measures (``Policy.metric_names`` when it has them, else
    every metric with a target in any severity, plan or version), in order."""
    names = getattr(policy, "metric_names", None)
    if names is not None:
        return list(names)
    found: dict[str, None] = dict.fromkeys(getattr(policy, "metrics", None) or ())

    def add(severities: Any) -> None:
        for targets in (severities or {}).values():
            if hasattr(targets, "model_dump"):
                found.update(dict.fromkeys(targets.model_dump(exclude_none=True)))
            else:
                found.update(dict.fromkeys(targets or {}))

    add(policy.severities)
    for version in policy.versions:
        add(version.severities)
    for plan in policy.plans.values():
        add(plan.severities)
        for version in plan.versions:
            add(version.severities)
    return list(found)


def _zone(name: str | None, option: str) -> tzinfo | None:
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{option} {name!r} is not a time zone; use an IANA name such as "
            "America/New_York or UTC"
        ) from None


def _by(text: str | None) -> list[str]:
    return [b.strip() for b in text.split(",") if b.strip()] if text else []


def _out_format(path: str, option: str) -> str:
    suffix = Path(path).suffix.lower()
    fmt = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json"}.get(suffix)
    if fmt is None:
        raise ConfigError(f"{option} {path!r} must end in .csv, .jsonl or .json")
    return fmt


# -- one run over an event log -------------------------------------------------------


class _Run:
    """Reads an event log, evaluates every ticket at one instant (``--now``, or the latest
    event of the tickets that evaluate), and sets bad tickets aside as ``--on-error``
    says. A context manager: it owns the log's temporary files and the quarantine file."""

    def __init__(self, args: argparse.Namespace, policy: Policy) -> None:
        from ._cli_export import open_export
        from .engine import evaluate
        from .io import ColumnMap, EventLog

        self._evaluate_ticket = evaluate
        self.args = args
        self.policy = policy
        self.now = _parse_instant(args.now, "--now") if args.now else None
        mode, self.quarantine_path = args.on_error
        self.quarantine = (
            AtomicOutput(self.quarantine_path) if self.quarantine_path is not None else None
        )
        self._qwriter: RowWriter | None = None
        self.first_reject: Reject | None = None
        self.bar = _Bar(_show_progress(args))
        on_error: OnError = "fail" if mode == "fail" else "skip"
        self.log: EventLog | ExportLog
        if getattr(args, "source", None):  # --from: a helpdesk export (slaclock._cli_audit)
            self.log = open_export(
                args, on_error=on_error, on_reject=self._on_reject, progress=self.bar.update
            )
        else:
            self.log = EventLog(
                args.events,
                columns=ColumnMap.parse(args.columns),
                assume_timezone=args.assume_timezone,
                dayfirst=args.dayfirst,
                encoding=args.encoding,
                delimiter=args.delimiter,
                grouped=args.grouped,
                on_error=on_error,
                on_reject=self._on_reject,
                progress=self.bar.update,
            )
        self.as_of: datetime | None = None
        self.tickets = 0

    def __enter__(self) -> _Run:
        if self.quarantine is not None:
            self.quarantine.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.log.close()
        if self._qwriter is not None:
            self._qwriter.discard()
        if self.quarantine is not None:
            self.quarantine.__exit__(exc_type, exc, tb)

    def _on_reject(self, rej: Reject) -> None:
        from .io import RowWriter

        if self.first_reject is None:
            self.first_reject = rej
        if self.quarantine is None:
            return
        if self._qwriter is None:
            fmt = _out_format(self.quarantine_path or "", "--on-error quarantine=")
            self._qwriter = RowWriter(
                self.quarantine.fh, fmt, raw_csv=self.args.raw_csv,  # type: ignore[arg-type]
                empty_header=_QUARANTINE_COLUMNS, first=_QUARANTINE_COLUMNS,
            )  # fmt: skip
        for n, row in rej.rows:
            self._qwriter.write(
                {"slaclock_ticket": rej.ticket_id, "slaclock_line": n,
                 "slaclock_reason": rej.reason,
                 **{str(k): v for k, v in row.items()}}
            )  # fmt: skip

    def _restart(self) -> None:
        self.first_reject = None
        if self._qwriter is not None:
            self._qwriter.discard()
            self._qwriter = None
        if self.quarantine is not None:
            self.quarantine.reset()

    def run(self, start: Callable[[str], Callable[[Ticket, TicketSla], None]]) -> None:
        """Evaluate every ticket; ``start(header)`` gives a fresh sink for each pass (a pass is
        repeated, with the sink started over, when a ticket that failed to evaluate held
        the latest event: the instant moves to the latest event of the others)."""
        from .io import RowWriter

        if self._columnar(start):
            return
        as_of = self.now if self.now is not None else self.log.latest()
        failed: dict[str, tuple[int, str]] = {}
        for _ in range(3):
            self._restart()
            self.as_of = as_of
            sink = start(self.header())
            latest_ok: datetime | None = None
            self.tickets = 0
            for entry in self.log.entries():
                tid = entry.ticket.id
                if tid in failed:
                    self.log.reject(tid, entry.rows, *failed[tid])
                    continue
                reason = self._evaluate(entry, as_of, sink)
                if reason is not None:
                    failed[tid] = (entry.line, reason)
                    self.log.reject(tid, entry.rows, entry.line, reason)
                    continue
                self.tickets += 1
                if latest_ok is None or entry.latest > latest_ok:
                    latest_ok = entry.latest
                self.bar.tick()
            if self.now is None and failed and latest_ok is not None and latest_ok != as_of:
                as_of = latest_ok
                continue
            break
        self.bar.close()
        self.as_of = as_of
        if self._qwriter is not None:
            self._qwriter.close()
            self._qwriter = None
        elif self.quarantine is not None and self.quarantine_path is not None:
            fmt = _out_format(self.quarantine_path, "--on-error quarantine=")
            RowWriter(self.quarantine.fh, fmt, empty_header=_QUARANTINE_COLUMNS).close()  # type: ignore[arg-type]
        if self.quarantine is not None:
            self.quarantine.commit()

    def _columnar(self, start: Callable[[str], Callable[[Ticket, TicketSla], None]]) -> bool:
        """The fast path (``slaclock.batch``: pyarrow's readers, numpy arithmetic) for a
        grouped log read with the default options; the same rows as the strict reader.
        Anything it cannot read as a clean log (an odd timestamp, a bad ticket) falls back
        to the strict reader, which names the file and line: False then."""
        args = self.args
        eligible = (
            args.grouped
            and not args.columns
            and args.assume_timezone is None
            and not args.dayfirst
            and args.encoding in (None, "utf-8-sig", "utf-8", "utf8")
            and args.delimiter is None
            and args.on_error == ("fail", None)
            and Path(args.events).suffix.lower() in (".csv", ".tsv", ".jsonl", ".ndjson")
            and os.environ.get("SLACLOCK_NO_BATCH") is None
        )
        if not eligible:
            return False
        try:
            from . import batch

            as_of = self.now if self.now is not None else batch.latest_event(
                batch.read_log(args.events)
            )  # fmt: skip
            self.as_of = as_of
            sink = start(self.header())
            self.tickets = 0
            # 1 MiB blocks: the working set of a block (its rows as Python values, the
            # tickets waiting to be judged) stays small: 174 vs 208 MiB peak on a 35k-ticket
            # JSONL log, at the same speed (measured)
            pieces = batch.read_log(args.events, block_size=1 << 20)
            for item in batch.evaluate_pieces(pieces, self.policy, now=as_of):
                sink(item.info, item.sla)  # type: ignore[arg-type]
                self.tickets += 1
                self.bar.tick()
        except Exception:
            return False
        self.bar.close()
        return True

    def _evaluate(
        self, entry: LogTicket, as_of: datetime | None, sink: Callable[[Ticket, TicketSla], None]
    ) -> str | None:
        try:
            sla = self._evaluate_ticket(entry.ticket, self.policy, now=as_of)
        except SlaClockError as exc:
            return (
                str(exc)
                .removeprefix(f"ticket {entry.ticket.id!r}: ")
                .removeprefix(f"ticket {entry.ticket.id!r}, ")
            )
        except OverflowError as exc:
            return f"a deadline is beyond the supported range ({exc})"
        sink(entry.ticket, sla)
        return None

    def header(self) -> str:
        """``as of …`` and where the instant comes from."""
        if self.as_of is None:
            return "as of — (no tickets)"
        return f"as of {self.as_of.isoformat()} ({self.source})"

    @property
    def source(self) -> str:
        return "given by --now" if self.now is not None else "the latest event in the input"

    def finish(self) -> int:
        """Notes on stderr (the inferred instant, duplicates, rejects); the exit status
        for the rejects (2 unless ``--allow-rejects``) or 0."""
        log = self.log
        if self.now is None and self.as_of is not None:
            _note(
                f"evaluated {self.tickets:,} tickets as of {self.as_of.isoformat()}, the "
                "latest event in the input (pass --now to choose the instant)"
            )
        if log.duplicates:
            _note(f"dropped {log.duplicates:,} identical duplicate event rows")
        if log.rejected:
            first = self.first_reject
            where = ""
            if first is not None:
                who = f"ticket {first.ticket_id!r}: " if first.ticket_id is not None else ""
                line = f":{first.line}" if first.line else ""
                where = f"; first: {log.source}{line}: {who}{first.reason}"
            dest = f" (written to {self.quarantine_path})" if self.quarantine_path else ""
            _note(f"rejected {log.rejected:,} tickets{dest}{where}")
            if not self.args.allow_rejects:
                return EXIT_INPUT
        return EXIT_OK


_QUARANTINE_COLUMNS: Final = ("slaclock_ticket", "slaclock_line", "slaclock_reason")


# -- commands ----------------------------------------------------------------------------


def _cmd_demo(args: argparse.Namespace) -> int:
    from .engine import evaluate
    from .io import read_tickets
    from .policy import Policy
    from .report import Report

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
            due = "—" if m.deadline is None else f"{m.deadline:%a %m-%d %H:%M}"
            flag = "  ⚠ at risk" if m.at_risk else ""
            print(
                f"{ticket.id:<7} {sla.severity:<8} {sla.plan or '':<8} {m.label:<17} "
                f"{m.status:<9} {due:<17} {m.share_used:6.0%}{flag}"
            )
    first = metric_names(policy)[0]
    report = Report.from_results(pairs)
    print()
    print(report.attainment(by=["customer"], metric=first))
    print()
    print(report.objective(first, 0.9, within="6h", by=["customer"]))
    print()
    print(report.breaches())
    print("\nNext: slaclock evaluate EVENTS --policy FILE; slaclock report … --by customer,month")
    return EXIT_OK


def _check_outputs(args: argparse.Namespace, *outputs: tuple[str, str | None]) -> None:
    quarantine = args.on_error[1]
    if quarantine is not None:
        _out_format(quarantine, "--on-error quarantine=")
    check_distinct([*outputs, ("--on-error quarantine=", quarantine)], [args.events, args.policy])


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from .io import RowWriter, typed_rows

    policy = _load_policy(args.policy)
    _check_outputs(args, ("--output", args.output))
    breached = False
    with _Run(args, policy) as run, AtomicOutput(args.output) as out:
        if args.format == "table":

            def start(header: str) -> Callable[[Ticket, TicketSla], None]:
                out.reset()
                out.fh.write(f"Evaluated {header}\n\n")

                def sink(ticket: Ticket, sla: TicketSla) -> None:
                    nonlocal breached
                    breached |= sla.breached
                    out.fh.write(escape_control(str(sla), keep_newlines=True) + "\n")

                return sink

            run.run(start)
        elif args.format == "events":

            def start(header: str) -> Callable[[Ticket, TicketSla], None]:
                nonlocal breached
                breached = False
                out.reset()

                def sink(ticket: Ticket, sla: TicketSla) -> None:
                    nonlocal breached
                    breached |= sla.breached
                    for event in sla.events():
                        out.fh.write(json.dumps(event.as_dict()) + "\n")

                return sink

            run.run(start)
        else:
            writer: list[RowWriter] = []

            def start(header: str) -> Callable[[Ticket, TicketSla], None]:
                nonlocal breached
                breached = False
                if writer:
                    writer.pop().discard()
                out.reset()
                w = RowWriter(out.fh, args.format, raw_csv=args.raw_csv)
                writer.append(w)

                def sink(ticket: Ticket, sla: TicketSla) -> None:
                    nonlocal breached
                    breached |= sla.breached
                    for row in typed_rows(sla, ticket):
                        w.write(row)

                return sink

            try:
                run.run(start)
                writer[0].close()
            finally:
                for w in writer:
                    w.discard()
        out.commit()
    status = run.finish()
    if status != EXIT_OK:
        return status
    return EXIT_BREACHES if breached and args.fail_on_breach else EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    from .io import RowWriter, typed_rows
    from .report import ObjectiveSpec, Report, Table

    policy = _load_policy(args.policy)
    by = _by(args.by)
    objectives = [ObjectiveSpec.parse(s) for s in args.objective or []]
    known = metric_names(policy)
    for spec in objectives:
        if spec.metric not in known:
            raise ConfigError(
                f"--objective {spec.metric!r}: the agreement measures no metric of that name; "
                f"its metrics: {', '.join(known) or 'none'}"
            )
    tz = _zone(args.timezone, "--timezone")
    if args.top < 0:
        raise ConfigError(f"--top {args.top} must be 0 or more")
    _check_outputs(args, ("--output", args.output), ("--breaches-out", args.breaches_out))
    with contextlib.ExitStack() as stack:
        run = stack.enter_context(_Run(args, policy))
        out = stack.enter_context(AtomicOutput(args.output))
        breaches_out = None
        if args.breaches_out:
            breaches_out = stack.enter_context(AtomicOutput(args.breaches_out))
        bwriter: list[RowWriter] = []
        reports: list[Report] = []

        def start(header: str) -> Callable[[Ticket, TicketSla], None]:
            on_breach = None
            if breaches_out is not None:
                if bwriter:
                    bwriter.pop().discard()
                breaches_out.reset()
                fmt = _out_format(args.breaches_out, "--breaches-out")
                bw = RowWriter(breaches_out.fh, fmt, raw_csv=args.raw_csv,  # type: ignore[arg-type]
                               empty_header=_breach_columns(by), first=())  # fmt: skip
                bwriter.append(bw)

                def on_breach(b: Breach) -> None:
                    bw.write(_machine_record(Table("", by, [b]).records()[0], None))

            reports[:] = [Report(by=by, objectives=objectives, keep_rows=False,
                                 top=args.top, on_breach=on_breach, tz=args.timezone,
                                 policy=policy)]  # fmt: skip
            report = reports[0]

            def sink(ticket: Ticket, sla: TicketSla) -> None:
                report.add(typed_rows(sla, ticket), typed=True)

            return sink

        def discard_writers() -> None:
            for w in bwriter:
                w.discard()

        stack.callback(discard_writers)
        run.run(start)
        report = reports[0]
        text, failed = _render(report, run, objectives, by, args, tz)
        out.fh.write(text)
        if bwriter:
            bwriter[0].close()
        if breaches_out is not None:
            breaches_out.commit()
        out.commit()
    status = run.finish()
    if status != EXIT_OK:
        return status
    return EXIT_BREACHES if args.fail_on_breach and (report.breach_count or failed) else EXIT_OK


def _breach_columns(by: Sequence[str]) -> tuple[str, ...]:
    names = (*by, "ticket_id", "metric", "cycle", "severity", "deadline", "late_business_s",
             "late_wall_s")  # fmt: skip
    return tuple(dict.fromkeys(names))


def _render(
    report: Report,
    run: _Run,
    objectives: Sequence[ObjectiveSpec],
    by: Sequence[str],
    args: argparse.Namespace,
    tz: tzinfo | None,
) -> tuple[str, bool]:
    """The report in ``args.format``, and whether an objective was missed."""
    tables: list[tuple[str, Table]] = [("attainment", report.attainment(by=by))]
    failed = False
    for spec in objectives:
        table = report.objective(spec.metric, spec.share, within=spec.within, by=by)
        failed |= any(r.ok is False for r in table)
        tables.append(("objective", table))
    tables.append(("percentiles", report.percentiles(by=by)))
    breaches = report.breaches(by=by) if args.breaches else None
    if breaches is not None:
        tables.append(("breaches", breaches))
    log = run.log
    summary: dict[str, Any] = {
        "as_of": run.as_of.astimezone(tz) if run.as_of is not None and tz else run.as_of,
        "as_of_source": run.source,
        "timezone": args.timezone,
        "tickets": run.tickets,
        "clocks": len(report),
        "breached": report.breach_count,
        "rejected": log.rejected,
        "duplicates_dropped": log.duplicates,
    }
    fmt = args.format
    if fmt == "json":
        doc: dict[str, Any] = {k: _json_value(v, tz) for k, v in summary.items()}
        doc["by"] = list(by)
        for name, table in tables:
            recs = [_machine_record(r, tz) for r in table.records()]
            if name == "objective":
                doc.setdefault("objectives", []).append({"title": table.title, "rows": recs})
            elif name == "breaches":
                doc["breaches"] = {"count": report.breach_count, "shown": recs}
            else:
                doc[name] = recs
        return json.dumps(doc, indent=2) + "\n", failed
    if fmt == "csv":
        return _csv_report(summary, tables, tz, args.raw_csv), failed
    head = f"SLA report {run.header()}" + (f", times in {args.timezone}" if args.timezone else "")
    counts = (
        f"{run.tickets:,} tickets, {len(report):,} clocks, {report.breach_count:,} breached; "
        f"{log.rejected:,} rejected, {log.duplicates:,} duplicate events dropped"
    )
    if fmt == "markdown":
        parts = [f"# {head}\n\n{counts}\n"]
        parts += [table.to_markdown(tz=tz) for _, table in tables]
        if breaches is None:
            parts.append(f"{report.breach_count:,} breached clocks\n")
        return "\n".join(parts), failed
    parts = [f"{head}\n{counts}"]
    parts += [table.to_text(tz=tz) for _, table in tables]
    if breaches is None:
        parts.append(f"{report.breach_count:,} breached clocks")
    return "\n\n".join(parts) + "\n", failed


def _machine_record(rec: dict[str, Any], tz: tzinfo | None) -> dict[str, Any]:
    """A table record for JSON and CSV: durations in seconds (their column named
    ``<name>_s``), instants as ISO 8601 text."""
    out: dict[str, Any] = {}
    for k, v in rec.items():
        if isinstance(v, timedelta) or (v is None and (k.startswith("late_") or _is_percentile(k))):
            out[f"{k}_s"] = None if v is None else v.total_seconds()
        else:
            out[k] = _json_value(v, tz)
    return out


def _is_percentile(key: str) -> bool:
    return key[:1] == "p" and key[1:].replace(".", "", 1).isdigit()


def _json_value(v: Any, tz: tzinfo | None) -> Any:
    if isinstance(v, datetime):
        return (v.astimezone(tz) if tz else v).isoformat()
    if isinstance(v, timedelta):
        return v.total_seconds()
    if isinstance(v, float) and v != v:
        return None
    return v


def _csv_report(
    summary: dict[str, Any], tables: list[tuple[str, Table]], tz: tzinfo | None, raw: bool
) -> str:
    import csv
    import io

    rows: list[dict[str, Any]] = [{"table": "summary", **summary}]
    for name, table in tables:
        label = table.title if name == "objective" else name
        rows += [{"table": label, **_machine_record(r, tz)} for r in table.records()]
    cols: dict[str, None] = {}
    for r in rows:
        cols.update(dict.fromkeys(r))
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([csv_cell(c, raw=raw) for c in cols])
    for r in rows:
        cells = []
        for c in cols:
            v = _json_value(r.get(c), tz)
            cells.append("" if v is None else csv_cell(v, raw=raw))
        writer.writerow(cells)
    return buf.getvalue()


def _cmd_deadline(args: argparse.Namespace) -> int:
    cal = _load_calendar(args.calendar, args.timezone)
    start = _parse_instant(args.start, "--start")
    within = Duration.parse(args.within)
    try:
        due = cal.add(start, within)
    except OverflowError:
        raise ConfigError(
            f"--within {args.within!r} from {args.start!r} is beyond the supported years; "
            "give a shorter duration"
        ) from None
    print(due.isoformat())
    return EXIT_OK


def _cmd_calendar(args: argparse.Namespace) -> int:
    cal = _load_calendar(args.file, None)
    print(cal.describe(args.timezone))
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace) -> int:
    from ._model import load_mapping
    from .calendar import Calendar
    from .policy import Policy

    try:
        data = load_mapping(args.file)
    except RecursionError:
        raise ConfigError(f"{args.file}: nested too deeply to read; flatten it") from None
    kind = args.kind
    if kind == "auto":
        kind = "calendar" if "timezone" in data and "severities" not in data else "policy"
    model = Calendar if kind == "calendar" else Policy
    try:
        obj = model.model_validate(data)
    except ConfigError as exc:  # name the file, as Policy.from_file does
        raise ConfigError(f"{args.file}: {exc}", exc.errors) from exc
    except RecursionError:
        raise ConfigError(f"{args.file}: nested too deeply to validate; flatten it") from None
    if isinstance(obj, Policy):
        plans = ", ".join(obj.plans) or "no plans"
        latest = datetime(2199, 1, 1, tzinfo=UTC)  # the terms in force today and after
        editions: list[str | None] = [*obj.plans] or [None]
        sevs = sorted({sev for plan in editions for sev in obj.terms_for(plan, latest).severities})
        print(f"{args.file}: valid policy {obj.name!r} ({plans}; severities {', '.join(sevs)})")
    else:
        print(f"{args.file}: valid calendar")
        print(obj.describe())
    return EXIT_OK


def _cmd_schema(args: argparse.Namespace) -> int:
    from .calendar import Calendar
    from .policy import Policy

    model = Calendar if args.kind == "calendar" else Policy
    print(json.dumps(model.model_json_schema(), indent=2))
    return EXIT_OK


def _load_calendar(spec: str, timezone: str | None) -> Calendar:
    from .calendar import Calendar

    if spec in ("24x7", "24x5", "8x5"):
        return Calendar.preset(spec, timezone=timezone or "UTC")  # type: ignore[arg-type]
    try:
        return Calendar.from_file(spec)
    except RecursionError:
        raise ConfigError(f"{spec}: the calendar is nested too deeply; flatten it") from None


# -- arguments ---------------------------------------------------------------------------


def _on_error(text: str) -> tuple[str, str | None]:
    if text in ("fail", "skip"):
        return text, None
    head, eq, path = text.partition("=")
    if head == "quarantine" and eq and path:
        return "quarantine", path
    raise argparse.ArgumentTypeError(
        f"{text!r}: use fail, skip or quarantine=FILE (.csv, .jsonl or .json)"
    )


def _add_events_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("events", help="event log: .csv, .tsv or .jsonl, one event per row")
    add_from_option(p)
    p.add_argument("--policy", required=True, help="agreement file (.toml or .json)")
    p.add_argument(
        "--now",
        help="evaluate every ticket at this instant (ISO 8601 with offset); default: the "
        "latest event in the input",
    )
    p.add_argument(
        "--columns",
        help="column mapping, e.g. 'ticket=Ticket ID,at=Time,kind=Event,"
        "kinds.Public reply=agent_reply,kinds.Comment[public=true]=agent_reply,"
        "fields=customer|region'",
    )
    p.add_argument("--assume-timezone", help="zone of timestamps that carry no offset")
    order = p.add_mutually_exclusive_group()
    order.add_argument(
        "--dayfirst", dest="dayfirst", action="store_true", default=None,
        help="numeric dates are day/month/year (12/11/2026 is 12 November)",
    )  # fmt: skip
    order.add_argument(
        "--monthfirst", dest="dayfirst", action="store_false",
        help="numeric dates are month/day/year (12/11/2026 is 11 December)",
    )  # fmt: skip
    p.add_argument("--encoding", default="utf-8-sig", help="the log's encoding (default utf-8-sig)")
    p.add_argument("--delimiter", help="CSV delimiter (default ',' for .csv, tab for .tsv)")
    p.add_argument(
        "--grouped", action="store_true", help="rows of each ticket are contiguous (one pass)"
    )
    p.add_argument(
        "--on-error",
        type=_on_error,
        default=("fail", None),
        metavar="fail|skip|quarantine=FILE",
        help="a ticket whose rows are wrong stops the run (fail, default) or is set aside "
        "(skip; quarantine also writes its rows and the reason to FILE)",
    )
    p.add_argument(
        "--allow-rejects", action="store_true", help="exit 0 even when tickets were set aside"
    )
    p.add_argument("--fail-on-breach", action="store_true", help="exit 1 when breaches exist")
    p.add_argument(
        "--raw-csv", action="store_true",
        help="write CSV cells as they are (no neutralising of =, +, -, @ formulas)",
    )  # fmt: skip
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress on stderr (default: when stderr is a terminal)",
    )


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS,
        help="print the traceback of an internal error",
    )  # fmt: skip
    parser = argparse.ArgumentParser(
        prog="slaclock", description="Support SLA clocks on business calendars.",
        parents=[common],
    )  # fmt: skip
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser(
        "demo", help="evaluate built-in sample tickets and print a report", parents=[common]
    )
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("evaluate", help="evaluate every ticket of an event log", parents=[common])
    _add_events_args(p)
    p.add_argument(
        "--format",
        choices=["table", "csv", "jsonl", "json", "events"],
        default="table",
        help="table (text), one row per cycle (csv, jsonl, json), or the SLA events of "
        "every cycle as JSON lines (events: activate, pause, resume, warn, breach, "
        "fulfill, cancel)",
    )
    p.add_argument("--output", "-o", help="write here instead of standard output")
    p.set_defaults(func=_cmd_evaluate)

    p = sub.add_parser(
        "report", help="attainment, objectives, percentiles, breaches", parents=[common]
    )
    _add_events_args(p)
    p.add_argument("--by", help="group by fields / buckets, e.g. customer,month")
    p.add_argument(
        "--objective",
        action="append",
        help="metric:share[:within], e.g. first_response:0.9:6h (repeatable)",
    )
    p.add_argument("--format", choices=["text", "json", "csv", "markdown"], default="text")
    p.add_argument("--output", "-o", help="write here instead of standard output")
    p.add_argument("--timezone", help="show times in this zone (IANA name)")
    p.add_argument("--breaches", action="store_true", help="list the most late breached clocks")
    p.add_argument(
        "--top", type=int, default=50,
        help="how many breached clocks (and missed tickets per objective and group) to "
        "keep and list (default 50)",
    )  # fmt: skip
    p.add_argument("--breaches-out", help="write every breached clock to this file")
    p.set_defaults(func=_cmd_report)

    add_statement_parser(sub)
    add_import_parser(sub)
    add_audit_parsers(sub)

    p = sub.add_parser("deadline", help="when is a target due on a calendar", parents=[common])
    p.add_argument("--calendar", required=True, help="calendar file (TOML/JSON) or a preset")
    p.add_argument("--timezone", help="time zone for a preset (default UTC)")
    p.add_argument("--start", required=True, help="ISO 8601 instant with offset")
    p.add_argument("--within", required=True, help='duration, e.g. "4h" or "1 business day"')
    p.set_defaults(func=_cmd_deadline)

    p = sub.add_parser(
        "calendar", help="show a calendar's weekly hours, from any zone", parents=[common]
    )
    p.add_argument("file", help="calendar file (TOML/JSON)")
    p.add_argument("--timezone", help="show the hours as seen from this zone")
    p.set_defaults(func=_cmd_calendar)

    p = sub.add_parser("validate", help="check a policy or calendar file", parents=[common])
    p.add_argument("file")
    p.add_argument("--kind", choices=["auto", "policy", "calendar"], default="auto")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser(
        "schema", help="print the JSON Schema of the configuration", parents=[common]
    )
    p.add_argument("--kind", choices=["policy", "calendar"], default="policy")
    p.set_defaults(func=_cmd_schema)
    return parser


# -- main --------------------------------------------------------------------------------


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise _Terminated


@contextlib.contextmanager
def _signals() -> Iterator[None]:
    """SIGTERM raises :class:`_Terminated` (SIGINT already raises KeyboardInterrupt), so
    temporary files are removed on the way out; the previous handler is restored."""
    try:
        previous = signal.signal(signal.SIGTERM, _raise_terminated)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _error(message: str) -> None:
    print(f"slaclock: error: {escape_control(message, keep_newlines=True)}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit status (see the module's docstring)."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # usage errors (2) and --help (0), printed by argparse
        return exc.code if isinstance(exc.code, int) else EXIT_INPUT
    debug = bool(getattr(args, "debug", False))
    try:
        with _signals():
            code: int = args.func(args)
            return code
    except SlaClockError as exc:
        _error(str(exc))
        return EXIT_INPUT
    except BrokenPipeError:  # pragma: no cover - e.g. piped into head
        return EXIT_OK
    except OSError as exc:  # a missing events file, an unwritable --output
        where = f"{exc.filename}: " if exc.filename else ""
        _error(f"{where}{exc.strerror or exc}")
        return EXIT_INPUT
    except KeyboardInterrupt:
        _note("interrupted (SIGINT); temporary files removed, no output written")
        return EXIT_SIGINT
    except _Terminated:
        _note("terminated (SIGTERM); temporary files removed, no output written")
        return EXIT_SIGTERM
    except Exception as exc:
        if debug:
            traceback.print_exc(file=sys.stderr)
        _error(
            f"internal error: {type(exc).__name__}: {exc} (a bug in slaclock; rerun with "
            "--debug for the traceback and report it)"
        )
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
