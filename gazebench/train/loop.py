"""One training stage, model-agnostic — the only training loop in gazebench: weighted loss terms from a
callback, AdamW (optionally with warm-up + cosine LR), gradient accumulation, autocast in the run's precision,
multi-process through accelerate, early stopping on a validate score (higher or lower is better), and a
safetensors + JSON checkpoint after every epoch so an interrupted stage resumes where it stopped."""
from __future__ import annotations

import contextlib
import hashlib
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from accelerate import Accelerator
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from torch import nn

from gazebench.runtime import autocast
from gazebench.train.checkpoint import (
    load_json,
    load_params,
    load_tensors,
    optimizer_tensors,
    restore_optimizer,
    save_json,
    save_tensors,
)
from gazebench.train.decision import decide, rank0_value
from gazebench.train.schedule import warmup_cosine
from gazebench.train.stage import Stage, StageResult

LossFn = Callable[[nn.Module, Any], dict[str, torch.Tensor]]
"""(model as prepared by accelerate, batch) → named loss terms; the stage's weights combine them."""


@dataclass(frozen=True, eq=False)
class StageRun:
    """Everything `run_stage` needs besides the stage: model, data, validation and where to checkpoint."""

    model: nn.Module
    losses: LossFn
    epoch_batches: Callable[[int], Iterable[Any]]
    """This rank's batches of an epoch (every rank yields `steps_per_epoch` of them)."""
    steps_per_epoch: int
    validate: Callable[[nn.Module], float] | None
    """Validate score of the (unwrapped) model; called on rank 0 only, its value broadcast."""
    workdir: Path
    fingerprint: str
    seed: int
    accelerator: Accelerator
    precision: str = "fp32"
    """"fp32" or "bf16" (autocast; trainable parameters stay fp32)."""
    after_step: Callable[[], None] | None = None
    """Called after every optimiser step (e.g. to clamp a parameter into its range)."""
    log: Callable[[str], None] = print


