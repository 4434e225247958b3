"""User-facing errors: the CLI prints these as one line and exits non-zero, never a traceback."""
from __future__ import annotations

from typing import Any


class GazebenchError(Exception):
    """Base class for every error caused by user input rather than by a bug."""

    exit_code = 2


class DataError(GazebenchError):
    """A dataset file is missing, malformed or inconsistent; the message names the file (and row)."""

    def __init__(self, path: object, message: str, row: int | None = None) -> None:
        where = f"{path}" if row is None else f"{path}, row {row}"
        super().__init__(f"{where}: {message}")
        self.path = path
        self.row = row


class RegistryError(GazebenchError, KeyError):
    """An unknown task or model name; the message suggests the closest registered names."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


class ConfigError(GazebenchError):
    """A bad flag, option value or configuration file."""


def need(raw: object, kind: type, where: str, error: type[ConfigError] = ConfigError) -> Any:
    """`raw` if it is a `kind` (as JSON parsed it), else a one-line `error` naming `where`: the shape check every
    typed record's `from_json` makes of a file gazebench wrote."""
    if not isinstance(raw, kind):
        raise error(f"{where}: expected a {kind.__name__}, found {type(raw).__name__}")
    return raw
