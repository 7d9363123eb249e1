"""The command line's columnar path (pyarrow readers, numpy arithmetic) writes exactly what
the strict reader's path writes, and hands anything it cannot read cleanly to the strict
reader, whose errors name the file and line."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyarrow")
pytest.importorskip("numpy")

from slaclock import batch
from slaclock.cli import main

ROOT = Path(__file__).resolve().parent.parent
POLICY = str(ROOT / "src" / "slaclock" / "data" / "sample_policy.toml")


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("event_log", ROOT / "benchmarks" / "event_log.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("log")
    grouped, _, _ = _generator().generate(300, 11, directory)
    return Path(grouped)


def _run(
    monkeypatch: pytest.MonkeyPatch, events: Path, out: Path, fmt: str, *, columnar: bool
) -> int:
    if columnar:
        monkeypatch.delenv("SLACLOCK_NO_BATCH", raising=False)
    else:
        monkeypatch.setenv("SLACLOCK_NO_BATCH", "1")
    return main([
        "evaluate", str(events), "--policy", POLICY, "--grouped", "--format", fmt,
        "-o", str(out), "--no-progress",
    ])  # fmt: skip


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json", "events", "table"])
def test_the_same_bytes_as_the_strict_reader(
    fmt: str, log: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    real = batch.evaluate_pieces

    def spy(*a: Any, **kw: Any) -> Any:
        calls.append(1)
        return real(*a, **kw)

    monkeypatch.setattr(batch, "evaluate_pieces", spy)
    fast, slow = tmp_path / f"fast.{fmt}", tmp_path / f"slow.{fmt}"
    assert _run(monkeypatch, log, fast, fmt, columnar=True) == 0
    assert calls, "the columnar path did not run"
    assert _run(monkeypatch, log, slow, fmt, columnar=False) == 0
    assert fast.read_bytes() == slow.read_bytes()
    assert fast.stat().st_size > 1000


def test_anything_odd_goes_to_the_strict_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    events = tmp_path / "events.csv"
    events.write_text(
        "ticket_id,at,type,severity\n"
        "T-1,2026-11-16T09:00:00-05:00,created,high\n"
        "T-1,2026-11-16 10:00,agent_reply,\n",  # no offset: the strict reader says where
        encoding="utf-8",
    )
    assert _run(monkeypatch, events, tmp_path / "out.csv", "csv", columnar=True) == 2
    err = capsys.readouterr().err
    assert "events.csv:3" in err
    assert "offset" in err
    assert not (tmp_path / "out.csv").exists()


def test_the_columnar_path_keeps_rows_of_a_ticket_cut_across_blocks(
    log: Path, tmp_path: Path
) -> None:
    from slaclock import Policy

    policy = Policy.from_file(POLICY)
    small = list(batch.read_log(log, block_size=4096))
    assert len(small) > 10
    now = batch.latest_event(batch.read_log(log))
    a = [i.sla for i in batch.evaluate_pieces(small, policy, now=now)]
    b = [i.sla for i in batch.evaluate_pieces(batch.read_log(log), policy, now=now)]
    assert [s.ticket_id for s in a] == [s.ticket_id for s in b]
    assert all(x.metrics == y.metrics for x, y in zip(a, b, strict=True))
    random.Random(1).shuffle(small)  # not clustered any more
    with pytest.raises(Exception, match=r"clustered|severity|before"):
        list(batch.evaluate_pieces(small, policy, now=now))
