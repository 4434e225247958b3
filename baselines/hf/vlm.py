"""`hf-vlm`: any local transformers image-text-to-text checkpoint (`--model-arg path=DIR`), loaded offline with
its own processor and chat template. Each label is scored by answer likelihood after its question from the
versioned prompt table (gazebench.vlm.prompts): P(Yes) / (P(Yes) + P(No)). Inference is batched per label
with left padding, so every row of a forward has the same prompt and batch size cannot change a score."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, cast

import numpy as np
import torch

from gazebench.adapter import Adapter, ImageBatch, InputSpec, Predictions, Provenance, register_model
from gazebench.baselines.hf.loading import (
    check_dir,
    image_text_family,
    load_model,
    load_processor,
    processor_record,
)
from gazebench.errors import ConfigError
from gazebench.labels import CHEXPERT_LABELS
from gazebench.options import dataclass_options, option, with_options
from gazebench.vlm.backbone import default_dtype
from gazebench.vlm.likelihood import answer_logprobs, answer_token_ids, yes_probability
from gazebench.vlm.prompts import ANSWERS, PROMPTS_VERSION, QUESTIONS


@dataclass(frozen=True)
class HFVLMConfig:
    """What decides the numbers besides the checkpoint's content (digested separately)."""

    path: str = ""
    """The local checkpoint directory (required)."""
    image_size: int = option(448, ge=14)
    """Side of the square image handed to the model's own processor (which then resizes it its own way)."""
    max_new_tokens: int = option(128, ge=1)
    """Generation budget of `generate` (greedy)."""


def to_uint8_images(pixels: torch.Tensor) -> list[np.ndarray]:
    """(B, 3, S, S) images in [0, 1] → (S, S, 3) uint8 arrays, the input every image processor accepts."""
    arr = (pixels.detach().float().clamp(0, 1) * 255).round().to(torch.uint8).permute(0, 2, 3, 1).cpu().numpy()
    return list(arr)


class HFVLMAdapter(Adapter):
    """A generic generative VLM: answer-likelihood scores for classification, greedy text for reports."""

    provenance = Provenance(
        source="a local transformers image-text-to-text checkpoint chosen by the user (gazebench generic adapter)",
        license="that of the checkpoint (see its model card)",
        citation="the checkpoint's own paper; scoring by answer likelihood as in CheXbench (Chen et al., "
                 "CheXagent, arXiv:2401.12208, 2024)",
    )

    def __init__(self, **options: Any) -> None:
        self.cfg = HFVLMConfig(**dataclass_options(HFVLMConfig).parse(options, "hf-vlm"))
        if not self.cfg.path:
            raise ConfigError("hf-vlm needs --model-arg path=DIR (a local image-text-to-text checkpoint)")
        self.path = Path(self.cfg.path).expanduser()
        self.family = image_text_family()
        check_dir(self.path, self.family)  # before any data is read
        self.processor = load_processor(self.path, self.family)
        tokenizer = getattr(self.processor, "tokenizer", None)
        if tokenizer is None:
            raise ConfigError(f"{self.path}: the processor {type(self.processor).__name__} has no tokenizer")
        tokenizer.padding_side = "left"
        self.tokenizer = tokenizer
        self.answers = answer_token_ids(tokenizer, ANSWERS)
        self.spec = InputSpec(image_size=self.cfg.image_size, channels=3, mean=(0.0,) * 3, std=(1.0,) * 3)
        self.device = torch.device("cpu")

    @cached_property
    def model(self) -> Any:
        """Loaded on first use (bf16 on CUDA, fp32 elsewhere; the run's precision applies as autocast)."""
        from transformers import AutoModelForImageTextToText

        return load_model(self.path, self.family, AutoModelForImageTextToText, default_dtype(self.device), self.device)

    def config(self) -> dict[str, Any]:
        return asdict(self.cfg) | {"prompts_version": PROMPTS_VERSION} | processor_record(self.processor)

    def weights(self) -> dict[str, Path]:
        """The checkpoint directory, digested into the run identity."""
        return {"checkpoint": self.path}

    def to(self, device: torch.device) -> HFVLMAdapter:
        self.device = torch.device(device)
        if "model" in self.__dict__:
            self.model.to(self.device)
        return self

    def prompt_text(self, question: str) -> str:
        """The question in the checkpoint's chat template with one image; a processor without a template
        (e.g. PaliGemma) gets the bare question and places the image tokens itself."""
        if getattr(self.processor, "chat_template", None) is None:
            return question
        messages = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": question}]}]
        return cast(str, self.processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False))

    def inputs(self, pixels: torch.Tensor, prompt: str) -> dict[str, torch.Tensor]:
        """Processor inputs for B images under one prompt, left-padded, on the model's device and dtype."""
        images = [[image] for image in to_uint8_images(pixels)]
        out = self.processor(text=[self.prompt_text(prompt)] * len(images), images=images, padding=True,
                             return_tensors="pt")
        dtype = next(self.model.parameters()).dtype
        return {k: (v.to(self.device, dtype) if v.is_floating_point() else v.to(self.device))
                for k, v in out.items() if isinstance(v, torch.Tensor)}

    def forward(self, inputs: Mapping[str, torch.Tensor]) -> torch.Tensor:
        return cast(torch.Tensor, self.model(**inputs, use_cache=False).logits)

    def predict(self, batch: ImageBatch) -> Predictions:
        """(B, 14) P(Yes) per label, one batched forward per label (two per multi-token answer pair)."""
        probs = np.zeros((len(batch.ids), len(CHEXPERT_LABELS)))
        with torch.no_grad():
            for j, label in enumerate(CHEXPERT_LABELS):
                logp = answer_logprobs(self.forward, self.inputs(batch.pixels, QUESTIONS[label]), self.answers)
                probs[:, j] = yes_probability(logp).cpu().numpy()
        return Predictions(probs=probs)

    def generate(self, pixels: torch.Tensor, prompt: str) -> list[str]:
        """Greedy text for each image after `prompt` (in the chat template), at most `max_new_tokens` tokens."""
        inputs = self.inputs(pixels, prompt)
        with torch.no_grad():
            out = self.model.generate(**inputs, max_new_tokens=self.cfg.max_new_tokens, do_sample=False,
                                      pad_token_id=self.tokenizer.pad_token_id)
        start = inputs["input_ids"].shape[1]
        return [cast(str, self.tokenizer.decode(row[start:], skip_special_tokens=True)) for row in out]


@register_model("hf-vlm")
@with_options(dataclass_options(HFVLMConfig))
def hf_vlm(**kwargs: Any) -> HFVLMAdapter:
    """Any local transformers image-text-to-text checkpoint, scored by Yes/No answer likelihood."""
    return HFVLMAdapter(**kwargs)
