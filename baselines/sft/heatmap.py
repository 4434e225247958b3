"""Static gaze supervision for SFT-Heatmap: the radiologist's duration-weighted heatmap pooled on the model's
token grid (the same reading the reference model's ordered targets come from), the KL(q‖p) loss, and the
"heatmap" target term that puts them on the pointer head."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch.nn import functional as F

from gazebench.records import Sample
from gazebench.vlm.objective import TargetTerm, pick_record


def heatmap_target(sample: Sample, grid: tuple[int, int]) -> np.ndarray | None:
    """(rows·cols,) distribution summing to 1 from the sample's first usable scanpath (REFLACX preferred),
    or None if it has none — exactly the samples the reference model leaves unsupervised."""
    from gazebench.gaze.heatmap import gaze_heatmap
    from gazebench.gaze.scanpath import EmptyScanpath

    record = pick_record(sample)
    if record is None:
        return None
    try:
        return gaze_heatmap(record.fixations, record.image_size, grid).reshape(-1)
    except EmptyScanpath:
        return None


def heatmap_targets(samples: Sequence[Sample], grid: tuple[int, int]) -> dict[str, np.ndarray]:
    """sample_id → target distribution, for the samples that have one."""
    out = {}
    for sample in samples:
        target = heatmap_target(sample, grid)
        if target is not None:
            out[sample.sample_id] = target
    return out


def heatmap_kl(logits: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean over masked-in rows of KL(q‖softmax(logits)) = Σ_j q_j (log q_j − log p_j), with 0·log 0 = 0.

    logits, target: (B, N); mask: (B,) bool. Returns 0 (still in the graph) when no row is masked in.
    """
    logp = F.log_softmax(logits.float(), dim=-1)
    q = target.float()
    kl = (torch.special.xlogy(q, q) - q * logp).sum(-1)
    weight = mask.float()
    return (kl * weight).sum() / weight.sum().clamp_min(1.0)


def pointer_kl(logits: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """`heatmap_kl` on the single-query pointer logits (B, 1, N) of a model without gaze tokens."""
    return heatmap_kl(logits[:, 0], target, mask)


def heatmap_term(samples: Sequence[Sample], grid: tuple[int, int]) -> TargetTerm:
    """The "heatmap" loss term: KL of the pointer head against each sample's gaze heatmap (masked without)."""
    return TargetTerm("heatmap", heatmap_targets(samples, grid), np.zeros(grid[0] * grid[1]), pointer_kl,
                      "a gaze heatmap")
