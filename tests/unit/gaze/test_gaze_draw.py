"""The scanpath figure is written, is a real picture, and accepts both kinds of reference."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from gazebench.gaze.draw import draw_scanpath
from gazebench.records import Fixations


def xray() -> np.ndarray:
    yy, xx = np.mgrid[0:112, 0:112] / 112
    return 0.2 + 0.6 * np.exp(-((xx - 0.3) ** 2 + (yy - 0.5) ** 2) / 0.05)


@pytest.mark.parametrize("with_fixations", [True, False])
def test_png_is_written_and_not_blank(tmp_path: Path, with_fixations: bool) -> None:
    t = np.arange(6.0)
    fix = Fixations(t, t + 0.5, np.linspace(100, 2000, 6), np.linspace(300, 2500, 6), 50.0)
    reference = fix if with_fixations else np.array([5, 6, 22, 22])
    out = draw_scanpath(xray(), [1, 17, 34, 34], reference, (8, 8), tmp_path / "sub" / "scan.png",
                        title="case 1", image_size=(2400, 2800))
    assert out.exists() and out.stat().st_size > 20_000
    pixels = np.asarray(Image.open(out).convert("RGB"), dtype=np.float64)
    assert pixels.shape[0] > 400 and pixels.shape[1] > 800
    assert pixels.std() > 20
    yellow = (pixels[..., 0] > 200) & (pixels[..., 1] > 200) & (pixels[..., 2] < 80)
    assert yellow.sum() > 200  # the predicted path and outlines are drawn


def test_rejects_colour_images(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="2-D"):
        draw_scanpath(np.zeros((8, 8, 3)), [0], [0], (2, 2), tmp_path / "x.png")
