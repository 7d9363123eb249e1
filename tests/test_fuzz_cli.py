"""The command line against hypothesis-generated input, in process (``main([...])``):
random bytes, random quoting and corruption, random column orders, random timestamps,
random agreements. Only the contract is asserted:

- the exit status is 0, 1 or 2 (never 3, never an exception out of ``main``), with no
  traceback on stderr;
- no partial output: an output file is absent after a failed run and complete (it reads
  back) when present; no temporary file is left anywhere;
- ``--on-error skip`` gives the good tickets exactly the results of a run on the clean
  subset (the input without the rejected tickets' rows).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from slaclock.cli import main
from slaclock.io import read_results

KINDS = ["created", "agent_reply", "customer_reply", "internal_note", "status", "severity",
         "plan", "bogus", ""]  # fmt: skip
SEVERITIES = ["high", "low", "urgent", " high ", "HIGH", "nope", ""]
STATUSES = ["open", "pending", "solved", "on_hold", "closed", "Pending", ""]
ZONES = ["UTC", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]
OFFSETS = ["Z", "+00:00", "-05:00", "+05:30", "+10:30", ""]
DURATIONS = ["30m", "1h", "4h", "8h", "1 business day", "2bd", "PT2H"]
METRICS = ["first_response", "next_reply", "periodic_update", "resolution"]
COLUMNS = ["ticket_id", "at", "type", "status", "severity", "plan", "customer"]

FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@contextlib.contextmanager
def workdir() -> Iterator[Path]:
    """A fresh directory that is also the temporary directory of the run."""
    with tempfile.TemporaryDirectory(prefix="fuzz-") as d:
        root = Path(d)
        (root / "tmp").mkdir()
        old = tempfile.tempdir
        tempfile.tempdir = str(root / "tmp")
        try:
            yield root
        finally:
            tempfile.tempdir = old


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def check_contract(code: int, err: str, root: Path, outputs: list[Path]) -> None:
    assert code in (0, 1, 2), err
    assert "Traceback" not in err
    assert "internal error" not in err, err
    if code == 2:
        assert err.startswith("slaclock: "), err
    assert list((root / "tmp").iterdir()) == []  # no temporary file left
    leftovers = [p.name for p in root.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
    for path in outputs:
        if path.exists():
            read_results(path)  # complete: it reads back


# -- agreements -------------------------------------------------------------------------


@st.composite
def policies(draw: st.DrawFn) -> str:
    lines = ['name = "fuzz"']
    preset = draw(st.sampled_from(["24x7", "24x5", "8x5"]))
    zone = draw(st.sampled_from(ZONES))
    lines += ["[calendars.desk]", f'preset = "{preset}"', f'timezone = "{zone}"']
    if draw(st.booleans()):
        lines += ["[pause]", 'resolution = ["pending", "on_hold"]']
    for sev in ("high", "low", "urgent"):
        lines.append(f"[severities.{sev}]")
        metrics = draw(st.lists(st.sampled_from(METRICS), min_size=1, max_size=4, unique=True))
        for m in metrics:
            within = draw(st.sampled_from([*DURATIONS, "1d"] if draw(st.booleans()) else DURATIONS))
            lines.append(f'{m} = "{within}"')
    return "\n".join(lines) + "\n"


# -- event logs -------------------------------------------------------------------------


@st.composite
def stamps(draw: st.DrawFn) -> Any:
    kind = draw(st.sampled_from(["iso", "iso", "iso", "naive", "partial", "garbage", "epoch"]))
    if kind in ("iso", "naive"):
        day = draw(st.integers(1, 28))
        month = draw(st.sampled_from([3, 10, 11]))  # DST changes in several zones
        hour, minute = draw(st.integers(0, 23)), draw(st.integers(0, 59))
        offset = "" if kind == "naive" else draw(st.sampled_from(OFFSETS))
        sep = draw(st.sampled_from(["T", " "]))
        return f"2026-{month:02d}-{day:02d}{sep}{hour:02d}:{minute:02d}:00{offset}"
    if kind == "partial":
        return draw(st.sampled_from(["16:00", "Monday 17:00", "Nov 2026", "5", "2026-11-20",
                                     "12/11/2026 10:00", "11/24/2026 9:15 AM"]))  # fmt: skip
    if kind == "epoch":
        return draw(st.one_of(
            st.integers(1_770_000_000, 1_800_000_000),
            st.sampled_from([1e20, -1e20, 1_795_208_400_000]),
        ))  # fmt: skip
    return draw(st.text(max_size=12))


@st.composite
def rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Rows of a few tickets, interleaved; about half the tickets are well formed (valid
    kinds, times and severities), the others random."""
    n_tickets = draw(st.integers(1, 6))
    out: list[dict[str, Any]] = []
    for i in range(n_tickets):
        tid = draw(st.sampled_from([f"T-{i}", f" T-{i} ", f"=T{i}", f"\x1b[1mT{i}"]))
        good = draw(st.booleans())
        n_rows = draw(st.integers(1, 5))
        start = datetime(2026, draw(st.sampled_from([3, 10, 11])), draw(st.integers(1, 28)),
                         tzinfo=UTC) + timedelta(minutes=draw(st.integers(0, 1439)))  # fmt: skip
        for j in range(n_rows):
            if good:
                kind = "created" if j == 0 else draw(st.sampled_from(KINDS[1:5]))
                start += timedelta(minutes=draw(st.integers(0, 3000)))
                stamp: Any = start.isoformat()
                severity = draw(st.sampled_from(SEVERITIES[:3])) if j == 0 else ""
                status = draw(st.sampled_from(STATUSES[:-1]))
            else:
                kind = draw(st.sampled_from(KINDS))
                stamp = draw(stamps())
                severity = draw(st.sampled_from(SEVERITIES))
                status = draw(st.sampled_from(STATUSES))
            out.append({
                "ticket_id": tid, "at": stamp, "type": kind, "status": status,
                "severity": severity, "plan": "",
                "customer": draw(st.sampled_from(["acme", "globex", "", "+cmd|x", "a,b"])),
            })  # fmt: skip
    return draw(st.permutations(out))


