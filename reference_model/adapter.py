"""The gaze-token reference model as benchmark adapters: one class parametrised by target kind, registered
as `original-gaze`, `shuffled-gaze` and `random-gaze` (the variants differ only in their gaze targets)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from gazebench.adapter import Provenance, register_model
from gazebench.errors import ConfigError
from gazebench.options import dataclass_options, with_options
from gazebench.records import Sample
from gazebench.reference_model.config import GazeModelConfig, default_config
from gazebench.train.stage import Stage
from gazebench.vlm.adapter import VLMAdapter

if TYPE_CHECKING:  # the loss (torch) is imported when the fit asks for it: naming the model needs no torch
    from gazebench.vlm.objective import TargetTerm

GAZE_OPTIONS = dataclass_options(GazeModelConfig).without("target")
"""The `--model-arg` options of the three variants (each fixes its own gaze target)."""


class GazeTokenAdapter(VLMAdapter[GazeModelConfig]):
    """Qwen2.5-VL + LoRA + K gaze tokens, trained in two stages on one kind of gaze target: stage 1 = gaze CE
    alone; stage 2 = masked BCE + λ_LM report LM loss + λ_gaze gaze CE, early-stopped on validate AUROC."""

    provenance = Provenance(
        source="gazebench re-implementation of 'Thinking with Gaze' (no public code; see docs/reference_model.md)",
        license="Apache-2.0",
        citation="Li et al., Thinking with Gaze: Sequential Eye-Tracking as Visual Reasoning Supervision for "
                 "Medical VLMs, arXiv:2603.06697 (2026)",
    )
    config_key = "__gaze_model_config__"

    def __init__(self, target: str = "original", backbone: str = "tiny", **overrides: Any) -> None:
        cfg = default_config(backbone, target=target, **overrides)
        if cfg.k < 1:
            raise ConfigError("the gaze-token model needs k >= 1 gaze tokens")
        super().__init__(cfg, gaze_tokens=cfg.k, pointer=True)

    def stages(self) -> list[Stage]:
        c = self.cfg
        return [self.stage("stage1-gaze", c.epochs_stage1, (("gaze", 1.0),)),
                self.stage("stage2-labels", c.epochs_stage2,
                           (("bce", 1.0), ("lm", c.lambda_lm), ("gaze", c.lambda_gaze)), validated=True)]

    def target_terms(self, samples: Sequence[Sample], seed: int) -> tuple[TargetTerm, ...]:
        from gazebench.reference_model.gaze_loss import gaze_term

        return (gaze_term(self.cfg, samples, seed),)


@register_model("original-gaze")
@with_options(GAZE_OPTIONS)
def original_gaze(**kwargs: Any) -> GazeTokenAdapter:
    """Gaze tokens supervised with the radiologist's fixations in temporal order."""
    return GazeTokenAdapter("original", **kwargs)


@register_model("shuffled-gaze")
@with_options(GAZE_OPTIONS)
def shuffled_gaze(**kwargs: Any) -> GazeTokenAdapter:
    """Control: the same patches in a permuted (never identity) order."""
    return GazeTokenAdapter("shuffled", **kwargs)


@register_model("random-gaze")
@with_options(GAZE_OPTIONS)
def random_gaze(**kwargs: Any) -> GazeTokenAdapter:
    """Control: uniformly random patches."""
    return GazeTokenAdapter("random", **kwargs)
