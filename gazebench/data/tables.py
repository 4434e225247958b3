"""CSV tables as the publishers ship them, read strictly: every value stays text until a caller parses it,
and every error names the file and the line (header = line 1).

Handles the quirks of the CXR releases: a leading unnamed pandas index column (MIMIC-EYE), CRLF line
endings (REFLACX), padded headers and values (SIIM ` EncodedPixels`), gzip (`*.csv.gz`), a UTF-8 BOM.
"""
from __future__ import annotations

import csv
import errno
import gzip
import io
import math
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from gazebench.errors import DataError


class Row(dict[str, str]):
    """One CSV row (column → stripped text) that remembers its file and line for error messages."""

    def __init__(self, values: dict[str, str], path: Path, line: int) -> None:
        super().__init__(values)
        self.path = path
        self.line = line

    def error(self, message: str) -> DataError:
        """A DataError naming this row's file and line."""
        return DataError(self.path, message, row=self.line)

    def number(self, column: str) -> float:
        """The value as a float; blank is NaN; anything else non-numeric is a DataError."""
        try:
            return _number(self[column])
        except ValueError:
            raise self.error(f"column {column!r} is not a number: {self[column]!r}") from None

    def integer(self, column: str) -> int:
        """The value as an int (accepts `5.0`); blank or non-integral is a DataError."""
        value = self.number(column)
        if not math.isfinite(value) or value != int(value):
            raise self.error(f"column {column!r} is not an integer: {self[column]!r}")
        return int(value)

    def flag(self, column: str) -> bool:
        """A boolean written as True/False, 1/0 (or 1.0/0.0); anything else is a DataError."""
        text = self[column].lower()
        if text in ("true", "1", "1.0"):
            return True
        if text in ("false", "0", "0.0"):
            return False
        raise self.error(f"column {column!r} is not a boolean: {self[column]!r}")


def read_csv(path: Path, required: Iterable[str] = ()) -> list[Row]:
    """All rows of `path`; a missing file (or a folder, FIFO or broken link in its place, `present`), unreadable
    text, missing `required` columns, a column name repeated in the header or ragged rows are DataErrors. A
    leading unnamed column (pandas' `index=True`) is dropped; blank lines are skipped."""
    return list(iter_csv(path, required))


def iter_csv(path: Path, required: Iterable[str] = ()) -> Iterator[Row]:
    """Row-by-row form of `read_csv` (same checks), for the big MIMIC-CXR tables."""
    path = Path(path)
    columns, records = _records(path, required)
    for line, values in records:
        yield Row({c: v.strip() for c, v in zip(columns, values, strict=True)}, path, line)


def read_numbers(path: Path, columns: Sequence[str]) -> tuple[list[int], list[list[float]]]:
    """(line of each row, its `columns` as floats): `read_csv(path, required=columns)` then `Row.number` of
    each column, row by row, with the same checks and the same first error, without a Row per row (the
    thousands of small REFLACX fixation tables)."""
    path = Path(path)
    names, records = _records(path, columns)
    at = {c: i for i, c in enumerate(names)}  # names are unique: _records refuses a repeated one
    picks = [at[c] for c in columns]
    table = list(records)  # every structural error (ragged row, bad quoting) comes first, as in read_csv
    values: list[list[float]] = []
    for line, fields in table:
        try:
            values.append([_number(fields[i]) for i in picks])
        except ValueError:  # Row.number raises the error naming the row and the first bad column
            row = Row({c: v.strip() for c, v in zip(names, fields, strict=True)}, path, line)
            values.append([row.number(c) for c in columns])
    return [line for line, _ in table], values


def _number(text: str) -> float:
    """`text` (stripped) as a float, blank as NaN; ValueError when it is not a number."""
    text = text.strip()
    return math.nan if text == "" else float(text)


