"""The example notebook (examples/notebook.py, a percent-format script) runs top to
bottom and draws its figures."""

import runpy
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "notebook.py"


def test_notebook_runs_top_to_bottom(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib")
    namespace = runpy.run_path(str(EXAMPLE), run_name="__main__")
    out = capsys.readouterr().out
    assert "Weekly hours in America/Los_Angeles" in out
    assert "Attainment" in out
    for name in ("ticket.png", "attainment.png"):
        png = namespace["OUT"] / name
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
