"""What a training stage is and how it ended: plain records, so a model can declare its stages (and a run its
identity) without importing torch or accelerate."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Stage:
    """What one stage optimises, for how long, and how its epochs are judged."""

    name: str
    epochs: int
    lr: float
    weights: tuple[tuple[str, float], ...]
    """(loss name, weight) pairs; a term weighted 0 (or not listed) adds no gradient, only zeros."""
    weight_decay: float = 0.0
    grad_accum: int = 1
    patience: int | None = None
    """Stop after this many epochs without a better validate score (None: run every epoch, keep the last)."""
    max_grad_norm: float | None = 1.0
    """Clip the gradient norm to this before each optimiser step (None: no clipping)."""
    validated: bool = False
    """Scored on validation after every epoch; `fit_stages` hands it the validate callable."""
    mode: str = "max"
    """"max": a higher validate score is better (AUROC); "min": lower is better (a loss)."""
    min_delta: float = 0.0
    """A score must beat the best by more than this to count as better."""
    warmup: float | None = None
    """Linear warm-up over this fraction of the stage's optimiser steps, then cosine decay (None: constant LR)."""


@dataclass(frozen=True)
class StageResult:
    """How a stage ended: epochs run, the epoch whose weights were kept, and the per-epoch history."""

    name: str
    epochs_run: int
    best_epoch: int
    best_score: float | None
    history: tuple[dict[str, float], ...]
