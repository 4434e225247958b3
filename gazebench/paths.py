"""Where gazebench keeps its cache (flag > environment variable > default) and the name of the data-root variable;
a leaf (it imports only gazebench.errors): resolving the data root itself, which may generate the embedded
study, lives above the simulator in gazebench.data_root."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from gazebench.errors import ConfigError

DATA_ROOT_ENV = "GAZEBENCH_DATA_ROOT"
CACHE_ENV = "GAZEBENCH_CACHE"


def cache_dir() -> Path:
    """Cache root (preprocessed images, split manifests, checkpoints, the embedded default data), created and
    checked writable on first use per path; commands that use it call this first, so a bad one fails up front."""
    env = os.environ.get(CACHE_ENV)
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "gazebench"
    base = Path(env).expanduser() if env else default
    return _writable(base, f"${CACHE_ENV}" if env else "the default cache folder")


_CHECKED: set[Path] = set()
"""Cache folders already found writable in this process (checked once per path)."""


def _writable(folder: Path, origin: str) -> Path:
    """`folder`, created if needed; a one-line ConfigError when it is a file or cannot be written."""
    if folder in _CHECKED:
        return folder
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"cache folder {folder} (from {origin}) is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise ConfigError(f"cache folder {folder} (from {origin}) is not writable ({exc.strerror or exc})") from None
    _CHECKED.add(folder)
    return folder