def write_log(path: Path, data: list[dict[str, Any]], columns: list[str], quoting: int) -> None:
    if path.suffix == ".jsonl":
        with path.open("w", encoding="utf-8") as fh:
            for r in data:
                fh.write(json.dumps({k: r[k] for k in columns if r[k] != ""}) + "\n")
        return
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, quoting=quoting)
        w.writerow(columns)
        for r in data:
            w.writerow([r[c] for c in columns])


def base_args(root: Path, events: Path, fmt: str, with_now: bool, zone: bool) -> list[str]:
    argv = ["evaluate", str(events), "--policy", str(root / "policy.toml"), "--format", fmt,
            "-o", str(root / f"out.{fmt}")]  # fmt: skip
    if with_now:
        argv += ["--now", "2026-12-01T00:00:00Z"]
    if zone:
        argv += ["--assume-timezone", "America/New_York"]
    return argv


# -- the properties ---------------------------------------------------------------------


@FUZZ
@given(
    data=st.binary(max_size=400),
    suffix=st.sampled_from([".csv", ".jsonl", ".tsv"]),
    command=st.sampled_from(["evaluate", "report"]),
)
def test_random_bytes(data: bytes, suffix: str, command: str) -> None:
    with workdir() as root:
        (root / "policy.toml").write_text(
            '[calendars.c]\npreset = "24x7"\ntimezone = "UTC"\n[severities.high]\n'
            'first_response = "1h"\n',
            encoding="utf-8",
        )
        events = root / f"events{suffix}"
        events.write_bytes(data)
        out = root / "out.jsonl"
        argv = [command, str(events), "--policy", str(root / "policy.toml"), "-o", str(out)]
        if command == "evaluate":
            argv += ["--format", "jsonl"]
        code, _, err = cli(*argv)
        check_contract(code, err, root, [out] if command == "evaluate" else [])
        if code == 2 and "rejected" not in err:
            assert not out.exists()


