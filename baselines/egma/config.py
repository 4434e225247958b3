"""EGMA's settings: the shared CLIP ones plus the gaze-guided loss and sentence-heatmap options."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from gazebench.baselines.clip.config import ClipConfig
from gazebench.baselines.egma.sentence_heatmaps import GAZE_THRESHOLD
from gazebench.options import MAX_COUNT, MAX_SECONDS, MAX_WEIGHT, option


@dataclass(frozen=True)
class EgmaConfig(ClipConfig):
    """EGMA defaults: 50 prompts per class; real weights at 256 px, batch 40, lr 1e-5 (finetune_egma.py)."""

    prompts_per_class: int = option(50, ge=1, le=MAX_COUNT)
    alpha: float = option(0.8, ge=0, le=1)
    """Weight of sentence→patches vs (1−α) patches→sentence in the gaze-guided ZLPR loss."""
    gaze_threshold: float = option(GAZE_THRESHOLD, ge=0, le=1)
    """A cell is a gaze target if its heat > threshold × the sentence's peak (≈ EGMA's `hm > 0`)."""
    gaze_window_s: float = option(2.0, ge=0, le=MAX_SECONDS)
    """Fixations from this many seconds before a sentence starts until it ends belong to it."""
    gaze_ratio: float = option(1.0, ge=0, le=1)
    """Fraction of training images whose gaze is used (EGMA's ablation: 0.01–1), chosen by a stable hash."""
    max_sentences: int = option(8, ge=1, le=MAX_COUNT)
    """Sentences per image kept for training (the first ones)."""
    medclip_weight: float = option(1.0, ge=0, le=MAX_WEIGHT)
    """Weight of MedCLIP's semantic-matching loss on the global embeddings, trained alongside: EGMA starts
    from MedCLIP weights (its zero-shot scores use the global embedding, which its own losses never touch);
    set 0 when `init_weights` already holds a MedCLIP-trained dual encoder."""

    REAL_WEIGHTS: ClassVar[dict[str, Any]] = {
        "image_size": 256, "proj_dim": 512, "epochs": 10, "batch_size": 40, "lr": 1e-5, "patience": 3,
    }
