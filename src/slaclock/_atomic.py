"""Output that is complete or absent (stdlib only).

:class:`AtomicOutput` writes to a temporary file beside the target and renames it over
the target only when :meth:`~AtomicOutput.commit` is called; leaving the ``with`` block
without committing (an error, Ctrl-C, SIGTERM turned into an exception) removes the
temporary file and leaves an existing target untouched. Standard output is spooled to a
temporary file the same way and copied out on commit, so a failed run prints no partial
rows either. :func:`check_distinct` refuses an output that is one of the inputs (also
through a symbolic link or a hard link) before anything is opened for writing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import IO, final

from .errors import ConfigError

__all__ = ["AtomicOutput", "check_distinct"]


def _same(a: str, b: str) -> bool:
    ra, rb = os.path.realpath(a), os.path.realpath(b)
    if ra == rb:
        return True
    try:
        return os.path.samefile(ra, rb)
    except OSError:
        return False


def check_distinct(outputs: Iterable[tuple[str, str | None]], inputs: Iterable[str]) -> None:
    """Raise :class:`~slaclock.ConfigError` when an output (``(option, path)``) resolves
    to an input file or to another output; ``None`` and ``-`` (standard output) pass."""
    ins = list(inputs)
    seen: list[tuple[str, str]] = []
    for option, path in outputs:
        if path is None or path == "-" or _special(path):
            continue
        for src in ins:
            if _same(path, src):
                raise ConfigError(
                    f"{option} {path!r} is the input file {src!r} (it resolves to "
                    f"{os.path.realpath(path)!r}); writing there would destroy the input: "
                    "choose another output file"
                )
        for other_option, other in seen:
            if _same(path, other):
                raise ConfigError(
                    f"{option} {path!r} and {other_option} {other!r} are the same file; "
                    "give each output its own file"
                )
        seen.append((option, path))


def _special(path: str) -> bool:
    """A target that exists and is not a regular file (``/dev/null``, a FIFO, a tty):
    renaming over it is impossible or wrong, so it is spooled and written on commit."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@final
class AtomicOutput:
    """A text output that appears whole on :meth:`commit`, or not at all.

    ``target`` is a file path, or ``None`` / ``"-"`` for standard output. Use as a
    context manager; write to :attr:`fh`; call :meth:`commit` when everything was written.
    """

    def __init__(self, target: str | Path | None, *, encoding: str = "utf-8") -> None:
        self.target = None if target in (None, "-") else str(target)
        self.encoding = encoding
        self._tmp: str | None = None
        self._fh: IO[str] | None = None
        self._direct = self.target is not None and _special(self.target)
        self.committed = False

    def __enter__(self) -> AtomicOutput:
        if self.target is None or self._direct:  # spooled, copied out on commit
            self._fh = tempfile.TemporaryFile("w+", encoding=self.encoding, newline="")
        else:
            real = os.path.realpath(self.target)  # write through a symlink, keep the link
            directory = os.path.dirname(real) or "."
            if not os.path.isdir(directory):
                raise ConfigError(
                    f"cannot write {self.target!r}: the directory {directory!r} does not exist"
                )
            fd, self._tmp = tempfile.mkstemp(
                prefix=f".{os.path.basename(real)}.", suffix=".tmp", dir=directory
            )
            self._fh = os.fdopen(fd, "w", encoding=self.encoding, newline="")
        return self

    @property
    def fh(self) -> IO[str]:
        """The handle to write to (valid inside the ``with`` block)."""
        if self._fh is None:
            raise RuntimeError("AtomicOutput used outside its with-block")
        return self._fh

    def reset(self) -> None:
        """Forget everything written so far (the run starts over)."""
        self.fh.seek(0)
        self.fh.truncate()

    def commit(self) -> None:
        """Make the output visible: rename the temporary file over the target, or copy
        the spooled text to standard output."""
        fh = self.fh
        fh.flush()
        if self.target is None:
            fh.seek(0)
            shutil.copyfileobj(fh, sys.stdout)
            sys.stdout.flush()
            fh.close()
        elif self._direct:
            fh.seek(0)
            with open(self.target, "w", encoding=self.encoding, newline="") as dest:
                shutil.copyfileobj(fh, dest)
            fh.close()
        else:
            assert self._tmp is not None
            os.fsync(fh.fileno())
            fh.close()
            real = os.path.realpath(self.target)
            try:
                mode = stat.S_IMODE(os.stat(real).st_mode)
            except OSError:
                mode = 0o666 & ~_umask()
            os.chmod(self._tmp, mode)
            os.replace(self._tmp, real)
            self._tmp = None
        self.committed = True

    def discard(self) -> None:
        """Drop what was written; an existing target stays as it was."""
        if self._fh is not None and not self._fh.closed:
            self._fh.close()
        if self._tmp is not None:
            with contextlib.suppress(OSError):  # already gone
                os.unlink(self._tmp)
            self._tmp = None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self.committed:
            self.discard()
