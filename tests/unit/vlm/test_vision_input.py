"""ImageBatch → Qwen pixel_values must equal the Qwen2-VL image processor, and merged token j = cell j."""
from __future__ import annotations

import numpy as np
import torch
from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil

from gazebench.gaze.grid import cell_index
from gazebench.vlm.vision_input import CLIP_MEAN, CLIP_STD, merged_grid, to_qwen_pixels


def _normalise(img: np.ndarray) -> torch.Tensor:
    x = torch.from_numpy(img.astype(np.float32) / 255.0).permute(2, 0, 1)
    return (x - torch.tensor(CLIP_MEAN).view(3, 1, 1)) / torch.tensor(CLIP_STD).view(3, 1, 1)


def test_equals_the_qwen_image_processor() -> None:
    img = np.random.default_rng(0).integers(0, 256, size=(112, 168, 3), dtype=np.uint8)
    proc = Qwen2VLImageProcessorPil(size={"shortest_edge": 56 * 56, "longest_edge": 112 * 168})
    ref = proc(images=[img], return_tensors="pt")
    mine, grid = to_qwen_pixels(_normalise(img).unsqueeze(0))
    assert ref["image_grid_thw"].tolist() == grid.tolist() == [[1, 8, 12]]
    assert mine.shape == ref["pixel_values"].shape == (8 * 12, 1176)
    torch.testing.assert_close(mine, ref["pixel_values"].float(), atol=1e-5, rtol=1e-5)


def test_bright_cell_lands_on_the_right_merged_token() -> None:
    size, (rows, cols) = 224, merged_grid(224)
    x = torch.zeros(2, 3, size, size)
    row, col = 5, 2
    x[1, :, 28 * row:28 * row + 28, 28 * col:28 * col + 28] = 1.0
    pv, _ = to_qwen_pixels(x)
    per_token = pv.view(2, rows * cols, 4, 1176).abs().sum(dim=(2, 3))  # 4 rows per merged token
    assert per_token[0].sum() == 0
    hit = int(per_token[1].argmax())
    assert (per_token[1] > 0).sum() == 1 and hit == row * cols + col
    # the gaze grid's mapping of an original-image pixel inside that cell agrees (image 1000×800 px)
    px, py = (col + 0.5) / cols * 1000, (row + 0.5) / rows * 800
    assert int(cell_index(px, py, (1000, 800), (rows, cols))) == hit


def test_grid_thw_per_image() -> None:
    _, grid = to_qwen_pixels(torch.zeros(3, 3, 448, 448))
    assert grid.tolist() == [[1, 32, 32]] * 3
