"""Two-stage training of the gaze-token model on `FitContext` samples: stage 1 = gaze CE against the ordered
targets of the variant; stage 2 = masked multi-label BCE (+ λ_LM report LM loss + λ_gaze gaze CE), early-
stopped on validate macro AUROC. The loop itself is `gazebench.train.run_stage` (shared with baselines)."""
from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from accelerate import Accelerator, DistributedDataParallelKwargs
from torch import nn
from torch.nn import functional as F

from gazebench.adapter import FitContext, ImageBatch
from gazebench.labels import CHEXPERT_LABELS
from gazebench.records import Sample
from gazebench.reference_model.config import GazeModelConfig
from gazebench.reference_model.report import render_report
from gazebench.reference_model.targets import target_table
from gazebench.train import Stage, StageResult, derive_seed, run_stage
from gazebench.train.checkpoint import save_json


@dataclass(frozen=True, eq=False)
class Supervision:
    """Per-sample training signals, looked up by sample_id."""

    gaze: dict[str, np.ndarray]
    """(K,) ordered patch indices for samples that have a usable scanpath."""
    labels: dict[str, np.ndarray]
    """(14,) 0/1 targets with NaN where masked (uncertain, or not scored by the task)."""

    def reports(self, ids: Sequence[str]) -> list[str]:
        """Fixed-format reports of the ground truth (masked labels written as No)."""
        return [render_report(np.nan_to_num(self.labels[i], nan=0.0) > 0.5) for i in ids]


def label_targets(ctx: FitContext, samples: Sequence[Sample]) -> np.ndarray:
    """(N, 14) targets under the task's policies (uncertain masked by default), NaN for unscored columns."""
    out = np.full((len(samples), len(CHEXPERT_LABELS)), np.nan)
    if samples:
        out[:, ctx.task.label_columns] = ctx.task.targets(tuple(samples))
    return out


def build_supervision(cfg: GazeModelConfig, ctx: FitContext, samples: Sequence[Sample]) -> Supervision:
    table, mask = target_table(samples, cfg.target, cfg.grid, cfg.k, ctx.seed, cfg.target_method)
    labels = label_targets(ctx, samples)
    gaze = {s.sample_id: table[i] for i, s in enumerate(samples) if mask[i]}
    return Supervision(gaze, {s.sample_id: labels[i] for i, s in enumerate(samples)})


