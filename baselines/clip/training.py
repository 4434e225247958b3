"""How both CLIP-style baselines plug into the shared training loop: one contrastive stage (AdamW, linear
warm-up then cosine decay, no gradient clipping), the logit scale clamped after every step, and the epoch with
the best validation macro AUROC (zero-shot prompt scoring) kept, with early stopping."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import nn

from gazebench.adapter import FitContext, TrainBatch
from gazebench.train import Stage, StageResult, autocast, derive_seed, fit_precision, fit_stages, macro_auroc
from gazebench.train.loop import LossFn

if TYPE_CHECKING:
    from gazebench.baselines.clip.adapter import ClipAdapter


def validation_auroc(adapter: ClipAdapter, ctx: FitContext, batch_size: int) -> float:
    """Zero-shot macro AUROC of `adapter` on ctx.val over the task's labels (NaN without val data)."""
    if not ctx.val:
        return math.nan
    adapter.forget_prompts()
    with autocast(adapter.device, fit_precision(ctx)):
        batches = ctx.batches(ctx.val, batch_size, False)
        probs = np.concatenate([adapter.classify(b.inputs(adapter.spec)).probs for b in batches])
    adapter.forget_prompts()
    return macro_auroc(ctx.task.targets(ctx.val), probs[:, ctx.task.label_columns])


def fit_contrastive(adapter: ClipAdapter, ctx: FitContext) -> StageResult:
    """Train `adapter.model` with `adapter.training_loss` on ctx.train under `adapter.cfg` and keep the
    best-validation epoch's weights. A batch's sentences are drawn with a seed fixed by (run seed, its sample
    ids), so a resumed fit repeats an uninterrupted one. Batches of one image per process are dropped (a
    contrastive loss needs negatives)."""
    cfg = adapter.cfg
    stage = Stage(adapter.name, cfg.epochs, cfg.lr, (("contrastive", 1.0),), cfg.weight_decay,
                  patience=cfg.patience, max_grad_norm=None, validated=True, warmup=cfg.warmup)

    def losses(_: Stage, device: torch.device) -> LossFn:
        def loss(encoder: nn.Module, batch: TrainBatch) -> dict[str, torch.Tensor]:
            rng = np.random.default_rng(derive_seed(ctx.seed, "sentences", batch.ids))
            return {"contrastive": adapter.training_loss(encoder, batch, rng)}
        return loss

    validate = (lambda _m, _d: validation_auroc(adapter, ctx, cfg.batch_size)) if ctx.val else None
    (result,) = fit_stages(adapter.model, ctx, [stage], losses, validate, adapter.config(), cfg.batch_size,
                           min_batch=2, after_step=adapter.model.clamp_scale_)
    adapter.forget_prompts()
    return result