@FUZZ
@given(
    policy=policies(),
    data=rows(),
    order=st.permutations(COLUMNS),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]),
    suffix=st.sampled_from([".csv", ".jsonl"]),
    fmt=st.sampled_from(["csv", "jsonl", "json"]),
    with_now=st.booleans(),
    zone=st.booleans(),
    corrupt=st.one_of(st.none(), st.tuples(st.integers(0, 10_000), st.sampled_from(
        ['"', ",", "\n", "\x00", "\ufeff", "\xff"]))),
)  # fmt: skip
def test_random_logs_keep_the_contract(
    policy: str, data: list[dict[str, Any]], order: list[str], quoting: int, suffix: str,
    fmt: str, with_now: bool, zone: bool, corrupt: tuple[int, str] | None,
) -> None:  # fmt: skip
    with workdir() as root:
        (root / "policy.toml").write_text(policy, encoding="utf-8")
        events = root / f"events{suffix}"
        write_log(events, data, list(order), quoting)
        if corrupt is not None:
            raw = events.read_bytes()
            at = corrupt[0] % (len(raw) + 1)
            events.write_bytes(raw[:at] + corrupt[1].encode("utf-8", "surrogateescape") + raw[at:])
        argv = base_args(root, events, fmt, with_now, zone)
        out = root / f"out.{fmt}"
        for mode in ("fail", "skip"):
            if out.exists():
                out.unlink()
            code, _, err = cli(*argv, "--on-error", mode, "--fail-on-breach")
            check_contract(code, err, root, [out])
            if mode == "fail" and code == 2:
                assert not out.exists()
            if code in (0, 1):
                assert out.exists()


@FUZZ
@given(
    policy=policies(),
    data=rows(),
    with_now=st.booleans(),
    zone=st.booleans(),
)
def test_skip_gives_the_clean_subsets_results(
    policy: str, data: list[dict[str, Any]], with_now: bool, zone: bool
) -> None:
    with workdir() as root:
        (root / "policy.toml").write_text(policy, encoding="utf-8")
        events = root / "events.csv"
        write_log(events, data, COLUMNS, csv.QUOTE_MINIMAL)
        quarantine = root / "rejected.jsonl"
        argv = base_args(root, events, "jsonl", with_now, zone)
        code, _, err = cli(*argv, "--on-error", f"quarantine={quarantine}")
        check_contract(code, err, root, [root / "out.jsonl"])
        event(f"skip run: exit {code}")
        if not (root / "out.jsonl").exists():
            assert code == 2
            assert not quarantine.exists()
            return  # a structural or agreement error: nothing to compare
        with_rejects = read_results(root / "out.jsonl")
        lines = quarantine.read_text(encoding="utf-8").splitlines()
        rejected = {json.loads(line)["slaclock_ticket"] for line in lines}
        assert (code == 2) == bool(rejected)
        event(f"rejected tickets: {min(len(rejected), 3)}")
        event(f"good tickets evaluated: {min(len({r['ticket_id'] for r in with_rejects}), 2)}")
        clean = [r for r in data if str(r["ticket_id"]).strip() not in rejected]
        events.unlink()
        write_log(events, clean, COLUMNS, csv.QUOTE_MINIMAL)
        (root / "out.jsonl").unlink()
        code, _, err = cli(*argv)
        check_contract(code, err, root, [root / "out.jsonl"])
        assert code == 0, err
        assert read_results(root / "out.jsonl") == with_rejects


@pytest.mark.parametrize("fmt", ["text", "json", "csv", "markdown"])
def test_report_formats_on_an_empty_log(fmt: str) -> None:
    with workdir() as root:
        (root / "policy.toml").write_text(
            '[calendars.c]\npreset = "24x7"\ntimezone = "UTC"\n[severities.high]\n'
            'first_response = "1h"\n',
            encoding="utf-8",
        )
        (root / "events.csv").write_text("ticket_id,at,type\n", encoding="utf-8")
        code, out, err = cli("report", str(root / "events.csv"), "--policy",
                             str(root / "policy.toml"), "--format", fmt)  # fmt: skip
        check_contract(code, err, root, [])
        assert code == 0
        if fmt == "json":
            assert json.loads(out)["tickets"] == 0
            assert json.loads(out)["as_of"] is None
        elif fmt == "csv":
            assert out.splitlines()[1].startswith("summary,,the latest event in the input,,0,")
        else:
            assert "as of — (no tickets)" in out
        assert sorted(os.listdir(root)) == ["events.csv", "policy.toml", "tmp"]
