"""`GazeXConfig`: the GazeX-style model's member of the VLM config family: which gaze-trajectory targets it
learns (ordered, shuffled or none: the model and its two ablations), how many examples of each task an image
contributes per step, and the generation budgets that keep greedy decoding bounded."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from gazebench.options import MAX_BATCH, MAX_COUNT, MAX_EPOCHS, MAX_LR, MAX_TOKENS, option
from gazebench.vlm.config import Tuning, VLMConfig

Trajectory = Literal["ordered", "shuffled", "off"]
TRAJECTORIES: tuple[Trajectory, ...] = ("ordered", "shuffled", "off")


@dataclass(frozen=True)
class GazeXConfig(VLMConfig):
    """+ the multitask targets and decoding budgets; saved with every checkpoint, hashed into its fingerprint."""

    tuning: Tuning = "full"
    """On `tiny` every weight trains: its word rows and LM head are random, there is no language for LoRA to
    adapt (a real backbone: LoRA, `REAL_WEIGHTS`)."""
    trajectory: Trajectory = "ordered"
    """Gaze-trajectory target: regions in reading order, the same regions permuted, or no trajectory task."""
    lr: float = option(2e-3, gt=0, le=MAX_LR)
    """AdamW learning rate (tiny: its random word rows train too; a real backbone gets the family's 1e-4)."""
    batch_size: int = option(4, ge=1, le=MAX_BATCH)
    """Images per optimizer step (each brings its ~7 instruction rows): on tiny, many small steps teach the report
    language (default study: 16 images, 3 epochs wrote "The is is is"; 4 images, 6 epochs BLEU-4 ≈ 14)."""
    epochs: int = option(6, ge=1, le=MAX_EPOCHS)
    """Epochs of the multitask LM loss (no early stopping: validation has no single score for four tasks)."""
    max_regions: int = option(6, ge=1, le=MAX_COUNT)
    """Gaze regions of a trajectory target (the first in reading order); the predicted trajectory is cut there."""
    grounding_per_image: int = option(2, ge=0, le=MAX_COUNT)
    """Distinct REFLACX findings an image contributes as grounding examples (chosen per image, seeded)."""
    vqa_per_image: int = option(4, ge=0, le=MAX_COUNT)
    """Questions an image contributes as VQA examples (chosen per image, seeded)."""
    report_tokens: int = option(96, ge=1, le=MAX_TOKENS)
    """Greedy-generation budget of a report (tokens)."""
    box_tokens: int = option(24, ge=1, le=MAX_TOKENS)
    """Greedy-generation budget per box (a trajectory gets `max_regions` times this)."""
    answer_tokens: int = option(8, ge=1, le=MAX_TOKENS)
    """Greedy-generation budget of a VQA answer."""

    REAL_WEIGHTS: ClassVar[dict[str, Any]] = VLMConfig.REAL_WEIGHTS | {
        "tuning": "lora", "epochs": 2, "report_tokens": 256, "box_tokens": 40, "answer_tokens": 16}
    """A real Qwen tokenizer writes each digit as a token and reports in sub-words: larger budgets."""


def gazex_config(backbone: str = "tiny", trajectory: Trajectory = "ordered", **overrides: Any) -> GazeXConfig:
    """The defaults for `backbone`, the model's trajectory target, then `overrides` (ConfigError if unknown)."""
    return GazeXConfig.resolve(backbone, **overrides, trajectory=trajectory)
