"""`GazeModelConfig`: the reference model's member of the VLM config family (docs/reference_model.md): the
gaze tokens, their targets and the two stages (gaze, then labels), on top of the shared `VLMConfig`."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from gazebench.gaze.targets import TARGET_METHODS
from gazebench.options import MAX_COUNT, MAX_EPOCHS, MAX_WEIGHT, option
from gazebench.vlm.config import REAL_BUDGET, TINY_BUDGET, VLMConfig

TargetKind = Literal["original", "shuffled", "random"]


@dataclass(frozen=True)
class GazeModelConfig(VLMConfig):
    """+ the gaze tokens, their targets and the reference model's two stages (gaze, then labels)."""

    k: int = option(4, ge=0, le=MAX_COUNT)
    """Number of gaze tokens (and ordered gaze targets); 0 gives the plain VLM the SFT baselines use."""
    target: TargetKind = "original"
    """Gaze targets: temporal order ("original"), the same patches permuted ("shuffled"), random patches."""
    target_method: str = option("temporal-window", choices=TARGET_METHODS)
    """How fixations become ordered patch indices (gazebench.gaze.targets.TARGET_METHODS)."""
    epochs_stage1: int = option(TINY_BUDGET.target_epochs, ge=0, le=MAX_EPOCHS)
    """Stage-1 epochs (gaze CE alone)."""
    epochs_stage2: int = option(TINY_BUDGET.label_epochs, ge=1, le=MAX_EPOCHS)
    """Stage-2 epochs (labels + report + gaze), early-stopped on validate macro AUROC."""
    lambda_gaze: float = option(TINY_BUDGET.lambda_target, ge=0, le=MAX_WEIGHT)
    """Weight of the gaze CE in stage 2 (stage 1 is gaze CE alone)."""

    REAL_WEIGHTS: ClassVar[dict[str, Any]] = VLMConfig.REAL_WEIGHTS | {"epochs_stage1": REAL_BUDGET.target_epochs,
                                                                "epochs_stage2": REAL_BUDGET.label_epochs}


def default_config(backbone: str = "tiny", **overrides: Any) -> GazeModelConfig:
    """The reference model's defaults for a backbone (tiny trains on CPU in seconds), then `overrides`."""
    return GazeModelConfig.resolve(backbone, **overrides)

