"""The `sft` and `sft-heatmap` adapters: one class parametrised by `heatmap`, built on the reference model's
`VLMAdapter` (backbone, prompt, report, heads, objective, training driver, checkpoints); they differ from it
only in the gaze supervision (none, or a static heatmap on a one-query pointer head instead of ordered gaze
tokens) and so in their stages."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from gazebench.adapter import ImageBatch, Provenance, register_model
from gazebench.baselines.sft.config import SFTConfig, sft_config
from gazebench.labels import CHEXPERT_LABELS
from gazebench.options import dataclass_options, with_options
from gazebench.outputs import Reports
from gazebench.records import Sample
from gazebench.train.stage import Stage
from gazebench.vlm.adapter import VLMAdapter
from gazebench.vlm.report import render_report

if TYPE_CHECKING:  # generation (transformers) and the heatmap loss (torch) are imported where they run
    from gazebench.vlm.objective import TargetTerm

QWEN_PROVENANCE = "real weights: a local Qwen2.5-VL-Instruct directory, loaded offline (see docs/baselines_vlm.md)"
QWEN_LICENSE = "Apache-2.0 (this code; Qwen2.5-VL-7B-Instruct weights: Apache-2.0)"
QWEN_CITATION = "Bai S, Chen K, Liu X, et al. Qwen2.5-VL Technical Report. arXiv:2502.13923 (2025)"


class SFTAdapter(VLMAdapter[SFTConfig]):
    """Qwen2.5-VL + LoRA instruction-tuned on the fixed Yes/No report with a 14-label head (no gaze tokens);
    with `heatmap=True` also a pointer head from the last prompt token, supervised by the radiologist's
    static gaze heatmap (its softmax is returned as saliency)."""

    config_key = "__sft_config__"

    def __init__(self, heatmap: bool = False, backbone: str = "tiny", **overrides: Any) -> None:
        super().__init__(sft_config(backbone, heatmap=heatmap, **overrides), gaze_tokens=0, pointer=heatmap)
        name = "SFT-Heatmap" if heatmap else "SFT"
        self.provenance = Provenance(
            source=f"gazebench {name} baseline of 'Thinking with Gaze'; {QWEN_PROVENANCE}",
            license=QWEN_LICENSE,
            citation=f"Li et al., arXiv:2603.06697 (2026), {name} baseline; {QWEN_CITATION}",
        )

    def report(self, batch: ImageBatch) -> Reports:
        """The greedy generation its report LM loss trained (the fixed Yes/No report, written token by token, not
        rendered from the label head); classification as every VLMAdapter."""
        from gazebench.vlm.generate import greedy

        model, pixels = self.model, batch.pixels.to(self.device)
        tok = model.prompts.tokenizer
        filler = render_report(np.zeros(len(CHEXPERT_LABELS), dtype=bool))
        budget = len(tok(filler, add_special_tokens=False)["input_ids"]) + 8
        prompt = model.prompts.build(batch_size=len(batch.ids)).to(self.device)
        return Reports(reports=tuple(greedy(model.qwen, tok, prompt, pixels, budget)))

    def stages(self) -> list[Stage]:
        """SFT: the label stage alone. SFT-Heatmap: heatmap KL alone first (where the reference model trains
        its gaze tokens), then the label stage + λ_heatmap·KL."""
        c = self.cfg
        first = ([self.stage("stage1-heatmap", c.epochs_heatmap, (("heatmap", 1.0),))]
                 if c.heatmap and c.epochs_heatmap > 0 else [])
        return first + [self.stage("stage2-labels", c.epochs,
                                   (("bce", 1.0), ("lm", c.lambda_lm), ("heatmap", c.lambda_heatmap)), validated=True)]

    def target_terms(self, samples: Sequence[Sample], seed: int) -> tuple[TargetTerm, ...]:
        from gazebench.baselines.sft.heatmap import heatmap_term

        return (heatmap_term(samples, self.cfg.grid),) if self.cfg.heatmap else ()


@register_model("sft")
@with_options(dataclass_options(SFTConfig).without("heatmap", "epochs_heatmap", "lambda_heatmap"))
def sft(**kwargs: Any) -> SFTAdapter:
    """Instruction tuning alone: LoRA + 14-label head + report LM loss, no gaze."""
    return SFTAdapter(heatmap=False, **kwargs)


@register_model("sft-heatmap")
@with_options(dataclass_options(SFTConfig).without("heatmap"))
def sft_heatmap(**kwargs: Any) -> SFTAdapter:
    """SFT plus static gaze supervision: a heatmap head trained by KL against the pooled gaze heatmap."""
    return SFTAdapter(heatmap=True, **kwargs)