def run_stage(stage: Stage, run: StageRun) -> StageResult:
    """Train the parameters of `run.model` that require grad; resume from `workdir/stage.name` if its checkpoint
    has the same fingerprint; leave the model holding the best (or last) weights and buffers."""
    model, accelerator = run.model, run.accelerator
    folder = Path(run.workdir) / stage.name
    named = {n: p for n, p in model.named_parameters() if p.requires_grad}
    ids = {id(p): n for n, p in named.items()}
    kept = {**named, **dict(model.named_buffers())}  # buffers too (BatchNorm statistics) for best/last
    optimizer = torch.optim.AdamW(named.values(), lr=stage.lr, weight_decay=stage.weight_decay)
    progress = load_json(folder / "progress.json")
    if progress is None or progress.get("fingerprint") != run.fingerprint:
        progress = {"fingerprint": run.fingerprint, "epochs_done": 0, "best_epoch": -1, "best_score": None,
                    "bad_epochs": 0, "finished": False, "history": []}
    else:
        load_params(kept, load_tensors(folder / "last.safetensors"))
        restore_optimizer(optimizer, load_tensors(folder / "optimizer.safetensors"), ids)
        if accelerator.is_main_process:
            run.log(f"{stage.name}: resuming after epoch {progress['epochs_done']}")
    wrapped = accelerator.prepare_model(model) if accelerator.num_processes > 1 else model
    weights = {k: w for k, w in stage.weights if w}
    device = accelerator.device
    opt_steps = -(-run.steps_per_epoch // stage.grad_accum)
    lr_factor = warmup_cosine(stage.epochs * opt_steps, stage.warmup) if stage.warmup is not None else None
    with _progress(accelerator.is_main_process) as bar:
        while not progress["finished"] and progress["epochs_done"] < stage.epochs:
            epoch = progress["epochs_done"]
            torch.manual_seed(derive_seed(run.seed, stage.name, epoch))
            model.train()
            totals: dict[str, float] = {}
            task = bar.add_task(f"{stage.name} epoch {epoch + 1}/{stage.epochs}", total=run.steps_per_epoch)
            for step, batch in enumerate(run.epoch_batches(epoch)):
                last = step + 1 == run.steps_per_epoch
                sync = last or (step + 1) % stage.grad_accum == 0
                with (contextlib.nullcontext() if sync or wrapped is model else accelerator.no_sync(wrapped)):
                    with autocast(device, run.precision):
                        terms = run.losses(wrapped, batch)
                    total = torch.zeros((), device=device)
                    for k in weights.keys() | terms.keys():
                        # an unweighted term still joins the graph (×0), so DDP sees every forward output used
                        total = total + weights.get(k, 0.0) * terms[k]
                    (total / stage.grad_accum).backward()
                if sync:
                    _optimizer_step(optimizer, named, stage, lr_factor, epoch * opt_steps + step // stage.grad_accum)
                    if run.after_step is not None:
                        run.after_step()
                for k, v in terms.items():
                    totals[k] = totals.get(k, 0.0) + float(v.detach())
                bar.advance(task)
            bar.remove_task(task)
            record = _mean_over_ranks(totals, run.steps_per_epoch, accelerator)
            record["epoch"] = epoch + 1
            model.eval()
            score = None
            if run.validate is not None:
                score = rank0_value(run.validate(model) if accelerator.is_main_process else None, accelerator)
                record["val_score"] = score if score is not None else math.nan
            verdict = decide(score, progress["best_score"], progress["bad_epochs"], mode=stage.mode,
                             min_delta=stage.min_delta, patience=stage.patience)
            progress["history"].append(record)
            progress["epochs_done"] = epoch + 1
            progress["bad_epochs"] = verdict.bad_epochs
            if verdict.improved:
                progress.update(best_epoch=epoch + 1, best_score=score)
            progress["finished"] = verdict.stop or progress["epochs_done"] >= stage.epochs
            if accelerator.is_main_process:
                state = {n: t.detach() for n, t in kept.items()}
                if verdict.improved:
                    save_tensors(state, folder / "best.safetensors")
                save_tensors(state, folder / "last.safetensors")
                save_tensors(optimizer_tensors(optimizer, ids), folder / "optimizer.safetensors")
                save_json(progress, folder / "progress.json")
                shown = ", ".join(f"{k}={v:.4f}" for k, v in record.items() if k != "epoch")
                run.log(f"{stage.name} epoch {epoch + 1}: {shown}")
            accelerator.wait_for_everyone()
    if progress["best_epoch"] > 0 and (folder / "best.safetensors").is_file():
        load_params(kept, load_tensors(folder / "best.safetensors"))  # rank 0's file: every rank ends equal
    accelerator.wait_for_everyone()  # nobody removes the workdir while another rank still reads it
    model.eval()
    return StageResult(stage.name, progress["epochs_done"], progress["best_epoch"], progress["best_score"],
                       tuple(progress["history"]))


def _optimizer_step(optimizer: torch.optim.Optimizer, named: dict[str, nn.Parameter], stage: Stage,
                    lr_factor: Callable[[int], float] | None, step: int) -> None:
    """Clip (if asked), set the scheduled LR for optimiser step `step` (if any), step and clear gradients."""
    if stage.max_grad_norm is not None:
        torch.nn.utils.clip_grad_norm_(named.values(), stage.max_grad_norm)
    if lr_factor is not None:
        for group in optimizer.param_groups:
            group["lr"] = stage.lr * lr_factor(step)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)


def _mean_over_ranks(totals: dict[str, float], steps: int, accelerator: Accelerator) -> dict[str, float]:
    """Each loss term's mean per step over this epoch, averaged over the ranks (the history all ranks agree on)."""
    names = sorted(totals)
    means = torch.tensor([totals[k] / max(steps, 1) for k in names], dtype=torch.float64, device=accelerator.device)
    if accelerator.num_processes > 1 and names:
        means = accelerator.reduce(means, reduction="mean")
    return {k: float(v) for k, v in zip(names, means.tolist(), strict=True)}


def derive_seed(seed: int, *parts: object) -> int:
    """A stable 63-bit seed from `seed` and labels (not Python's salted hash())."""
    digest = hashlib.sha256(repr((seed, *parts)).encode()).digest()
    return int.from_bytes(digest[:8], "little") & (2**63 - 1)


@contextlib.contextmanager
def _progress(enabled: bool) -> Iterator[Progress]:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, transient=True, disable=not enabled) as bar:
        yield bar