def _records(path: Path, required: Iterable[str]) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """(column names, (line, values) of each non-blank row, values unstripped), after the checks `read_csv`
    names: missing file, unreadable text, empty or malformed header, a repeated column or a missing `required` one;
    the rows raise on a ragged row or bad quoting when reached. A leading unnamed column is dropped from both."""
    if not present(path):
        raise DataError(path, "file not found")
    try:
        raw = path.read_bytes()
        if path.suffix == ".gz":
            raw = gzip.decompress(raw)
        text = raw.decode("utf-8-sig")
    except (OSError, EOFError, gzip.BadGzipFile, UnicodeDecodeError) as exc:
        raise DataError(path, f"cannot read as a CSV text file ({exc})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise DataError(path, "file is empty (no header line)") from None
    except csv.Error as exc:
        raise DataError(path, f"malformed CSV header ({exc})", row=1) from None
    repeated = next((h for i, h in enumerate(header) if h in header[:i]), None)
    if repeated is not None:
        raise DataError(path, f"column {repeated!r} appears twice in the header", row=1)
    skip_first = bool(header) and (header[0] == "" or header[0].startswith("Unnamed: "))
    columns = header[1:] if skip_first else header
    missing = [c for c in required if c not in columns]
    if missing:
        raise DataError(path, f"missing column(s) {', '.join(map(repr, missing))}; found {', '.join(columns)}")

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for fields in reader:
                if not fields or (len(fields) == 1 and not fields[0].strip()):
                    continue
                if len(fields) != len(header):
                    raise DataError(path, f"expected {len(header)} fields, found {len(fields)}", row=reader.line_num)
                yield reader.line_num, fields[1:] if skip_first else fields
        except csv.Error as exc:
            raise DataError(path, f"malformed CSV ({exc})", row=reader.line_num) from None

    return columns, rows()


def present(path: Path) -> bool:
    """Whether a dataset file is at `path`: True for a regular file, False when nothing is there; anything else
    (a folder, a FIFO, a symlink loop or a broken symlink) is a DataError naming it, so a file of the tree is never
    passed over as absent because something other than a file sits in its place."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        if os.path.lexists(path):
            raise DataError(path, "unreadable: broken symlink") from None
        return False
    except OSError as exc:
        why = "symlink loop" if exc.errno == errno.ELOOP else f"cannot stat ({exc.strerror})"
        raise DataError(path, f"unreadable: {why}") from None
    if stat.S_ISDIR(mode):
        raise DataError(path, "not a regular file (a folder)")
    if not stat.S_ISREG(mode):
        raise DataError(path, "not a regular file (a FIFO or device); not opened")
    return True


def refuse_duplicates(rows: Iterable[Row], key: Callable[[Row], str], what: str) -> None:
    """One DataError naming every row whose `key` repeats an earlier row's, with both rows and the value."""
    first: dict[str, Row] = {}
    repeats: list[Row] = []
    lines: list[str] = []
    for row in rows:
        value = key(row)
        if value not in first:
            first[value] = row
            continue
        earlier = first[value]
        where = "" if earlier.path == row.path else f" of {earlier.path.name}"
        repeats.append(row)
        lines.append(f"row {row.line} repeats row {earlier.line}{where} ({value})")
    if repeats:
        raise DataError(repeats[0].path, f"{len(repeats)} duplicate {what}: " + "; ".join(lines))


def inside(base: Path, relative: str, row: Row) -> Path:
    """`base/relative`, resolved; a path that escapes `base` (absolute, `..`, symlink out) is a DataError."""
    try:
        base_resolved = base.resolve()
        candidate = (base / relative).resolve()
    except (OSError, RuntimeError):  # Python 3.11 raises RuntimeError on a symlink loop
        raise row.error(f"path {relative!r} runs into a symlink loop") from None
    if relative == "" or not candidate.is_relative_to(base_resolved):
        raise row.error(f"path {relative!r} is outside the dataset root {base}")
    return candidate
