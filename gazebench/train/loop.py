"""One training stage, model-agnostic: weighted loss terms from a callback, AdamW, gradient accumulation,
bf16 autocast as the run's precision asks, multi-process through accelerate, early stopping on a validate score, and a
safetensors + JSON checkpoint after every epoch so an interrupted stage resumes where it stopped."""
from __future__ import annotations

import contextlib
import hashlib
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import torch
from accelerate import Accelerator
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from torch import nn

from gazebench.engine.device import autocast
from gazebench.train.checkpoint import (
    load_json,
    load_params,
    load_tensors,
    optimizer_tensors,
    restore_optimizer,
    save_json,
    save_tensors,
)

LossFn = Callable[[nn.Module, Any], dict[str, torch.Tensor]]
"""(model as prepared by accelerate, batch) → named loss terms; the stage's weights combine them."""


@dataclass(frozen=True)
class Stage:
    """What one stage optimises and for how long."""

    name: str
    epochs: int
    lr: float
    weights: tuple[tuple[str, float], ...]
    """(loss name, weight) pairs; terms with weight 0 are not asked for backward."""
    weight_decay: float = 0.0
    grad_accum: int = 1
    patience: int | None = None
    """Stop after this many epochs without a better validate score (None: run every epoch, keep the last)."""
    max_grad_norm: float = 1.0
    validated: bool = False
    """Scored on validation after every epoch (the label stage); `fit_stages` hands it the validate callable."""


@dataclass(frozen=True)
class StageResult:
    name: str
    epochs_run: int
    best_epoch: int
    best_score: float | None
    history: tuple[dict[str, float], ...]


def run_stage(
    stage: Stage,
    model: nn.Module,
    losses: LossFn,
    epoch_batches: Callable[[int], Iterable[Any]],
    steps_per_epoch: int,
    validate: Callable[[nn.Module], float] | None,
    workdir: Path,
    fingerprint: str,
    seed: int,
    accelerator: Accelerator,
    log: Callable[[str], None] = print,
    precision: str = "fp32",
) -> StageResult:
    """Train the parameters of `model` that require grad, under bf16 autocast when `precision` is "bf16"
    (the trainable weights and optimizer state stay fp32); resume from `workdir/stage.name` if its
    checkpoint has the same `fingerprint`; leave `model` holding the best (or last) weights."""
    folder = Path(workdir) / stage.name
    named = {n: p for n, p in model.named_parameters() if p.requires_grad}
    ids = {id(p): n for n, p in named.items()}
    optimizer = torch.optim.AdamW(named.values(), lr=stage.lr, weight_decay=stage.weight_decay)
    progress = load_json(folder / "progress.json")
    if progress is None or progress.get("fingerprint") != fingerprint:
        progress = {"fingerprint": fingerprint, "epochs_done": 0, "best_epoch": -1, "best_score": None,
                    "bad_epochs": 0, "finished": False, "history": []}
    else:
        load_params(named, load_tensors(folder / "last.safetensors"))
        restore_optimizer(optimizer, load_tensors(folder / "optimizer.safetensors"), ids)
        if accelerator.is_main_process:
            log(f"{stage.name}: resuming after epoch {progress['epochs_done']}")
    wrapped = accelerator.prepare_model(model) if accelerator.num_processes > 1 else model
    weights = {k: w for k, w in stage.weights if w}
    device = accelerator.device
    cast = autocast(device, precision)
    with _progress(accelerator.is_main_process) as bar:
        while not progress["finished"] and progress["epochs_done"] < stage.epochs:
            epoch = progress["epochs_done"]
            torch.manual_seed(derive_seed(seed, stage.name, epoch))
            model.train()
            totals: dict[str, float] = {}
            task = bar.add_task(f"{stage.name} epoch {epoch + 1}/{stage.epochs}", total=steps_per_epoch)
            for step, batch in enumerate(epoch_batches(epoch)):
                last = step + 1 == steps_per_epoch
                sync = last or (step + 1) % stage.grad_accum == 0
                with (contextlib.nullcontext() if sync or wrapped is model else accelerator.no_sync(wrapped)):
                    with cast:
                        terms = losses(wrapped, batch)
                    total = cast(torch.Tensor, sum(w * terms[k] for k, w in weights.items()))
                    (total / stage.grad_accum).backward()
                if sync:
                    torch.nn.utils.clip_grad_norm_(named.values(), stage.max_grad_norm)
                    optimizer.step()
                    optimizer.zero_grad(set_to_none=True)
                for k, v in terms.items():
                    totals[k] = totals.get(k, 0.0) + float(v.detach())
                bar.advance(task)
            bar.remove_task(task)
            record = {k: v / max(steps_per_epoch, 1) for k, v in totals.items()}
            record["epoch"] = epoch + 1
            model.eval()
            score = validate(model) if validate is not None else None
            improved = validate is None or (score is not None and not math.isnan(score) and (
                progress["best_score"] is None or score > progress["best_score"]))
            if score is not None:
                record["val_score"] = score
            progress["history"].append(record)
            progress["epochs_done"] = epoch + 1
            if improved:
                progress.update(best_epoch=epoch + 1, best_score=score, bad_epochs=0)
            else:
                progress["bad_epochs"] += 1
            stop = stage.patience is not None and progress["bad_epochs"] >= stage.patience
            progress["finished"] = stop or progress["epochs_done"] >= stage.epochs
            if accelerator.is_main_process:
                state = {n: p.detach() for n, p in named.items()}
                if improved:
                    save_tensors(state, folder / "best.safetensors")
                save_tensors(state, folder / "last.safetensors")
                save_tensors(optimizer_tensors(optimizer, ids), folder / "optimizer.safetensors")
                save_json(progress, folder / "progress.json")
            accelerator.wait_for_everyone()
            if accelerator.is_main_process:
                shown = ", ".join(f"{k}={v:.4f}" for k, v in record.items() if k != "epoch")
                log(f"{stage.name} epoch {epoch + 1}: {shown}")
    if progress["best_epoch"] > 0 and (folder / "best.safetensors").is_file():
        load_params(named, load_tensors(folder / "best.safetensors"))
    model.eval()
    return StageResult(stage.name, progress["epochs_done"], progress["best_epoch"], progress["best_score"],
                       tuple(progress["history"]))


def derive_seed(seed: int, *parts: object) -> int:
    """A stable 63-bit seed from `seed` and labels (not Python's salted hash())."""
    digest = hashlib.sha256(repr((seed, *parts)).encode()).digest()
    return int.from_bytes(digest[:8], "little") & (2**63 - 1)


@contextlib.contextmanager
def _progress(enabled: bool) -> Any:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, transient=True, disable=not enabled) as bar:
        yield bar
