"""The training driver shared by the staged models (reference model, SFT, SFT-Heatmap): one accelerator, this
rank's share of every epoch in an order fixed by (run seed, stage, epoch), the run fingerprint written to
`workdir/config.json`, validation macro AUROC for the early-stopped stages, and the stages run in order."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import torch
from accelerate import Accelerator, DistributedDataParallelKwargs
from torch import nn

from gazebench.adapter import FitContext, TrainBatch
from gazebench.engine.device import autocast
from gazebench.records import Sample
from gazebench.train.checkpoint import save_json
from gazebench.train.labels import label_targets, macro_auroc
from gazebench.train.loop import LossFn, Stage, StageResult, derive_seed, run_stage

ProbsFn = Callable[[nn.Module, torch.Tensor], torch.Tensor]
"""(model, pixels on its device) → (B, 14) label probabilities, for validation."""


def make_accelerator(device: torch.device) -> Accelerator:
    """CPU or CUDA accelerator; under `accelerate launch` it is one process of a DDP group."""
    return Accelerator(cpu=device.type != "cuda",
                       kwargs_handlers=[DistributedDataParallelKwargs(find_unused_parameters=True)])


def epoch_batches(ctx: FitContext, train: tuple[Sample, ...], stage: str, batch_size: int,
                  accelerator: Accelerator) -> Callable[[int], Iterator[TrainBatch]]:
    """Per-epoch batches of this rank's share, in an order fixed by (run seed, stage, epoch)."""
    rank, world = accelerator.process_index, accelerator.num_processes
    per_rank = -(-len(train) // world)

    def make(epoch: int) -> Iterator[TrainBatch]:
        order = np.random.default_rng(derive_seed(ctx.seed, "order", stage, epoch)).permutation(len(train))
        order = np.resize(order, per_rank * world)[rank::world]  # wrap so every rank has as many batches
        return ctx.batches(tuple(train[i] for i in order), batch_size, False)
    return make


def auroc_validator(ctx: FitContext, batch_size: int, device: torch.device,
                    probs: ProbsFn) -> Callable[[nn.Module], float]:
    """Macro AUROC of `probs` on `ctx.val` (the early-stopping score; under the fit's precision)."""
    y_val = label_targets(ctx, ctx.val)

    def validate(m: nn.Module) -> float:
        out = []
        with torch.no_grad(), autocast(device, ctx.precision):
            for batch in ctx.batches(tuple(ctx.val), batch_size, False):
                out.append(probs(m, batch.pixels.to(device)).float().cpu().numpy())
        return macro_auroc(y_val, np.concatenate(out)) if out else float("nan")
    return validate


def fingerprint(config: Mapping[str, Any], seed: int, train: Sequence[Sample]) -> str:
    """What a stage checkpoint must match to be resumed: the config, the run seed and the training samples."""
    text = f"{json.dumps(dict(config), sort_keys=True)}|{seed}|{','.join(s.sample_id for s in train)}"
    return hashlib.sha256(text.encode()).hexdigest()


def fit_stages(model: nn.Module, ctx: FitContext, stages: Sequence[Stage],
               losses: Callable[[Stage, torch.device], LossFn], probs: ProbsFn, config: Mapping[str, Any],
               batch_size: int, note: str | None = None) -> list[StageResult]:
    """Run `stages` in order on `ctx.train`, each with the loss terms `losses(stage, device)` gives; stages
    marked `validated` early-stop on validation macro AUROC. `model` ends holding the last stage's weights."""
    accelerator = make_accelerator(ctx.device)
    device = accelerator.device
    model.to(device)
    train = tuple(ctx.train)
    if note and accelerator.is_main_process:
        ctx.log(note)
    per_rank = -(-len(train) // accelerator.num_processes)
    steps = -(-per_rank // batch_size)
    fp = fingerprint(config, ctx.seed, train)
    if accelerator.is_main_process:
        save_json({"config": dict(config), "seed": ctx.seed, "fingerprint": fp}, ctx.workdir / "config.json")
    validate = auroc_validator(ctx, batch_size, device, probs) if ctx.val else None
    return [run_stage(stage, model, losses(stage, device), epoch_batches(ctx, train, stage.name, batch_size,
                                                                        accelerator),
                      steps, validate if stage.validated else None, ctx.workdir, fp, ctx.seed, accelerator, ctx.log,
                      ctx.precision)
            for stage in stages]
