"""Draw the model's predicted gaze sequence beside the radiologist's scanpath for one image (a PNG a person
can look at); thin wrapper over gazebench.gaze.draw.draw_scanpath."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from gazebench.records import Sample
from gazebench.vlm.objective import pick_record


def draw_evidence(image: np.ndarray, predicted: np.ndarray, sample: Sample, grid: tuple[int, int],
                  out_png: Path, title: str | None = None) -> Path:
    """`image` (H, W) grey in [0, 1] (any size: cells scale with it), `predicted` the K patch indices;
    the right panel shows the radiologist's fixations (REFLACX preferred), or only the predicted cells
    if the sample has no gaze."""
    from gazebench.gaze.draw import draw_scanpath

    record = pick_record(sample)
    reference = record.fixations if record is not None else np.zeros(0, dtype=np.int64)
    size = record.image_size if record is not None else None
    label = title if title is not None else f"{sample.sample_id}: predicted gaze vs radiologist"
    return draw_scanpath(image, np.asarray(predicted).ravel(), reference, grid, Path(out_png), title=label,
                         image_size=size)
