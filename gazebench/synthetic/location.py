"""Where the embedded default study lives in the cache and whether it is there, without importing the simulator
(numpy, pandas, the image writers): a command on a cached study, a finished run above all, needs only this."""
from __future__ import annotations

from pathlib import Path

from gazebench.data.release import MARKER
from gazebench.synthetic.sizes import get_size

GENERATOR_VERSION = "simulated-v4"


def study_folder(cache_root: Path, size: str = "default") -> Path:
    """The cached study of `size`, seed 0: `simulated-v4-seed0` for "default", `simulated-v4-{size}-seed0` beside
    it for another size (an unknown size is a ConfigError)."""
    get_size(size)
    name = f"{GENERATOR_VERSION}-seed0" if size == "default" else f"{GENERATOR_VERSION}-{size}-seed0"
    return Path(cache_root) / name


def cached_study(cache_root: Path, size: str = "default") -> Path | None:
    """`study_folder` when the study there is complete (`generate` writes its MARKER last), else None."""
    folder = study_folder(cache_root, size)
    return folder if (folder / MARKER).exists() else None
