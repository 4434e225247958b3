"""Engine test fixtures: tiny hand-made samples (the session cache and `small_root` come from tests/conftest.py)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from gazebench.labels import CHEXPERT_LABELS
from gazebench.records import Sample


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
