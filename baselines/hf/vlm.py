"""`hf-vlm`: any local transformers image-text-to-text checkpoint (`--model-arg path=DIR`), loaded offline with
its own processor and chat template (a Qwen2.5-VL whose processor cannot be built gets gazebench's own Qwen
input builder). Each label is scored by answer likelihood after its question from the versioned prompt table
(gazebench.vlm.prompts): P(Yes) / (P(Yes) + P(No)). Inference is batched per label with left padding, so every
row of a forward has the same prompt and batch size cannot change a score."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from gazebench.adapter import ImageBatch, Provenance, register_model
from gazebench.baselines.hf.generative import GenerativeVLMAdapter
from gazebench.baselines.hf.loading import check_dir, image_text_family, input_builder, load_model
from gazebench.errors import ConfigError
from gazebench.labels import CHEXPERT_LABELS
from gazebench.options import MAX_IMAGE_SIZE, MAX_TOKENS, dataclass_options, option, with_options
from gazebench.outputs import Probabilities
from gazebench.vlm.backbone import default_dtype
from gazebench.vlm.inputs import InputBuilder
from gazebench.vlm.likelihood import answer_logprobs, answer_token_ids, yes_probability
from gazebench.vlm.prompts import ANSWERS, PROMPTS_VERSION, QUESTIONS


@dataclass(frozen=True)
class HFVLMConfig:
    """What decides the numbers besides the checkpoint's content (digested separately)."""

    path: str = ""
    """The local checkpoint directory (required)."""
    image_size: int = option(448, ge=14, le=MAX_IMAGE_SIZE)
    """Side of the square image handed to the model's own processor (which then resizes it its own way); a
    multiple of 28 for a Qwen2.5-VL read through gazebench's Qwen input builder."""
    max_new_tokens: int = option(128, ge=1, le=MAX_TOKENS)
    """Generation budget of `generate` (greedy)."""


class HFVLMAdapter(GenerativeVLMAdapter):
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
        self.spec = self.builder.spec
        self.answers = answer_token_ids(self.builder.tokenizer, ANSWERS)

    def make_builder(self) -> InputBuilder:
        return input_builder(self.path, self.family, self.cfg.image_size)

    def load_model(self) -> Any:
        """bf16 on CUDA, fp32 elsewhere (the run's precision applies as autocast)."""
        from transformers import AutoModelForImageTextToText

        return load_model(self.path, self.family, AutoModelForImageTextToText, default_dtype(self.device), self.device)

    def generation_budget(self) -> int:
        return self.cfg.max_new_tokens

    def config(self) -> dict[str, Any]:
        return asdict(self.cfg) | {"prompts_version": PROMPTS_VERSION} | self.builder.record()

    def weights(self) -> dict[str, Path]:
        """The checkpoint directory, digested into the run identity."""
        return {"checkpoint": self.path}

    def classify(self, batch: ImageBatch) -> Probabilities:
        """(B, 14) P(Yes) per label, one batched forward per label (two per multi-token answer pair)."""
        probs = np.zeros((len(batch.ids), len(CHEXPERT_LABELS)))
        with torch.no_grad():
            for j, label in enumerate(CHEXPERT_LABELS):
                logp = answer_logprobs(self.forward, self.inputs(batch.pixels, QUESTIONS[label]), self.answers)
                probs[:, j] = yes_probability(logp).cpu().numpy()
        return Probabilities(probs=probs)


@register_model("hf-vlm")
@with_options(dataclass_options(HFVLMConfig))
def hf_vlm(**kwargs: Any) -> HFVLMAdapter:
    """Any local transformers image-text-to-text checkpoint, scored by Yes/No answer likelihood."""
    return HFVLMAdapter(**kwargs)
