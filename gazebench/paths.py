"""Where gazebench looks for data and keeps its cache: flag > environment variable > default."""
from __future__ import annotations

import os
from pathlib import Path

DATA_ROOT_ENV = "GAZEBENCH_DATA_ROOT"
CACHE_ENV = "GAZEBENCH_CACHE"


def cache_dir() -> Path:
    """Cache root (preprocessed images, split manifests, checkpoints, the embedded default data)."""
    env = os.environ.get(CACHE_ENV)
    base = Path(env) if env else Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "gazebench"
    base.mkdir(parents=True, exist_ok=True)
    return base


def data_root(flag: str | Path | None = None) -> Path:
    """The data root from `--data-root`, else $GAZEBENCH_DATA_ROOT, else the embedded simulated study.

    The embedded default is generated deterministically on first use into the cache (seconds).
    """
    chosen = flag or os.environ.get(DATA_ROOT_ENV)
    if chosen:
        root = Path(chosen).expanduser()
        if not root.is_dir():
            from gazebench.errors import ConfigError

            raise ConfigError(f"data root {root} is not a folder (set by --data-root or ${DATA_ROOT_ENV})")
        return root
    from gazebench.synthetic import ensure_default

    return ensure_default(cache_dir() / "data")
