"""The package surface: every public name resolves, and ``import slaclock`` is light."""

from __future__ import annotations

import subprocess
import sys

import pytest

import slaclock


def test_every_public_name_resolves_to_what_its_module_defines() -> None:
    for name in slaclock.__all__:
        value = getattr(slaclock, name)
        assert value is not None, name
    assert slaclock.Policy.__module__ == "slaclock.policy"
    assert sorted(slaclock.__all__) == sorted(set(slaclock.__all__))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="'Polcy'"):
        slaclock.Polcy  # type: ignore[attr-defined]  # noqa: B018


def test_import_loads_neither_pydantic_nor_holidays_nor_the_cli() -> None:
    code = (
        "import sys, slaclock; "
        "heavy = [m for m in ('pydantic', 'holidays', 'slaclock.cli', 'slaclock.io', "
        "'slaclock.report', 'importlib.metadata') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_the_command_line_help_loads_neither_pydantic_nor_the_engine() -> None:
    """``slaclock --help`` (and every subcommand's) builds the parser only: the library is
    imported by the command that runs (what keeps ``slaclock --help`` fast)."""
    code = (
        "import sys, contextlib, io\n"
        "from slaclock.cli import build_parser, main\n"
        "for argv in (['--help'], ['evaluate', '--help'], ['audit', '--help'],\n"
        "             ['statement', '--help'], ['import', 'zendesk-policies', '--help']):\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        "        assert main(argv) == 0, argv\n"
        "heavy = [m for m in ('pydantic', 'holidays', 'slaclock.engine', 'slaclock.io', "
        "'slaclock.report', 'slaclock.adapters._common', 'slaclock.statement') "
        "if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
    # and the commands still find what they import when they run
    done = subprocess.run(
        [sys.executable, "-m", "slaclock", "schema", "--kind", "calendar"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert '"title": "Calendar"' in done.stdout


def test_version_is_a_constant() -> None:
    parts = slaclock.__version__.split(".")
    assert len(parts) == 3
    assert all(p.isdigit() for p in parts)
