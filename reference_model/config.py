"""`GazeModelConfig`: every hyperparameter of the gaze-token model and its trainer, frozen and saved as JSON
with every checkpoint so a checkpoint always says how it was made."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

from gazebench.errors import ConfigError

TargetKind = Literal["original", "shuffled", "random"]
TARGET_KINDS: tuple[str, ...] = ("original", "shuffled", "random")

LANGUAGE_LORA_TARGETS = r".*language_model\.layers\.\d+\.(self_attn\.[qkvo]_proj|mlp\.(gate|up|down)_proj)"
"""Regex for LoRA on the LLM only; a plain name list would also hit the vision MLPs (methods.md §2.7)."""
VISION_LORA_TARGETS = r".*visual\.(blocks\.\d+\.attn\.(qkv|proj)|merger\.mlp\.[02])"
"""Regex for LoRA on the vision tower's attention and the patch merger (used when `lora_vision`)."""


@dataclass(frozen=True)
class GazeModelConfig:
    """Model + training hyperparameters; `seed` fixes the initial weights (backbone for named random
    configs, LoRA, heads) — the run seed passed to `fit` fixes data order and dropout."""

    backbone: str = "tiny"
    """A named random-weight config ("tiny", "qwen2.5-vl-7b-shape") or a local directory with real weights."""
    image_size: int = 224
    """Square input side in pixels (multiple of 28); 224 → 8×8 merged-token grid, 448 → 16×16."""
    k: int = 4
    """Number of gaze tokens (and ordered gaze targets); 0 gives the plain VLM the SFT baselines use."""
    target: TargetKind = "original"
    """Gaze targets: temporal order ("original"), the same patches permuted ("shuffled"), random patches."""
    target_method: str = "temporal-window"
    """How fixations become ordered patch indices (gazebench.gaze.targets.TARGET_METHODS)."""
    lora_r: int = 8
    lora_alpha: int = 16
    lora_dropout: float = 0.05
    lora_vision: bool = True
    """Also put LoRA on the vision tower (the tiny backbone is random, so its features need adapting)."""
    key_dim: int = 64
    """Width of the pointer head's query/key projections."""
    lr: float = 2e-3
    weight_decay: float = 0.0
    epochs_stage1: int = 2
    epochs_stage2: int = 5
    patience: int = 3
    """Stage-2 epochs without a better validate macro AUROC before stopping."""
    batch_size: int = 16
    grad_accum: int = 1
    lambda_lm: float = 0.2
    """Weight of the report LM loss in stage 2 (0 turns it off)."""
    lambda_gaze: float = 0.5
    """Weight of the gaze CE in stage 2 (stage 1 is gaze CE alone)."""
    gradient_checkpointing: bool = False
    threshold: float = 0.5
    """Decision threshold that turns probabilities into the report's Yes/No lines."""
    seed: int = 0

    def __post_init__(self) -> None:
        if self.image_size <= 0 or self.image_size % 28:
            raise ConfigError(f"image_size must be a positive multiple of 28, got {self.image_size}")
        if self.target not in TARGET_KINDS:
            raise ConfigError(f"target must be one of {', '.join(TARGET_KINDS)}, got {self.target!r}")
        if self.k < 0 or self.batch_size < 1 or self.grad_accum < 1:
            raise ConfigError("k must be >= 0, batch_size and grad_accum >= 1")

    @property
    def grid(self) -> tuple[int, int]:
        """(rows, cols) of the merged-token grid (28 px per cell)."""
        side = self.image_size // 28
        return (side, side)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @staticmethod
    def from_dict(data: dict[str, Any]) -> GazeModelConfig:
        """Rebuild from `to_dict()` output; unknown keys are a ConfigError naming them."""
        known = {f.name for f in fields(GazeModelConfig)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"unknown GazeModelConfig field(s): {', '.join(unknown)}")
        return GazeModelConfig(**data)


def default_config(backbone: str = "tiny", **overrides: Any) -> GazeModelConfig:
    """The defaults for a backbone: tiny trains on CPU in seconds; a real/7B-shaped backbone uses 448 px,
    LoRA r=16 on the LLM only, small batches with accumulation and gradient checkpointing."""
    base: dict[str, Any] = {"backbone": backbone}
    overrides = {k: _coerce(k, v) for k, v in overrides.items()}
    if backbone != "tiny":
        base |= {"image_size": 448, "lora_r": 16, "lora_alpha": 32, "lora_vision": False, "key_dim": 256,
                 "lr": 1e-4, "batch_size": 4, "grad_accum": 4, "epochs_stage1": 1, "epochs_stage2": 3,
                 "gradient_checkpointing": True}
    return GazeModelConfig(**(base | overrides))


def _coerce(name: str, value: Any) -> Any:
    """Turn a CLI string (`--model-arg epochs_stage2=3`) into the field's type; unknown names are a ConfigError."""
    types = {f.name: f.type for f in fields(GazeModelConfig)}
    if name not in types:
        raise ConfigError(f"unknown model argument {name!r} (known: {', '.join(sorted(types))})")
    if not isinstance(value, str) or types[name] in ("str", "TargetKind"):
        return value
    try:
        if types[name] == "bool":
            if value.lower() not in ("true", "false", "1", "0"):
                raise ValueError(value)
            return value.lower() in ("true", "1")
        return int(value) if types[name] == "int" else float(value)
    except ValueError:
        raise ConfigError(f"model argument {name}={value!r} is not a valid {types[name]}") from None
