"""What supervises a LoRA-tuned Qwen VLM in training: the task's labels (masked BCE), the ground-truth fixed
report (LM loss) and the per-sample target terms a model adds on its pointer head (the reference model's
ordered gaze CE, SFT-Heatmap's heatmap KL). One objective serves every such model; they differ only in
their target terms and in how their stages weight the terms."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from gazebench.adapter import TrainBatch
from gazebench.records import GazeRecord, Sample
from gazebench.train import masked_bce
from gazebench.vlm.report import render_report


def pick_record(sample: Sample) -> GazeRecord | None:
    """The reading that supervises a sample's gaze terms: the first GazeRecord with fixations, REFLACX before
    EyeGaze; None if there is none (every gaze-supervised model uses the same reading)."""
    usable = [g for g in sample.gaze if len(g.fixations) > 0]
    usable.sort(key=lambda g: g.source != "reflacx")  # stable: keeps file order within a source
    return usable[0] if usable else None


@dataclass(frozen=True, eq=False)
class TargetTerm:
    """A loss term on per-sample targets that only some samples have; the others are masked out of it."""

    name: str
    """The loss name the stages weight (e.g. "gaze", "heatmap")."""
    targets: Mapping[str, np.ndarray]
    """sample_id → target, for the samples that have one."""
    empty: np.ndarray
    """Stand-in target for the samples without one (masked, so its value never counts)."""
    loss: Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]
    """(pointer logits (B, Q, N), stacked targets, mask (B,) bool) → scalar."""
    description: str
    """What the targets are, for the training log ("original gaze targets")."""

    def __call__(self, pointer_logits: torch.Tensor, ids: Sequence[str], device: torch.device) -> torch.Tensor:
        target = torch.as_tensor(np.stack([self.targets.get(i, self.empty) for i in ids]), device=device)
        mask = torch.tensor([i in self.targets for i in ids], device=device)
        return self.loss(pointer_logits, target, mask)


@dataclass(frozen=True, eq=False)
class Supervision:
    """Per-sample training signals, looked up by sample_id."""

    labels: Mapping[str, np.ndarray]
    """(14,) 0/1 targets with NaN where masked (uncertain, or not scored by the task)."""
    terms: tuple[TargetTerm, ...] = ()

    def reports(self, ids: Sequence[str]) -> list[str]:
        """Fixed-format reports of the ground truth (masked labels written as No)."""
        return [render_report(np.nan_to_num(self.labels[i], nan=0.0) > 0.5) for i in ids]

    def summary(self, n_train: int) -> str | None:
        """One log line on how many training images each target term covers (None without terms)."""
        parts = [f"{len(t.targets)}/{n_train} train images have {t.description}" for t in self.terms]
        return "; ".join(parts) or None


class VLMObjective:
    """The loss terms of one batch: "bce", "lm" (when `with_reports`) and one per target term."""

    def __init__(self, supervision: Supervision, device: torch.device, with_reports: bool) -> None:
        self.sup, self.device, self.with_reports = supervision, device, with_reports

    def __call__(self, model: nn.Module, batch: TrainBatch) -> dict[str, torch.Tensor]:
        ids = batch.ids
        out = model(batch.pixels.to(self.device), self.sup.reports(ids) if self.with_reports else None)
        labels = torch.as_tensor(np.stack([self.sup.labels[i] for i in ids]), dtype=torch.float32, device=self.device)
        terms = {t.name: t(out.gaze_logits, ids, self.device) for t in self.sup.terms}
        terms["bce"] = masked_bce(out.label_logits, labels)
        if out.lm_loss is not None:
            terms["lm"] = out.lm_loss
        return terms


def label_probs(model: nn.Module, pixels: torch.Tensor) -> torch.Tensor:
    """(B, 14) sigmoid of the label head (what validation scores)."""
    return torch.sigmoid(model(pixels).label_logits.float())
