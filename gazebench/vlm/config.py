"""The config family of the Qwen2.5-VL-backed models, frozen and saved as JSON with every checkpoint so a
checkpoint always says how it was made: `BackboneConfig` (what every Qwen-backed adapter needs: backbone,
input size, initial-weight seed) and `VLMConfig` (+ LoRA, heads and the training settings the LoRA-tuned
models share), plus the stage budget every LoRA-tuned model trains within. The reference model
(`GazeModelConfig`) and the VLM baselines subclass the same family, so every model gets one validation, one
JSON form and one way to read options."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar, Literal, TypeVar

from gazebench.errors import ConfigError
from gazebench.options import (
    MAX_BATCH,
    MAX_EPOCHS,
    MAX_IMAGE_SIZE,
    MAX_LR,
    MAX_RANK,
    MAX_SEED,
    MAX_WEIGHT,
    MAX_WIDTH,
    check_fields,
    dataclass_options,
    option,
)

LANGUAGE_LORA_TARGETS = r".*language_model\.layers\.\d+\.(self_attn\.[qkvo]_proj|mlp\.(gate|up|down)_proj)"
"""Regex for LoRA on the LLM only; a plain name list would also hit the vision MLPs (docs/reference_model.md, LoRA)."""
VISION_LORA_TARGETS = r".*visual\.(blocks\.\d+\.attn\.(qkv|proj)|merger\.mlp\.[02])"
"""Regex for LoRA on the vision tower's attention and the patch merger (used when `lora_vision`)."""

C = TypeVar("C", bound="BackboneConfig")
Tuning = Literal["full", "lora"]


@dataclass(frozen=True)
class BackboneConfig:
    """Backbone, input size and the seed of the initial weights (random backbone, LoRA, heads); the run seed
    passed to `fit` fixes data order and dropout."""

    backbone: str = "tiny"
    """A named random-weight config ("tiny", "qwen2.5-vl-7b-shape") or a local directory with real weights."""
    image_size: int = option(224, ge=28, multiple_of=28, le=MAX_IMAGE_SIZE)
    """Square input side in pixels (multiple of 28); 224 → 8×8 merged-token grid, 448 → 16×16."""
    seed: int = option(0, ge=0, le=MAX_SEED)
    """Seed of the initial weights (random backbone, LoRA, heads)."""

    REAL_WEIGHTS: ClassVar[dict[str, Any]] = {"image_size": 448}
    """Defaults for any backbone other than `tiny` (a real or 7B-shaped Qwen2.5-VL)."""

    def __post_init__(self) -> None:
        check_fields(self)

    @property
    def grid(self) -> tuple[int, int]:
        """(rows, cols) of the merged-token grid (28 px per cell)."""
        side = self.image_size // 28
        return (side, side)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls: type[C], data: dict[str, Any]) -> C:
        """Rebuild from `to_dict()` output; unknown keys are a ConfigError naming them."""
        unknown = sorted(set(data) - {f.name for f in fields(cls)})
        if unknown:
            raise ConfigError(f"unknown {cls.__name__} field(s): {', '.join(unknown)}")
        return cls(**data)

    @classmethod
    def resolve(cls: type[C], backbone: str = "tiny", **options: Any) -> C:
        """The defaults for `backbone` (`REAL_WEIGHTS` unless it is `tiny`), then `options`, which may arrive
        as CLI strings or JSON numbers (`--model-arg epochs=3`); an unknown or bad option is a ConfigError."""
        options = dataclass_options(cls).parse(options, cls.__name__)
        base = {} if backbone == "tiny" else cls.REAL_WEIGHTS
        return cls(**(base | options | {"backbone": backbone}))


@dataclass(frozen=True)
class VLMConfig(BackboneConfig):
    """+ how the backbone trains (fully, or LoRA), heads and the training settings shared by every tuned model
    (reference model, SFT, GazeX-style)."""

    tuning: Tuning = "lora"
    """`lora`: LoRA adapters on frozen weights (the papers' method for pretrained weights; the default here, on
    `tiny` too); `full`: every backbone weight trains. Measured on simulated-v4 (docs/reference_model.md):
    full tuning of the random `tiny` backbone at this budget overfits 226 training images (SFT 60.8 vs 71.4
    mimic-eye AUROC with LoRA), so the label-head models keep LoRA; the GazeX-style model, which must learn a
    language from random word rows, trains fully on `tiny` (GazeXConfig). Part of the adapter config, so of the
    run identity and the fit cache key."""
    lora_r: int = option(8, ge=1, le=MAX_RANK)
    """LoRA rank."""
    lora_alpha: int = option(16, ge=1, le=MAX_WIDTH)
    """LoRA scaling numerator (scale = alpha / r)."""
    lora_dropout: float = option(0.05, ge=0, lt=1)
    """Dropout on the LoRA branch."""
    lora_vision: bool = True
    """Also put LoRA on the vision tower (when `tuning` is `lora`; a real backbone defaults to the LLM only)."""
    key_dim: int = option(64, ge=1, le=MAX_WIDTH)
    """Width of the pointer head's query/key projections."""
    lr: float = option(2e-3, gt=0, le=MAX_LR)
    """AdamW learning rate of the trained weights (LoRA or the whole backbone), heads and gaze-token embeddings."""
    weight_decay: float = option(0.0, ge=0, le=MAX_WEIGHT)
    patience: int = option(3, ge=1, le=MAX_EPOCHS)
    """Label-stage epochs without a better validate macro AUROC before stopping."""
    batch_size: int = option(16, ge=1, le=MAX_BATCH)
    """Training images per forward pass."""
    grad_accum: int = option(1, ge=1, le=MAX_BATCH)
    """Batches whose gradients are summed per optimiser step."""
    lambda_lm: float = option(0.2, ge=0, le=MAX_WEIGHT)
    """Weight of the report LM loss in the label stage (0 turns it off)."""
    gradient_checkpointing: bool = False
    """Recompute activations in the backward pass (less memory, slower; on for real backbones)."""
    threshold: float = option(0.5, ge=0, le=1)
    """Decision threshold that turns probabilities into the report's Yes/No lines."""

    REAL_WEIGHTS: ClassVar[dict[str, Any]] = BackboneConfig.REAL_WEIGHTS | {
        "lora_r": 16, "lora_alpha": 32, "lora_vision": False, "key_dim": 256, "lr": 1e-4,
        "batch_size": 4, "grad_accum": 4, "gradient_checkpointing": True}
    """A real/7B-shaped backbone: 448 px, LoRA r=16 on the LLM only (frozen weights), small batches with
    accumulation."""


@dataclass(frozen=True)
class StageBudget:
    """The epochs and loss weight of the two-stage schedule (target term alone, then labels + report + target
    term) that the reference model and the SFT baselines share, so the baselines train within its budget."""

    target_epochs: int
    """Stage-1 epochs of the target term alone (gaze CE, or heatmap KL)."""
    label_epochs: int
    """Label-stage epochs, early-stopped on validate macro AUROC."""
    lambda_target: float
    """Weight of the target term in the label stage."""


TINY_BUDGET = StageBudget(target_epochs=2, label_epochs=5, lambda_target=0.5)
REAL_BUDGET = StageBudget(target_epochs=1, label_epochs=3, lambda_target=0.5)
"""The tiny backbone trains on CPU in seconds; a real or 7B-shaped backbone trains fewer, larger epochs."""


def stage_budget(backbone: str) -> StageBudget:
    """The stage budget for `backbone` (tiny, or any other: real weights), as `BackboneConfig.resolve` picks."""
    return TINY_BUDGET if backbone == "tiny" else REAL_BUDGET

