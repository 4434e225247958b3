"""`SFTConfig`: the SFT / SFT-Heatmap hyperparameters. Defaults are taken from the reference model's
`default_config` for the same backbone, so both baselines train within the reference model's budget."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import Any

from gazebench.reference_model.config import default_config

from gazebench.errors import ConfigError


@dataclass(frozen=True)
class SFTConfig:
    """Model + training hyperparameters; saved with every checkpoint and hashed into its fingerprint."""

    backbone: str = "tiny"
    """A named random-weight config ("tiny", "qwen2.5-vl-7b-shape") or a local Qwen2.5-VL directory."""
    heatmap: bool = False
    """True for SFT-Heatmap: a pointer heatmap head trained with KL(q‖p) against the pooled gaze heatmap."""
    image_size: int = 224
    lora_r: int = 8
    lora_alpha: int = 16
    lora_dropout: float = 0.05
    lora_vision: bool = True
    key_dim: int = 64
    """Width of the heatmap head's query/key projections."""
    lr: float = 2e-3
    weight_decay: float = 0.0
    epochs_heatmap: int = 0
    """Stage-1 epochs of heatmap KL alone (SFT-Heatmap only; the reference model's gaze stage)."""
    epochs: int = 6
    """Label-stage epochs: masked BCE + λ_LM·report LM loss (+ λ_heatmap·KL for SFT-Heatmap)."""
    patience: int = 3
    batch_size: int = 16
    grad_accum: int = 1
    lambda_lm: float = 0.2
    lambda_heatmap: float = 0.0
    gradient_checkpointing: bool = False
    threshold: float = 0.5
    seed: int = 0
    """Fixes the initial weights (random backbone, LoRA, heads); the run seed fixes data order and dropout."""

    def __post_init__(self) -> None:
        if self.image_size <= 0 or self.image_size % 28:
            raise ConfigError(f"image_size must be a positive multiple of 28, got {self.image_size}")
        if self.batch_size < 1 or self.grad_accum < 1 or self.epochs < 1:
            raise ConfigError("batch_size, grad_accum and epochs must be >= 1")
        if not self.heatmap and (self.epochs_heatmap or self.lambda_heatmap):
            raise ConfigError("epochs_heatmap and lambda_heatmap need heatmap=True (use the sft-heatmap model)")

    @property
    def grid(self) -> tuple[int, int]:
        """(rows, cols) of the merged-token grid (28 px per cell)."""
        side = self.image_size // 28
        return (side, side)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @staticmethod
    def from_dict(data: dict[str, Any]) -> SFTConfig:
        """Rebuild from `to_dict()` output; unknown keys are a ConfigError naming them."""
        known = {f.name for f in fields(SFTConfig)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"unknown SFTConfig field(s): {', '.join(unknown)}")
        return SFTConfig(**data)


SHARED = ("image_size", "lora_r", "lora_alpha", "lora_dropout", "lora_vision", "key_dim", "lr", "weight_decay",
          "patience", "batch_size", "grad_accum", "lambda_lm", "gradient_checkpointing", "threshold", "seed")
"""Fields whose defaults come from the reference model's config for the same backbone."""


def sft_config(backbone: str = "tiny", heatmap: bool = False, **overrides: Any) -> SFTConfig:
    """Defaults for `backbone` (the reference model's, stage 2 → `epochs`; for SFT-Heatmap also stage 1 →
    `epochs_heatmap` and λ_gaze → `lambda_heatmap`), then `overrides`; an unknown option is a ConfigError."""
    known = {f.name for f in fields(SFTConfig)} - {"backbone", "heatmap"}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise ConfigError(f"unknown option(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    ref = default_config(backbone)
    base: dict[str, Any] = {name: getattr(ref, name) for name in SHARED}
    base["epochs"] = ref.epochs_stage2
    if heatmap:
        base |= {"epochs_heatmap": ref.epochs_stage1, "lambda_heatmap": ref.lambda_gaze}
    return SFTConfig(backbone=backbone, heatmap=heatmap, **(base | overrides))
