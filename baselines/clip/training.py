"""The contrastive fine-tuning loop both baselines share: AdamW, linear warm-up then cosine decay, and
the epoch with the best validation macro AUROC (zero-shot prompt scoring) kept, with early stopping."""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import torch

from gazebench.adapter import Adapter, FitContext, TrainBatch
from gazebench.train.labels import macro_auroc

if TYPE_CHECKING:
    from gazebench.baselines.clip.adapter import ClipAdapter


def warmup_cosine(total_steps: int, warmup: float) -> Callable[[int], float]:
    """LR multiplier: linear 0→1 over the first `warmup` fraction of steps, cosine 1→0 after."""
    warm = max(1, round(total_steps * warmup))

    def factor(step: int) -> float:
        if step < warm:
            return (step + 1) / warm
        progress = (step - warm) / max(1, total_steps - warm)
        return 0.5 * (1.0 + math.cos(math.pi * min(progress, 1.0)))

    return factor


def validation_auroc(adapter: Adapter, ctx: FitContext, batch_size: int) -> float:
    """Zero-shot macro AUROC of `adapter` on ctx.val over the task's labels (NaN without val data)."""
    if not ctx.val:
        return math.nan
    batches = ctx.batches(ctx.val, batch_size, False)
    probs = np.concatenate([adapter.predict(b.inputs(adapter.spec)).probs for b in batches])
    return macro_auroc(ctx.task.targets(ctx.val), probs[:, ctx.task.label_columns])


def fit_contrastive(adapter: ClipAdapter, ctx: FitContext,
                    loss_fn: Callable[[TrainBatch, np.random.Generator], torch.Tensor]) -> list[dict[str, float]]:
    """Train `adapter.model` with `loss_fn(batch, rng)` on ctx.train under `adapter.cfg`; restore the
    best-validation epoch's weights. Returns one {epoch, loss, val_auroc} row per epoch run. Batches of
    one image are skipped (a contrastive loss needs negatives)."""
    cfg, model = adapter.cfg, adapter.model
    epochs, batch_size = cfg.epochs, cfg.batch_size
    torch.manual_seed(ctx.seed)
    rng = np.random.default_rng(ctx.seed)
    model.to(ctx.device)
    params = [p for p in model.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    total = max(1, epochs * math.ceil(len(ctx.train) / batch_size))
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, warmup_cosine(total, cfg.warmup))
    best, best_state, stale, history = -math.inf, None, 0, []
    for epoch in range(epochs):
        model.train()
        losses = []
        for batch in ctx.batches(ctx.train, batch_size, True):
            if len(batch.samples) < 2:
                continue
            with torch.autocast("cuda", dtype=torch.bfloat16, enabled=ctx.device.type == "cuda"):
                loss = loss_fn(batch, rng)
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            schedule.step()
            model.clamp_scale_()
            losses.append(float(loss.detach()))
        adapter.forget_prompts()
        score = validation_auroc(adapter, ctx, batch_size)
        history.append({"epoch": epoch + 1, "loss": float(np.mean(losses)) if losses else math.nan, "val_auroc": score})
        ctx.log(f"{adapter.name} epoch {epoch + 1}/{epochs}: loss {history[-1]['loss']:.4f}, "
                f"val macro AUROC {score:.4f}")
        if math.isnan(score) or score > best:
            best = -math.inf if math.isnan(score) else score
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            stale = 0
        else:
            stale += 1
            if stale >= cfg.patience:
                break
    if best_state is not None:
        model.load_state_dict(best_state)
    adapter.forget_prompts()
    model.eval()
    return history
