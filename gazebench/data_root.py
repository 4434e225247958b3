"""The data root a command reads: --data-root, else $GAZEBENCH_DATA_ROOT, else the embedded simulated study
(generated into the cache on first use). Kept apart from gazebench.paths because the default study needs the
simulator, which itself needs the data layer and the cache."""
from __future__ import annotations

import os
from pathlib import Path

from gazebench.errors import ConfigError
from gazebench.paths import DATA_ROOT_ENV, cache_dir


def data_root(flag: str | Path | None = None) -> Path:
    """The data root from `--data-root`, else $GAZEBENCH_DATA_ROOT, else the embedded simulated study.

    The embedded default is generated deterministically on first use into the cache (seconds).
    """
    chosen = flag or os.environ.get(DATA_ROOT_ENV)
    if chosen:
        root = Path(chosen).expanduser()
        if not root.is_dir():
            raise ConfigError(f"data root {root} is not a folder (set by --data-root or ${DATA_ROOT_ENV})")
        return root
    from gazebench.synthetic.location import cached_study

    found = cached_study(cache_dir() / "data")
    if found is not None:
        return found
    from gazebench.synthetic.study import ensure_default

    return ensure_default(cache_dir() / "data")
