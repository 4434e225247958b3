from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from fixtures.vlm import make_sample
from gazebench.reference_model.evidence import draw_evidence


def test_draw_evidence_writes_a_png(tmp_path: Path) -> None:
    image = np.tile(np.linspace(0, 1, 224), (224, 1))
    for sample in (make_sample(0), make_sample(3, with_gaze=False)):
        out = draw_evidence(image, np.array([0, 9, 18, 63]), sample, (8, 8), tmp_path / f"{sample.sample_id}.png")
        pixels = np.asarray(Image.open(out).convert("L"), dtype=float)
        assert pixels.shape[0] > 200 and pixels.std() > 10  # a real picture, not a blank canvas
