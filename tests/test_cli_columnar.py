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


def test_a_jsonl_log_is_read_block_by_block(log: Path, tmp_path: Path) -> None:
    """JSON lines stream like CSV: the first table comes before the file is read through
    (an iterator over blocks, not one table split afterwards)."""
    jsonl = tmp_path / "events.jsonl"
    import csv
    import json

    with log.open(encoding="utf-8", newline="") as fh, jsonl.open("w", encoding="utf-8") as out:
        for row in csv.DictReader(fh):
            out.write(json.dumps({k: v for k, v in row.items() if v != ""}) + "\n")
    lines = jsonl.read_text(encoding="utf-8").count("\n")
    blocks = batch.read_log(jsonl, block_size=8192)
    first = next(blocks)
    assert 0 < first.num_rows < lines
    assert first.num_rows + sum(t.num_rows for t in blocks) == lines


def test_a_jsonl_block_unlike_the_first_goes_to_the_strict_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The streaming JSON reader fixes the columns' types on its first block; a later block
    with a new key or another type fails there, and the command reads the log again with
    the strict reader: the output is the strict reader's."""
    import json

    rows = []
    for i in range(400):  # some 60 KB: several blocks of 4 KB
        tid = f"T-{i:03d}"
        rows.append({"ticket_id": tid, "at": "2026-11-16T09:00:00-05:00", "type": "created",
                     "severity": "high", "customer": "acme"})  # fmt: skip
        rows.append({"ticket_id": tid, "at": "2026-11-16T10:00:00-05:00", "type": "agent_reply"})
    rows[-2]["customer"] = 7  # a number where the first block had text
    rows[-2]["region"] = "emea"  # and a key the first block did not have
    events = tmp_path / "events.jsonl"
    events.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with pytest.raises(Exception):  # noqa: B017, PT011 - pyarrow's own error
        list(batch.read_log(events, block_size=4096))
    fast, slow = tmp_path / "fast.csv", tmp_path / "slow.csv"
    assert _run(monkeypatch, events, fast, "csv", columnar=True) == 0
    assert _run(monkeypatch, events, slow, "csv", columnar=False) == 0
    assert fast.read_bytes() == slow.read_bytes()
    assert "emea" in fast.read_text(encoding="utf-8")
