"""``--from``: a helpdesk export directory read like an event log, for ``evaluate``,
``report``, ``statement``, ``audit`` and ``compare`` (:class:`ExportLog`, which
``cli._Run`` opens in place of an :class:`~slaclock.io.EventLog`). Imported only when a
command runs with ``--from`` (the parsers live in :mod:`slaclock._cli_audit`)."""

from __future__ import annotations

import argparse
import warnings
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from ._reader import DEFAULT_ENCODING
from .errors import ConfigError, SlaClockWarning
from .io import LogTicket, Reject, RejectSink
from .ticket import Ticket

__all__ = ["TIMEZONE_OPTION", "ExportLog", "export_tickets", "open_export"]

TIMEZONE_OPTION: Final = frozenset({"servicenow", "zendesk-warehouse"})


# -- --from: an export directory read like an event log ---------------------------------


def _export_options(args: argparse.Namespace) -> dict[str, Any]:
    """The adapter's options from the command line; the event-log reading options that
    mean nothing for an export are refused."""
    source = args.source
    given = [
        name
        for name, value, unset in (
            ("--columns", getattr(args, "columns", None), None),
            ("--dayfirst / --monthfirst", getattr(args, "dayfirst", None), None),
            ("--delimiter", getattr(args, "delimiter", None), None),
            ("--grouped", getattr(args, "grouped", False), False),
            ("--encoding", getattr(args, "encoding", DEFAULT_ENCODING), DEFAULT_ENCODING),
        )
        if value != unset
    ]
    if given:
        raise ConfigError(
            f"{', '.join(given)} read event logs and do not apply to --from {source} "
            "(the adapter reads the helpdesk's own files); leave them out"
        )
    options: dict[str, Any] = {}
    zone = getattr(args, "assume_timezone", None)
    if zone is not None:
        if source not in TIMEZONE_OPTION:
            raise ConfigError(
                f"--assume-timezone {zone!r} does not apply to --from {source}: its export "
                "writes every time with an offset (only servicenow and zendesk-warehouse "
                "take it)"
            )
        options["assume_timezone"] = zone
    if source == "zendesk":
        options["incomplete"] = "warn"
    return options


class ExportLog(RejectSink):
    """A helpdesk export directory, read ticket by ticket through
    :func:`slaclock.adapters.read`, with the interface the CLI uses of an
    :class:`~slaclock.io.EventLog`: :meth:`entries`, :meth:`latest`, :meth:`reject`,
    ``rejected``, ``duplicates`` (always 0: the adapters drop repeated updates
    themselves), ``source`` and :meth:`close`.

    A ticket set aside (``--on-error skip`` / ``quarantine=FILE``) is quarantined as
    one row holding the ticket as slaclock read it (JSON), line 0. Errors in the export
    itself (a file that is not JSON, a record without a ticket id) stop the run whatever
    ``--on-error`` says, as structural errors of an event log do."""

    def __init__(
        self,
        source: str,
        path: str,
        options: Mapping[str, Any],
        *,
        on_error: str = "fail",
        on_reject: Callable[[Reject], None] | None = None,
        progress: Callable[[str, float], None] | None = None,
    ) -> None:
        if not Path(path).exists():
            raise ConfigError(
                f"--from {source}: {path!r} does not exist; give the directory holding the "
                "export's files"
            )
        self.helpdesk = source
        self.path = path
        self.source = str(path)
        self.options = dict(options)
        self.on_error = on_error
        self.on_reject = on_reject
        self.progress = progress
        self.rejects: list[Reject] = []
        self.rejected = 0
        self.duplicates = 0
        self._latest: datetime | None = None
        self._scanned = False
        self._noted: set[str] = set()

    def close(self) -> None:
        """Nothing to remove: the adapters spill to temporary files of their own."""

    def _tickets(self) -> Iterator[Ticket]:
        from . import adapters

        it = iter(adapters.read(self.helpdesk, self.path, **self.options))
        while True:
            # warnings are caught around the adapter's own code only, never across a yield
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    ticket: Ticket | None = next(it)
                except StopIteration:
                    ticket = None
            for w in caught:
                self._warned(w)
            if ticket is None:
                return
            yield ticket

    def _warned(self, w: warnings.WarningMessage) -> None:
        if not issubclass(w.category, SlaClockWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
            return
        text = str(w.message)
        if text not in self._noted:
            self._noted.add(text)
            from .cli import _note

            _note(text)

    def entries(self) -> Iterator[LogTicket]:
        """Every ticket of the export (one pass over its files)."""
        self.rejects, self.rejected = [], 0
        latest: datetime | None = None
        if self.progress is not None:
            self.progress("reading", 0.0)
        for ticket in self._tickets():
            entry = LogTicket(ticket, 0, ((0, {"ticket": ticket.model_dump_json()}),))
            if latest is None or entry.latest > latest:
                latest = entry.latest
            yield entry
        if self.progress is not None:
            self.progress("reading", 1.0)
        self._latest, self._scanned = latest, True

    def _where(self, line: int) -> str:
        return f"{self.source} ({self.helpdesk} export)"  # a ticket, not a line

    def latest(self) -> datetime | None:
        """The latest event of the export's tickets (a pass over the export unless one was
        already made); ``None`` for an export without tickets."""
        if not self._scanned:
            for _ in self.entries():
                pass
        return self._latest


def open_export(
    args: argparse.Namespace,
    *,
    on_error: str,
    on_reject: Callable[[Reject], None] | None,
    progress: Callable[[str, float], None] | None,
) -> ExportLog:
    """The :class:`ExportLog` of ``args.events`` for ``--from`` (what ``cli._Run`` reads
    in place of an event log)."""
    return ExportLog(
        args.source, args.events, _export_options(args), on_error=on_error,
        on_reject=on_reject, progress=progress,
    )  # fmt: skip


def export_tickets(
    args: argparse.Namespace, progress: Callable[[str, float], None] | None = None
) -> Iterator[Ticket]:
    """The tickets of ``args.events`` read with ``--from`` (for commands that read
    tickets without the evaluate/report machinery, such as ``statement``)."""
    log = open_export(args, on_error="fail", on_reject=None, progress=progress)
    for entry in log.entries():
        yield entry.ticket
