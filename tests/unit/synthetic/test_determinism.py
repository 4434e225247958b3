"""Same seed ⇒ byte-identical tables and identical pixels; another seed ⇒ a different study."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
from PIL import Image

from gazebench.synthetic import generate

TEXT = {".csv", ".txt", ".json", ".html"}


def _files(root: Path) -> dict[str, Path]:
    return {str(p.relative_to(root)): p for p in sorted(root.rglob("*")) if p.is_file()}


def _pixels(path: Path) -> np.ndarray:
    if path.suffix == ".dcm":
        return pydicom.dcmread(path).pixel_array
    return np.asarray(Image.open(path))


def test_same_seed_same_bytes_and_pixels(small_study: Path, tmp_path: Path) -> None:
    again = generate(tmp_path / "again", size="small", seed=0, workers=2)
    first, second = _files(small_study), _files(again)
    assert first.keys() == second.keys()
    for rel, path in first.items():
        if path.suffix in TEXT:
            assert path.read_bytes() == second[rel].read_bytes(), rel
        else:
            np.testing.assert_array_equal(_pixels(path), _pixels(second[rel]), err_msg=rel)


def test_other_seed_differs(small_study: Path, tmp_path: Path) -> None:
    other = generate(tmp_path / "other", size="small", seed=1)
    a = (small_study / "CheXpert-v1.0-small" / "valid.csv").read_bytes()
    b = (other / "CheXpert-v1.0-small" / "valid.csv").read_bytes()
    assert a != b
    names = [sorted(p.name for p in (root / "mimic-eye").iterdir()) for root in (small_study, other)]
    assert names[0] != names[1]
