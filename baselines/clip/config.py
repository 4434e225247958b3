"""Hyperparameters shared by the CLIP-style baselines, with a tiny CPU preset (the default) and a
real-weights preset chosen when an encoder is a local directory."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from gazebench.options import (
    MAX_BATCH,
    MAX_COUNT,
    MAX_EPOCHS,
    MAX_IMAGE_SIZE,
    MAX_LR,
    MAX_SEED,
    MAX_TOKENS,
    MAX_WEIGHT,
    MAX_WIDTH,
    check_fields,
    dataclass_options,
    option,
)

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
    image_size: int = option(64, ge=1, le=MAX_IMAGE_SIZE)
    """Square input side in pixels."""
    proj_dim: int = option(64, ge=1, le=MAX_WIDTH)
    """Width of the shared image/text embedding."""
    text_layers: tuple[int, ...] = (1, 2, -1)
    """Hidden-state layers of the text encoder averaged into a sentence embedding (MedCLIP: 1, 2, last)."""
    max_text_length: int = option(77, ge=1, le=MAX_TOKENS)
    epochs: int = option(12, ge=1, le=MAX_EPOCHS)
    """Maximum fine-tuning epochs."""
    batch_size: int = option(32, ge=2, le=MAX_BATCH)
    """Images per contrastive batch (at least 2: a batch of one has no negatives)."""
    lr: float = option(5e-4, gt=0, le=MAX_LR)
    weight_decay: float = option(1e-4, ge=0, le=MAX_WEIGHT)
    warmup: float = option(0.1, ge=0, le=1)
    """Fraction of steps with linear warm-up; cosine decay after."""
    patience: int = option(4, ge=1, le=MAX_EPOCHS)
    """Epochs without a better validation macro AUROC before stopping (best epoch kept)."""
    prompts_per_class: int = option(10, ge=1, le=MAX_COUNT)
    prompt_seed: int = option(0, ge=0, le=MAX_SEED)

    REAL_WEIGHTS: ClassVar[dict[str, Any]] = {
        "image_size": 224, "proj_dim": 512, "epochs": 10, "batch_size": 32, "lr": 2e-5, "patience": 3,
    }
    """Defaults when either encoder is a local directory (MedCLIP: 224 px, 512-d projections)."""

    def __post_init__(self) -> None:
        check_fields(self)

    @classmethod
    def resolve(cls: type[C], name: str, **options: Any) -> C:
        """Build from user options (CLI strings or JSON values), on the tiny or real-weights preset; an unknown
        or bad option is a ConfigError."""
        options = dataclass_options(cls).parse(options, name)
        real = any(options.get(k, "tiny") != "tiny" for k in ("image_encoder", "text_encoder"))
        return cls(**{**(cls.REAL_WEIGHTS if real else {}), **options})

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(self).items()}

