"""What the Spark and Dask adapters share: the agreement shipped to worker processes as
its JSON dump (not a pickled :class:`~slaclock.Policy`) and validated once per process,
and the evaluation instant found as the latest event of the input."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from .policy import Policy

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_POLICIES: dict[str, Policy] = {}
"""The agreement validated in this process, by its JSON text."""


def policy_text(policy: Policy | Mapping[str, Any]) -> str:
    """``policy`` validated here (so that a bad agreement fails on the driver), as the
    JSON text the workers receive."""
    if not isinstance(policy, Policy):
        policy = Policy.model_validate(policy)
    return json.dumps(policy.model_dump(mode="json"), sort_keys=True)


def policy_of(text: str) -> Policy:
    """The agreement of ``text``, validated once per process (then cached)."""
    found = _POLICIES.get(text)
    if found is None:
        found = Policy.model_validate(json.loads(text))
        _POLICIES.clear()  # one agreement at a time is the common case: keep memory flat
        _POLICIES[text] = found
    return found


def latest(us: int | None, text: Any) -> datetime | None:
    """The evaluation instant for the latest event, ``us`` µs since the epoch: written with
    the offset of its ``at`` text when that reads as the same instant (as ``slaclock
    evaluate`` shows it), else in UTC; ``None`` for an input without events."""
    if us is None:
        return None
    instant = _EPOCH + timedelta(microseconds=int(us))
    if isinstance(text, datetime) and text.utcoffset() is not None and text == instant:
        return text
    if isinstance(text, str):
        try:
            given = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return instant
        if given.utcoffset() is not None and given == instant:
            return given
    return instant
