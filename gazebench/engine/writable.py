"""What a command writes outside a run directory, checked one way for every command: each output path given on
the command line (--out, --export, --output-dir, --results-dir) is refused when it is or lies in an existing
run directory (runs are immutable: docs/verification.md), and proved writable before any work (by creating
a temp file: root passes os.access on read-only mounts), writes are atomic with a one-line error, and CSV cells
are formula-safe (OWASP "CSV injection": a text cell starting with = + - @ or a tab/CR is prefixed with ')."""
from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gazebench.engine.rundir import atomic_write_text, enclosing_run
from gazebench.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet reads as the start of a formula (OWASP, CSV injection)."""


def _nearest_existing(path: Path) -> Path:
    """`path` itself when it exists, else its nearest existing ancestor."""
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return probe


def _check_folder(folder: Path, flag: str, shown: Path) -> None:
    """`folder` exists or can be created (its nearest existing ancestor is a folder we can write into)."""
    probe = _nearest_existing(folder)
    if not probe.is_dir():
        where = "is a file, not a folder" if probe == shown else f"lies under {probe}, which is a file, not a folder"
        raise ConfigError(f"{flag} {shown}: {where}")
    what = "is not writable" if probe == shown else f"cannot be created: {probe} is not writable"
    if not os.access(probe, os.W_OK | os.X_OK):
        raise ConfigError(f"{flag} {shown}: {what}")
    try:
        with tempfile.TemporaryFile(dir=probe, prefix=".gazebench-write-test-"):
            pass
    except OSError as exc:
        raise ConfigError(f"{flag} {shown}: {what} ({exc.strerror or exc})") from None


def _outside_runs(target: Path, flag: str) -> None:
    """`target` is not, and does not lie in, an existing run directory."""
    run = enclosing_run(target)
    if run is not None:
        where = "is the run directory" if run == target.resolve() else "lies in the run directory"
        raise ConfigError(f"{flag} {target}: {where} {run}; run directories are immutable, write it elsewhere")


def check_out_dir(path: Path | str, flag: str) -> Path:
    """A folder we may write into, outside every run directory: an existing writable folder, or one that can be
    created (nothing is created)."""
    target = Path(path).expanduser()
    _outside_runs(target, flag)
    _check_folder(target, flag, target)
    return target


def check_out_file(path: Path | str, flag: str) -> Path:
    """A file we may write: outside every run directory, not a folder, not a read-only file, in a folder that
    exists or can be created."""
    target = Path(path).expanduser()
    _outside_runs(target, flag)
    if target.is_dir():
        raise ConfigError(f"{flag} {target}: is a folder, not a file")
    if target.exists() and not os.access(target, os.W_OK):
        raise ConfigError(f"{flag} {target}: is not writable")
    _check_folder(target.parent, flag, target)
    return target


def write_out(path: Path | str, text: str, flag: str) -> Path:
    """Write `text` to the checked file `path` atomically; an OS refusal becomes one line naming the flag."""
    target = check_out_file(path, flag)
    try:
        atomic_write_text(target, text)
    except OSError as exc:
        raise ConfigError(f"{flag} {target}: cannot write ({exc.strerror or exc})") from None
    return target


def safe_cell(value: object) -> object:
    """A text cell a spreadsheet would run as a formula, prefixed with ' (numbers, "-1" included, unchanged)."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with every text cell and column name passed through `safe_cell`: what every CSV writer writes."""
    import pandas as pd

    out = frame.rename(columns=lambda c: safe_cell(c) if isinstance(c, str) else c)
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col]):
            out[col] = out[col].map(safe_cell)
    return out


def csv_text(frame: pd.DataFrame, **to_csv: Any) -> str:
    """`frame` as CSV text (no index, \\n line ends) after `safe_frame`: the one way gazebench writes a CSV."""
    buf = io.StringIO()
    safe_frame(frame).to_csv(buf, index=False, lineterminator="\n", **to_csv)
    return buf.getvalue()
