"""Rows of a CSV or JSONL file with their physical line numbers, read strictly (stdlib
only).

Everything here is about the file's *structure*: its encoding (a clear error naming the
byte offset when a byte does not decode), its quoting (an unterminated quote is an error,
not a field that swallows the following rows), its shape (every CSV row has the header's
number of fields; every JSONL line is one JSON object without ``NaN`` or ``Infinity``).
A structural error is a :class:`~slaclock.TimelineError` naming ``FILE:LINE``; no row
after it can be trusted, so it always stops the reading.
"""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final

from .errors import ConfigError, TimelineError

__all__ = ["DEFAULT_ENCODING", "file_kind", "iter_lines", "iter_rows"]

DEFAULT_ENCODING: Final = "utf-8-sig"
_CHUNK: Final = 1 << 20
_BOMS: Final = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def file_kind(path: str | Path) -> str:
    """``"csv"``, ``"tsv"`` or ``"jsonl"`` from the file's suffix."""
    suffix = Path(path).suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix in (".csv", ".tsv"):
        return suffix[1:]
    raise ConfigError(
        f"{str(path)!r}: unknown event file type {suffix!r}; use .csv, .tsv or .jsonl"
    )


def _check_encoding(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise ConfigError(
            f"unknown encoding {encoding!r}; use a Python codec name such as utf-8, "
            "utf-8-sig, utf-16, cp1252 or latin-1"
        ) from None


def iter_lines(
    path: str | Path, *, encoding: str = DEFAULT_ENCODING, counter: list[int] | None = None
) -> Iterator[str]:
    """The physical lines of a text file (split at ``\\n``, which each keeps), decoded
    strictly. A byte sequence that does not decode raises :class:`TimelineError` naming
    the byte offset and line. ``counter[0]`` follows the bytes read."""
    _check_encoding(encoding)
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    p = str(path)
    consumed = 0  # bytes handed to the decoder so far
    newlines = 0  # line feeds decoded so far
    pending = ""
    with open(path, "rb") as fh:
        first = True
        while True:
            chunk = fh.read(_CHUNK)
            final = not chunk
            if first:
                _sniff(p, chunk, encoding)
                first = False
            buffered = decoder.getstate()[0]
            try:
                text = decoder.decode(chunk, final=final)
            except UnicodeDecodeError as exc:
                data = buffered + chunk
                offset = consumed - len(buffered) + exc.start
                line = newlines + data[: exc.start].decode(encoding, "replace").count("\n") + 1
                bad = data[exc.start : exc.end][:8]
                raise TimelineError(
                    f"{p}:{line}: byte {offset} ({bad!r}) is not valid {encoding} "
                    f"({exc.reason}); pass the file's encoding (--encoding cp1252, latin-1, "
                    "utf-16…)"
                ) from None
            consumed += len(chunk)
            if counter is not None:
                counter[0] = consumed
            if "\x00" in text:
                line = newlines + (pending + text)[: (pending + text).index("\x00")].count("\n")
                raise TimelineError(
                    f"{p}:{line + 1}: the line contains a NUL character; is the file UTF-16 "
                    "without a byte order mark? pass --encoding utf-16-le (or utf-16-be)"
                )
            if text:
                parts = (pending + text).split("\n")
                pending = parts.pop()
                newlines += len(parts)
                for part in parts:
                    yield part + "\n"
            if final:
                break
    if pending:
        yield pending


def _sniff(path: str, head: bytes, encoding: str) -> None:
    name = codecs.lookup(encoding).name
    for bom, family in _BOMS:
        if head.startswith(bom) and not name.startswith(family):
            raise TimelineError(
                f"{path}:1: the file starts with a {family.upper()} byte order mark but is "
                f"read as {encoding}; pass --encoding {family}"
            )


def iter_rows(
    path: str | Path,
    *,
    encoding: str = DEFAULT_ENCODING,
    delimiter: str | None = None,
    counter: list[int] | None = None,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line, row)`` from a CSV / TSV or JSONL file (by suffix), streaming;
    ``line`` is the physical line on which the row starts."""
    kind = file_kind(path)
    if kind == "jsonl":
        if delimiter is not None:
            raise ConfigError(f"--delimiter {delimiter!r} applies to CSV files, not {path}")
        yield from _jsonl_rows(path, encoding, counter)
    else:
        sep = delimiter if delimiter is not None else ("\t" if kind == "tsv" else ",")
        if len(sep) != 1 or sep in '"\r\n':
            raise ConfigError(
                f"delimiter {sep!r} must be one character other than a quote or a line break, "
                "e.g. ';' or '\\t'"
            )
        yield from _csv_rows(path, encoding, sep, counter)


def _is_text(row: Any) -> bool:
    """False when a JSON value holds a lone surrogate (``"\\ud800"``), which no file can
    store as text."""
    try:
        json.dumps(row, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _jsonl_rows(
    path: str | Path, encoding: str, counter: list[int] | None
) -> Iterator[tuple[int, dict[str, Any]]]:
    loads: Callable[[str], Any] = json.JSONDecoder(parse_constant=_reject_constant).decode
    for n, line in enumerate(iter_lines(path, encoding=encoding, counter=counter), 1):
        if not line.strip():
            continue
        try:
            row = loads(line)
        except RecursionError:
            raise TimelineError(f"{path}:{n}: the JSON is nested too deeply") from None
        except ValueError as exc:
            raise TimelineError(f"{path}:{n}: not valid JSON: {exc}") from None
        if "\\u" in line and not _is_text(row):
            raise TimelineError(
                f"{path}:{n}: the line escapes a lone UTF-16 surrogate (\\ud800-\\udfff), "
                "which is not text"
            )
        if not isinstance(row, dict):
            raise TimelineError(
                f"{path}:{n}: each line must be a JSON object ({{...}}), not {type(row).__name__}"
            )
        yield n, row


_CSV_HINTS: Final = {
    "unexpected end of data": "a quoted field is never closed (an unterminated quote)",
    "expected after": 'a quote inside a quoted field is not doubled (write "" for ")',
    "field larger than field limit": "a field is longer than 131,072 characters, usually "
    "because a quote is never closed",
    "line contains NUL": "the line contains a NUL byte (a UTF-16 file? pass --encoding utf-16)",
}


def _csv_rows(
    path: str | Path, encoding: str, sep: str, counter: list[int] | None
) -> Iterator[tuple[int, dict[str, Any]]]:
    reader = csv.reader(
        iter_lines(path, encoding=encoding, counter=counter), delimiter=sep, strict=True
    )
    header: list[str] | None = None
    end = 0  # physical line on which the previous record ended
    while True:
        start = end + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            text = str(exc)
            hint = next((h for k, h in _CSV_HINTS.items() if k in text), text)
            raise TimelineError(
                f"{path}:{start}: the CSV record starting here cannot be read: {hint} "
                f"(csv: {text}); fix the quoting of the export"
            ) from None
        end = reader.line_num
        if not record:
            continue  # a blank line
        if header is None:
            header = [h.strip() for h in record]
            if len(header) == 1:
                sniffed = next((c for c in (";", "\t", "|", ",") if c in header[0]), None)
                if sniffed is not None:
                    raise TimelineError(
                        f"{path}:{start}: the header is one column, {header[0]!r}; the "
                        f"delimiter seems to be {sniffed!r}, not {sep!r}: pass --delimiter"
                    )
            dup = sorted({h for h in header if h and header.count(h) > 1})
            if dup:
                raise TimelineError(
                    f"{path}:{start}: the header names {', '.join(map(repr, dup))} twice; "
                    "every column needs its own name"
                )
            continue
        if len(record) != len(header):
            hint = ""
            if len(record) == 1:
                hint = f" (or the delimiter is not {sep!r}: pass --delimiter)"
            raise TimelineError(
                f"{path}:{start}: {len(record)} fields where the header has {len(header)}; "
                f"a delimiter ({sep!r}) or quote is out of place{hint}"
            )
        yield start, {h: v for h, v in zip(header, record, strict=True) if h}
