"""The gaze-token reference model as benchmark adapters: one class parametrised by target kind, registered
as `original-gaze`, `shuffled-gaze` and `random-gaze` (the variants differ only in their gaze targets)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from gazebench.adapter import Adapter, FitContext, ImageBatch, InputSpec, Predictions, Provenance, register_model
from gazebench.errors import ConfigError
from gazebench.reference_model.backbone import build_backbone
from gazebench.reference_model.config import GazeModelConfig, default_config
from gazebench.reference_model.model import GazeVLM
from gazebench.reference_model.report import render_report
from gazebench.reference_model.trainer import train_gaze_model
from gazebench.reference_model.vision_input import CLIP_MEAN, CLIP_STD

CONFIG_KEY = "__gaze_model_config__"
"""state_dict entry holding the config JSON as uint8, checked on load (no silent mismatched weights)."""


@dataclass(frozen=True, eq=False)
class Inference:
    """Everything the model says about B images."""

    probs: np.ndarray
    """(B, 14) probabilities in CHEXPERT_LABELS order."""
    gaze: np.ndarray
    """(B, K) predicted patch indices, raster order on the merged-token grid."""
    gaze_xy: np.ndarray
    """(B, K, 2) centres (x, y) of those patches in pixels of the resized (S×S) image."""
    saliency: np.ndarray
    """(B, rows, cols) pointer attention averaged over the gaze tokens (sums to 1 per image)."""
    reports: tuple[str, ...]
    """Fixed-format reports; their Yes/No lines are exactly probs >= threshold."""


class GazeTokenAdapter(Adapter):
    """Qwen2.5-VL + LoRA + K gaze tokens, trained in two stages on one kind of gaze target."""

    provenance = Provenance(
        source="gazebench re-implementation of 'Thinking with Gaze' (no public code; see docs/reference_model.md)",
        license="Apache-2.0",
        citation="Li et al., Thinking with Gaze: Sequential Eye-Tracking as Visual Reasoning Supervision for "
                 "Medical VLMs, arXiv:2603.06697 (2026)",
    )

    def __init__(self, target: str = "original", backbone: str = "tiny", **overrides: Any) -> None:
        self.cfg: GazeModelConfig = default_config(backbone, target=target, **overrides)
        if self.cfg.k < 1:
            raise ConfigError("the gaze-token model needs k >= 1 gaze tokens")
        self.spec = InputSpec(image_size=self.cfg.image_size, channels=3, mean=CLIP_MEAN, std=CLIP_STD,
                              patch_size=28, uses_gaze=True)
        self.device = torch.device("cpu")
        self._model: GazeVLM | None = None

    @property
    def model(self) -> GazeVLM:
        """Built on first use (on `self.device`, bf16 backbone on CUDA), so construction stays cheap."""
        if self._model is None:
            dtype = torch.bfloat16 if self.device.type == "cuda" else torch.float32
            with torch.random.fork_rng(devices=[]):
                backbone = build_backbone(self.cfg.backbone, self.cfg.k, self.cfg.seed, dtype, self.device)
                torch.manual_seed(self.cfg.seed)
                self._model = GazeVLM(backbone, self.cfg).to(self.device).eval()
        return self._model

    def config(self) -> dict[str, Any]:
        return self.cfg.to_dict()

    @property
    def trainable(self) -> bool:
        return True

    def to(self, device: torch.device) -> GazeTokenAdapter:
        self.device = torch.device(device)
        if self._model is not None:
            self._model.to(self.device)
        return self

    def fit(self, ctx: FitContext) -> None:
        """Two-stage training; under `accelerate launch` each process builds its replica on its own GPU."""
        if ctx.device.type == "cuda":
            from accelerate import PartialState

            self.to(PartialState().device)
        else:
            self.to(ctx.device)
        train_gaze_model(self.model, self.cfg, ctx)

    def infer(self, pixels: torch.Tensor) -> Inference:
        """Probabilities, ordered gaze (indices and pixel centres), saliency and reports for (B, 3, S, S)."""
        model = self.model
        with torch.no_grad():
            out = model(pixels.to(self.device))
        probs = torch.sigmoid(out.label_logits.float()).cpu().numpy()
        attn = torch.softmax(out.gaze_logits.float(), dim=-1)
        gaze = attn.argmax(-1).cpu().numpy().astype(np.int64)
        rows, cols = self.cfg.grid
        saliency = attn.mean(1).view(-1, rows, cols).cpu().numpy()
        cell = self.cfg.image_size / cols
        xy = np.stack([(gaze % cols + 0.5) * cell, (gaze // cols + 0.5) * cell], axis=-1)
        reports = tuple(render_report(p >= self.cfg.threshold) for p in probs)
        return Inference(probs, gaze, xy, saliency, reports)

    def predict(self, batch: ImageBatch) -> Predictions:
        res = self.infer(batch.pixels)
        return Predictions(probs=res.probs, gaze=res.gaze, saliency=res.saliency, reports=res.reports)

    def state_dict(self) -> dict[str, torch.Tensor]:
        """LoRA + gaze-token embedding rows + heads, plus the config (the frozen backbone is not saved)."""
        state = dict(self.model.trainable_state())
        state[CONFIG_KEY] = torch.frombuffer(bytearray(self.cfg.to_json().encode()), dtype=torch.uint8)
        return state

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        state = dict(state)
        blob = state.pop(CONFIG_KEY, None)
        if blob is None:
            raise ConfigError("checkpoint has no gaze-model config; it was not written by this adapter")
        saved = GazeModelConfig.from_dict(json.loads(bytes(blob.numpy().tobytes()).decode()))
        if saved != self.cfg:
            diff = sorted(k for k, v in saved.to_dict().items() if self.cfg.to_dict()[k] != v)
            raise ConfigError(f"checkpoint was trained with a different config ({', '.join(diff)})")
        self.model.load_trainable_state(state)


@register_model("original-gaze")
def original_gaze(**kwargs: Any) -> GazeTokenAdapter:
    """Gaze tokens supervised with the radiologist's fixations in temporal order."""
    return GazeTokenAdapter("original", **kwargs)


@register_model("shuffled-gaze")
def shuffled_gaze(**kwargs: Any) -> GazeTokenAdapter:
    """Control: the same patches in a permuted (never identity) order."""
    return GazeTokenAdapter("shuffled", **kwargs)


@register_model("random-gaze")
def random_gaze(**kwargs: Any) -> GazeTokenAdapter:
    """Control: uniformly random patches."""
    return GazeTokenAdapter("random", **kwargs)
