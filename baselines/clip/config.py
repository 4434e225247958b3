"""Hyperparameters shared by the CLIP-style baselines, with a tiny CPU preset (the default) and a
real-weights preset chosen when an encoder is a local directory."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from gazebench.errors import ConfigError

C = TypeVar("C", bound="ClipConfig")

MEDCLIP_MEAN = 0.5862785803043838
MEDCLIP_STD = 0.27950088968644304
"""MedCLIP/EGMA grey-level normalisation (EGMA rounds to 0.5863/0.2795), replicated to 3 channels."""


@dataclass(frozen=True)
class ClipConfig:
    """Dual-encoder, prompt and training settings; every field is part of the checkpoint fingerprint."""

    image_encoder: str = "tiny"
    """`tiny` (random-weight Swin from config) or a local directory (e.g. swin-tiny-patch4-window7-224)."""
    text_encoder: str = "tiny"
    """`tiny` (random-weight BERT + offline WordPiece) or a local directory (e.g. Bio_ClinicalBERT)."""
    init_weights: str | None = None
    """Optional safetensors file with a full dual-encoder state (e.g. converted MedCLIP weights)."""
    image_size: int = 64
    proj_dim: int = 64
    text_layers: tuple[int, ...] = (1, 2, -1)
    max_text_length: int = 77
    epochs: int = 12
    batch_size: int = 32
    lr: float = 5e-4
    weight_decay: float = 1e-4
    warmup: float = 0.1
    """Fraction of steps with linear warm-up; cosine decay after."""
    patience: int = 4
    """Epochs without a better validation macro AUROC before stopping (best epoch kept)."""
    prompts_per_class: int = 10
    prompt_seed: int = 0

    REAL_WEIGHTS: ClassVar[dict[str, Any]] = {
        "image_size": 224, "proj_dim": 512, "epochs": 10, "batch_size": 32, "lr": 2e-5, "patience": 3,
    }
    """Defaults when either encoder is a local directory (MedCLIP: 224 px, 512-d projections)."""

    def __post_init__(self) -> None:
        for key in ("image_size", "proj_dim", "max_text_length", "epochs", "prompts_per_class"):
            if getattr(self, key) < 1:
                raise ConfigError(f"option {key} must be >= 1, got {getattr(self, key)}")
        if self.batch_size < 2:
            raise ConfigError(f"option batch_size must be >= 2 (contrastive), got {self.batch_size}")

    @classmethod
    def resolve(cls: type[C], name: str, **options: Any) -> C:
        """Build from user options, on the tiny or real-weights preset; unknown options are a ConfigError."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise ConfigError(f"{name}: unknown option(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})")
        types = {f.name: str(f.type) for f in dataclasses.fields(cls)}
        options = {k: _coerce(name, k, types[k], v) for k, v in options.items()}
        real = any(options.get(k, "tiny") != "tiny" for k in ("image_encoder", "text_encoder"))
        return cls(**{**(cls.REAL_WEIGHTS if real else {}), **options})

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(self).items()}


def _coerce(model: str, key: str, kind: str, value: Any) -> Any:
    """Check one option against its field type (`--model-arg` values arrive JSON-parsed or as strings)."""
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "int" and number and float(value).is_integer():
        return int(value)
    if kind == "float" and number:
        return float(value)
    if kind in ("str", "str | None") and (isinstance(value, str) or (value is None and kind != "str")):
        return value
    if kind.startswith("tuple") and isinstance(value, (list, tuple)) and all(
            isinstance(i, int) and not isinstance(i, bool) for i in value):
        return tuple(value)
    raise ConfigError(f"{model}: option {key}={value!r} is not a valid {kind}")
