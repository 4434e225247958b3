"""Harness images → Qwen2.5-VL `pixel_values` + `image_grid_thw`, flattened exactly as the Qwen2-VL image
processor does (frame duplicated in time, patches in (Hm, Wm, 2, 2) order), so merged token j is cell
(j // Wm, j % Wm) of the image."""
from __future__ import annotations

from typing import TYPE_CHECKING

from gazebench.adapter import InputSpec

if TYPE_CHECKING:  # imported where pixels are converted: an adapter's input contract needs no torch
    import torch

CLIP_MEAN: tuple[float, float, float] = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD: tuple[float, float, float] = (0.26862954, 0.26130258, 0.27577711)
PATCH, TEMPORAL, MERGE = 14, 2, 2


def to_qwen_pixels(pixels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(B, 3, S, S) normalised images → pixel_values (B·(S/14)², 1176) and image_grid_thw (B, 3)."""
    import torch

    b, c, h, w = pixels.shape
    if h % (PATCH * MERGE) or w % (PATCH * MERGE):
        raise ValueError(f"image side must be a multiple of {PATCH * MERGE}, got {h}x{w}")
    gh, gw = h // PATCH, w // PATCH
    x = pixels.reshape(b, c, gh // MERGE, MERGE, PATCH, gw // MERGE, MERGE, PATCH)
    x = x.permute(0, 2, 5, 3, 6, 1, 4, 7)  # b, Hm, Wm, 2, 2, c, 14, 14
    x = x.unsqueeze(6).expand(-1, -1, -1, -1, -1, -1, TEMPORAL, -1, -1)
    flat = x.reshape(b * gh * gw, c * TEMPORAL * PATCH * PATCH)
    grid = torch.tensor([[1, gh, gw]], dtype=torch.long, device=pixels.device).expand(b, 3).contiguous()
    return flat, grid


def merged_grid(image_size: int) -> tuple[int, int]:
    """(rows, cols) of merged tokens for a square image of `image_size` pixels."""
    side = image_size // (PATCH * MERGE)
    return (side, side)


def qwen_input_spec(image_size: int, predicts_gaze: bool) -> InputSpec:
    """The harness-side input contract of a Qwen-backed adapter: RGB, CLIP mean/std, and the merged-token grid
    (28 px cells) when the model predicts gaze or saliency from its training on gaze."""
    return InputSpec(image_size=image_size, channels=3, mean=CLIP_MEAN, std=CLIP_STD,
                     patch_size=PATCH * MERGE if predicts_gaze else None, uses_gaze=predicts_gaze)
