"""Training of SFT / SFT-Heatmap on `FitContext` samples with the shared `gazebench.train.run_stage` loop and
the reference trainer's label targets, masked BCE and validation metric. SFT: one label stage (BCE + λ_LM·LM).
SFT-Heatmap: a heatmap-KL stage first (where the reference model trains its gaze tokens), then the label
stage + λ_heatmap·KL, so it differs from the reference model only in static vs ordered gaze supervision."""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from accelerate import Accelerator
from gazebench.baselines.sft.config import SFTConfig
from gazebench.baselines.sft.heatmap import heatmap_kl, heatmap_targets
from gazebench.reference_model.report import render_report
from gazebench.reference_model.trainer import label_targets, macro_auroc, make_accelerator, masked_bce
from torch import nn

from gazebench.adapter import FitContext, ImageBatch
from gazebench.records import Sample
from gazebench.train import Stage, StageResult, derive_seed, run_stage
from gazebench.train.checkpoint import save_json


@dataclass(frozen=True, eq=False)
class SFTSupervision:
    """Per-sample training signals, looked up by sample_id."""

    labels: dict[str, np.ndarray]
    """(14,) 0/1 targets, NaN where masked (uncertain, or not scored by the task)."""
    heatmaps: dict[str, np.ndarray]
    """(rows·cols,) gaze distributions for samples with a usable scanpath (SFT-Heatmap only)."""
    n_cells: int

    def reports(self, ids: Sequence[str]) -> list[str]:
        """Fixed-format ground-truth reports (masked labels written as No), as the reference model trains on."""
        return [render_report(np.nan_to_num(self.labels[i], nan=0.0) > 0.5) for i in ids]


def build_supervision(cfg: SFTConfig, ctx: FitContext, samples: Sequence[Sample]) -> SFTSupervision:
    labels = label_targets(ctx, samples)
    heat = heatmap_targets(samples, cfg.grid) if cfg.heatmap else {}
    rows, cols = cfg.grid
    return SFTSupervision({s.sample_id: labels[i] for i, s in enumerate(samples)}, heat, rows * cols)


class SFTObjective:
    """The loss terms of one batch: "bce", "lm" (when `with_reports`) and "heatmap" (SFT-Heatmap)."""

    def __init__(self, sup: SFTSupervision, device: torch.device, with_reports: bool) -> None:
        self.sup, self.device, self.with_reports = sup, device, with_reports

    def __call__(self, model: nn.Module, batch: ImageBatch) -> dict[str, torch.Tensor]:
        ids = batch.ids
        out = model(batch.pixels.to(self.device), self.sup.reports(ids) if self.with_reports else None)
        labels = torch.as_tensor(np.stack([self.sup.labels[i] for i in ids]), dtype=torch.float32, device=self.device)
        terms = {"bce": masked_bce(out.label_logits, labels)}
        if out.lm_loss is not None:
            terms["lm"] = out.lm_loss
        if out.heatmap_logits is not None:
            empty = np.zeros(self.sup.n_cells)
            target = torch.as_tensor(np.stack([self.sup.heatmaps.get(i, empty) for i in ids]), dtype=torch.float32,
                                     device=self.device)
            mask = torch.tensor([i in self.sup.heatmaps for i in ids], device=self.device)
            terms["heatmap"] = heatmap_kl(out.heatmap_logits, target, mask)
        return terms


def stages(cfg: SFTConfig) -> list[tuple[Stage, bool]]:
    """(stage, is_label_stage) in order: the optional heatmap stage, then the early-stopped label stage."""
    out = []
    if cfg.heatmap and cfg.epochs_heatmap > 0:
        out.append((Stage("stage1-heatmap", cfg.epochs_heatmap, cfg.lr, (("heatmap", 1.0),), cfg.weight_decay,
                          cfg.grad_accum), False))
    out.append((Stage("stage2-labels", cfg.epochs, cfg.lr, (("bce", 1.0), ("lm", cfg.lambda_lm),
                      ("heatmap", cfg.lambda_heatmap)), cfg.weight_decay, cfg.grad_accum, cfg.patience), True))
    return out


def epoch_batches(ctx: FitContext, train: tuple[Sample, ...], stage: str, batch_size: int,
                  accelerator: Accelerator) -> Callable[[int], Iterator[ImageBatch]]:
    """Per-epoch batches of this rank's share, in an order fixed by (run seed, stage, epoch)."""
    rank, world = accelerator.process_index, accelerator.num_processes
    per_rank = -(-len(train) // world)

    def make(epoch: int) -> Iterator[ImageBatch]:
        order = np.random.default_rng(derive_seed(ctx.seed, "order", stage, epoch)).permutation(len(train))
        order = np.resize(order, per_rank * world)[rank::world]  # wrap so every rank has as many batches
        return ctx.batches(tuple(train[i] for i in order), batch_size, False)
    return make


def validator(ctx: FitContext, batch_size: int, device: torch.device) -> Callable[[nn.Module], float]:
    """Macro AUROC of the label head on `ctx.val` (the early-stopping score)."""
    y_val = label_targets(ctx, ctx.val)

    def validate(m: nn.Module) -> float:
        probs = []
        with torch.no_grad():
            for batch in ctx.batches(tuple(ctx.val), batch_size, False):
                probs.append(torch.sigmoid(m(batch.pixels.to(device)).label_logits.float()).cpu().numpy())
        return macro_auroc(y_val, np.concatenate(probs)) if probs else float("nan")
    return validate


def train_sft(model: nn.Module, cfg: SFTConfig, ctx: FitContext) -> list[StageResult]:
    """Run the stages of `cfg` on `ctx`; `model` ends holding the early-stopped label-stage weights."""
    accelerator = make_accelerator(ctx.device)
    device = accelerator.device
    model.to(device)
    train = tuple(ctx.train)
    sup = build_supervision(cfg, ctx, train)
    if cfg.heatmap:
        ctx.log(f"sft-heatmap: {len(sup.heatmaps)}/{len(train)} train images have a gaze heatmap")
    per_rank = -(-len(train) // accelerator.num_processes)
    steps = -(-per_rank // cfg.batch_size)
    fp = hashlib.sha256(f"{cfg.to_json()}|{ctx.seed}|{','.join(s.sample_id for s in train)}".encode()).hexdigest()
    if accelerator.is_main_process:
        save_json({"config": cfg.to_dict(), "seed": ctx.seed, "fingerprint": fp}, ctx.workdir / "config.json")
    validate = validator(ctx, cfg.batch_size, device) if ctx.val else None
    results = []
    for stage, is_label in stages(cfg):
        objective = SFTObjective(sup, device, with_reports=cfg.lambda_lm > 0 and is_label)
        results.append(run_stage(stage, model, objective, epoch_batches(ctx, train, stage.name, cfg.batch_size,
                                                                        accelerator),
                                 steps, validate if is_label else None, ctx.workdir, fp, ctx.seed, accelerator,
                                 ctx.log))
    return results
