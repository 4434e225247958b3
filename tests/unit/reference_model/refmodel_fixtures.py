"""Helpers for the reference-model tests: hand-built samples with gaze and deterministic pixels (no engine)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import torch

from gazebench.adapter import ImageBatch
from gazebench.labels import CHEXPERT_LABELS
from gazebench.records import Fixations, GazeRecord, Sample

SIZE = 224


def make_sample(i: int, split: str = "train", with_gaze: bool = True) -> Sample:
    """Label 0 positive for odd i; the radiologist looks at four corners in a per-sample order."""
    rng = np.random.default_rng(i)
    labels = [float(rng.integers(0, 2)) for _ in CHEXPERT_LABELS]
    labels[0] = float(i % 2)
    labels[3] = -1.0  # uncertain: masked
    w, h = 1000.0, 800.0
    corners = np.array([[62.5, 50], [937.5, 50], [937.5, 750], [62.5, 750]])[rng.permutation(4)]  # cell centres
    t = np.arange(8, dtype=float) * 0.5
    xy = np.repeat(corners, 2, axis=0)
    fix = Fixations(t, t + 0.4, xy[:, 0], xy[:, 1], pixels_per_degree=20.0)
    gaze = (GazeRecord("reflacx", f"R{i}", (int(w), int(h)), fix),) if with_gaze else ()
    return Sample(f"s{i}", f"p{i}", f"st{i}", Path(f"/nonexistent/{i}.png"), tuple(labels), split, "PA", gaze)


def pixels_for(sample: Sample) -> torch.Tensor:
    """A fixed random image per sample, brighter top-left when label 0 is positive."""
    g = torch.Generator().manual_seed(int(sample.sample_id[1:]))
    x = torch.randn(3, SIZE, SIZE, generator=g) * 0.5
    if sample.labels[0] == 1.0:
        x[:, :84, :84] += 2.0
    return x


def batches(samples: tuple[Sample, ...], batch_size: int, shuffle: bool) -> Iterator[ImageBatch]:
    order = list(range(len(samples)))
    if shuffle:
        order = list(np.random.default_rng(0).permutation(len(samples)))
    for k in range(0, len(order), batch_size):
        group = tuple(samples[i] for i in order[k:k + batch_size])
        yield ImageBatch(group, torch.stack([pixels_for(s) for s in group]))



SMALL = {"epochs_stage1": 1, "epochs_stage2": 2, "batch_size": 4, "patience": 5}
"""Overrides that keep a fit in tests to a few seconds."""