def gaze_loss(logits: torch.Tensor, targets: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean over gaze tokens and supervised samples of CE(logits_k, y_k); 0 (still in the graph) if none."""
    ce = F.cross_entropy(logits.flatten(0, 1).float(), targets.flatten(), reduction="none").view(targets.shape)
    weight = mask.float().unsqueeze(1).expand_as(ce)
    return (ce * weight).sum() / weight.sum().clamp_min(1.0)


def masked_bce(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """BCE-with-logits over the finite entries of `targets` (NaN = masked)."""
    keep = torch.isfinite(targets)
    loss = F.binary_cross_entropy_with_logits(logits.float(), torch.nan_to_num(targets), reduction="none")
    return (loss * keep).sum() / keep.sum().clamp_min(1)


class GazeObjective:
    """The loss terms of one batch: "gaze", "bce" and (when `with_reports`) "lm"."""

    def __init__(self, supervision: Supervision, k: int, device: torch.device, with_reports: bool) -> None:
        self.sup, self.k, self.device, self.with_reports = supervision, k, device, with_reports

    def __call__(self, model: nn.Module, batch: ImageBatch) -> dict[str, torch.Tensor]:
        ids = batch.ids
        out = model(batch.pixels.to(self.device), self.sup.reports(ids) if self.with_reports else None)
        zeros = np.zeros(self.k, dtype=np.int64)
        gaze_t = torch.as_tensor(np.stack([self.sup.gaze.get(i, zeros) for i in ids]), device=self.device)
        gaze_m = torch.tensor([i in self.sup.gaze for i in ids], device=self.device)
        labels = torch.as_tensor(np.stack([self.sup.labels[i] for i in ids]), dtype=torch.float32, device=self.device)
        terms = {"gaze": gaze_loss(out.gaze_logits, gaze_t, gaze_m), "bce": masked_bce(out.label_logits, labels)}
        if out.lm_loss is not None:
            terms["lm"] = out.lm_loss
        return terms


def macro_auroc(y: np.ndarray, p: np.ndarray) -> float:
    """Mean AUROC over columns with both classes among the unmasked rows (NaN if none)."""
    from sklearn.metrics import roc_auc_score

    scores = []
    for j in range(y.shape[1]):
        keep = np.isfinite(y[:, j])
        if keep.any() and len(np.unique(y[keep, j])) == 2:
            scores.append(roc_auc_score(y[keep, j], p[keep, j]))
    return float(np.mean(scores)) if scores else float("nan")


def make_accelerator(device: torch.device) -> Accelerator:
    """CPU or CUDA accelerator; under `accelerate launch` it is one process of a DDP group."""
    return Accelerator(cpu=device.type != "cuda",
                       kwargs_handlers=[DistributedDataParallelKwargs(find_unused_parameters=True)])


def train_gaze_model(model: nn.Module, cfg: GazeModelConfig, ctx: FitContext) -> list[StageResult]:
    """Run stage 1 then stage 2 on `ctx`; `model` ends holding the early-stopped stage-2 weights."""
    accelerator = make_accelerator(ctx.device)
    device = accelerator.device
    model.to(device)
    train = tuple(ctx.train)
    sup = build_supervision(cfg, ctx, train)
    if accelerator.is_main_process:
        ctx.log(f"reference model: {len(sup.gaze)}/{len(train)} train images have {cfg.target} gaze targets")
    rank, world = accelerator.process_index, accelerator.num_processes
    per_rank = -(-len(train) // world)
    steps = -(-per_rank // cfg.batch_size)

    def epoch_batches(stage: str) -> Callable[[int], Iterator[ImageBatch]]:
        def make(epoch: int) -> Iterator[ImageBatch]:
            order = np.random.default_rng(derive_seed(ctx.seed, "order", stage, epoch)).permutation(len(train))
            order = np.resize(order, per_rank * world)[rank::world]  # wrap so every rank has as many batches
            return ctx.batches(tuple(train[i] for i in order), cfg.batch_size, False)
        return make

    y_val = label_targets(ctx, ctx.val)

    def validate(m: nn.Module) -> float:
        probs = []
        autocast = (torch.autocast("cuda", dtype=torch.bfloat16) if device.type == "cuda"
                    else contextlib.nullcontext())
        with torch.no_grad(), autocast:
            for batch in ctx.batches(tuple(ctx.val), cfg.batch_size, False):
                probs.append(torch.sigmoid(m(batch.pixels.to(device)).label_logits.float()).cpu().numpy())
        return macro_auroc(y_val, np.concatenate(probs)) if probs else float("nan")

    fp = hashlib.sha256(f"{cfg.to_json()}|{ctx.seed}|{','.join(s.sample_id for s in train)}".encode()).hexdigest()
    if accelerator.is_main_process:
        save_json({"config": cfg.to_dict(), "seed": ctx.seed, "fingerprint": fp}, ctx.workdir / "config.json")
    stages = [
        (Stage("stage1-gaze", cfg.epochs_stage1, cfg.lr, (("gaze", 1.0),), cfg.weight_decay, cfg.grad_accum), False),
        (Stage("stage2-labels", cfg.epochs_stage2, cfg.lr, (("bce", 1.0), ("lm", cfg.lambda_lm),
               ("gaze", cfg.lambda_gaze)), cfg.weight_decay, cfg.grad_accum, cfg.patience), True),
    ]
    results = []
    for stage, is_final in stages:
        objective = GazeObjective(sup, cfg.k, device, with_reports=cfg.lambda_lm > 0 and is_final)
        results.append(run_stage(stage, model, objective, epoch_batches(stage.name), steps,
                                 validate if is_final and ctx.val else None, ctx.workdir, fp, ctx.seed,
                                 accelerator, ctx.log))
    return results
