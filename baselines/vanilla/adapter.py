"""The `vanilla` adapter: the frozen Qwen2.5-VL backbone with no training, run through the generic
generative-VLM code `hf-vlm` uses (GenerativeVLMAdapter, gazebench.vlm.inputs.QwenInputs,
gazebench.vlm.likelihood). Probabilities come from the Yes/No answer-token likelihoods at the answer slots of
the teacher-forced fixed report (not from parsing text); a greedy generation on a stable subset of images
measures how often the backbone's own text breaks the report format, returned per image as the
`parse_failed` diagnostic (1/0 on probed images, NaN elsewhere) that results summarise."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import torch

from gazebench.adapter import ImageBatch, Provenance, register_model
from gazebench.baselines.hf.generative import GenerativeVLMAdapter
from gazebench.baselines.sft.adapter import QWEN_CITATION, QWEN_LICENSE, QWEN_PROVENANCE
from gazebench.baselines.vanilla.answers import ReportTemplate, report_template
from gazebench.options import dataclass_options, option, with_options
from gazebench.outputs import Probabilities, Reports
from gazebench.train import derive_seed
from gazebench.vlm.backbone import (
    Backbone,
    backbone_weights,
    build_backbone,
    check_backbone,
    default_dtype,
)
from gazebench.vlm.chat import INSTRUCTION
from gazebench.vlm.config import BackboneConfig
from gazebench.vlm.inputs import QwenInputs
from gazebench.vlm.likelihood import token_logprobs, yes_probability
from gazebench.vlm.report import parses
from gazebench.vlm.vision_input import qwen_input_spec


@dataclass(frozen=True)
class VanillaConfig(BackboneConfig):
    """What decides the numbers: backbone, input size, the initial weights of a random backbone, and which
    images are also generated to measure parse failures."""

    probe_fraction: float = option(0.02, ge=0, le=1)
    """Share of images (chosen by a stable hash of sample_id) also greedily generated to measure parse failures."""


class VanillaAdapter(GenerativeVLMAdapter):
    """Qwen2.5-VL as is, prompted for the fixed Yes/No report (the paper's Vanilla row)."""

    provenance = Provenance(
        source=f"gazebench Vanilla baseline of 'Thinking with Gaze' (untuned backbone); {QWEN_PROVENANCE}",
        license=QWEN_LICENSE,
        citation=f"Li et al., arXiv:2603.06697 (2026), Vanilla baseline; {QWEN_CITATION}",
    )

    def __init__(self, backbone: str = "tiny", **options: Any) -> None:
        """`options`: image_size (default: the reference model's for `backbone`), probe_fraction, seed."""
        self.cfg = VanillaConfig.resolve(backbone, **options)
        check_backbone(self.cfg.backbone)
        self.spec = qwen_input_spec(self.cfg.image_size, predicts_gaze=False)
        self.device = torch.device("cpu")

    @cached_property
    def backbone(self) -> Backbone:
        """Built on first use (bf16 on CUDA), without gaze tokens."""
        with torch.random.fork_rng(devices=[]):
            return build_backbone(self.cfg.backbone, 0, self.cfg.seed, default_dtype(self.device), self.device)

    def load_model(self) -> Any:
        return self.backbone.model

    def make_builder(self) -> QwenInputs:
        return QwenInputs(self.backbone.tokenizer, self.backbone.image_token_id, self.cfg.image_size)

    @cached_property
    def template(self) -> ReportTemplate:
        return report_template(self.backbone.tokenizer)

    def generation_budget(self) -> int:
        """Room for the whole report and a few tokens more (a longer text fails to parse anyway)."""
        return self.template.n_tokens + 8

    def config(self) -> dict[str, Any]:
        return self.cfg.to_dict()

    def weights(self) -> dict[str, Path]:
        """The backbone directory when it is a local checkpoint (digested into the run identity)."""
        return backbone_weights(self.cfg.backbone)

    def answer_probabilities(self, pixels: torch.Tensor) -> np.ndarray:
        """(B, 3, S, S) → (B, 14) P(Yes) at each answer slot of the teacher-forced report (one forward pass):
        the last n_tokens + 1 positions are kept, so kept position s predicts report token s."""
        with torch.no_grad():
            inputs = self.inputs(pixels, INSTRUCTION, self.template.text)
            logits = self.forward(inputs, self.template.n_tokens + 1)[:, list(self.template.slots)]
            return yes_probability(token_logprobs(logits, self.template.answer_ids)).cpu().numpy()

    def probed(self, batch: ImageBatch) -> list[int]:
        """Indices of the batch's images in the stable generation subset (independent of batch composition)."""
        return [i for i, sid in enumerate(batch.ids)
                if derive_seed(self.cfg.seed, "vanilla-probe", sid) / 2**63 < self.cfg.probe_fraction]

    def report(self, batch: ImageBatch) -> Reports:
        """The greedy report itself (zero-shot, the fixed-report prompt)."""
        return Reports(reports=tuple(self.generate(batch.pixels, INSTRUCTION)))

    def classify(self, batch: ImageBatch) -> Probabilities:
        """Answer-likelihood probabilities; `parse_failed` is 1/0 for probed images' greedy reports, NaN
        elsewhere."""
        probs = self.answer_probabilities(batch.pixels)
        failed = np.full(len(batch.ids), np.nan)
        chosen = self.probed(batch)
        if chosen:
            reports = self.generate(batch.pixels[chosen], INSTRUCTION)
            failed[chosen] = [0.0 if parses(text) else 1.0 for text in reports]
        return Probabilities(probs=probs, diagnostics={"parse_failed": failed})


@register_model("vanilla")
@with_options(dataclass_options(VanillaConfig))
def vanilla(**kwargs: Any) -> VanillaAdapter:
    """The untuned Qwen2.5-VL prompted for the fixed Yes/No report."""
    return VanillaAdapter(**kwargs)
