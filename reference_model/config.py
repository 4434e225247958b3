"""The config family of the Qwen2.5-VL-backed models, frozen and saved as JSON with every checkpoint so a
checkpoint always says how it was made: `BackboneConfig` (what every Qwen-backed adapter needs: backbone,
input size, initial-weight seed), `VLMConfig` (+ LoRA, heads and the training settings the LoRA-tuned models
share) and `GazeModelConfig` (+ the gaze tokens and two stages of the reference model). The VLM baselines
subclass the same family, so every model gets one validation, one JSON form and one way to read options."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar, Literal, TypeVar

from gazebench.errors import ConfigError

TargetKind = Literal["original", "shuffled", "random"]
TARGET_KINDS: tuple[str, ...] = ("original", "shuffled", "random")

LANGUAGE_LORA_TARGETS = r".*language_model\.layers\.\d+\.(self_attn\.[qkvo]_proj|mlp\.(gate|up|down)_proj)"
"""Regex for LoRA on the LLM only; a plain name list would also hit the vision MLPs (docs/reference_model.md, LoRA)."""
VISION_LORA_TARGETS = r".*visual\.(blocks\.\d+\.attn\.(qkv|proj)|merger\.mlp\.[02])"
"""Regex for LoRA on the vision tower's attention and the patch merger (used when `lora_vision`)."""

C = TypeVar("C", bound="BackboneConfig")


@dataclass(frozen=True)
class BackboneConfig:
    """Backbone, input size and the seed of the initial weights (random backbone, LoRA, heads); the run seed
    passed to `fit` fixes data order and dropout."""

    backbone: str = "tiny"
    """A named random-weight config ("tiny", "qwen2.5-vl-7b-shape") or a local directory with real weights."""
    image_size: int = 224
    """Square input side in pixels (multiple of 28); 224 → 8×8 merged-token grid, 448 → 16×16."""
    seed: int = 0

    REAL_WEIGHTS: ClassVar[dict[str, Any]] = {"image_size": 448}
    """Defaults for any backbone other than `tiny` (a real or 7B-shaped Qwen2.5-VL)."""

    def __post_init__(self) -> None:
        if self.image_size <= 0 or self.image_size % 28:
            raise ConfigError(f"image_size must be a positive multiple of 28, got {self.image_size}")

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
        as CLI strings or JSON numbers (`--model-arg epochs=3`); an unknown option is a ConfigError."""
        types = {f.name: str(f.type) for f in fields(cls)}
        unknown = sorted(set(options) - set(types))
        if unknown:
            known = sorted(set(types) - {"backbone"})
            raise ConfigError(f"unknown option(s) {', '.join(unknown)} (known: {', '.join(known)})")
        base = {} if backbone == "tiny" else cls.REAL_WEIGHTS
        return cls(backbone=backbone, **(base | {k: _coerce(k, types[k], v) for k, v in options.items()}))


@dataclass(frozen=True)
class VLMConfig(BackboneConfig):
    """+ LoRA, heads and the training settings shared by every LoRA-tuned model (reference model, SFT)."""

    lora_r: int = 8
    lora_alpha: int = 16
    lora_dropout: float = 0.05
    lora_vision: bool = True
    """Also put LoRA on the vision tower (the tiny backbone is random, so its features need adapting)."""
    key_dim: int = 64
    """Width of the pointer head's query/key projections."""
    lr: float = 2e-3
    weight_decay: float = 0.0
    patience: int = 3
    """Label-stage epochs without a better validate macro AUROC before stopping."""
    batch_size: int = 16
    grad_accum: int = 1
    lambda_lm: float = 0.2
    """Weight of the report LM loss in the label stage (0 turns it off)."""
    gradient_checkpointing: bool = False
    threshold: float = 0.5
    """Decision threshold that turns probabilities into the report's Yes/No lines."""

    REAL_WEIGHTS: ClassVar[dict[str, Any]] = BackboneConfig.REAL_WEIGHTS | {
        "lora_r": 16, "lora_alpha": 32, "lora_vision": False, "key_dim": 256, "lr": 1e-4, "batch_size": 4,
        "grad_accum": 4, "gradient_checkpointing": True}
    """A real/7B-shaped backbone: 448 px, LoRA r=16 on the LLM only, small batches with accumulation."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.batch_size < 1 or self.grad_accum < 1:
            raise ConfigError("batch_size and grad_accum must be >= 1")


@dataclass(frozen=True)
class GazeModelConfig(VLMConfig):
    """+ the gaze tokens, their targets and the reference model's two stages (gaze, then labels)."""

    k: int = 4
    """Number of gaze tokens (and ordered gaze targets); 0 gives the plain VLM the SFT baselines use."""
    target: TargetKind = "original"
    """Gaze targets: temporal order ("original"), the same patches permuted ("shuffled"), random patches."""
    target_method: str = "temporal-window"
    """How fixations become ordered patch indices (gazebench.gaze.targets.TARGET_METHODS)."""
    epochs_stage1: int = 2
    epochs_stage2: int = 5
    lambda_gaze: float = 0.5
    """Weight of the gaze CE in stage 2 (stage 1 is gaze CE alone)."""

    REAL_WEIGHTS: ClassVar[dict[str, Any]] = VLMConfig.REAL_WEIGHTS | {"epochs_stage1": 1, "epochs_stage2": 3}

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.target not in TARGET_KINDS:
            raise ConfigError(f"target must be one of {', '.join(TARGET_KINDS)}, got {self.target!r}")
        if self.k < 0:
            raise ConfigError("k must be >= 0")


def default_config(backbone: str = "tiny", **overrides: Any) -> GazeModelConfig:
    """The reference model's defaults for a backbone (tiny trains on CPU in seconds), then `overrides`."""
    return GazeModelConfig.resolve(backbone, **overrides)


def _coerce(name: str, kind: str, value: Any) -> Any:
    """A CLI string or JSON number as the field's type (int/float/bool); other fields take the value as is."""
    if kind not in ("int", "float", "bool"):
        return value
    try:
        if isinstance(value, str):
            if kind == "bool":
                if value.lower() not in ("true", "false", "1", "0"):
                    raise ValueError(value)
                return value.lower() in ("true", "1")
            return int(value) if kind == "int" else float(value)
        if kind == "float" and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
    except ValueError:
        raise ConfigError(f"model argument {name}={value!r} is not a valid {kind}") from None
    return value
