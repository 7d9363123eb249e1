"""Helpdesk exports in, :class:`~slaclock.Ticket` objects out: Zendesk, Jira Service
Management, ServiceNow, Freshdesk, and the Zendesk tables ELT tools land in a warehouse.

Files only, no network code: each adapter reads the files a user gets from the helpdesk's
documented export or REST API (the guides under ``docs/guides/`` show the commands),
streaming, and yields tickets with ``field`` events for group / assignee / organization /
tags / channel and the helpdesk's statuses mapped to slaclock's categories::

    from slaclock import adapters
    for ticket in adapters.read("zendesk", "export/"):
        ...
    recorded = list(adapters.read_recorded("zendesk", "export/"))

:func:`read_recorded` gives the SLA results the helpdesk itself recorded, one neutral
:class:`RecordedCycle` per cycle, in slaclock's metric names (the audit's input).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from ..errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    from ..ticket import Ticket
    from ._common import Incomplete, RecordedCycle

__all__ = ["SOURCES", "Incomplete", "RecordedCycle", "Source", "read", "read_recorded"]

Source = Literal["zendesk", "jira", "servicenow", "freshdesk", "zendesk-warehouse"]
SOURCES: Final[tuple[str, ...]] = (
    "zendesk",
    "jira",
    "servicenow",
    "freshdesk",
    "zendesk-warehouse",
)
_MODULES: Final = {
    "zendesk": "zendesk",
    "jira": "jira",
    "servicenow": "servicenow",
    "freshdesk": "freshdesk",
    "zendesk-warehouse": "warehouse",
}


def _module(source: str) -> Any:
    name = _MODULES.get(str(source).strip().lower())
    if name is None:
        raise ConfigError(f"unknown helpdesk {source!r}; use one of {', '.join(SOURCES)}")
    return importlib.import_module(f"{__name__}.{name}")


def read(source: Source | str, path: str | Path, **options: Any) -> Iterator[Ticket]:
    """Stream the tickets of a helpdesk export: ``source`` is one of :data:`SOURCES`,
    ``path`` the directory of the export's files (or one file); ``options`` go to the
    adapter's own ``read`` (``slaclock.adapters.zendesk.read`` …)."""
    result: Iterator[Ticket] = _module(source).read(path, **options)
    return result


def read_recorded(
    source: Source | str, path: str | Path, **options: Any
) -> Iterator[RecordedCycle]:
    """Stream the SLA cycles the helpdesk itself recorded (Zendesk ticket metric events,
    JSM SLA cycles, ServiceNow ``task_sla``, Freshdesk due dates) as
    :class:`RecordedCycle` records."""
    module = _module(source)
    if not hasattr(module, "read_recorded"):
        raise ConfigError(
            f"{source!r} exports carry no recorded SLA results; use 'zendesk' with the "
            "ticket_metric_events export instead"
        )
    result: Iterator[RecordedCycle] = module.read_recorded(path, **options)
    return result


def __getattr__(name: str) -> Any:
    """``Incomplete`` and ``RecordedCycle``, imported on first use (the command line
    reads :data:`SOURCES` without importing the adapters' machinery)."""
    if name in ("Incomplete", "RecordedCycle"):
        from . import _common

        return getattr(_common, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
