"""Label supervision shared by every multi-label trainer: the task's targets with masked entries as NaN, the
masked BCE that ignores them, and the macro AUROC that early stopping watches."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch.nn import functional as F

from gazebench.adapter import FitContext
from gazebench.labels import CHEXPERT_LABELS
from gazebench.metrics import auroc
from gazebench.records import Sample


def label_targets(ctx: FitContext, samples: Sequence[Sample]) -> np.ndarray:
    """(N, 14) targets under the task's policies (uncertain masked by default), NaN for unscored columns."""
    out = np.full((len(samples), len(CHEXPERT_LABELS)), np.nan)
    if samples:
        out[:, ctx.task.label_columns] = ctx.task.targets(tuple(samples))
    return out


def masked_bce(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """BCE-with-logits over the finite entries of `targets` (NaN = masked)."""
    keep = torch.isfinite(targets)
    loss = F.binary_cross_entropy_with_logits(logits.float(), torch.nan_to_num(targets), reduction="none")
    return (loss * keep).sum() / keep.sum().clamp_min(1)


def macro_auroc(y: np.ndarray, p: np.ndarray) -> float:
    """Mean AUROC over columns with both classes among the unmasked rows (NaN if none): the
    early-stopping score, computed exactly as the evaluation computes it."""
    per_label = auroc(y, p)
    used = ~np.isnan(per_label)
    return float(per_label[used].mean()) if used.any() else float("nan")
