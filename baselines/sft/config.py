"""`SFTConfig`: the SFT / SFT-Heatmap hyperparameters, a member of the shared VLM config family.
Defaults are the shared stage budget for the same backbone (`sft_config`), the one the reference model
trains within, so both baselines train within the reference model's budget."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gazebench.errors import ConfigError
from gazebench.options import MAX_EPOCHS, MAX_WEIGHT, option
from gazebench.vlm.config import VLMConfig, stage_budget


@dataclass(frozen=True)
class SFTConfig(VLMConfig):
    """+ the heatmap switch and the baselines' stages; saved with every checkpoint, hashed into its fingerprint."""

    heatmap: bool = False
    """True for SFT-Heatmap: a pointer heatmap head trained with KL(q‖p) against the pooled gaze heatmap."""
    epochs_heatmap: int = option(0, ge=0, le=MAX_EPOCHS)
    """Stage-1 epochs of heatmap KL alone (SFT-Heatmap only; the reference model's gaze stage)."""
    epochs: int = option(6, ge=1, le=MAX_EPOCHS)
    """Label-stage epochs: masked BCE + λ_LM·report LM loss (+ λ_heatmap·KL for SFT-Heatmap)."""
    lambda_heatmap: float = option(0.0, ge=0, le=MAX_WEIGHT)
    """Weight of the heatmap KL in the label stage (SFT-Heatmap only)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.heatmap and (self.epochs_heatmap or self.lambda_heatmap):
            raise ConfigError("epochs_heatmap and lambda_heatmap need heatmap=True (use the sft-heatmap model)")


def sft_config(backbone: str = "tiny", heatmap: bool = False, **overrides: Any) -> SFTConfig:
    """The shared stage budget for `backbone` (the reference model's too: its label stage → `epochs`; for
    SFT-Heatmap also its target stage → `epochs_heatmap` and its λ → `lambda_heatmap`), then `overrides`; an
    unknown option is a ConfigError."""
    budget = stage_budget(backbone)
    linked: dict[str, Any] = {"epochs": budget.label_epochs}
    if heatmap:
        linked |= {"epochs_heatmap": budget.target_epochs, "lambda_heatmap": budget.lambda_target}
    return SFTConfig.resolve(backbone, **(linked | overrides), heatmap=heatmap)
