"""The documentation's examples are part of the test suite.

Every fenced ```python block of ``README.md`` and of every ``docs/**/*.md`` file runs here:
the blocks of one file run in order, in one shared namespace, so a later block may use
what an earlier one defined. Expected results are plain ``assert`` statements in the
blocks (rewritten by pytest, so a failure shows both values). Every ```toml and ```json
block must parse, and one with a top-level ``timezone`` key must validate as a
:class:`slaclock.Calendar` configuration.

A block preceded by the HTML comment ``<!-- no-test -->`` (on the closest non-blank line
above its opening fence) is skipped. New documents are picked up automatically.

Each block is its own test, named after the file and the line of its opening fence
(``docs/calendars.md:120``); tracebacks point at the line of the Markdown file.
"""

from __future__ import annotations

import ast
import contextlib
import json
import re
import tomllib
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from slaclock import Calendar

try:  # pytest's assertion rewriting, so a failing `assert a == b` shows a and b
    from _pytest.assertion.rewrite import rewrite_asserts
except ImportError:  # pragma: no cover - private API; fall back to plain asserts
    rewrite_asserts = None

ROOT = Path(__file__).resolve().parent.parent
NO_TEST = "<!-- no-test -->"
PYTHON = {"python", "py", "python3"}
CONFIG = {"toml", "json"}
_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*(?P<info>[^\s`]*)")


@dataclass(frozen=True)
class Block:
    """One fenced code block of a Markdown file."""

    path: Path
    line: int  # 1-based line of the opening fence
    lang: str
    code: str
    skip: bool

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT).as_posix()}:{self.line}"


def doc_files() -> list[Path]:
    files = [ROOT / "README.md", *sorted((ROOT / "docs").glob("**/*.md"))]
    return [f for f in files if f.is_file()]


def fenced_blocks(path: Path) -> Iterator[Block]:
    """The fenced code blocks of ``path``, in order (CommonMark fences, indented up to 3)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, indent = m.group("fence"), len(m.group("indent"))
        lang = m.group("info").lower()
        prev = next((ln.strip() for ln in reversed(lines[:i]) if ln.strip()), "")
        body: list[str] = []
        j = i + 1
        while j < len(lines):
            stripped = lines[j].strip()
            if stripped.startswith(fence[0] * len(fence)) and not stripped.strip(fence[0]):
                break
            text = lines[j]
            body.append(text[min(indent, len(text) - len(text.lstrip(" "))) :])
            j += 1
        yield Block(path, i + 1, lang, "\n".join(body) + "\n", prev == NO_TEST)
        i = j + 1


def _blocks(langs: set[str]) -> list[Block]:
    return [b for f in doc_files() for b in fenced_blocks(f) if b.lang in langs]


def _params(blocks: list[Block]) -> list[Any]:
    return [
        pytest.param(b, id=b.where, marks=[pytest.mark.skip(reason=NO_TEST)] if b.skip else [])
        for b in blocks
    ]


def _compile(block: Block) -> Any:
    # Pad with blank lines so that line numbers in tracebacks are the Markdown file's.
    source = "\n" * block.line + block.code
    filename = str(block.path)
    tree = ast.parse(source, filename=filename)
    if rewrite_asserts is not None:
        rewrite_asserts(tree, source.encode(), block.path, None)
    return compile(tree, filename, "exec")


class _FileRun:
    """The shared namespace of one Markdown file and how far its blocks have run."""

    def __init__(self, path: Path) -> None:
        self.namespace: dict[str, Any] = {"__name__": f"docs:{path.name}"}
        self.blocks = [b for b in fenced_blocks(path) if b.lang in PYTHON and not b.skip]
        self.done = 0

    def run_through(self, block: Block) -> None:
        """Run the earlier blocks not yet run (their own tests report their failures),
        then ``block`` itself, raising on failure."""
        index = self.blocks.index(block)
        while self.done < index:
            earlier = self.blocks[self.done]
            self.done += 1
            with contextlib.suppress(Exception):  # reported by that block's own test
                exec(_compile(earlier), self.namespace)
        self.done = index + 1
        exec(_compile(block), self.namespace)


_RUNS: dict[Path, _FileRun] = {}


@pytest.mark.parametrize("block", _params(_blocks(PYTHON)))
def test_python_block(block: Block) -> None:
    run = _RUNS.get(block.path)
    if run is None or run.done > run.blocks.index(block):
        run = _RUNS[block.path] = _FileRun(block.path)  # (re)start the file from the top
    failure = None
    try:
        run.run_through(block)
    except Exception as exc:
        failure = _report(block, exc)
    if failure is not None:
        pytest.fail(failure, pytrace=False)


def _report(block: Block, exc: BaseException) -> str:
    """Where the block failed (Markdown file and line) and why, without pytest's dump of
    the whole document as the failing "module"."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != str(block.path):
        tb = tb.tb_next  # drop this module's own frames
    frames = traceback.extract_tb(tb)
    line = next((f.lineno for f in reversed(frames) if f.filename == str(block.path)), None)
    at = f", at line {line}" if line is not None else ""
    detail = "".join(traceback.format_exception(type(exc), exc, tb)).rstrip()
    return f"python block at {block.where} failed{at}:\n{detail}"


@pytest.mark.parametrize("block", _params(_blocks(CONFIG)))
def test_config_block(block: Block) -> None:
    try:
        data = tomllib.loads(block.code) if block.lang == "toml" else json.loads(block.code)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        pytest.fail(f"{block.lang} block at {block.where} does not parse: {exc}", pytrace=False)
    if isinstance(data, dict) and "timezone" in data:
        try:
            Calendar.model_validate(data)
        except ValueError as exc:
            pytest.fail(
                f"calendar in {block.lang} block at {block.where} is invalid:\n{exc}", pytrace=False
            )


def test_docs_have_examples() -> None:
    """Guard against the collection above silently finding nothing."""
    assert (ROOT / "docs" / "calendars.md").is_file()
    assert any(b.path.name == "calendars.md" for b in _blocks(PYTHON))
