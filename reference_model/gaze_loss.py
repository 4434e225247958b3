"""The reference model's gaze supervision: cross-entropy of each gaze token's pointer logits against the
variant's ordered patch targets, masked for images without a usable scanpath."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch.nn import functional as F

from gazebench.records import Sample
from gazebench.reference_model.config import GazeModelConfig
from gazebench.reference_model.targets import target_table
from gazebench.vlm.objective import TargetTerm


def gaze_loss(logits: torch.Tensor, targets: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean over gaze tokens and supervised samples of CE(logits_k, y_k); 0 (still in the graph) if none.

    logits: (B, K, N); targets: (B, K) patch indices; mask: (B,) bool."""
    ce = F.cross_entropy(logits.flatten(0, 1).float(), targets.flatten(), reduction="none").view(targets.shape)
    weight = mask.float().unsqueeze(1).expand_as(ce)
    return (ce * weight).sum() / weight.sum().clamp_min(1.0)


def gaze_term(cfg: GazeModelConfig, samples: Sequence[Sample], seed: int) -> TargetTerm:
    """The "gaze" loss term on `samples`: their `cfg.k` ordered targets of kind `cfg.target` (run `seed`)."""
    table, mask = target_table(samples, cfg.target, cfg.grid, cfg.k, seed, cfg.target_method)
    targets = {s.sample_id: table[i] for i, s in enumerate(samples) if mask[i]}
    return TargetTerm("gaze", targets, np.zeros(cfg.k, dtype=np.int64), gaze_loss, f"{cfg.target} gaze targets")
