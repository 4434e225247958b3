"""MedCLIP's semantic-matching loss: image–text logits trained against soft targets derived from the
label similarity of the image and the sentence (Wang et al., EMNLP 2022; RyanWangZf/MedCLIP losses.py)."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def label_codes(raw: np.ndarray) -> np.ndarray:
    """Raw CheXpert codes (1, 0, -1, NaN) → the vectors MedCLIP multiplies: blanks become 0."""
    return np.nan_to_num(np.asarray(raw, dtype=np.float64), nan=0.0)


def soft_targets(image_labels: torch.Tensor, text_labels: torch.Tensor) -> torch.Tensor:
    """(N, L) × (M, L) → (N, M) row-softmax of the raw label dot products (as MedCLIP's code does)."""
    return F.softmax(image_labels @ text_labels.T, dim=1)


def soft_cross_entropy(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """−(1/N) Σ_i Σ_j target_ij · log softmax_j(logits)_ij."""
    return -(target * F.log_softmax(logits, dim=1)).sum() / logits.shape[0]


def semantic_matching_loss(logits: torch.Tensor, image_labels: torch.Tensor,
                           text_labels: torch.Tensor) -> torch.Tensor:
    """½[CE(logits, softmax(L_img L_txtᵀ)) + CE(logitsᵀ, softmax(L_txt L_imgᵀ))], (N, M) image→text logits."""
    image_labels = image_labels.to(logits)
    text_labels = text_labels.to(logits)
    image_loss = soft_cross_entropy(logits, soft_targets(image_labels, text_labels))
    text_loss = soft_cross_entropy(logits.T, soft_targets(text_labels, image_labels))
    return 0.5 * (image_loss + text_loss)
