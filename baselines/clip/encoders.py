"""Image and text encoders with MedCLIP's projection heads, over transformers backbones that are either
built from a tiny config with random weights (`tiny`) or loaded offline from a local directory."""
from __future__ import annotations

import inspect
import math
from pathlib import Path
from typing import Any

import torch
from torch import nn
from transformers import AutoModel, BertConfig, PreTrainedModel, SwinConfig

from gazebench.checkpoint_dir import CheckpointKind, check_checkpoint_dir, load_checked
from gazebench.errors import ConfigError

TINY = "tiny"

TINY_SWIN: dict[str, Any] = {
    "patch_size": 4,
    "embed_dim": 32,
    "depths": [2, 2],
    "num_heads": [2, 4],
    "window_size": 4,
    "num_channels": 3,
}
"""Two Swin stages: a 64-px image gives 16×16 then 8×8 tokens of width 64 (Swin-tiny: 4 stages, 768)."""

TINY_BERT: dict[str, Any] = {
    "hidden_size": 64,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "intermediate_size": 128,
    "max_position_embeddings": 128,
}
"""Two BERT layers of width 64 (Bio_ClinicalBERT: 12 layers of 768)."""


IMAGE_CHECKPOINT = CheckpointKind("image encoder", (("swin", "Swin, e.g. swin-tiny-patch4-window7-224"),
                                                    ("vit", "ViT")))
TEXT_CHECKPOINT = CheckpointKind("text encoder", (("bert", "BERT, e.g. Bio_ClinicalBERT"),),
                                 (("tokenizer.json",), ("vocab.txt",)))
"""What a local encoder directory must hold (MedCLIP-ViT: Swin-tiny + Bio_ClinicalBERT; docs/baselines_clip.md)."""


def check_encoders(image_source: str, text_source: str) -> None:
    """Check both local encoder directories up front (`tiny` needs none): one line naming what is missing."""
    for source, kind in ((image_source, IMAGE_CHECKPOINT), (text_source, TEXT_CHECKPOINT)):
        if source != TINY:
            check_checkpoint_dir(Path(source).expanduser(), kind)


def load_local_model(source: str, kind: CheckpointKind) -> PreTrainedModel:
    """`AutoModel` of a local directory through gazebench.checkpoint_dir.load_checked (checked, safetensors
    only, every tensor present in its shape; a load that still fails is one line naming the directory)."""
    return load_checked(Path(source).expanduser(), kind, AutoModel)


def image_backbone(source: str, image_size: int) -> PreTrainedModel:
    """The vision backbone: a random-weight tiny Swin for `tiny`, else the local directory's model."""
    if source == TINY:
        return AutoModel.from_config(SwinConfig(image_size=image_size, **TINY_SWIN))
    return load_local_model(source, IMAGE_CHECKPOINT)


def text_backbone(source: str, vocab_size: int) -> PreTrainedModel:
    """The text backbone: a random-weight tiny BERT for `tiny`, else the local directory's model."""
    if source == TINY:
        return AutoModel.from_config(BertConfig(vocab_size=vocab_size, **TINY_BERT))
    return load_local_model(source, TEXT_CHECKPOINT)


class ImageEncoder(nn.Module):
    """Backbone → patch tokens → shared bias-free projection; global embedding = projected token mean
    (Swin's pooler is exactly this mean, so MedCLIP-ViT's `pooler_output → Linear` is reproduced)."""

    def __init__(self, model: PreTrainedModel, proj_dim: int) -> None:
        super().__init__()
        self.model = model
        self.projection_head = nn.Linear(model.config.hidden_size, proj_dim, bias=False)
        self._interpolate = "interpolate_pos_encoding" in inspect.signature(model.forward).parameters

    def forward(self, pixels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(global (B, D), patches (B, P, D)), unnormalised; patches in raster order on a √P × √P grid."""
        extra = {"interpolate_pos_encoding": True} if self._interpolate else {}
        hidden = self.model(pixel_values=pixels, **extra).last_hidden_state
        n = hidden.shape[1]
        side = math.isqrt(n)
        patches = hidden[:, n - side * side:]  # drop prefix tokens (ViT's CLS, registers)
        return self.projection_head(patches.mean(1)), self.projection_head(patches)


class TextEncoder(nn.Module):
    """BERT → mean over the hidden states of `layers` → masked token mean → bias-free projection
    (MedCLIP: layers 1, 2 and last)."""

    def __init__(self, model: PreTrainedModel, proj_dim: int, layers: tuple[int, ...] = (1, 2, -1)) -> None:
        super().__init__()
        depth = model.config.num_hidden_layers
        if any(not -depth - 1 <= i <= depth for i in layers):
            raise ConfigError(f"text layers {layers} out of range for a {depth}-layer text encoder")
        self.model = model
        self.layers = layers
        self.projection_head = nn.Linear(model.config.hidden_size, proj_dim, bias=False)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """(T, D) unnormalised sentence embeddings; padding never changes a sentence's embedding."""
        out = self.model(input_ids=input_ids, attention_mask=attention_mask, output_hidden_states=True)
        hidden = torch.stack([out.hidden_states[i] for i in self.layers]).mean(0)
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        return self.projection_head(pooled)
