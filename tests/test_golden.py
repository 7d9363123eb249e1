"""Golden cases from ``tests/cases/*.toml``: expected values written by hand.

Each file holds ``[calendars.<name>]`` tables in the configuration form of DESIGN.md and
``[[cases]]`` rows: ``calendar``, ``op``, the inputs (``t`` / ``d`` / ``a`` / ``b`` /
``n``), ``expected`` and a one-line ``why``. Instants are ISO strings with an offset;
expected elapsed times are written like ``"4h30m"`` and parsed here, not by slaclock.
"""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from support import span

from slaclock import Calendar

CASES_DIR = Path(__file__).parent / "cases"
OPS = {"add", "subtract", "elapsed", "is_open", "next_open", "previous_close", "add_business_days"}


def _instant(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    assert value.tzinfo is not None, f"golden instant {text!r} has no offset"
    return value


def _load() -> list[Any]:
    params = []
    for path in sorted(CASES_DIR.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        calendars = data["calendars"]
        for i, case in enumerate(data["cases"]):
            case_id = f"{path.stem}:{i}:{case['calendar']}:{case['op']}"
            params.append(pytest.param(calendars[case["calendar"]], case, id=case_id))
    return params


CASES = _load()
_cache: dict[str, Calendar] = {}


def _calendar(config: dict[str, Any]) -> Calendar:
    key = repr(sorted(config.items()))
    if key not in _cache:
        _cache[key] = Calendar.model_validate(config)
    return _cache[key]


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 60


@pytest.mark.parametrize(("config", "case"), CASES)
def test_golden(config: dict[str, Any], case: dict[str, Any]) -> None:
    assert case["op"] in OPS, f"unknown op {case['op']!r}"
    assert case.get("why", "").strip(), "every case explains itself in 'why'"
    cal = _calendar(config)
    op = case["op"]
    expected = case["expected"]
    if op == "elapsed":
        got = cal.elapsed(_instant(case["a"]), _instant(case["b"]))
        assert got == span(expected)
        return
    t = _instant(case["t"])
    if op == "is_open":
        assert cal.is_open(t) is expected
        return
    if op in ("add", "subtract"):
        result = getattr(cal, op)(t, case["d"])
    elif op == "add_business_days":
        result = cal.add_business_days(t, case["n"])
    else:
        result = getattr(cal, op)(t)
    want = _instant(expected)
    # Same instant, same offset (the calendar's zone) and same wall time.
    assert result.isoformat() == want.isoformat()
    # (Compared in UTC: PEP 495 makes a datetime in a DST fold unequal to every
    # datetime of another zone.)
    assert result.astimezone(UTC) == want.astimezone(UTC)
    assert getattr(result.tzinfo, "key", None) == cal.timezone
