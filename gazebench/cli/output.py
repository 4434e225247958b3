"""Output paths given on the command line (--out, --results-dir, --output-dir), checked before any work
and written with a one-line error instead of a traceback when the file system says no."""
from __future__ import annotations

import os
from pathlib import Path

from gazebench.errors import ConfigError


def _existing_ancestor(path: Path) -> Path:
    """The nearest ancestor of `path` (itself excluded) that exists."""
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    return parent


def _check_creatable(path: Path, flag: str) -> None:
    """`path`'s missing folders can be created: its nearest existing ancestor is a writable folder."""
    ancestor = _existing_ancestor(path)
    if not ancestor.is_dir():
        raise ConfigError(f"{flag} {path}: {ancestor} is not a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise ConfigError(f"{flag} {path}: {ancestor} is not writable")


def check_out_file(path: Path | str, flag: str) -> Path:
    """A file we may write: not a folder, and inside a folder that exists or can be created, writable."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise ConfigError(f"{flag} {path}: is a folder, not a file")
    if path.exists() and not os.access(path, os.W_OK):
        raise ConfigError(f"{flag} {path}: is not writable")
    _check_creatable(path, flag)
    return path


def check_out_dir(path: Path | str, flag: str) -> Path:
    """A folder we may write into: an existing writable folder, or one that can be created."""
    path = Path(path).expanduser()
    if path.exists():
        if not path.is_dir():
            raise ConfigError(f"{flag} {path}: is not a folder")
        if not os.access(path, os.W_OK | os.X_OK):
            raise ConfigError(f"{flag} {path}: is not writable")
        return path
    _check_creatable(path, flag)
    return path


def write_out(path: Path | str, text: str, flag: str) -> Path:
    """Write `text` to the checked file `path` atomically; an OS refusal becomes one line naming the flag."""
    from gazebench.engine.rundir import atomic_write_text

    target = check_out_file(path, flag)
    try:
        atomic_write_text(target, text)
    except OSError as exc:
        raise ConfigError(f"{flag} {target}: cannot write ({exc.strerror or exc})") from None
    return target
