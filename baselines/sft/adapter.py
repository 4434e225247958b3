"""The `sft` and `sft-heatmap` adapters: one class parametrised by `heatmap`, sharing the reference model's
backbone factory, prompt, report, heads and training loop; they differ from it only in the gaze supervision
(none, or a static heatmap instead of ordered gaze tokens)."""
from __future__ import annotations

import json
from typing import Any

import torch
from gazebench.baselines.sft.config import SFTConfig, sft_config
from gazebench.baselines.sft.model import SFTVLM
from gazebench.baselines.sft.trainer import train_sft
from gazebench.reference_model.backbone import build_backbone
from gazebench.reference_model.report import render_report
from gazebench.reference_model.vision_input import CLIP_MEAN, CLIP_STD

from gazebench.adapter import Adapter, FitContext, ImageBatch, InputSpec, Predictions, Provenance, register_model
from gazebench.errors import ConfigError

CONFIG_KEY = "__sft_config__"
"""state_dict entry holding the config JSON as uint8, checked on load (no silent mismatched weights)."""

QWEN_PROVENANCE = "real weights: a local Qwen2.5-VL-Instruct directory, loaded offline (see docs/baselines_vlm.md)"
QWEN_LICENSE = "Apache-2.0 (this code; Qwen2.5-VL-7B-Instruct weights: Apache-2.0)"
QWEN_CITATION = "Bai S, Chen K, Liu X, et al. Qwen2.5-VL Technical Report. arXiv:2502.13923 (2025)"


class SFTAdapter(Adapter):
    """Qwen2.5-VL + LoRA instruction-tuned on the fixed Yes/No report with a 14-label head (no gaze tokens);
    with `heatmap=True` also a heatmap head supervised by the radiologist's static gaze heatmap."""

    def __init__(self, heatmap: bool = False, backbone: str = "tiny", **overrides: Any) -> None:
        self.cfg: SFTConfig = sft_config(backbone, heatmap=heatmap, **overrides)
        self.spec = InputSpec(image_size=self.cfg.image_size, channels=3, mean=CLIP_MEAN, std=CLIP_STD,
                              patch_size=28 if heatmap else None, uses_gaze=heatmap)
        name = "SFT-Heatmap" if heatmap else "SFT"
        self.provenance = Provenance(
            source=f"gazebench {name} baseline of 'Thinking with Gaze'; {QWEN_PROVENANCE}",
            license=QWEN_LICENSE,
            citation=f"Li et al., arXiv:2603.06697 (2026), {name} baseline; {QWEN_CITATION}",
        )
        self.device = torch.device("cpu")
        self._model: SFTVLM | None = None

    @property
    def model(self) -> SFTVLM:
        """Built on first use (on `self.device`, bf16 backbone on CUDA), so construction stays cheap."""
        if self._model is None:
            dtype = torch.bfloat16 if self.device.type == "cuda" else torch.float32
            with torch.random.fork_rng(devices=[]):
                backbone = build_backbone(self.cfg.backbone, 0, self.cfg.seed, dtype, self.device)
                torch.manual_seed(self.cfg.seed)
                self._model = SFTVLM(backbone, self.cfg).to(self.device).eval()
        return self._model

    def config(self) -> dict[str, Any]:
        return self.cfg.to_dict()

    @property
    def trainable(self) -> bool:
        return True

    def to(self, device: torch.device) -> SFTAdapter:
        self.device = torch.device(device)
        if self._model is not None:
            self._model.to(self.device)
        return self

    def fit(self, ctx: FitContext) -> None:
        self.to(ctx.device)
        train_sft(self.model, self.cfg, ctx)

    def predict(self, batch: ImageBatch) -> Predictions:
        """Sigmoid of the label head; the fixed report from it; for SFT-Heatmap the heatmap as saliency."""
        with torch.no_grad():
            out = self.model(batch.pixels.to(self.device))
        probs = torch.sigmoid(out.label_logits.float()).cpu().numpy()
        reports = tuple(render_report(p >= self.cfg.threshold) for p in probs)
        saliency = None
        if out.heatmap_logits is not None:
            rows, cols = self.cfg.grid
            saliency = torch.softmax(out.heatmap_logits.float(), -1).view(-1, rows, cols).cpu().numpy()
        return Predictions(probs=probs, saliency=saliency, reports=reports)

    def state_dict(self) -> dict[str, torch.Tensor]:
        """LoRA + heads, plus the config (the frozen backbone is not saved)."""
        state = dict(self.model.trainable_state())
        state[CONFIG_KEY] = torch.frombuffer(bytearray(self.cfg.to_json().encode()), dtype=torch.uint8)
        return state

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        state = dict(state)
        blob = state.pop(CONFIG_KEY, None)
        if blob is None:
            raise ConfigError("checkpoint has no SFT config; it was not written by the sft/sft-heatmap adapter")
        saved = SFTConfig.from_dict(json.loads(bytes(blob.numpy().tobytes()).decode()))
        if saved != self.cfg:
            diff = sorted(k for k, v in saved.to_dict().items() if self.cfg.to_dict()[k] != v)
            raise ConfigError(f"checkpoint was trained with a different config ({', '.join(diff)})")
        self.model.load_trainable_state(state)


@register_model("sft")
def sft(**kwargs: Any) -> SFTAdapter:
    """Instruction tuning alone: LoRA + 14-label head + report LM loss, no gaze."""
    return SFTAdapter(heatmap=False, **kwargs)


@register_model("sft-heatmap")
def sft_heatmap(**kwargs: Any) -> SFTAdapter:
    """SFT plus static gaze supervision: a heatmap head trained by KL against the pooled gaze heatmap."""
    return SFTAdapter(heatmap=True, **kwargs)
