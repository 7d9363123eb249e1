"""Output that is complete or absent, and never written onto an input."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from slaclock._atomic import AtomicOutput, check_distinct
from slaclock.errors import ConfigError


class TestAtomicOutput:
    def test_commit_replaces_the_target(self, tmp_path: Path) -> None:
        target = tmp_path / "out.csv"
        target.write_text("old\n")
        with AtomicOutput(target) as out:
            out.fh.write("new\n")
            assert target.read_text() == "old\n"  # nothing visible before the commit
            out.commit()
        assert target.read_text() == "new\n"
        assert os.listdir(tmp_path) == ["out.csv"]

    def test_failure_leaves_the_old_file_and_no_temporary(self, tmp_path: Path) -> None:
        target = tmp_path / "out.csv"
        target.write_text("old\n")

        def fail() -> None:
            with AtomicOutput(target) as out:
                out.fh.write("half")
                raise RuntimeError("boom")

        with pytest.raises(RuntimeError):
            fail()
        assert target.read_text() == "old\n"
        assert os.listdir(tmp_path) == ["out.csv"]

    def test_no_file_without_commit(self, tmp_path: Path) -> None:
        with AtomicOutput(tmp_path / "out.csv") as out:
            out.fh.write("x")
        assert os.listdir(tmp_path) == []

    def test_reset(self, tmp_path: Path) -> None:
        with AtomicOutput(tmp_path / "out.txt") as out:
            out.fh.write("first pass\n")
            out.reset()
            out.fh.write("second\n")
            out.commit()
        assert (tmp_path / "out.txt").read_text() == "second\n"

    def test_writes_through_a_symlink(self, tmp_path: Path) -> None:
        real = tmp_path / "real.csv"
        real.write_text("old\n")
        link = tmp_path / "link.csv"
        link.symlink_to(real)
        with AtomicOutput(link) as out:
            out.fh.write("new\n")
            out.commit()
        assert link.is_symlink()
        assert real.read_text() == "new\n"

    def test_keeps_the_mode(self, tmp_path: Path) -> None:
        target = tmp_path / "out.csv"
        target.write_text("old\n")
        target.chmod(0o640)
        with AtomicOutput(target) as out:
            out.fh.write("new\n")
            out.commit()
        assert target.stat().st_mode & 0o777 == 0o640

    def test_standard_output_is_spooled(self, capsys: pytest.CaptureFixture[str]) -> None:
        with AtomicOutput(None) as out:
            out.fh.write("row\n")
            assert capsys.readouterr().out == ""
            out.commit()
        assert capsys.readouterr().out == "row\n"
        with AtomicOutput("-") as out:
            out.fh.write("lost\n")
        assert capsys.readouterr().out == ""

    def test_dev_null(self) -> None:
        with AtomicOutput(os.devnull) as out:
            out.fh.write("x")
            out.commit()

    def test_missing_directory(self, tmp_path: Path) -> None:
        with (
            pytest.raises(ConfigError, match=r"the directory .*nope' does not exist"),
            AtomicOutput(tmp_path / "nope" / "out.csv"),
        ):
            pass


class TestCheckDistinct:
    def test_output_is_the_input(self, tmp_path: Path) -> None:
        events = tmp_path / "events.csv"
        events.write_text("x")
        with pytest.raises(ConfigError, match=r"--output '.*events.csv' is the input file"):
            check_distinct([("--output", str(events))], [str(events)])

    def test_through_a_symlink_and_a_relative_path(self, tmp_path: Path) -> None:
        events = tmp_path / "events.csv"
        events.write_text("x")
        link = tmp_path / "results.csv"
        link.symlink_to(events)
        with pytest.raises(ConfigError, match=r"resolves to '.*events.csv'"):
            check_distinct([("-o", str(link))], [str(events)])
        other = tmp_path / "sub"
        other.mkdir()
        with pytest.raises(ConfigError, match=r"is the input file"):
            check_distinct([("-o", str(other / ".." / "events.csv"))], [str(events)])

    def test_hard_link(self, tmp_path: Path) -> None:
        events = tmp_path / "events.csv"
        events.write_text("x")
        os.link(events, tmp_path / "copy.csv")
        with pytest.raises(ConfigError, match=r"is the input file"):
            check_distinct([("-o", str(tmp_path / "copy.csv"))], [str(events)])

    def test_two_outputs(self, tmp_path: Path) -> None:
        a = str(tmp_path / "a.csv")
        with pytest.raises(ConfigError, match=r"--breaches-out .* and --output .* are the same"):
            check_distinct([("--output", a), ("--breaches-out", a)], [])

    def test_distinct_and_stdout(self, tmp_path: Path) -> None:
        events = tmp_path / "events.csv"
        events.write_text("x")
        check_distinct(
            [("-o", str(tmp_path / "r.csv")), ("-o", None), ("-o", "-"), ("-o", os.devnull)],
            [str(events)],
        )
