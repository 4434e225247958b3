"""The memoised layout tensors (gazebench.vlm.layout) equal what Qwen2.5-VL computes itself, are really used,
and leave `encode` bit-identical to the plain transformers forward; right-padded prompt rows."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from gazebench.vlm import layout
from gazebench.vlm.backbone import build_backbone
from gazebench.vlm.chat import IGNORE, PromptBuilder
from gazebench.vlm.layout import layout_cache
from gazebench.vlm.model import encode
from gazebench.vlm.report import render_report
from gazebench.vlm.vision_input import merged_grid, to_qwen_pixels

SIZES = (84, 224)
"""Two grids: 3×3 merged tokens (one padded window) and 8×8 (four windows of the tiny tower)."""


@pytest.fixture(scope="module")
def backbone():  # noqa: ANN201
    return build_backbone("tiny", k=4)


def pixels(size: int, n: int, seed: int = 0) -> torch.Tensor:
    return torch.randn(n, 3, size, size, generator=torch.Generator().manual_seed(seed))


def prompts(backbone, size: int):  # noqa: ANN001, ANN201
    """Three rows of different lengths (so right padding and a mask with zeros)."""
    rows, cols = merged_grid(size)
    builder = PromptBuilder(backbone.tokenizer, backbone.image_token_id, backbone.gaze_token_ids, rows * cols)
    reports = [render_report(np.arange(14) % 2 == 0), "No", render_report(np.zeros(14, bool)) + "\nYes Yes"]
    return builder.build(reports)


@pytest.mark.parametrize("size", SIZES)
def test_vision_inputs_are_the_towers_own(backbone, size: int) -> None:  # noqa: ANN001
    qwen = backbone.model.model
    pixel_values, grid = to_qwen_pixels(pixels(size, 2))
    cache = layout_cache(qwen)
    inputs = cache.vision_inputs(grid)
    assert cache.vision_inputs(grid.clone()) is inputs  # same grid, same entry
    assert set(inputs) == {"image_position_ids", "image_cu_seqlens", "image_window_index", "image_cu_window_seqlens"}
    with torch.no_grad():
        plain = qwen.get_image_features(pixel_values, grid, return_dict=True)
        cached = qwen.get_image_features(pixel_values, grid, return_dict=True, **inputs)
        # the tower reads the given positions (not its own): swapping rows and columns changes its output
        swapped = qwen.get_image_features(pixel_values, grid, return_dict=True,
                                          **(inputs | {"image_position_ids": inputs["image_position_ids"].flip(-1)}))
    assert torch.equal(cached.last_hidden_state, plain.last_hidden_state)
    for a, b in zip(cached.pooler_output, plain.pooler_output, strict=True):
        assert torch.equal(a, b)
    assert not torch.equal(swapped.last_hidden_state, plain.last_hidden_state)
    # a different grid is a different entry
    _, other = to_qwen_pixels(pixels(size, 3))
    assert cache.vision_inputs(other)["image_window_index"].numel() == 3 * int(grid[0].prod()) // 4


@pytest.mark.parametrize("size", SIZES)
def test_rope_index_is_get_rope_index(backbone, size: int) -> None:  # noqa: ANN001
    qwen = backbone.model.model
    prompt = prompts(backbone, size)
    assert (prompt.attention_mask == 0).any()  # padded rows
    _, grid = to_qwen_pixels(pixels(size, 3))
    cache = layout_cache(qwen)
    pos, deltas = cache.rope_index(prompt.input_ids, prompt.mm_token_type_ids, prompt.attention_mask, grid)
    want_pos, want_deltas = qwen.get_rope_index(prompt.input_ids, prompt.mm_token_type_ids, image_grid_thw=grid,
                                                attention_mask=prompt.attention_mask)
    assert torch.equal(pos, want_pos) and torch.equal(deltas, want_deltas)
    assert pos.dtype == want_pos.dtype and deltas.dtype == want_deltas.dtype
    # token values are not part of the layout; the mask is
    other_ids = prompt.input_ids.clone().masked_fill(prompt.mm_token_type_ids == 0, 0)
    assert cache.rope_index(other_ids, prompt.mm_token_type_ids, prompt.attention_mask, grid)[0] is pos
    shorter = prompt.attention_mask.clone()
    shorter[int(shorter.sum(1).argmax()), -1] = 0  # the longest row loses its last token
    again, _ = cache.rope_index(prompt.input_ids, prompt.mm_token_type_ids, shorter, grid)
    assert again is not pos and torch.equal(again, qwen.get_rope_index(
        prompt.input_ids, prompt.mm_token_type_ids, image_grid_thw=grid, attention_mask=shorter)[0])


@pytest.mark.parametrize("size", SIZES)
def test_encode_equals_the_plain_forward(backbone, size: int) -> None:  # noqa: ANN001
    qwen = backbone.model
    prompt = prompts(backbone, size)
    images = pixels(size, 3, seed=1)
    pixel_values, grid = to_qwen_pixels(images)
    with torch.no_grad():
        plain = qwen.model(input_ids=prompt.input_ids, attention_mask=prompt.attention_mask,
                           mm_token_type_ids=prompt.mm_token_type_ids, pixel_values=pixel_values,
                           image_grid_thw=grid, use_cache=False)
        plain_deltas = qwen.model.rope_deltas
        qwen.model.rope_deltas = None
        for _ in range(2):  # the second forward reads every layout tensor from the cache
            hidden = encode(qwen, images, prompt)
            assert torch.equal(hidden, plain.last_hidden_state)
            assert torch.equal(qwen.model.rope_deltas, plain_deltas)
        index = torch.tensor([1, 1, 0])
        shared = encode(qwen, images[:2], prompt, index)
        copied = qwen.model(input_ids=prompt.input_ids, attention_mask=prompt.attention_mask,
                            mm_token_type_ids=prompt.mm_token_type_ids, pixel_values=to_qwen_pixels(images[index])[0],
                            image_grid_thw=grid, use_cache=False)
    assert torch.equal(shared, copied.last_hidden_state)


def test_a_layout_first_seen_while_predicting_trains() -> None:
    """A validate or predict pass (inference mode) may meet a layout before training does: the cached tensors
    must still be ones a training step can save for backward."""
    fresh = build_backbone("tiny", k=4)  # its own cache, empty
    fresh.model.requires_grad_(True)
    prompt = prompts(fresh, 84)
    images = pixels(84, 3, seed=2)
    with torch.inference_mode():
        encode(fresh.model, images, prompt)
    cached = layout_cache(fresh.model.model)
    assert all(not t.is_inference() for t in next(iter(cached._vision.values())).values())
    encode(fresh.model, images, prompt).sum().backward()
    assert fresh.model.get_input_embeddings().weight.grad is not None


def test_least_recently_used_layouts_are_dropped(backbone, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(layout, "MAX_ENTRIES", 2)
    cache = layout.LayoutCache(backbone.model.model)
    grids = [torch.tensor([[1, 4, 4]] * n) for n in (1, 2, 3)]
    first = cache.vision_inputs(grids[0])
    cache.vision_inputs(grids[1])
    assert cache.vision_inputs(grids[0]) is first  # a hit makes it the most recent
    cache.vision_inputs(grids[2])  # drops grids[1], the least recently used
    assert cache.vision_inputs(grids[0]) is first
    assert len(cache._vision) == 2 and layout._key(grids[1]) not in cache._vision
    assert layout_cache(backbone.model.model) is layout_cache(backbone.model.model)


def test_rows_are_right_padded(backbone) -> None:  # noqa: ANN001
    builder = PromptBuilder(backbone.tokenizer, backbone.image_token_id, backbone.gaze_token_ids, 4)
    reports = ["Yes", render_report(np.ones(14, bool)), "No No"]
    batch = builder.build(reports)
    n, pad = len(builder.prefix_ids), backbone.tokenizer.pad_token_id
    tails = [builder.report_ids(r) + builder.end_ids for r in reports]
    width = n + max(len(t) for t in tails)
    assert batch.input_ids.shape == (3, width)
    for i, tail in enumerate(tails):
        gap = width - n - len(tail)
        assert batch.input_ids[i].tolist() == builder.prefix_ids + tail + [pad] * gap
        assert batch.lm_labels[i].tolist() == [IGNORE] * n + tail + [IGNORE] * gap
        assert batch.attention_mask[i].tolist() == [1] * (n + len(tail)) + [0] * gap
    assert all(t.dtype == torch.long for t in (batch.input_ids, batch.lm_labels, batch.attention_mask))
    assert batch.mm_token_type_ids.dtype == torch.int32
    prompt_only = builder.build(batch_size=2)
    assert prompt_only.input_ids.tolist() == [builder.prefix_ids] * 2
    assert prompt_only.attention_mask.all() and (prompt_only.lm_labels == IGNORE).all()
    prompt_only.input_ids.zero_()  # a batch owns its tensors: the memoised rows stay as they were
    assert builder.build(batch_size=1).input_ids.tolist() == [builder.prefix_ids]
    with pytest.raises(ValueError, match="at least one row"):
        builder.build([])
