"""Token sequences for the Qwen chat template: system + user(image, instruction) + assistant turn that starts
with the gaze tokens and continues with the fixed-format report. Gives input_ids, attention_mask,
mm_token_type_ids (needed for 3-D mRoPE positions, docs/reference_model.md) and LM labels on the report only."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, cast

import torch
from torch.nn.utils.rnn import pad_sequence
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
        """The report's token ids."""
        return list(self.tokenizer(report, add_special_tokens=False)["input_ids"])

    def row(self, report: str | None) -> tuple[torch.Tensor, torch.Tensor]:
        """(input_ids, lm_labels) of one unpadded row: the prompt, then `report` + <|im_end|> when given.
        Memoised per report (the fixed-format reports repeat every epoch; tokenizing them and writing rows
        tensor by tensor per batch were a measurable share of a tiny fit); callers never write to them."""
        cache: dict[str | None, tuple[torch.Tensor, torch.Tensor]] = self.__dict__.setdefault("_rows", {})
        if report not in cache:
            tail = [] if report is None else self.report_ids(report) + self.end_ids
            cache[report] = (torch.tensor(self.prefix_ids + tail, dtype=torch.long),
                             torch.tensor([IGNORE] * len(self.prefix_ids) + tail, dtype=torch.long))
        return cache[report]

    def build(self, reports: list[str] | None = None, batch_size: int | None = None) -> PromptBatch:
        """Prompts for `batch_size` samples, or prompt + report + <|im_end|> for each report (training),
        right-padded to the longest row."""
        if reports is None:
            if batch_size is None:
                raise ValueError("give reports or batch_size")
            rows = [self.row(None)] * batch_size
        else:
            rows = [self.row(report) for report in reports]
        if not rows:
            raise ValueError("a prompt batch needs at least one row")
        pad_id = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        ids = pad_sequence([r[0] for r in rows], batch_first=True, padding_value=pad_id)
        labels = pad_sequence([r[1] for r in rows], batch_first=True, padding_value=IGNORE)
        lengths = torch.tensor([len(r[0]) for r in rows])
        mask = (torch.arange(ids.shape[1]) < lengths[:, None]).to(torch.long)
        mm = (ids == self.image_token_id).to(torch.int32)
        return PromptBatch(ids, mask, mm, labels)
