"""The `vanilla` adapter: the frozen Qwen2.5-VL backbone with no training. Probabilities come from the
Yes/No answer-token logits of the teacher-forced fixed report (not from parsing text); a greedy generation
on a stable subset of images measures how often the backbone's own text breaks the report format, returned
per image as the `parse_failed` diagnostic (1/0 on probed images, NaN elsewhere) that results summarise."""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any, cast

import numpy as np
import torch

from gazebench.adapter import Adapter, ImageBatch, Predictions, Provenance, register_model
from gazebench.baselines.sft.adapter import QWEN_CITATION, QWEN_LICENSE, QWEN_PROVENANCE
from gazebench.baselines.vanilla.answers import ReportTemplate, report_template, yes_probabilities
from gazebench.options import dataclass_options, option, with_options
from gazebench.train import derive_seed
from gazebench.vlm.backbone import (
    Backbone,
    backbone_weights,
    build_backbone,
    check_backbone,
    default_dtype,
)
from gazebench.vlm.config import BackboneConfig
from gazebench.vlm.prompt import PromptBuilder
from gazebench.vlm.report import parses
from gazebench.vlm.vision_input import qwen_input_spec, to_qwen_pixels


@dataclass(frozen=True)
class VanillaConfig(BackboneConfig):
    """What decides the numbers: backbone, input size, the initial weights of a random backbone, and which
    images are also generated to measure parse failures."""

    probe_fraction: float = option(0.02, ge=0, le=1)
    """Share of images (chosen by a stable hash of sample_id) also greedily generated to measure parse failures."""


class VanillaAdapter(Adapter):
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
        self.spec = replace(qwen_input_spec(self.cfg.image_size, predicts_gaze=False),
                            kinds=("classification", "report"))
        self.device = torch.device("cpu")

    @cached_property
    def backbone(self) -> Backbone:
        """Built on first use (bf16 on CUDA), without gaze tokens."""
        with torch.random.fork_rng(devices=[]):
            return build_backbone(self.cfg.backbone, 0, self.cfg.seed, default_dtype(self.device), self.device)

    @cached_property
    def prompts(self) -> PromptBuilder:
        rows, cols = self.cfg.grid
        return PromptBuilder(self.backbone.tokenizer, self.backbone.image_token_id, (), rows * cols)

    @cached_property
    def template(self) -> ReportTemplate:
        return report_template(self.backbone.tokenizer)

    def config(self) -> dict[str, Any]:
        return self.cfg.to_dict()

    def weights(self) -> dict[str, Path]:
        """The backbone directory when it is a local checkpoint (digested into the run identity)."""
        return backbone_weights(self.cfg.backbone)

    def to(self, device: torch.device) -> VanillaAdapter:
        self.device = torch.device(device)
        if "backbone" in self.__dict__:
            self.backbone.model.to(self.device)  # type: ignore[arg-type]  # PreTrainedModel.to is wrapped
        return self

    def answer_probabilities(self, pixels: torch.Tensor) -> np.ndarray:
        """(B, 3, S, S) → (B, 14) P(Yes) at each answer slot of the teacher-forced report (one forward pass)."""
        b = pixels.shape[0]
        prompt = self.prompts.build([self.template.text] * b).to(self.device)
        pixel_values, grid_thw = to_qwen_pixels(pixels.to(self.device))
        qwen = self.backbone.model
        with torch.no_grad():
            hidden = qwen.model(input_ids=prompt.input_ids, attention_mask=prompt.attention_mask,
                                mm_token_type_ids=prompt.mm_token_type_ids, pixel_values=pixel_values,
                                image_grid_thw=grid_thw, use_cache=False).last_hidden_state
            before = len(self.prompts.prefix_ids) - 1  # the position whose logits predict report token 0
            positions = torch.tensor([before + s for s in self.template.slots], device=hidden.device)
            logits = qwen.lm_head(hidden[:, positions])
        return yes_probabilities(logits, self.template).cpu().numpy()

    def generate(self, pixels: torch.Tensor) -> tuple[str, ...]:
        """Greedy reports for (B, 3, S, S) images, as the backbone writes them after the prompt."""
        b = pixels.shape[0]
        prompt = self.prompts.build(batch_size=b).to(self.device)
        pixel_values, grid_thw = to_qwen_pixels(pixels.to(self.device))
        tok = self.backbone.tokenizer
        budget = len(tok(self.template.text, add_special_tokens=False)["input_ids"]) + 8
        with torch.no_grad():
            out = self.backbone.model.generate(
                input_ids=prompt.input_ids, attention_mask=prompt.attention_mask,
                mm_token_type_ids=prompt.mm_token_type_ids, pixel_values=pixel_values, image_grid_thw=grid_thw,
                max_new_tokens=budget, do_sample=False, pad_token_id=tok.pad_token_id)
        start = prompt.input_ids.shape[1]
        return tuple(cast(str, tok.decode(row[start:], skip_special_tokens=True)) for row in out)

    def probed(self, batch: ImageBatch) -> list[int]:
        """Indices of the batch's images in the stable generation subset (independent of batch composition)."""
        return [i for i, sid in enumerate(batch.ids)
                if derive_seed(self.cfg.seed, "vanilla-probe", sid) / 2**63 < self.cfg.probe_fraction]

    def predict(self, batch: ImageBatch) -> Predictions:
        """Answer-logit probabilities; `parse_failed` is 1/0 for probed images' greedy reports, NaN elsewhere.
        A report task gets the greedy report itself (zero-shot)."""
        if batch.kind == "report":
            return Predictions(reports=self.generate(batch.pixels))
        probs = self.answer_probabilities(batch.pixels)
        failed = np.full(len(batch.ids), np.nan)
        chosen = self.probed(batch)
        if chosen:
            failed[chosen] = [0.0 if parses(text) else 1.0 for text in self.generate(batch.pixels[chosen])]
        return Predictions(probs=probs, diagnostics={"parse_failed": failed})


@register_model("vanilla")
@with_options(dataclass_options(VanillaConfig))
def vanilla(**kwargs: Any) -> VanillaAdapter:
    """The untuned Qwen2.5-VL prompted for the fixed Yes/No report."""
    return VanillaAdapter(**kwargs)
