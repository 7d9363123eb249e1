"""Golden ticket timelines from ``tests/cases/timelines/*.toml``: expected values written by
hand.

``_base_policy.toml`` is the example agreement of DESIGN.md; each scenario file may carry a
``[policy]`` table deep-merged over it, a ``[ticket]`` in the ticket form of DESIGN.md, an
optional top-level ``now`` and ``[[expect]]`` rows. A row names a ``metric`` (and ``cycle``,
default 1), may set its own ``now``, and lists only the fields it checks: ``status``,
``deadline``, ``stopped_at``, ``started_at``, ``breached_at`` (an ISO instant or ``"none"``),
``business_elapsed`` (``"4h30m"``), ``severity``, ``calendar``, ``pauses`` (a count),
``internal_status`` / ``internal_deadline`` / ``internal_breached_at``, or ``absent = true``
for a metric that must not be reported. Values are parsed here, never by slaclock.
"""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from support import span

from slaclock import MetricResult, Policy, TicketSla, evaluate

CASES_DIR = Path(__file__).parent / "cases" / "timelines"
_INSTANTS = ("deadline", "stopped_at", "started_at", "breached_at")
_INTERNAL = ("internal_status", "internal_deadline", "internal_breached_at")
_KNOWN = {
    "metric", "cycle", "now", "why", "absent", "status", "business_elapsed", "severity",
    "calendar", "pauses", "share_used", "plan", "rule", *_INSTANTS, *_INTERNAL,
}  # fmt: skip
REQUIRED_SCENARIOS = {
    "met", "breached", "pause_weekend", "pause_holiday", "reopened_twice",
    "severity_raised_late", "severity_lowered", "strategy_restart", "strategy_carry",
    "strategy_stricter", "plan_changed", "out_of_order", "created_outside_hours",
    "now_in_pause", "internal_breached", "next_reply_cycles", "periodic_update_cycles",
    "aliases", "business_days",
}  # fmt: skip


def _instant(text: str) -> datetime | None:
    if text == "none":
        return None
    value = datetime.fromisoformat(text)
    assert value.tzinfo is not None, f"golden instant {text!r} has no offset"
    return value


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _load_toml(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


BASE_POLICY = _load_toml(CASES_DIR / "_base_policy.toml")


def _scenarios() -> list[Path]:
    return sorted(p for p in CASES_DIR.glob("*.toml") if not p.name.startswith("_"))


def _rows() -> list[Any]:
    params = []
    for path in _scenarios():
        data = _load_toml(path)
        for i, row in enumerate(data["expect"]):
            label = f"{row['metric']}#{row.get('cycle', 1)}"
            params.append(pytest.param(path.stem, row, id=f"{path.stem}:{i}:{label}"))
    return params


ROWS = _rows()
_results: dict[tuple[str, str | None], TicketSla] = {}


def _evaluate(stem: str, now_text: str | None) -> TicketSla:
    key = (stem, now_text)
    if key not in _results:
        data = _load_toml(CASES_DIR / f"{stem}.toml")
        policy = Policy.model_validate(_merge(BASE_POLICY, data.get("policy", {})))
        now = None if now_text is None else _instant(now_text)
        _results[key] = evaluate(data["ticket"], policy, now=now)
    return _results[key]


def _same(got: datetime | None, want: datetime | None, field: str) -> None:
    if want is None:
        assert got is None, f"{field}: expected none, got {got}"
        return
    assert got is not None, f"{field}: expected {want.isoformat()}, got None"
    assert got.astimezone(UTC) == want.astimezone(UTC), (
        f"{field}: expected {want.isoformat()}, got {got.isoformat()}"
    )


def test_every_required_scenario_is_there() -> None:
    stems = {p.stem for p in _scenarios()}
    assert stems >= REQUIRED_SCENARIOS, sorted(REQUIRED_SCENARIOS - stems)
    assert len(ROWS) >= 50


@pytest.mark.parametrize("path", _scenarios(), ids=lambda p: p.stem)
def test_scenario_is_well_formed(path: Path) -> None:
    data = _load_toml(path)
    assert str(data.get("why", "")).strip(), "every scenario explains itself in 'why'"
    assert set(data) <= {"why", "policy", "ticket", "now", "expect"}
    for row in data["expect"]:
        assert set(row) <= _KNOWN, sorted(set(row) - _KNOWN)


@pytest.mark.parametrize(("stem", "row"), ROWS)
def test_golden_timeline(stem: str, row: dict[str, Any]) -> None:
    data = _load_toml(CASES_DIR / f"{stem}.toml")
    sla = _evaluate(stem, row.get("now", data.get("now")))
    metric, cycle = row["metric"], row.get("cycle", 1)
    found = [m for m in sla.metrics if m.name == metric and m.cycle == cycle]
    if row.get("absent"):
        assert not found, f"{metric} cycle {cycle} should not be reported"
        return
    assert len(found) == 1, f"{metric} cycle {cycle}: {[(m.name, m.cycle) for m in sla]}"
    result: MetricResult = found[0]
    if "status" in row:
        assert result.status == row["status"]
    for field in _INSTANTS:
        if field in row:
            _same(getattr(result, field), _instant(row[field]), field)
    if "business_elapsed" in row:
        assert result.business_elapsed == span(row["business_elapsed"])
    if "severity" in row:
        assert result.severity == row["severity"]
    if "share_used" in row:
        assert result.share_used == pytest.approx(row["share_used"], abs=1e-6)
    if "plan" in row:
        assert result.plan == row["plan"]
    if "rule" in row:
        assert sla.rule == (None if row["rule"] == "none" else row["rule"])
    if "calendar" in row:
        assert result.calendar == row["calendar"]
    if "pauses" in row:
        assert len(result.pauses) == row["pauses"]
    if any(k in row for k in _INTERNAL):
        assert result.internal is not None, "expected an internal target"
        if "internal_status" in row:
            assert result.internal.status == row["internal_status"]
        if "internal_deadline" in row:
            _same(result.internal.deadline, _instant(row["internal_deadline"]), "internal deadline")
        if "internal_breached_at" in row:
            _same(
                result.internal.breached_at,
                _instant(row["internal_breached_at"]),
                "internal breached_at",
            )
