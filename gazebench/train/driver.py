"""The training driver every trainable model uses: one accelerator, this rank's share of every global batch
in an epoch order fixed by (run seed, stage, epoch), the run fingerprint written to `workdir/config.json`,
and the stages run in order through the one loop (`run_stage`)."""
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
from gazebench.errors import ConfigError
from gazebench.records import Sample
from gazebench.runtime import autocast
from gazebench.train.checkpoint import save_json
from gazebench.train.labels import label_targets, macro_auroc
from gazebench.train.loop import LossFn, Stage, StageResult, StageRun, derive_seed, run_stage
from gazebench.train.precision import fit_precision

ProbsFn = Callable[[nn.Module, torch.Tensor], torch.Tensor]
"""(model, pixels on its device) → (B, 14) label probabilities, for validation."""


def make_accelerator(device: torch.device) -> Accelerator:
    """CPU or CUDA accelerator; under `accelerate launch` it is one process of a DDP group."""
    return Accelerator(cpu=device.type != "cuda",
                       kwargs_handlers=[DistributedDataParallelKwargs(find_unused_parameters=True)])


def rank_batches(order: np.ndarray, batch_size: int, world: int, rank: int, min_batch: int = 1) -> list[np.ndarray]:
    """This rank's index batches for one epoch. `order` (wrapped to a multiple of `world`, so every rank gets as
    many) is cut into global batches of `batch_size`, each split rank-strided, so the ranks' k-th batches
    together are exactly the k-th global batch of a one-process run. A global batch whose per-rank share would
    be smaller than `min_batch` is dropped (on every rank alike)."""
    padded = np.resize(order, -(-len(order) // world) * world)
    shares = [padded[k:k + batch_size][rank::world] for k in range(0, len(padded), batch_size)]
    return [s for s in shares if len(s) >= min_batch]


def epoch_batches(ctx: FitContext, train: tuple[Sample, ...], stage: str, batch_size: int, accelerator: Accelerator,
                  min_batch: int = 1) -> tuple[Callable[[int], Iterator[TrainBatch]], int]:
    """(epoch → this rank's batches, steps per epoch) for global batches of `batch_size` split over the ranks."""
    world, rank = accelerator.num_processes, accelerator.process_index
    if batch_size % world:
        raise ConfigError(f"training batch size {batch_size} does not split over {world} processes "
                          f"(use a multiple of {world})")
    per_rank = batch_size // world

    def plan(epoch: int) -> list[np.ndarray]:
        order = np.random.default_rng(derive_seed(ctx.seed, "order", stage, epoch)).permutation(len(train))
        return rank_batches(order, batch_size, world, rank, min_batch)

    def make(epoch: int) -> Iterator[TrainBatch]:
        shares = plan(epoch)  # every share but the last holds exactly per_rank samples
        flat = np.concatenate(shares) if shares else np.zeros(0, dtype=np.int64)
        return ctx.batches(tuple(train[i] for i in flat), per_rank, False)

    return make, len(plan(0))


ValidateFn = Callable[[nn.Module, torch.device], float]
"""(unwrapped model, its device) → the validate score an epoch is judged by."""


def auroc_validator(ctx: FitContext, batch_size: int, probs: ProbsFn) -> ValidateFn:
    """Macro AUROC of `probs` on `ctx.val` (the early-stopping score), in the fit's precision."""
    y_val = label_targets(ctx, ctx.val)
    precision = fit_precision(ctx)

    def validate(m: nn.Module, device: torch.device) -> float:
        out = []
        with torch.no_grad(), autocast(device, precision):
            for batch in ctx.batches(tuple(ctx.val), batch_size, False):
                out.append(probs(m, batch.pixels.to(device)).float().cpu().numpy())
        return macro_auroc(y_val, np.concatenate(out)) if out else float("nan")
    return validate


def fingerprint(config: Mapping[str, Any], seed: int, precision: str, train: Sequence[Sample]) -> str:
    """What a stage checkpoint must match to be resumed: config, run seed, precision and training samples."""
    text = f"{json.dumps(dict(config), sort_keys=True)}|{seed}|{precision}|{','.join(s.sample_id for s in train)}"
    return hashlib.sha256(text.encode()).hexdigest()


def fit_stages(model: nn.Module, ctx: FitContext, stages: Sequence[Stage],
               losses: Callable[[Stage, torch.device], LossFn],
               validate: ValidateFn | None, config: Mapping[str, Any],
               batch_size: int, note: str | None = None, *, min_batch: int = 1,
               after_step: Callable[[], None] | None = None) -> list[StageResult]:
    """Run `stages` in order on `ctx.train` with global batches of `batch_size`, each with the loss terms
    `losses(stage, device)` gives; stages marked `validated` are judged by `validate(model, device)` (None: no
    validation, the last epoch is kept). `model` ends holding the last stage's kept weights."""
    accelerator = make_accelerator(ctx.device)
    device = accelerator.device
    model.to(device)
    train = tuple(ctx.train)
    if note and accelerator.is_main_process:
        ctx.log(note)
    precision = fit_precision(ctx)
    fp = fingerprint(config, ctx.seed, precision, train)
    if accelerator.is_main_process:
        save_json({"config": dict(config), "seed": ctx.seed, "precision": precision, "fingerprint": fp},
                  ctx.workdir / "config.json")
    judge = None if validate is None else lambda m: validate(m, device)
    results = []
    for stage in stages:
        batches, steps = epoch_batches(ctx, train, stage.name, batch_size, accelerator, min_batch)
        run = StageRun(model, losses(stage, device), batches, steps, judge if stage.validated else None,
                       ctx.workdir, fp, ctx.seed, accelerator, precision, after_step, ctx.log)
        results.append(run_stage(stage, run))
    return results
