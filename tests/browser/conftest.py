"""Headless Chromium for the browser tests (Debian's ``chromium`` package, driven by
Playwright from the ``browser`` extra with ``executable_path``; Playwright's own browser
downloads are never used).

The browser is ``$SLACLOCK_CHROMIUM``, else ``chromium`` on the ``PATH``, else
``/usr/bin/chromium``. When it or Playwright is missing the tests are skipped, and the
reason is printed at the end of the run (``.ci/run`` installs both)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
_SKIPPED: list[str] = []


def chromium_path() -> str | None:
    candidates = [
        os.environ.get("SLACLOCK_CHROMIUM"),
        shutil.which("chromium"),
        "/usr/bin/chromium",
    ]
    return next((c for c in candidates if c and Path(c).is_file()), None)


def _skip(reason: str) -> None:
    if reason not in _SKIPPED:
        _SKIPPED.append(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser_context() -> Iterator[Any]:
    """A fresh persistent Chromium profile (its own --user-data-dir), 1000 px wide."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _skip("browser tests skipped: Playwright is not installed (pip install -e '.[browser]')")
    executable = chromium_path()
    if executable is None:
        _skip(
            "browser tests skipped: no Chromium at $SLACLOCK_CHROMIUM, on PATH or at "
            "/usr/bin/chromium (apt-get install -y chromium; .ci/run does it)"
        )
    with (
        tempfile.TemporaryDirectory(prefix="slaclock-chromium-") as profile,
        sync_playwright() as pw,
    ):
        context = pw.chromium.launch_persistent_context(
            profile,
            executable_path=executable,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1000, "height": 1200},
        )
        context.set_default_timeout(30_000)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Screenshots and PDFs go here (git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for reason in _SKIPPED:
        terminalreporter.write_line(reason, yellow=True)
