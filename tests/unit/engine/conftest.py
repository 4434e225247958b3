"""Engine test fixtures: an isolated cache, the "small" simulated study, and tiny hand-made samples."""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from gazebench.labels import CHEXPERT_LABELS
from gazebench.records import Sample


@pytest.fixture(scope="session", autouse=True)
def isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point $GAZEBENCH_CACHE at a session temp dir (images, splits, checkpoints never touch ~/.cache)."""
    cache = tmp_path_factory.mktemp("cache")
    old = os.environ.get("GAZEBENCH_CACHE")
    os.environ["GAZEBENCH_CACHE"] = str(cache)
    yield cache
    if old is None:
        os.environ.pop("GAZEBENCH_CACHE", None)
    else:
        os.environ["GAZEBENCH_CACHE"] = old


@pytest.fixture(scope="session")
def small_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The "small" simulated study, generated once per session in the real formats."""
    from gazebench.synthetic import generate

    return generate(tmp_path_factory.mktemp("data"), size="small", seed=0)


def make_samples(folder: Path, n: int, seed: int = 0) -> tuple[Sample, ...]:
    """`n` samples with 24×24 PNG images and random raw labels (1/0/-1/NaN), two images per patient."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        path = folder / f"img{i:03d}.png"
        Image.fromarray(rng.integers(0, 255, (24, 24), dtype=np.uint8)).save(path)
        labels = tuple(float(v) for v in rng.choice([1.0, 0.0, -1.0, np.nan], size=len(CHEXPERT_LABELS)))
        out.append(Sample(sample_id=f"s{i:03d}", patient_id=f"p{i // 2:03d}", study_id=f"st{i}", image_path=path,
                          labels=labels))
    return tuple(out)


@pytest.fixture
def samples(tmp_path: Path) -> tuple[Sample, ...]:
    return make_samples(tmp_path / "images", 23)
