"""Memoised layout tensors of a Qwen2.5-VL forward: the vision tower's patch positions, attention and window
boundaries (a function of the image grid only) and the LLM's 3-D mRoPE positions (a function of the token-type
layout, attention mask and grid only). transformers recomputes both on every forward with Python loops, the
same values for every batch of one prompt and image size; here they are computed once by transformers' own
functions and handed back through its public precomputed inputs (`get_image_features(image_<name>=...)`,
`forward(position_ids=...)`), so the forward's numbers are unchanged, bit for bit.

Assumes transformers >= 5.25 (`transformers.vision_utils`, `accepts_precomputed_kwargs` and
`mm_encoder_outputs`); tests/unit/vlm/test_layout.py checks every cached value against the uncached one."""
from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar, cast

import torch

if TYPE_CHECKING:
    from transformers.models.qwen2_5_vl.modeling_qwen2_5_vl import Qwen2_5_VLModel

MAX_ENTRIES = 64
"""Layouts kept per model and kind (least recently used dropped): a run sees a handful (one per batch size and
report length); the bound keeps a stream of distinct padded lengths from growing memory."""

Key = tuple[object, ...]
V = TypeVar("V")


def _key(*tensors: torch.Tensor) -> Key:
    """An exact key for integer tensors: device, dtype, shape and bytes of each (no hash collisions to trust)."""
    parts: list[object] = []
    for t in tensors:
        parts += [str(t.device), str(t.dtype), tuple(t.shape), t.detach().cpu().numpy().tobytes()]
    return tuple(parts)


class LayoutCache:
    """The layout tensors of one Qwen2_5_VLModel, by key; the values are never written to by the forward."""

    def __init__(self, model: Qwen2_5_VLModel) -> None:
        self._model = weakref.ref(model)
        self._vision: OrderedDict[Key, dict[str, torch.Tensor]] = OrderedDict()
        self._rope: OrderedDict[Key, tuple[torch.Tensor, torch.Tensor]] = OrderedDict()

    @property
    def model(self) -> Qwen2_5_VLModel:
        model = self._model()
        if model is None:  # the cache lives in a WeakKeyDictionary keyed by the model: it dies with it
            raise RuntimeError("the model of this LayoutCache is gone")
        return model

    def vision_inputs(self, grid_thw: torch.Tensor) -> dict[str, torch.Tensor]:
        """`image_`-prefixed keyword arguments for `get_image_features`: the tower's rotary patch positions,
        attention boundaries and window order for `grid_thw`, as the tower itself would compute them."""
        from transformers.vision_utils import (
            get_vision_attention_seqlens,
            get_vision_position_ids,
            get_vision_window_index,
        )

        def compute() -> dict[str, torch.Tensor]:
            visual = self.model.visual
            cu_seqlens, _ = get_vision_attention_seqlens(grid_thw, visual.config)
            window_index, cu_window_seqlens = get_vision_window_index(
                grid_thw, spatial_merge_size=visual.spatial_merge_size, window_size=visual.window_size,
                patch_size=visual.patch_size)
            # max_seqlen / max_window_seqlen are left to the tower (None unless flash attention is used)
            return {"image_position_ids": get_vision_position_ids(grid_thw, visual.spatial_merge_size),
                    "image_cu_seqlens": cu_seqlens, "image_window_index": window_index,
                    "image_cu_window_seqlens": cu_window_seqlens}

        return _lookup(self._vision, _key(grid_thw), compute)

    def rope_index(self, input_ids: torch.Tensor, mm_token_type_ids: torch.Tensor, attention_mask: torch.Tensor,
                   grid_thw: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """`get_rope_index`'s (position_ids (3, B, L), rope deltas (B, 1)): it reads only the shape, dtype and
        device of `input_ids` (never its values), the token types, the mask and the grid, which form the key."""
        def compute() -> tuple[torch.Tensor, torch.Tensor]:
            return self.model.get_rope_index(cast(torch.LongTensor, input_ids),
                                             cast(torch.IntTensor, mm_token_type_ids),
                                             image_grid_thw=cast(torch.LongTensor, grid_thw),
                                             attention_mask=attention_mask)

        key = (tuple(input_ids.shape), str(input_ids.dtype), str(input_ids.device),
               *_key(mm_token_type_ids, attention_mask, grid_thw))
        return _lookup(self._rope, key, compute)


def _lookup(cache: OrderedDict[Key, V], key: Key, compute: Callable[[], V]) -> V:
    """`cache[key]`, computed on a miss; least recently used first out past MAX_ENTRIES. Computed outside
    inference mode even when predicting, so that a layout first seen by a validate or predict pass is an
    ordinary tensor that a later training step may save for backward (an inference tensor may not be)."""
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    with torch.inference_mode(False):
        value = cache[key] = compute()
    if len(cache) > MAX_ENTRIES:
        cache.popitem(last=False)
    return value


_CACHES: weakref.WeakKeyDictionary[Qwen2_5_VLModel, LayoutCache] = weakref.WeakKeyDictionary()


def layout_cache(model: Qwen2_5_VLModel) -> LayoutCache:
    """The LayoutCache of `model` (made on first use, gone with the model)."""
    cache = _CACHES.get(model)
    if cache is None:
        cache = _CACHES[model] = LayoutCache(model)
    return cache
