"""Token sequences for the Qwen chat template: system + user(image, instruction) + assistant turn that starts
with the gaze tokens and continues with the fixed-format report. Gives input_ids, attention_mask,
mm_token_type_ids (needed for 3-D mRoPE positions, docs/reference_model.md) and LM labels on the report only."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, cast

import torch
from transformers import PreTrainedTokenizerBase

INSTRUCTION = ("Look at the chest X-ray in the order a radiologist would, then report each finding as Yes or No, "
               "one line per label.")
IGNORE = -100


@dataclass(frozen=True, eq=False)
class PromptBatch:
    """Right-padded token tensors for B samples (same image size, so the same prefix)."""

    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    mm_token_type_ids: torch.Tensor
    """0 text, 1 image token: without it Qwen silently falls back to 1-D positions."""
    lm_labels: torch.Tensor
    """input_ids on report tokens and the closing <|im_end|>, IGNORE elsewhere (prompt, gaze tokens, padding)."""

    def to(self, device: torch.device) -> PromptBatch:
        return PromptBatch(*(t.to(device) for t in (self.input_ids, self.attention_mask, self.mm_token_type_ids,
                                                     self.lm_labels)))


@dataclass(frozen=True, eq=False)
class PromptBuilder:
    """Builds the prompt for `n_visual` merged image tokens followed by the given gaze tokens."""

    tokenizer: PreTrainedTokenizerBase
    image_token_id: int
    gaze_token_ids: tuple[int, ...]
    n_visual: int
    instruction: str = INSTRUCTION

    @cached_property
    def prefix_ids(self) -> list[int]:
        """Chat-template prompt with the image pad expanded to `n_visual` tokens, then the gaze tokens."""
        messages: list[dict[str, Any]] = [
            {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": self.instruction}]}]
        text = cast(str, self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True))
        pad = cast(str, self.tokenizer.convert_ids_to_tokens(self.image_token_id))
        if text.count(pad) != 1:
            raise ValueError("chat template must place exactly one image pad token")
        text = text.replace(pad, pad * self.n_visual)
        ids = list(self.tokenizer(text, add_special_tokens=False)["input_ids"])
        return ids + list(self.gaze_token_ids)

    @cached_property
    def end_ids(self) -> list[int]:
        return list(self.tokenizer("<|im_end|>", add_special_tokens=False)["input_ids"])

    def report_ids(self, report: str) -> list[int]:
        """The report's token ids, memoised: the fixed-format reports repeat every epoch, and tokenizing them per
        batch was a measurable share of a tiny fit."""
        cache = self.__dict__.setdefault("_report_ids", {})
        if report not in cache:
            cache[report] = list(self.tokenizer(report, add_special_tokens=False)["input_ids"])
        return list(cache[report])

    def build(self, reports: list[str] | None = None, batch_size: int | None = None) -> PromptBatch:
        """Prompts for `batch_size` samples, or prompt + report + <|im_end|> for each report (training)."""
        prefix = self.prefix_ids
        if reports is None:
            if batch_size is None:
                raise ValueError("give reports or batch_size")
            rows, targets = [prefix] * batch_size, [[IGNORE] * len(prefix)] * batch_size
        else:
            rows, targets = [], []
            for report in reports:
                tail = self.report_ids(report) + self.end_ids
                rows.append(prefix + tail)
                targets.append([IGNORE] * len(prefix) + tail)
        length = max(len(r) for r in rows)
        pad_id = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        ids = torch.full((len(rows), length), pad_id, dtype=torch.long)
        labels = torch.full((len(rows), length), IGNORE, dtype=torch.long)
        mask = torch.zeros((len(rows), length), dtype=torch.long)
        for i, (row, tgt) in enumerate(zip(rows, targets, strict=True)):
            ids[i, : len(row)] = torch.tensor(row)
            labels[i, : len(tgt)] = torch.tensor(tgt)
            mask[i, : len(row)] = 1
        mm = (ids == self.image_token_id).to(torch.int32)
        return PromptBatch(ids, mask, mm, labels)
