"""The dual encoder both baselines train: image and text encoders, L2-normalised embeddings and a
learnable logit scale exp(θ) clamped to [1, 100] (MedCLIP/EGMA: θ ∈ [0, ln 100], init ln(1/0.07))."""
from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from gazebench.baselines.clip.encoders import ImageEncoder, TextEncoder, check_encoders, image_backbone, text_backbone
from gazebench.baselines.clip.tokenizer import load_tokenizer

MAX_LOG_SCALE = math.log(100.0)


class DualEncoder(nn.Module):
    """Module names match MedCLIP's (`vision_model`, `text_model`, `logit_scale`), so a MedCLIP
    checkpoint converted to safetensors loads with `load_state_dict` directly."""

    def __init__(self, image_source: str, text_source: str, image_size: int, proj_dim: int,
                 text_layers: tuple[int, ...] = (1, 2, -1), max_text_length: int = 77,
                 logit_scale_init: float = 1 / 0.07) -> None:
        super().__init__()
        check_encoders(image_source, text_source)  # before the tokenizer reads the text encoder's directory
        self.tokenizer = load_tokenizer(text_source, max_text_length)
        self.vision_model = ImageEncoder(image_backbone(image_source, image_size), proj_dim)
        self.text_model = TextEncoder(text_backbone(text_source, len(self.tokenizer)), proj_dim, text_layers)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(logit_scale_init)))
        self.max_text_length = max_text_length

    def scale(self) -> torch.Tensor:
        """exp(θ) with θ clamped to [0, ln 100]."""
        return self.logit_scale.clamp(0.0, MAX_LOG_SCALE).exp()

    def clamp_scale_(self) -> None:
        """Keep θ itself inside [0, ln 100] after an optimiser step, as MedCLIP does."""
        with torch.no_grad():
            self.logit_scale.clamp_(0.0, MAX_LOG_SCALE)

    def encode_image(self, pixels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """L2-normalised (global (B, D), patches (B, P, D))."""
        glob, patches = self.vision_model(pixels)
        return F.normalize(glob, dim=-1), F.normalize(patches, dim=-1)

    def encode_text(self, texts: Sequence[str]) -> torch.Tensor:
        """L2-normalised (T, D) embeddings of `texts`, tokenised (truncated to max_text_length) on the fly."""
        enc = self.tokenizer(list(texts), padding=True, truncation=True, max_length=self.max_text_length,
                             return_tensors="pt")
        device = self.logit_scale.device
        emb = self.text_model(enc["input_ids"].to(device), enc["attention_mask"].to(device))
        return F.normalize(emb, dim=-1)

    def forward(self, pixels: torch.Tensor, texts: Sequence[str]) -> tuple[torch.Tensor, ...]:
        """(global (B, D), patches (B, P, D), texts (T, D), scale) in one call: under data-parallel training the
        whole loss graph must come out of the wrapped module's forward for gradients to be synchronised."""
        return (*self.encode_image(pixels), self.encode_text(texts), self.scale())

    def patch_grid(self, image_size: int) -> tuple[int, int]:
        """(rows, cols) of the patch tokens for a square image of `image_size` pixels."""
        was_training = self.training
        self.eval()
        with torch.no_grad():
            probe = torch.zeros(1, 3, image_size, image_size, device=self.logit_scale.device)
            side = math.isqrt(self.vision_model(probe)[1].shape[1])
        self.train(was_training)
        return (side, side)
