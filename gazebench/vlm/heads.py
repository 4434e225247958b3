"""Heads on the LLM's last hidden states: a pointer gaze head (each gaze token attends over the visual tokens,
so it works on any grid) and a 14-label classification head."""
from __future__ import annotations

import math

import torch
from torch import nn

from gazebench.labels import CHEXPERT_LABELS


class PointerGazeHead(nn.Module):
    """logits[b, k, j] = (W_q h_k)·(W_k v_j)/√d' over the N visual tokens v_j (raster order)."""

    def __init__(self, hidden_size: int, key_dim: int) -> None:
        super().__init__()
        self.query = nn.Linear(hidden_size, key_dim)
        self.key = nn.Linear(hidden_size, key_dim)
        self.scale = 1.0 / math.sqrt(key_dim)

    def forward(self, gaze_states: torch.Tensor, visual_states: torch.Tensor) -> torch.Tensor:
        """(B, K, d) and (B, N, d) → (B, K, N) logits over patches."""
        return torch.einsum("bkd,bnd->bkn", self.query(gaze_states), self.key(visual_states)) * self.scale


class LabelHead(nn.Module):
    """(B, d) pooled state → (B, 14) logits in CHEXPERT_LABELS order."""

    def __init__(self, hidden_size: int, n_labels: int = len(CHEXPERT_LABELS)) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(hidden_size)
        self.linear = nn.Linear(hidden_size, n_labels)

    def forward(self, pooled: torch.Tensor) -> torch.Tensor:
        return self.linear(self.norm(pooled))
