"""Greedy decoding of a Qwen2.5-VL after prompts built by the VLM room (gazebench.vlm.chat): the one way the
LoRA-tuned models write free text at predict time (reports, boxes, answers)."""
from __future__ import annotations

from typing import cast

import torch
from transformers import PreTrainedTokenizerBase

from gazebench.vlm.backbone import QwenVL
from gazebench.vlm.chat import PromptBatch
from gazebench.vlm.vision_input import to_qwen_pixels


def greedy(qwen: QwenVL, tokenizer: PreTrainedTokenizerBase, prompt: PromptBatch, pixels: torch.Tensor,
           max_new_tokens: int) -> list[str]:
    """Each row's greedy continuation (at most `max_new_tokens`), decoded without special tokens and trimmed.
    Rows of different lengths must be left-padded, so every continuation starts at the same column."""
    pixel_values, grid_thw = to_qwen_pixels(pixels)
    pad = tokenizer.pad_token_id
    with torch.no_grad():
        out = qwen.generate(
            input_ids=prompt.input_ids, attention_mask=prompt.attention_mask,
            mm_token_type_ids=prompt.mm_token_type_ids, pixel_values=pixel_values, image_grid_thw=grid_thw,
            max_new_tokens=max_new_tokens, do_sample=False, pad_token_id=int(pad) if pad is not None else 0)
    start = prompt.input_ids.shape[1]
    return [cast(str, tokenizer.decode(row[start:], skip_special_tokens=True)).strip() for row in out]
