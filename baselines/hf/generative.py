"""The shared body of every generative-VLM adapter (`hf-vlm`, `vanilla`): a lazily loaded image-text-to-text
model behind an `InputBuilder` (gazebench.vlm.inputs), its logits at the last positions, and greedy
generation. Subclasses say only how the model and the input builder are made and which prompts they ask;
every answer probability goes through gazebench.vlm.likelihood."""
from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from functools import cached_property
from typing import Any, cast

import torch

from gazebench.adapter import Adapter
from gazebench.vlm.inputs import InputBuilder


class GenerativeVLMAdapter(Adapter):
    """A frozen generative VLM: inputs from its builder, next-token logits, greedy text."""

    device: torch.device = torch.device("cpu")

    @abstractmethod
    def make_builder(self) -> InputBuilder:
        """The input builder (called once, on first use)."""

    @abstractmethod
    def load_model(self) -> Any:
        """The frozen model in eval mode on `self.device` (called once, on first use)."""

    @abstractmethod
    def generation_budget(self) -> int:
        """Most new tokens `generate` writes."""

    @cached_property
    def builder(self) -> InputBuilder:
        return self.make_builder()

    @cached_property
    def model(self) -> Any:
        return self.load_model()

    def to(self, device: torch.device) -> GenerativeVLMAdapter:
        self.device = torch.device(device)
        if "model" in self.__dict__:
            self.model.to(self.device)
        return self

    def inputs(self, pixels: torch.Tensor, prompt: str, continuation: str = "") -> dict[str, torch.Tensor]:
        """The builder's inputs for B images under one prompt, on the model's device, floats in its dtype."""
        dtype = next(self.model.parameters()).dtype
        out = self.builder.build(pixels, prompt, continuation)
        return {k: (v.to(self.device, dtype) if v.is_floating_point() else v.to(self.device)) for k, v in out.items()}

    def forward(self, inputs: Mapping[str, torch.Tensor], keep: int) -> torch.Tensor:
        """(B, keep, V) logits of the last `keep` positions (the vocabulary projection of those only)."""
        return cast(torch.Tensor, self.model(**inputs, use_cache=False, logits_to_keep=keep).logits)

    def generate(self, pixels: torch.Tensor, prompt: str) -> list[str]:
        """Greedy text for each image after `prompt`, at most `generation_budget()` tokens, special tokens
        dropped."""
        inputs = self.inputs(pixels, prompt)
        tokenizer = self.builder.tokenizer
        with torch.no_grad():
            out = self.model.generate(**inputs, max_new_tokens=self.generation_budget(), do_sample=False,
                                      pad_token_id=tokenizer.pad_token_id)
        start = inputs["input_ids"].shape[1]
        return [cast(str, tokenizer.decode(row[start:], skip_special_tokens=True)) for row in out]
