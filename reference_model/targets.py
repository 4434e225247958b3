"""Per-sample ordered gaze targets for a variant ("original", "shuffled", "random") on the model's grid,
from the first usable scanpath (REFLACX preferred); samples without one get their gaze loss masked in every
variant, so the variants differ only in the targets. Random targets fall inside the chest box when known."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gazebench.records import Sample
from gazebench.vlm.objective import pick_record


def sample_targets(sample: Sample, kind: str, grid: tuple[int, int], k: int, seed: int,
                   method: str = "temporal-window") -> np.ndarray | None:
    """(k,) int64 patch indices for `sample` under target `kind`, or None if it has no usable scanpath."""
    from gazebench.gaze.controls import make_targets
    from gazebench.gaze.scanpath import EmptyScanpath

    record = pick_record(sample)
    if record is None:
        return None
    args = (record.fixations, record.image_size, grid, k, seed, sample.sample_id)
    try:
        out = make_targets("original", *args, method=method)  # also decides, for every kind, who is supervised
    except EmptyScanpath:
        return None
    if kind != "original":
        out = make_targets(kind, *args, method=method, box=record.chest_box)
    return np.asarray(out, dtype=np.int64).reshape(k)


def target_table(samples: Sequence[Sample], kind: str, grid: tuple[int, int], k: int, seed: int,
                 method: str = "temporal-window") -> tuple[np.ndarray, np.ndarray]:
    """(N, k) targets (0 where missing) and an (N,) bool mask of samples that have them."""
    rows = [sample_targets(s, kind, grid, k, seed, method) for s in samples]
    mask = np.array([r is not None for r in rows], dtype=bool)
    table = np.stack([r if r is not None else np.zeros(k, dtype=np.int64) for r in rows]) if rows else \
        np.zeros((0, k), dtype=np.int64)
    return table, mask
